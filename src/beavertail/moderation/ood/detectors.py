"""Out-of-distribution detectors on a judge's own features and logits, side by side.

Each detector is a value with the same three steps: ``fit`` on the judge's training features
(and, for the trained detector, synthetic proxies), ``score`` (higher = less like the training
data), and ``state`` / ``from_state`` for safetensors. The post-hoc baselines are the field's
usual ones — maximum softmax probability (Hendrycks & Gimpel), energy (Liu et al.),
class-conditional Mahalanobis with a shared covariance (Lee et al.), k-th nearest neighbour on
normalised features (Sun et al.) — computed with scikit-learn and scipy; ``ProxyTrained`` is
Abbas et al.'s: a classifier trained to tell in-distribution pairs from synthetic proxies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol, Self

import numpy as np
from scipy.special import log_expit, logsumexp
from sklearn.covariance import LedoitWolf
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.neural_network import MLPClassifier


@dataclass(frozen=True)
class FeatureBank:
    """A judge's features (N x D) and raw logits (N x (1 + K)) of some pairs; ``unsafe``
    labels (N,) where known (Mahalanobis uses them for its class means)."""

    features: np.ndarray
    logits: np.ndarray
    unsafe: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.features)

    def subset(self, rows: np.ndarray) -> FeatureBank:
        unsafe = None if self.unsafe is None else self.unsafe[rows]
        return FeatureBank(self.features[rows], self.logits[rows], unsafe)


class OODDetector(Protocol):
    name: ClassVar[str]
    uses_proxies: ClassVar[bool]

    def fit(self, train: FeatureBank, proxies: FeatureBank | None = None) -> None: ...

    def score(self, features: np.ndarray, logits: np.ndarray) -> np.ndarray: ...

    def state(self) -> dict[str, np.ndarray]: ...

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray]) -> Self: ...


def _normalise(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


class LogitScore:
    """A detector that reads the head's logits alone: nothing to fit, no state to save."""

    uses_proxies: ClassVar[bool] = False

    def fit(self, train: FeatureBank, proxies: FeatureBank | None = None) -> None:
        return None

    def state(self) -> dict[str, np.ndarray]:
        return {}

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray]) -> Self:
        return cls()


class MaxSoftmax(LogitScore):
    """Low confidence of the harm verdict: ``-max(p, 1 - p)``."""

    name: ClassVar[str] = "msp"

    def score(self, features: np.ndarray, logits: np.ndarray) -> np.ndarray:
        z = logits[:, 0].astype(np.float64)
        return -np.exp(np.maximum(log_expit(z), log_expit(-z)))


class Energy(LogitScore):
    """Free energy of the multi-label head, ``-sum_k log(1 + exp(z_k))`` (high = unlike
    training data, which pushed its logits away from zero)."""

    name: ClassVar[str] = "energy"

    def score(self, features: np.ndarray, logits: np.ndarray) -> np.ndarray:
        z = logits.astype(np.float64)
        zeros = np.zeros_like(z)
        return -logsumexp(np.stack([zeros, np.abs(z)]), axis=0).sum(1)


class Mahalanobis:
    """Distance to the nearest class mean (safe, unsafe) under one shared, Ledoit-Wolf shrunk
    covariance of the training features."""

    name: ClassVar[str] = "mahalanobis"
    uses_proxies: ClassVar[bool] = False

    def __init__(self, means: np.ndarray | None = None, precision: np.ndarray | None = None):
        self.means = means
        self.precision = precision

    def fit(self, train: FeatureBank, proxies: FeatureBank | None = None) -> None:
        x = train.features.astype(np.float64)
        labels = np.zeros(len(x), int) if train.unsafe is None else train.unsafe.astype(int)
        classes = np.unique(labels)
        self.means = np.stack([x[labels == c].mean(0) for c in classes])
        centred = x - self.means[np.searchsorted(classes, labels)]
        self.precision = LedoitWolf(assume_centered=True).fit(centred).precision_

    def score(self, features: np.ndarray, logits: np.ndarray) -> np.ndarray:
        assert self.means is not None and self.precision is not None, "fit the detector first"
        x = features.astype(np.float64)
        distances = []
        for mean in self.means:
            d = x - mean
            distances.append(np.einsum("nd,de,ne->n", d, self.precision, d))
        return np.sqrt(np.maximum(np.min(distances, axis=0), 0.0))

    def state(self) -> dict[str, np.ndarray]:
        assert self.means is not None and self.precision is not None
        return {
            "means": self.means.astype(np.float32),
            "precision": self.precision.astype(np.float32),
        }

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray]) -> Mahalanobis:
        return cls(state["means"].astype(np.float64), state["precision"].astype(np.float64))


