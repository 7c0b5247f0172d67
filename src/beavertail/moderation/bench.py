"""The judge benchmark: every judge on every labelled set, one row per (judge, set).

F1, precision, recall, ROC-AUC and ECE on sets with both labels; the false-flag rate on
all-safe sets; pairs per second on 128 uncached pairs; unparsed verdicts of external judges
counted (and left out of the figures). Published figures of 7B judges sit beside the sets
they were measured on. ``beavertail moderate bench`` prints the table and writes an HTML page;
``bench/moderation.py`` adds the trained comparisons, padding, severity and batch checks.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from beavertail.data.catalog import beavertails_qa, pku_qa
from beavertail.data.padding import PADDING_COUNTS, POSITIONS, padding_benchmark
from beavertail.data.records import QAExample
from beavertail.moderation.metrics import moderation_report, report_headline, severity_metrics
from beavertail.moderation.train import label_matrix, severity_targets
from beavertail.reporting import write_page

# published F1 on BeaverTails 30k_test / SafeRLHF (the judges' papers and model cards)
ANCHORS = {
    "beavertails_test": {
        "BeaverDam-7B": 0.899,
        "MD-Judge-7B": 0.867,
        "WildGuard-7B": 0.844,
        "GPT-4": 0.801,
        "Llama Guard 3-8B": 0.678,
        "Qwen3Guard-Gen-0.6B": 0.861,
        "GuardReasoner-1B": 0.858,
    },
    "saferlhf_test": {
        "BeaverDam-7B": 0.721,
        "GuardReasoner-1B": 0.684,
        "Qwen3Guard-Gen-0.6B": 0.666,
        "MD-Judge-7B": 0.647,
        "WildGuard-7B": 0.642,
        "GPT-4": 0.586,
        "Llama Guard 3-8B": 0.444,
    },
}


def judge_scores(judge: Any, examples: list[QAExample], progress: bool = False) -> np.ndarray:
    """Probabilities (N x (1 + K)) of any judge: shipped, trained, external."""
    prompts, responses = [x.prompt for x in examples], [x.response for x in examples]
    if getattr(judge.spec, "input", "pair") == "prompt":
        return judge.probabilities(prompts, None, progress=progress, cache=True)
    return judge.probabilities(prompts, responses, progress=progress, cache=True)


def speed(judge: Any, examples: list[QAExample], pairs: int = 128) -> float:
    """Pairs per second on ``pairs`` examples, after an 8-pair warm-up, without caches."""
    sample = examples[:pairs]
    prompts, responses = [x.prompt for x in sample], [x.response for x in sample]
    judge.probabilities(prompts[:8], responses[:8])
    start = time.perf_counter()
    judge.probabilities(prompts, responses)
    return len(sample) / (time.perf_counter() - start)


def set_row(judge: Any, name: str, examples: list[QAExample], progress: bool = False) -> dict:
    """One judge on one labelled set."""
    probs = judge_scores(judge, examples, progress)
    parsed = ~np.isnan(probs[:, 0])
    labels = label_matrix(examples, "beavertails-14")
    report = moderation_report(labels[parsed, 0], probs[parsed, 0], judge.threshold)
    if hasattr(judge, "named_categories") and parsed.all():
        report = judge.report(labels, probs)
    return {
        "set": name,
        "n": len(examples),
        "unparsed": int((~parsed).sum()),
        **report_headline(report),
    }


def bench_judges(
    judges: dict[str, Any],
    sets: dict[str, list[QAExample]],
    speed_set: str | None = "beavertails_test",
    progress: bool = False,
) -> list[dict]:
    """Rows for every (judge, set), with each judge's speed."""
    rows = []
    for judge_name, judge in judges.items():
        pairs_per_s = speed(judge, sets[speed_set]) if speed_set in sets else float("nan")
        for set_name, examples in sets.items():
            rows.append(
                {
                    "judge": judge_name,
                    **set_row(judge, set_name, examples, progress),
                    "pairs_per_s": pairs_per_s,
                }
            )
    return rows


def row_line(row: dict) -> str:
    """``judge= set= n= f1= ...`` (what benchmarks print, one line per row)."""
    return " ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items())


def _cells(row: dict) -> list[str]:
    """A row's table cells; an all-safe set (no ROC-AUC) has only false flags to show."""
    figures = ("f1", "precision", "recall", "auc")
    all_safe = row["auc"] != row["auc"]
    cells = [row["judge"], str(row["n"]), str(row["unparsed"])]
    cells += ["—"] * 4 if all_safe else [f"{row[k]:.3f}" for k in figures]
    return [*cells, f"{row['false_flag']:.1%}", f"{row['pairs_per_s']:.1f}"]


