"""``beavertail persona``: persona inference on preference pairs, tailoring, evaluation."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from beavertail.cli.common import console, user_errors
from beavertail.cli.options import settings_options
from beavertail.persona import TailoringSettings

app = typer.Typer(no_args_is_help=True)  # its help: beavertail.cli.lazy

Config = Annotated[Path | None, typer.Option(help="YAML/TOML/JSON settings file.")]
Ranking = Annotated[str, typer.Option(help="PKU-SafeRLHF pairs: which ranking is 'chosen'.")]


@app.command()
def infer(
    source: Annotated[
        str, typer.Argument(help="pku-train | pku-test | hh-rlhf | a pairs file | hf:owner/name.")
    ],
    out: Annotated[Path, typer.Option(help="Dataset with personas (.jsonl or .parquet).")],
    ranking: Ranking = "better",
    limit: Annotated[int | None, typer.Option(help="Pairs to use (a seeded sample).")] = None,
    seed: int = 0,
    model: Annotated[
        str | None, typer.Option(help="Local chat model (hub id, folder, embedded:…).")
    ] = None,
    endpoint: Annotated[
        str | None, typer.Option(help="OpenAI-compatible base URL instead (e.g. vLLM).")
    ] = None,
    endpoint_model: Annotated[str | None, typer.Option(help="The endpoint's model name.")] = None,
    api_key_env: Annotated[str, typer.Option(help="Variable holding the key.")] = "OPENAI_API_KEY",
    cache: Annotated[
        Path | None, typer.Option(help="Resumable persona cache [OUT.cache.jsonl].")
    ] = None,
    config: Config = None,
) -> None:
    """Write ``persona_chosen`` / ``persona_rejected`` for every pair (resumable)."""
    from beavertail.models import DEFAULT_LM, load_lm
    from beavertail.models.causal import lm_identity
    from beavertail.models.generation import LocalGenerator, OpenAIChatGenerator, TextGenerator
    from beavertail.persona import PersonaSettings, infer_personas, load_pairs
    from beavertail.persona.infer import save_persona_dataset

    with user_errors():
        # a file's sampling table changes the fields it names, not the whole table
        settings = PersonaSettings.load(config, defaults=PersonaSettings().model_dump())
        if ranking not in ("better", "safer"):
            raise ValueError(f"ranking must be better or safer, got {ranking!r}")
        pairs = load_pairs(source, ranking, limit, seed)  # type: ignore[arg-type]
        generator: TextGenerator
        if endpoint:
            if not endpoint_model:
                raise ValueError("--endpoint needs --endpoint-model (the served model's name)")
            generator = OpenAIChatGenerator(endpoint, endpoint_model, os.environ.get(api_key_env))
        else:
            name = model or DEFAULT_LM  # the cache keys personas by the model's weights
            generator = LocalGenerator(load_lm(name), name=lm_identity(name))
        rows = infer_personas(pairs, generator, cache or out.with_suffix(".cache.jsonl"), settings)
        save_persona_dataset(rows, out)
    same = sum(r.persona_chosen == r.persona_rejected for r in rows)
    console.print(f"{len(rows)} pairs with personas written to {out} ({same} with one persona)")
    for row in rows[:3]:
        console.print(f"[bold]{row.prompt[:100]}[/]\n  chosen:   {row.persona_chosen}")
        console.print(f"  rejected: {row.persona_rejected}")


@app.command()
@settings_options(TailoringSettings, "method", "pairs", "safe_only", "personas")
def tailor(
    dataset: Annotated[Path, typer.Argument(help="Pairs with personas (persona infer).")],
    out: Annotated[Path, typer.Option(help="Adapter folder (an interrupted run resumes).")],
    settings: dict,
    config: Config = None,
) -> None:
    """Train a policy adapter that answers the persona in its system prompt."""
    from beavertail.data import load_ranked_pairs
    from beavertail.persona import train_tailored_policy

    with user_errors():
        tailoring = TailoringSettings.load(config, **settings)
        rows = list(load_ranked_pairs(dataset))
        folder = train_tailored_policy(rows, out, tailoring)
    training = json.loads((folder / "manifest.json").read_text())["training"]
    console.print(
        f"{tailoring.method}: {training['pairs']} rows, {training['steps']} steps, "
        f"{training['seconds']:.0f} s; adapter written to {folder}"
    )


@app.command()
def evaluate(
    train: Annotated[Path, typer.Option(help="Training pairs with personas (persona infer).")],
    test: Annotated[Path, typer.Option(help="Held-out pairs with personas.")],
    out: Annotated[Path, typer.Option(help="Folder for judges, answers, results, report.")],
    policy: Annotated[
        Path | None, typer.Option(help="Tailored policy adapter (persona tailor).")
    ] = None,
    control: Annotated[
        Path | None,
        typer.Option(help="Control adapter: same answers, no personas (tailor --no-personas)."),
    ] = None,
    config: Config = None,
) -> None:
    """Judge accuracy with vs without personas, tailored win rate and harness safety."""
    from beavertail.data import load_ranked_pairs
    from beavertail.persona import PersonaEvalSettings, evaluate_personas
    from beavertail.reporting import format_value

    with user_errors():
        settings = PersonaEvalSettings.load(config)
        results = evaluate_personas(
            list(load_ranked_pairs(train)),
            list(load_ranked_pairs(test)),
            out,
            policy,
            settings,
            control_policy=control,
        )
    view = Table(title="Preference accuracy on both sides of held-out pairs")
    for column in ("pairs", "with personas", "without", "gain (points)"):
        view.add_column(column)
    for group, block in results["accuracy"].items():
        view.add_row(
            f"{group} (n={block['conditioned']['pairs']})",
            format_value(block["conditioned"]["both_sides"]),
            format_value(block["unconditioned"]["both_sides"]),
            str(block["gain_points"]),
        )
    console.print(view)
    if "win_rate" in results:
        rate = results["win_rate"]["all"]
        console.print(f"tailored win rate over the base model: {rate['value']:.1%} (n={rate['n']})")
        if "win_rate_control" in results:
            rate = results["win_rate_control"]["all"]
            console.print(f"over the control policy: {rate['value']:.1%} (n={rate['n']})")
        for row in results["safety"]:
            verdict = "within" if row["within_bound"] else "ABOVE"
            console.print(
                f"unsafe rate, persona {str(row['persona'])[:60]!r}: tailored "
                f"{row['tailored']['value']:.1%} vs untailored {row['untailored']['value']:.1%} "
                f"(upper bound {row['untailored']['high']:.1%}): {verdict}"
            )
    console.print(f"report: {out / 'report.html'}")
