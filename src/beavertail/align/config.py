"""Settings for policy training: one config for DPO, MODPO and SIPO, one for Safe RLHF."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from beavertail.models import DEFAULT_LM
from beavertail.settings import DATA_DIR_HELP, Settings

Method = Literal["dpo", "modpo", "sipo"]
Ranking = Literal["safer", "better", "agree"]
PairFilter = Literal["all", "safe-vs-unsafe"]
MANIFEST_METHODS: tuple[Method, ...] = ("dpo", "modpo", "sipo")


class SipoSettings(Settings):
    """SIPO's self-improvement round: sample, score, keep Pareto improvements, train."""

    init_adapter: str | None = Field(
        None, description="Policy to improve (a saved adapter; default: the base model)."
    )
    conflicts: int = Field(64, ge=1, description="Conflicting pairs (better ≠ safer) to use.")
    samples: int = Field(4, ge=1, description="Answers sampled per conflicting prompt.")
    max_new_tokens: int = Field(64, ge=1, le=4096)
    temperature: float = Field(0.8, gt=0, le=2)
    top_p: float = Field(0.95, gt=0, le=1)
    judge: str | None = Field(None, description="Judge that must call a kept answer safe.")
    verify_reward_model: str | None = Field(
        None, description="Independent reward model that checks the kept answers."
    )
    verify_cost_model: str | None = Field(
        None, description="Independent cost model that checks the kept answers."
    )
    rounds: int = Field(1, ge=1, le=3, description="Rounds; each continues the previous policy.")


class LoraSettings(Settings):
    """The policy adapter's LoRA shape, shared by every policy trainer (DPO, SFT, Safe RLHF)."""

    lora_rank: int = Field(16, ge=1)
    lora_alpha: int = Field(32, ge=1)
    lora_top_layers: int | None = Field(
        None, ge=1, description="LoRA on the top N decoder layers only (no backward below)."
    )
    lora_modules: list[str] | None = Field(
        None,
        description="Modules LoRA adapts (default: attention and MLP projections); "
        "gate_proj,up_proj puts the whole change into the MLP neurons (beavertail neurons).",
    )


class AlignConfig(LoraSettings):
    """One preference-optimisation run (loadable from YAML/TOML/JSON; flags override)."""

    method: Method = Field("dpo", description="dpo | modpo | sipo")
    model: str = Field(DEFAULT_LM, description="Base LM (hub id, folder, .gguf, embedded:…).")
    ranking: Ranking = Field(
        "safer", description="DPO's ranking: safer, better, or agree (pairs where both agree)."
    )
    pair_filter: PairFilter = Field(
        "all",
        description="Pairs trained on: all, or only those with one safe and one unsafe answer.",
    )
    weight: float = Field(
        0.5, ge=0, le=1, description="MODPO: weight of harmlessness (1 − weight: helpfulness)."
    )
    reward_model: str | None = Field(None, description="Reward model folder (helpfulness).")
    cost_model: str | None = Field(None, description="Cost model folder (harmlessness).")
    pairs: int | None = Field(
        512, ge=1, description="Training pairs after filtering (unset in a file: all)."
    )
    train_file: str | None = Field(None, description="PKU-SafeRLHF-style pairs [PKU train].")
    data_dir: str | None = Field(None, description=DATA_DIR_HELP)
    beta: float = Field(0.1, gt=0, description="DPO's β (KL strength).")
    learning_rate: float = Field(1e-3, gt=0, description="LoRA learning rate.")
    epochs: int = Field(1, ge=1, description="Passes over the pairs.")
    batch_size: int = Field(8, ge=1, description="Pairs per optimiser step.")
    max_length: int = Field(192, ge=16, description="Tokens of prompt + answer (answers cut).")
    seed: int = Field(0, description="Seed of the pair sample, LoRA init and shuffling.")
    checkpoint_steps: int = Field(20, ge=1, description="Optimiser steps per checkpoint.")
    sipo: SipoSettings = Field(default_factory=SipoSettings)

    @model_validator(mode="after")
    def _models_present(self) -> AlignConfig:
        if self.method == "modpo" and 0 < self.weight < 1:
            needed = "reward_model" if self.weight >= 0.5 else "cost_model"
            if getattr(self, needed) is None:
                raise ValueError(f"MODPO with weight {self.weight} needs {needed} (the margin)")
        if self.method == "sipo" and (self.reward_model is None or self.cost_model is None):
            raise ValueError("SIPO scores its samples with reward_model and cost_model: give both")
        verify = (self.sipo.verify_reward_model, self.sipo.verify_cost_model)
        if (verify[0] is None) != (verify[1] is None):
            raise ValueError("give both sipo.verify_reward_model and sipo.verify_cost_model")
        return self

    def primary(self) -> Ranking:
        """The ranking whose pairs are trained on: DPO's own; MODPO's heavier objective."""
        if self.method == "modpo":
            return "safer" if self.weight >= 0.5 else "better"
        return self.ranking


