"""Reporting: HTML pages (Jinja2 templates, autoescaped), charts (matplotlib, SVG), the shared
style and statistics formatting, for every page any beavertail package writes.

It sits at the top of the layers beside ``data``: it imports no capability package, so
every package can use it. Page writers pass plain values (and charts) to a template::

    from beavertail.reporting import bar_chart, write_page

    write_page(out / "page.html", "influence.html", title=..., rows=...)
"""

from beavertail.reporting.charts import (
    Chart,
    Line,
    Point,
    bar_chart,
    histogram_chart,
    line_chart,
    pareto_front,
    render,
    scatter_chart,
    wrap_label,
)
from beavertail.reporting.format import (
    MISSING,
    format_interval,
    format_percent,
    format_stat,
    format_text,
    format_value,
    plural,
)
from beavertail.reporting.pages import environment, render_page, write_page
from beavertail.reporting.style import FRONT, PALETTE, SAFE, UNSAFE, colour, style_sheet

__all__ = [
    "FRONT",
    "MISSING",
    "PALETTE",
    "SAFE",
    "UNSAFE",
    "Chart",
    "Line",
    "Point",
    "bar_chart",
    "colour",
    "environment",
    "format_interval",
    "format_percent",
    "format_stat",
    "format_text",
    "format_value",
    "histogram_chart",
    "line_chart",
    "pareto_front",
    "plural",
    "render",
    "render_page",
    "scatter_chart",
    "style_sheet",
    "wrap_label",
    "write_page",
]