def write_bench_page(rows: list[dict], path: str | Path) -> Path:
    """An HTML page of the rows, grouped by set, with the published anchors of each set."""
    sets = [
        (
            name,
            [_cells(r) for r in rows if r["set"] == name],
            list(ANCHORS.get(name, {}).items()),
        )
        for name in dict.fromkeys(r["set"] for r in rows)
    ]
    return write_page(path, "judge_bench.html", sets=sets)


# -- checks of what a pair judge reads (bench/moderation.py, bench/judge_targets.py) --------
def flagged(judge: Any, examples: list[QAExample], progress: bool = False) -> np.ndarray:
    """Which pairs the judge flags at its own threshold (features cached)."""
    if not examples:
        return np.zeros(0, dtype=bool)
    return judge_scores(judge, examples, progress)[:, 0] >= judge.threshold


def padding_figures(
    judge: Any, root: str | Path | None, per_setting: int, progress: bool = False
) -> list[dict]:
    """Flag rate of padded BeaverTails-test unsafe answers over the unpadded one, and false
    flags on safe answers padded the same way, per padding setting (1/3/8/20 held-out
    harmless sentences before or after)."""
    test = list(beavertails_qa("test", root))
    unsafe = [x for x in test if not x.is_safe][:per_setting]
    safe = [x for x in test if x.is_safe][:per_setting]
    base = flagged(judge, unsafe, progress).mean()
    rows = [
        {
            "count": 0,
            "position": "-",
            "flag_rate": float(base),
            "flag_ratio": 1.0,
            "safe_false_flag": float(flagged(judge, safe, progress).mean()),
        }
    ]
    padded_unsafe = padding_benchmark(unsafe, root)
    padded_safe = padding_benchmark(safe, root)
    for count in PADDING_COUNTS:
        for position in POSITIONS:
            rate = float(flagged(judge, padded_unsafe[(count, position)], progress).mean())
            rows.append(
                {
                    "count": count,
                    "position": position,
                    "flag_rate": rate,
                    "flag_ratio": rate / base if base else float("nan"),
                    "safe_false_flag": float(
                        flagged(judge, padded_safe[(count, position)], progress).mean()
                    ),
                }
            )
    return rows


def severity_figures(judge: Any, root: str | Path | None, progress: bool = False) -> dict:
    """Exact-level accuracy and MAE on the unsafe PKU-SafeRLHF test answers with a level."""
    unsafe = [x for x in pku_qa("test", root) if not x.is_safe and x.severity]
    _, severity = judge.judge([x.prompt for x in unsafe], [x.response for x in unsafe], progress)
    if severity is None:
        return {"n": 0}
    return severity_metrics(severity_targets(unsafe), severity)


def labelled_verdicts(judge: Any, examples: list[QAExample]) -> dict:
    """How many verdicts match the examples' labels, and the answers of the wrong ones."""
    verdicts = judge.predict([x.prompt for x in examples], [x.response for x in examples])
    right = [v.flagged != x.is_safe for v, x in zip(verdicts, examples, strict=True)]
    wrong = [x.response[:60] for x, ok in zip(examples, right, strict=True) if not ok]
    return {"n": len(examples), "right": int(sum(right)), "wrong": wrong}


def category_figures(judge: Any, examples: list[QAExample], progress: bool = False) -> dict:
    """How well a flagged verdict names categories, on labelled unsafe pairs it flags:
    ``top_in_labels`` (its most likely category is one of the pair's), ``named_precision``
    (share of named categories that are the pair's), ``named_share`` (flagged pairs that name
    any), and the category macro-F1 of the judge's report on all ``examples``."""
    probs = judge_scores(judge, examples, progress)
    labels = label_matrix(examples, judge.spec.taxonomy)
    named = judge.named_categories(probs)
    rows = [
        i
        for i, x in enumerate(examples)
        if not x.is_safe and x.categories and probs[i, 0] >= judge.threshold
    ]
    top = np.argmax(probs[rows, 1:], axis=1)
    hits = labels[rows, 1:][np.arange(len(rows)), top]
    named_rows = named[rows]
    correct = (named_rows & (labels[rows, 1:] > 0)).sum()
    return {
        "n": len(rows),
        "top_in_labels": float(hits.mean()) if rows else float("nan"),
        "named_precision": float(correct / max(named_rows.sum(), 1)),
        "named_share": float(named_rows.any(1).mean()) if rows else float("nan"),
        "category_macro_f1": judge.report(labels, probs)["category_macro_f1"],
    }


def batch_difference(judge: Any, examples: list[QAExample]) -> float:
    """The largest score difference between pairs judged one at a time and together."""
    prompts, responses = [x.prompt for x in examples], [x.response for x in examples]
    together = judge.probabilities(prompts, responses)
    alone = np.concatenate(
        [judge.probabilities([p], [r]) for p, r in zip(prompts, responses, strict=True)]
    )
    return float(np.abs(together - alone).max())