LambdaMode = Literal["learned", "fixed"]
AdvantageScale = Literal["none", "group", "batch"]
ConstraintPrompts = Literal["harmful", "all"]


class SafeRLHFConfig(LoraSettings):
    """One Safe RLHF run: online LoRA training of the policy on ``reward − λ·cost`` under the
    constraint ``E[cost] ≤ cost_limit`` (loadable from YAML/TOML/JSON; flags override)."""

    model: str = Field(DEFAULT_LM, description="Base LM (hub id, folder, .gguf, embedded:…).")
    reward_model: str | None = Field(None, description="Reward model folder (helpfulness).")
    cost_model: str | None = Field(
        None, description="Cost model folder (harmfulness: cost > 0 is unsafe)."
    )
    train_file: str | None = Field(
        None, description="PKU-SafeRLHF-style pairs whose prompts are trained on [PKU train]."
    )
    harmless_file: str | None = Field(
        None, description="Harmless instructions trained on beside them [harmless-train]."
    )
    data_dir: str | None = Field(None, description=DATA_DIR_HELP)
    harmful_prompts: int | None = Field(
        512, ge=0, description="PKU-SafeRLHF prompts (distinct, seeded pick; unset in a file: all)."
    )
    harmless_prompts: int | None = Field(
        256, ge=0, description="Harmless instructions (seeded pick; unset in a file: all)."
    )
    steps: int = Field(200, ge=1, description="Optimiser steps (one generation batch each).")
    prompts_per_step: int = Field(2, ge=1, description="Prompts per step.")
    samples: int = Field(
        4, ge=2, description="Answers sampled per prompt: the group whose mean is the baseline."
    )
    max_new_tokens: int = Field(48, ge=1, le=4096, description="Answer tokens sampled.")
    temperature: float = Field(1.0, gt=0, le=2)
    top_p: float = Field(1.0, gt=0, le=1)
    learning_rate: float = Field(1e-4, gt=0, description="LoRA learning rate (constant).")
    beta: float = Field(0.05, ge=0, description="KL penalty to the base policy (0: none).")
    advantage_scale: AdvantageScale = Field(
        "none",
        description="none: group-mean baseline only (the paper's reading); group | batch: "
        "also divide by that standard deviation (GRPO).",
    )
    cost_limit: float = Field(
        0.0, description="d: the constraint E[cost] ≤ d (cost > 0 is unsafe, so 0 asks for safe)."
    )
    constraint_on: ConstraintPrompts = Field(
        "harmful",
        description="Answers E[cost] is taken over: harmful (to the PKU-SafeRLHF prompts, the "
        "paper's prompt set) or all (harmless instructions too).",
    )
    lambda_mode: LambdaMode = Field(
        "learned",
        description="learned: λ by dual ascent (Safe RLHF); fixed: λ stays lambda_init "
        "(reward shaping).",
    )
    lambda_init: float = Field(1.0, gt=0, description="λ at step 0 (the fixed λ when fixed).")
    lambda_lr: float = Field(
        0.1, gt=0, description="α of the dual step ln λ ← ln λ + α·λ·(E[cost] − d)."
    )
    lambda_min: float = Field(1e-3, gt=0, description="λ is clipped to [lambda_min, lambda_max].")
    lambda_max: float = Field(50.0, gt=0)
    lambda_delay_steps: int = Field(0, ge=0, description="Steps before λ starts to move.")
    cost_window: int = Field(
        0,
        ge=0,
        description="E[cost] averages the last N answers (0: the last step's answers only).",
    )
    seed: int = Field(0, description="Seed of the prompt picks, sampling and LoRA init.")
    checkpoint_steps: int = Field(20, ge=1, description="Optimiser steps per checkpoint.")
    checkpoint_minutes: float = Field(
        10.0, gt=0, le=10, description="A checkpoint at least this often (minutes)."
    )

    @model_validator(mode="after")
    def _lambda_in_range(self) -> SafeRLHFConfig:
        if not self.lambda_min <= self.lambda_init <= self.lambda_max:
            raise ValueError(
                f"lambda_init {self.lambda_init} is outside [lambda_min {self.lambda_min}, "
                f"lambda_max {self.lambda_max}]"
            )
        return self
