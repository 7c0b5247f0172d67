"""Preference models: reward (helpfulness) and cost (harmlessness) as in Safe RLHF."""

from beavertail.preference.io import load_score_model
from beavertail.preference.losses import cost_loss, reward_loss
from beavertail.preference.metrics import evaluate_score_model
from beavertail.preference.model import ScoreHead, ScoreModel
from beavertail.preference.report import write_score_report
from beavertail.preference.spec import PreferenceTrainingConfig, ScoreModelSpec, Scorer
from beavertail.preference.train import train_score_model
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
