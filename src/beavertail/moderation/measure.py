"""Measuring judges (and baselines) on labelled QA pairs: the metrics ``moderate eval`` prints."""

from __future__ import annotations

import time
from typing import Protocol

import numpy as np

from beavertail.data.records import QAExample
from beavertail.moderation.judge import Judge
from beavertail.moderation.metrics import moderation_report
from beavertail.moderation.train import label_matrix


class Scorer(Protocol):
    """Anything that gives an 'unsafe' probability per pair (moderators and baselines)."""

    threshold: float

    def unsafe_scores(self, prompts: list[str], responses: list[str]) -> np.ndarray: ...


def evaluate_moderator(
    moderator: Judge, examples: list[QAExample], progress: bool = False, cache: bool = False
) -> dict:
    """Flagged accuracy/precision/recall/F1, ROC-AUC, ECE, per-category F1, confusion, speed."""
    prompts = [x.prompt for x in examples]
    responses = [x.response for x in examples]
    start = time.perf_counter()
    probs = moderator.probabilities(prompts, responses, progress=progress, cache=cache)
    seconds = time.perf_counter() - start
    y = label_matrix(examples, moderator.spec.taxonomy)
    report = moderator.report(y, probs)
    report["pairs_per_s"] = len(examples) / seconds if seconds > 0 else float("nan")
    return report


def evaluate_scorer(scorer: Scorer, examples: list[QAExample]) -> dict:
    """The flagged part of the report for a scorer without category outputs."""
    prompts = [x.prompt for x in examples]
    responses = [x.response for x in examples]
    start = time.perf_counter()
    scores = scorer.unsafe_scores(prompts, responses)
    seconds = time.perf_counter() - start
    y = np.array([not x.is_safe for x in examples])
    report = moderation_report(y, scores, scorer.threshold)
    report["pairs_per_s"] = len(examples) / seconds if seconds > 0 else float("nan")
    return report
