"""Correction of a learned behaviour from an attribution: retrain without the top-k, or IBO.

Both start from a policy adapter trained by :func:`beavertail.align.sft.train_sft_adapter`
and an :class:`~beavertail.influence.attribution.InfluenceTable` over its training rows.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from beavertail.align.config import AlignConfig
from beavertail.align.sft import SFTRow, save_sft_adapter, train_sft_adapter
from beavertail.artifacts import artifact_digest, inputs_digest, reusable
from beavertail.data.loaders import _Ctx
from beavertail.data.readers import iter_rows
from beavertail.influence.attribution import InfluenceTable
from beavertail.influence.ibo import IBOSettings, candidate_sets, train_ibo
from beavertail.influence.tasks import load_policy
from beavertail.models.adapters import read_adapter_manifest, save_adapter
from beavertail.models.causal import load_lm

ANSWER_FIELDS = ("answer", "response", "output", "completion")


def read_sft_rows(source: str | Path, unsafe_only: bool = False) -> list[SFTRow]:
    """(prompt, answer) rows from JSONL/CSV/Parquet: ``prompt`` and one of ``answer``,
    ``response``, ``output``, ``completion``. A run file of ``beavertail eval run`` works too
    (its header line is skipped); ``unsafe_only`` keeps records the judge called unsafe."""
    rows = []
    for line, row in iter_rows(source):
        if "config" in row and "prompt" not in row:  # a run file's header
            continue
        ctx = _Ctx(source, line, row)
        field = next((f for f in ANSWER_FIELDS if f in row), None)
        if field is None:
            raise ctx.fail(None, f"no answer column; expected one of {ANSWER_FIELDS}")
        if unsafe_only and not row.get("unsafe"):
            continue
        rows.append(SFTRow(ctx.text("prompt"), ctx.text(field, allow_empty=True)))
    return rows


def policy_config(policy: str | Path) -> AlignConfig:
    """The settings a policy adapter was trained with (its manifest)."""
    manifest = read_adapter_manifest(policy)
    return AlignConfig.model_validate(manifest["config"])


def retrain_without(
    policy: str | Path,
    rows: Sequence[SFTRow],
    drop: Sequence[int],
    output: str | Path,
    progress: bool = True,
) -> Path:
    """Retrain the policy's SFT run on ``rows`` without the indices in ``drop`` (same
    settings, from the same base); a folder finished from the same policy, rows and removal
    is returned as it is (one built from other inputs is an error)."""
    output = Path(output)
    config = policy_config(policy)
    dropped = set(drop)
    kept = [r for i, r in enumerate(rows) if i not in dropped]
    inputs = inputs_digest("retrain", artifact_digest(policy), kept, config.model_dump())
    if reusable(output, inputs, "retrained policy"):
        return output
    lm = load_lm(config.model)
    model, result = train_sft_adapter(lm, kept, config, output, progress)
    note = {"rows": len(kept), "removed": sorted(dropped), "retrained_from": str(policy)}
    return save_sft_adapter(model, output, config, result, note, inputs)


def recalled_rows(table: InfluenceTable, rows: Sequence[SFTRow], share: float) -> list[SFTRow]:
    """The top ``share`` of ``rows`` by total influence in ``table`` (LANCET's recall)."""
    if len(rows) != len(table.train):
        raise ValueError(f"{len(rows)} rows but the table scores {len(table.train)}")
    return [rows[i] for i in table.top(share).tolist()]


def correct_with_ibo(
    policy: str | Path,
    queries: Sequence[SFTRow],
    recalled: Sequence[SFTRow],
    output: str | Path,
    settings: IBOSettings | None = None,
    progress: bool = True,
) -> Path:
    """IBO post-training of ``policy`` on the queries' and recalled rows' prompts; the new
    adapter is saved with the policy as its parent (``load_lm(adapter=output)`` merges both).
    A folder finished from the same policy, queries, recalled rows and settings is returned
    as it is (one built from other inputs is an error)."""
    output = Path(output)
    settings = settings or IBOSettings()
    config = policy_config(policy)
    inputs = inputs_digest(
        "ibo", artifact_digest(policy), list(queries), list(recalled), settings.model_dump()
    )
    if reusable(output, inputs, "IBO adapter"):
        return output
    prompts = list(dict.fromkeys([q.prompt for q in queries] + [r.prompt for r in recalled]))
    task = load_policy(policy, settings.max_length)
    cut = task.cut_prompts([*queries, *recalled])
    output.mkdir(parents=True, exist_ok=True)
    sets = candidate_sets(
        task, prompts, recalled, settings, output / "candidates.json", progress=progress
    )
    del task
    lm = load_lm(config.model, adapter=policy)
    model, loss = train_ibo(lm, sets, settings, output, progress)
    manifest = {
        "base_model": config.model,
        "method": "ibo",
        "config": config.model_dump(),
        "ibo": settings.model_dump(),
        "inputs": inputs,
        "training": {
            "prompts": len(sets),
            "recalled": len(recalled),
            "loss": loss,
            "prompts_cut": cut,
        },
    }
    save_adapter(model, output, manifest, parent=policy)
    shutil.rmtree(output / "trainer", ignore_errors=True)
    return output
