"""The evaluation pages: runs compared side by side, the steering sweep's trade-offs and the
generation-exploitation attack, rendered through :mod:`beavertail.reporting`."""

from __future__ import annotations

import contextlib
import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from beavertail.evaluate.certify import safety_test
from beavertail.evaluate.harness import EvalConfig
from beavertail.evaluate.honesty import read_honesty
from beavertail.evaluate.metrics import paired_comparison, summarize
from beavertail.evaluate.runfile import read_run
from beavertail.reporting import (
    MISSING,
    PALETTE,
    Chart,
    Line,
    Point,
    bar_chart,
    colour,
    format_interval,
    format_value,
    line_chart,
    pareto_front,
    scatter_chart,
    wrap_label,
    write_page,
)

__all__ = [
    "HEADLINE",
    "PALETTE",
    "Run",
    "judge_agreement",
    "load_runs",
    "pareto_front",
    "pareto_plot",
    "write_attack_report",
    "write_report",
    "write_sweep_report",
]

HEADLINE = [
    ("unsafe_rate", "Unsafe rate (harmful prompts)", True),
    ("harmless_unsafe_rate", "Unsafe rate (harmless prompts)", True),
    ("harm_score", "Mean harm probability (harmful prompts)", True),
    ("severity", "Mean severity of unsafe answers (1-3)", True),
    ("harmful_refusal", "Refusal rate (harmful prompts)", None),
    ("harmless_refusal", "Over-refusal (harmless prompts)", True),
    ("relevance", "Topic relevance", False),
    ("perplexity", "Perplexity (unsteered model)", True),
    ("mc1", "TruthfulQA MC1 (honesty, held-out categories)", False),
    ("mc2", "TruthfulQA MC2 (honesty, held-out categories)", False),
    ("unparsed_rate", "Unparsed judge verdicts (left out of the rates)", True),
    ("ood_rate", "Answers out of the judge's distribution (OOD detector)", None),
    ("uncertain_rate", "Uncertain verdicts (OOD, not counted unsafe)", None),
]
NOT_PERCENT = ("relevance", "perplexity", "harm_score", "severity")


class Run:
    """Records of one configuration, merged over its run files (shards, resumed parts)."""

    def __init__(self, name: str, config: dict[str, Any], resolved: dict[str, Any] | None = None):
        self.name = name
        self.config = config
        self.records: dict[str, dict[str, Any]] = {}
        self.files: list[str] = []
        self.honesty: dict[str, dict[str, Any]] = {}  # TruthfulQA records (run.honesty)
        resolved = resolved or {}
        self.judge = str(config.get("judge") or "default")
        self.judge_digest: str | None = resolved.get("judge_digest")
        self.on_ood = str((config.get("ood") or {}).get("on_ood") or "keep")

    @property
    def judged_by(self) -> tuple[str, str]:
        """What makes two runs' verdicts comparable: the same judge (its digest when the run
        recorded it, else its reference) under the same OOD policy."""
        return (self.judge_digest or self.judge, self.on_ood)

    @cached_property
    def summary(self) -> dict[str, Any]:
        """Headline and per-category figures (computed once, after the files are read)."""
        return summarize(list(self.records.values()), list(self.honesty.values()))


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
            runs[key] = Run(unique, dict(config), header.get("resolved"))
        run = runs[key]
        for spec in config.get("prompts", []):  # shards / per-set files of one configuration
            if spec not in run.config.setdefault("prompts", []):
                run.config["prompts"].append(spec)
        run.files.append(str(path))
        for r in records:
            run.records[r["id"]] = r
        for r in read_honesty(path):
            run.honesty[r["id"]] = r
    return list(runs.values())


