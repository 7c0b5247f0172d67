"""The persona report: judge accuracy with and without personas (conflict pairs apart), per
persona cluster with examples, tailored win rates and the harness safety check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from beavertail.reporting import bar_chart, write_page

GROUP_NAMES = {"all": "all held-out pairs", "conflict": "better ≠ safer", "agree": "better = safer"}
SERIES = {"conditioned": "with personas", "unconditioned": "without personas"}


def write_persona_report(results: dict[str, Any], output: str | Path) -> Path:
    """The page of :func:`~beavertail.persona.evaluate_personas`' results (``persona.html``):
    both-sides accuracy per pair group as bars, then every table."""
    groups = [(GROUP_NAMES.get(g, g), block) for g, block in results["accuracy"].items()]
    bars = {
        label: {name: block[model]["both_sides"]["value"] for name, block in groups}
        for model, label in SERIES.items()
    }
    return write_page(
        output,
        "persona.html",
        results=results,
        groups=groups,
        series=list(bars),
        chart=bar_chart([name for name, _ in groups], bars),
    )
