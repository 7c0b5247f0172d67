"""Preference models: reward (helpfulness) and cost (harmlessness) as in Safe RLHF."""

from beavertail.preference.model import ScoreHead, ScoreModel, ScoreModelSpec
from beavertail.preference.train import (
    PreferenceTrainingConfig,
    cost_loss,
    evaluate_score_model,
    reward_loss,
    train_score_model,
)

__all__ = [
    "PreferenceTrainingConfig",
    "ScoreHead",
    "ScoreModel",
    "ScoreModelSpec",
    "cost_loss",
    "evaluate_score_model",
    "reward_loss",
    "train_score_model",
]
