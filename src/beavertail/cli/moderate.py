"""``beavertail moderate``: train, evaluate and apply QA moderators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from beavertail.cli.common import console, parse_columns, user_errors
from beavertail.data import (
    beavertails_qa,
    load_qa,
    load_qa_examples,
    moderation_split,
    pku_qa,
)
from beavertail.moderation import (
    ModerationTrainingConfig,
    Moderator,
    ModeratorSpec,
    evaluate_moderator,
    load_training_config,
    train_moderator,
)

app = typer.Typer(help="Train, evaluate and apply QA moderators.", no_args_is_help=True)

DataDir = Annotated[
    str | None,
    typer.Option(help="Shared data folder (default: $BEAVERTAIL_DATA_DIR or ../shared/data)."),
]


@app.command()
def train(
    out: Annotated[Path, typer.Option(help="Folder for the trained moderator.")] = Path(
        "runs/moderator"
    ),
    backend: Annotated[str, typer.Option(help="encoder | finetuned | lm-probe")] = "encoder",
    input_mode: Annotated[
        str, typer.Option("--input", help="pair | prompt (prompt-only baseline)")
    ] = "pair",
    max_length: Annotated[int, typer.Option(help="Token limit per pair.")] = 128,
    quantize: Annotated[
        bool, typer.Option(help="int8 dynamic quantization of the encoder.")
    ] = True,
    num_layers: Annotated[
        int | None, typer.Option(help="Encoder layers kept (MiniLM has 6; default 3).")
    ] = 3,
    config: Annotated[Path | None, typer.Option(help="YAML/TOML/JSON training config.")] = None,
    train_file: Annotated[
        list[str] | None, typer.Option("--train", help="Own QA files to train on.")
    ] = None,
    validation_file: Annotated[
        str | None, typer.Option("--validation", help="Own validation file.")
    ] = None,
    max_train: Annotated[
        int | None, typer.Option(help="Use only the first N training pairs.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Train on the canonical BeaverTails train split + PKU-SafeRLHF train (or your files)."""
    with user_errors():
        settings = load_training_config(config) if config else ModerationTrainingConfig()
        if config is None:
            settings.spec = ModeratorSpec(
                backend=backend,  # type: ignore[arg-type]
                input=input_mode,  # type: ignore[arg-type]
                max_length=max_length,
                quantize=quantize and backend == "encoder",
                num_layers=num_layers,
            )
        if train_file:
            train_set = [ex for f in train_file for ex in load_qa_examples(f)]
            if not validation_file:
                raise ValueError("--train needs --validation too (calibration uses it)")
            validation = list(load_qa_examples(validation_file))
            described = {"train": train_file, "validation": validation_file}
        else:
            train_set = moderation_split("train", data_dir)
            validation = moderation_split("validation", data_dir)
            described = {
                "train": "beavertails 30k_test canonical train split"
                " + pku-saferlhf train_subset3695",
                "validation": "beavertails 30k_test canonical validation split",
            }
        if max_train:
            train_set = train_set[:max_train]
        console.print(f"training {settings.spec.backend} moderator on {len(train_set)} pairs")
        moderator = train_moderator(
            train_set, validation, settings, out, data_description=described
        )
    val = moderator.metadata["metrics"]["validation"]
    console.print(
        f"saved to [bold]{out}[/]; validation flagged F1 {val['flagged']['f1']:.3f}, "
        f"ECE {val['ece']:.3f}, threshold {moderator.threshold:.3f}"
    )