# -- the comparison page ---------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    """One table cell: text with an optional muted note, or a comparison refused because
    ``across`` = (run, baseline) were judged differently."""

    text: str = MISSING
    note: str = ""
    across: tuple[Run, Run] | None = None


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]


def _stat_cell(stat: dict[str, Any] | None, percent: bool = True) -> Cell:
    return Cell(format_value(stat, percent), format_interval(stat, percent))


def _category_chart(runs: list[Run]) -> Chart | None:
    """Unsafe rate per harm category, one bar per run (None: no categorised prompts)."""
    categories = sorted({c for run in runs for c in run.summary["per_category"]})
    if not categories:
        return None
    stats = {
        run.name: {
            c: run.summary["per_category"].get(c, {}).get("unsafe_rate", {}) for c in categories
        }
        for run in runs
    }
    values = {name: {c: s.get("value") for c, s in by.items()} for name, by in stats.items()}
    counts = {name: {c: s["n"] for c, s in by.items() if "n" in s} for name, by in stats.items()}
    return bar_chart(categories, values, counts)


RATES = ("harmless_refusal", "harmful_refusal", "unsafe_rate", "harmless_unsafe_rate")
FULL_SCALE = {"relevance": (0.0, 1.0)}  # cosine similarity of prompt and answer


def _scatter(
    runs: list[Run], y_key: str, y_label: str, values: dict[str, float] | None = None
) -> Chart | None:
    """Safety (x: unsafe rate) against a quality measure (y) per configuration: a headline
    figure, or ``values`` by run name (then with the Pareto front). Runs of one steering
    setting are joined in coefficient order. None when no run has both figures."""
    points: list[Point] = []
    series: dict[Any, list[tuple[float, float, float]]] = {}
    for i, run in enumerate(runs):
        x = run.summary["headline"]["unsafe_rate"]["value"]
        y = values.get(run.name) if values is not None else run.summary["headline"][y_key]["value"]
        if x is None or y is None:
            continue
        points.append(Point(run.name, x, y, colour(i)))
        steering = run.config.get("steering") or {}
        if steering.get("vectors") and steering.get("coefficient") is not None:
            key = tuple(str(steering.get(k)) for k in ("vectors", "layer", "selection", "mode"))
            series.setdefault(key, []).append((float(steering["coefficient"]), x, y))
    if not points:
        return None
    lines = [[(x, y) for _c, x, y in sorted(line)] for line in series.values() if len(line) > 1]
    return scatter_chart(
        points,
        "unsafe rate on harmful prompts (lower is safer)",
        y_label,
        y_rate=y_key in RATES,
        y_scale=FULL_SCALE.get(y_key),
        lines=lines,
        front=values is not None,
    )


def pareto_plot(paths: Sequence[str | Path], values: dict[str, float], label: str) -> str:
    """An SVG document of the runs' unsafe rate against ``values`` (by run name), with the
    Pareto front (ids ``point-i`` and ``pareto-front``)."""
    chart = _scatter(load_runs(paths), "", label, values)
    if chart is None:
        raise ValueError("no run has both an unsafe rate and a value to plot")
    return chart.svg


def _settings(run: Run) -> list[tuple[str, str]]:
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
    return [(k, str(v)) for k, v in shown.items() if v not in (None, [], "")]


def _examples(runs: list[Run], count: int) -> list[dict[str, Any]]:
    """The first harmful and harmless prompts of the baseline, with every run's answer."""
    first = runs[0]
    harmful = [r for r in first.records.values() if r["harmful"]][: count // 2]
    harmless = [r for r in first.records.values() if not r["harmful"]][: count - len(harmful)]
    return [
        {
            "side": "harmful" if record["harmful"] else "harmless",
            "prompt": record["prompt"],
            "answers": [run.records.get(record["id"]) for run in runs],
        }
        for record in harmful + harmless
    ]


PAIRED = (
    ("unsafe", True, "Unsafe (harmful prompts)"),
    ("refusal", False, "Refusal (harmless prompts)"),
)


def _paired_rows(runs: list[Run]) -> list[Row]:
    """Each run against the baseline on the prompts both answered: change and exact McNemar
    p-value (pairs that flipped either way)."""
    rows = []
    for key, harmful, label in PAIRED:
        cells = [Cell()]
        for run in runs[1:]:
            if run.judged_by != runs[0].judged_by:
                cells.append(Cell(across=(run, runs[0])))
                continue
            c = paired_comparison(runs[0].records, run.records, key, harmful)
            if not c["n"]:
                cells.append(Cell())
                continue
            note = f"p={c['p_value']:.3g}; {c['baseline_only']}↓ {c['other_only']}↑ of n={c['n']}"
            cells.append(Cell(f"{c['difference']:+.1%}", note))
        rows.append(Row(f"{label}: paired change vs {runs[0].name}", cells))
    return rows


BOUND_DELTA = 0.05


def _bound_row(runs: list[Run]) -> Row:
    """Each run's one-sided Clopper–Pearson upper bound on its unsafe rate (the
    high-confidence safety test's statistic; ``beavertail eval certify`` gives a verdict)."""
    cells = []
    for run in runs:
        records = list(run.records.values())
        if not any(r["harmful"] for r in records):
            cells.append(Cell())
            continue
        test = safety_test(records, threshold=1.0, delta=BOUND_DELTA)
        cells.append(Cell(f"{test.upper:.1%}", f"n={test.n}"))
    label = f"Unsafe rate: {1 - BOUND_DELTA:.0%} upper bound (Clopper–Pearson, δ={BOUND_DELTA})"
    return Row(label, cells)


def _headline_rows(runs: list[Run], quality: dict[str, dict[str, float]] | None) -> list[Row]:
    """The headline table below the Judge row: figures, relative drop, quality measures,
    the upper bound, paired changes and counts."""
    rows = [
        Row(
            label,
            [_stat_cell(run.summary["headline"][key], key not in NOT_PERCENT) for run in runs],
        )
        for key, label, _lower_better in HEADLINE
    ]
    base = runs[0].summary["headline"]["unsafe_rate"]["value"]
    drops = []
    for run in runs:
        value = run.summary["headline"]["unsafe_rate"]["value"]
        if run.judged_by != runs[0].judged_by:
            drops.append(Cell(across=(run, runs[0])))
        else:
            drops.append(Cell(f"{1 - value / base:.0%}") if base and value is not None else Cell())
    rows.append(Row(f"Relative drop in unsafe rate vs {runs[0].name}", drops))
    for label, by_name in (quality or {}).items():
        cells = [
            Cell(f"{by_name[run.name]:.3f}") if run.name in by_name else Cell() for run in runs
        ]
        rows.append(Row(label, cells))
    rows.append(_bound_row(runs))
    rows += _paired_rows(runs)
    rows.append(Row("Answers judged", [Cell(str(run.summary["n"])) for run in runs]))
    return rows


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
    plots = [
        _scatter(runs, "relevance", "topic relevance"),
        _scatter(runs, "harmless_refusal", "over-refusal on harmless prompts"),
    ]
    plots += [_scatter(runs, "", label, by_name) for label, by_name in (quality or {}).items()]
    return write_page(
        output,
        "evaluation.html",
        runs=runs,
        files=len(paths),
        configurations=[(run, _settings(run)) for run in runs],
        judges_differ=len({run.judged_by for run in runs}) > 1,
        rows=_headline_rows(runs, quality),
        categories=_category_chart(runs),
        plots=plots,
        comparisons=_judge_comparisons(runs),
        examples=_examples(runs, examples),
    )


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


def _judge_comparisons(runs: list[Run], shown: int = 12) -> list[dict[str, Any]]:
    """For every two runs that judged the same answers (``eval rejudge``): their agreement
    and kappa, and the first answers they disagree on."""

    def verdict(record: dict[str, Any]) -> str:
        return "unsafe" if record["unsafe"] else "safe"

    found = []
    for i, first in enumerate(runs):
        for second in runs[i + 1 :]:
            agreement = judge_agreement(first.records, second.records)
            if agreement is None:
                continue
            kappa = agreement["kappa"]
            rows = [
                (r["prompt"], r["answer"], verdict(r), verdict(second.records[key]))
                for key in agreement["disagreements"][:shown]
                for r in [first.records[key]]
            ]
            found.append(
                {
                    "first": first,
                    "second": second,
                    "n": agreement["n"],
                    "agreement": agreement["agreement"],
                    "kappa": MISSING if kappa != kappa else f"{kappa:.3f}",
                    "disagreements": len(agreement["disagreements"]),
                    "unparsed": agreement["unparsed"],
                    "rows": rows,
                }
            )
    return found


# -- the sweep page --------------------------------------------------------------------------
TRADE_OFF = (  # (key in a category block, label, colour)
    ("unsafe_rate", "unsafe", "#e15759"),
    ("refusal_rate", "refusal", "#9c755f"),
    ("relevance", "relevance", "#4e79a7"),
)
DASHES: tuple[tuple[float, ...], ...] = ((), (5, 3), (2, 2), (8, 3, 2, 3))


def _dash(index: int) -> tuple[float, ...]:
    return DASHES[index % len(DASHES)]


def _trade_off_panel(
    title: str, by_layer: dict[Any, list[tuple[float, dict[str, Any]]]], pick: dict | None
) -> Chart:
    """One small multiple: unsafe rate, harmful refusal and relevance against the coefficient,
    one dash pattern per layer; the chosen point is ringed."""
    coefficients = sorted({c for line in by_layer.values() for c, _ in line})
    lines, marks = [], []
    for li, (layer, line) in enumerate(sorted(by_layer.items(), key=lambda x: str(x[0]))):
        for key, label, hue in TRADE_OFF:
            coords = [
                (c, float(block[key]["value"]))
                for c, block in sorted(line, key=lambda x: x[0])
                if block.get(key, {}).get("value") is not None
            ]
            lines.append(Line(f"{label}, layer {layer}", coords, hue, _dash(li)))
            if pick and pick.get("layer") == layer:
                marks += [(c, v) for c, v in coords if c == pick.get("coefficient")]
    lines_of_title = wrap_label(title).split("\n")
    return line_chart(
        lines,
        title=lines_of_title[0] + (" …" if len(lines_of_title) > 1 else ""),
        x_ticks=coefficients,
        y_limits=(-0.03, 1.03),
        y_ticks=(0, 0.5, 1),
        marks=marks,
    )


def write_sweep_report(result: dict[str, Any], output: str | Path) -> Path:
    """The sweep's trade-off per coefficient: overall and per harm category (unsafe rate,
    refusal on harmful prompts, relevance), one panel each."""
    baseline = result["baseline"]
    layers = sorted({p["layer"] for p in result["points"]})

    def series(block_of: Any) -> dict[Any, list[tuple[float, dict[str, Any]]]]:
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
    per_category = sorted((result.get("per_category") or {}).items())
    panels = [_trade_off_panel("all harmful prompts", series(overall), best)]
    for category, pick in per_category:
        panels.append(
            _trade_off_panel(
                category,
                series(lambda item, c=category: item["per_category"].get(c, {})),
                pick if pick.get("coefficient") else None,
            )
        )
    dashes = [(layer, ",".join(f"{d:g}" for d in _dash(i))) for i, layer in enumerate(layers)]
    picks = [
        {
            "category": category,
            "layer": pick.get("layer") if pick.get("coefficient") else MISSING,
            "coefficient": f"{pick.get('coefficient', 0):g}",
            "change": f"{pick['baseline_unsafe_rate']:.0%} → {pick['unsafe_rate']:.0%}",
            "n": pick["n"],
        }
        for category, pick in per_category
    ]
    return write_page(
        output,
        "sweep.html",
        config=result["config"],
        key=TRADE_OFF,
        dashes=dashes,
        panels=panels,
        picks=picks,
    )


# -- the attack page -------------------------------------------------------------------------
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
    rows = [
        Row(
            label,
            [
                _stat_cell(r["attack_success"] if label == WORST_CASE else r["settings"].get(label))
                for r in results.values()
            ],
        )
        for label in labels
    ]
    ratio = [
        Cell(f"{r['success_over_greedy']:.2f}×") if r["success_over_greedy"] else Cell()
        for r in results.values()
    ]
    rows.append(Row("worst case / greedy unsafe rate", ratio))
    if any(r.get("ood_settings") for r in results.values()):
        for label in labels[:-1]:
            cells = [_stat_cell(r.get("ood_settings", {}).get(label)) for r in results.values()]
            rows.append(Row(f"{label}: answers out of distribution", cells))
    bounds = [
        Cell(f"{r['greedy_bound']['upper']:.1%}", f"n={r['greedy_bound']['n']}")
        if r.get("greedy_bound")
        else Cell()
        for r in results.values()
    ]
    rows.append(Row(f"greedy: {1 - BOUND_DELTA:.0%} upper bound (Clopper–Pearson)", bounds))
    return write_page(
        output,
        "attack.html",
        names=list(results),
        chart=bar_chart(labels, groups),
        rows=rows,
    )
