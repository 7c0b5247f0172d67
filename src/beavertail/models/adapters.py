"""Policy adapters: LoRA weights for a causal LM, saved as an artifact folder.

A folder holds ``adapter/`` (PEFT's layout: ``adapter_model.safetensors`` +
``adapter_config.json``), a ``manifest.json`` naming the base model, and optionally ``parent/``,
an adapter this one was trained on top of (SIPO continues an aligned policy). Loading merges
the parent, then the adapter, into the base weights, so generation costs what the base does.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import torch

from beavertail.artifacts import read_manifest, write_manifest

POLICY_ADAPTER_KIND = "beavertail-policy-adapter"
ADAPTER_FOLDER, PARENT_FOLDER = "adapter", "parent"


def read_adapter_manifest(folder: str | Path, verify: bool = True) -> dict[str, Any]:
    return read_manifest(folder, POLICY_ADAPTER_KIND, "policy adapter", verify=verify)


def merge_adapter(model: torch.nn.Module, folder: str | Path) -> torch.nn.Module:
    """``model`` with the adapter at ``folder`` (and its parents) merged into its weights."""
    from peft import PeftModel

    folder = Path(folder)
    read_adapter_manifest(folder)
    if (folder / PARENT_FOLDER).is_dir():
        model = merge_adapter(model, folder / PARENT_FOLDER)
    peft_model = PeftModel.from_pretrained(model, folder / ADAPTER_FOLDER)
    merged = peft_model.merge_and_unload()
    merged.eval()
    return merged


def save_adapter(
    peft_model: Any,
    folder: str | Path,
    manifest: dict[str, Any],
    parent: str | Path | None = None,
) -> Path:
    """Write a trained PEFT model's adapter, a copy of ``parent`` and the manifest."""
    from peft import get_peft_model_state_dict
    from safetensors.torch import save_file

    folder = Path(folder)
    (folder / ADAPTER_FOLDER).mkdir(parents=True, exist_ok=True)
    state = get_peft_model_state_dict(peft_model)
    weights = {k: v.detach().to("cpu").clone().contiguous() for k, v in state.items()}
    save_file(weights, folder / ADAPTER_FOLDER / "adapter_model.safetensors")
    peft_model.peft_config["default"].save_pretrained(folder / ADAPTER_FOLDER)
    if parent is not None:
        shutil.rmtree(folder / PARENT_FOLDER, ignore_errors=True)
        shutil.copytree(parent, folder / PARENT_FOLDER)
    write_manifest(folder, {"kind": POLICY_ADAPTER_KIND, "version": 1, **manifest})
    return folder
