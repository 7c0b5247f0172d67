"""Response prefixes for training moderators that judge answers while they are written."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from beavertail.data.prefixes import DEFAULT_FRACTIONS, prefix_examples
from beavertail.data.records import QAExample
from beavertail.moderation.moderator import Moderator
from beavertail.moderation.train import ModerationTrainingConfig, train_moderator


def train_prefix_moderator(
    train: Sequence[QAExample],
    validation: Sequence[QAExample],
    config: ModerationTrainingConfig | None = None,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    output_dir: str | Path | None = None,
    progress: bool = True,
    data_description: dict | None = None,
) -> Moderator:
    """A QA moderator trained (and calibrated) on whole answers and their prefixes."""
    described = dict(data_description or {})
    described["prefix_fractions"] = list(fractions)
    return train_moderator(
        prefix_examples(train, fractions),
        prefix_examples(validation, fractions),
        config,
        output_dir,
        progress,
        described,
    )


def default_prefix_moderator_dir() -> Path:
    """The shipped streaming tier (``fast``): distilled from the default judge on whole
    answers and their prefixes."""
    from beavertail.moderation.judge import shipped_judge_dir

    return shipped_judge_dir("fast")


def default_prefix_moderator(root: str | Path | None = None, progress: bool = True) -> Moderator:
    """The default streaming moderator: the shipped ``fast`` judge."""
    del root, progress
    from beavertail.moderation.judge import shipped_judge

    return shipped_judge("fast")
