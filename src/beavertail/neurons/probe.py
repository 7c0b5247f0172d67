"""Linear probes on neuron activations: predict an unsafe answer before it is generated, or
while it is being generated.

A probe is a standardised logistic regression (scikit-learn, its L2 strength chosen by
cross-validation) over a fixed feature set: chosen MLP neurons, or the residual stream.
Saved with its neuron set as safetensors + manifest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.preprocessing import StandardScaler

from beavertail.artifacts import read_manifest, write_manifest
from beavertail.models.causal import LoadedLM
from beavertail.models.hooks import capture_activations
from beavertail.neurons.activations import NeuronSet, set_size
from beavertail.neurons.contrast import last_token_neurons

NEURON_PROBE_KIND = "beavertail-neuron-probe"
PROBE_FILE = "probe.safetensors"
Reading = Literal["last_prompt", "producing"]


@dataclass
class LinearProbe:
    """``sigmoid(w · (x − mean) / scale + b)``; ``threshold`` turns it into a verdict."""

    mean: np.ndarray
    scale: np.ndarray
    weight: np.ndarray
    bias: float
    threshold: float = 0.5

    @classmethod
    def fit(cls, features: np.ndarray, labels: np.ndarray, seed: int = 0) -> LinearProbe:
        labels = np.asarray(labels, dtype=bool)
        if labels.all() or not labels.any():
            raise ValueError("a probe needs examples of both classes")
        scaler = StandardScaler().fit(features)
        folds = int(min(5, labels.sum(), (~labels).sum()))
        if folds < 2:  # too few of one class to cross-validate: the default strength
            model = LogisticRegression(max_iter=2000).fit(scaler.transform(features), labels)
            scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
            return cls(scaler.mean_, scale, model.coef_[0], float(model.intercept_[0]))
        model = LogisticRegressionCV(
            Cs=np.logspace(-4, 1, 11),
            cv=folds,
            scoring="neg_log_loss",
            max_iter=2000,
            random_state=seed,
        ).fit(scaler.transform(features), labels)
        scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
        return cls(scaler.mean_, scale, model.coef_[0], float(model.intercept_[0]))

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        logits = ((features - self.mean) / self.scale) @ self.weight + self.bias
        return 1.0 / (1.0 + np.exp(-logits))

    def evaluate(self, features: np.ndarray, labels: np.ndarray) -> dict[str, float]:
        probs = self.probabilities(features)
        labels = np.asarray(labels, dtype=bool)
        both = labels.any() and not labels.all()
        return {
            "accuracy": float(accuracy_score(labels, probs >= self.threshold)),
            "auc": float(roc_auc_score(labels, probs)) if both else float("nan"),
            "examples": len(labels),
            "positives": int(labels.sum()),
        }

    def tensors(self) -> dict[str, torch.Tensor]:
        return {
            "mean": torch.tensor(self.mean, dtype=torch.float32),
            "scale": torch.tensor(self.scale, dtype=torch.float32),
            "weight": torch.tensor(self.weight, dtype=torch.float32),
            "bias": torch.tensor([self.bias], dtype=torch.float32),
        }

    @classmethod
    def from_tensors(cls, tensors: dict[str, torch.Tensor], threshold: float) -> LinearProbe:
        return cls(
            tensors["mean"].double().numpy(),
            tensors["scale"].double().numpy(),
            tensors["weight"].double().numpy(),
            float(tensors["bias"][0]),
            threshold,
        )


@dataclass
class NeuronProbe:
    """A linear probe on a neuron set of one model, read at one place of the text."""

    neurons: NeuronSet
    probe: LinearProbe
    model: str
    reading: Reading  # last_prompt: before generation; producing: during it
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return set_size(self.neurons)

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        tensors = self.probe.tensors() | {
            f"neurons.{layer}": idx.contiguous() for layer, idx in self.neurons.items()
        }
        folder.mkdir(parents=True, exist_ok=True)  # the manifest, written last, completes it
        save_file(tensors, folder / PROBE_FILE)
        write_manifest(
            folder,
            {
                "kind": NEURON_PROBE_KIND,
                "version": 1,
                "model": self.model,
                "reading": self.reading,
                "threshold": self.probe.threshold,
                "neurons": self.size,
                **self.metadata,
            },
        )
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> NeuronProbe:
        manifest = read_manifest(folder, NEURON_PROBE_KIND, "neuron probe")
        tensors = load_file(Path(folder) / PROBE_FILE)
        neurons = {
            int(k.split(".")[1]): v.to(torch.long)
            for k, v in tensors.items()
            if k.startswith("neurons.")
        }
        known = {"kind", "version", "model", "reading", "threshold", "neurons", "files", "digest"}
        extra = {k: v for k, v in manifest.items() if k not in known}
        probe = LinearProbe.from_tensors(tensors, float(manifest["threshold"]))
        return cls(
            dict(sorted(neurons.items())), probe, manifest["model"], manifest["reading"], extra
        )

    def features(self, lm: LoadedLM, prompts: Sequence[str], batch_size: int = 8) -> np.ndarray:
        if self.reading != "last_prompt":
            raise ValueError("this probe reads answers while they are generated (NeuronMonitor)")
        return last_token_neurons(lm, prompts, batch_size, neurons=self.neurons).numpy()

    def predict(self, lm: LoadedLM, prompts: Sequence[str]) -> np.ndarray:
        """Probability that the greedy answer to each prompt will be judged unsafe."""
        return self.probe.probabilities(self.features(lm, prompts))


def residual_features(
    lm: LoadedLM, prompts: Sequence[str], batch_size: int = 8, progress: bool = False
) -> np.ndarray:
    """The residual stream of every layer at the last prompt token, concatenated."""
    layers = list(range(lm.num_layers))
    captured = capture_activations(
        lm, prompts, layers=layers, position="last_prompt", batch_size=batch_size, progress=progress
    )
    return np.concatenate([captured[i] for i in layers], axis=1)
