"""The noisy-judge experiment's data: part of the judge mix with a known share of flipped labels.

The training pairs are a fixed pseudo-random subset of the mix's training part; ``flip_share``
of them have their harm label inverted (an unsafe pair made safe loses its categories). The
flipped indices are the ground truth that attribution should recall.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, replace
from pathlib import Path

from beavertail.data import QAExample
from beavertail.data.catalog import beavertails_qa
from beavertail.data.mix import build_moderation_mix
from beavertail.moderation import Judge


def _hash_key(x: QAExample) -> str:
    return hashlib.sha256(f"{x.prompt}\0{x.response}".encode()).hexdigest()


def flipped(example: QAExample) -> QAExample:
    """The pair with its harm label inverted (no categories either way)."""
    return replace(example, is_safe=not example.is_safe, categories=(), severity=None)


@dataclass
class NoisySet:
    train: list[QAExample]  # with flipped labels
    clean_train: list[QAExample]
    flipped: list[bool]
    validation: list[QAExample]
    test: list[QAExample]


def noisy_judge_set(
    root: str | Path | None = None,
    train_size: int = 3000,
    validation_size: int = 1000,
    flip_share: float = 0.05,
    seed: int = 0,
) -> NoisySet:
    """Mix training pairs with ``flip_share`` of labels flipped; mix validation; BT test."""
    mix = build_moderation_mix(root)
    clean = sorted(mix.train, key=_hash_key)[:train_size]
    validation = sorted(mix.validation, key=_hash_key)[:validation_size]
    rng = random.Random(seed)
    chosen = set(rng.sample(range(len(clean)), round(flip_share * len(clean))))
    train = [flipped(x) if i in chosen else x for i, x in enumerate(clean)]
    mask = [i in chosen for i in range(len(clean))]
    return NoisySet(train, clean, mask, validation, list(beavertails_qa("test", root)))


def wrong_verdicts(moderator: Judge, pairs: list[QAExample]) -> list[QAExample]:
    """The pairs a judge gets wrong, labelled as it judged them (the behaviour to explain)."""
    verdicts = moderator.predict([x.prompt for x in pairs], [x.response for x in pairs])
    return [flipped(x) for x, v in zip(pairs, verdicts, strict=True) if v.flagged == x.is_safe]
