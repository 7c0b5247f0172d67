"""The moderation mix with the embedded model's own answers to harmless instructions.

Generating those answers takes a few minutes on 2 cores, so they are cached (JSON, keyed by
model, settings and instructions) under the cache folder and reused by every later build.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import replace
from pathlib import Path

from beavertail.artifacts import append_rows, appended_rows
from beavertail.data.mix import ModerationMix, build_moderation_mix
from beavertail.data.records import QAExample
from beavertail.models.causal import DEFAULT_LM, cache_dir, lm_identity, load_lm
from beavertail.models.generation import LocalGenerator, SamplingParams
from beavertail.models.progress import track

BENIGN_GENERATION = SamplingParams(max_new_tokens=64)


def embedded_answers(
    prompts: list[str],
    model: str = DEFAULT_LM,
    config: SamplingParams = BENIGN_GENERATION,
    batch_size: int = 8,
    progress: bool = True,
) -> list[str]:
    """Greedy answers of ``model`` to ``prompts``, cached per prompt (one file per model
    weights and settings), appended batch by batch so an interrupted run resumes where it
    stopped."""
    key = hashlib.sha256(
        json.dumps([lm_identity(model), config.to_dict()], sort_keys=True).encode()
    ).hexdigest()[:20]
    path = cache_dir() / "generated" / f"{key}.jsonl"
    done = {row["prompt"]: row["answer"] for row in appended_rows(path)}
    todo = [p for p in dict.fromkeys(prompts) if p not in done]
    if todo:
        generator = LocalGenerator(load_lm(model))
        starts = range(0, len(todo), batch_size)
        for start in track(starts, len(starts), "answering harmless prompts", show=progress):
            batch = todo[start : start + batch_size]
            generated = generator.generate(batch, config)
            done |= {g.prompt: g.text for g in generated}
            append_rows(path, [{"prompt": g.prompt, "answer": g.text} for g in generated])
    return [done[p] for p in prompts]


PENDING = "\x00beavertail: answer not generated yet\x00 "


def moderation_mix(
    root: str | Path | None = None,
    with_generated: bool = True,
    progress: bool = True,
    pending: bool = False,
) -> ModerationMix:
    """The training mix of the default judge (see :mod:`beavertail.data.mix`).

    ``pending``: the embedded model's answers are not generated; each such row holds a
    placeholder until :func:`answer_pending` fills in the rows a caller actually uses (a
    command that reads a few validation pairs generates a few answers, not 240)."""
    if with_generated and pending:
        answers = lambda prompts: [PENDING + p for p in prompts]  # noqa: E731
    elif with_generated:
        answers = lambda prompts: embedded_answers(prompts, progress=progress)  # noqa: E731
    else:
        answers = None
    return build_moderation_mix(root, benign_answers=answers)


def answer_pending(rows: list[QAExample], progress: bool = True) -> list[QAExample]:
    """``rows`` with every placeholder of :func:`moderation_mix` (``pending=True``) replaced
    by the embedded model's answer (generated, or read from the same cache)."""
    todo = [x.prompt for x in rows if x.response.startswith(PENDING)]
    if not todo:
        return list(rows)
    if progress:
        print(f"answering {len(todo)} harmless prompts with the embedded model", file=sys.stderr)
    answers = dict(zip(todo, embedded_answers(todo, progress=progress), strict=True))
    return [
        replace(x, response=answers[x.prompt]) if x.response.startswith(PENDING) else x
        for x in rows
    ]
