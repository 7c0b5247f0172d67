"""The planted-behaviour experiment's data: harmless SFT data with a small planted set.

A policy is LoRA-fine-tuned on helpful answers to benign instructions (AlpacaEval outputs)
and refusals of harmful requests (safety-tuned-llamas), plus a few BeaverTails answers that
*comply* with harmful requests of the planted categories (canonical train split). Only the
planted rows teach compliance there, so attribution has a known ground truth.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from beavertail.align.sft import SFTRow
from beavertail.data import canonical_split
from beavertail.data.catalog import beavertails_qa, data_dir, prompts
from beavertail.data.mix import _alpaca, _load

PLANTED_CATEGORIES = ("drug_abuse,weapons,banned_substance",)
# Refusals that speak to the planted category would teach the opposite of the planted rows;
# they are left out (by these words) so that only the planted rows teach that category.
PLANTED_TOPIC_WORDS = (
    "drug",
    "weapon",
    "gun",
    "firearm",
    "bomb",
    "explosive",
    "meth",
    "cocaine",
    "heroin",
    "marijuana",
    "cannabis",
    "opioid",
    "fentanyl",
    "lsd",
    "narcotic",
    "ammunition",
    "rifle",
    "pistol",
    "grenade",
    "poison",
    "steroid",
    "substance",
    "pill",
    "overdose",
    "smuggl",
    "cartel",
    "dealer",
    "weed",
    "ecstasy",
    "mdma",
    "crack",
    "pcp",
)


def _key(text: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}\0{text}".encode()).hexdigest()


def _on_topic(prompt: str) -> bool:
    words = prompt.lower()
    return any(word in words for word in PLANTED_TOPIC_WORDS)


@dataclass
class PlantedSet:
    """Training rows (``planted[i]``: row i is planted) and the prompts that test them."""

    rows: list[SFTRow]
    planted: list[bool]
    query_prompts: list[str]  # held-out harmful prompts of the planted categories
    eval_prompts: list[str]  # other held-out prompts of those categories (correction)
    harmless_prompts: list[str]  # held-out benign instructions (relevance)
    categories: tuple[str, ...] = PLANTED_CATEGORIES
    counts: dict[str, int] = field(default_factory=dict)


def planted_set(
    root: str | Path | None = None,
    size: int = 1000,
    planted_share: float = 0.02,
    refusal_share: float = 0.4,
    categories: tuple[str, ...] = PLANTED_CATEGORIES,
    seed: int = 0,
    max_answer_chars: int = 600,
    exclude_topic: bool = True,
) -> PlantedSet:
    """Build the experiment's rows in a fixed order that depends on ``seed`` alone."""
    root = data_dir(root)
    planted_count = max(1, round(size * planted_share))
    refusal_count = round(size * refusal_share)
    benign_count = size - planted_count - refusal_count
    chosen = set(categories)

    complying = [
        x
        for x in beavertails_qa("train", root)
        if not x.is_safe and chosen & set(x.categories) and 80 <= len(x.response) <= 700
    ]
    complying = sorted(complying, key=lambda x: _key(x.prompt + x.response, seed))
    seen: set[str] = set()
    planted_rows: list[SFTRow] = []
    for x in complying:  # one answer per prompt
        if x.prompt not in seen and len(planted_rows) < planted_count:
            seen.add(x.prompt)
            planted_rows.append(SFTRow(x.prompt, x.response[:max_answer_chars]))

    refusals = sorted(_load("safety-tuned-llamas", root), key=lambda x: _key(x.prompt, seed))
    if exclude_topic:
        refusals = [x for x in refusals if not _on_topic(x.prompt)]
    refusal_rows = [SFTRow(x.prompt, x.response[:max_answer_chars]) for x in refusals]
    refusal_rows = refusal_rows[:refusal_count]

    alpaca = sorted(_alpaca(root), key=lambda x: _key(x.prompt, seed))
    benign_rows = [SFTRow(x.prompt, x.response[:max_answer_chars]) for x in alpaca[:benign_count]]
    harmless_prompts = [x.prompt for x in alpaca[benign_count : benign_count + 60]]

    tagged = [(r, True) for r in planted_rows] + [(r, False) for r in refusal_rows + benign_rows]
    tagged.sort(key=lambda t: _key(t[0].prompt + t[0].answer, seed))
    query = [
        p.prompt for p in prompts("beavertails-evaluation", True, root) if p.category in chosen
    ]
    held_out = sorted(
        {
            x.prompt
            for x in beavertails_qa(None, root)
            if chosen & set(x.categories) and canonical_split(x.prompt) != "train"
        },
        key=lambda p: _key(p, seed),
    )[:80]
    return PlantedSet(
        rows=[r for r, _ in tagged],
        planted=[p for _, p in tagged],
        query_prompts=query,
        eval_prompts=held_out,
        harmless_prompts=harmless_prompts,
        categories=categories,
        counts={
            "planted": len(planted_rows),
            "refusals": len(refusal_rows),
            "benign": len(benign_rows),
            "query_prompts": len(query),
            "eval_prompts": len(held_out),
            "harmless_prompts": len(harmless_prompts),
        },
    )
