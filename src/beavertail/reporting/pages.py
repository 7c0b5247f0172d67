"""HTML pages from the package's Jinja2 templates, with autoescape on for every value.

A value reaches a page escaped unless it is markup already: :func:`format_stat`'s output and
:class:`~beavertail.reporting.charts.Chart` (both implement ``__html__``). Templates extend
``base.html`` (the shared style sheet, title, body) and may import ``macros.html``.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from beavertail.artifacts import atomic_write_text
from beavertail.reporting.format import (
    format_percent,
    format_stat,
    format_text,
    format_value,
    plural,
)
from beavertail.reporting.style import colour


@cache
def environment() -> Environment:
    """The templates' environment: autoescape, strict undefined values, the format filters."""
    env = Environment(
        loader=PackageLoader("beavertail.reporting", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        stat=format_stat, value=format_value, percent=format_percent, text=format_text
    )
    env.globals.update(colour=colour, plural=plural)
    return env


def render_page(template: str, **context: Any) -> str:
    """The page ``template`` renders from ``context`` (``generated`` defaults to now)."""
    context.setdefault("generated", dt.datetime.now().isoformat(timespec="seconds"))
    return environment().get_template(template).render(**context)


def write_page(output: str | Path, template: str, **context: Any) -> Path:
    """Render ``template`` and write it to ``output`` atomically (folders made)."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output, render_page(template, **context))
    return output
