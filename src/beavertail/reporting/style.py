"""The shared look of every page and chart: the series palette and the page style sheet."""

from __future__ import annotations

from importlib import resources

PALETTE = ("#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#9c755f")
"""Series colours, in order (Tableau 10)."""
SAFE, UNSAFE = "#4e79a7", "#e15759"
FRONT = "#59a14f"  # a Pareto front
MUTED = "#555555"


def colour(index: int) -> str:
    """The palette's colour for the ``index``-th series (it cycles)."""
    return PALETTE[index % len(PALETTE)]


def style_sheet() -> str:
    """The CSS every page embeds (``templates/style.css``)."""
    return resources.files(__package__).joinpath("templates", "style.css").read_text("utf-8")
