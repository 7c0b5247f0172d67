"""How a streaming monitor compares with a full-text judge on labelled (prompt, answer) pairs.

Each held-out answer is replayed token by token (with the LM's tokenizer, so token counts
match generation): the monitor scores the prefix at every checkpoint and stops at the first
flagged one; an answer that is never stopped gets a final check on its whole text, as during
generation. The full-text judge sees only whole answers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from transformers import PreTrainedTokenizerBase

from beavertail.data.records import QAExample
from beavertail.moderation.metrics import binary_metrics
from beavertail.moderation.moderator import Moderator
from beavertail.monitor.stream import StreamMonitor


def checkpoints(num_tokens: int, check_every: int, min_tokens: int) -> list[int]:
    """Token counts at which the monitor checks an answer of ``num_tokens`` tokens."""
    points = [n for n in range(check_every, num_tokens + 1, check_every) if n >= min_tokens]
    if not points or points[-1] != num_tokens:
        points.append(num_tokens)
    return points


def _macro_f1(labels: np.ndarray, predicted: np.ndarray) -> float:
    positive = binary_metrics(labels, predicted)["f1"]
    negative = binary_metrics(~labels, ~predicted)["f1"]
    return (positive + negative) / 2


def evaluate_streaming(
    monitor: StreamMonitor,
    examples: Sequence[QAExample],
    tokenizer: PreTrainedTokenizerBase,
    full_judge: Moderator | None = None,
    progress: bool = False,
) -> dict:
    """Detection quality and timing of stops, against labels and against the full-text judge."""
    if not examples:
        raise ValueError("no examples to evaluate")
    c = monitor.config
    prompts, partials, owners, counts = [], [], [], []
    lengths = []
    for index, example in enumerate(examples):
        ids = tokenizer(example.response, add_special_tokens=False)["input_ids"] or [0]
        lengths.append(len(ids))
        for n in checkpoints(len(ids), c.check_every, c.min_tokens):
            prompts.append(example.prompt)
            partials.append(tokenizer.decode(ids[:n], skip_special_tokens=True))
            owners.append(index)
            counts.append(n)
    scores = monitor.moderator.probabilities(prompts, partials, progress=progress)[:, 0]
    stop_at = np.full(len(examples), -1)
    previous_check = np.zeros(len(examples), dtype=int)
    last_passed: dict[int, int] = {}
    for owner, n, score in zip(owners, counts, scores, strict=True):
        if stop_at[owner] >= 0:
            continue
        if score >= monitor.threshold:
            stop_at[owner] = n
            previous_check[owner] = last_passed.get(owner, 0)
        else:
            last_passed[owner] = n
    labels = np.array([not x.is_safe for x in examples])
    lengths_arr = np.array(lengths)
    stopped = stop_at >= 0
    early = stopped & (stop_at < lengths_arr)
    result: dict = {
        "examples": len(examples),
        "checks": len(partials),
        "check_every": c.check_every,
        "threshold": monitor.threshold,
        "streaming": binary_metrics(labels, stopped) | {"macro_f1": _macro_f1(labels, stopped)},
        "stopped_early_share": float(early.mean()),
    }
    caught = stopped & labels
    if caught.any():
        seen = stop_at[caught] / lengths_arr[caught]
        shown = previous_check[caught] if c.holdback else stop_at[caught]
        result["unsafe_caught"] = int(caught.sum())
        result["share_seen_at_stop"] = {
            "mean": float(seen.mean()),
            "median": float(np.median(seen)),
        }
        result["harmful_tokens_shown_before_stop"] = {
            "mean": float(shown.mean()),
            "median": float(np.median(shown)),
            "mean_answer_tokens": float(lengths_arr[caught].mean()),
        }
    if full_judge is not None:
        full = np.array(
            [
                v.flagged
                for v in full_judge.predict(
                    [x.prompt for x in examples], [x.response for x in examples], progress
                )
            ]
        )
        result["full_text"] = binary_metrics(labels, full) | {"macro_f1": _macro_f1(labels, full)}
        result["agreement_with_full_text"] = float((full == stopped).mean())
    return result
