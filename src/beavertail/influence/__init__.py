"""Training-data attribution (influence functions) and correction of learned behaviour.

``attribute(task, train, queries, method)`` scores every training example's influence on
query behaviours (TracIn, TracIn-cosine, EK-FAC via kronfluence) on the parameters a run
trained; ``retrain_without`` and ``correct_with_ibo`` (LANCET) undo what the top ones taught.
"""

from beavertail.influence.attribution import InfluenceTable, attribute
from beavertail.influence.correction import (
    correct_with_ibo,
    read_sft_rows,
    recalled_rows,
    retrain_without,
)
from beavertail.influence.ibo import IBOSettings
from beavertail.influence.methods import EKFAC, METHODS, GradientSimilarity
from beavertail.influence.noisy import wrong_verdicts
from beavertail.influence.tasks import AnswerLikelihood, JudgeVerdict, load_policy

__all__ = [
    "EKFAC",
    "METHODS",
    "AnswerLikelihood",
    "GradientSimilarity",
    "IBOSettings",
    "InfluenceTable",
    "JudgeVerdict",
    "attribute",
    "correct_with_ibo",
    "load_policy",
    "read_sft_rows",
    "recalled_rows",
    "retrain_without",
    "wrong_verdicts",
]
