"""One HTML page for reward / cost models: accuracies and score histograms, safe vs unsafe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from beavertail.reporting import SAFE, UNSAFE, Chart, histogram_chart, write_page

SERIES = {"safe": ("safe answers", SAFE), "unsafe": ("unsafe answers", UNSAFE)}


def _histogram(name: str, histogram: dict[str, Any]) -> Chart:
    """Side-by-side bars per score bin, safe answers then unsafe ones, and the cost model's
    decision line at 0 when the scores fall on both sides of it."""
    counts = {label: histogram[key] for key, (label, _) in SERIES.items()}
    colours = dict(SERIES.values())
    return histogram_chart(name, histogram["edges"], counts, colours, threshold=0.0)


def write_score_report(results: dict[str, dict[str, Any]], output: str | Path, title: str) -> Path:
    """``results``: model name -> metrics from ``evaluate_score_model``."""
    if not results:
        raise ValueError("no model results to report")
    charts = [_histogram(name, m["histogram"]) for name, m in results.items()]
    return write_page(output, "scores.html", title=title, results=results, charts=charts)