class NearestNeighbour:
    """Cosine distance to the k-th nearest training pair (a bank of at most ``bank_size``)."""

    name: ClassVar[str] = "knn"
    uses_proxies: ClassVar[bool] = False

    def __init__(self, k: int = 10, bank_size: int = 4000, bank: np.ndarray | None = None):
        self.k = k
        self.bank_size = bank_size
        self.bank = bank
        self._index: NearestNeighbors | None = None

    def fit(self, train: FeatureBank, proxies: FeatureBank | None = None) -> None:
        rows = np.random.default_rng(0).permutation(len(train))[: self.bank_size]
        self.bank = _normalise(train.features[np.sort(rows)].astype(np.float32))
        self._index = None

    def _neighbours(self) -> NearestNeighbors:
        if self._index is None:
            assert self.bank is not None, "fit the detector first"
            self._index = NearestNeighbors(n_neighbors=self.k, algorithm="brute").fit(self.bank)
        return self._index

    def score(self, features: np.ndarray, logits: np.ndarray) -> np.ndarray:
        distances, _ = self._neighbours().kneighbors(_normalise(features.astype(np.float32)))
        return distances[:, -1].astype(np.float64)

    def state(self) -> dict[str, np.ndarray]:
        assert self.bank is not None
        return {"bank": self.bank.astype(np.float16), "k": np.asarray([self.k])}

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray]) -> NearestNeighbour:
        bank = state["bank"].astype(np.float32)
        return cls(int(state["k"][0]), len(bank), bank)


class ProxyTrained:
    """Abbas et al.'s detector: a small classifier on the judge's standardised features and
    logits, trained to tell training pairs (0) from synthetic OOD proxies (1). ``hidden`` > 0:
    one hidden layer of that width (scikit-learn's MLP, proxies resampled to balance the
    classes, early stopping on a tenth); 0: a class-balanced logistic regression. The score is
    the OOD logit."""

    name: ClassVar[str] = "proxy-trained"
    uses_proxies: ClassVar[bool] = True

    def __init__(self, hidden: int = 64, weights: dict[str, np.ndarray] | None = None) -> None:
        self.hidden = hidden
        self.weights = weights  # mean, scale, w1, b1 (+ w2, b2 with a hidden layer)

    @staticmethod
    def _inputs(features: np.ndarray, logits: np.ndarray) -> np.ndarray:
        return np.concatenate([features, logits], axis=1).astype(np.float64)

    def fit(self, train: FeatureBank, proxies: FeatureBank | None = None) -> None:
        if proxies is None or not len(proxies):
            raise ValueError("the proxy-trained detector needs synthetic OOD proxies")
        inside = self._inputs(train.features, train.logits)
        outside = self._inputs(proxies.features, proxies.logits)
        x = np.concatenate([inside, outside])
        mean, scale = x.mean(0), np.maximum(x.std(0), 1e-6)
        if self.hidden:
            draw = np.random.default_rng(0).choice(len(outside), len(inside))
            x = np.concatenate([inside, outside[draw]])
            y = np.r_[np.zeros(len(inside)), np.ones(len(inside))]
            mlp = MLPClassifier(
                (self.hidden,), alpha=1e-3, max_iter=500, early_stopping=True, random_state=0
            ).fit((x - mean) / scale, y)
            w1, w2 = mlp.coefs_
            b1, b2 = mlp.intercepts_
            self.weights = {"w1": w1, "b1": b1, "w2": w2[:, 0], "b2": b2}
        else:
            y = np.r_[np.zeros(len(inside)), np.ones(len(outside))]
            model = LogisticRegression(C=0.05, class_weight="balanced", max_iter=5000)
            model.fit((x - mean) / scale, y)
            self.weights = {"w1": model.coef_[0], "b1": model.intercept_}
        self.weights |= {"mean": mean, "scale": scale}

    def score(self, features: np.ndarray, logits: np.ndarray) -> np.ndarray:
        assert self.weights is not None, "fit the detector first"
        w = self.weights
        z = (self._inputs(features, logits) - w["mean"]) / w["scale"]
        if "w2" not in w:
            return z @ w["w1"] + w["b1"][0]
        return np.maximum(z @ w["w1"] + w["b1"], 0.0) @ w["w2"] + w["b2"][0]

    def state(self) -> dict[str, np.ndarray]:
        assert self.weights is not None
        return {k: np.asarray(v, np.float32) for k, v in self.weights.items()} | {
            "hidden": np.asarray([self.hidden])
        }

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray]) -> ProxyTrained:
        weights = {k: v.astype(np.float64) for k, v in state.items() if k != "hidden"}
        return cls(int(state["hidden"][0]), weights)


DETECTORS: dict[str, type[OODDetector]] = {
    d.name: d for d in (MaxSoftmax, Energy, Mahalanobis, NearestNeighbour, ProxyTrained)
}


def detector_from_state(name: str, state: dict[str, np.ndarray]) -> OODDetector:
    if name not in DETECTORS:
        raise ValueError(f"unknown OOD detector {name!r}; known: {', '.join(DETECTORS)}")
    return DETECTORS[name].from_state(state)
