"""Data mixing: one training set drawn from several objectives' preference pairs at a ratio.

The baseline that merging specialists is compared with (Yang et al., 2025): instead of one
adapter per objective, one adapter is trained on the objectives' pairs mixed together. Each
source is ranked and filtered exactly as its specialist's run ranks and filters it
(:func:`~beavertail.align.pairs.policy_pairs`, same seed), so a source's share is the first
rows its specialist would train on; the mixed rows are written as PKU-SafeRLHF-style pairs
already in order (chosen first, both rankings agreeing), which ``AlignConfig.train_file``
reads back, so the mix trains through the same DPO trainer as the specialists.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from beavertail.align.config import PairFilter, Ranking
from beavertail.align.pairs import policy_pairs
from beavertail.artifacts import atomic_write_text
from beavertail.data import PreferencePair


@dataclass(frozen=True)
class MixSource:
    """One objective's pairs and how its specialist ranks and filters them."""

    name: str
    pairs: Sequence[PreferencePair]
    ranking: Ranking
    pair_filter: PairFilter = "all"


def mix_counts(total: int, ratio: Sequence[float]) -> list[int]:
    """``total`` rows split by ``ratio`` (largest remainders get the leftover rows)."""
    if total < 0 or not ratio or any(r < 0 for r in ratio) or sum(ratio) <= 0:
        raise ValueError(f"a mix needs a total >= 0 and non-negative ratios, got {ratio}")
    exact = [total * r / sum(ratio) for r in ratio]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(ratio)), key=lambda i: counts[i] - exact[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def mixed_pairs(
    sources: Sequence[MixSource], counts: Sequence[int], seed: int = 0
) -> list[PreferencePair]:
    """``counts[i]`` rows of each source, ranked and filtered as its specialist's are, as pairs
    whose first answer is the chosen one under both rankings. A source with fewer usable
    rows than asked is an error (the mix would silently change its ratio)."""
    if len(sources) != len(counts):
        raise ValueError(f"{len(sources)} sources but {len(counts)} counts")
    out = []
    for source, count in zip(sources, counts, strict=True):
        if count == 0:
            continue
        chosen = policy_pairs(source.pairs, source.ranking, source.pair_filter, count, seed)
        if len(chosen) < count:
            raise ValueError(
                f"source {source.name!r} has {len(chosen)} usable pairs, {count} asked"
            )
        for pair, row in chosen:
            first = pair.better_id if source.ranking == "better" else pair.safer_id
            out.append(
                PreferencePair(
                    prompt=row.prompt,
                    response_0=row.chosen,
                    response_1=row.rejected,
                    better_id=0,
                    safer_id=0,
                    is_safe=(pair.is_safe[first], pair.is_safe[1 - first]),
                    source=f"{source.name}:{pair.source}",
                )
            )
    return out


def write_pairs(path: str | Path, pairs: Sequence[PreferencePair]) -> Path:
    """Pairs as a PKU-SafeRLHF-style JSONL file (``load_pku_pairs`` and ``--train-file`` read
    it); written atomically."""
    rows = []
    for p in pairs:
        row = {
            "prompt": p.prompt,
            "response_0": p.response_0,
            "response_1": p.response_1,
            "better_response_id": p.better_id,
            "safer_response_id": p.safer_id,
            "is_response_0_safe": p.is_safe[0],
            "is_response_1_safe": p.is_safe[1],
            "response_0_harm_category": {},
            "response_1_harm_category": {},
            "source": p.source,
        }
        rows.append(json.dumps(row, ensure_ascii=False))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, "\n".join(rows) + "\n")
    return path
