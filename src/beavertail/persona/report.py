"""The persona report: judge accuracy with and without personas (conflict pairs apart), per
persona cluster with examples, tailored win rates and the harness safety check."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

from beavertail.artifacts import atomic_write_text
from beavertail.evaluate.report import CSS, color_legend, format_stat, grouped_bars

GROUP_NAMES = {"all": "all held-out pairs", "conflict": "better ≠ safer", "agree": "better = safer"}


def _esc(value: Any) -> str:
    return html.escape(str(value)) if value is not None else "—"


def _accuracy_section(results: dict[str, Any]) -> str:
    accuracy = results["accuracy"]
    rows = []
    bars: dict[str, dict[str, float | None]] = {"with personas": {}, "without personas": {}}
    for group, block in accuracy.items():
        name = GROUP_NAMES.get(group, group)
        for model, label in (("conditioned", "with personas"), ("unconditioned", "without")):
            m = block[model]
            rows.append(
                f"<tr><th>{_esc(name)}</th><td>{label}</td><td>{m['pairs']}</td>"
                f"<td>{format_stat(m['chosen_side'])}</td><td>{format_stat(m['rejected_side'])}</td>"
                f"<td>{format_stat(m['both_sides'])}</td><td>{format_stat(m['pair_both_right'])}</td></tr>"
            )
        bars["with personas"][name] = block["conditioned"]["both_sides"]["value"]
        bars["without personas"][name] = block["unconditioned"]["both_sides"]["value"]
        gain = block["gain_points"]
        rows.append(
            f"<tr><th></th><td colspan=6>gain: {gain if gain is not None else '—'} points</td></tr>"
        )
    legend = color_legend(list(bars))
    labels = [GROUP_NAMES.get(g, g) for g in accuracy]
    return (
        "<h2>Preference accuracy given each side's persona</h2>"
        "<p>Chosen side: the chosen answer wins under the chosen persona; rejected side: the "
        "rejected answer wins under the rejected persona. A model that ignores the persona is "
        "right on exactly one of the two, so its both-sides accuracy is 50 %.</p>"
        f"<div class=legend>{legend}</div>{grouped_bars(labels, bars)}"
        "<table><tr><th>pairs</th><th>model</th><th>n</th><th>chosen side</th>"
        "<th>rejected side</th><th>both sides</th><th>pair right on both</th></tr>"
        f"{''.join(rows)}</table>"
        f"<p>Pairs whose two personas are the same text: "
        f"{format_stat(results.get('identical_personas'))}. Without training, the answer "
        "closer to each persona (MiniLM cosine) is the persona's side on "
        f"{format_stat((results.get('embedding_match') or {}).get('both_sides'))} of the sides "
        "(50 %: the personas say nothing about which side they prefer).</p>"
    )


def _cluster_section(results: dict[str, Any]) -> str:
    rows = []
    for c in results["clusters"]:
        examples = "".join(f"<li>{_esc(e)}</li>" for e in c["examples"])
        rows.append(
            f"<tr><th>{c['cluster']}</th><td>{c['sides']}</td>"
            f"<td>{format_stat(c['conditioned'])}</td><td>{format_stat(c['unconditioned'])}</td>"
            f"<td><ul>{examples}</ul></td></tr>"
        )
    return (
        "<h2>Persona clusters</h2><table><tr><th>cluster</th><th>sides</th>"
        "<th>accuracy with personas</th><th>without</th><th>most central personas</th></tr>"
        f"{''.join(rows)}</table>"
    )


def _tailoring_section(results: dict[str, Any]) -> str:
    if "win_rate" not in results:
        return "<h2>Persona tailoring</h2><p>No tailored policy was given.</p>"
    control = results.get("win_rate_control", {})
    rates = "".join(
        f"<tr><th>{_esc(name)}</th><td>{format_stat(stat)}</td>"
        f"<td>{format_stat(control.get(name))}</td></tr>"
        for name, stat in results["win_rate"].items()
    )
    safety = "".join(
        f"<tr><td>{_esc(row['persona'] or '(no persona)')}</td>"
        f"<td>{format_stat(row['tailored'])}</td><td>{format_stat(row['untailored'])}</td>"
        f"<td>{'yes' if row['within_bound'] else '<b>no</b>'}</td></tr>"
        for row in results.get("safety", [])
    )
    examples = "".join(
        f"<tr><td>{_esc(e['persona'])}</td><td>{_esc(e['prompt'])}</td>"
        f"<td>{_esc(e['tailored'])}</td><td>{_esc(e['untailored'])}</td>"
        f"<td>{'win' if e['win'] == 1 else 'tie' if e['win'] == 0.5 else 'loss'}</td></tr>"
        for e in results.get("win_examples", [])
    )
    return (
        "<h2>Persona tailoring</h2><p>Win rate of the tailored answer over the untailored one "
        "for the same persona, judged by the persona-conditioned model. Untailored: the base "
        "model; control: a policy trained on the same answers without personas (it isolates "
        "the tailoring from the answers' style).</p>"
        "<table><tr><th>pairs</th><th>win rate vs untailored base</th><th>vs control</th></tr>"
        f"{rates}</table>"
        "<h3>Unsafe rate on harmful prompts (harness), persona as system prompt</h3>"
        "<table><tr><th>persona</th><th>tailored</th><th>untailored</th>"
        f"<th>within untailored upper 95 % bound</th></tr>{safety}</table>"
        "<h3>Examples</h3><table class=examples><tr><th>persona</th><th>prompt</th>"
        f"<th>tailored</th><th>untailored</th><th>verdict</th></tr>{examples}</table>"
    )


def write_persona_report(results: dict[str, Any], output: str | Path) -> Path:
    examples = "".join(
        f"<tr><td>{_esc(e['prompt'])}</td><td>{_esc(e['persona_chosen'])}</td>"
        f"<td>{_esc(e['persona_rejected'])}</td><td>{_esc(e['conflict'])}</td></tr>"
        for e in results.get("examples", [])
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8">
<title>beavertail persona inference and tailoring</title><style>{CSS}</style></head><body>
<h1>Persona inference and tailoring</h1>
<p>Generated {dt.datetime.now().isoformat(timespec="seconds")}: {results["train_pairs"]}
training pairs, {results["test_pairs"]} held-out pairs. Rates carry 95 % Wilson intervals.</p>
{_accuracy_section(results)}
{_cluster_section(results)}
{_tailoring_section(results)}
<h2>Inferred personas (first held-out pairs)</h2><table class=examples><tr><th>prompt</th>
<th>persona (chosen)</th><th>persona (rejected)</th><th>better ≠ safer</th></tr>{examples}</table>
</body></html>
"""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output, page)
    return output
