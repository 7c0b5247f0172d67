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
from sklearn.linear_model import LogisticRegression


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
        x = (states.detach().float().cpu() - p["mean"]) / p["std"]
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
    l2: float = 1e-3,
    seed: int = 0,
) -> dict[str, torch.Tensor]:
    """One class-balanced logistic regression (scikit-learn) per output, on standardised
    features; ``mask`` (same shape as y) hides unknown labels. ``l2`` weighs the squared
    weights against the mean log-loss."""
    mean, std = x.mean(0), np.clip(x.std(0), 1e-4, None)
    z = (x - mean) / std
    weight = np.zeros((x.shape[1], y.shape[1]), dtype=np.float32)
    bias = np.zeros(y.shape[1], dtype=np.float32)
    for k in range(y.shape[1]):
        rows = mask[:, k] > 0
        labels = y[rows, k] > 0.5
        if labels.all() or not labels.any():  # one class only: a constant probe
            bias[k] = 8.0 if labels.any() else -8.0
            continue
        model = LogisticRegression(
            C=1.0 / (2 * l2 * rows.sum()), class_weight="balanced", max_iter=2000, random_state=seed
        ).fit(z[rows], labels)
        weight[:, k], bias[k] = model.coef_[0], model.intercept_[0]
    arrays = {"weight": weight, "bias": bias, "mean": mean, "std": std}
    return {k: torch.tensor(np.asarray(v, dtype=np.float32)) for k, v in arrays.items()}
