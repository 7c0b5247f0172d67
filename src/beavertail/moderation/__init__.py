"""QA moderation: judge (prompt, response) pairs harmful or not, per harm category.

Every judge follows one protocol (:class:`Judge`); :func:`resolve_judge` turns any judge
reference (shipped name, folder, ``hf:`` id, a judge of the field) into one.
"""

from beavertail.moderation.baselines import ProfanityBaseline, RefusalHeuristic, is_refusal
from beavertail.moderation.judge import (
    Judge,
    JudgeSpec,
    JudgeWindow,
    JudgeWrapper,
    resolve_judge,
    resolve_trained_judge,
)
from beavertail.moderation.measure import evaluate_moderator, evaluate_scorer
from beavertail.moderation.metrics import (
    binary_metrics,
    expected_calibration_error,
    moderation_report,
    roc_auc,
)
from beavertail.moderation.moderator import Moderator, ModeratorSpec
from beavertail.moderation.train import (
    ModerationTrainingConfig,
    label_matrix,
    train_moderator,
)
from beavertail.moderation.verdict import Verdict

__all__ = [
    "Judge",
    "JudgeSpec",
    "JudgeWindow",
    "JudgeWrapper",
    "ModerationTrainingConfig",
    "Moderator",
    "ModeratorSpec",
    "ProfanityBaseline",
    "RefusalHeuristic",
    "Verdict",
    "binary_metrics",
    "evaluate_moderator",
    "evaluate_scorer",
    "expected_calibration_error",
    "is_refusal",
    "label_matrix",
    "moderation_report",
    "resolve_judge",
    "resolve_trained_judge",
    "roc_auc",
    "train_moderator",
]
