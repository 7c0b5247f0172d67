"""Named prompt sets for evaluation, and parsing of ``NAME_OR_PATH[:harmful|:harmless]`` specs."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

from beavertail.data import EvalPrompt, load_prompts
from beavertail.data.catalog import FILES, dataset_path
from beavertail.data.mix import ALARMING_BENIGN

HARMLESS_SETS = {
    "harmless-train",
    "harmless-val",
    "harmless-test",
    "jbb-benign",
    "alpaca-eval",
    "alarming-benign-select",
    "alarming-benign-test",
}
# BeaverTails-Evaluation (700 = 50 x 14) split into two category-balanced halves: vectors and
# settings are chosen on "select", figures are reported on "test".
HALVES = {"bt-eval-select": 0, "bt-eval-test": 1}
# The benign prompts with alarming words ("kill a process") built for judge v2, packaged with
# beavertail; halves alternate within each topic like BeaverTails-Evaluation's.
ALARMING_HALVES = {"alarming-benign-select": 0, "alarming-benign-test": 1}
NAMED_SETS = sorted(
    {*FILES} - {"beavertails", "pku-train", "pku-test", "hh-rlhf"}
    | set(HALVES)
    | set(ALARMING_HALVES)
)


def beavertails_evaluation_half(half: str, root: str | Path | None = None) -> list[EvalPrompt]:
    """Alternate prompts within each category: even positions -> select, odd -> test."""
    by_category: dict[str | None, list[EvalPrompt]] = defaultdict(list)
    for p in load_prompts(dataset_path("beavertails-evaluation", root), harmful=True):
        by_category[p.category].append(p)
    parity = HALVES[half]
    return [p for items in by_category.values() for k, p in enumerate(items) if k % 2 == parity]


def alarming_benign_half(half: str) -> list[EvalPrompt]:
    """Every other prompt of the packaged alarming-benign set (its topics come in runs of one
    to three prompts, so both halves cover nearly every topic)."""
    parity = ALARMING_HALVES[half]
    with ALARMING_BENIGN.open() as lines:
        rows = [json.loads(line) for line in lines]
    return [
        EvalPrompt(row["prompt"], row["topic"], False, f"alarming-benign:{i}")
        for i, row in enumerate(rows)
        if i % 2 == parity
    ]


def load_prompt_set(
    spec: str, root: str | Path | None = None, limit: int | None = None
) -> list[EvalPrompt]:
    """Prompts of a named set (see ``NAMED_SETS``) or a file; ``:harmful``/``:harmless`` sets
    the side for files (named sets know theirs). ``limit`` keeps a category-balanced subset;
    a spec ending in ``@N`` keeps N prompts of that set whatever ``limit`` says."""
    head, _, count = spec.rpartition("@")
    if head and count.isdigit() and not Path(spec).exists():
        spec, limit = head, int(count)
    name, _, side = spec.partition(":") if not Path(spec).exists() else (spec, "", "")
    if side and side not in ("harmful", "harmless"):
        raise ValueError(f"{spec!r}: the suffix must be ':harmful' or ':harmless'")
    if name in HALVES:
        items = beavertails_evaluation_half(name, root)
    elif name in ALARMING_HALVES:
        items = alarming_benign_half(name)
    elif name in FILES and name in NAMED_SETS:
        harmful = name not in HARMLESS_SETS if not side else side == "harmful"
        items = list(load_prompts(dataset_path(name, root), harmful=harmful))
    elif Path(name).exists():
        items = list(load_prompts(name, harmful=side != "harmless"))
    else:
        raise ValueError(f"unknown prompt set {name!r}: not a file, nor one of {NAMED_SETS}")
    return balanced_subset(items, limit) if limit else items


def balanced_subset(items: list[EvalPrompt], limit: int) -> list[EvalPrompt]:
    """Up to ``limit`` prompts, round-robin over categories (stable: same input, same pick)."""
    by_category: dict[str | None, list[EvalPrompt]] = defaultdict(list)
    for p in items:
        by_category[p.category].append(p)
    queues = [by_category[c] for c in sorted(by_category, key=str)]
    out: list[EvalPrompt] = []
    depth = 0
    while len(out) < min(limit, len(items)):
        for queue in queues:
            if depth < len(queue) and len(out) < limit:
                out.append(queue[depth])
        depth += 1
    return out


def prompt_id(set_name: str, prompt: EvalPrompt) -> str:
    """A stable id for a prompt in a set (the same across runs, shards and resumes)."""
    raw = f"{set_name}\x00{prompt.source}\x00{prompt.prompt}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]
