"""Preference-model benchmark: reward, cost (Safe RLHF losses) and a TRL-style "safer"-only
reward baseline, trained on PKU-SafeRLHF train_subset3695, evaluated on test_subset821.

    python bench/preference.py            # MiniLM backbone (~3 min on 2 cores)
    python bench/preference.py --quick    # 300 training pairs (CI smoke)
    python bench/preference.py --tuning lora --tune-pairs 3695   # LoRA on every pair (~40 min)

Backbone tuning (``--tuning lora,full``, the default): MiniLM tuned end to end as a sequence
classifier by TRL's RewardTrainer (one epoch), next to a frozen head trained on the same
``--tune-pairs`` pairs.

Then safe best-of-N (N = 1, 4, 8, sampled at temperature 0.8) against greedy decoding with
SmolLM2-135M-Instruct on held-out harmful (refusal-direction harmful_test) and harmless
(harmless_test) prompts: unsafe rate (default moderator), mean reward of the chosen answers,
seconds per prompt. The runs are resumable harness files and go into one HTML report.

Prints tables and ends with ``sign_accuracy=<cost model's test sign accuracy>``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from beavertail.data.catalog import pku_pairs
from beavertail.evaluate import AnswerJudge, EvalConfig, read_run, run_eval, summarize, write_report
from beavertail.models import DEFAULT_LM, load_lm
from beavertail.moderation import resolve_judge
from beavertail.preference import (
    PreferenceTrainingConfig,
    ScoreModelSpec,
    evaluate_score_model,
    load_score_model,
    train_score_model,
    write_score_report,
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
    parser.add_argument("--bon-prompts", type=int, default=None, help="prompts per set")
    parser.add_argument("--skip-best-of-n", action="store_true")
    parser.add_argument(
        "--tuning",
        default="lora,full",
        help="backbone tuning to compare with frozen heads: lora, full, both, or none",
    )
    parser.add_argument(
        "--tune-pairs",
        type=int,
        default=1000,
        help="training pairs for the tuned comparison (about 0.3 s per pair per epoch on 2 cores)",
    )
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
    report = {name: item["test"] for name, item in results.items()}
    write_score_report(report, Path(args.out) / "preference-report.html", "Preference models")
    (Path(args.out) / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    tunings = [t for t in args.tuning.split(",") if t and t != "none"]
    if tunings:
        results["tuned"] = tuned_bench(args, tunings, train, test, console)
        (Path(args.out) / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    if not args.skip_best_of_n:
        results["best_of_n"] = best_of_n_bench(args, console)
        (Path(args.out) / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    for name, item in results.items():
        if name in ("best_of_n", "tuned"):
            continue
        m = item["test"]
        print(
            f"model={name.split()[0]} better_accuracy={m['better_accuracy']:.4f} "
            f"safer_accuracy={m['safer_accuracy']:.4f} sign_accuracy={m['sign_accuracy']:.4f}"
        )
    print(f"sign_accuracy={results['cost']['test']['sign_accuracy']:.4f}")


def tuned_bench(
    args: argparse.Namespace,
    tunings: list[str],
    train: list,
    test: list,
    console: Console,
) -> dict:
    """Frozen MiniLM + head vs the backbone tuned (LoRA / full) by TRL's RewardTrainer, all
    on the same first ``--tune-pairs`` training pairs; one epoch of tuning."""
    subset = train[: 120 if args.quick else args.tune_pairs]
    table = Table(
        title=f"Backbone tuning ({args.backbone}), {len(subset)} training pairs, "
        f"PKU-SafeRLHF test {len(test)} pairs"
    )
    for column in ("tuning", "model", "train s", "better acc.", "safer acc.", "sign acc."):
        table.add_column(column)
    backbone = "lm" if args.backbone == "lm-probe" else args.backbone
    out: dict = {"pairs": len(subset)}
    for tuning in ["head", *tunings]:
        for name in ("reward", "cost"):
            kind, objective = MODELS[name]
            spec = ScoreModelSpec(
                kind=kind,  # type: ignore[arg-type]
                backbone=args.backbone if tuning == "head" else backbone,  # type: ignore[arg-type]
                tuning=tuning,  # type: ignore[arg-type]
            )
            config = PreferenceTrainingConfig(
                spec=spec,
                objective=objective,  # type: ignore[arg-type]
                epochs=5 if args.quick else 60,
                tune_epochs=1,
            )
            folder = Path(args.out) / f"tuned-{tuning}-{name}"
            began = time.perf_counter()
            model = train_score_model(subset, config, folder, False)
            seconds = time.perf_counter() - began
            metrics = evaluate_score_model(model, test, progress=False)
            out[f"{tuning}/{name}"] = {"test": metrics, "train_seconds": seconds}
            table.add_row(
                tuning,
                name,
                f"{seconds:.0f}",
                f"{metrics['better_accuracy']:.3f}",
                f"{metrics['safer_accuracy']:.3f}",
                f"{metrics['sign_accuracy']:.3f}",
            )
    console.print(table)
    report = {key: item["test"] for key, item in out.items() if key != "pairs"}
    title = f"Frozen head vs tuned backbone ({len(subset)} training pairs)"
    write_score_report(report, Path(args.out) / "tuning-report.html", title)
    for key, item in out.items():
        if key == "pairs":
            continue
        m = item["test"]
        tuning, name = key.split("/")
        print(
            f"tuning={tuning} model={name} train_seconds={item['train_seconds']:.0f} "
            f"better_accuracy={m['better_accuracy']:.4f} safer_accuracy={m['safer_accuracy']:.4f} "
            f"sign_accuracy={m['sign_accuracy']:.4f}"
        )
    return out


def best_of_n_bench(args: argparse.Namespace, console: Console) -> dict:
    """Greedy vs safe best-of-N (N = 1, 4, 8) through the evaluation harness."""
    out = Path(args.out)
    reward_dir, cost_dir = out / "reward", out / "cost"
    per_set = args.bon_prompts or (3 if args.quick else 12)
    tokens = 16 if args.quick else 40
    lm = load_lm(DEFAULT_LM)
    judge = AnswerJudge(resolve_judge("default"), fluency_lm=None)
    reward = load_score_model(reward_dir)
    configs: dict[str, dict] = {"greedy": {}}
    for n in (1, 4, 8):
        configs[f"best-of-{n}"] = {
            "best_of_n": {"n": n, "reward_model": str(reward_dir), "cost_model": str(cost_dir)}
        }
    table = Table(title=f"Safe best-of-N vs greedy, {per_set} harmful + {per_set} harmless prompts")
    for column in (
        "config",
        "unsafe (harmful)",
        "unsafe (harmless)",
        "mean reward",
        "harmless refusal",
        "s / prompt",
    ):
        table.add_column(column)
    summary, paths = {}, []
    for name, extra in configs.items():
        path = out / f"bon-{name}.jsonl"
        config = EvalConfig(
            name=name,
            prompts=["harmful-test", "harmless-test"],
            limit=per_set,
            sampling={"max_new_tokens": tokens},
            fluency=False,
            data_dir=args.data_dir,
            **extra,
        )
        began = time.perf_counter()
        run_eval(config, path, judge, lm, progress=False)
        records = read_run(path)[1]
        seconds = float(np.mean([r["batch_seconds"] / r.get("batch_size", 8) for r in records]))
        rewards = reward.scores([r["prompt"] for r in records], [r["answer"] for r in records])
        head = summarize(records)["headline"]
        summary[name] = {
            "unsafe_rate": head["unsafe_rate"]["value"],
            "harmless_unsafe_rate": head["harmless_unsafe_rate"]["value"],
            "mean_reward": float(np.mean(rewards)),
            "harmless_refusal": head["harmless_refusal"]["value"],
            "seconds_per_prompt": seconds,
            "wall_seconds_this_run": time.perf_counter() - began,  # 0 when resumed
        }
        paths.append(path)
        s = summary[name]
        table.add_row(
            name,
            f"{s['unsafe_rate']:.3f}",
            f"{s['harmless_unsafe_rate']:.3f}",
            f"{s['mean_reward']:+.3f}",
            f"{s['harmless_refusal']:.3f}",
            f"{seconds:.2f}",
        )
    console.print(table)
    write_report(paths, out / "best-of-n-report.html")
    for name, s in summary.items():
        print(
            f"config={name} unsafe_rate={s['unsafe_rate']:.4f} mean_reward={s['mean_reward']:.4f} "
            f"seconds_per_prompt={s['seconds_per_prompt']:.3f}"
        )
    return summary


if __name__ == "__main__":
    main()
