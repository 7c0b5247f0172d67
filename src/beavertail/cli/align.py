"""``beavertail align``: DPO, MODPO and SIPO training of LoRA policy adapters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from beavertail.cli.common import console, user_errors

app = typer.Typer(
    help="Align the model itself on preference pairs (LoRA adapters; evaluate with "
    "`beavertail eval run --adapter`).",
    no_args_is_help=True,
)

Out = Annotated[Path, typer.Option(help="Adapter folder (an interrupted run resumes there).")]
Config = Annotated[Path | None, typer.Option(help="YAML/TOML/JSON align config.")]
Model = Annotated[str | None, typer.Option(help="Base LM: hub id, folder, .gguf, embedded:….")]
Pairs = Annotated[int | None, typer.Option(help="Training pairs after filtering [512].")]
TrainFile = Annotated[
    str | None, typer.Option(help="PKU-SafeRLHF-style pairs (default: PKU-SafeRLHF train).")
]
Beta = Annotated[float | None, typer.Option(help="DPO's β [0.1].")]
LearningRate = Annotated[float | None, typer.Option(help="Learning rate [1e-3].")]
Epochs = Annotated[int | None, typer.Option(help="Epochs [1].")]
MaxLength = Annotated[int | None, typer.Option(help="Tokens of prompt + answer [192].")]
Reward = Annotated[str | None, typer.Option(help="Reward model folder (beavertail prefs train).")]
Cost = Annotated[str | None, typer.Option(help="Cost model folder (beavertail prefs train).")]
DataDir = Annotated[str | None, typer.Option(help="Shared data folder.")]
LoraModules = Annotated[
    str | None,
    typer.Option(help="Comma-separated modules LoRA adapts, e.g. gate_proj,up_proj \\[all]."),
]


def _train(method: str, out: Path, config: Path | None, **flags: Any) -> None:
    from beavertail.align import AlignConfig, train_policy

    with user_errors():
        settings = AlignConfig.load(config, method=method, **flags)
        folder = train_policy(settings, out)
    manifest = json.loads((folder / "manifest.json").read_text())
    training = manifest["training"]
    metrics = training.get("metrics", {})
    line = (
        f"{method}: {training['pairs']} pairs ({training.get('dropped', 0)} left out: prompt "
        f"over max_length), {training['steps']} steps, "
        f"{training['seconds']:.0f} s; last loss {metrics.get('loss', float('nan')):.4f}, "
        f"reward accuracy {metrics.get('rewards/accuracies', float('nan')):.3f}"
    )
    console.print(line)
    if "sipo" in manifest:
        s = manifest["sipo"]
        line = f"SIPO: kept {s['kept']} of {s['conflicts']} conflicting pairs"
        if s["verified_share"] is not None:
            line += (
                f"; the verification models agree it beats both originals in {s['verified']}"
                f" ({s['verified_share']:.0%})"
            )
        console.print(line)
    console.print(f"adapter written to {folder}")


@app.command()
def dpo(
    out: Out,
    ranking: Annotated[
        str | None, typer.Option(help="safer | better | agree (pairs both rankings agree on)")
    ] = None,
    pair_filter: Annotated[
        str | None, typer.Option(help="all | safe-vs-unsafe (one safe, one unsafe answer)")
    ] = None,
    model: Model = None,
    pairs: Pairs = None,
    train_file: TrainFile = None,
    beta: Beta = None,
    learning_rate: LearningRate = None,
    epochs: Epochs = None,
    max_length: MaxLength = None,
    lora_modules: LoraModules = None,
    config: Config = None,
    data_dir: DataDir = None,
) -> None:
    """DPO on pairs ranked by one objective; the reference is the base (adapter disabled)."""
    flags = {k: v for k, v in locals().items() if k not in ("out", "config")}
    flags["lora_modules"] = lora_modules.split(",") if lora_modules else None
    _train("dpo", out, config, **flags)


@app.command()
def modpo(
    out: Out,
    weight: Annotated[
        float | None, typer.Option(help="Weight of harmlessness, 0–1 (helpfulness: 1 − w) [0.5].")
    ] = None,
    reward_model: Reward = None,
    cost_model: Cost = None,
    pair_filter: Annotated[str | None, typer.Option(help="all | safe-vs-unsafe")] = None,
    model: Model = None,
    pairs: Pairs = None,
    train_file: TrainFile = None,
    beta: Beta = None,
    learning_rate: LearningRate = None,
    epochs: Epochs = None,
    max_length: MaxLength = None,
    config: Config = None,
    data_dir: DataDir = None,
) -> None:
    """Multi-objective DPO: the heavier objective's pairs, the other's model as a margin."""
    flags = {k: v for k, v in locals().items() if k not in ("out", "config")}
    _train("modpo", out, config, **flags)


@app.command()
def sipo(
    out: Out,
    reward_model: Reward = None,
    cost_model: Cost = None,
    init_adapter: Annotated[
        str | None, typer.Option(help="Policy to improve (adapter folder; default: the base).")
    ] = None,
    conflicts: Annotated[int | None, typer.Option(help="Conflicting pairs to use [64].")] = None,
    samples: Annotated[int | None, typer.Option(help="Answers sampled per prompt [4].")] = None,
    rounds: Annotated[int | None, typer.Option(help="Self-improvement rounds [1].")] = None,
    judge: Annotated[str | None, typer.Option(help="Judge that must pass kept answers.")] = None,
    verify_reward_model: Annotated[
        str | None, typer.Option(help="Independent reward model that checks kept answers.")
    ] = None,
    verify_cost_model: Annotated[
        str | None, typer.Option(help="Independent cost model that checks kept answers.")
    ] = None,
    model: Model = None,
    train_file: TrainFile = None,
    beta: Beta = None,
    learning_rate: LearningRate = None,
    epochs: Epochs = None,
    max_length: MaxLength = None,
    config: Config = None,
    data_dir: DataDir = None,
) -> None:
    """SIPO: sample on conflicting pairs, keep Pareto improvements, train on them."""
    sipo_flags = {
        "init_adapter": init_adapter,
        "conflicts": conflicts,
        "samples": samples,
        "rounds": rounds,
        "judge": judge,
        "verify_reward_model": verify_reward_model,
        "verify_cost_model": verify_cost_model,
    }
    flags = {
        k: v for k, v in locals().items() if k not in ("out", "config", "sipo_flags", *sipo_flags)
    }
    _train("sipo", out, config, sipo=sipo_flags, **flags)


@app.command("safe-rlhf")
def safe_rlhf(
    out: Out,
    reward_model: Reward = None,
    cost_model: Cost = None,
    cost_limit: Annotated[
        float | None, typer.Option(help="d: keep E\\[cost] ≤ d (cost > 0 is unsafe) [0.0].")
    ] = None,
    lambda_mode: Annotated[
        str | None, typer.Option(help="learned (Safe RLHF) | fixed (reward shaping) \\[learned].")
    ] = None,
    lambda_init: Annotated[
        float | None, typer.Option(help="λ at the start; the λ of fixed mode [1.0].")
    ] = None,
    lambda_lr: Annotated[
        float | None, typer.Option(help="α of the dual step ln λ += α·λ·(E\\[cost] − d) [0.1].")
    ] = None,
    steps: Annotated[int | None, typer.Option(help="Optimiser steps [200].")] = None,
    prompts_per_step: Annotated[int | None, typer.Option(help="Prompts per step [2].")] = None,
    samples: Annotated[
        int | None, typer.Option(help="Answers sampled per prompt (the baseline's group) [4].")
    ] = None,
    harmful_prompts: Annotated[
        int | None, typer.Option(help="PKU-SafeRLHF train prompts to draw from [512].")
    ] = None,
    harmless_prompts: Annotated[
        int | None, typer.Option(help="Harmless instructions to draw from [256].")
    ] = None,
    harmless_file: Annotated[
        str | None, typer.Option(help="Harmless instructions (default: harmless-train).")
    ] = None,
    max_new_tokens: Annotated[int | None, typer.Option(help="Answer tokens [48].")] = None,
    beta: Annotated[float | None, typer.Option(help="KL penalty to the base model [0.05].")] = None,
    learning_rate: Annotated[float | None, typer.Option(help="Learning rate [0.0001].")] = None,
    lora_top_layers: Annotated[
        int | None, typer.Option(help="LoRA on the top N decoder layers only \\[all].")
    ] = None,
    model: Model = None,
    train_file: TrainFile = None,
    seed: Annotated[int | None, typer.Option(help="Seed [0].")] = None,
    config: Config = None,
    data_dir: DataDir = None,
) -> None:
    """Safe RLHF: online LoRA training on reward − λ·cost, λ learned against a cost limit."""
    flags = {k: v for k, v in locals().items() if k not in ("out", "config")}
    from beavertail.align import SafeRLHFConfig, train_safe_rlhf

    with user_errors():
        settings = SafeRLHFConfig.load(config, **flags)
        folder = train_safe_rlhf(settings, out)
    training = json.loads((folder / "manifest.json").read_text())["training"]
    last = training["last_steps"]
    console.print(
        f"safe-rlhf: {training['steps']} steps, {training['seconds']:.0f} s; final λ "
        f"{training['final_lambda']:.3f}; last {last['steps']} steps: reward "
        f"{last['reward']:+.3f}, cost {last['cost']:+.3f}"
    )
    console.print(f"adapter written to {folder}; per-step λ, reward, cost, KL in steps.jsonl")


MERGE_METHODS = (
    "task-arithmetic | linear | svd | ties | dare-linear | dare-ties | magnitude-prune | tsvm | "
    "r-tsvm | lora-linear"
)


@app.command()
def merge(
    adapters: Annotated[
        list[Path], typer.Argument(help="Policy adapter folders to merge (same base model).")
    ],
    out: Annotated[Path, typer.Option(help="Merged adapter folder (a finished one is reused).")],
    method: Annotated[
        str | None, typer.Option(help=f"{MERGE_METHODS} (default: task-arithmetic)")
    ] = None,
    weights: Annotated[
        str | None, typer.Option(help="Comma-separated, one per adapter [1 each].")
    ] = None,
    density: Annotated[
        float | None, typer.Option(help="Share of entries kept (TIES, DARE, magnitude-prune).")
    ] = None,
    rank: Annotated[
        int | None,
        typer.Option(help="Rank of the SVD-truncated methods (default: the sum of the ranks)."),
    ] = None,
    majority_sign: Annotated[str | None, typer.Option(help="TIES: total | frequency.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of DARE's drops [0].")] = None,
    rank_fraction: Annotated[
        float | None, typer.Option(help="TSV-M: share of each task's triplets kept.")
    ] = None,
    outlier_strength: Annotated[
        float | None, typer.Option(help="R-TSVM: outlier weighting's spread [0.2].")
    ] = None,
    rank_strength: Annotated[
        float | None, typer.Option(help="R-TSVM: sparsity-aware rank's spread [0.25].")
    ] = None,
    merged_weights: Annotated[
        Path | None,
        typer.Option(help="Also write the base with the merge folded in (a model folder)."),
    ] = None,
    config: Annotated[Path | None, typer.Option(help="YAML/TOML/JSON merge settings.")] = None,
) -> None:
    """Merge adapters (task arithmetic, TIES, DARE, TSV-M, R-TSVM, …) into one adapter."""
    from beavertail.align import MergeSettings, merge_adapters, save_merged_model

    with user_errors():
        values = [float(w) for w in weights.split(",")] if weights else None
        settings = MergeSettings.load(
            config,
            method=method,
            weights=values,
            density=density,
            rank=rank,
            majority_sign=majority_sign,
            seed=seed,
            rank_fraction=rank_fraction,
            outlier_strength=outlier_strength,
            rank_strength=rank_strength,
        )
        folder = merge_adapters(adapters, settings, out)
        manifest = json.loads((folder / "manifest.json").read_text())["merge"]
        parents = ", ".join(p["folder"] for p in manifest["parents"])
        console.print(
            f"{manifest['method']}: merged {parents} with weights {manifest['weights']} "
            f"({manifest['seconds']:.1f} s)"
        )
        if merged_weights is not None:
            console.print(f"merged model written to {save_merged_model(folder, merged_weights)}")
    console.print(f"adapter written to {folder}")
