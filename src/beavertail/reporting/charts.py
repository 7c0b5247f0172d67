"""Charts as SVG, drawn by matplotlib on an Agg canvas with the text kept as text.

Every function returns a :class:`Chart`: a standalone SVG document (it starts with ``<svg``
and declares its namespace) that a page embeds inline and a script may save as a file. The
artists a reader (or a test) looks for carry ids: ``bar-S-R``, ``point-I``, ``label-I``,
``pareto-front``, ``line-NAME``, ``chosen-I`` and ``threshold``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beavertail.artifacts import atomic_write_text
from beavertail.reporting.style import FRONT, MUTED, colour

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays text: searchable, and escaped by matplotlib
    "svg.hashsalt": "beavertail",  # the same chart gives the same file
    "text.parse_math": False,  # a '$' in a run name is a dollar sign, not mathtext
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 8,
    "axes.titlesize": 8.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 8,
    "axes.edgecolor": "#333333",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.unicode_minus": False,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "lines.linewidth": 1.5,
}
NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
WIDE = 8.6  # inches (96 px each in a browser): a chart as wide as a page's table
GRID = "#dddddd"


@dataclass(frozen=True)
class Chart:
    """One chart as an SVG document; a Jinja2 page embeds it as it is (``__html__``)."""

    svg: str

    def __html__(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.svg

    def save(self, path: str | Path) -> Path:
        """Write the chart as an ``.svg`` file (atomically)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, self.svg + "\n")
        return path


def render(draw: Callable[[Figure], None], size: tuple[float, float]) -> Chart:
    """Run ``draw`` on a fresh figure of ``size`` inches (house style, constrained layout)
    and return its SVG. No pyplot state: safe beside an interactive session."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(RC):
        figure = Figure(figsize=size, layout="constrained")
        FigureCanvasAgg(figure)
        draw(figure)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata=NO_METADATA)
    text = buffer.getvalue()
    return Chart(text[text.index("<svg") :].strip())


def wrap_label(text: str, width: int = 26) -> str:
    """A category name (``a_b,c_d``) on lines of about ``width`` characters, cut at commas."""
    lines: list[str] = []
    for part in text.replace("_", " ").split(","):
        if lines and len(lines[-1]) + len(part) < width:
            lines[-1] += ", " + part
        else:
            lines.append(part)
    return "\n".join(lines)


def _percent_axis(axis: Any, ticks: Sequence[float] | None = None) -> None:
    from matplotlib.ticker import FixedLocator, MaxNLocator, PercentFormatter

    axis.set_major_locator(FixedLocator(list(ticks)) if ticks is not None else MaxNLocator(5))
    axis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def _number_axis(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(5))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{round(v, 2) + 0.0:.2f}"))


# -- bars ------------------------------------------------------------------------------------
def bar_chart(
    rows: Sequence[str],
    series: Mapping[str, Mapping[str, float | None]],
    counts: Mapping[str, Mapping[str, int]] | None = None,
) -> Chart:
    """Rates as horizontal bars on 0–100 %: one row per label (wrapped at its commas), one
    bar per series in the palette's order, each marked with its value (and ``counts``' n).
    Series ``s``'s bar in row ``r`` has the id ``bar-s-r``."""
    labels = [wrap_label(row) for row in rows]
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    row_height = max(0.17 * len(series) + 0.1, 0.15 * lines + 0.08)

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        bar = 0.8 / max(len(series), 1)
        for s, (name, values) in enumerate(series.items()):
            for r, row in enumerate(rows):
                value = values.get(row)
                if value is None:
                    continue
                y = r - 0.4 + bar * (s + 0.5)
                ax.barh(y, value, height=bar * 0.9, color=colour(s))[0].set_gid(f"bar-{s}-{r}")
                n = (counts or {}).get(name, {}).get(row)
                text = f"{value:.0%}" + (f" n={n}" if n is not None else "")
                ax.annotate(
                    text, (value, y), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=6.5, color=MUTED,
                )  # fmt: skip
        ax.set_yticks(range(len(rows)), labels)
        ax.set_ylim(len(rows) - 0.5, -0.5)  # the first row on top
        ax.set_xlim(0, 1.2)  # room for the marks right of a full bar
        _percent_axis(ax.xaxis, (0, 0.25, 0.5, 0.75, 1))
        ax.xaxis.tick_top()
        ax.grid(axis="x", color=GRID)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        ax.spines[["bottom", "top", "right"]].set_visible(False)

    return render(draw, (WIDE, row_height * len(rows) + 0.5))


