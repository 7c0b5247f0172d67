"""LoRA training of a causal LM on ranked pairs with TRL's DPOTrainer (DPO and MODPO).

The reference model is the policy with its adapter disabled: no second copy in memory. Its
log-probabilities are computed once before training (``precompute_ref_log_probs``).

MODPO (Zhou et al., 2024) trains on one objective's pairs with the other objective entering as
a margin from its preference model. With weight ``w`` on the trained objective and margin
``Δr = r(x, chosen) − r(x, rejected)`` from the other objective's model, its loss is

    −log σ( (β / w) · (Δ log π − Δ log π_ref) − ((1 − w) / w) · Δr ),

which is DPO with β' = β / w and the reference's chosen log-probability raised by
``(1 − w) / β · Δr``: :class:`PolicyDPOTrainer` folds the margin in exactly there, so TRL's own
loss, metrics and batching stay as they are.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from beavertail.align.config import AlignConfig, LoraSettings
from beavertail.align.pairs import PolicyPair
from beavertail.models.adapters import read_adapter_manifest
from beavertail.models.causal import LoadedLM, chat_text
from beavertail.models.training import SafetensorsCheckpoints, resumable_checkpoint
from beavertail.preference.tuning import LORA_TARGETS
from beavertail.settings import Settings

if TYPE_CHECKING:
    from transformers import TrainerCallback

TRAINER_FOLDER = "trainer"  # checkpoints while training; removed once the adapter is saved


@dataclass
class TrainResult:
    """What one training run did: its steps, time and TRL's last logged metrics."""

    pairs: int
    dropped: int  # pairs whose prompt alone fills max_length (TRL leaves them out)
    steps: int
    seconds: float
    metrics: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "dropped": self.dropped,
            "steps": self.steps,
            "seconds": round(self.seconds, 1),
            "metrics": self.metrics,
        }


def _trainer_class() -> type:
    """Built on first use: importing TRL takes seconds and is only needed for training."""
    from trl import DPOTrainer

    class PolicyDPOTrainer(SafetensorsCheckpoints, DPOTrainer):
        """DPOTrainer with safetensors checkpoints, length-grouped batches and MODPO margins.

        ``margin_scale``: a ``margin`` column is folded into the precomputed reference
        log-probability of the chosen answer, scaled by this (0: plain DPO).
        """

        def __init__(self, *args: Any, margin_scale: float = 0.0, **kwargs: Any) -> None:
            self.margin_scale = margin_scale
            super().__init__(*args, **kwargs)

        def example_lengths(self, dataset: Any) -> list[int]:
            limit = self.args.max_length or 1 << 30
            columns = (dataset["prompt_ids"], dataset["chosen_ids"], dataset["rejected_ids"])
            return [
                min(limit, len(p) + max(len(c), len(r))) for p, c, r in zip(*columns, strict=True)
            ]

        def _precompute_ref_logps(self, dataset: Any, name: str, batch_size: int) -> Any:
            # The only place TRL 1.x exposes the precomputed reference log-probabilities per
            # example (its public compute_ref_log_probs sees collated batches, which drop the
            # margin column), so this private method is overridden; a contract test pins it.
            dataset = super()._precompute_ref_logps(dataset, name, batch_size)
            if not self.margin_scale:
                return dataset
            if "margin" not in dataset.column_names:
                raise ValueError(
                    "MODPO needs a margin per pair (margin_scale is "
                    f"{self.margin_scale}) but the {name} data has no margin column"
                )
            shifted = [
                ref + self.margin_scale * margin
                for ref, margin in zip(dataset["ref_chosen_logps"], dataset["margin"], strict=True)
            ]
            dataset = dataset.remove_columns("ref_chosen_logps")
            return dataset.add_column("ref_chosen_logps", shifted)

    return PolicyDPOTrainer


def dpo_rows(
    lm: LoadedLM, pairs: Sequence[PolicyPair], margins: Sequence[float] | None = None
) -> Any:
    """A TRL preference dataset: the prompt rendered with the model's chat template."""
    from datasets import Dataset

    rows: dict[str, list[Any]] = {
        "prompt": [chat_text(lm.tokenizer, p.prompt, None, p.system) for p in pairs],
        "chosen": [p.chosen.strip() for p in pairs],
        "rejected": [p.rejected.strip() for p in pairs],
    }
    if margins is not None:
        rows["margin"] = [float(m) for m in margins]
    return Dataset.from_dict(rows)


def modpo_scales(config: AlignConfig) -> tuple[float, float]:
    """(trainer β, margin scale) for a run: DPO's (β, 0), MODPO's (β / w, (1 − w) / β)
    where ``w`` is the weight of the objective whose pairs are trained on."""
    if config.method != "modpo":
        return config.beta, 0.0
    w = max(config.weight, 1 - config.weight)
    return config.beta / w, (1 - w) / config.beta


def top_layers(lm: LoadedLM, count: int | None) -> list[int] | None:
    """The indices of the top ``count`` decoder layers (None: every layer)."""
    if count is None:
        return None
    if count > lm.num_layers:
        raise ValueError(f"lora_top_layers={count}, but {lm.name} has {lm.num_layers} layers")
    return list(range(lm.num_layers - count, lm.num_layers))


