"""LoRA supervised fine-tuning of a policy on (prompt, answer) rows with TRL's SFTTrainer.

The loss covers the answer only (TRL's prompt-completion format); checkpoints, batching and
resumes are the ones every trainer here shares (:mod:`beavertail.models.training`). The run's
settings are an :class:`AlignConfig` (learning rate, epochs, batch, length, LoRA shape, seed);
its preference fields are not read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beavertail.align.config import AlignConfig
from beavertail.align.trainer import (
    TrainResult,
    finish_run,
    lora_trainer,
    resumable_run,
    run_trainer,
    trainer_arguments,
)
from beavertail.models.adapters import save_adapter
from beavertail.models.causal import LoadedLM, chat_text
from beavertail.models.training import SafetensorsCheckpoints


@dataclass(frozen=True)
class SFTRow:
    """One supervised example: the model should answer ``prompt`` with ``answer`` (after
    ``system``, a system prompt, when given)."""

    prompt: str
    answer: str
    system: str | None = None


def sft_rows(lm: LoadedLM, rows: Sequence[SFTRow]) -> Any:
    """A TRL prompt-completion dataset, the prompt rendered with the model's chat template."""
    from datasets import Dataset

    eos = lm.tokenizer.eos_token or ""
    return Dataset.from_dict(
        {
            "prompt": [chat_text(lm.tokenizer, r.prompt, None, r.system) for r in rows],
            "completion": [r.answer.strip() + eos for r in rows],
        }
    )


def _trainer_class() -> type:
    from trl import SFTTrainer

    class PolicySFTTrainer(SafetensorsCheckpoints, SFTTrainer):
        """SFTTrainer with safetensors checkpoints and length-grouped, seed-fixed batches."""

        def example_lengths(self, dataset: Any) -> list[int]:
            limit = self.args.max_length or 1 << 30
            return [min(limit, len(ids)) for ids in dataset["input_ids"]]

    return PolicySFTTrainer


def train_sft_adapter(
    lm: LoadedLM,
    rows: Sequence[SFTRow],
    config: AlignConfig,
    output_dir: str | Path,
    progress: bool = True,
) -> tuple[Any, TrainResult]:
    """Train a fresh LoRA adapter on ``rows`` (answer tokens only) and return the PEFT model.

    ``lm.model`` receives the adapter. Checkpoints go to ``output_dir/trainer``; an interrupted
    run with the same settings and rows resumes from the last one.
    """
    from trl import SFTConfig

    if not rows:
        raise ValueError("no rows to fine-tune on")
    dataset = sft_rows(lm, rows)
    steps = math.ceil(len(dataset) / config.batch_size) * config.epochs
    run_dir, resume = resumable_run(output_dir, config, dataset.to_dict())
    args = SFTConfig(
        **trainer_arguments(config, run_dir, steps, progress), completion_only_loss=True
    )
    trainer = lora_trainer(_trainer_class(), lm, config, args, dataset)
    seconds, metrics = run_trainer(trainer, resume)
    result = TrainResult(len(rows), 0, trainer.state.global_step, seconds, metrics)
    return trainer.model, result


def save_sft_adapter(
    model: Any,
    output_dir: str | Path,
    config: AlignConfig,
    result: TrainResult,
    data: dict,
    inputs: str | None = None,
) -> Path:
    """Save the adapter as a policy-adapter folder (loadable by ``load_lm(adapter=...)``);
    ``inputs``: the digest of what it was built from (``artifacts.reusable`` checks it)."""
    manifest = {
        "base_model": config.model,
        "method": "sft",
        "config": config.model_dump(),
        "training": {**result.to_dict(), "trainer": "trl.SFTTrainer + peft LoRA"},
        "data": data,
    }
    if inputs is not None:
        manifest["inputs"] = inputs
    save_adapter(model, output_dir, manifest)
    finish_run(output_dir)
    return Path(output_dir)
