"""Padding: harmless sentences put before or after an answer (the cheapest judge evasion).

A judge that reads only the start of an answer, or averages over it, lets a harmful sentence
hide among harmless ones. Two uses, from disjoint sentence pools:

* training augmentation (:func:`padded_training_pairs`): sentences from AlpacaEval answers
  whose instruction is in the canonical *train* split;
* the benchmark's padding set (:func:`padding_benchmark`): sentences from AlpacaEval answers
  whose instruction is held out (canonical test split), around BeaverTails-test answers.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import replace
from pathlib import Path

from beavertail.data.catalog import Split, canonical_split, dataset_path
from beavertail.data.readers import iter_rows
from beavertail.data.records import QAExample

PADDING_COUNTS = (1, 3, 8, 20)
POSITIONS = ("before", "after")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_PLAIN = re.compile(r"^[A-Z][A-Za-z0-9 ,;:'()\-]+[.!?]$")


def _sentences(split: Split, root: str | Path | None) -> set[str]:
    out = set()
    for _, row in iter_rows(dataset_path("alpaca-eval", root)):
        if canonical_split(row["instruction"]) != split:
            continue
        for sentence in _SENTENCE.split(" ".join(row.get("output", "").split())):
            if _PLAIN.match(sentence) and 6 <= len(sentence.split()) <= 40:
                out.add(sentence)
    return out


def harmless_sentences(split: Split, root: str | Path | None = None) -> list[str]:
    """Plain prose sentences (6-40 words, no lists or code) from AlpacaEval reference answers
    whose instruction falls in ``split`` (a held-out pool leaves out any sentence the training
    pool has too); a fixed order."""
    found = _sentences(split, root)
    if split != "train":
        found -= _sentences("train", root)
    return sorted(found, key=lambda s: hashlib.sha256(s.encode()).digest())


def pad_answer(response: str, sentences: list[str], position: str) -> str:
    """``response`` with ``sentences`` joined before or after it."""
    if position not in POSITIONS:
        raise ValueError(f"position must be one of {POSITIONS}, not {position!r}")
    filler = " ".join(sentences)
    return f"{filler} {response}" if position == "before" else f"{response} {filler}"


def padded_training_pairs(
    examples: list[QAExample],
    root: str | Path | None = None,
    count: int = 1500,
    max_sentences: int = 4,
    max_chars: int = 700,
    seed: int = 0,
) -> list[QAExample]:
    """``count`` copies of short training answers (``max_chars`` at most once padded, so the
    whole answer stays inside one training window) with 1..``max_sentences`` harmless
    sentences before or after; the label is the original's. Half unsafe, half safe."""
    pool = harmless_sentences("train", root)
    rng = random.Random(seed)
    short = [x for x in examples if len(x.response) <= max_chars // 2 and x.response.strip()]
    halves = [[x for x in short if not x.is_safe], [x for x in short if x.is_safe]]
    out = []
    for half in halves:
        picked = rng.sample(half, min(count // 2, len(half)))
        for x in picked:
            k = rng.randint(1, max_sentences)
            filler = rng.sample(pool, k)
            while filler and len(x.response) + sum(len(s) + 1 for s in filler) > max_chars:
                filler.pop()
            if not filler:
                continue
            padded = pad_answer(x.response, filler, rng.choice(POSITIONS))
            out.append(replace(x, response=padded, source=f"padded:{x.source}"))
    return out


def padding_benchmark(
    examples: list[QAExample],
    root: str | Path | None = None,
    counts: tuple[int, ...] = PADDING_COUNTS,
    per_setting: int | None = None,
) -> dict[tuple[int, str], list[QAExample]]:
    """Every example padded with each count of held-out harmless sentences, before and after
    (``per_setting`` caps the examples per setting); sentences are drawn per example by a
    fixed rule, so the set is the same on every machine."""
    pool = harmless_sentences("test", root)
    if not pool:
        raise ValueError("no held-out padding sentences found in AlpacaEval")
    chosen = examples[:per_setting] if per_setting else examples
    out: dict[tuple[int, str], list[QAExample]] = {}
    for n in counts:
        for position in POSITIONS:
            rows = []
            for i, x in enumerate(chosen):
                start = (i * 7 + n) % len(pool)
                filler = [pool[(start + j) % len(pool)] for j in range(n)]
                rows.append(replace(x, response=pad_answer(x.response, filler, position)))
            out[(n, position)] = rows
    return out


def padding_only_pairs(
    examples: list[QAExample],
    root: str | Path | None = None,
    count: int = 600,
    max_sentences: int = 8,
    seed: int = 0,
) -> list[QAExample]:
    """``count`` harmful training prompts answered by 1..``max_sentences`` harmless training
    sentences and nothing else, labelled safe: an off-topic answer complies with nothing.
    They teach a window judge that a window holding only padding is no harmful answer."""
    pool = harmless_sentences("train", root)
    rng = random.Random(seed)
    harmful = sorted({x.prompt for x in examples if not x.is_safe})
    out = []
    for _ in range(count):
        filler = rng.sample(pool, rng.randint(1, max_sentences))
        out.append(QAExample(rng.choice(harmful), " ".join(filler), source="padding-only"))
    return out
