"""A content-addressed on-disk cache of arrays (safetensors), for features and activations.

Keys are digests of everything an entry was computed from: the computation's settings, the
weights of the model that computed it (:func:`weights_digest`) and the input texts.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.numpy import load_file, save_file

from beavertail.artifacts import atomic_target
from beavertail.models.causal import cache_dir


def _tensor_bytes(value: Any) -> Iterable[bytes]:
    """A state-dict value's dtype, shape and bytes (packed int8 weights are tuples)."""
    if isinstance(value, torch.Tensor):
        tensor = value.detach()
        if tensor.is_quantized:
            yield str(tensor.qscheme()).encode()
            tensor = tensor.dequantize()
        tensor = tensor.cpu().contiguous()
        yield f"{tensor.dtype}{tuple(tensor.shape)}".encode()
        yield tensor.reshape(-1).view(torch.uint8).numpy().tobytes()
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _tensor_bytes(item)
    elif value is not None:
        yield repr(value).encode()


def tensors_digest(named: Iterable[tuple[str, Any]]) -> str:
    """A short digest of named tensors (their names, dtypes, shapes and values)."""
    digest = hashlib.sha256()
    for name, value in named:
        digest.update(name.encode() + b"\x00")
        for part in _tensor_bytes(value):
            digest.update(part)
    return digest.hexdigest()[:16]


# module -> (the parameters' storage and in-place versions, digest): hashed once per state
_DIGESTS: weakref.WeakKeyDictionary[torch.nn.Module, tuple[tuple, str]] = (
    weakref.WeakKeyDictionary()
)


def weights_digest(module: torch.nn.Module) -> str:
    """A digest of a model's weights (every state-dict entry, int8-packed ones included). It
    is remembered per module until a parameter changes in place (a training step), so a
    fine-tuned and a frozen copy of one encoder never share a key."""
    tensors = [*module.parameters(), *module.buffers()]
    state = tuple((t.data_ptr(), t._version, tuple(t.shape)) for t in tensors)
    known = _DIGESTS.get(module)
    if known is not None and known[0] == state:
        return known[1]
    digest = tensors_digest(sorted(module.state_dict().items()))
    _DIGESTS[module] = (state, digest)
    return digest


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
