"""``beavertail influence``: which training examples taught a behaviour, and undoing it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from beavertail.cli.common import console, user_errors
from beavertail.defaults import DEFAULT_CONTRAST

app = typer.Typer(
    help="Training-data attribution (TracIn, EK-FAC via kronfluence) on LoRA policies and "
    "tuned judges, and correction (retrain without the top-k, LANCET's IBO).",
    no_args_is_help=True,
)

Method = Annotated[str, typer.Option(help="tracin | tracin-cosine | ekfac")]
Out = Annotated[Path, typer.Option(help="Folder for the table (scores, rows, influence.html).")]
Top = Annotated[int, typer.Option(help="Rows shown in the terminal.")]
ExplainedAdapter = Annotated[Path, typer.Option(help="The policy adapter the table explains.")]
TableRows = Annotated[Path, typer.Option(help="Its training rows (the table's order).")]
TableFolder = Annotated[Path, typer.Option(help="An influence table folder.")]


def _show(table: object, top: int) -> None:
    from beavertail.influence import InfluenceTable

    assert isinstance(table, InfluenceTable)
    view = Table(title=f"Most influential training examples ({table.method})")
    for column in ("rank", "example", "influence", "prompt", "answer", "drives queries"):
        view.add_column(column, overflow="fold")
    for row in table.ranked(top):
        view.add_row(
            str(row["rank"]),
            str(row["index"]),
            f"{row['influence']:.4g}",
            row["prompt"][:80],
            row["answer"][:80],
            ", ".join(map(str, row["drives"])),
        )
    console.print(view)


@app.command()
def attribute(
    adapter: Annotated[Path, typer.Option(help="Policy adapter folder (LoRA; beavertail align).")],
    train: Annotated[Path, typer.Option(help="Its training rows: prompt + answer (JSONL/CSV/…).")],
    queries: Annotated[
        Path, typer.Option(help="Behaviours to explain: prompt + answer rows, or an eval run file.")
    ],
    out: Out,
    method: Method = "tracin",
    unsafe_only: Annotated[
        bool, typer.Option(help="Of a run file, only the answers its judge called unsafe.")
    ] = True,
    contrast: Annotated[
        str,
        typer.Option(
            help="The answer wanted instead: each query measures NLL(answer) − NLL(contrast) "
            "('' : the answer's NLL alone)."
        ),
    ] = DEFAULT_CONTRAST,
    max_length: Annotated[int, typer.Option(help="Tokens of prompt + answer.")] = 128,
    top: Top = 20,
) -> None:
    """Score every training row's influence on the query answers (on the LoRA matrices)."""
    from beavertail.align.sft import SFTRow
    from beavertail.influence import attribute as run_attribution
    from beavertail.influence import load_policy, read_sft_rows
    from beavertail.influence.tasks import ContrastRow

    with user_errors():
        rows = read_sft_rows(train)
        asked: list[SFTRow] | list[ContrastRow] = read_sft_rows(queries, unsafe_only=unsafe_only)
        if not asked:
            raise ValueError(f"{queries}: no query answers (unsafe_only={unsafe_only})")
        if contrast:
            asked = [ContrastRow(q.prompt, q.answer, contrast) for q in asked]
        task = load_policy(adapter, max_length)
        table = run_attribution(
            task, rows, asked, method, cache=out / "cache", meta={"policy": str(adapter)}
        )
    table.save(out)
    page = table.to_html(out / "influence.html", title=f"Influence on {len(asked)} answers")
    _show(table, top)
    cut = table.meta.get("prompts_cut") or {}
    if any(cut.values()):
        console.print(
            f"{cut['train']} training rows and {cut['queries']} queries are over {max_length} "
            "tokens: their prompts lost their start (answers are never cut; --max-length)"
        )
    console.print(f"table written to {out}; view: {page}")


