"""A content-addressed on-disk cache of arrays (safetensors), for features and activations."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import load_file, save_file

from beavertail.artifacts import atomic_target
from beavertail.models.causal import cache_dir


def texts_key(spec: dict[str, Any], prompts: Sequence[str], responses: Sequence[str] | None) -> str:
    """A short digest of a computation's settings and its input texts."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode())
    for i, p in enumerate(prompts):
        digest.update(p.encode("utf-8") + b"\x00")
        digest.update((responses[i] if responses else "").encode("utf-8") + b"\x01")
    return digest.hexdigest()[:24]


def cached_arrays(
    kind: str,
    key: str,
    compute: Callable[[], dict[str, np.ndarray]],
    folder: Path | None = None,
) -> dict[str, np.ndarray]:
    """``compute()``'s arrays, read back from ``<cache>/<kind>/<key>.safetensors`` when present.

    Written to a temporary name and renamed, so a crash never leaves a truncated entry.
    """
    folder = folder or cache_dir() / kind
    path = folder / f"{key}.safetensors"
    if path.is_file():
        return load_file(path)
    arrays = compute()
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_target(path) as tmp:
        save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, tmp)
    return arrays
