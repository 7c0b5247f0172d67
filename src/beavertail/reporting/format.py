"""Statistics as text: a value with its 95 % interval, rates as percentages, counted nouns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

Stat = Mapping[str, Any]
"""A statistic as the metrics return it: ``value``, ``low``, ``high`` and ``n``."""

MISSING = "—"


def _number(value: float, percent: bool) -> str:
    return f"{value * 100:.1f}%" if percent else f"{value:.3f}"


def format_value(stat: Stat | None, percent: bool = True) -> str:
    """The statistic's value alone (``12.5%``, ``0.731``), or ``—`` when it has none."""
    if not stat or stat.get("value") is None:
        return MISSING
    return _number(stat["value"], percent)


def format_interval(stat: Stat | None, percent: bool = True) -> str:
    """The interval and count (``[8.1, 17.9] n=120``), or an empty string without a value."""
    if not stat or stat.get("value") is None:
        return ""
    low, high = (_number(stat[k], percent).rstrip("%") for k in ("low", "high"))
    return f"[{low}, {high}] n={stat['n']}"


def format_stat(stat: Stat | None, percent: bool = True) -> Markup:
    """The value, then its interval and count in a muted span (HTML, safe to embed)."""
    if not stat or stat.get("value") is None:
        return Markup(MISSING)
    return Markup('{} <span class="ci">{}</span>').format(
        format_value(stat, percent), format_interval(stat, percent)
    )


def format_percent(value: float | None, digits: int = 0) -> str:
    """A share as a percentage (``0.25`` → ``25%``), or ``—``."""
    return MISSING if value is None else f"{value:.{digits}%}"


def format_text(value: Any) -> Any:
    """A value as a cell shows it: ``—`` for None, anything else as it is (escaped)."""
    return MISSING if value is None else value


def plural(count: int, noun: str) -> str:
    """``1 file``, ``3 files``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