def trainer_arguments(
    config: AlignConfig, run_dir: Path, steps: int, progress: bool
) -> dict[str, Any]:
    """The TRL arguments every policy trainer here shares (DPO, SFT): schedule, length,
    checkpoints every ``checkpoint_steps``, seeds."""
    return {
        "output_dir": str(run_dir),
        "num_train_epochs": config.epochs,
        "per_device_train_batch_size": config.batch_size,
        "learning_rate": config.learning_rate,
        "lr_scheduler_type": "linear",
        "warmup_steps": max(1, steps // 10),
        "max_length": config.max_length,
        "save_strategy": "steps",
        "save_steps": config.checkpoint_steps,
        "save_total_limit": 2,
        "logging_steps": max(1, min(10, steps // 10)),
        "report_to": "none",
        "disable_tqdm": not progress,
        "seed": config.seed,
        "data_seed": config.seed,
        "dataloader_num_workers": 0,
        "bf16": torch.cuda.is_available() and torch.cuda.is_bf16_supported(),
        # TRL turns it on by default to save memory; short texts on small models have the
        # memory, and it recomputes every forward pass during the backward one
        "gradient_checkpointing": False,
    }


def lora_config(lm: LoadedLM, config: LoraSettings) -> Any:
    """The policy adapter's LoRA shape from the run's settings."""
    from peft import LoraConfig

    return LoraConfig(
        task_type="CAUSAL_LM",
        r=config.lora_rank,
        lora_alpha=config.lora_alpha,
        lora_dropout=0.0,
        target_modules=config.lora_modules or LORA_TARGETS["lm"],
        layers_to_transform=top_layers(lm, config.lora_top_layers),
    )


def lora_trainer(
    trainer_class: type, lm: LoadedLM, config: LoraSettings, args: Any, dataset: Any, **extra: Any
) -> Any:
    """A TRL trainer of ``trainer_class`` that trains a fresh LoRA adapter (shaped by
    ``config``) on ``lm``'s frozen weights; ``extra`` goes to the trainer as it is."""
    return trainer_class(
        model=lm.model,
        args=args,
        train_dataset=dataset,
        processing_class=lm.tokenizer,
        peft_config=lora_config(lm, config),
        **extra,
    )


def resumable_run(
    output_dir: str | Path, config: LoraSettings, data: Any
) -> tuple[Path, str | None]:
    """The trainer folder under ``output_dir`` and its last checkpoint when that was written
    with the same settings and ``data`` (anything JSON can hash), else None."""
    run_dir = Path(output_dir) / TRAINER_FOLDER
    content = json.dumps(data, sort_keys=True)
    settings = {
        "config": config.model_dump(),
        "data": hashlib.sha256(content.encode()).hexdigest(),
    }
    return run_dir, resumable_checkpoint(run_dir, settings)


def run_trainer(trainer: Any, resume: str | None) -> tuple[float, dict[str, float]]:
    """Train (resuming from ``resume`` when given); the seconds it took and TRL's last logged
    metrics."""
    began = time.perf_counter()
    trainer.train(resume_from_checkpoint=resume)
    seconds = time.perf_counter() - began
    logged = [h for h in trainer.state.log_history if "loss" in h]
    last = logged[-1] if logged else {}
    return seconds, {k: float(v) for k, v in last.items() if isinstance(v, int | float)}


def train_adapter(
    lm: LoadedLM,
    pairs: Sequence[PolicyPair],
    config: AlignConfig,
    output_dir: str | Path,
    margins: Sequence[float] | None = None,
    progress: bool = True,
    callbacks: list[TrainerCallback] | None = None,
) -> tuple[Any, TrainResult]:
    """Train a fresh LoRA adapter on ``lm`` (its weights stay frozen; the adapter is injected
    into ``lm.model``, so reload the model to generate without it) and return the PEFT model
    with the result. Checkpoints go to ``output_dir/trainer``; an interrupted run with
    the same settings and data resumes from the last one."""
    from trl import DPOConfig

    if not pairs:
        raise ValueError("no preference pairs to train on")
    dataset = dpo_rows(lm, pairs, margins)
    beta, margin_scale = modpo_scales(config)
    steps = math.ceil(len(dataset) / config.batch_size) * config.epochs
    run_dir, resume = resumable_run(
        output_dir, config, [dataset.to_dict(), margins and list(margins)]
    )
    args = DPOConfig(
        **trainer_arguments(config, run_dir, steps, progress),
        beta=beta,
        precompute_ref_log_probs=True,
    )
    trainer = lora_trainer(
        _trainer_class(), lm, config, args, dataset, callbacks=callbacks, margin_scale=margin_scale
    )
    seconds, metrics = run_trainer(trainer, resume)
    trained = len(trainer.train_dataset)
    result = TrainResult(trained, len(pairs) - trained, trainer.state.global_step, seconds, metrics)
    return trainer.model, result


def saved_by(output: Path, config: Settings) -> bool:
    """An adapter already saved in ``output`` by the same settings (a re-run returns at once);
    settings added since it was saved take their defaults."""
    if not (output / "manifest.json").is_file():
        return False
    stored = read_adapter_manifest(output, verify=False).get("config")
    return (
        stored is not None
        and type(config).model_validate(stored).model_dump() == config.model_dump()
    )


def finish_run(output_dir: str | Path) -> None:
    """Remove the resume state once the adapter is saved."""
    shutil.rmtree(Path(output_dir) / TRAINER_FOLDER, ignore_errors=True)
