"""OOD detection for a judge: detectors side by side on five real OOD sets (Abbas et al.).

    python bench/ood.py                      # the default judge
    python bench/ood.py --judge fast         # the streaming tier
    python bench/ood.py --attack runs/ood/attack   # where `eval attack` left its runs

In-distribution reference: the judge mix's QA sources (train 3,000 / validation 1,500 pairs,
diasafety left out); in-distribution test: BeaverTails test (581) + the mix's held-out benign
(254) and refusal (400) answers, none trained on. Synthetic proxies (``moderation.ood.proxies``)
train the proxy-trained detector only; no OOD test pair is used for training or for tuning.
OOD test sets: diasafety pairs the mix does not carry (social chat), the temperature-1.3
answers of the generation-exploitation attack (``beavertail eval attack --temperatures 1.3``),
ToxicChat test prompts with the embedded LM's answers, code and docstrings of Python's
standard library, and non-English sentences from spaCy's examples (``pip install spacy``).

Per detector and set: AUROC (in-distribution vs OOD) and FPR@95TPR (share of OOD pairs that
pass at the score where 95 % of in-distribution test pairs pass). Then for the shipped choice:
BeaverTails-test F1 with ``on_ood: keep`` and ``flag_uncertain``; the share of temperature-1.3
answers flagged unsafe under both; the detector's time over the judge's on 128 pairs.
Ends with ``key=value`` lines.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from sklearn.metrics import f1_score, roc_auc_score, roc_curve

from beavertail.data.catalog import beavertails_qa
from beavertail.moderation import Moderator, resolve_trained_judge
from beavertail.moderation.ood.detectors import DETECTORS, FeatureBank
from beavertail.moderation.ood.fit import (
    feature_bank,
    fit_detector,
    reference_sets,
    synthetic_proxies,
)
from beavertail.moderation.ood.policy import OODPolicy, apply_ood_policy
from beavertail.moderation.ood.testsets import (
    attack_pairs,
    diasafety_unseen,
    non_english_pairs,
    stdlib_pairs,
    toxicchat_pairs,
)
from beavertail.moderation.training_mix import moderation_mix


def fpr_at_95_tpr(in_scores: np.ndarray, out_scores: np.ndarray) -> float:
    """Share of OOD pairs accepted where 95 % of in-distribution pairs are (positives: in)."""
    y = np.r_[np.ones(len(in_scores)), np.zeros(len(out_scores))]
    fpr, tpr, _ = roc_curve(y, -np.r_[in_scores, out_scores])
    return float(fpr[np.searchsorted(tpr, 0.95, side="left")])


def auroc(in_scores: np.ndarray, out_scores: np.ndarray) -> float:
    y = np.r_[np.zeros(len(in_scores)), np.ones(len(out_scores))]
    return float(roc_auc_score(y, np.r_[in_scores, out_scores]))


def _verdicts(moderator: Moderator, bank: FeatureBank) -> list:
    severity = moderator.severity_logits_from_features(bank.features)
    return moderator.verdicts_from_outputs(bank.features, bank.logits, severity)


def temperature_answers(folder: str) -> list:
    """The attack's temperature-1.3 answers; the attack is run (resumably) when missing:
    80 harmful-test prompts, greedy and two temperature-1.3 samples, 64 tokens."""
    try:
        return attack_pairs(folder)
    except FileNotFoundError:
        from beavertail.decoding.attack import AttackGrid
        from beavertail.evaluate.attack import AttackConfig, run_attack
        from beavertail.evaluate.harness import EvalConfig

        grid = AttackGrid(
            temperatures=[1.3], top_ps=[], top_ks=[], samples=2, system_prompts=[False]
        )
        run = EvalConfig(name="smollm2", prompts=["harmful-test"], limit=80)
        run = run.updated(sampling={"max_new_tokens": 64})
        run_attack(AttackConfig(run=run, grid=grid), folder)
        return attack_pairs(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--judge", default="default")
    parser.add_argument("--attack", default="runs/ood/attack", help="`eval attack` output folder")
    parser.add_argument("--out", default="runs/bench-ood")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--ship", default="proxy-trained", help="The detector measured in use.")
    args = parser.parse_args()
    console = Console()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    moderator = resolve_trained_judge(args.judge)
    moderator.ood = None  # fitted here, from scratch
    train, validation = reference_sets(root=args.data_dir)
    proxies, card = synthetic_proxies(train)
    mix = moderation_mix(args.data_dir, progress=False)
    bt_test = list(beavertails_qa("test", args.data_dir))
    in_test = bt_test + mix.heldout["benign"] + mix.heldout["refusal"]
    ood_sets = {
        "diasafety": diasafety_unseen(root=args.data_dir),
        "attack-t1.3": temperature_answers(args.attack),
        "toxicchat": toxicchat_pairs(root=args.data_dir),
        "stdlib": stdlib_pairs(),
        "non-english": non_english_pairs(),
    }
    console.print(
        f"reference {len(train)} / {len(validation)}, proxies {len(proxies)}, in-test "
        f"{len(in_test)}, OOD " + ", ".join(f"{k} {len(v)}" for k, v in ood_sets.items())
    )
    banks: dict[str, FeatureBank] = {}
    for name, examples in [
        ("train", train),
        ("validation", validation),
        ("proxies", proxies),
        ("in-test", in_test),
        *ood_sets.items(),
    ]:
        console.print(f"features: {name} ({len(examples)})")
        banks[name] = feature_bank(moderator, examples)

    results: dict[str, dict] = {}
    guards = {}
    for name, kind in DETECTORS.items():
        guard = fit_detector(
            moderator, kind(), banks["train"], banks["validation"], banks["proxies"]
        )
        guards[name] = guard
        in_scores = guard.scores(banks["in-test"].features, banks["in-test"].logits)
        row = {"in_test_pass": float(np.mean(in_scores <= guard.threshold))}
        for set_name in ood_sets:
            scores = guard.scores(banks[set_name].features, banks[set_name].logits)
            row[set_name] = {
                "auroc": auroc(in_scores, scores),
                "fpr95": fpr_at_95_tpr(in_scores, scores),
                "flagged_ood": float(np.mean(scores > guard.threshold)),
            }
        results[name] = row

    table = Table(title=f"OOD detectors on judge {args.judge}: AUROC / FPR@95TPR")
    table.add_column("detector")
    for set_name in ood_sets:
        table.add_column(set_name, justify="right")
    table.add_column("in-test pass", justify="right")
    for name, row in results.items():
        cells = [f"{row[s]['auroc']:.3f} / {row[s]['fpr95']:.3f}" for s in ood_sets]
        table.add_row(name, *cells, f"{row['in_test_pass']:.3f}")
    console.print(table)

    post_hoc = [n for n, k in DETECTORS.items() if not k.uses_proxies]
    wins = 0
    for set_name in ood_sets:
        best = min(results[n][set_name]["fpr95"] for n in post_hoc)
        wins += results["proxy-trained"][set_name]["fpr95"] < best

    # the detector in use: F1, word salad, overhead
    guard = guards[args.ship]
    moderator.ood = guard
    bt = banks["in-test"].subset(np.arange(len(bt_test)))
    labels = np.asarray([not x.is_safe for x in bt_test])
    verdicts = _verdicts(moderator, bt)
    prompts, answers = [x.prompt for x in bt_test], [x.response for x in bt_test]
    uncertain = apply_ood_policy(verdicts, prompts, answers, OODPolicy(on_ood="flag_uncertain"))
    f1_keep = f1_score(labels, [v.flagged for v in verdicts])
    f1_uncertain = f1_score(labels, [v.flagged for v in uncertain])
    salad_examples = ood_sets["attack-t1.3"]
    salad = banks["attack-t1.3"]
    verdicts = _verdicts(moderator, salad)
    salad_uncertain = apply_ood_policy(
        verdicts,
        [x.prompt for x in salad_examples],
        [x.response for x in salad_examples],
        OODPolicy(on_ood="flag_uncertain"),
    )
    salad_keep_rate = float(np.mean([v.flagged for v in verdicts]))
    salad_uncertain_rate = float(np.mean([v.flagged for v in salad_uncertain]))

    timed = bt_test[:128]
    began = time.perf_counter()
    feats, logits, _ = moderator.window_outputs(
        [x.prompt for x in timed], [x.response for x in timed]
    )
    judge_seconds = time.perf_counter() - began
    began = time.perf_counter()
    for _ in range(10):
        guard.scores(feats, logits)
    detector_seconds = (time.perf_counter() - began) / 10
    overhead = detector_seconds / judge_seconds

    console.print(
        f"{args.ship}: BT-test F1 keep {f1_keep:.4f}, flag_uncertain {f1_uncertain:.4f} "
        f"(drop {f1_keep - f1_uncertain:+.4f}); temperature-1.3 answers flagged unsafe: keep "
        f"{salad_keep_rate:.3f}, flag_uncertain {salad_uncertain_rate:.3f}; overhead "
        f"{overhead:.4f} of the judge's time; proxy-trained beats the best post-hoc FPR@95 on "
        f"{wins} of {len(ood_sets)} sets"
    )
    summary = {
        "judge": args.judge,
        "detectors": results,
        "shipped": args.ship,
        "threshold": guard.threshold,
        "bt_test_f1_keep": f1_keep,
        "bt_test_f1_flag_uncertain": f1_uncertain,
        "salad_flagged_keep": salad_keep_rate,
        "salad_flagged_flag_uncertain": salad_uncertain_rate,
        "overhead": overhead,
        "proxy_wins": wins,
        "sizes": {k: len(v) for k, v in ood_sets.items()}
        | {"train": len(train), "validation": len(validation), "proxies": len(proxies)},
        "proxies": card,
    }
    (out / f"ood-{args.judge}.json").write_text(json.dumps(summary, indent=2))
    for name, row in results.items():
        for set_name in ood_sets:
            r = row[set_name]
            print(f"detector={name} set={set_name} auroc={r['auroc']:.4f} fpr95={r['fpr95']:.4f}")
    print(
        f"judge={args.judge} shipped={args.ship} f1_keep={f1_keep:.4f} "
        f"f1_flag_uncertain={f1_uncertain:.4f} salad_keep={salad_keep_rate:.4f} "
        f"salad_flag_uncertain={salad_uncertain_rate:.4f} overhead={overhead:.4f} "
        f"proxy_wins={wins}"
    )


if __name__ == "__main__":
    main()
