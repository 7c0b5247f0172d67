"""Score-model settings: the spec (what model), the training config, the Scorer protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from pydantic import Field

from beavertail.artifacts import read_manifest
from beavertail.models import DEFAULT_ENCODER, DEFAULT_LM
from beavertail.settings import Settings

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
    # float32: int8 dynamic quantisation scales activations per batch, so a candidate's
    # score would depend on the other candidates scored with it
    quantize: bool = False
    head_hidden: int = 256
    tuning: Tuning = "head"
    lora_rank: int = 16
    lora_alpha: int = 32
    # extra answer signals beside the frozen features (frozen-head models): "length" (log
    # characters and words of the answer) and "judge:REF" (a judge's harm logit, e.g.
    # "judge:default"): PKU-SafeRLHF's "better" answers are longer and safer 62 % / 76 % of the time
    signals: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in ("reward", "cost"):
            raise ValueError(f"kind must be reward or cost, got {self.kind!r}")
        if self.tuning not in ("head", "lora", "full"):
            raise ValueError(f"tuning must be head, lora or full, got {self.tuning!r}")
        for signal in self.signals:
            if signal != "length" and not signal.startswith("judge:"):
                raise ValueError(f"unknown signal {signal!r}: 'length' or 'judge:REFERENCE'")
        if self.signals and self.tuning != "head":
            raise ValueError("signals go with frozen-head score models (tuning: head)")
        allowed = ("encoder", "lm-probe") if self.tuning == "head" else ("encoder", "lm")
        if self.backbone not in allowed:
            raise ValueError(
                f"backbone {self.backbone!r} does not go with tuning {self.tuning!r}: "
                f"use one of {allowed}"
            )


def read_score_model(folder: str | Path) -> tuple[dict[str, Any], ScoreModelSpec]:
    """A saved score model's manifest (checksums verified) and its spec."""
    manifest = read_manifest(Path(folder), MANIFEST_KIND, "score model")
    return manifest, ScoreModelSpec(**manifest["spec"])


class Scorer(Protocol):
    """What best-of-N, the harness and the server need from a reward or cost model."""

    spec: ScoreModelSpec
    metadata: dict[str, Any]

    def scores(
        self, prompts: list[str], responses: list[str], progress: bool = False, cache: bool = False
    ) -> np.ndarray: ...

    def save(self, folder: str | Path) -> Path: ...


Objective = Literal["reward", "cost", "safer-bt"]


class PreferenceTrainingConfig(Settings):
    """Settings for ``train_score_model`` (loadable from YAML/TOML/JSON; flags override)."""

    spec: ScoreModelSpec = Field(default_factory=ScoreModelSpec)
    objective: Objective | None = Field(None, description="Default: the spec's kind.")
    epochs: int = Field(60, ge=1, description="Epochs of head training.")
    learning_rate: float = Field(1e-3, gt=0)
    weight_decay: float = Field(1e-2, ge=0)
    batch_size: int = Field(256, ge=1)
    score_regularization: float = Field(0.01, ge=0, description="λ·mean(score²) keeps 0 central.")
    seed: int = 0
    checkpoint_every: int = Field(10, ge=1, description="Epochs per checkpoint (resumable).")
    tune_epochs: int = Field(1, ge=1, description="Epochs when tuning the backbone (TRL).")
    tune_learning_rate: float | None = Field(
        None, gt=0, description="Default: 2e-4 with LoRA, 3e-5 for full tuning."
    )
    tune_batch_size: int = Field(16, ge=1, description="Pairs per step (two sequences each).")
    tune_checkpoint_steps: int = Field(50, ge=1)
