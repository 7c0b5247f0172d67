"""Temperature scaling of logits, fitted on a validation split."""

from __future__ import annotations

import numpy as np


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def _nll(y: np.ndarray, logits: np.ndarray, temperature: float) -> float:
    p = np.clip(_sigmoid(logits / temperature), 1e-7, 1 - 1e-7)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())


def fit_temperature(y: np.ndarray, logits: np.ndarray) -> float:
    """The temperature minimising binary log-loss (log-grid search, then a finer one)."""
    y = np.asarray(y, float)
    if y.min() == y.max():
        return 1.0
    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 200))
    best = min(grid, key=lambda t: _nll(y, logits, t))
    fine = np.linspace(best * 0.9, best * 1.1, 41)
    return float(min(fine, key=lambda t: _nll(y, logits, t)))


def fit_temperatures(y: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """One temperature per output column."""
    return np.array([fit_temperature(y[:, k], logits[:, k]) for k in range(logits.shape[1])])


def apply_temperatures(logits: np.ndarray, temperatures: np.ndarray) -> np.ndarray:
    return _sigmoid(logits / temperatures[None, :])
