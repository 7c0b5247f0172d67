"""Score-model settings: the spec (what model), the training config, the Scorer protocol."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from beavertail.models import DEFAULT_ENCODER, DEFAULT_LM

Kind = Literal["reward", "cost"]
MANIFEST_KIND = "beavertail-score-model"


Tuning = Literal["head", "lora", "full"]


@dataclass
class ScoreModelSpec:
    """``kind``: reward (higher = more helpful) or cost (> 0 unsafe, < 0 safe).

    ``tuning``: ``head`` trains an MLP on frozen features of the ``backbone``: ``encoder``
    (MiniLM pair embedding) or ``lm-probe`` (SmolLM2 residual stream, mean-pooled at a few
    layers). ``lora`` and ``full`` tune the backbone itself as a sequence classifier with one
    output, through TRL's ``RewardTrainer``: ``encoder`` (MiniLM, BERT-style) or ``lm``
    (SmolLM2, scored at the last token).
    """

    kind: Kind = "reward"
    backbone: Literal["encoder", "lm-probe", "lm"] = "encoder"
    encoder: str = DEFAULT_ENCODER
    lm: str = DEFAULT_LM
    layers: list[int] = field(default_factory=list)
    max_length: int = 256
    quantize: bool = True
    head_hidden: int = 256
    tuning: Tuning = "head"
    lora_rank: int = 16
    lora_alpha: int = 32

    def __post_init__(self) -> None:
        if self.kind not in ("reward", "cost"):
            raise ValueError(f"kind must be reward or cost, got {self.kind!r}")
        if self.tuning not in ("head", "lora", "full"):
            raise ValueError(f"tuning must be head, lora or full, got {self.tuning!r}")
        allowed = ("encoder", "lm-probe") if self.tuning == "head" else ("encoder", "lm")
        if self.backbone not in allowed:
            raise ValueError(
                f"backbone {self.backbone!r} does not go with tuning {self.tuning!r}: "
                f"use one of {allowed}"
            )


class Scorer(Protocol):
    """What best-of-N, the harness and the server need from a reward or cost model."""

    spec: ScoreModelSpec
    metadata: dict[str, Any]

    def scores(
        self, prompts: list[str], responses: list[str], progress: bool = False, cache: bool = False
    ) -> np.ndarray: ...

    def save(self, folder: str | Path) -> Path: ...


Objective = Literal["reward", "cost", "safer-bt"]


@dataclass
class PreferenceTrainingConfig:
    spec: ScoreModelSpec = field(default_factory=ScoreModelSpec)
    objective: Objective | None = None  # default: the spec's kind
    epochs: int = 60
    learning_rate: float = 1e-3
    weight_decay: float = 1e-2
    batch_size: int = 256
    score_regularization: float = 0.01  # + λ·mean(score²): keeps scores near 0
    seed: int = 0
    checkpoint_every: int = 10  # epochs; with an output folder, training resumes from there
    # spec.tuning = lora | full: the backbone is tuned by TRL's RewardTrainer (see tuning.py)
    tune_epochs: int = 1
    tune_learning_rate: float | None = None  # default: 2e-4 with LoRA, 3e-5 for full tuning
    tune_batch_size: int = 16  # pairs per step (two sequences each)
    tune_checkpoint_steps: int = 50

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PreferenceTrainingConfig:
        raw = dict(raw)
        spec = ScoreModelSpec(**raw.pop("spec", {}))
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"unknown training settings {unknown}")
        return cls(spec=spec, **raw)
