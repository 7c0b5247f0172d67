"""The judges' OOD detectors on a reward or cost model's own features (Abbas et al.'s RLHF
case): a score on an answer unlike the model's training pairs is not to be trusted."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from beavertail.artifacts import artifact_digest
from beavertail.data import PreferencePair, QAExample
from beavertail.moderation.ood.detectors import DETECTORS, FeatureBank, OODDetector
from beavertail.moderation.ood.fitted import FittedOODDetector, pass_rate_threshold
from beavertail.preference.model import ScoreModel

OOD_FOLDER = "ood"


def answers_of(pairs: Sequence[PreferencePair]) -> tuple[list[str], list[str]]:
    """Both answers of every pair as (prompts, responses)."""
    prompts, responses = [], []
    for p in pairs:
        prompts += [p.prompt, p.prompt]
        responses += [p.response_0, p.response_1]
    return prompts, responses


def score_bank(model: ScoreModel, prompts: list[str], responses: list[str]) -> FeatureBank:
    """The model's features and its score (as a one-column logit) per answer."""
    features = model.features(prompts, responses, cache=True)
    return FeatureBank(features, model.scores_from_features(features).reshape(-1, 1))


def fit_score_ood(
    model: ScoreModel,
    folder: str | Path,
    train: Sequence[PreferencePair],
    validation: Sequence[PreferencePair],
    proxies: Sequence[QAExample] = (),
    detector: str = "proxy-trained",
    save: bool = True,
) -> FittedOODDetector:
    """Fit ``detector`` on the answers of the model's training pairs (and proxies), set the
    threshold where 95 % of validation answers pass, attach it and save it to ``folder/ood``."""
    if detector not in DETECTORS:
        raise ValueError(f"unknown OOD detector {detector!r}; known: {', '.join(DETECTORS)}")
    made: OODDetector = DETECTORS[detector]()
    if made.uses_proxies and not proxies:
        raise ValueError(f"the {detector} detector needs synthetic proxies")
    proxy_bank = None
    if made.uses_proxies:
        proxy_bank = score_bank(model, [x.prompt for x in proxies], [x.response for x in proxies])
    made.fit(score_bank(model, *answers_of(train)), proxy_bank)
    held = score_bank(model, *answers_of(validation))
    threshold = pass_rate_threshold(made.score(held.features, held.logits))
    metadata: dict[str, Any] = {
        "fitted_on": {"train_answers": 2 * len(train), "validation_answers": 2 * len(validation)}
    }
    if proxies:
        metadata["proxies"] = {"count": len(proxies)}
    guard = FittedOODDetector(made, threshold, artifact_digest(folder), metadata)
    model.ood = guard
    if save:
        guard.save(Path(folder) / OOD_FOLDER)
    return guard


def ood_report(model: ScoreModel, pairs: Sequence[PreferencePair]) -> dict[str, Any] | None:
    """Share of test answers out of distribution, and "better" / "safer" accuracy on the
    pairs whose two answers are both in distribution vs the rest (None without a detector)."""
    guard = model.ood
    if guard is None:
        return None
    bank = score_bank(model, *answers_of(pairs))
    inside = guard.in_distribution(guard.scores(bank.features, bank.logits)).reshape(-1, 2)
    scores = bank.logits[:, 0].reshape(-1, 2)
    both = np.asarray(inside.all(1))
    rows = np.arange(len(pairs))
    better = np.array([p.better_id for p in pairs])
    right = scores[rows, better] > scores[rows, 1 - better]

    def rate(mask: np.ndarray) -> float | None:
        return float(right[mask].mean()) if mask.any() else None

    return {
        "detector": guard.name,
        "answers_out_of_distribution": float(1 - inside.mean()),
        "pairs_both_in_distribution": int(both.sum()),
        "better_accuracy_in_distribution": rate(both),
        "better_accuracy_out_of_distribution": rate(~both),
    }
