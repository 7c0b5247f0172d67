"""The moderation mix with the embedded model's own answers to harmless instructions.

Generating those answers takes a few minutes on 2 cores, so they are cached (JSON, keyed by
model, settings and instructions) under the cache folder and reused by every later build.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from beavertail.artifacts import appended_rows
from beavertail.data.mix import ModerationMix, build_moderation_mix
from beavertail.models.causal import DEFAULT_LM, cache_dir, load_lm
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
    """Greedy answers of ``model`` to ``prompts``, cached per prompt (one file per model and
    settings), appended batch by batch so an interrupted run resumes where it stopped."""
    key = hashlib.sha256(
        json.dumps([model, config.to_dict()], sort_keys=True).encode()
    ).hexdigest()[:20]
    path = cache_dir() / "generated" / f"{key}.jsonl"
    done = {row["prompt"]: row["answer"] for row in appended_rows(path)}
    todo = [p for p in dict.fromkeys(prompts) if p not in done]
    if todo:
        path.parent.mkdir(parents=True, exist_ok=True)
        generator = LocalGenerator(load_lm(model))
        starts = range(0, len(todo), batch_size)
        with path.open("a", encoding="utf-8") as f:
            for start in track(starts, len(starts), "answering harmless prompts", show=progress):
                batch = todo[start : start + batch_size]
                for g in generator.generate(batch, config):
                    done[g.prompt] = g.text
                    f.write(json.dumps({"prompt": g.prompt, "answer": g.text}) + "\n")
                f.flush()
    return [done[p] for p in prompts]


def moderation_mix(
    root: str | Path | None = None, with_generated: bool = True, progress: bool = True
) -> ModerationMix:
    """The training mix of the default judge (see :mod:`beavertail.data.mix`)."""
    answers = (
        (lambda prompts: embedded_answers(prompts, progress=progress)) if with_generated else None
    )
    return build_moderation_mix(root, benign_answers=answers)
