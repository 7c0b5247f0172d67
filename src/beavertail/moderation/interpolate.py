"""Weight-space interpolation of two judges fine-tuned from one start (WiSE-FT style).

Judge v4's stage 2 continues judge v3 on answers that teach it to read the answer; the two
sit close in weight space, so the parameters between them (LoRA factors and heads, each
``(1 - weight) * first + weight * second``) give a judge that keeps much of v3's in-domain
accuracy and much of v4's reading of the answer (Wortsman et al., "Robust fine-tuning of
zero-shot models", 2022). Temperatures and thresholds must be refitted afterwards
(:func:`beavertail.moderation.train.calibrate`, or ``refit_output_heads``, which calibrates).
"""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import load_file

from beavertail.artifacts import read_manifest
from beavertail.moderation.moderator import MANIFEST_KIND, Moderator


def _lerp(
    first: dict[str, torch.Tensor], second: dict[str, torch.Tensor], weight: float, what: str
) -> dict[str, torch.Tensor]:
    if first.keys() != second.keys():
        raise ValueError(f"the two judges' {what} tensors differ in names")
    out = {}
    for name, a in first.items():
        b = second[name]
        if a.shape != b.shape:
            raise ValueError(f"{what} tensor {name}: shapes {tuple(a.shape)} and {tuple(b.shape)}")
        out[name] = (1.0 - weight) * a.float() + weight * b.float()
    return out


def _compared(manifest: dict) -> dict:
    return {
        "spec": manifest["spec"],
        "feature_dim": manifest["feature_dim"],
        "categories": manifest["categories"],
        "features_extractor": manifest.get("features", {}).get("extractor"),
        "adapter_scale": manifest.get("adapter_scale"),
    }


def interpolate_judges(first: str | Path, second: str | Path, weight: float) -> Moderator:
    """The judge ``(1 - weight) * first + weight * second`` (both saved judge folders of one
    spec, taxonomy and adapter scale), uncalibrated: every tensor of the head file is
    interpolated (temperatures and category thresholds among them), the flag threshold is the
    second's, until refitted. The manifest's training record names both parents."""
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must lie in [0, 1], not {weight}")
    first, second = Path(first), Path(second)
    manifests = [read_manifest(f, MANIFEST_KIND, "QA moderator") for f in (first, second)]
    if _compared(manifests[0]) != _compared(manifests[1]):
        raise ValueError(f"{first} and {second} are judges of different specs; cannot interpolate")
    if manifests[0]["spec"]["backend"] == "finetuned":
        raise ValueError("judges with a fine-tuned encoder folder are not interpolated")

    def lerp_file(name: str) -> dict[str, torch.Tensor]:
        tensors = [load_file(folder / f"{name}.safetensors") for folder in (first, second)]
        return _lerp(tensors[0], tensors[1], weight, name)

    heads = lerp_file("head")
    adapters = None
    has_adapter = [(f / "adapter.safetensors").is_file() for f in (first, second)]
    if any(has_adapter):
        if not all(has_adapter):
            raise ValueError("only one of the two judges has an adapter")
        adapters = lerp_file("adapter")
    moderator = Moderator.from_tensors(manifests[1], heads, adapters)
    moderator.metadata.setdefault("training", {})["interpolation"] = {
        "first": str(first),
        "first_digest": manifests[0].get("digest"),
        "second": str(second),
        "second_digest": manifests[1].get("digest"),
        "weight_of_second": weight,
    }
    return moderator
