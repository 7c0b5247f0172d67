"""Persona tailoring (PT): a policy that answers the user its system prompt describes.

Training rows come from PI-augmented pairs: under the chosen persona the chosen answer is the
target, under the rejected persona the rejected one (SFT), or the same two comparisons as
DPO pairs. ``safe_only`` (the default) drops every row whose target answer is labelled unsafe:
a tailored policy must not learn harm from the personas who preferred it. Training is
:mod:`beavertail.align`'s LoRA SFT or DPO, with the persona as the system prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field

from beavertail.align import AlignConfig, PolicyPair, train_adapter
from beavertail.align.run import save_dpo_adapter
from beavertail.align.sft import SFTRow, save_sft_adapter, train_sft_adapter
from beavertail.artifacts import inputs_digest, reusable
from beavertail.data import RankedPair
from beavertail.models import load_lm
from beavertail.settings import Settings

PERSONA_SYSTEM = "Tailor your answer to the user described here. {persona}"


def persona_system(persona: str) -> str:
    """The system prompt that hands a policy the user's persona."""
    return PERSONA_SYSTEM.format(persona=persona.strip())


def _default_align() -> AlignConfig:
    return AlignConfig(
        learning_rate=5e-4,
        epochs=1,
        batch_size=8,
        max_length=160,
        lora_top_layers=8,
        checkpoint_steps=20,
    )


class TailoringSettings(Settings):
    """A persona-tailoring run (loadable from YAML/TOML/JSON; flags override)."""

    method: Literal["sft", "dpo"] = Field("sft", description="LoRA SFT or DPO.")
    safe_only: bool = Field(
        True, description="Leave out rows whose target answer is labelled unsafe."
    )
    pairs: int | None = Field(None, ge=1, description="Use the first N pairs (default: all).")
    personas: bool = Field(
        True,
        description="Off (--no-personas): the same rows without the persona (the untailored "
        "control, which tells tailoring apart from learning the answers' style).",
    )
    align: AlignConfig = Field(
        default_factory=_default_align, description="Training settings (model, LoRA, schedule)."
    )


def _sides(row: RankedPair) -> list[tuple[str, str, str, bool | None]]:
    """(persona, target answer, other answer, target's safety label) for both sides."""
    assert row.persona_chosen and row.persona_rejected
    return [
        (row.persona_chosen, row.chosen, row.rejected, row.chosen_is_safe),
        (row.persona_rejected, row.rejected, row.chosen, row.rejected_is_safe),
    ]


def tailoring_rows(
    rows: Sequence[RankedPair], safe_only: bool = True, personas: bool = True
) -> list[SFTRow]:
    """SFT rows: each side's answer under its persona (``personas=False``: no system prompt)."""
    return [
        SFTRow(row.prompt, target, persona_system(persona) if personas else None)
        for row in rows
        for persona, target, _, safe in _sides(row)
        if target.strip() and not (safe_only and safe is False)
    ]


def tailoring_pairs(
    rows: Sequence[RankedPair], safe_only: bool = True, personas: bool = True
) -> list[PolicyPair]:
    """DPO pairs: each side's answer over the other, under its persona (``personas=False``:
    no system prompt)."""
    return [
        PolicyPair(row.prompt, target, other, persona_system(persona) if personas else None)
        for row in rows
        for persona, target, other, safe in _sides(row)
        if target.strip() and other.strip() and not (safe_only and safe is False)
    ]


def train_tailored_policy(
    rows: Sequence[RankedPair],
    output: str | Path,
    settings: TailoringSettings | None = None,
    progress: bool = True,
) -> Path:
    """Train and save a tailored policy adapter (``load_lm(adapter=output)`` loads it); a
    folder finished on the same rows and settings is returned as it is (one built from other
    inputs is an error), an interrupted run resumes."""
    settings = settings or TailoringSettings()
    output = Path(output)
    if any(not r.persona_chosen or not r.persona_rejected for r in rows):
        raise ValueError("every pair needs both personas: run persona inference first")
    rows = list(rows)[: settings.pairs]
    inputs = inputs_digest("persona-tailoring", rows, settings.model_dump())
    if reusable(output, inputs, "tailored policy"):
        return output
    config = settings.align
    lm = load_lm(config.model)
    data = {
        "task": "persona tailoring",
        "pairs": len(rows),
        "safe_only": settings.safe_only,
        "system_prompt": PERSONA_SYSTEM if settings.personas else None,
    }
    if settings.method == "sft":
        sft = tailoring_rows(rows, settings.safe_only, settings.personas)
        model, result = train_sft_adapter(lm, sft, config, output, progress)
        return save_sft_adapter(model, output, config, result, {**data, "rows": len(sft)}, inputs)
    pairs = tailoring_pairs(rows, settings.safe_only, settings.personas)
    model, result = train_adapter(lm, pairs, config, output, None, progress)
    extra = {"data": {**data, "rows": len(pairs)}, "inputs": inputs}
    return save_dpo_adapter(model, output, config, result, extra)
