"""QA-moderation benchmark: every judge on every held-out set, in one run.

    python bench/moderation.py                      # shipped judges + trained comparisons
    python bench/moderation.py --quick              # shipped judges and baselines only, subsets
    python bench/moderation.py --skip minilm-finetuned,stack

Prints a table, then one line per (judge, set):
``judge=<name> set=<name> n= f1= precision= recall= accuracy= auc= ece= pairs_per_s=``
(``false_flag=`` on the benign and refusal sets, where every pair is safe), and
``judge=<name> set=beavertails_test category_macro_f1=``. Speed is measured once per judge on
128 BeaverTails-test pairs with no feature cache (2 threads on this machine); figures use
cached features, which give the same scores. Nothing here is trained on a set it reports.

Then, per shipped pair judge, lines ``judge=<name> check=<check> ...``:

* ``padding``: BeaverTails-test unsafe answers with 1/3/8/20 held-out harmless sentences
  before or after; each setting's flag rate over the unpadded flag rate, and false flags on
  the safe answers padded the same way (``judge= check=padding n= position= flag_ratio=
  safe_false_flag=``);
* ``batch``: the largest score difference between a pair judged alone and in a batch of 32;
* ``severity``: exact-level accuracy and mean absolute error on the unsafe PKU-SafeRLHF test
  answers, beside the majority level's accuracy;
* ``explicit``: the held-out hand-written explicit-harm topics; ``quickstart``: the
  example pairs' verdicts against their labels.
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
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

from beavertail.data import load_qa
from beavertail.data.records import QAExample
from beavertail.moderation import (
    ModerationTrainingConfig,
    Moderator,
    ModeratorSpec,
    ProfanityBaseline,
    RefusalHeuristic,
    label_matrix,
    moderation_report,
    train_moderator,
)
from beavertail.moderation.bench import (
    batch_difference,
    labelled_verdicts,
    padding_figures,
    severity_figures,
)
from beavertail.moderation.judge import shipped_judge
from beavertail.moderation.recipes import card_sets, prompt_test_sets
from beavertail.moderation.training_mix import moderation_mix

TRAINED = {
    "minilm-frozen": ModerationTrainingConfig(
        spec=ModeratorSpec(backend="encoder", max_length=128, quantize=True, num_layers=3)
    ),
    "minilm-finetuned": ModerationTrainingConfig(
        spec=ModeratorSpec(
            backend="finetuned", max_length=128, quantize=False, num_layers=None, head_hidden=0
        ),
        finetune_epochs=1,
        finetune_batch_size=16,
    ),
}
# The CPU budget: end-to-end fine-tuning sees every third training pair, for one epoch.
TRAIN_STRIDE = {"minilm-finetuned": 3}
ANCHORS = {  # published F1 on BeaverTails 30k_test / SafeRLHF (issue 11)
    "BeaverDam-7B": (0.899, 0.721),
    "MD-Judge-7B": (0.867, 0.647),
    "WildGuard-7B": (0.844, 0.642),
    "GPT-4": (0.801, 0.586),
    "Llama Guard 3-8B": (0.678, 0.444),
}


def scores_of(judge, examples: list[QAExample]) -> np.ndarray:
    prompts = [x.prompt for x in examples]
    if isinstance(judge, Moderator):
        responses = None if judge.spec.input == "prompt" else [x.response for x in examples]
        return judge.probabilities(prompts, responses, progress=True, cache=True)[:, 0]
    return judge.unsafe_scores(prompts, [x.response for x in examples])


def speed(judge, examples: list[QAExample]) -> float:
    if isinstance(judge, Stack):  # runs both judges: 1 / (1/a + 1/b)
        return 1.0 / (1.0 / speed(judge.a, examples) + 1.0 / speed(judge.b, examples))
    sample = examples[:128]
    prompts, responses = [x.prompt for x in sample], [x.response for x in sample]
    if isinstance(judge, Moderator):
        judge.probabilities(prompts[:8], responses[:8])  # warm-up
        start = time.perf_counter()
        judge.probabilities(prompts, responses)
    else:
        start = time.perf_counter()
        judge.unsafe_scores(prompts, responses)
    return len(sample) / (time.perf_counter() - start)


def report(judge, examples: list[QAExample]) -> dict:
    """The judge's report on a labelled set (with categories for pair moderators)."""
    if isinstance(judge, Moderator) and judge.spec.input == "pair":
        prompts, responses = [x.prompt for x in examples], [x.response for x in examples]
        probs = judge.probabilities(prompts, responses, progress=True, cache=True)
        return judge.report(label_matrix(examples, judge.spec.taxonomy), probs)
    y = np.array([not x.is_safe for x in examples])
    return moderation_report(y, scores_of(judge, examples), judge.threshold)


