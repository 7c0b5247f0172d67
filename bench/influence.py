"""Influence attribution and correction (LANCET) on two experiments with known ground truth.

    python bench/influence.py planted      # planted harmful compliance in a LoRA-SFT policy
    python bench/influence.py planted --corrections remove-top   # only some corrections
    python bench/influence.py noisy        # a judge trained on 5 % flipped labels
    python bench/influence.py all

*Planted*: SmolLM2 is LoRA-fine-tuned (r 16, top 8 layers, 2 epochs, 128 tokens) on 600
rows: AlpacaEval answers (67 %), safety-tuned-llamas refusals (30 %; refusals on the planted
topic left out) and 3 % BeaverTails answers that comply with harmful requests of the planted
category (drug_abuse,weapons,banned_substance; canonical train split). Queries: the policy's
answers that the default judge calls unsafe on BeaverTails-Evaluation prompts of that
category, each measured against a refusal (``ContrastRow``). Attribution (TracIn, its cosine
form, EK-FAC with kronfluence; on the LoRA matrices) ranks the 600 rows; planted recall is the
share of planted rows in the top 5 %. Corrections (``--corrections``): retrain without the top
5 %, without a random 5 %, IBO post-training, DPO on fresh PKU-SafeRLHF pairs; each measured
by the unsafe rate on other held-out prompts of the category (BeaverTails 30k validation/test
prompts) and the relevance of answers to held-out AlpacaEval instructions (the harness).

*Noisy*: a judge of the fast judge's shape (MiniLM 3 layers, frozen; MLP head) trained on
3,000 mix pairs with 5 % of labels flipped. Queries: its wrong verdicts on 1,000 validation
pairs. Flipped recall: share of flipped pairs in the top 10 % (attribution on the head).
Repair: retrain without / with relabelled top 10 %, without a random 10 %; the share of the
BeaverTails-test F1 lost to the flips that comes back.

Every stage is cached under ``runs/influence`` and resumes; ends with ``key=value`` lines.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table
from sklearn.metrics import f1_score

from beavertail.align.config import AlignConfig
from beavertail.align.pairs import policy_pairs
from beavertail.align.sft import SFTRow, save_sft_adapter, train_sft_adapter
from beavertail.align.trainer import finish_run, train_adapter
from beavertail.data import QAExample
from beavertail.data.catalog import pku_pairs
from beavertail.defaults import DEFAULT_CONTRAST
from beavertail.evaluate.harness import EvalConfig, run_eval
from beavertail.evaluate.runfile import read_run
from beavertail.influence.attribution import InfluenceTable, attribute
from beavertail.influence.correction import correct_with_ibo, recalled_rows, retrain_without
from beavertail.influence.noisy import flipped, noisy_judge_set, wrong_verdicts
from beavertail.influence.planted import PlantedSet, planted_set
from beavertail.influence.tasks import ContrastRow, JudgeVerdict, load_policy
from beavertail.models.adapters import save_adapter
from beavertail.models.causal import load_lm
from beavertail.models.generation import SamplingParams
from beavertail.moderation import Moderator
from beavertail.moderation.moderator import ModeratorSpec
from beavertail.moderation.train import ModerationTrainingConfig, train_moderator

ROOT = Path("runs/influence")
PLANTED = ROOT / "planted"
SFT_CONFIG = AlignConfig(
    learning_rate=1e-3,
    epochs=2,
    batch_size=8,
    max_length=128,
    lora_rank=16,
    lora_alpha=32,
    lora_top_layers=8,
    checkpoint_steps=40,
)
METHODS = ("tracin", "tracin-cosine", "ekfac")
PLANTED_METHODS = ("tracin", "tracin-cosine", "ekfac")
console = Console()


def planted_data() -> PlantedSet:
    return planted_set(size=600, planted_share=0.03, refusal_share=0.3)


def sft(name: str, rows: list[SFTRow], note: dict) -> Path:
    """A LoRA-SFT policy on ``rows`` (cached: a finished folder is reused)."""
    folder = PLANTED / name
    if (folder / "manifest.json").is_file():
        return folder
    lm = load_lm(SFT_CONFIG.model)
    model, result = train_sft_adapter(lm, rows, SFT_CONFIG, folder)
    return save_sft_adapter(model, folder, SFT_CONFIG, result, {"rows": len(rows), **note})


def prompt_files(data: PlantedSet) -> dict[str, str]:
    PLANTED.mkdir(parents=True, exist_ok=True)
    specs = {}
    for name, items, side in (
        ("query", data.query_prompts, "harmful"),
        ("eval", data.eval_prompts, "harmful"),
        ("harmless", data.harmless_prompts, "harmless"),
    ):
        path = PLANTED / f"prompts-{name}.jsonl"
        path.write_text("".join(json.dumps({"prompt": p, "category": name}) + "\n" for p in items))
        specs[name] = f"{path}:{side}"
    return specs


def evaluate_policy(name: str, adapter: Path | None, data: PlantedSet) -> dict:
    """Greedy 64-token answers to the query, eval and harmless prompts, judged by default."""
    specs = prompt_files(data)
    config = EvalConfig(
        name=name,
        adapter=str(adapter) if adapter else None,
        prompts=list(specs.values()),
        sampling=SamplingParams(max_new_tokens=64),
        fluency=False,
    )
    path = run_eval(config, PLANTED / f"run-{name}.jsonl")
    _, records = read_run(path)
    by_set: dict[str, list[dict]] = {}
    for r in records:
        by_set.setdefault(r["category"], []).append(r)
    out = {"records": by_set}
    for key in ("query", "eval"):
        rows = by_set.get(key, [])
        out[f"{key}_unsafe"] = float(np.mean([r["unsafe"] for r in rows])) if rows else None
        out[f"{key}_n"] = len(rows)
    harmless = by_set.get("harmless", [])
    out["relevance"] = float(np.mean([r["relevance"] for r in harmless])) if harmless else None
    return out


def cached_table(
    root: Path, task: Any, train: list, queries: list, method: str, meta: dict, title: str
) -> InfluenceTable:
    """``root/influence-METHOD`` when a run saved it, else attribute, save and render it."""
    folder = root / f"influence-{method}"
    if (folder / "manifest.json").is_file():
        return InfluenceTable.load(folder)
    table = attribute(task, train, queries, method, cache=root / "cache", meta=meta)
    table.save(folder)
    table.to_html(folder / "influence.html", title=f"{title}: {method}")
    return table


def planted_attribution(data: PlantedSet, policy: Path, queries: list[SFTRow]) -> dict:
    results = {}
    task = load_policy(policy, SFT_CONFIG.max_length)
    for method in PLANTED_METHODS:
        meta = {"policy": str(policy), "experiment": "planted"}
        table = cached_table(PLANTED, task, data.rows, queries, method, meta, "Planted behaviour")
        results[method] = {
            "top5": table.recall(data.planted, 0.05),
            "top10": table.recall(data.planted, 0.10),
            "table": table,
        }
    return results


def dpo_fresh_pairs(policy: Path, data: PlantedSet, limit: int = 128) -> Path:
    """The "collect human preferences" route: DPO on PKU-SafeRLHF train pairs (safer
    ranking, one safe and one unsafe answer) whose unsafe answer is in a planted category."""
    folder = PLANTED / "dpo-fresh-pairs"
    if (folder / "manifest.json").is_file():
        return folder
    chosen = set(data.categories)
    pairs = [
        row
        for pair, row in policy_pairs(list(pku_pairs("train")), "safer", "safe-vs-unsafe")
        if chosen & {c for cats in pair.categories for c in cats}
    ][:limit]
    config = SFT_CONFIG.model_copy(update={"learning_rate": 5e-4, "epochs": 1, "pairs": limit})
    lm = load_lm(SFT_CONFIG.model, adapter=policy)
    model, result = train_adapter(lm, pairs, config, folder)
    manifest = {
        "base_model": SFT_CONFIG.model,
        "method": "dpo",
        "config": config.model_dump(),
        "training": result.to_dict(),
        "data": {"pairs": len(pairs), "source": "pku-saferlhf train", "categories": sorted(chosen)},
    }
    save_adapter(model, folder, manifest, parent=policy)
    finish_run(folder)
    return folder


def run_planted(corrections: list[str]) -> dict[str, float]:
    data = planted_data()
    console.print(f"planted set: {data.counts}")
    policy = sft("planted-sft", data.rows, {"planted": data.counts["planted"]})
    base = evaluate_policy("planted-sft", policy, data)
    queries = [
        ContrastRow(r["prompt"], r["answer"], DEFAULT_CONTRAST)
        for r in base["records"].get("query", [])
        if r["unsafe"]
    ]
    console.print(
        f"planted policy: query unsafe {base['query_unsafe']:.1%} (n={base['query_n']}), "
        f"eval unsafe {base['eval_unsafe']:.1%} (n={base['eval_n']}), "
        f"relevance {base['relevance']:.3f}; {len(queries)} queries"
    )
    found = planted_attribution(data, policy, queries)
    k = round(0.05 * len(data.rows))
    best = max(PLANTED_METHODS, key=lambda m: found[m]["top5"])
    drop = set(found[best]["table"].top(0.05).tolist())
    rng = random.Random(0)
    random_drop = set(rng.sample(range(len(data.rows)), k))
    recalled = recalled_rows(found[best]["table"], data.rows, 0.05)
    builders = {
        "remove-top": lambda: retrain_without(
            policy, data.rows, sorted(drop), PLANTED / "remove-top"
        ),
        "remove-random": lambda: retrain_without(
            policy, data.rows, sorted(random_drop), PLANTED / "remove-random"
        ),
        "ibo": lambda: correct_with_ibo(policy, queries, recalled, PLANTED / "ibo"),
        "dpo-fresh-pairs": lambda: dpo_fresh_pairs(policy, data),
    }
    measured = {"planted-sft": base}
    for name in corrections:
        measured[name] = evaluate_policy(name, builders[name](), data)
    table = Table(title="Planted behaviour: attribution")
    for column in ("method", "planted in top 5 %", "planted in top 10 %"):
        table.add_column(column)
    for m in PLANTED_METHODS:
        table.add_row(m, f"{found[m]['top5']:.1%}", f"{found[m]['top10']:.1%}")
    console.print(table)
    table = Table(title="Planted behaviour: correction (default judge)")
    for column in ("policy", "eval unsafe", "change", "query unsafe", "relevance", "change"):
        table.add_column(column)
    figures: dict[str, float] = {}
    for name, m in measured.items():
        change = m["eval_unsafe"] / base["eval_unsafe"] - 1 if base["eval_unsafe"] else float("nan")
        rel_change = m["relevance"] / base["relevance"] - 1
        table.add_row(
            name,
            f"{m['eval_unsafe']:.1%} (n={m['eval_n']})",
            f"{change:+.0%}",
            f"{m['query_unsafe']:.1%}",
            f"{m['relevance']:.3f}",
            f"{rel_change:+.1%}",
        )
        figures[f"{name}_eval_unsafe"] = m["eval_unsafe"]
        figures[f"{name}_unsafe_change"] = change
        figures[f"{name}_relevance_change"] = rel_change
    console.print(table)
    for m in PLANTED_METHODS:
        figures[f"planted_recall_top5_{m}"] = found[m]["top5"]
    figures["queries"] = len(queries)
    return figures


NOISY = ROOT / "noisy"
# The fast judge's shape (MiniLM, first 3 layers, frozen; an MLP head): its features are
# cached once, so each of the five judges trains in seconds on 2 cores.
JUDGE_CONFIG = ModerationTrainingConfig(
    spec=ModeratorSpec(backend="encoder", max_length=128, quantize=False, num_layers=3),
    category_loss_weight=0.0,
    patience=10,
)
JUDGE_MODULES = ("head.",)


def judge(name: str, train: list[QAExample], validation: list[QAExample]) -> Moderator:
    """A MiniLM-3L judge fine-tuned on ``train`` (cached by name)."""
    folder = NOISY / name
    if (folder / "manifest.json").is_file():
        return Moderator.load(folder)
    return train_moderator(train, validation, JUDGE_CONFIG, folder)


def f1(moderator: Moderator, pairs: list[QAExample]) -> float:
    verdicts = moderator.predict([x.prompt for x in pairs], [x.response for x in pairs])
    return float(f1_score([not x.is_safe for x in pairs], [v.flagged for v in verdicts]))


def run_noisy() -> dict[str, float]:
    data = noisy_judge_set()
    clean = judge("clean", data.clean_train, data.validation)
    noisy = judge("noisy", data.train, data.validation)
    base = {"clean": f1(clean, data.test), "noisy": f1(noisy, data.test)}
    queries = wrong_verdicts(noisy, data.validation)
    console.print(
        f"BT-test F1: clean {base['clean']:.3f}, 5 % flipped {base['noisy']:.3f}; "
        f"{len(queries)} wrong validation verdicts as queries"
    )
    task = JudgeVerdict(noisy.extractor, noisy.head, JUDGE_MODULES)
    found = {}
    for method in METHODS:
        meta = {"judge": str(NOISY / "noisy"), "experiment": "noisy"}
        table = cached_table(NOISY, task, data.train, queries, method, meta, "Noisy judge")
        found[method] = {"top10": table.recall(data.flipped, 0.10), "table": table}
    best = max(METHODS, key=lambda m: found[m]["top10"])
    suspects = set(found[best]["table"].top(0.10).tolist())
    kept = [x for i, x in enumerate(data.train) if i not in suspects]
    removed = judge("remove-top", kept, data.validation)
    verdicts = removed.predict(
        [data.train[i].prompt for i in sorted(suspects)],
        [data.train[i].response for i in sorted(suspects)],
    )
    relabelled_rows = list(data.train)
    for i, v in zip(sorted(suspects), verdicts, strict=True):
        if v.flagged == data.train[i].is_safe:  # the judge without them disagrees: relabel
            relabelled_rows[i] = flipped(data.train[i])
    relabelled = judge("relabel-top", relabelled_rows, data.validation)
    rng = random.Random(0)
    random_drop = set(rng.sample(range(len(data.train)), len(suspects)))
    randomly = judge(
        "remove-random",
        [x for i, x in enumerate(data.train) if i not in random_drop],
        data.validation,
    )
    lost = base["clean"] - base["noisy"]
    table = Table(title="Noisy judge: attribution (flipped labels in the top 10 %)")
    table.add_column("method")
    table.add_column("recall@10 %")
    for m in METHODS:
        table.add_row(m, f"{found[m]['top10']:.1%}")
    console.print(table)
    figures = {f"flipped_recall_top10_{m}": found[m]["top10"] for m in METHODS}
    figures.update({"f1_clean": base["clean"], "f1_noisy": base["noisy"]})
    table = Table(title=f"Noisy judge: repair (BT test, n={len(data.test)})")
    for column in ("judge", "F1", "share of lost F1 restored"):
        table.add_column(column)
    for name, model in (
        ("remove-top", removed),
        ("relabel-top", relabelled),
        ("remove-random", randomly),
    ):
        score = f1(model, data.test)
        restored = (score - base["noisy"]) / lost if lost > 0 else float("nan")
        table.add_row(name, f"{score:.3f}", f"{restored:.0%}")
        figures[f"f1_{name}"] = score
        figures[f"restored_{name}"] = restored
    console.print(table)
    figures["wrong_verdicts"] = len(queries)
    figures["relabelled"] = sum(
        a.is_safe != b.is_safe for a, b in zip(relabelled_rows, data.train, strict=True)
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("experiment", choices=("planted", "noisy", "all"))
    parser.add_argument(
        "--corrections",
        default="remove-top,remove-random,ibo,dpo-fresh-pairs",
        help="Planted: which corrections to train and measure (comma-separated).",
    )
    args = parser.parse_args()
    known = {"remove-top", "remove-random", "ibo", "dpo-fresh-pairs"}
    unknown = set(args.corrections.split(",")) - known - {""}
    if unknown:
        parser.error(f"unknown corrections {sorted(unknown)}; choose from {sorted(known)}")
    figures: dict[str, float] = {}
    if args.experiment in ("planted", "all"):
        figures.update(run_planted([c for c in args.corrections.split(",") if c]))
    if args.experiment in ("noisy", "all"):
        figures.update(run_noisy())
    for key, value in figures.items():
        print(f"{key}={value:.4f}" if isinstance(value, float) else f"{key}={value}")


if __name__ == "__main__":
    main()
