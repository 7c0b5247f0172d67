"""Preference pairs as DPO rows: (prompt, chosen, rejected) under one ranking."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from beavertail.align.config import PairFilter, Ranking
from beavertail.data import PreferencePair


@dataclass(frozen=True)
class PolicyPair:
    """A DPO row; ``system``: a system prompt before the prompt (e.g. a persona)."""

    prompt: str
    chosen: str
    rejected: str
    system: str | None = None


def is_conflict(pair: PreferencePair) -> bool:
    """The more helpful answer is the less harmless one (SIPO's "preference conflict")."""
    return pair.better_id != pair.safer_id


def ranked(pair: PreferencePair, ranking: Ranking) -> PolicyPair | None:
    """The pair ordered by ``ranking``; None for ``agree`` when the two rankings differ."""
    if ranking == "agree" and is_conflict(pair):
        return None
    first = pair.better_id if ranking == "better" else pair.safer_id
    answers = (pair.response_0, pair.response_1)
    return PolicyPair(pair.prompt, answers[first], answers[1 - first])


def keeps(pair: PreferencePair, pair_filter: PairFilter) -> bool:
    return pair_filter == "all" or pair.is_safe[0] != pair.is_safe[1]


def shuffled(pairs: Sequence[PreferencePair], seed: int) -> list[PreferencePair]:
    """A seeded order that does not depend on the input order's accidents (hash of content)."""

    def key(p: PreferencePair) -> str:
        text = f"{seed}\x00{p.prompt}\x00{p.response_0}\x00{p.response_1}"
        return hashlib.sha256(text.encode()).hexdigest()

    return sorted(pairs, key=key)


def policy_pairs(
    pairs: Sequence[PreferencePair],
    ranking: Ranking,
    pair_filter: PairFilter = "all",
    limit: int | None = None,
    seed: int = 0,
) -> list[tuple[PreferencePair, PolicyPair]]:
    """(source pair, ranked pair) for training: filtered, shuffled by seed, at most ``limit``."""
    out = []
    for pair in shuffled(pairs, seed):
        row = ranked(pair, ranking) if keeps(pair, pair_filter) else None
        if row is not None and row.chosen.strip() and row.rejected.strip():
            out.append((pair, row))
        if limit is not None and len(out) >= limit:
            break
    return out
