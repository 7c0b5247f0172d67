"""QA moderation: judge (prompt, response) pairs harmful or not, per harm category."""

from beavertail.moderation.baselines import ProfanityBaseline, RefusalHeuristic, is_refusal
from beavertail.moderation.defaults import (
    default_moderator,
    default_moderator_dir,
    resolve_moderator,
)
from beavertail.moderation.evaluate import evaluate_moderator, evaluate_scorer
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
    load_training_config,
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
    "default_moderator",
    "default_moderator_dir",
    "evaluate_moderator",
    "evaluate_scorer",
    "expected_calibration_error",
    "is_refusal",
    "label_matrix",
    "load_training_config",
    "moderation_report",
    "resolve_moderator",
    "roc_auc",
    "train_moderator",
]
