"""SIPO's self-improvement step (Li et al., 2025): for pairs whose helpfulness and
harmlessness rankings conflict, sample answers from the policy, score them with the reward and
cost models (and the judge), and keep an answer that beats both originals.

Selection per conflicting pair, originals ``a`` (more helpful) and ``b`` (safer):

* a candidate is eligible when the judge calls it safe and it beats both originals on both
  scores: reward above ``max(r_a, r_b)`` and cost below ``min(c_a, c_b)`` (a Pareto
  improvement on the pair);
* among eligible candidates, the one whose smaller standardised improvement is largest is kept;
* it becomes the chosen answer of two new pairs, one against each original.

Eligibility uses the scores that select, so it says nothing of their errors. With a second,
independently trained reward and cost model (``verify_*``), ``verified`` records whether the
kept answer still beats both originals on both of their scores: the share of kept pairs where
it does is the selection's quality figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from beavertail.align.config import SipoSettings
from beavertail.align.pairs import PolicyPair
from beavertail.artifacts import append_rows, appended_rows
from beavertail.data import PreferencePair
from beavertail.models.causal import LoadedLM
from beavertail.models.generation import LocalGenerator, SamplingParams
from beavertail.models.progress import track
from beavertail.preference.spec import Scorer

PROMPTS_PER_BATCH = 4


@dataclass
class Candidate:
    text: str
    reward: float
    cost: float
    flagged: bool


@dataclass
class ConflictChoice:
    """One conflicting pair: its originals' scores and the kept sample (or None)."""

    prompt: str
    better: Candidate
    safer: Candidate
    kept: Candidate | None
    candidates: int
    verified: bool | None = None  # beats both on the verification models' scores too

    def training_pairs(self) -> list[PolicyPair]:
        if self.kept is None:
            return []
        return [
            PolicyPair(self.prompt, self.kept.text, original.text)
            for original in (self.better, self.safer)
        ]


@dataclass
class SipoSelection:
    choices: list[ConflictChoice]

    @property
    def kept(self) -> list[ConflictChoice]:
        return [c for c in self.choices if c.kept is not None]

    def training_pairs(self) -> list[PolicyPair]:
        return [p for c in self.choices for p in c.training_pairs()]

    def summary(self) -> dict[str, Any]:
        kept = self.kept
        checked = [c for c in kept if c.verified is not None]
        verified = sum(bool(c.verified) for c in checked)
        return {
            "conflicts": len(self.choices),
            "kept": len(kept),
            "verified": verified if checked else None,
            "verified_share": verified / len(checked) if checked else None,
            "training_pairs": 2 * len(kept),
        }


def sample_answers(
    lm: LoadedLM,
    prompts: Sequence[str],
    settings: SipoSettings,
    seed: int,
    store: Path,
    progress: bool = True,
) -> list[list[str]]:
    """``settings.samples`` sampled answers per prompt; appended to ``store`` (JSONL) per
    batch, so an interrupted run keeps what it sampled."""
    done: dict[int, list[str]] = {}
    for row in appended_rows(store):
        if row["index"] < len(prompts) and row["prompt"] == prompts[row["index"]]:
            done[row["index"]] = row["samples"]
    generator = LocalGenerator(lm)
    todo = [i for i in range(len(prompts)) if i not in done]
    batches = [todo[k : k + PROMPTS_PER_BATCH] for k in range(0, len(todo), PROMPTS_PER_BATCH)]
    for batch in track(batches, len(batches), "SIPO sampling", progress):
        rows = [prompts[i] for i in batch for _ in range(settings.samples)]
        params = SamplingParams(
            max_new_tokens=settings.max_new_tokens,
            temperature=settings.temperature,
            top_p=settings.top_p,
            seed=seed * 100_003 + batch[0],  # the same batch draws the same after a resume
        )
        texts = [g.text for g in generator.generate(rows, params)]
        for j, i in enumerate(batch):
            done[i] = texts[j * settings.samples : (j + 1) * settings.samples]
        append_rows(store, [{"index": i, "prompt": prompts[i], "samples": done[i]} for i in batch])
    return [done[i] for i in range(len(prompts))]


def beats_both(candidate: Candidate, a: Candidate, b: Candidate) -> bool:
    """Strictly better than both originals on both scores."""
    return candidate.reward > max(a.reward, b.reward) and candidate.cost < min(a.cost, b.cost)


def choose(
    prompt: str,
    better: Candidate,
    safer: Candidate,
    samples: list[Candidate],
    scale: tuple[float, float],
) -> ConflictChoice:
    """The kept sample for one conflicting pair (see the module's rule)."""
    best_reward = max(better.reward, safer.reward)
    best_cost = min(better.cost, safer.cost)
    eligible = [
        s for s in samples if s.text.strip() and not s.flagged and beats_both(s, better, safer)
    ]

    def margin(s: Candidate) -> float:
        return min((s.reward - best_reward) / scale[0], (best_cost - s.cost) / scale[1])

    kept = max(eligible, key=margin) if eligible else None
    return ConflictChoice(prompt, better, safer, kept, len(samples))


def _scored(
    prompts: list[str], texts: list[str], reward: Scorer, cost: Scorer, progress: bool
) -> tuple[np.ndarray, np.ndarray]:
    rewards = np.asarray(reward.scores(prompts, texts, progress=progress), dtype=float)
    return rewards, np.asarray(cost.scores(prompts, texts, progress=progress), dtype=float)


def select_pareto(
    conflicts: Sequence[PreferencePair],
    samples: Sequence[list[str]],
    reward: Scorer,
    cost: Scorer,
    judge: Any,
    verifiers: tuple[Scorer, Scorer] | None = None,
    progress: bool = True,
) -> SipoSelection:
    """Score originals and samples, choose per conflicting pair, and check the kept answers
    with the ``verifiers`` (an independent reward and cost model) when given."""
    prompts: list[str] = []
    texts: list[str] = []
    for pair, answers in zip(conflicts, samples, strict=True):
        for text in (pair.response_0, pair.response_1, *answers):
            prompts.append(pair.prompt)
            texts.append(text)
    rewards, costs = _scored(prompts, texts, reward, cost, progress)
    flags = [v.flagged for v in judge.predict(prompts, texts, progress=progress)]
    scale = (float(np.std(rewards)) or 1.0, float(np.std(costs)) or 1.0)
    choices = []
    k = 0
    for pair, answers in zip(conflicts, samples, strict=True):
        cands = [
            Candidate(texts[k + j], float(rewards[k + j]), float(costs[k + j]), bool(flags[k + j]))
            for j in range(2 + len(answers))
        ]
        k += len(cands)
        better, safer = cands[pair.better_id], cands[pair.safer_id]
        choices.append(choose(pair.prompt, better, safer, cands[2:], scale))
    selection = SipoSelection(choices)
    kept = selection.kept
    if verifiers is not None and kept:
        triples = [(c.kept.text, c.better.text, c.safer.text) for c in kept if c.kept]
        check_prompts = [c.prompt for c in kept for _ in range(3)]
        check_texts = [t for triple in triples for t in triple]
        vr, vc = _scored(check_prompts, check_texts, *verifiers, progress)
        for i, choice in enumerate(kept):
            a, b, c = (
                Candidate("", float(vr[3 * i + j]), float(vc[3 * i + j]), False) for j in range(3)
            )
            choice.verified = bool(beats_both(a, b, c))
    return selection


def selection_records(selection: SipoSelection) -> list[dict[str, Any]]:
    """One JSON-ready record per conflicting pair (written beside the adapter)."""
    return [asdict(c) for c in selection.choices]