@app.command()
def judge(
    judge_folder: Annotated[
        Path,
        typer.Option(
            "--judge",
            help="A MiniLM judge (backend encoder or finetuned): its folder or hf:org/name.",
        ),
    ],
    train: Annotated[Path, typer.Option(help="Its training pairs (labelled QA file).")],
    validation: Annotated[Path, typer.Option(help="Labelled pairs; wrong verdicts are queries.")],
    out: Out,
    method: Method = "tracin",
    modules: Annotated[
        str,
        typer.Option(
            help="Comma-separated parameter-name parts to attribute on: 'head.' for a frozen "
            "encoder; a finetuned one can add e.g. 'features.encoder.layer.2.'."
        ),
    ] = "head.",
    top: Top = 20,
) -> None:
    """Score every training pair's influence on the judge's wrong validation verdicts."""
    from beavertail.data import load_qa_examples
    from beavertail.influence import JudgeVerdict, wrong_verdicts
    from beavertail.influence import attribute as run_attribution
    from beavertail.moderation import resolve_trained_judge

    with user_errors():
        moderator = resolve_trained_judge(str(judge_folder))
        parts = tuple(m for m in modules.split(",") if m)
        if moderator.spec.backend not in ("encoder", "finetuned"):
            raise ValueError(
                f"{judge_folder}: judge attribution supports MiniLM judges (backend encoder or "
                f"finetuned), not {moderator.spec.backend!r}"
            )
        if moderator.spec.backend == "encoder" and any(not m.startswith("head.") for m in parts):
            raise ValueError(f"{judge_folder}: a frozen encoder trained only its head; use 'head.'")
        pairs = list(load_qa_examples(train))
        asked = wrong_verdicts(moderator, list(load_qa_examples(validation)))
        if not asked:
            raise ValueError(f"{validation}: the judge gets every pair right; nothing to explain")
        task = JudgeVerdict(moderator.extractor, moderator.head, parts)
        table = run_attribution(
            task, pairs, asked, method, cache=out / "cache", meta={"judge": str(judge_folder)}
        )
    table.save(out)
    page = table.to_html(out / "influence.html", title=f"Influence on {len(asked)} wrong verdicts")
    _show(table, top)
    console.print(f"{len(asked)} wrong verdicts explained; table in {out}; view: {page}")


@app.command()
def retrain(
    adapter: ExplainedAdapter,
    train: TableRows,
    table: TableFolder,
    out: Annotated[Path, typer.Option(help="The retrained adapter's folder.")],
    share: Annotated[
        float, typer.Option(help="Share of rows removed, most influential first.")
    ] = 0.05,
) -> None:
    """Retrain the policy with the same settings, without the most influential rows."""
    from beavertail.influence import InfluenceTable, read_sft_rows, retrain_without

    with user_errors():
        scores = InfluenceTable.load(table)
        rows = read_sft_rows(train)
        drop = scores.top(share).tolist()
        folder = retrain_without(adapter, rows, drop, out)
    console.print(f"retrained without {len(drop)} rows: {folder}")


@app.command()
def ibo(
    adapter: ExplainedAdapter,
    train: TableRows,
    table: TableFolder,
    queries: Annotated[Path, typer.Option(help="The unwanted answers (rows or a run file).")],
    out: Annotated[Path, typer.Option(help="The corrected adapter's folder.")],
    share: Annotated[float, typer.Option(help="Share of rows recalled.")] = 0.05,
) -> None:
    """LANCET's IBO: post-train the policy toward answers the recalled data did not teach."""
    from beavertail.influence import (
        InfluenceTable,
        correct_with_ibo,
        read_sft_rows,
        recalled_rows,
    )

    with user_errors():
        scores = InfluenceTable.load(table)
        recalled = recalled_rows(scores, read_sft_rows(train), share)
        asked = read_sft_rows(queries, unsafe_only=True)
        folder = correct_with_ibo(adapter, asked, recalled, out)
    console.print(f"IBO adapter (parent: {adapter}) written to {folder}")
