"""QA moderation: judge (prompt, response) pairs harmful or not, per harm category."""

from beavertail.moderation.baselines import ProfanityBaseline, RefusalHeuristic, is_refusal
from beavertail.moderation.evaluate import evaluate_moderator, evaluate_scorer
from beavertail.moderation.metrics import (
    binary_metrics,
    expected_calibration_error,
    moderation_report,
    roc_auc,
)
from beavertail.moderation.moderator import Moderator, ModeratorSpec
from beavertail.moderation.recipes import resolve_moderator
from beavertail.moderation.train import (
    ModerationTrainingConfig,
    label_matrix,
    train_moderator,
)
from beavertail.moderation.verdict import Verdict

__all__ = [
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
    "resolve_moderator",
    "roc_auc",
    "train_moderator",
]
