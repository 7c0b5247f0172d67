"""Response prefixes for training moderators that judge answers while they are written."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from beavertail.data.records import QAExample
from beavertail.models.causal import cache_dir
from beavertail.moderation.moderator import Moderator
from beavertail.moderation.train import ModerationTrainingConfig, train_moderator

DEFAULT_FRACTIONS = (0.15, 0.3, 0.5, 0.75)


def cut_words(text: str, fraction: float) -> str:
    """The first ``fraction`` of ``text``'s words (at least one)."""
    words = text.split()
    keep = max(1, round(len(words) * fraction))
    return " ".join(words[:keep])


def prefix_examples(
    examples: Sequence[QAExample],
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    min_words: int = 3,
) -> list[QAExample]:
    """Every example, plus its response cut at each fraction, labelled like the whole answer.

    A prefix of an unsafe answer keeps the unsafe label: the head learns to predict where an
    answer is heading, which is what an early stop needs. Prefixes shorter than ``min_words``
    words (and duplicates of the full answer) are skipped.
    """
    if any(not 0 < f < 1 for f in fractions):
        raise ValueError(f"fractions must lie strictly between 0 and 1, got {list(fractions)}")
    out = list(examples)
    for fraction in fractions:
        for example in examples:
            prefix = cut_words(example.response, fraction)
            if len(prefix.split()) >= min_words and prefix != example.response.strip():
                out.append(dataclasses.replace(example, response=prefix))
    return out


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
    return cache_dir() / "moderators" / "prefix"


def default_prefix_moderator(root: str | Path | None = None, progress: bool = True) -> Moderator:
    """The default streaming moderator, trained on the shared data's prefixes the first time."""
    from beavertail.data.catalog import data_dir, moderation_split

    folder = default_prefix_moderator_dir()
    if (folder / "manifest.json").is_file():
        return Moderator.load(folder)
    return train_prefix_moderator(
        moderation_split("train", root),
        moderation_split("validation", root),
        output_dir=folder,
        progress=progress,
        data_description={"data_dir": str(data_dir(root)), "split": "canonical"},
    )
