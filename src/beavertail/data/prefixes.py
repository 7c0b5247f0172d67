"""Answer prefixes: a response cut at fractions of its words, labelled like the whole answer
(for judges that must decide while an answer streams)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from beavertail.data.records import QAExample

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
