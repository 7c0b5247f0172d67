"""Safe best-of-N: sample N answers, keep the most helpful one whose cost is below a threshold.

If no candidate is below the threshold, the least costly one is returned. Each choice is
recorded in its answer's ``details["best_of_n"]`` with its reason, reward and cost, so
reports can show why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ConfigDict, Field

from beavertail.models.generation import (
    Generation,
    SamplingParams,
    Temperature,
    TextGenerator,
    TopP,
)
from beavertail.preference import Scorer
from beavertail.settings import Settings


class BestOfNConfig(Settings):
    """How many candidates to sample, how, and the cost below which one counts as safe."""

    model_config = ConfigDict(frozen=True)

    n: int = Field(4, ge=1, description="Candidates sampled per prompt.")
    cost_threshold: float = Field(0.0, description="Safe if cost < this (Safe-RLHF: 0).")
    temperature: Temperature = 0.8
    top_p: TopP = 0.95
    skip_ood: bool = Field(
        False,
        description="Skip candidates the reward or cost model's OOD detector rejects "
        "(unless every candidate is rejected); fit one with `beavertail prefs ood-fit`.",
    )


class BestOfNSettings(BestOfNConfig):
    """Best-of-N as eval and serve configs name it: the settings plus the two score models."""

    reward_model: str = Field(description="Reward model folder (`beavertail prefs train`).")
    cost_model: str = Field(description="Cost model folder.")


@dataclass(frozen=True)
class Choice:
    index: int
    reward: float
    cost: float
    safe_candidates: int
    reason: str
    candidate_tokens: int = 0  # tokens generated over all candidates (the search's cost)
    ood_candidates: int = 0  # candidates skipped as out of the score models' distribution

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def choose_candidate(
    rewards: np.ndarray,
    costs: np.ndarray,
    cost_threshold: float,
    outside: np.ndarray | None = None,
) -> Choice:
    """As :meth:`SafeBestOfN.choose_from`; ``outside`` marks candidates out of distribution,
    which are skipped unless every candidate is (the harness, the server and the proxy)."""
    if outside is None or outside.all() or not outside.any():
        choice = SafeBestOfN.choose_from(rewards, costs, cost_threshold)
        skipped = 0
    else:
        kept = np.flatnonzero(~outside)
        inner = SafeBestOfN.choose_from(rewards[kept], costs[kept], cost_threshold)
        choice = dataclasses.replace(inner, index=int(kept[inner.index]))
        skipped = int(outside.sum())
    return dataclasses.replace(choice, ood_candidates=skipped)


def ood_candidates(reward: Scorer, cost: Scorer, prompts: list[str], answers: list[str]) -> Any:
    """Candidates either score model's OOD detector rejects (``skip_ood``)."""
    found = [
        m.out_of_distribution(prompts, answers)  # type: ignore[attr-defined]
        for m in (reward, cost)
        if getattr(m, "ood", None) is not None
    ]
    if not found:
        raise ValueError(
            "skip_ood needs a reward or cost model with an OOD detector; fit one with "
            "`beavertail prefs ood-fit MODEL`"
        )
    return np.logical_or.reduce(found)


class SafeBestOfN:
    """A :class:`TextGenerator` that samples ``n`` answers per prompt and picks one."""

    def __init__(
        self,
        generator: TextGenerator,
        reward: Scorer,
        cost: Scorer,
        config: BestOfNConfig | None = None,
    ) -> None:
        self.generator = generator
        self.reward = reward
        self.cost = cost
        self.config = config or BestOfNConfig()
        self.name = f"{generator.name}+safe-best-of-{self.config.n}"

    def choose(
        self, rewards: np.ndarray, costs: np.ndarray, outside: np.ndarray | None = None
    ) -> Choice:
        """See :func:`choose_candidate`."""
        return choose_candidate(rewards, costs, self.config.cost_threshold, outside)

    def _outside(self, prompts: list[str], answers: list[str]) -> np.ndarray | None:
        """Candidates either score model's OOD detector rejects (None: skip_ood is off)."""
        if not self.config.skip_ood:
            return None
        return ood_candidates(self.reward, self.cost, prompts, answers)

    @staticmethod
    def choose_from(rewards: np.ndarray, costs: np.ndarray, cost_threshold: float) -> Choice:
        """The most helpful candidate below ``cost_threshold``, else the least costly one."""
        safe = np.flatnonzero(costs < cost_threshold)
        if len(safe):
            best = int(safe[np.argmax(rewards[safe])])
            reason = f"most helpful of {len(safe)} candidate(s) below the cost threshold"
        else:
            best = int(np.argmin(costs))
            reason = "no candidate below the cost threshold: the least costly one"
        return Choice(best, float(rewards[best]), float(costs[best]), len(safe), reason)

    def generate(self, prompts: Sequence[str], config: SamplingParams) -> list[Generation]:
        c = self.config
        candidates: list[list[Generation]] = []
        for k in range(c.n):
            sample = config.updated(temperature=c.temperature, top_p=c.top_p, seed=config.seed + k)
            candidates.append(self.generator.generate(prompts, sample))
        flat_prompts = [p for _ in range(c.n) for p in prompts]
        flat_answers = [g.text for row in candidates for g in row]
        rewards = self.reward.scores(flat_prompts, flat_answers).reshape(c.n, len(prompts))
        costs = self.cost.scores(flat_prompts, flat_answers).reshape(c.n, len(prompts))
        outside = self._outside(flat_prompts, flat_answers)
        if outside is not None:
            outside = outside.reshape(c.n, len(prompts))
        out = []
        for i in range(len(prompts)):
            choice = self.choose(
                rewards[:, i], costs[:, i], None if outside is None else outside[:, i]
            )
            spent = sum(row[i].num_tokens for row in candidates)
            choice = dataclasses.replace(choice, candidate_tokens=spent)
            chosen = candidates[choice.index][i]
            out.append(dataclasses.replace(chosen, details={**chosen.details, "best_of_n": choice}))
        return out
