"""Preference models: reward (helpfulness) and cost (harmlessness) as in Safe RLHF."""

from beavertail.preference.model import (
    ScoreHead,
    ScoreModel,
    ScoreModelSpec,
    Scorer,
    load_score_model,
)
from beavertail.preference.report import write_score_report
from beavertail.preference.train import (
    PreferenceTrainingConfig,
    cost_loss,
    evaluate_score_model,
    reward_loss,
    train_score_model,
)
from beavertail.preference.tuning import TunedScoreModel

__all__ = [
    "PreferenceTrainingConfig",
    "ScoreHead",
    "ScoreModel",
    "ScoreModelSpec",
    "Scorer",
    "TunedScoreModel",
    "cost_loss",
    "evaluate_score_model",
    "load_score_model",
    "reward_loss",
    "train_score_model",
    "write_score_report",
]
