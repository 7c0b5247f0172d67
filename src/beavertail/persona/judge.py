"""The persona quality check: a preference model with the persona in its input.

The project's reward model (:func:`beavertail.preference.train_score_model`) is trained on
PI-augmented pairs, each giving two comparisons: given the chosen persona the chosen answer
wins, given the rejected persona the rejected answer wins. The persona goes in front of the
prompt (:func:`persona_prompt`). Good personas let such a model prefer each side under its
own persona; the same model trained without personas prefers one side whatever the persona,
so on both sides together it is right on exactly half the comparisons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from beavertail.artifacts import inputs_digest
from beavertail.data import PreferencePair, RankedPair
from beavertail.evaluate.metrics import proportion
from beavertail.models import SentenceEncoder
from beavertail.preference import PreferenceTrainingConfig, Scorer, train_score_model

PERSONA_HEADER = "About the user: "


def persona_prompt(persona: str | None, prompt: str) -> str:
    """The text a persona-conditioned model reads as the prompt (the prompt alone without
    a persona)."""
    return f"{PERSONA_HEADER}{persona}\n\n{prompt}" if persona else prompt


def _require_personas(rows: Sequence[RankedPair]) -> None:
    missing = [r.source or str(i) for i, r in enumerate(rows) if not r.persona_chosen]
    missing += [r.source or str(i) for i, r in enumerate(rows) if not r.persona_rejected]
    if missing:
        raise ValueError(
            f"{len(missing)} pairs have no persona (first: {missing[0]}); run persona "
            "inference first (beavertail persona infer)"
        )


def _pair(prompt: str, row: RankedPair, chosen_wins: bool) -> PreferencePair:
    safe = (row.chosen_is_safe is not False, row.rejected_is_safe is not False)
    winner = 0 if chosen_wins else 1
    return PreferencePair(prompt, row.chosen, row.rejected, winner, winner, safe, source=row.source)


def conditioned_pairs(rows: Sequence[RankedPair]) -> list[PreferencePair]:
    """Two comparisons per pair: chosen > rejected under the chosen persona, rejected > chosen
    under the rejected persona."""
    _require_personas(rows)
    out = []
    for row in rows:
        out.append(_pair(persona_prompt(row.persona_chosen, row.prompt), row, True))
        out.append(_pair(persona_prompt(row.persona_rejected, row.prompt), row, False))
    return out


def unconditioned_pairs(rows: Sequence[RankedPair]) -> list[PreferencePair]:
    """The pairs as they were: chosen > rejected, no persona."""
    return [_pair(row.prompt, row, True) for row in rows]


def train_persona_judge(
    rows: Sequence[RankedPair],
    output_dir: str | Path,
    config: PreferenceTrainingConfig | None = None,
    personas: bool = True,
    progress: bool = True,
) -> Scorer:
    """A reward model trained on ``rows`` with personas (or, ``personas=False``, without:
    the baseline). Resumes from its checkpoint; saved to ``output_dir`` with the digest of
    its inputs (:func:`judge_inputs`)."""
    pairs = conditioned_pairs(rows) if personas else unconditioned_pairs(rows)
    model = train_score_model(pairs, config, output_dir, progress)
    model.metadata["persona_conditioned"] = personas
    model.metadata["inputs"] = judge_inputs(rows, config, personas)
    model.save(output_dir)
    return model


def judge_inputs(
    rows: Sequence[RankedPair], config: PreferenceTrainingConfig | None, personas: bool
) -> str:
    """What a persona judge is built from: its rows, settings and persona conditioning."""
    settings = (config or PreferenceTrainingConfig()).model_dump()
    return inputs_digest("persona-judge", list(rows), settings, personas)


@dataclass
class SideScores:
    """A model's scores of both answers under both personas (one entry per pair)."""

    chosen_given_chosen: np.ndarray
    rejected_given_chosen: np.ndarray
    chosen_given_rejected: np.ndarray
    rejected_given_rejected: np.ndarray

    def chosen_side(self) -> np.ndarray:
        """1 where the chosen answer wins under the chosen persona (ties count one half)."""
        return _wins(self.chosen_given_chosen, self.rejected_given_chosen)

    def rejected_side(self) -> np.ndarray:
        return _wins(self.rejected_given_rejected, self.chosen_given_rejected)


