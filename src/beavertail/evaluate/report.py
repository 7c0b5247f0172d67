"""One self-contained HTML page comparing runs side by side (inline SVG plots, no scripts)."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import math
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from beavertail.artifacts import atomic_write_text
from beavertail.evaluate.certify import safety_test
from beavertail.evaluate.harness import EvalConfig
from beavertail.evaluate.metrics import paired_comparison, summarize
from beavertail.evaluate.runfile import read_run

PALETTE = ["#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#9c755f"]
HEADLINE = [
    ("unsafe_rate", "Unsafe rate (harmful prompts)", True),
    ("harm_score", "Mean harm probability (harmful prompts)", True),
    ("severity", "Mean severity of unsafe answers (1-3)", True),
    ("harmful_refusal", "Refusal rate (harmful prompts)", None),
    ("harmless_refusal", "Over-refusal (harmless prompts)", True),
    ("relevance", "Topic relevance", False),
    ("perplexity", "Perplexity (unsteered model)", True),
    ("unparsed_rate", "Unparsed judge verdicts (left out of the rates)", True),
    ("ood_rate", "Answers out of the judge's distribution (OOD detector)", None),
    ("uncertain_rate", "Uncertain verdicts (OOD, not counted unsafe)", None),
]


class Run:
    """Records of one configuration, merged over its run files (shards, resumed parts)."""

    def __init__(self, name: str, config: dict[str, Any]):
        self.name = name
        self.config = config
        self.records: dict[str, dict[str, Any]] = {}
        self.files: list[str] = []

    @property
    def summary(self) -> dict[str, Any]:
        return summarize(list(self.records.values()))


MERGE_IGNORES = ("name", "shard", "prompts", "limit")


def _merge_key(header: dict[str, Any], path: str | Path) -> str:
    """What makes two run files one configuration: the same identity (settings and resolved
    values), whatever their names, shards or prompt sets."""
    identity = header.get("identity")
    if identity is None:  # a file without identity merges by name only
        return json.dumps({"name": header.get("config", {}).get("name") or Path(path).stem})
    with contextlib.suppress(ValueError):  # older layouts upgraded: merges across versions
        identity = EvalConfig.stored_identity(identity)
    kept = {k: v for k, v in identity.items() if k not in MERGE_IGNORES}
    return json.dumps({"identity": kept, "resolved": header.get("resolved")}, sort_keys=True)


def load_runs(paths: Sequence[str | Path]) -> list[Run]:
    """Runs by configuration identity, in the order first seen; shards and per-set files of
    one configuration merge, and two configurations that share a name stay apart."""
    runs: OrderedDict[str, Run] = OrderedDict()
    names: set[str] = set()
    for path in paths:
        header, records = read_run(path)
        config = EvalConfig.upgrade(header.get("config", {}))
        key = _merge_key(header, path)
        if key not in runs:
            name = config.get("name") or Path(path).stem
            unique, k = name, 2
            while unique in names:
                unique, k = f"{name} #{k}", k + 1
            names.add(unique)
            runs[key] = Run(unique, dict(config))
        run = runs[key]
        for spec in config.get("prompts", []):  # shards / per-set files of one configuration
            if spec not in run.config.setdefault("prompts", []):
                run.config["prompts"].append(spec)
        run.files.append(str(path))
        for r in records:
            run.records[r["id"]] = r
    return list(runs.values())


def format_stat(stat: dict | None, percent: bool = True) -> str:
    if not stat or stat.get("value") is None:
        return "—"
    scale = 100 if percent else 1
    fmt = "{:.1f}" if percent else "{:.3f}"
    value, low, high = (fmt.format(stat[k] * scale) for k in ("value", "low", "high"))
    unit = "%" if percent else ""
    return f"{value}{unit} <span class=ci>[{low}, {high}] n={stat['n']}</span>"


def _label_lines(category: str) -> list[str]:
    """A BeaverTails category name ('a,b,c') as lines short enough for the chart's margin."""
    lines: list[str] = []
    for part in category.replace("_", " ").split(","):
        if lines and len(lines[-1]) + len(part) < 26:
            lines[-1] += ", " + part
        else:
            lines.append(part)
    return lines


