"""``beavertail data``: inspect, validate and convert data files."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from beavertail.cli.common import DataDir, console, parse_columns, user_errors
from beavertail.data import (
    BEAVERTAILS_14,
    compute_stats,
    get_mapping,
    get_taxonomy,
    list_taxonomies,
    load_qa,
    load_qa_examples,
    load_records,
)

app = typer.Typer(help="Inspect, validate and convert data sets.", no_args_is_help=True)


@app.command()
def stats(
    path: Annotated[
        str,
        typer.Argument(
            help="A data file (JSONL/JSON/CSV/Parquet), a dataset folder or hf:owner/name."
        ),
    ],
    split: Annotated[str | None, typer.Option(help="Split, for Hub datasets.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Counts per category, safety and severity."""
    with user_errors():
        result = compute_stats(path, split)
    if as_json:
        console.print_json(json.dumps(result.to_dict()))
        return
    console.print(
        f"[bold]{path}[/]: {result.records} {result.kind or 'records'}, "
        f"{result.unique_prompts} unique prompts"
    )
    if result.safe or result.unsafe:
        total = result.safe + result.unsafe
        console.print(
            f"responses: {result.safe} safe ({result.safe / total:.1%}), "
            f"{result.unsafe} unsafe ({result.unsafe / total:.1%})"
        )
    table = Table("category", "count", title="categories")
    for name, count in result.categories.most_common():
        table.add_row(name, str(count))
    console.print(table)
    if result.severity:
        sev = Table("severity", "count", title="severity")
        for level, count in sorted(result.severity.items()):
            sev.add_row(str(level), str(count))
        console.print(sev)


@app.command()
def validate(
    path: Annotated[str, typer.Argument(help="A data file, a dataset folder or hf:owner/name.")],
    split: Annotated[str | None, typer.Option(help="Split, for Hub datasets.")] = None,
) -> None:
    """Read every record; the first bad one is reported with file, line and field."""
    with user_errors():
        count = sum(1 for _ in load_records(path, split))
    console.print(f"[green]ok[/]: {count} valid records in {path}")


@app.command()
def convert(
    source: Annotated[str, typer.Argument(help="Input file, dataset folder or hf:owner/name.")],
    output: Annotated[Path, typer.Argument(help="Output JSONL (BeaverTails QA schema).")],
    column: Annotated[
        list[str] | None,
        typer.Option(help="field=column mapping for your own files, e.g. prompt=question."),
    ] = None,
    taxonomy: Annotated[
        str, typer.Option(help="Taxonomy of the input's categories.")
    ] = BEAVERTAILS_14,
    split: Annotated[str | None, typer.Option(help="Split, for Hub datasets.")] = None,
) -> None:
    """Convert QA pairs or preference pairs to BeaverTails-schema JSONL (14 categories)."""
    categories = get_taxonomy(BEAVERTAILS_14).categories
    with user_errors():
        mapping = parse_columns(column)
        examples = (
            load_qa(source, mapping, taxonomy, split)
            if mapping
            else load_qa_examples(source, split)
        )
        count = 0
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("w", encoding="utf-8") as fh:
            for ex in examples:
                row = {
                    "prompt": ex.prompt,
                    "response": ex.response,
                    "category": {c: c in ex.categories for c in categories},
                    "is_safe": ex.is_safe,
                }
                if ex.severity is not None:
                    row["severity"] = ex.severity
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    console.print(f"wrote {count} QA pairs to {output}")


@app.command()
def mix(
    out: Annotated[Path, typer.Option(help="Folder for train/validation/held-out JSONL.")] = Path(
        "runs/moderation-mix"
    ),
    generated: Annotated[
        bool,
        typer.Option(help="Include the embedded model's answers to harmless instructions."),
    ] = True,
    data_dir: DataDir = None,
) -> None:
    """Build the QA-moderation training mix (every source split by prompt, test prompts
    removed) and write it with a manifest of sources and counts."""
    from beavertail.artifacts import atomic_write_text
    from beavertail.moderation.training_mix import moderation_mix

    categories = get_taxonomy(BEAVERTAILS_14).categories
    with user_errors():
        built = moderation_mix(data_dir, with_generated=generated)
    out.mkdir(parents=True, exist_ok=True)
    parts = {"train": built.train, "validation": built.validation}
    parts |= {f"heldout_{k}": v for k, v in built.heldout.items()}
    for name, items in parts.items():
        weights = built.weights(items)
        lines = [
            json.dumps(
                {
                    "prompt": x.prompt,
                    "response": x.response,
                    "category": {c: c in x.categories for c in categories},
                    "is_safe": x.is_safe,
                    "source": x.source,
                    "weight": w,
                },
                ensure_ascii=False,
            )
            for x, w in zip(items, weights, strict=True)
        ]
        atomic_write_text(out / f"{name}.jsonl", "".join(line + "\n" for line in lines))
    atomic_write_text(out / "mix.json", json.dumps(built.describe(), indent=2) + "\n")
    table = Table("source", "train", "validation", title=f"moderation mix -> {out}")
    for source, counts in built.counts.items():
        table.add_row(source, str(counts.get("train", 0)), str(counts.get("validation", 0)))
    console.print(table)
    console.print(
        f"held out: {', '.join(f'{k} {len(v)}' for k, v in built.heldout.items())}; "
        f"removed for test overlap: {built.removed}"
    )


@app.command()
def taxonomies() -> None:
    """List the harm taxonomies and the mapping of PKU-SafeRLHF-19 onto BeaverTails-14."""
    for name in list_taxonomies():
        tax = get_taxonomy(name)
        console.print(f"[bold]{name}[/] ({len(tax)}): {tax.description}")
    mapping = get_mapping("pku-saferlhf-19")
    table = Table("PKU-SafeRLHF-19", "BeaverTails-14", title="mapping")
    for source, targets in mapping.mapping.items():
        table.add_row(source, "; ".join(targets))
    console.print(table)
    console.print(asdict(mapping)["description"])
