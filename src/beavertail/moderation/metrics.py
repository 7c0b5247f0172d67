"""Classification metrics for moderators: F1, ROC-AUC, ECE, per-category F1, confusion."""

from __future__ import annotations

import numpy as np


def binary_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    y_true, y_pred = np.asarray(y_true, bool), np.asarray(y_pred, bool)
    tp = int((y_true & y_pred).sum())
    fp = int((~y_true & y_pred).sum())
    fn = int((y_true & ~y_pred).sum())
    tn = int((~y_true & ~y_pred).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "accuracy": (tp + tn) / max(len(y_true), 1),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def roc_auc(y_true: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve (Mann–Whitney U with average ranks for ties)."""
    y_true = np.asarray(y_true, bool)
    n_pos, n_neg = int(y_true.sum()), int((~y_true).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = np.asarray(scores)[order]
    ranks = np.empty(len(scores), dtype=np.float64)
    i = 0
    while i < len(sorted_scores):
        j = i
        while j + 1 < len(sorted_scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[y_true].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def expected_calibration_error(y_true: np.ndarray, probs: np.ndarray, bins: int = 10) -> float:
    """ECE over equal-width probability bins."""
    y_true, probs = np.asarray(y_true, float), np.asarray(probs, float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(probs, edges[1:-1]), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            ece += mask.mean() * abs(probs[mask].mean() - y_true[mask].mean())
    return float(ece)


def best_f1_threshold(y_true: np.ndarray, probs: np.ndarray) -> float:
    """The probability threshold that maximises F1 (ties: the one closest to 0.5)."""
    candidates = np.unique(np.round(probs, 4))
    if len(candidates) > 400:
        candidates = np.quantile(probs, np.linspace(0.0, 1.0, 401))
    best = (-1.0, 0.5)
    for t in candidates:
        f1 = binary_metrics(y_true, probs >= t)["f1"]
        if f1 > best[0] + 1e-12 or (
            abs(f1 - best[0]) <= 1e-12 and abs(t - 0.5) < abs(best[1] - 0.5)
        ):
            best = (f1, float(t))
    return best[1]


def moderation_report(
    y_unsafe: np.ndarray,
    score: np.ndarray,
    threshold: float,
    categories: list[str] | None = None,
    y_categories: np.ndarray | None = None,
    category_scores: np.ndarray | None = None,
    category_thresholds: np.ndarray | None = None,
) -> dict:
    """Everything ``moderate eval`` prints, as a JSON-ready dict."""
    report = {
        "n": len(y_unsafe),
        "unsafe_share": float(np.mean(y_unsafe)),
        "threshold": float(threshold),
        "flagged": binary_metrics(y_unsafe, score >= threshold),
        "roc_auc": roc_auc(y_unsafe, score),
        "ece": expected_calibration_error(y_unsafe, score),
    }
    if categories and y_categories is not None and category_scores is not None:
        thresholds = (
            category_thresholds
            if category_thresholds is not None
            else np.full(len(categories), 0.5)
        )
        per_category = {}
        for k, name in enumerate(categories):
            support = int(y_categories[:, k].sum())
            metrics = binary_metrics(y_categories[:, k], category_scores[:, k] >= thresholds[k])
            per_category[name] = {"support": support, "f1": metrics["f1"]}
        supported = [v["f1"] for v in per_category.values() if v["support"] > 0]
        report["per_category"] = per_category
        report["category_macro_f1"] = float(np.mean(supported)) if supported else float("nan")
    return report
