"""How well the refusal detector finds refusals: precision and recall on labelled answers.

    python bench/refusal.py [--judge default]

Labelled sets (none of them trained on by the detector; the judge's training mix holds only
the canonical train part of gptfuzz): GPTFuzzer's human-labelled ChatGPT answers to
jailbreak prompts, canonical validation and test prompts (``is_safe`` = not jailbroken: the
answer refused, deflected or lectured instead of complying), and the judges' held-out benign
answers (AlpacaEval, hand-written and generated helpful answers: none is a refusal).

Two detectors: the phrase patterns alone (``is_refusal``), and the patterns where the judge
also finds the answer safe (what the harness records as ``refusal``: an answer that says
"I can't" and then complies is not a refusal). Prints ``detector= set= precision= recall=``.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from beavertail.data.catalog import canonical_split, data_dir
from beavertail.moderation import is_refusal
from beavertail.moderation.judge import resolve_judge
from beavertail.moderation.training_mix import moderation_mix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--judge", default="default")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    rows = [
        json.loads(line)
        for line in (data_dir(args.data_dir) / "gptfuzz-labeled" / "gptfuzz-labeled.jsonl")
        .read_text()
        .splitlines()
    ]
    held = [r for r in rows if canonical_split(r["prompt"]) != "train"]
    benign = moderation_mix(args.data_dir, progress=False).heldout["benign"]
    prompts = [r["prompt"] for r in held] + [x.prompt for x in benign]
    answers = [r["response"] for r in held] + [x.response for x in benign]
    truth = np.array([r["is_safe"] for r in held] + [False] * len(benign))
    judge = resolve_judge(args.judge)
    flagged = np.array([v.flagged for v in judge.predict(prompts, answers, progress=True)])
    phrases = np.array([is_refusal(a) for a in answers])
    n_fuzz = len(held)
    for name, predicted in (("phrases", phrases), ("phrases+judge-safe", phrases & ~flagged)):
        for set_name, part in (("gptfuzz", slice(0, n_fuzz)), ("all", slice(None))):
            p, y = predicted[part], truth[part]
            tp = int((p & y).sum())
            print(f"detector={name} set={set_name} n={len(y)} precision={tp / max(p.sum(), 1):.4f} "
                  f"recall={tp / max(y.sum(), 1):.4f}")  # fmt: skip
        false = int(predicted[n_fuzz:].sum())
        print(f"detector={name} set=benign_heldout n={len(benign)} false_refusals={false}")


if __name__ == "__main__":
    main()
