"""``beavertail align``: DPO, MODPO and SIPO training of LoRA policy adapters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from beavertail.align import AlignConfig, MergeSettings, SafeRLHFConfig
from beavertail.cli.common import console, user_errors
from beavertail.cli.options import settings_options

app = typer.Typer(no_args_is_help=True)  # its help: beavertail.cli.lazy

Out = Annotated[Path, typer.Option(help="Adapter folder (an interrupted run resumes there).")]
Config = Annotated[Path | None, typer.Option(help="YAML/TOML/JSON settings; flags override it.")]
TRAINING = ("model", "train_file", "beta", "learning_rate", "epochs", "max_length")
SIPO_SETTINGS = (
    "init_adapter",
    "conflicts",
    "samples",
    "rounds",
    "judge",
    "verify_reward_model",
    "verify_cost_model",
)


def _train(method: str, out: Path, config: Path | None, **flags: Any) -> None:
    from beavertail.align import train_policy

    with user_errors():
        folder = train_policy(AlignConfig.load(config, method=method, **flags), out)
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
@settings_options(
    AlignConfig, "ranking", "pair_filter", "pairs", *TRAINING, "lora_modules", "data_dir"
)
def dpo(out: Out, settings: dict, config: Config = None) -> None:
    """DPO on pairs ranked by one objective; the reference is the base (adapter disabled)."""
    _train("dpo", out, config, **settings)


@app.command()
@settings_options(
    AlignConfig,
    "weight",
    "reward_model",
    "cost_model",
    "pair_filter",
    "pairs",
    *TRAINING,
    "data_dir",
)
def modpo(out: Out, settings: dict, config: Config = None) -> None:
    """Multi-objective DPO: the heavier objective's pairs, the other's model as a margin."""
    _train("modpo", out, config, **settings)


@app.command()
@settings_options(
    AlignConfig,
    "reward_model",
    "cost_model",
    *(f"sipo.{name}" for name in SIPO_SETTINGS),
    *TRAINING,
    "data_dir",
)
def sipo(out: Out, settings: dict, config: Config = None) -> None:
    """SIPO: sample on conflicting pairs, keep Pareto improvements, train on them."""
    _train("sipo", out, config, **settings)


@app.command("safe-rlhf")
@settings_options(
    SafeRLHFConfig,
    "reward_model",
    "cost_model",
    "cost_limit",
    "lambda_mode",
    "lambda_init",
    "lambda_lr",
    "steps",
    "prompts_per_step",
    "samples",
    "harmful_prompts",
    "harmless_prompts",
    "harmless_file",
    "max_new_tokens",
    "beta",
    "learning_rate",
    "lora_top_layers",
    "model",
    "train_file",
    "seed",
    "data_dir",
)
def safe_rlhf(out: Out, settings: dict, config: Config = None) -> None:
    """Safe RLHF: online LoRA training on reward − λ·cost, λ learned against a cost limit."""
    from beavertail.align import train_safe_rlhf

    with user_errors():
        folder = train_safe_rlhf(SafeRLHFConfig.load(config, **settings), out)
    training = json.loads((folder / "manifest.json").read_text())["training"]
    last = training["last_steps"]
    console.print(
        f"safe-rlhf: {training['steps']} steps, {training['seconds']:.0f} s; final λ "
        f"{training['final_lambda']:.3f}; last {last['steps']} steps: reward "
        f"{last['reward']:+.3f}, cost {last['cost']:+.3f}"
    )
    console.print(f"adapter written to {folder}; per-step λ, reward, cost, KL in steps.jsonl")


@app.command()
@settings_options(
    MergeSettings,
    "method",
    "weights",
    "density",
    "rank",
    "majority_sign",
    "seed",
    "rank_fraction",
    "outlier_strength",
    "rank_strength",
)
def merge(
    adapters: Annotated[
        list[Path], typer.Argument(help="Policy adapter folders to merge (same base model).")
    ],
    out: Annotated[Path, typer.Option(help="Merged adapter folder (a finished one is reused).")],
    settings: dict,
    merged_weights: Annotated[
        Path | None,
        typer.Option(help="Also write the base with the merge folded in (a model folder)."),
    ] = None,
    config: Config = None,
) -> None:
    """Merge adapters (task arithmetic, TIES, DARE, TSV-M, R-TSVM, …) into one adapter."""
    from beavertail.align import merge_adapters, save_merged_model

    with user_errors():
        folder = merge_adapters(adapters, MergeSettings.load(config, **settings), out)
        manifest = json.loads((folder / "manifest.json").read_text())["merge"]
        parents = ", ".join(p["folder"] for p in manifest["parents"])
        console.print(
            f"{manifest['method']}: merged {parents} with weights {manifest['weights']} "
            f"({manifest['seconds']:.1f} s)"
        )
        if merged_weights is not None:
            console.print(f"merged model written to {save_merged_model(folder, merged_weights)}")
    console.print(f"adapter written to {folder}")
