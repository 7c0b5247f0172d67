"""The persona evaluation in one call: judges with and without personas, their accuracy on
both sides of held-out pairs (conflict pairs apart, per persona cluster), the tailored
policy's win rate and its harness safety check, saved as ``results.json`` + ``report.html``.

Every step keeps its output in the run folder (judges, generated answers, harness run files),
so a rerun after an interruption redoes only what is missing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field

from beavertail.artifacts import atomic_write_text, reusable
from beavertail.data import RankedPair
from beavertail.evaluate.metrics import proportion
from beavertail.models.generation import SamplingParams
from beavertail.persona.clusters import PersonaClusters, cluster_personas
from beavertail.persona.comparison import safety_check, tailored_answers, win_rates
from beavertail.persona.judge import (
    compare_judges,
    embedding_match,
    judge_inputs,
    side_accuracy,
    side_scores,
    train_persona_judge,
)
from beavertail.persona.report import write_persona_report
from beavertail.preference import PreferenceTrainingConfig, Scorer, load_score_model
from beavertail.settings import Settings


class PersonaEvalSettings(Settings):
    """What ``beavertail persona evaluate`` measures (loadable from YAML/TOML/JSON)."""

    judge: PreferenceTrainingConfig = Field(
        default_factory=PreferenceTrainingConfig,
        description="The preference model trained with and without personas.",
    )
    clusters: int = Field(6, ge=2, description="k-means clusters of the inferred personas.")
    win_pairs: int | None = Field(
        100, ge=1, description="Held-out pairs whose tailored answers are generated."
    )
    sampling: SamplingParams = Field(
        default_factory=lambda: SamplingParams(max_new_tokens=96),
        description="Decoding of the tailored and untailored answers.",
    )
    safety_sets: list[str] = Field(
        default_factory=lambda: ["bt-eval-test"], description="Harmful prompt sets (harness)."
    )
    safety_limit: int | None = Field(56, ge=1, description="Prompts per set, category-balanced.")
    safety_personas: int = Field(
        3, ge=0, description="Cluster representatives run through the harness (and no persona)."
    )
    harness_judge: str | None = Field(None, description="The harness's judge (default: shipped).")


def _judge(
    rows: Sequence[RankedPair], folder: Path, config: PreferenceTrainingConfig, personas: bool
) -> Scorer:
    """The judge trained on ``rows`` (with or without personas), reused from ``folder`` only
    when it was trained there on the same rows and settings."""
    if reusable(folder, judge_inputs(rows, config, personas), "persona judge"):
        return load_score_model(folder, "reward")
    return train_persona_judge(rows, folder, config, personas)


def _per_cluster(
    clusters: PersonaClusters, rows: Sequence[RankedPair], scores: dict[str, Any]
) -> list[dict[str, Any]]:
    """Side accuracy of both judges per cluster of the side's persona."""
    labels: np.ndarray = np.array(
        [clusters.label_of(r.persona_chosen) for r in rows]  # type: ignore[arg-type]
        + [clusters.label_of(r.persona_rejected) for r in rows]  # type: ignore[arg-type]
    )
    right = {
        name: np.concatenate([s.chosen_side(), s.rejected_side()]) for name, s in scores.items()
    }
    return [
        {
            "cluster": c,
            "examples": clusters.examples[c],
            "sides": int((labels == c).sum()),
            **{name: proportion(list(values[labels == c])) for name, values in right.items()},
        }
        for c in range(clusters.count)
    ]


def evaluate_personas(
    train: Sequence[RankedPair],
    test: Sequence[RankedPair],
    output_dir: str | Path,
    policy: str | Path | None = None,
    settings: PersonaEvalSettings | None = None,
    progress: bool = True,
    control_policy: str | Path | None = None,
) -> dict[str, Any]:
    """Measure persona quality (and, with ``policy``, persona tailoring); write the report.

    ``control_policy``: a policy trained on the same answers without personas; the tailored
    policy's win rate against it (``win_rate_control``) tells tailoring apart from having
    learnt the training answers' style, which the untailored base model lacks."""
    settings = settings or PersonaEvalSettings()
    output = Path(output_dir)
    conditioned = _judge(train, output / "judge-persona", settings.judge, True)
    plain = _judge(train, output / "judge-plain", settings.judge, False)
    scores = {
        "conditioned": side_scores(conditioned, test, True, progress),
        "unconditioned": side_scores(plain, test, False, progress),
    }
    results: dict[str, Any] = {
        "train_pairs": len(train),
        "test_pairs": len(test),
        "accuracy": compare_judges(scores["conditioned"], scores["unconditioned"], test),
    }
    personas = [p for r in test for p in (r.persona_chosen, r.persona_rejected) if p]
    clusters = cluster_personas(personas, settings.clusters)
    results["clusters"] = _per_cluster(clusters, test, scores)
    results["embedding_match"] = side_accuracy(embedding_match(test))
    results["identical_personas"] = proportion(
        [float(r.persona_chosen == r.persona_rejected) for r in test]
    )
    if policy is not None:
        shown = list(test)[: settings.win_pairs]
        answers = tailored_answers(
            shown, policy, output / "answers", settings.sampling, progress=progress
        )
        conflict = np.array([a.conflict is True for a in answers])
        groups = {
            "chosen persona": np.array([a.side == "chosen" for a in answers]),
            "rejected persona": np.array([a.side == "rejected" for a in answers]),
            "conflict pairs": conflict,
            "agreeing pairs": ~conflict,
        }
        labels = np.array([clusters.label_of(a.persona) for a in answers])
        groups |= {f"cluster {c}": labels == c for c in range(clusters.count)}
        wins, rates = win_rates(conditioned, answers, groups)
        results["win_rate"] = rates
        results["win_examples"] = [
            {**a.__dict__, "win": float(w)} for a, w in list(zip(answers, wins, strict=True))[:12]
        ]
        if control_policy is not None:
            against_control = tailored_answers(
                shown,
                policy,
                output / "answers",
                settings.sampling,
                progress=progress,
                untailored_policy=control_policy,
            )
            results["win_rate_control"] = win_rates(conditioned, against_control, groups)[1]
        chosen = clusters.representatives()[: settings.safety_personas]
        results["safety"] = safety_check(
            policy,
            [None, *chosen],
            output / "harness",
            settings.safety_sets,
            settings.safety_limit,
            judge=settings.harness_judge,
            progress=progress,
        )
    fields = ("prompt", "persona_chosen", "persona_rejected", "conflict")
    results["examples"] = [{f: getattr(r, f) for f in fields} for r in list(test)[:10]]
    output.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output / "results.json", json.dumps(results, indent=2, default=str))
    write_persona_report(results, output / "report.html")
    return results