def histogram_chart(
    title: str,
    edges: Sequence[float],
    counts: Mapping[str, Sequence[int]],
    colours: Mapping[str, str],
    threshold: float | None = None,
) -> Chart:
    """Counts per bin, one bar per series side by side in each bin (series ``s``'s bar in bin
    ``b`` has the id ``bar-s-b``), and a dashed line at ``threshold`` (id ``threshold``) when
    it falls inside the bins."""
    bins = len(edges) - 1

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        share = 1 / max(len(counts), 1)
        for s, (label, values) in enumerate(counts.items()):
            for b in range(bins):
                width = (edges[b + 1] - edges[b]) * share
                patch = ax.bar(
                    edges[b] + s * width, values[b], width=width * 0.92, align="edge",
                    color=colours[label], label=label if b == 0 else None,
                )[0]  # fmt: skip
                patch.set_gid(f"bar-{s}-{b}")
        if threshold is not None and edges[0] < threshold < edges[-1]:
            line = ax.axvline(threshold, color="#333333", linestyle=(0, (3, 3)), linewidth=1)
            line.set_gid("threshold")
        ax.set_title(title)
        ax.set_xticks([edges[0], edges[bins // 2], edges[-1]])
        ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.2f}")
        ax.set_ylabel("answers")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=len(counts))

    return render(draw, (4.8, 2.6))


# -- points ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Point:
    """One labelled point of a scatter chart."""

    label: str
    x: float
    y: float
    colour: str


def pareto_front(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points no other point beats on both (lower x, higher y), sorted by x."""
    return sorted(
        {
            (x, y)
            for x, y in points
            if not any(a <= x and b >= y and (a, b) != (x, y) for a, b in points)
        }
    )


def _y_limits(
    ys: Sequence[float], rate: bool, scale: tuple[float, float] | None
) -> tuple[float, float]:
    """A readable range around the values; a bounded measure on its whole scale; a rate
    never below 0 % or above 100 %."""
    low, high = min(ys), max(ys)
    span = high - low
    if span < 1e-9:  # one distinct value: a range around it, not a degenerate axis
        half = max(0.05, abs(high) * 0.1)
        low, high = high - half, high + half
    else:
        low, high = low - 0.15 * span, high + 0.15 * span
    if scale is not None:  # small gaps on a bounded scale look small
        low, high = min(scale[0], min(ys)), max(scale[1], max(ys))
    if rate:
        low, high = max(0.0, low), min(1.0, high)
        if high - low < 0.1:
            high = min(1.0, low + 0.1)
            low = high - 0.1
    return low, high


def scatter_chart(
    points: Sequence[Point],
    x_label: str,
    y_label: str,
    *,
    y_rate: bool = False,
    y_scale: tuple[float, float] | None = None,
    lines: Sequence[Sequence[tuple[float, float]]] = (),
    front: bool = False,
) -> Chart:
    """``y`` against ``x`` (a rate, 0–100 %) per labelled point. ``lines`` join related points
    (grey); ``front`` draws the Pareto front (lower x, higher y; dashed, id ``pareto-front``).
    Points that coincide are spread on a small ring with their labels stacked, so none hides
    another. Point ``i`` has the id ``point-i``, its label ``label-i``."""
    from matplotlib.transforms import offset_copy

    low, high = _y_limits([p.y for p in points], y_rate, y_scale)

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        for line in lines:
            ax.plot(*zip(*line, strict=True), color="#aaaaaa", linewidth=1, zorder=1)
        if front:
            xs, ys = zip(*pareto_front([(p.x, p.y) for p in points]), strict=True)
            (drawn,) = ax.plot(
                xs, ys, color=FRONT, linestyle=(0, (4, 3)), linewidth=1.2, label="Pareto front"
            )
            drawn.set_gid("pareto-front")
            ax.legend(loc="lower left", bbox_to_anchor=(0, 1), borderaxespad=0)
        groups: dict[tuple[int, int], list[int]] = {}
        for i, p in enumerate(points):  # points closer than a dot's width share a group
            cell = (round(p.x * 40), round((p.y - low) / (high - low) * 26))
            groups.setdefault(cell, []).append(i)
        for members in groups.values():
            cx = sum(points[i].x for i in members) / len(members)
            cy = sum(points[i].y for i in members) / len(members)
            for j, i in enumerate(members):
                angle = 2 * math.pi * j / len(members)
                dx, dy = (4 * math.cos(angle), 4 * math.sin(angle)) if len(members) > 1 else (0, 0)
                at = offset_copy(ax.transData, fig=figure, x=dx, y=dy, units="points")
                (dot,) = ax.plot(
                    [cx], [cy], "o", markersize=7, color=points[i].colour, alpha=0.85,
                    transform=at, clip_on=False, zorder=3,
                )  # fmt: skip
                dot.set_gid(f"point-{i}")
                ax.annotate(
                    points[i].label, (cx, cy), xytext=(8, 3 - 9 * j), textcoords="offset points",
                    fontsize=7, annotation_clip=False,
                ).set_gid(f"label-{i}")  # fmt: skip
        ax.set_xlim(0, 1)
        ax.set_ylim(low, high)
        _percent_axis(ax.xaxis, (0, 0.25, 0.5, 0.75, 1))
        if y_rate:
            _percent_axis(ax.yaxis)
        else:
            _number_axis(ax.yaxis)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.grid(color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)

    return render(draw, (4.4, 3.2))


# -- lines -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    """One series of a line chart; ``dash`` is an on-off pattern in points (empty: solid)."""

    label: str
    points: Sequence[tuple[float, float]]
    colour: str
    dash: tuple[float, ...] = ()
    markers: bool = False
    gid: str | None = None


def line_chart(
    lines: Sequence[Line],
    *,
    title: str = "",
    x_label: str = "",
    y_label: str = "",
    x_ticks: Sequence[float] | None = None,
    x_format: str = "{:g}",
    log_x: bool = False,
    y_limits: tuple[float, float] | None = None,
    y_ticks: Sequence[float] | None = None,
    y_percent: bool = False,
    marks: Sequence[tuple[float, float]] = (),
    legend: bool = False,
    size: tuple[float, float] = (2.8, 1.9),
) -> Chart:
    """Series as lines (with dots when ``markers``); ``marks`` ringed (ids ``chosen-i``);
    ``x_ticks`` shown with ``x_format``; a log x axis when ``log_x``."""

    def draw(figure: Figure) -> None:
        ax: Axes = figure.add_subplot()
        for line in lines:
            if not line.points:
                continue
            xs, ys = zip(*line.points, strict=True)
            (drawn,) = ax.plot(
                xs, ys, color=line.colour, marker="o" if line.markers else None, markersize=4,
                linestyle=(0, line.dash) if line.dash else "solid", label=line.label,
            )  # fmt: skip
            if line.gid:
                drawn.set_gid(line.gid)
        for k, (x, y) in enumerate(marks):
            (ring,) = ax.plot([x], [y], "o", markersize=8, markerfacecolor="none",
                              markeredgecolor="black", zorder=4)  # fmt: skip
            ring.set_gid(f"chosen-{k}")
        if log_x:
            ax.set_xscale("log")
        if x_ticks is not None:
            ax.set_xticks(list(x_ticks), [x_format.format(x) for x in x_ticks])
            ax.minorticks_off()
        if y_limits is not None:
            ax.set_ylim(*y_limits)
        if y_percent:
            _percent_axis(ax.yaxis, y_ticks)
        elif y_ticks is not None:
            ax.set_yticks(list(y_ticks), [f"{t:g}" for t in y_ticks])
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_title(title)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        if legend:
            ax.legend(loc="best")

    return render(draw, size)
