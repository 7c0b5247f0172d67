"""``beavertail neurons``: find safety neurons, patch them, and predict unsafe answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from beavertail.artifacts import atomic_write_text
from beavertail.cli.common import DataDir, console, user_errors

app = typer.Typer(
    help="Safety neurons: activation contrasting, dynamic activation patching, and probes "
    "that predict an unsafe answer before it is generated.",
    no_args_is_help=True,
)

Model = Annotated[str | None, typer.Option(help="Base LM: hub id, folder, .gguf, embedded:….")]
MaxNewTokens = Annotated[int, typer.Option(help="Tokens per greedy answer.")]


def _prompts(specs: list[str], limit: int | None, data_dir: str | None) -> list[str]:
    from beavertail.evaluate.prompt_sets import load_prompt_set

    return [p.prompt for spec in specs for p in load_prompt_set(spec, data_dir, limit)]


@app.command()
def find(
    out: Annotated[Path, typer.Option(help="Folder for the neuron scores.")],
    aligned: Annotated[
        str | None,
        typer.Option(
            help="Aligned twin: a policy adapter (beavertail align dpo). Without "
            "one, harmful and harmless prompts are contrasted in the one model."
        ),
    ] = None,
    harmful: Annotated[list[str] | None, typer.Option(help="Harmful prompt sets.")] = None,
    harmless: Annotated[
        list[str] | None, typer.Option(help="Harmless prompt sets (without a twin).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Prompts per set.")] = 64,
    max_new_tokens: MaxNewTokens = 48,
    model: Model = None,
    data_dir: DataDir = None,
) -> None:
    """Score every MLP neuron by activation contrasting and save the scores."""
    from beavertail.models import DEFAULT_LM
    from beavertail.neurons import find_safety_neurons

    with user_errors():
        harmful_prompts = _prompts(harmful or ["harmful-train"], limit, data_dir)
        harmless_prompts = (
            _prompts(harmless or ["harmless-train"], limit, data_dir) if aligned is None else []
        )
        found = find_safety_neurons(
            harmful_prompts,
            harmless_prompts,
            model or DEFAULT_LM,
            aligned,
            max_new_tokens,
            out,
            progress=True,
        )
    console.print(found.summary())
    console.print(f"neuron scores written to {out}")


@app.command()
def patch(
    neurons: Annotated[Path, typer.Option(help="Neuron folder (beavertail neurons find).")],
    out: Annotated[Path, typer.Option(help="Folder for the run files and the plot.")],
    shares: Annotated[
        str, typer.Option(help="Comma-separated shares of all neurons to patch.")
    ] = "0.001,0.005,0.01,0.02,0.05,0.1",
    prompts: Annotated[
        list[str] | None, typer.Option(help="Harmful and harmless prompt sets.")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Prompts per set.")] = 50,
    max_new_tokens: MaxNewTokens = 48,
    random_baseline: Annotated[bool, typer.Option(help="Also patch random neurons.")] = True,
    seed: Annotated[int, typer.Option(help="Seed of the random neurons.")] = 0,
    data_dir: DataDir = None,
) -> None:
    """Generate with the top-k neurons patched from the aligned twin, for each k: the share of
    the twin's safety gain recovered, and the cost on helpfulness (resumable)."""
    from beavertail.evaluate.patching import RECOVERY_COLUMNS, recovery_plot, recovery_sweep
    from beavertail.models.generation import SamplingParams

    with user_errors():
        cuts = [float(x) for x in shares.split(",") if x.strip()]
        base, aligned, points = recovery_sweep(
            neurons,
            out,
            cuts,
            prompts or ["harmful-test", "harmless-test"],
            limit,
            SamplingParams(max_new_tokens=max_new_tokens),
            random_baseline=random_baseline,
            seed=seed,
            data_dir=data_dir,
            progress=True,
        )
    table = Table(
        title=f"base unsafe {base.unsafe_rate:.1%}, aligned {aligned.unsafe_rate:.1%}; "
        f"relevance base {base.relevance:.3f}"
    )
    for column in RECOVERY_COLUMNS:
        table.add_column(column)
    for p in points:
        table.add_row(*p.cells())
    console.print(table)
    atomic_write_text(out / "recovery.svg", recovery_plot(points, "Safety gain recovered"))
    atomic_write_text(
        out / "recovery.json",
        json.dumps(
            {
                "base": base.__dict__,
                "aligned": aligned.__dict__,
                "points": [p.to_dict() for p in points],
            },
            indent=2,
        )
        + "\n",
    )
    console.print(f"plot: {out / 'recovery.svg'}")


@app.command()
def predict(
    probe: Annotated[Path, typer.Option(help="Probe folder (written when --neurons is given).")],
    neurons: Annotated[
        Path | None, typer.Option(help="Neuron folder: fit a new probe on its top neurons.")
    ] = None,
    share: Annotated[float, typer.Option(help="Share of all neurons the probe reads.")] = 0.05,
    train: Annotated[
        list[str] | None, typer.Option(help="Prompt sets to fit on (labels: judged answers).")
    ] = None,
    test: Annotated[list[str] | None, typer.Option(help="Held-out prompt sets.")] = None,
    limit: Annotated[int | None, typer.Option(help="Prompts per set.")] = 100,
    prompt: Annotated[
        list[str] | None, typer.Option(help="Prompts to predict for with a saved probe.")
    ] = None,
    max_new_tokens: MaxNewTokens = 48,
    data_dir: DataDir = None,
) -> None:
    """Fit (with --neurons) or apply (with --prompt) a probe that predicts, from the last
    prompt token's safety neurons, whether the greedy answer will be judged unsafe."""
    from beavertail.models import load_lm
    from beavertail.neurons import NeuronProbe

    with user_errors():
        if neurons is not None:
            from beavertail.evaluate.patching import fit_prompt_probe

            fitted, report = fit_prompt_probe(
                neurons,
                probe,
                train or ["harmful-train", "harmless-train", "bt-eval-select"],
                test or ["harmful-test", "harmless-test", "bt-eval-test"],
                share,
                limit,
                max_new_tokens,
                data_dir,
                progress=True,
            )
            console.print(
                f"probe on {fitted.size} neurons: held-out accuracy {report['accuracy']:.3f}, "
                f"AUC {report['auc']:.3f} ({report['examples']} prompts, "
                f"{report['positives']} unsafe answers); written to {probe}"
            )
        if prompt:
            loaded = NeuronProbe.load(probe)
            lm = load_lm(loaded.model)
            for text, p in zip(prompt, loaded.predict(lm, prompt), strict=True):
                verdict = "unsafe" if p >= loaded.probe.threshold else "safe"
                console.print(f"{p:.3f} {verdict}: {text}")
        if neurons is None and not prompt:
            raise ValueError("give --neurons to fit a probe, or --prompt to apply one")