def _wins(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where(a > b, 1.0, np.where(a < b, 0.0, 0.5))


def side_scores(
    model: Scorer, rows: Sequence[RankedPair], personas: bool = True, progress: bool = False
) -> SideScores:
    """Scores of each answer given each persona (``personas=False``: given the prompt only,
    as the baseline sees it)."""
    _require_personas(rows)
    prompts, answers = [], []
    for row in rows:
        for persona in (row.persona_chosen, row.persona_rejected):
            for answer in (row.chosen, row.rejected):
                prompts.append(persona_prompt(persona if personas else None, row.prompt))
                answers.append(answer)
    scores = np.asarray(model.scores(prompts, answers, progress=progress)).reshape(-1, 2, 2)
    return SideScores(scores[:, 0, 0], scores[:, 0, 1], scores[:, 1, 0], scores[:, 1, 1])


def embedding_match(
    rows: Sequence[RankedPair], encoder: SentenceEncoder | None = None
) -> SideScores:
    """A training-free check of what the personas say about the sides: under each persona,
    an answer's score is its embedding's cosine with the persona's (MiniLM). Personas that
    describe their side's answer put each side's answer closer to its own persona."""
    _require_personas(rows)
    encoder = encoder or SentenceEncoder()
    persona_c = encoder.encode([r.persona_chosen or "" for r in rows])
    persona_r = encoder.encode([r.persona_rejected or "" for r in rows])
    chosen = encoder.encode([r.chosen for r in rows])
    rejected = encoder.encode([r.rejected for r in rows])

    def cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)).clip(1e-8)

    return SideScores(
        cos(persona_c, chosen),
        cos(persona_c, rejected),
        cos(persona_r, chosen),
        cos(persona_r, rejected),
    )


def side_accuracy(scores: SideScores, mask: np.ndarray | None = None) -> dict[str, Any]:
    """Accuracy on the chosen side, the rejected side and both together (Wilson intervals),
    and the share of pairs right on both sides; ``mask`` selects pairs."""
    chosen, rejected = scores.chosen_side(), scores.rejected_side()
    if mask is not None:
        chosen, rejected = chosen[mask], rejected[mask]
    both = np.concatenate([chosen, rejected])
    return {
        "pairs": len(chosen),
        "chosen_side": proportion(list(chosen)),
        "rejected_side": proportion(list(rejected)),
        "both_sides": proportion(list(both)),
        "pair_both_right": proportion(list((chosen == 1) & (rejected == 1))),
    }


def compare_judges(
    with_personas: SideScores, without: SideScores, rows: Sequence[RankedPair]
) -> dict[str, Any]:
    """Side accuracies of the conditioned model's scores (``with_personas``) and the
    baseline's (``without``) on ``rows``: all pairs, and conflict / agreeing pairs apart
    (pairs whose ``conflict`` is unknown count in "all" only)."""
    groups: dict[str, np.ndarray | None] = {"all": None}
    flags = np.array([r.conflict for r in rows], dtype=object)
    if any(f is not None for f in flags):
        groups["conflict"] = flags == True  # noqa: E712 (object array: None stays apart)
        groups["agree"] = flags == False  # noqa: E712
    out: dict[str, Any] = {}
    for name, mask in groups.items():
        cond, base = side_accuracy(with_personas, mask), side_accuracy(without, mask)
        gain = None
        if cond["both_sides"]["value"] is not None and base["both_sides"]["value"] is not None:
            gain = round(100 * (cond["both_sides"]["value"] - base["both_sides"]["value"]), 2)
        out[name] = {"conditioned": cond, "unconditioned": base, "gain_points": gain}
    return out
