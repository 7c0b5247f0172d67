"""Pairwise and sign accuracy of reward / cost models, with score histograms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from beavertail.data import PreferencePair
from beavertail.preference.spec import Scorer


def evaluate_score_model(
    model: Scorer, pairs: Sequence[PreferencePair], progress: bool = True
) -> dict[str, Any]:
    """Pairwise accuracy on "better" and on "safer" (also on the pairs with one safe and one
    unsafe answer alone: ``safer_accuracy_mixed``), and cost-sign accuracy (cost > 0 ⇔
    unsafe; for a reward-style model the score is negated first)."""
    prompts, responses = [], []
    for p in pairs:
        prompts += [p.prompt, p.prompt]
        responses += [p.response_0, p.response_1]
    scores = model.scores(prompts, responses, progress, cache=True).reshape(-1, 2)
    objective = model.metadata.get("objective", model.spec.kind)
    as_cost = scores if objective == "cost" else -scores  # higher = more harmful
    better = np.array([p.better_id for p in pairs])
    safer = np.array([p.safer_id for p in pairs])
    rows = np.arange(len(pairs))
    unsafe = np.array([[not s for s in p.is_safe] for p in pairs])
    safer_right = as_cost[rows, safer] < as_cost[rows, 1 - safer]
    mixed = unsafe[:, 0] != unsafe[:, 1]
    out: dict[str, Any] = {
        "pairs": len(pairs),
        "better_accuracy": float((scores[rows, better] > scores[rows, 1 - better]).mean()),
        "safer_accuracy": float(safer_right.mean()),
        "mixed_pairs": int(mixed.sum()),
        "safer_accuracy_mixed": float(safer_right[mixed].mean()) if mixed.any() else None,
        "sign_accuracy": float(((as_cost > 0) == unsafe).mean()),
        "mean_score_safe": float(scores[~unsafe].mean()) if (~unsafe).any() else None,
        "mean_score_unsafe": float(scores[unsafe].mean()) if unsafe.any() else None,
    }
    edges = np.linspace(float(scores.min()), float(scores.max()) + 1e-6, 21)
    out["histogram"] = {
        "edges": [round(float(e), 4) for e in edges],
        "safe": np.histogram(scores[~unsafe], edges)[0].tolist(),
        "unsafe": np.histogram(scores[unsafe], edges)[0].tolist(),
    }
    return out