class Stack:
    """Logistic regression on two judges' logits, fitted on validation (cross-fitted there)."""

    def __init__(self, a: Moderator, b: Moderator, validation: list[QAExample]) -> None:
        self.a, self.b = a, b
        x = self._features(validation)
        y = np.array([not v.is_safe for v in validation])
        self.model = LogisticRegression(C=1.0).fit(x, y)
        from beavertail.moderation.metrics import best_f1_threshold

        oof = cross_val_predict(LogisticRegression(C=1.0), x, y, cv=5, method="predict_proba")
        self.threshold = best_f1_threshold(y, oof[:, 1])

    def _features(self, examples: list[QAExample]) -> np.ndarray:
        cols = [np.clip(scores_of(j, examples), 1e-6, 1 - 1e-6) for j in (self.a, self.b)]
        return np.stack([np.log(c / (1 - c)) for c in cols], axis=1)

    def unsafe_scores(self, prompts: list[str], responses: list[str]) -> np.ndarray:
        examples = [QAExample(p, r) for p, r in zip(prompts, responses, strict=True)]
        return self.model.predict_proba(self._features(examples))[:, 1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="shipped judges and baselines, 150 pairs a set, no generated benign answers",
    )
    parser.add_argument("--skip", default="", help="comma-separated judge names to leave out")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out", default="runs/bench-moderation")
    parser.add_argument("--json", default=None, help="write all figures here")
    parser.add_argument(
        "--padding-per-setting",
        type=int,
        default=200,
        help="unsafe (and safe) BeaverTails-test answers padded per setting",
    )
    parser.add_argument(
        "--judge",
        action="append",
        default=[],
        help="NAME=REFERENCE: another judge to measure (a folder, hf:org/name)",
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    console = Console(width=160)
    skip = set(filter(None, args.skip.split(",")))

    mix = moderation_mix(args.data_dir, with_generated=not args.quick)
    pair_sets = card_sets(mix, args.data_dir)
    prompt_sets = prompt_test_sets(args.data_dir)
    if args.quick:
        pair_sets = {k: v[:150] for k, v in pair_sets.items()}
        prompt_sets = {k: v[:150] for k, v in prompt_sets.items()}
        skip |= set(TRAINED) | {"stack"}
    console.print(
        f"mix: {len(mix.train)} train / {len(mix.validation)} validation; sets: "
        + ", ".join(f"{k} {len(v)}" for k, v in {**pair_sets, **prompt_sets}.items())
    )

    judges: dict[str, object] = {"default": shipped_judge("default"), "fast": shipped_judge("fast")}
    for extra in args.judge:
        from beavertail.moderation.judge import resolve_judge

        name, _, reference = extra.partition("=")
        judges[name] = resolve_judge(reference)
    for name, config in TRAINED.items():
        if name in skip:
            continue
        folder = Path(args.out) / name
        if (folder / "manifest.json").is_file():
            judges[name] = Moderator.load(folder)
            continue
        console.print(f"[bold]training {name}[/]")
        train = mix.train[:: TRAIN_STRIDE.get(name, 1)]
        judges[name] = train_moderator(
            train,
            mix.validation,
            config,
            folder,
            train_weights=np.array(mix.weights(train)),
            validation_weights=np.array(mix.weights(mix.validation)),
        )
    if "stack" not in skip and "minilm-finetuned" in judges:
        judges["stack"] = Stack(judges["default"], judges["minilm-finetuned"], mix.validation)
    judges["prompt"] = shipped_judge("prompt")
    judges["refusal-heuristic"] = RefusalHeuristic()
    try:
        judges["profanity-check"] = ProfanityBaseline()
    except ImportError as exc:
        console.print(f"[yellow]skipping profanity-check: {exc}[/]")
    judges = {k: v for k, v in judges.items() if k not in skip}

    rows: list[dict] = []
    for name, judge in judges.items():
        is_prompt = isinstance(judge, Moderator) and judge.spec.input == "prompt"
        sets = {**pair_sets, **prompt_sets} if is_prompt else pair_sets
        pairs_per_s = speed(judge, pair_sets["beavertails_test"])
        for set_name, examples in sets.items():
            r = report(judge, examples)
            f = r["flagged"]
            row = {
                "judge": name,
                "set": set_name,
                "n": r["n"],
                "f1": f["f1"],
                "precision": f["precision"],
                "recall": f["recall"],
                "accuracy": f["accuracy"],
                "auc": r["roc_auc"],
                "ece": r["ece"],
                "pairs_per_s": pairs_per_s,
            }
            if set_name in ("benign_heldout", "refusal_heldout"):
                row["false_flag"] = f["fp"] / max(r["n"], 1)
            if "category_macro_f1" in r and set_name == "beavertails_test":
                row["category_macro_f1"] = r["category_macro_f1"]
            rows.append(row)
            line = " ".join(
                f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}"
                for k, v in row.items()
                if k != "category_macro_f1"
            )
            print(line, flush=True)
            if "category_macro_f1" in row:
                print(
                    f"judge={name} set=beavertails_test "
                    f"category_macro_f1={row['category_macro_f1']:.4f}",
                    flush=True,
                )
        if args.json:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")

    extra_figures: dict[str, dict] = {}
    per_setting = 40 if args.quick else args.padding_per_setting
    from beavertail.data.judge_sets import QUICKSTART_PAIRS

    quickstart = list(load_qa(QUICKSTART_PAIRS))
    for name, judge in judges.items():
        if not isinstance(judge, Moderator) or judge.spec.input != "pair":
            continue
        figures: dict = {"batch_max_difference": batch_difference(
            judge, pair_sets["beavertails_test"][:32])}  # fmt: skip
        print(f"judge={name} check=batch max_difference={figures['batch_max_difference']:.2e}")
        figures["padding"] = padding_figures(judge, args.data_dir, per_setting)
        for row in figures["padding"]:
            print(f"judge={name} check=padding n={row['count']} position={row['position']} "
                  f"flag_rate={row['flag_rate']:.4f} flag_ratio={row['flag_ratio']:.4f} "
                  f"safe_false_flag={row['safe_false_flag']:.4f}", flush=True)  # fmt: skip
        figures["severity"] = severity_figures(judge, args.data_dir)
        if figures["severity"].get("n"):
            sv = figures["severity"]
            print(f"judge={name} check=severity n={sv['n']} accuracy={sv['accuracy']:.4f} "
                  f"mae={sv['mae']:.4f} majority_level={sv['majority_level']} "
                  f"majority_accuracy={sv['majority_accuracy']:.4f}")  # fmt: skip
        for set_name, items in (("explicit", mix.heldout["explicit"]), ("quickstart", quickstart)):
            figures[set_name] = labelled_verdicts(judge, items)
            f = figures[set_name]
            print(f"judge={name} check={set_name} n={f['n']} right={f['right']}")
            for text in f["wrong"]:
                print(f"  wrong: {text!r}")
        extra_figures[name] = figures
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "judges": extra_figures},
                                              indent=2) + "\n")  # fmt: skip

    table = Table(title="QA moderation: F1 / ROC-AUC per set (false flags on all-safe sets)")
    for col in ("judge", "set", "n", "F1", "prec", "recall", "AUC", "ECE", "false flag", "pairs/s"):
        table.add_column(col, justify="left" if col in ("judge", "set") else "right")
    for row in rows:
        table.add_row(
            row["judge"],
            row["set"],
            str(row["n"]),
            f"{row['f1']:.3f}",
            f"{row['precision']:.3f}",
            f"{row['recall']:.3f}",
            f"{row['auc']:.3f}",
            f"{row['ece']:.3f}",
            f"{row['false_flag']:.3f}" if "false_flag" in row else "-",
            f"{row['pairs_per_s']:.0f}",
        )
    for anchor, (bt, safer) in ANCHORS.items():
        table.add_row(f"[dim]{anchor} (published)[/]", "bt / saferlhf", "", f"{bt} / {safer}")
    console.print(table)


if __name__ == "__main__":
    main()
