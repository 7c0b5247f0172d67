"""QA-moderation benchmark: every moderator backend and baseline on the canonical test splits.

    python bench/moderation.py                 # full run (~60 min on 2 cores; features cached)
    python bench/moderation.py --quick         # small subset, a few minutes (CI smoke)
    python bench/moderation.py --only a-encoder-3layer,prompt-only

Prints a table, then one machine-readable line per moderator and split:
``moderator=<name> split=<beavertails_test|pku_test> flagged_f1=<v> pairs_per_s=<v>``.
Trained moderators are saved under ``runs/bench-moderation/<name>``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

from rich.console import Console
from rich.table import Table

from beavertail.data import beavertails_qa, moderation_split, pku_qa
from beavertail.moderation import (
    ModerationTrainingConfig,
    ModeratorSpec,
    ProfanityBaseline,
    RefusalHeuristic,
    evaluate_moderator,
    evaluate_scorer,
    train_moderator,
)

MODERATORS: dict[str, ModeratorSpec] = {
    "a-encoder": ModeratorSpec(backend="encoder", max_length=128, quantize=True, num_layers=None),
    "a-encoder-3layer": ModeratorSpec(
        backend="encoder", max_length=128, quantize=True, num_layers=3
    ),
    "b-finetuned": ModeratorSpec(
        backend="finetuned", max_length=128, quantize=False, num_layers=None, head_hidden=0
    ),
    "c-lm-probe": ModeratorSpec(backend="lm-probe", max_length=192),
    "prompt-only": ModeratorSpec(
        backend="encoder", input="prompt", max_length=128, quantize=True, num_layers=None
    ),
}
BASELINES = {"refusal-heuristic": RefusalHeuristic, "profanity-check": ProfanityBaseline}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="subset: 400 train, 150 test pairs")
    parser.add_argument("--only", default="", help="comma-separated moderator names")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out", default="runs/bench-moderation")
    parser.add_argument("--json", default=None, help="write all reports here")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    console = Console(width=150)

    train = moderation_split("train", args.data_dir)
    validation = moderation_split("validation", args.data_dir)
    tests = {
        "beavertails_test": list(beavertails_qa("test", args.data_dir)),
        "pku_test": list(pku_qa("test", args.data_dir)),
    }
    if args.quick:
        train, validation = train[::24][:400], validation[:160]
        tests = {k: v[:150] for k, v in tests.items()}
    wanted = set(filter(None, args.only.split(","))) or set(MODERATORS) | set(BASELINES)
    console.print(
        f"train {len(train)} pairs, validation {len(validation)}, "
        + ", ".join(f"{k} {len(v)}" for k, v in tests.items())
    )

    reports: dict[str, dict[str, dict]] = {}
    train_seconds: dict[str, float] = {}

    def record(name: str) -> None:
        """Print a finished moderator's lines at once and keep the JSON current."""
        for split, r in reports[name].items():
            print(
                f"moderator={name} split={split} flagged_f1={r['flagged']['f1']:.4f} "
                f"pairs_per_s={r['pairs_per_s']:.1f}",
                flush=True,
            )
        if args.json:
            out = {"reports": reports, "train_seconds": train_seconds}
            Path(args.json).write_text(json.dumps(out, indent=2) + "\n")

    for name, spec in MODERATORS.items():
        if name not in wanted:
            continue
        console.print(f"[bold]training {name}[/]")
        config = ModerationTrainingConfig(spec=spec)
        if args.quick:
            config.finetune_epochs = 1
        start = time.perf_counter()
        moderator = train_moderator(train, validation, config, Path(args.out) / name)
        train_seconds[name] = time.perf_counter() - start
        reports[name] = {}
        for split, examples in tests.items():
            evaluate_moderator(moderator, examples[:32])  # warm-up, not timed
            reports[name][split] = evaluate_moderator(moderator, examples, progress=True)
        record(name)
    for name, factory in BASELINES.items():
        if name not in wanted:
            continue
        try:
            scorer = factory()
        except ImportError as exc:
            console.print(f"[yellow]skipping {name}: {exc}[/]")
            continue
        reports[name] = {split: evaluate_scorer(scorer, ex) for split, ex in tests.items()}
        record(name)

    table = Table(title="QA moderation (flagged = unsafe pair)")
    for col in (
        "moderator",
        "split",
        "F1",
        "accuracy",
        "precision",
        "recall",
        "ROC-AUC",
        "ECE",
        "cat macro-F1",
        "pairs/s",
        "train s",
    ):
        table.add_column(col, justify="left" if col in ("moderator", "split") else "right")
    for name, by_split in reports.items():
        for split, r in by_split.items():
            f = r["flagged"]
            table.add_row(
                name,
                split,
                f"{f['f1']:.3f}",
                f"{f['accuracy']:.3f}",
                f"{f['precision']:.3f}",
                f"{f['recall']:.3f}",
                f"{r['roc_auc']:.3f}",
                f"{r['ece']:.3f}",
                f"{r['category_macro_f1']:.3f}" if "category_macro_f1" in r else "-",
                f"{r['pairs_per_s']:.0f}",
                f"{train_seconds[name]:.0f}" if name in train_seconds else "-",
            )
    console.print(table)
    print("summary:")
    for name in reports:
        record(name)


if __name__ == "__main__":
    main()
