"""Steering-vector files: one safetensors file of vectors plus a JSON manifest."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from beavertail.artifacts import read_manifest, write_manifest

ALL_HARM = "all"  # the single vector built from every unsafe example
MANIFEST_VERSION = 1


@dataclass
class SteeringVectors:
    """Harm directions ``vectors[category][layer]`` (unsafe minus safe, activation units).

    ``metadata`` records the model, site, positions, method, data and per-category counts.
    A router (optional) picks which categories a prompt gets at generation time.
    """

    vectors: dict[str, dict[int, torch.Tensor]]
    model: str
    site: str
    position: str
    method: str
    metadata: dict[str, Any] = field(default_factory=dict)
    router: Any = None  # CategoryRouter | None (kept untyped to avoid an import cycle)

    @property
    def categories(self) -> list[str]:
        return [c for c in self.vectors if c != ALL_HARM]

    @property
    def layers(self) -> list[int]:
        return sorted({layer for by_layer in self.vectors.values() for layer in by_layer})

    def vector(self, category: str, layer: int) -> torch.Tensor:
        if category not in self.vectors:
            raise KeyError(f"no vector for category {category!r}; have {sorted(self.vectors)}")
        if layer not in self.vectors[category]:
            raise KeyError(f"no vector at layer {layer}; have layers {self.layers}")
        return self.vectors[category][layer]

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        tensors = {
            f"{category}/layer{layer}": vec.contiguous().float()
            for category, by_layer in self.vectors.items()
            for layer, vec in by_layer.items()
        }
        save_file(tensors, folder / "vectors.safetensors")
        manifest = {
            "kind": "beavertail-steering-vectors",
            "version": MANIFEST_VERSION,
            "model": self.model,
            "site": self.site,
            "position": self.position,
            "method": self.method,
            "layers": self.layers,
            "categories": self.categories,
            "norms": {
                f"{c}/layer{layer}": round(float(v.norm()), 4)
                for c, by_layer in self.vectors.items()
                for layer, v in by_layer.items()
            },
            **self.metadata,
        }
        if self.router is not None:
            self.router.save(folder / "router.safetensors")
            manifest["router"] = self.router.describe()
        write_manifest(folder, manifest)
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> SteeringVectors:
        from beavertail.steering.router import CategoryRouter

        folder = Path(folder)
        manifest = read_manifest(folder, "beavertail-steering-vectors", "steering-vector folder")
        vectors: dict[str, dict[int, torch.Tensor]] = {}
        for key, tensor in load_file(folder / "vectors.safetensors").items():
            category, layer = key.rsplit("/layer", 1)
            vectors.setdefault(category, {})[int(layer)] = tensor
        router = None
        if (folder / "router.safetensors").is_file():
            router = CategoryRouter.load(folder / "router.safetensors", manifest.get("router", {}))
        known = {"kind", "version", "model", "site", "position", "method", "layers"}
        known |= {"categories", "norms", "router", "beavertail_version", "files", "digest"}
        return cls(
            vectors=vectors,
            model=manifest["model"],
            site=manifest["site"],
            position=manifest["position"],
            method=manifest["method"],
            metadata={k: v for k, v in manifest.items() if k not in known},
            router=router,
        )
