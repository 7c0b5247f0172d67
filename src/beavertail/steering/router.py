"""Category router: linear probes on the last prompt token that say which harm a prompt is about.

One probe per layer: output 0 is a harm gate (harmful vs benign prompt), outputs 1..K the
harm categories. Benign prompts are routed to no vector at all, so they are not steered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file


@dataclass
class Route:
    """What the router decided for one prompt."""

    harmful: float
    categories: dict[str, float] = field(default_factory=dict)  # chosen category -> weight

    @property
    def steered(self) -> bool:
        return bool(self.categories)

    def to_dict(self) -> dict:
        return {
            "harmful": round(self.harmful, 4),
            "categories": {c: round(w, 4) for c, w in self.categories.items()},
        }


class CategoryRouter:
    """Logistic probes ``sigmoid((x - mean) / std @ W + b)`` per layer, on last-prompt states."""

    def __init__(
        self,
        categories: Sequence[str],
        probes: dict[int, dict[str, torch.Tensor]],
        gate_threshold: float = 0.5,
        category_threshold: float = 0.3,
        metrics: dict | None = None,
    ) -> None:
        self.categories = list(categories)
        self.probes = probes
        self.gate_threshold = gate_threshold
        self.category_threshold = category_threshold
        self.metrics = metrics or {}

    @property
    def layers(self) -> list[int]:
        return sorted(self.probes)

    def probabilities(self, layer: int, states: torch.Tensor) -> torch.Tensor:
        """``(n, 1 + K)`` probabilities: harm gate, then each category."""
        if layer not in self.probes:
            raise KeyError(f"the router has no probe at layer {layer}; it has {self.layers}")
        p = self.probes[layer]
        x = (states.float() - p["mean"]) / p["std"]
        return torch.sigmoid(x @ p["weight"] + p["bias"])

    def route(self, layer: int, states: torch.Tensor) -> list[Route]:
        """Gate each prompt; a harmful one gets its likely categories (at least the top one)."""
        probs = self.probabilities(layer, states)
        routes = []
        for row in probs.tolist():
            gate, cats = row[0], row[1:]
            if gate < self.gate_threshold:
                routes.append(Route(gate))
                continue
            chosen = {
                c: p
                for c, p in zip(self.categories, cats, strict=True)
                if p >= self.category_threshold
            }
            if not chosen:
                top = int(np.argmax(cats))
                chosen = {self.categories[top]: cats[top]}
            total = sum(chosen.values())
            routes.append(Route(gate, {c: p / total for c, p in chosen.items()}))
        return routes

    def describe(self) -> dict:
        return {
            "categories": self.categories,
            "layers": self.layers,
            "gate_threshold": self.gate_threshold,
            "category_threshold": self.category_threshold,
            "metrics": self.metrics,
        }

    def save(self, path: Path) -> None:
        tensors = {
            f"layer{layer}/{name}": t.contiguous()
            for layer, probe in self.probes.items()
            for name, t in probe.items()
        }
        save_file(tensors, path)

    @classmethod
    def load(cls, path: Path, description: dict) -> CategoryRouter:
        probes: dict[int, dict[str, torch.Tensor]] = {}
        for key, tensor in load_file(path).items():
            layer, name = key.split("/", 1)
            probes.setdefault(int(layer.removeprefix("layer")), {})[name] = tensor
        return cls(
            description["categories"],
            probes,
            description.get("gate_threshold", 0.5),
            description.get("category_threshold", 0.3),
            description.get("metrics", {}),
        )


def fit_probe(
    x: np.ndarray,
    y: np.ndarray,
    mask: np.ndarray,
    steps: int = 300,
    l2: float = 1e-3,
    seed: int = 0,
) -> dict[str, torch.Tensor]:
    """Multi-output logistic regression; ``mask`` (same shape as y) hides unknown labels."""
    torch.manual_seed(seed)
    xt = torch.tensor(x, dtype=torch.float32)
    mean, std = xt.mean(0), xt.std(0).clamp_min(1e-4)
    xt = (xt - mean) / std
    yt, mt = torch.tensor(y, dtype=torch.float32), torch.tensor(mask, dtype=torch.float32)
    pos = (yt * mt).sum(0)
    neg = ((1 - yt) * mt).sum(0)
    pos_weight = (neg / pos.clamp_min(1)).clamp(max=20.0)
    weight = torch.zeros(x.shape[1], y.shape[1], requires_grad=True)
    bias = torch.zeros(y.shape[1], requires_grad=True)
    optimizer = torch.optim.Adam([weight, bias], lr=0.01)
    for _ in range(steps):
        optimizer.zero_grad()
        logits = xt @ weight + bias
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            logits, yt, reduction="none", pos_weight=pos_weight
        )
        loss = (loss * mt).sum() / mt.sum().clamp_min(1) + l2 * weight.pow(2).sum()
        loss.backward()
        optimizer.step()
    return {"weight": weight.detach(), "bias": bias.detach(), "mean": mean, "std": std}
