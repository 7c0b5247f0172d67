"""The training data steering uses by default: only training splits, never test prompts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from beavertail.data import EvalPrompt, QAExample
from beavertail.data.catalog import beavertails_qa, prompts


@dataclass
class SteeringData:
    unsafe: list[QAExample]  # BeaverTails train, unsafe answers (categories pick the vectors)
    safe: list[QAExample]  # BeaverTails train, safe answers: the generic safe pool
    router_harmful: list[QAExample | EvalPrompt]  # harmful prompts, with categories when known
    router_harmless: list[str]  # generic harmless instructions
    validation: tuple[list[str], list[str]]  # (harmful, harmless) prompts for the router check
    instructions: tuple[list[str], list[str]]  # (harmful, harmless) train instructions (Arditi)


def default_steering_data(root: str | Path | None = None) -> SteeringData:
    """BeaverTails canonical train split + the refusal-direction harmful/harmless train sets."""
    train = list(beavertails_qa("train", root))
    unsafe = [e for e in train if not e.is_safe]
    harmful_train = list(prompts("harmful-train", True, root))
    harmless_train = [p.prompt for p in prompts("harmless-train", False, root)]
    return SteeringData(
        unsafe=unsafe,
        safe=[e for e in train if e.is_safe],
        router_harmful=[*unsafe, *harmful_train],
        router_harmless=harmless_train,
        validation=(
            [p.prompt for p in prompts("harmful-val", True, root)],
            [p.prompt for p in prompts("harmless-val", False, root)][:200],
        ),
        instructions=([p.prompt for p in harmful_train], harmless_train),
    )
