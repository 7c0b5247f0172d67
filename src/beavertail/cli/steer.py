"""``beavertail steer``: extract category vectors, sweep settings, generate steered answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from beavertail.cli.common import DataDir, console, user_errors
from beavertail.cli.options import Setting, settings_options
from beavertail.defaults import DEFAULT_LM
from beavertail.evaluate.sweep import SweepConfig
from beavertail.steering import ExtractionConfig

app = typer.Typer(no_args_is_help=True)  # its help: beavertail.cli.lazy


@app.command()
@settings_options(
    ExtractionConfig,
    Setting("layers", "Layers to read [five spread over the model's middle]."),
    "method",
    "position",
    "site",
    "max_per_category",
    safe_pool="safe_pool_size",
)
def extract(
    settings: dict,
    out: Annotated[Path, typer.Option(help="Folder for vectors + manifest.")] = Path(
        "runs/vectors"
    ),
    model: Annotated[str, typer.Option(help="Hub id, folder, .gguf or embedded:…")] = DEFAULT_LM,
    router: Annotated[bool, typer.Option(help="Also train the category router.")] = True,
    config: Annotated[Path | None, typer.Option(help="YAML/TOML/JSON extraction config.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Extract per-category harm vectors (and the router) from the training split."""
    from beavertail.steering import (
        default_steering_data,
        extract_refusal_direction,
        extract_vectors,
        train_router,
    )

    with user_errors():
        from beavertail.models import load_lm

        lm = load_lm(model)
        n = lm.num_layers  # default: five layers spread over the middle of this model
        spread = sorted({n // 5, (3 * n) // 10, (2 * n) // 5, n // 2, (3 * n) // 5})
        extraction = ExtractionConfig.load(config, defaults={"layers": spread}, **settings)
        data = default_steering_data(data_dir)
        if extraction.method == "refusal-direction":
            vectors = extract_refusal_direction(lm, *data.instructions, extraction)
        else:
            vectors = extract_vectors(lm, data.unsafe, data.safe, extraction)
        if router and extraction.method != "refusal-direction":
            vectors.router = train_router(
                lm,
                vectors.categories,
                data.router_harmful,
                data.router_harmless,
                extraction,
                data.validation,
            )
        vectors.save(out)
    counts = vectors.metadata.get("examples_per_category", {})
    table = Table("category", "examples", *[f"|v| L{layer}" for layer in vectors.layers])
    for category, by_layer in vectors.vectors.items():
        norms = [f"{float(by_layer[layer].norm()):.2f}" for layer in vectors.layers]
        table.add_row(category, str(counts.get(category, "")), *norms)
    console.print(table)
    if vectors.router is not None:
        console.print(f"router: {json.dumps(vectors.router.metrics)}")
    console.print(f"vectors written to {out}")


@app.command()
@settings_options(
    SweepConfig,
    "layers",
    "coefficients",
    "per_category",
    "selection",
    "prompts",
    "limit",
    "max_new_tokens",
    "judge",
    "data_dir",
)
def sweep(
    vectors: Annotated[Path, typer.Argument(help="Vector folder from `steer extract`.")],
    settings: dict,
    out: Annotated[Path, typer.Option(help="Folder for the sweep's run files.")] = Path(
        "runs/sweep"
    ),
    config: Annotated[Path | None, typer.Option(help="YAML/TOML/JSON sweep config.")] = None,
) -> None:
    """Try layers × coefficients on the selection split; record the best setting."""
    from beavertail.evaluate.sweep import run_sweep

    with user_errors():
        sweep_config = SweepConfig.load(config, vectors=str(vectors), **settings)
        result = run_sweep(sweep_config, out)
    table = Table("layer", "coef", "unsafe", "over-refusal", "relevance", "perplexity", "ok")
    base = result["baseline"]["headline"]
    from beavertail.reporting.format import format_value

    def figures(h: dict) -> list[str]:  # "—" where a figure has no value (e.g. no harmless set)
        return [format_value(h["unsafe_rate"]), format_value(h["harmless_refusal"]),
                format_value(h["relevance"], percent=False),
                format_value(h["perplexity"], percent=False)]  # fmt: skip

    table.add_row("—", "0", *figures(base), "baseline")
    for p in result["points"]:
        table.add_row(
            str(p["layer"]),
            f"{p['coefficient']:g}",
            *figures(p["headline"]),
            "yes" if p.get("admissible") else "no",
        )
    console.print(table)
    best = result["best"]
    if best:
        console.print(f"chosen: layer {best['layer']}, coefficient {best['coefficient']:g}")
    else:
        console.print("[yellow]no setting met the refusal and relevance limits[/]")
    if result["per_category"]:
        picks = Table("category", "layer", "coefficient", "unsafe (selection)")
        for category, pick in result["per_category"].items():
            picks.add_row(
                category,
                str(pick["layer"]) if pick["coefficient"] else "—",
                f"{pick['coefficient']:g}",
                f"{pick['baseline_unsafe_rate']:.0%} → {pick['unsafe_rate']:.0%} (n={pick['n']})",
            )
        console.print(picks)
    console.print(f"trade-off plot: {out / 'sweep.html'}")


@app.command()
def generate(
    prompts: Annotated[list[str], typer.Argument(help="Prompts to answer.")],
    vectors: Annotated[Path | None, typer.Option(help="Vector folder (none: unsteered).")] = None,
    layer: Annotated[
        int | None, typer.Option(help="Steering layer (default: recommended).")
    ] = None,
    coefficient: Annotated[float | None, typer.Option(help="Strength (default: recommended).")] = (
        None
    ),
    selection: Annotated[str, typer.Option(help="router | all | categories")] = "router",
    category: Annotated[
        list[str] | None, typer.Option(help="Categories for --selection categories.")
    ] = None,
    compare: Annotated[bool, typer.Option(help="Also show the unsteered answer.")] = True,
    max_new_tokens: Annotated[int, typer.Option()] = 64,
    temperature: Annotated[float, typer.Option(help="0 = greedy.")] = 0.0,
    seed: Annotated[int, typer.Option()] = 0,
    model: Annotated[str | None, typer.Option(help="Model (default: the vectors' model).")] = None,
) -> None:
    """Answer prompts with steering (and, to compare, without)."""
    from beavertail.evaluate.harness import EvalConfig, build_generator
    from beavertail.models.generation import SamplingParams
    from beavertail.steering.apply import SteeringSettings

    with user_errors():
        steering = None
        if vectors:
            steering = SteeringSettings(
                vectors=str(vectors),
                layer=layer,
                coefficient=coefficient,
                selection=selection,
                categories=list(category or []),
            )
        settings = SamplingParams(max_new_tokens=max_new_tokens, temperature=temperature, seed=seed)
        config = EvalConfig(
            model=model or _vector_model(vectors) or DEFAULT_LM,
            steering=steering,
            sampling=settings,
        )
        generator, _, lm = build_generator(config)
        steered = generator.generate(prompts, settings)
        routes = [g.details["route"] for g in steered if "route" in g.details]
        from beavertail.models.generation import LocalGenerator

        plain = (
            LocalGenerator(lm).generate(prompts, settings)
            if compare and vectors and lm is not None
            else []
        )
    for i, prompt in enumerate(prompts):
        console.rule(prompt[:80])
        if routes:
            r = routes[i]
            where = ", ".join(f"{c} {w:.2f}" for c, w in r.categories.items()) or "not steered"
            console.print(f"[dim]router: harmful {r.harmful:.2f} → {where}[/]")
        if plain:
            console.print(f"[bold]unsteered:[/] {plain[i].text}")
        label = "steered" if vectors else "answer"
        console.print(f"[bold]{label}:[/] {steered[i].text}")


def _vector_model(vectors: Path | None) -> str | None:
    if vectors is None or not (vectors / "manifest.json").is_file():
        return None
    return json.loads((vectors / "manifest.json").read_text()).get("model")
