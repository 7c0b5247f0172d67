"""``beavertail eval``: run a configuration over prompt sets; compare runs in an HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from beavertail.cli.common import console, user_errors

app = typer.Typer(help="Evaluate models (steered or not) and report.", no_args_is_help=True)


@app.command()
def run(
    out: Annotated[Path, typer.Option(help="Run file (JSONL); an existing one is resumed.")],
    name: Annotated[str | None, typer.Option(help="Configuration name in reports.")] = None,
    model: Annotated[str | None, typer.Option(help="Hub id, folder, .gguf or embedded:…")] = None,
    endpoint: Annotated[
        str | None, typer.Option(help="OpenAI-compatible base URL to generate remotely (vLLM).")
    ] = None,
    prompts: Annotated[
        list[str] | None,
        typer.Option("--prompts", help="Prompt sets: a name or file[:harmful|:harmless]."),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Prompts per set (category-balanced).")] = None,
    shard: Annotated[str | None, typer.Option(help="i/n: run one shard of the prompts.")] = None,
    steer: Annotated[str | None, typer.Option(help="Steering-vector folder.")] = None,
    layer: Annotated[int | None, typer.Option(help="Steering layer.")] = None,
    coefficient: Annotated[float | None, typer.Option(help="Steering strength.")] = None,
    selection: Annotated[str | None, typer.Option(help="router | all | categories")] = None,
    system_prompt: Annotated[str | None, typer.Option(help="System prompt to prepend.")] = None,
    max_new_tokens: Annotated[int | None, typer.Option()] = None,
    temperature: Annotated[float | None, typer.Option()] = None,
    seed: Annotated[int | None, typer.Option()] = None,
    batch_size: Annotated[int | None, typer.Option()] = None,
    best_of_n: Annotated[
        int | None, typer.Option(help="Safe best-of-N: sample N, pick by reward under cost.")
    ] = None,
    reward_model: Annotated[str | None, typer.Option(help="Reward model folder.")] = None,
    cost_model: Annotated[str | None, typer.Option(help="Cost model folder.")] = None,
    cost_threshold: Annotated[float | None, typer.Option(help="Safe if cost < this.")] = None,
    judge: Annotated[str | None, typer.Option(help="Moderator folder (default built-in).")] = None,
    fluency: Annotated[bool | None, typer.Option(help="Score perplexity.")] = None,
    config: Annotated[Path | None, typer.Option(help="YAML/TOML/JSON run config.")] = None,
    data_dir: Annotated[str | None, typer.Option(help="Shared data folder.")] = None,
) -> None:
    """Generate answers, judge them, and append them to the run file (resumable)."""
    from beavertail.evaluate import EvalConfig, read_run, run_eval, summarize

    flags = {
        "name": name,
        "model": model,
        "endpoint": endpoint,
        "prompts": list(prompts) if prompts else None,
        "limit": limit,
        "shard": shard,
        "sampling": {
            "system_prompt": system_prompt,
            "max_new_tokens": max_new_tokens,
            "temperature": temperature,
            "seed": seed,
        },
        "steering": {
            "vectors": steer,
            "layer": layer,
            "coefficient": coefficient,
            "selection": selection,
        },
        "best_of_n": {
            "n": best_of_n,
            "reward_model": reward_model,
            "cost_model": cost_model,
            "cost_threshold": cost_threshold,
        },
        "batch_size": batch_size,
        "judge": judge,
        "fluency": fluency,
        "data_dir": data_dir,
    }
    with user_errors():
        eval_config = EvalConfig.load(config, defaults={"name": out.stem}, **flags)
        path = run_eval(eval_config, out)
        summary = summarize(read_run(path)[1])
    _print_headline(eval_config.name, summary)
    console.print(f"run file: {path}")


def _print_headline(name: str, summary: dict) -> None:
    table = Table(title=f"{name} ({summary['n']} answers)")
    table.add_column("metric")
    table.add_column("value")
    table.add_column("95% interval")
    for key, stat in summary["headline"].items():
        if stat["value"] is None:
            continue
        table.add_row(key, f"{stat['value']:.3f}", f"[{stat['low']:.3f}, {stat['high']:.3f}]")
    console.print(table)


@app.command()
def report(
    runs: Annotated[list[Path], typer.Argument(help="Run files; the first is the baseline.")],
    out: Annotated[Path, typer.Option(help="HTML file to write.")] = Path("runs/report.html"),
    examples: Annotated[int, typer.Option(help="Example prompts to show.")] = 12,
) -> None:
    """Write one self-contained HTML page comparing the runs side by side."""
    from beavertail.evaluate import write_report

    with user_errors():
        path = write_report(runs, out, examples)
    console.print(f"report written to {path}")