def _print_report(name: str, report: dict) -> None:
    flagged = report["flagged"]
    table = Table("metric", "value", title=f"{name} ({report['n']} pairs)")
    for key in ("accuracy", "precision", "recall", "f1"):
        table.add_row(f"flagged {key}", f"{flagged[key]:.3f}")
    table.add_row("ROC-AUC", f"{report['roc_auc']:.3f}")
    table.add_row("ECE", f"{report['ece']:.3f}")
    if "category_macro_f1" in report:
        table.add_row("category macro F1", f"{report['category_macro_f1']:.3f}")
    table.add_row("pairs/s", f"{report['pairs_per_s']:.1f}")
    console.print(table)
    confusion = Table("", "predicted unsafe", "predicted safe", title="confusion")
    confusion.add_row("unsafe", str(flagged["tp"]), str(flagged["fn"]))
    confusion.add_row("safe", str(flagged["fp"]), str(flagged["tn"]))
    console.print(confusion)
    if "per_category" in report:
        cats = Table("category", "support", "F1", title="per category")
        for cat, values in report["per_category"].items():
            cats.add_row(cat, str(values["support"]), f"{values['f1']:.3f}")
        console.print(cats)


@app.command("eval")
def evaluate(
    model: Annotated[Path, typer.Argument(help="A saved moderator folder.")],
    data: Annotated[
        list[str] | None, typer.Option(help="Labelled QA files (default: the test splits).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--json", help="Write the metrics as JSON here.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Flagged accuracy/precision/recall/F1, ROC-AUC, per-category F1, ECE and confusion."""
    with user_errors():
        moderator = Moderator.load(model)
        if data:
            sets = {Path(f).name: list(load_qa_examples(f)) for f in data}
        else:
            sets = {
                "beavertails_test": list(beavertails_qa("test", data_dir)),
                "pku_test": list(pku_qa("test", data_dir)),
            }
        reports = {}
        for name, examples in sets.items():
            reports[name] = evaluate_moderator(moderator, examples, progress=True)
            _print_report(name, reports[name])
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(reports, indent=2) + "\n")
        console.print(f"metrics written to {output}")


@app.command()
def predict(
    model: Annotated[Path, typer.Argument(help="A saved moderator folder.")],
    path: Annotated[
        str | None, typer.Argument(help="File of pairs (prompt/response columns).")
    ] = None,
    prompt: Annotated[str | None, typer.Option(help="Judge one pair: the prompt.")] = None,
    response: Annotated[str | None, typer.Option(help="Judge one pair: the response.")] = None,
    output: Annotated[Path | None, typer.Option(help="Write verdicts as JSONL here.")] = None,
    column: Annotated[list[str] | None, typer.Option(help="field=column mapping.")] = None,
) -> None:
    """Judge pairs from a file (or one pair from --prompt/--response)."""
    with user_errors():
        moderator = Moderator.load(model)
        if path:
            pairs = [(x.prompt, x.response) for x in load_qa(path, parse_columns(column))]
        elif prompt is not None:
            pairs = [(prompt, response or "")]
        else:
            raise ValueError("give a file of pairs, or --prompt (and --response)")
        verdicts = moderator.predict(
            [p for p, _ in pairs], [r for _, r in pairs], progress=len(pairs) > 256
        )
    table = Table("prompt", "response", "flagged", "score", "categories", title="verdicts")
    for (p, r), v in zip(pairs, verdicts, strict=True):
        flag = "[red]unsafe[/]" if v.flagged else "[green]safe[/]"
        table.add_row(p[:60], r[:60], flag, f"{v.score:.2f}", ", ".join(v.flagged_categories))
    console.print(table)
    if output:
        with output.open("w", encoding="utf-8") as fh:
            for (p, r), v in zip(pairs, verdicts, strict=True):
                fh.write(json.dumps({"prompt": p, "response": r, **v.to_dict()}) + "\n")
        console.print(f"verdicts written to {output}")


def quickstart(
    out: Annotated[Path, typer.Option(help="Where the default moderator lives.")] = Path(
        "runs/moderator"
    ),
    pairs: Annotated[str, typer.Option(help="Pairs to moderate.")] = "examples/pairs.jsonl",
    data_dir: DataDir = None,
) -> None:
    """Train the default moderator (or load it if present) and moderate the example pairs."""
    if not (out / "manifest.json").is_file():
        train(out=out, data_dir=data_dir, train_file=None, validation_file=None, config=None)
    else:
        console.print(f"using the moderator in {out}")
    predict(model=out, path=pairs, prompt=None, response=None, output=None, column=None)
