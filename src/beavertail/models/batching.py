"""Length-sorted batching: long texts together, so that padding stays small."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from beavertail.models.progress import track

BatchFn = Callable[[list[str], list[str] | None], np.ndarray]


def run_sorted_batches(
    fn: BatchFn,
    prompts: list[str],
    responses: list[str] | None,
    batch_size: int,
    progress: bool = False,
    description: str = "embedding",
) -> np.ndarray:
    """Apply ``fn`` to batches ordered by length; rows come back in input order."""
    if responses is not None and len(responses) != len(prompts):
        raise ValueError(f"{len(prompts)} prompts but {len(responses)} responses")
    if not prompts:
        return np.zeros((0, 0), dtype=np.float32)
    lengths = [len(p) + (len(responses[i]) if responses else 0) for i, p in enumerate(prompts)]
    order = np.argsort(lengths, kind="stable")[::-1]
    out: np.ndarray | None = None
    starts = range(0, len(order), batch_size)
    for start in track(starts, len(starts), description, show=progress):
        idx = order[start : start + batch_size]
        values = fn([prompts[i] for i in idx], [responses[i] for i in idx] if responses else None)
        if out is None:
            out = np.zeros((len(prompts), values.shape[1]), dtype=np.float32)
        out[idx] = values
    assert out is not None
    return out
