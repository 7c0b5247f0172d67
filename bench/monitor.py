"""Streaming-moderation benchmark: prefix-trained monitor vs the full-text judge.

    python bench/monitor.py            # BeaverTails test split (581 pairs), k = 8
    python bench/monitor.py --quick    # 60 pairs (CI smoke)

Held-out answers are replayed token by token (SmolLM2's tokenizer); the monitor checks every
k tokens and stops at the first flagged prefix. Compared: the prefix-trained default monitor,
the full-text default moderator used as a streaming monitor (no prefix training), and the
full-text judge on whole answers. Then the latency the monitor adds per generated token, from
real monitored generation against the same generation without the monitor.
Ends with ``macro_f1=<prefix monitor> share_seen=<mean share of an unsafe answer seen>``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

from rich.console import Console
from rich.table import Table

from beavertail.data import moderation_split
from beavertail.evaluate.prompt_sets import load_prompt_set
from beavertail.models import load_lm
from beavertail.models.generation import SamplingParams
from beavertail.moderation import Moderator, resolve_moderator
from beavertail.monitor import (
    MonitorConfig,
    StreamMonitor,
    default_prefix_moderator,
    evaluate_streaming,
    monitored_generate,
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--check-every", type=int, default=8)
    parser.add_argument("--out", default="runs/bench-monitor")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--prefix-moderator", default=None, help="folder (default: trained)")
    parser.add_argument("--judge", default=None, help="full-text moderator folder (default)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    console = Console(width=160)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    prefix = (
        Moderator.load(args.prefix_moderator)
        if args.prefix_moderator
        else default_prefix_moderator(args.data_dir)
    )
    full = resolve_moderator(args.judge)
    console.print(f"moderators ready ({time.perf_counter() - began:.0f} s)")
    lm = load_lm()
    examples = moderation_split("test", args.data_dir)
    if args.quick:
        examples = examples[:60]
    k = args.check_every
    results = {}
    for name, moderator in (("prefix monitor", prefix), ("full-text model as monitor", full)):
        monitor = StreamMonitor(moderator, MonitorConfig(check_every=k))
        results[name] = evaluate_streaming(monitor, examples, lm.tokenizer, full, progress=True)
    table = Table(title=f"Streaming decisions on {len(examples)} held-out BeaverTails pairs, k={k}")
    for column in (
        "judge",
        "F1",
        "macro-F1",
        "precision",
        "recall",
        "agree w/ full",
        "share seen",
        "harmful tokens shown",
        "stopped early",
    ):
        table.add_column(column)
    for name, r in results.items():
        s = r["streaming"]
        table.add_row(
            name,
            f"{s['f1']:.3f}",
            f"{s['macro_f1']:.3f}",
            f"{s['precision']:.3f}",
            f"{s['recall']:.3f}",
            f"{r['agreement_with_full_text']:.3f}",
            f"{r['share_seen_at_stop']['mean']:.1%}",
            f"{r['harmful_tokens_shown_before_stop']['mean']:.1f}"
            f" / {r['harmful_tokens_shown_before_stop']['mean_answer_tokens']:.0f}",
            f"{r['stopped_early_share']:.1%}",
        )
    f = results["prefix monitor"]["full_text"]
    table.add_row(
        "full-text judge (whole answers)",
        f"{f['f1']:.3f}",
        f"{f['macro_f1']:.3f}",
        f"{f['precision']:.3f}",
        f"{f['recall']:.3f}",
        "1.000",
        "100%",
        "all",
        "-",
    )
    console.print(table)

    # latency added per generated token, on real generation
    per_set = 4 if args.quick else 12
    prompts = [p.prompt for p in load_prompt_set("harmful-test", args.data_dir, per_set)]
    prompts += [p.prompt for p in load_prompt_set("harmless-test", args.data_dir, per_set)]
    settings = SamplingParams(max_new_tokens=16 if args.quick else 48)
    monitor = StreamMonitor(prefix, MonitorConfig(check_every=k))
    timings: dict[str, list[float]] = {"plain": [], "monitored": []}
    generated = {}
    for _ in range(1 if args.quick else 2):
        for name, mon in (("plain", None), ("monitored", monitor)):
            start = time.perf_counter()
            rows = []
            for i in range(0, len(prompts), 8):
                rows += monitored_generate(lm, prompts[i : i + 8], settings, mon)
            timings[name].append(time.perf_counter() - start)
            generated[name] = rows
    plain_tokens = sum(r.num_tokens for r in generated["plain"])
    monitored_tokens = sum(r.num_tokens for r in generated["monitored"])
    plain_per_token = min(timings["plain"]) / plain_tokens
    monitored_per_token = min(timings["monitored"]) / monitored_tokens
    monitor_seconds = sum(r.monitor_seconds for r in generated["monitored"])
    stopped = sum(r.stop is not None for r in generated["monitored"])
    latency = {
        "plain_ms_per_token": 1000 * plain_per_token,
        "monitored_ms_per_token": 1000 * monitored_per_token,
        "added_ms_per_token": 1000 * (monitored_per_token - plain_per_token),
        "monitor_ms_per_token": 1000 * monitor_seconds / monitored_tokens,
        "stopped": stopped,
        "prompts": len(prompts),
    }
    console.print(
        f"generation, batches of 8: {latency['plain_ms_per_token']:.1f} ms/token plain, "
        f"{latency['monitored_ms_per_token']:.1f} ms/token monitored (the moderator itself: "
        f"{latency['monitor_ms_per_token']:.2f} ms/token); {stopped}/{len(prompts)} answers stopped"
    )
    (out / "results.json").write_text(
        json.dumps({"streaming": results, "latency": latency}, indent=2) + "\n"
    )
    for name, r in results.items():
        print(
            f"monitor={name.split()[0]} f1={r['streaming']['f1']:.4f} "
            f"macro_f1={r['streaming']['macro_f1']:.4f} "
            f"share_seen={r['share_seen_at_stop']['mean']:.4f}"
        )
    print(f"added_ms_per_token={latency['added_ms_per_token']:.3f}")
    p = results["prefix monitor"]
    macro, seen = p["streaming"]["macro_f1"], p["share_seen_at_stop"]["mean"]
    print(f"macro_f1={macro:.4f} share_seen={seen:.4f}")


if __name__ == "__main__":
    main()
