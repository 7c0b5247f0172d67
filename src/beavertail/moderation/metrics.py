"""Classification metrics for moderators: F1, ROC-AUC, ECE, per-category F1, confusion."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    confusion_matrix,
    precision_recall_curve,
    precision_recall_fscore_support,
    roc_auc_score,
)


def binary_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Accuracy, precision, recall, F1 and the confusion counts (scikit-learn)."""
    y_true, y_pred = np.asarray(y_true, bool), np.asarray(y_pred, bool)
    tn, fp, fn, tp = (
        int(v) for v in confusion_matrix(y_true, y_pred, labels=[False, True]).ravel()
    )
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_true, y_pred, average="binary", zero_division=0.0
    )
    return {
        "accuracy": (tp + tn) / max(len(y_true), 1),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def roc_auc(y_true: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve; NaN when only one class is present."""
    y_true = np.asarray(y_true, bool)
    if y_true.all() or not y_true.any():
        return float("nan")
    return float(roc_auc_score(y_true, scores))


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


def best_f1_threshold(
    y_true: np.ndarray, probs: np.ndarray, sample_weight: np.ndarray | None = None
) -> float:
    """The exact threshold that maximises F1 (every distinct score is a candidate)."""
    y_true = np.asarray(y_true, bool)
    if not y_true.any():
        return 0.5
    precision, recall, thresholds = precision_recall_curve(
        y_true, probs, sample_weight=sample_weight
    )
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return float(thresholds[int(np.argmax(f1[:-1]))])


def precision_threshold(y_true: np.ndarray, probs: np.ndarray, min_precision: float) -> float:
    """The lowest threshold whose precision reaches ``min_precision`` (most recall at that
    precision); the highest score when none does."""
    y_true = np.asarray(y_true, bool)
    precision, _, thresholds = precision_recall_curve(y_true, probs)
    ok = np.flatnonzero(precision[:-1] >= min_precision)
    return float(thresholds[ok[0]]) if len(ok) else float(np.max(probs))


def severity_metrics(levels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """Exact-level accuracy and mean absolute error of predicted severity on the rows with a
    level (``levels`` >= 0, as indices 0..2 of levels 1..3; ``scores``: one column per level),
    beside the majority level's accuracy on the same rows."""
    known = np.asarray(levels) >= 0
    if not known.any():
        return {"n": 0}
    truth = np.asarray(levels)[known]
    predicted = np.argmax(np.asarray(scores)[known], axis=1)
    majority = np.bincount(truth).argmax()
    return {
        "n": int(known.sum()),
        "accuracy": float((predicted == truth).mean()),
        "mae": float(np.abs(predicted - truth).mean()),
        "majority_level": int(majority) + 1,
        "majority_accuracy": float((truth == majority).mean()),
    }


def moderation_report(
    y_unsafe: np.ndarray,
    score: np.ndarray,
    threshold: float,
    categories: list[str] | None = None,
    y_categories: np.ndarray | None = None,
    category_scores: np.ndarray | None = None,
    category_thresholds: np.ndarray | None = None,
    category_predictions: np.ndarray | None = None,
) -> dict:
    """Everything ``moderate eval`` prints, as a JSON-ready dict. ``category_predictions``
    (N x K booleans): the categories each verdict names, when the judge has its own rule."""
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
        flagged = np.asarray(score) >= threshold  # categories are named on flagged pairs only
        for k, name in enumerate(categories):
            support = int(y_categories[:, k].sum())
            predicted = (
                category_predictions[:, k]
                if category_predictions is not None
                else flagged & (category_scores[:, k] >= thresholds[k])
            )
            metrics = binary_metrics(y_categories[:, k], predicted)
            per_category[name] = {"support": support, "f1": metrics["f1"]}
        supported = [v["f1"] for v in per_category.values() if v["support"] > 0]
        report["per_category"] = per_category
        report["category_macro_f1"] = float(np.mean(supported)) if supported else float("nan")
    return report


def report_headline(report: dict) -> dict:
    """The figures of a :func:`moderation_report` that cards and benches print: F1, precision,
    recall, accuracy, ROC AUC, ECE, the false-flag rate and (with categories) macro-F1."""
    flagged = report["flagged"]
    out = {
        "f1": flagged["f1"],
        "precision": flagged["precision"],
        "recall": flagged["recall"],
        "accuracy": flagged["accuracy"],
        "auc": report["roc_auc"],
        "ece": report["ece"],
        "false_flag": flagged["fp"] / max(flagged["fp"] + flagged["tn"], 1),
    }
    if "category_macro_f1" in report:
        out["category_macro_f1"] = report["category_macro_f1"]
    return out
