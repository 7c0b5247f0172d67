"""Preference-model benchmark: reward, cost (Safe RLHF losses) and a TRL-style "safer"-only
reward baseline, trained on PKU-SafeRLHF train_subset3695, evaluated on test_subset821.

    python bench/preference.py            # MiniLM backbone (~3 min on 2 cores)
    python bench/preference.py --quick    # 300 training pairs (CI smoke)

Prints a table and ends with ``sign_accuracy=<cost model's test sign accuracy>``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

from rich.console import Console
from rich.table import Table

from beavertail.data.catalog import pku_pairs
from beavertail.preference import (
    PreferenceTrainingConfig,
    ScoreModelSpec,
    evaluate_score_model,
    train_score_model,
)

MODELS = {
    "reward": ("reward", "reward"),
    "cost": ("cost", "cost"),
    "safer-bt baseline": ("reward", "safer-bt"),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--backbone", default="encoder", choices=["encoder", "lm-probe"])
    parser.add_argument("--out", default="runs/bench-preference")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    train = list(pku_pairs("train", args.data_dir))
    test = list(pku_pairs("test", args.data_dir))
    if args.quick:
        train, test = train[:300], test[:100]
    console = Console(width=150)
    table = Table(title=f"Preference models ({args.backbone}), PKU-SafeRLHF test {len(test)} pairs")
    for column in ("model", "train s", "better acc.", "safer acc.", "sign acc.", "train sign acc."):
        table.add_column(column)
    results = {}
    for name, (kind, objective) in MODELS.items():
        began = time.perf_counter()
        config = PreferenceTrainingConfig(
            spec=ScoreModelSpec(kind=kind, backbone=args.backbone),  # type: ignore[arg-type]
            objective=objective,  # type: ignore[arg-type]
            epochs=5 if args.quick else 60,
        )
        model = train_score_model(train, config, Path(args.out) / name.split()[0], False)
        seconds = time.perf_counter() - began
        metrics = evaluate_score_model(model, test, progress=False)
        results[name] = {"test": metrics, "train_seconds": seconds}
        table.add_row(
            name,
            f"{seconds:.0f}",
            f"{metrics['better_accuracy']:.3f}",
            f"{metrics['safer_accuracy']:.3f}",
            f"{metrics['sign_accuracy']:.3f}",
            f"{model.metadata['metrics']['train']['sign_accuracy']:.3f}",
        )
    console.print(table)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    for name, item in results.items():
        m = item["test"]
        print(
            f"model={name.split()[0]} better_accuracy={m['better_accuracy']:.4f} "
            f"safer_accuracy={m['safer_accuracy']:.4f} sign_accuracy={m['sign_accuracy']:.4f}"
        )
    print(f"sign_accuracy={results['cost']['test']['sign_accuracy']:.4f}")


if __name__ == "__main__":
    main()