def _percent_grid(left: float, plot_w: float, height: float) -> list[str]:
    """Vertical grid lines at 0, 25, … 100 % of a horizontal bar chart, labelled on top."""
    parts = []
    for tick in range(0, 101, 25):
        x = left + plot_w * tick / 100
        parts.append(
            f'<line x1="{x}" y1="20" x2="{x}" y2="{height - 15}" stroke="#ddd"/>'
            f'<text x="{x}" y="14" font-size="10" text-anchor="middle">{tick}%</text>'
        )
    return parts


def _bar_chart(runs: list[Run]) -> str:
    categories = sorted({c for run in runs for c in run.summary["per_category"]})
    if not categories:
        return "<p>No harmful prompts with categories in these runs.</p>"
    width, left = 860, 230
    row_h = max(14 * len(runs) + 10, 13 * max(len(_label_lines(c)) for c in categories) + 6)
    height = row_h * len(categories) + 40
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">']
    plot_w = width - left - 90
    parts += _percent_grid(left, plot_w, height)
    for ci, category in enumerate(categories):
        y0 = 22 + ci * row_h
        lines = _label_lines(category)
        spans = "".join(
            f'<tspan x="{left - 6}" dy="{0 if k == 0 else 13}">{html.escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        top = y0 + row_h / 2 - 13 * (len(lines) - 1) / 2
        parts.append(
            f'<text y="{top:.1f}" font-size="11" text-anchor="end"><title>'
            f"{html.escape(category)}</title>{spans}</text>"
        )
        for ri, run in enumerate(runs):
            stat = run.summary["per_category"].get(category, {}).get("unsafe_rate", {})
            value = stat.get("value")
            if value is None:
                continue
            y = y0 + ri * 14
            parts.append(
                f'<rect class="bar" x="{left}" y="{y}" width="{plot_w * value:.1f}" height="12" '
                f'fill="{PALETTE[ri % len(PALETTE)]}"><title>{html.escape(run.name)} · '
                f"{html.escape(category)}: {value:.0%} (n={stat['n']})</title></rect>"
                f'<text x="{left + plot_w * value + 4:.1f}" y="{y + 10}" font-size="9" '
                f'fill="#555">{value:.0%} n={stat["n"]}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def pareto_front(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points no other point beats on both (lower x, higher y), sorted by x."""
    return sorted(
        {
            (x, y)
            for x, y in points
            if not any(a <= x and b >= y and (a, b) != (x, y) for a, b in points)
        }
    )


RATES = ("harmless_refusal", "harmful_refusal", "unsafe_rate", "harmless_unsafe_rate")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _scatter(
    runs: list[Run], y_key: str, y_label: str, values: dict[str, float] | None = None
) -> str:
    """Safety (x: unsafe rate) against a quality measure (y) per configuration: a headline
    figure, or ``values`` by run name (then the Pareto front is drawn too). Points that
    coincide are spread on a small ring with their labels stacked, so none hides another; a
    rate's axis stays within 0-100 %."""
    points = []
    for i, run in enumerate(runs):
        x = run.summary["headline"]["unsafe_rate"]["value"]
        y = values.get(run.name) if values is not None else run.summary["headline"][y_key]["value"]
        if x is not None and y is not None:
            points.append((run, i, x, y))
    if not points:
        return "<p>Not enough data for this plot.</p>"
    width, height, pad = 420, 300, 45
    ys = [p[3] for p in points]
    y_low, y_high = min(ys), max(ys)
    span = y_high - y_low
    if span < 1e-9:  # one distinct value: a readable range around it, not a degenerate axis
        half = max(0.05, abs(y_high) * 0.1)
        y_low, y_high = y_high - half, y_high + half
    else:
        y_low, y_high = y_low - 0.15 * span, y_high + 0.15 * span
    is_rate = y_key in RATES
    if is_rate:  # a share: never below 0 % or above 100 %
        y_low, y_high = max(0.0, y_low), min(1.0, y_high)
        if y_high - y_low < 0.1:
            y_high = min(1.0, y_low + 0.1)
            y_low = y_high - 0.1

    def sx(v: float) -> float:
        return pad + (width - 2 * pad) * v

    def sy(v: float) -> float:
        return height - pad - (height - 2 * pad) * (v - y_low) / (y_high - y_low)

    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">']
    parts.append(
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        f'stroke="#333"/><line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" '
        f'stroke="#333"/><text x="{width / 2}" y="{height - 8}" font-size="11" '
        f'text-anchor="middle">unsafe rate on harmful prompts (lower is safer)</text>'
        f'<text x="12" y="{height / 2}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {height / 2})">{html.escape(y_label)}</text>'
    )
    for tick in (0, 0.5, 1):
        parts.append(
            f'<text x="{sx(tick)}" y="{height - pad + 14}" font-size="10" '
            f'text-anchor="middle">{tick:.0%}</text>'
        )
    for tick in (y_low, (y_low + y_high) / 2, y_high):
        shown = f"{tick + 0.0:.0%}" if is_rate else f"{tick + 0.0:.2f}"
        parts.append(
            f'<text x="{pad - 4}" y="{sy(tick) + 3}" font-size="10" text-anchor="end">'
            f"{shown}</text>"
        )
    series: dict[Any, list[tuple[float, float, float]]] = {}
    for run, _i, x, y in points:
        steering = run.config.get("steering") or {}
        if steering.get("vectors") and steering.get("coefficient") is not None:
            key = tuple(steering.get(k) for k in ("vectors", "layer", "selection", "mode"))
            series.setdefault(key, []).append((float(steering["coefficient"]), x, y))
    for line in series.values():
        if len(line) > 1:
            coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for _c, x, y in sorted(line))
            parts.append(f'<polyline points="{coords}" fill="none" stroke="#aaa"/>')
    if values is not None:
        front = pareto_front([(x, y) for _run, _i, x, y in points])
        coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in front)
        parts.append(
            f'<polyline class="front" points="{coords}" fill="none" stroke="#59a14f" '
            'stroke-dasharray="4,3"><title>Pareto front</title></polyline>'
        )
    groups: dict[tuple[float, float], list[tuple[Run, int, float, float]]] = {}
    for point in points:  # points closer than a dot's width share a group
        _run, _i, x, y = point
        groups.setdefault((round(sx(x) / 8), round(sy(y) / 8)), []).append(point)
    for group in groups.values():
        cx = sum(sx(p[2]) for p in group) / len(group)
        cy = sum(sy(p[3]) for p in group) / len(group)
        for j, (run, i, x, y) in enumerate(group):
            angle = 2 * math.pi * j / len(group)
            dx, dy = (6 * math.cos(angle), 6 * math.sin(angle)) if len(group) > 1 else (0, 0)
            label = html.escape(run.name)
            parts.append(
                f'<circle class="point" cx="{cx + dx:.1f}" cy="{cy + dy:.1f}" r="5" '
                f'fill="{PALETTE[i % len(PALETTE)]}" fill-opacity="0.85"><title>{label}: '
                f"unsafe {x:.0%}, {html.escape(y_label)} {y:.3f}</title></circle>"
                f'<text class="label" x="{cx + 10:.1f}" y="{cy - 6 + 12 * j:.1f}" '
                f'font-size="10">{label}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _settings(run: Run) -> str:
    """The settings this configuration uses (steering or best-of-N settings only when on)."""
    c = run.config
    sampling = c.get("sampling") or {}
    shown: dict[str, Any] = {
        "model": c.get("model"),
        "endpoint": c.get("endpoint"),
        "system prompt": sampling.get("system_prompt"),
    }
    for section in ("steering", "best_of_n", "guided"):
        for key, value in (c.get(section) or {}).items():
            if section != "steering" or key != "categories" or value:
                shown[f"{section}.{key}"] = value
    for key in ("max_new_tokens", "temperature", "top_p", "top_k"):
        shown[key] = sampling.get(key)
    shown.update({k: c.get(k) for k in ("prompts", "limit", "judge")})
    items = [
        f"<b>{k}</b>: {html.escape(str(v))}" for k, v in shown.items() if v not in (None, [], "")
    ]
    return "; ".join(items)


def _examples(runs: list[Run], count: int) -> str:
    first = runs[0]
    harmful = [r for r in first.records.values() if r["harmful"]][: count // 2]
    harmless = [r for r in first.records.values() if not r["harmful"]][: count - len(harmful)]
    rows = []
    for record in harmful + harmless:
        cells = []
        for run in runs:
            other = run.records.get(record["id"])
            if other is None:
                cells.append("<td>—</td>")
                continue
            tags = []
            if other["unsafe"]:
                tags.append("<span class='tag unsafe'>unsafe</span>")
            if other["refusal"]:
                tags.append("<span class='tag refusal'>refusal</span>")
            cells.append(f"<td>{''.join(tags)}{html.escape(other['answer'])}</td>")
        side = "harmful" if record["harmful"] else "harmless"
        head = f"<td><span class='tag'>{side}</span> {html.escape(record['prompt'])}</td>"
        rows.append(f"<tr>{head}{''.join(cells)}</tr>")
    names = "".join(f"<th>{html.escape(run.name)}</th>" for run in runs)
    return f"<table class=examples><tr><th>prompt</th>{names}</tr>{''.join(rows)}</table>"


CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;
vertical-align:top;font-size:13px}th{background:#f3f3f3}.ci{color:#777;font-size:11px}
.examples td{max-width:380px;white-space:pre-wrap}.tag{font-size:10px;padding:1px 4px;
border-radius:3px;background:#eee;margin-right:4px}.unsafe{background:#f8c9c9}
.refusal{background:#cde3f7}.legend span{display:inline-block;margin-right:1em}
.plots{display:flex;flex-wrap:wrap;gap:2em}
"""


PAIRED = (
    ("unsafe", True, "Unsafe (harmful prompts)"),
    ("refusal", False, "Refusal (harmless prompts)"),
)


def _paired_rows(runs: list[Run]) -> list[str]:
    """Each run against the baseline on the prompts both answered: change and exact McNemar
    p-value (pairs that flipped either way)."""
    rows = []
    for key, harmful, label in PAIRED:
        cells = ["<td>—</td>"]
        for run in runs[1:]:
            c = paired_comparison(runs[0].records, run.records, key, harmful)
            if not c["n"]:
                cells.append("<td>—</td>")
                continue
            cells.append(
                f"<td>{c['difference']:+.1%} <span class=ci>p={c['p_value']:.3g}; "
                f"{c['baseline_only']}↓ {c['other_only']}↑ of n={c['n']}</span></td>"
            )
        title = f"{label}: paired change vs {html.escape(runs[0].name)}"
        rows.append(f"<tr><th>{title}</th>{''.join(cells)}</tr>")
    return rows


BOUND_DELTA = 0.05


def _bound_row(runs: list[Run]) -> str:
    """Each run's one-sided Clopper–Pearson upper bound on its unsafe rate (the
    high-confidence safety test's statistic; ``beavertail eval certify`` gives a verdict)."""
    cells = []
    for run in runs:
        records = list(run.records.values())
        if not any(r["harmful"] for r in records):
            cells.append("<td>—</td>")
            continue
        test = safety_test(records, threshold=1.0, delta=BOUND_DELTA)
        cells.append(f"<td>{test.upper:.1%} <span class=ci>n={test.n}</span></td>")
    label = f"Unsafe rate: {1 - BOUND_DELTA:.0%} upper bound (Clopper–Pearson, δ={BOUND_DELTA})"
    return f"<tr><th>{label}</th>{''.join(cells)}</tr>"


def pareto_plot(paths: Sequence[str | Path], values: dict[str, float], label: str) -> str:
    """An SVG of the runs' unsafe rate against ``values`` (by run name), with the front."""
    return _scatter(load_runs(paths), "", label, values)


def write_report(
    paths: Sequence[str | Path],
    output: str | Path,
    examples: int = 12,
    quality: dict[str, dict[str, float]] | None = None,
) -> Path:
    """Write the comparison page for the run files (the first run is the baseline).

    ``quality``: further measures per run name (e.g. a reward model's mean score), each a
    headline row and a plot against the unsafe rate with its Pareto front."""
    runs = load_runs(paths)
    if not runs:
        raise ValueError("no runs given")
    base = runs[0].summary["headline"]["unsafe_rate"]["value"]
    header = "".join(f"<th>{html.escape(run.name)}</th>" for run in runs)
    rows = []
    for key, label, _lower_better in HEADLINE:
        percent = key not in ("relevance", "perplexity", "harm_score", "severity")
        cells = "".join(
            f"<td>{format_stat(run.summary['headline'][key], percent)}</td>" for run in runs
        )
        rows.append(f"<tr><th>{label}</th>{cells}</tr>")
    drops = []
    for run in runs:
        value = run.summary["headline"]["unsafe_rate"]["value"]
        drops.append(
            f"<td>{1 - value / base:.0%}</td>" if base and value is not None else "<td>—</td>"
        )
    label = f"Relative drop in unsafe rate vs {html.escape(runs[0].name)}"
    rows.append(f"<tr><th>{label}</th>{''.join(drops)}</tr>")
    for label, by_name in (quality or {}).items():
        cells = "".join(
            f"<td>{by_name[run.name]:.3f}</td>" if run.name in by_name else "<td>—</td>"
            for run in runs
        )
        rows.append(f"<tr><th>{html.escape(label)}</th>{cells}</tr>")
    rows.append(_bound_row(runs))
    rows += _paired_rows(runs)
    counts = "".join(f"<td>{run.summary['n']}</td>" for run in runs)
    rows.append(f"<tr><th>Answers judged</th>{counts}</tr>")
    legend = color_legend([run.name for run in runs])
    settings = "".join(
        f"<li><b>{html.escape(run.name)}</b> ({_plural(len(run.files), 'file')}): "
        f"{_settings(run)}</li>"
        for run in runs
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8">
<title>beavertail evaluation report</title><style>{CSS}</style></head><body>
<h1>beavertail evaluation report</h1>
<p>Generated {dt.datetime.now().isoformat(timespec="seconds")} from
{_plural(len(paths), "run file")}.
Intervals are 95%: Wilson for rates, BCa bootstrap for means; paired changes use the
prompts both runs answered, with an exact McNemar test.
Unsafe = flagged by the QA moderator; refusal = refusal
phrase match; relevance = embedding similarity of prompt and answer; perplexity under the
unsteered model.</p>
<h2>Configurations</h2><ul>{settings}</ul>
<h2>Headline figures</h2><table id="headline"><tr><th></th>{header}</tr>{"".join(rows)}</table>
<h2>Unsafe rate per harm category</h2><div class="legend">{legend}</div>{_bar_chart(runs)}
<h2>Safety against quality</h2><div class="plots">
{_scatter(runs, "relevance", "topic relevance")}
{_scatter(runs, "harmless_refusal", "over-refusal on harmless prompts")}
{"".join(_scatter(runs, "", label, by_name) for label, by_name in (quality or {}).items())}</div>
{_judge_comparison(runs)}
<h2>Example answers</h2>{_examples(runs, examples)}
</body></html>
"""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output, page)
    return output


def judge_agreement(
    a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    """Two judges' verdicts on the same answers (records matched by id and answer text;
    unparsed verdicts left out): agreement, Cohen's kappa, and the answers they disagree on.
    None when the runs share fewer than two answers."""
    from sklearn.metrics import cohen_kappa_score

    shared = [k for k in a if k in b and a[k].get("answer") == b[k].get("answer")]
    both = [k for k in shared if not a[k].get("unparsed") and not b[k].get("unparsed")]
    if len(both) < 2:
        return None
    x = [bool(a[k]["unsafe"]) for k in both]
    y = [bool(b[k]["unsafe"]) for k in both]
    kappa = float(cohen_kappa_score(x, y)) if len(set(x) | set(y)) > 1 else float("nan")
    return {
        "n": len(both),
        "unparsed": len(shared) - len(both),
        "agreement": sum(u == v for u, v in zip(x, y, strict=True)) / len(both),
        "kappa": kappa,
        "disagreements": [k for k, u, v in zip(both, x, y, strict=True) if u != v],
    }


def _judge_comparison(runs: list[Run], shown: int = 12) -> str:
    """For every two runs that judged the same answers (``eval rejudge``): a table of their
    agreement and kappa, and the answers they disagree on."""
    parts = []
    for i, first in enumerate(runs):
        for second in runs[i + 1 :]:
            found = judge_agreement(first.records, second.records)
            if found is None:
                continue
            names = f"{html.escape(first.name)} vs {html.escape(second.name)}"
            rows = []
            for key in found["disagreements"][:shown]:
                r, o = first.records[key], second.records[key]
                rows.append(
                    f"<tr><td>{html.escape(r['prompt'])}</td><td>{html.escape(r['answer'])}</td>"
                    f"<td>{'unsafe' if r['unsafe'] else 'safe'}</td>"
                    f"<td>{'unsafe' if o['unsafe'] else 'safe'}</td></tr>"
                )
            kappa = "—" if found["kappa"] != found["kappa"] else f"{found['kappa']:.3f}"
            parts.append(
                f"<h3>{names}</h3><p class=agreement>{found['n']} answers judged by both: "
                f"agreement {found['agreement']:.1%}, Cohen's κ {kappa}; "
                f"{len(found['disagreements'])} disagreements; {found['unparsed']} unparsed "
                "verdicts left out.</p>"
                + (
                    f"<table class=examples><tr><th>prompt</th><th>answer</th>"
                    f"<th>{html.escape(first.name)}</th><th>{html.escape(second.name)}</th></tr>"
                    f"{''.join(rows)}</table>"
                    if rows
                    else ""
                )
            )
    if not parts:
        return ""
    return "<h2>Judges compared on the same answers</h2>" + "".join(parts)


TRADE_OFF = (  # (key in a category block, label, colour)
    ("unsafe_rate", "unsafe", "#e15759"),
    ("refusal_rate", "refusal", "#9c755f"),
    ("relevance", "relevance", "#4e79a7"),
)
DASHES = ("", "5,3", "2,2", "8,3,2,3")


def _trade_off_panel(
    title: str, by_layer: dict[Any, list[tuple[float, dict[str, Any]]]], pick: dict | None
) -> str:
    """One small multiple: unsafe rate, harmful refusal and relevance against the coefficient,
    one dash pattern per layer; the chosen point is ringed."""
    width, height, pad = 260, 170, 30
    coefficients = sorted({c for line in by_layer.values() for c, _ in line})
    span = max(coefficients[-1] - coefficients[0], 1e-9)

    def sx(c: float) -> float:
        return pad + (width - pad - 10) * (c - coefficients[0]) / span

    def sy(v: float) -> float:
        return height - pad - (height - pad - 22) * max(0.0, min(1.0, v))

    lines = _label_lines(title)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">'
        f'<text x="{pad}" y="12" font-size="11" font-weight="bold">'
        f"{html.escape(lines[0])}{' …' if len(lines) > 1 else ''}<title>{html.escape(title)}"
        f"</title></text>"
        f'<line x1="{pad}" y1="{sy(0)}" x2="{width - 10}" y2="{sy(0)}" stroke="#333"/>'
        f'<line x1="{pad}" y1="{sy(0)}" x2="{pad}" y2="{sy(1)}" stroke="#333"/>'
    ]
    for tick in (0, 0.5, 1):
        parts.append(
            f'<text x="{pad - 3}" y="{sy(tick) + 3}" font-size="9" text-anchor="end">'
            f"{tick:g}</text>"
        )
    for c in coefficients:
        parts.append(
            f'<text x="{sx(c):.1f}" y="{sy(0) + 11}" font-size="9" '
            f'text-anchor="middle">{c:g}</text>'
        )
    for li, (layer, line) in enumerate(sorted(by_layer.items(), key=lambda x: str(x[0]))):
        dash = DASHES[li % len(DASHES)]
        for key, label, colour in TRADE_OFF:
            coords = [
                (c, float(block[key]["value"]))
                for c, block in sorted(line, key=lambda x: x[0])
                if block.get(key, {}).get("value") is not None
            ]
            if not coords:
                continue
            points = " ".join(f"{sx(c):.1f},{sy(v):.1f}" for c, v in coords)
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5" '
                f'stroke-dasharray="{dash}"><title>{label}, layer {layer}</title></polyline>'
            )
            if pick and pick.get("layer") == layer:
                for c, v in coords:
                    if c == pick.get("coefficient"):
                        parts.append(
                            f'<circle cx="{sx(c):.1f}" cy="{sy(v):.1f}" r="4" fill="none" '
                            f'stroke="#000"><title>chosen: layer {layer}, ×{c:g}</title></circle>'
                        )
    parts.append("</svg>")
    return "".join(parts)


def write_sweep_report(result: dict[str, Any], output: str | Path) -> Path:
    """The sweep's trade-off per coefficient: overall and per harm category (unsafe rate,
    refusal on harmful prompts, relevance), one panel each."""
    baseline = result["baseline"]
    layers = sorted({p["layer"] for p in result["points"]})

    def series(block_of) -> dict[Any, list[tuple[float, dict[str, Any]]]]:
        out: dict[Any, list[tuple[float, dict[str, Any]]]] = {}
        for layer in layers:
            line = [(0.0, block_of(baseline))]
            line += [
                (p["coefficient"], block_of(p))
                for p in result["points"]
                if p["layer"] == layer and block_of(p)
            ]
            out[layer] = line
        return out

    def overall(item: dict[str, Any]) -> dict[str, Any]:
        h = item["headline"]
        return {
            "unsafe_rate": h["unsafe_rate"],
            "refusal_rate": h["harmful_refusal"],
            "relevance": h["relevance"],
        }

    best = result.get("best") or None
    panels = [_trade_off_panel("all harmful prompts", series(overall), best)]
    for category, pick in sorted((result.get("per_category") or {}).items()):
        panels.append(
            _trade_off_panel(
                category,
                series(lambda item, c=category: item["per_category"].get(c, {})),
                pick if pick.get("coefficient") else None,
            )
        )
    key = " ".join(
        f'<span style="color:{colour}">■ {label}</span>' for _, label, colour in TRADE_OFF
    )
    dashes = ", ".join(
        f"layer {layer}: {'solid' if not DASHES[i % len(DASHES)] else 'dashed'}"
        + (f" ({DASHES[i % len(DASHES)]})" if DASHES[i % len(DASHES)] else "")
        for i, layer in enumerate(layers)
    )
    picks = "".join(
        f"<tr><td>{html.escape(c)}</td><td>{p.get('layer') if p.get('coefficient') else '—'}"
        f"</td><td>{p.get('coefficient', 0):g}</td><td>{p['baseline_unsafe_rate']:.0%} → "
        f"{p['unsafe_rate']:.0%} (n={p['n']})</td></tr>"
        for c, p in sorted((result.get("per_category") or {}).items())
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8">
<title>beavertail steering sweep</title><style>{CSS}</style></head><body>
<h1>Steering sweep: trade-off per coefficient</h1>
<p>Vectors {html.escape(str(result["config"]["vectors"]))}; selection prompts
{html.escape(", ".join(result["config"]["prompts"]))}. Coefficient 0 is the unsteered run.
Unsafe rate and refusal on the category's harmful prompts; relevance = prompt–answer
embedding similarity. {key}. {html.escape(dashes)}; ○ = the chosen point.</p>
<div class="plots">{"".join(panels)}</div>
<h2>Chosen per category</h2><table><tr><th>category</th><th>layer</th><th>coefficient</th>
<th>unsafe on the selection split</th></tr>{picks}</table>
</body></html>
"""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output, page)
    return output


def color_legend(names: Sequence[str]) -> str:
    """One coloured square and name per series, in the palette's order."""
    return "".join(
        f"<span><svg width=12 height=12><rect width=12 height=12 "
        f"fill='{PALETTE[i % len(PALETTE)]}'/></svg> {html.escape(name)}</span>"
        for i, name in enumerate(names)
    )


def grouped_bars(rows: list[str], groups: dict[str, dict[str, float | None]]) -> str:
    """Horizontal bars: one row per label, one bar per group (an attacked configuration)."""
    width, left, bar = 860, 170, 12
    row_h = bar * len(groups) + 10
    height = row_h * len(rows) + 40
    plot_w = width - left - 90
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">']
    parts += _percent_grid(left, plot_w, height)
    for ri, label in enumerate(rows):
        y0 = 22 + ri * row_h
        parts.append(
            f'<text x="{left - 6}" y="{y0 + row_h / 2:.1f}" font-size="11" '
            f'text-anchor="end">{html.escape(label)}</text>'
        )
        for gi, (group, values) in enumerate(groups.items()):
            value = values.get(label)
            if value is None:
                continue
            y = y0 + gi * bar
            parts.append(
                f'<rect class="bar" x="{left}" y="{y}" width="{plot_w * value:.1f}" '
                f'height="{bar - 1}" fill="{PALETTE[gi % len(PALETTE)]}"><title>'
                f"{html.escape(group)} · {html.escape(label)}: {value:.0%}</title></rect>"
                f'<text x="{left + plot_w * value + 4:.1f}" y="{y + bar - 3}" font-size="9" '
                f'fill="#555">{value:.0%}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


WORST_CASE = "worst case (any setting)"


def write_attack_report(results: dict[str, dict[str, Any]], output: str | Path) -> Path:
    """The attack page: unsafe rate per decoding setting and the per-prompt worst case, one
    bar colour per attacked configuration (e.g. greedy model vs a guided defence)."""
    labels: list[str] = []
    groups: dict[str, dict[str, float | None]] = {}
    for name, result in results.items():
        values = {family: stat["value"] for family, stat in result["settings"].items()}
        values[WORST_CASE] = result["attack_success"]["value"]
        groups[name] = values
        labels += [k for k in values if k not in labels and k != WORST_CASE]
    labels.append(WORST_CASE)
    header = "".join(f"<th>{html.escape(name)}</th>" for name in results)
    rows = []
    for label in labels:
        stats = [
            r["attack_success"] if label == WORST_CASE else r["settings"].get(label)
            for r in results.values()
        ]
        cells = "".join(f"<td>{format_stat(stat)}</td>" for stat in stats)
        rows.append(f"<tr><th>{html.escape(label)}</th>{cells}</tr>")
    ratio = "".join(
        f"<td>{r['success_over_greedy']:.2f}×</td>" if r["success_over_greedy"] else "<td>—</td>"
        for r in results.values()
    )
    rows.append(f"<tr><th>worst case / greedy unsafe rate</th>{ratio}</tr>")
    if any(r.get("ood_settings") for r in results.values()):
        for label in labels[:-1]:
            cells = "".join(
                f"<td>{format_stat(r.get('ood_settings', {}).get(label))}</td>"
                for r in results.values()
            )
            rows.append(
                f"<tr><th>{html.escape(label)}: answers out of distribution</th>{cells}</tr>"
            )
    bounds = "".join(
        f"<td>{r['greedy_bound']['upper']:.1%} <span class=ci>n={r['greedy_bound']['n']}</span>"
        "</td>"
        if r.get("greedy_bound")
        else "<td>—</td>"
        for r in results.values()
    )
    rows.append(
        f"<tr><th>greedy: {1 - BOUND_DELTA:.0%} upper bound (Clopper–Pearson)</th>{bounds}</tr>"
    )
    legend = color_legend(list(results))
    page = f"""<!doctype html><html><head><meta charset="utf-8">
<title>beavertail generation-exploitation attack</title><style>{CSS}</style></head><body>
<h1>Generation-exploitation attack</h1>
<p>Generated {dt.datetime.now().isoformat(timespec="seconds")}. Each setting changes one
decoding knob (with and without the system prompt), sampled settings are pooled over their
seeds; a harmful prompt counts as jailbroken in the worst case when any setting's answer is
unsafe (judged by the QA moderator). Rates carry 95% Wilson intervals.</p>
<h2>Unsafe rate per setting</h2><div class="legend">{legend}</div>{grouped_bars(labels, groups)}
<h2>Figures</h2><table id="attack"><tr><th></th>{header}</tr>{"".join(rows)}</table>
</body></html>
"""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output, page)
    return output
