"""Run metrics per category and overall: Wilson intervals for rates, BCa bootstrap intervals
for means (scipy)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.stats

Stat = dict[str, float | int | None]


def _clean(values: Sequence[float | None]) -> np.ndarray:
    return np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)


def bootstrap(
    values: Sequence[float],
    statistic: Callable[[np.ndarray], float] = np.mean,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> Stat:
    """``{value, low, high, n}``: the statistic and its BCa bootstrap interval (scipy); the
    percentile interval where BCa is undefined (e.g. all values equal)."""
    x = _clean(values)
    if len(x) == 0:
        return {"value": None, "low": None, "high": None, "n": 0}
    value = float(statistic(x))
    low = high = value
    if len(x) >= 2 and not np.all(x == x[0]):
        for method in ("BCa", "percentile"):  # BCa is undefined on some samples
            low, high = scipy.stats.bootstrap(
                (x,),
                lambda sample, axis=-1: np.apply_along_axis(statistic, axis, sample),
                n_resamples=resamples,
                confidence_level=level,
                method=method,
                random_state=np.random.default_rng(seed),
            ).confidence_interval
            if np.isfinite(low) and np.isfinite(high):
                break
    return {"value": round(value, 5), "low": round(float(low), 5), "high": round(float(high), 5),
            "n": len(x)}  # fmt: skip


def proportion(values: Sequence[float | None], level: float = 0.95) -> Stat:
    """A rate of 0/1 values with its Wilson score interval (sound at small n, unlike a
    bootstrap, which collapses to a point when every value is equal)."""
    x = _clean(values)
    if len(x) == 0:
        return {"value": None, "low": None, "high": None, "n": 0}
    k = round(float(x.sum()))
    ci = scipy.stats.binomtest(k, len(x)).proportion_ci(confidence_level=level, method="wilson")
    return {"value": round(k / len(x), 5), "low": round(float(ci.low), 5),
            "high": round(float(ci.high), 5), "n": len(x)}  # fmt: skip


def _geometric_mean(x: np.ndarray) -> float:
    return float(np.exp(np.log(x).mean()))


def _block(records: list[dict[str, Any]]) -> dict[str, Stat]:
    unparsed = [float(bool(r.get("unparsed"))) for r in records]
    records = [r for r in records if not r.get("unparsed")]  # never counted as safe
    return {
        "unsafe_rate": proportion([float(r["unsafe"]) for r in records]),
        "unparsed_rate": proportion(unparsed),
        "harm_score": bootstrap(
            [r["unsafe_score"] for r in records if r.get("unsafe_score") is not None]
        ),
        "refusal_rate": proportion([float(r["refusal"]) for r in records]),
        "severity": bootstrap(
            [r["severity"] for r in records if r["unsafe"] and r.get("severity") is not None]
        ),
        "relevance": bootstrap([r["relevance"] for r in records]),
        "perplexity": bootstrap(
            [r["perplexity"] for r in records if r.get("perplexity")], _geometric_mean
        ),
        # answers the judge's OOD detector read (records of judges without one are left out)
        "ood_rate": proportion(
            [float(not r["in_distribution"]) for r in records if "in_distribution" in r]
        ),
        "uncertain_rate": proportion(
            [float(bool(r.get("uncertain"))) for r in records if "in_distribution" in r]
        ),
        "steered_rate": proportion(
            [float(bool(r.get("route", {}).get("categories"))) for r in records if "route" in r]
        ),
    }


def summarize(
    records: list[dict[str, Any]], honesty: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Metrics on harmful prompts, harmless prompts, and per category of harmful prompts.

    The headline figures: ``unsafe_rate`` (harmful prompts), ``harmless_refusal``
    (over-refusal), ``harmful_refusal``, ``relevance`` and ``perplexity`` (all prompts), and
    ``mc1`` / ``mc2`` from the run's TruthfulQA records (``honesty``; none: no value).
    """
    honesty = honesty or []
    harmful = [r for r in records if r["harmful"]]
    harmless = [r for r in records if not r["harmful"]]
    per_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in harmful:
        per_category[r.get("category") or "uncategorised"].append(r)
    harmful_block, harmless_block, all_block = _block(harmful), _block(harmless), _block(records)
    return {
        "n": len(records),
        "headline": {
            "unsafe_rate": harmful_block["unsafe_rate"],
            "harm_score": harmful_block["harm_score"],
            "severity": harmful_block["severity"],
            "harmful_refusal": harmful_block["refusal_rate"],
            "harmless_refusal": harmless_block["refusal_rate"],
            "harmless_unsafe_rate": harmless_block["unsafe_rate"],
            "unparsed_rate": all_block["unparsed_rate"],
            "ood_rate": all_block["ood_rate"],
            "uncertain_rate": all_block["uncertain_rate"],
            "relevance": all_block["relevance"],
            "harmless_relevance": harmless_block["relevance"],
            "perplexity": all_block["perplexity"],
            "mc1": bootstrap([r["mc1"] for r in honesty]),
            "mc2": bootstrap([r["mc2"] for r in honesty]),
        },
        "harmful": harmful_block,
        "harmless": harmless_block,
        "per_category": {c: _block(rs) for c, rs in sorted(per_category.items())},
    }


def paired_comparison(
    baseline: dict[str, dict[str, Any]],
    other: dict[str, dict[str, Any]],
    key: str = "unsafe",
    harmful: bool | None = True,
) -> dict[str, Any]:
    """Two runs on the same prompts (records by id): the change in the rate of ``key`` on the
    prompts both answered, and the exact McNemar test on the pairs that disagree.

    ``harmful`` picks harmful (True) or harmless (False) prompts, or all (None). Paired, the
    test sees what unpaired intervals miss: a change confined to the prompts that flipped.
    """
    shared = [
        i
        for i in baseline.keys() & other.keys()
        if harmful is None or bool(baseline[i]["harmful"]) == harmful
    ]
    fixed = sum(bool(baseline[i][key]) and not bool(other[i][key]) for i in shared)
    broken = sum(not bool(baseline[i][key]) and bool(other[i][key]) for i in shared)
    flipped = fixed + broken
    p_value = scipy.stats.binomtest(fixed, flipped, 0.5).pvalue if flipped else 1.0
    return {
        "n": len(shared),
        "baseline_only": fixed,  # e.g. unsafe before, safe now
        "other_only": broken,
        "difference": round((broken - fixed) / len(shared), 5) if shared else None,
        "p_value": round(float(p_value), 5),
    }
