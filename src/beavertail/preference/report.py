"""One HTML page for reward / cost models: accuracies and score histograms, safe vs unsafe."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from beavertail.artifacts import atomic_write_text

SAFE, UNSAFE = "#4e79a7", "#e15759"
CSS = (
    "body{font-family:sans-serif;max-width:980px;margin:2em auto}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
    ".models{display:flex;flex-wrap:wrap;gap:16px}"
)


def _histogram(name: str, histogram: dict[str, Any]) -> str:
    """Side-by-side bars per score bin: safe answers in blue, unsafe ones in red."""
    edges, safe, unsafe = histogram["edges"], histogram["safe"], histogram["unsafe"]
    width, height, left, bottom = 460, 220, 40, 30
    peak = max([*safe, *unsafe, 1])
    bins = len(safe)
    bin_w = (width - left - 10) / bins
    parts = [
        f'<svg viewBox="0 0 {width} {height + 20}" width="{width}" height="{height + 20}" '
        f'role="img" class="histogram"><text x="{left}" y="12" font-size="12">'
        f"{html.escape(name)}</text>"
    ]
    plot_h = height - bottom - 20
    for i in range(bins):
        x = left + i * bin_w
        series = ((0, safe, SAFE, "safe"), (1, unsafe, UNSAFE, "unsafe"))
        for offset, counts, colour, label in series:
            h = plot_h * counts[i] / peak
            parts.append(
                f'<rect class="bar" x="{x + offset * bin_w / 2:.1f}" y="{20 + plot_h - h:.1f}" '
                f'width="{bin_w / 2 - 1:.1f}" height="{h:.1f}" fill="{colour}"><title>{label}: '
                f"{counts[i]} in [{edges[i]:.2f}, {edges[i + 1]:.2f})</title></rect>"
            )
    for i in (0, bins // 2, bins):
        x = left + i * bin_w
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" font-size="10" text-anchor="middle">'
            f"{edges[i]:.2f}</text>"
        )
    if edges[0] < 0 < edges[-1]:  # the cost model's decision line
        x = left + (0 - edges[0]) / (edges[-1] - edges[0]) * bins * bin_w
        parts.append(f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{20 + plot_h}" stroke="#333" '
                     'stroke-dasharray="3,3"/>')  # fmt: skip
    parts.append(
        f'<text x="{left}" y="{height + 12}" font-size="10" fill="{SAFE}">■ safe answers</text>'
        f'<text x="{left + 110}" y="{height + 12}" font-size="10" fill="{UNSAFE}">'
        "■ unsafe answers</text></svg>"
    )
    return "".join(parts)


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def write_score_report(results: dict[str, dict[str, Any]], output: str | Path, title: str) -> Path:
    """``results``: model name -> metrics from ``evaluate_score_model``."""
    if not results:
        raise ValueError("no model results to report")
    rows = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{m['pairs']}</td>"
        f"<td>{m['better_accuracy']:.3f}</td><td>{m['safer_accuracy']:.3f}</td>"
        f"<td>{_figure(m.get('safer_accuracy_mixed'))}</td>"
        f"<td>{m['sign_accuracy']:.3f}</td></tr>"
        for name, m in results.items()
    )
    plots = "".join(_histogram(name, m["histogram"]) for name, m in results.items())
    page = f"""<!doctype html><html><head><meta charset="utf-8">
<title>{html.escape(title)}</title><style>{CSS}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Pairwise accuracy: the model ranks the better (resp. safer) answer of a pair above the other
(for a reward-style model, "safer" compares negated scores); "safe vs unsafe" counts only
the pairs with one safe and one unsafe answer. Sign accuracy: score &gt; 0 exactly
for unsafe answers (negated for reward-style models).</p>
<table id="metrics"><tr><th>model</th><th>pairs</th><th>better acc.</th><th>safer acc.</th>
<th>safer acc. (safe vs unsafe)</th><th>sign acc.</th></tr>{rows}</table>
<h2>Score histograms, safe vs unsafe answers</h2><div class="models">{plots}</div>
</body></html>
"""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output, page)
    return output
