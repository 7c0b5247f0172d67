"""``beavertail monitor``: prefix-trained moderators that stop harmful answers mid-stream."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from beavertail.artifacts import atomic_write_text
from beavertail.cli.common import DataDir, console, user_errors

app = typer.Typer(help="Streaming moderation with early stop.", no_args_is_help=True)


def _moderator(reference: str, data_dir: str | None):
    from beavertail.moderation import resolve_judge

    del data_dir  # every judge reference resolves without the data folder
    return resolve_judge(reference)


@app.command()
def train(
    out: Annotated[Path, typer.Option(help="Folder for the prefix moderator.")],
    fractions: Annotated[
        str, typer.Option(help="Comma-separated cut points, as shares of each answer's words.")
    ] = "0.15,0.3,0.5,0.75",
    limit: Annotated[int | None, typer.Option(help="Use only the first N training pairs.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Train a moderator on whole answers and their prefixes (BeaverTails train split)."""
    from beavertail.data import moderation_split
    from beavertail.monitor import train_prefix_moderator

    with user_errors():
        cuts = [float(x) for x in fractions.split(",") if x.strip()]
        train_set = moderation_split("train", data_dir)[:limit]
        moderator = train_prefix_moderator(
            train_set, moderation_split("validation", data_dir), fractions=cuts, output_dir=out
        )
    report = moderator.metadata["metrics"]["validation"]
    console.print(
        f"saved {out}: validation (whole answers and prefixes) F1 {report['flagged']['f1']:.3f}, "
        f"threshold {moderator.threshold:.3f}"
    )


@app.command()
def fit(
    moderator: Annotated[str, typer.Option(help="fast | default | a moderator folder")] = "fast",
    check_every: Annotated[int, typer.Option(help="Check every k generated tokens.")] = 8,
    min_tokens: Annotated[int, typer.Option(help="No check before this many tokens.")] = 8,
    max_false_stop: Annotated[
        float, typer.Option(help="Most benign validation answers that may be stopped.")
    ] = 0.02,
    limit: Annotated[int, typer.Option(help="Validation pairs to replay.")] = 2000,
    data_dir: DataDir = None,
) -> None:
    """Fit the stop threshold for repeated checks on replays of the mix's validation answers
    (put it under output_moderation.threshold). Only the replayed pairs' answers of the
    embedded model are generated (``--limit`` bounds them; cached)."""
    from beavertail.models.causal import load_tokenizer
    from beavertail.moderation.training_mix import answer_pending, moderation_mix
    from beavertail.monitor.replay import fit_on_validation, validation_sample

    with user_errors():
        judge = _moderator(moderator, data_dir)
        mix = moderation_mix(data_dir, pending=True)
        chosen = validation_sample(len(mix.validation), limit)
        answered = answer_pending([mix.validation[i] for i in chosen])
        for index, row in zip(chosen, answered, strict=True):
            mix.validation[index] = row
        fitted = fit_on_validation(
            judge,
            mix,
            load_tokenizer(),
            check_every,
            max_false_stop,
            limit,
            min_tokens,
            progress=True,
        )
    console.print(
        f"stop threshold {fitted['threshold']:.2f} for checks every {check_every} tokens "
        f"(validation: {fitted['validation_pairs']} pairs, stream F1 {fitted['f1']:.3f}, "
        f"benign answers stopped {fitted['false_stop']:.1%}; the per-check threshold is "
        f"{judge.threshold:.2f})"
    )


@app.command("eval")
def evaluate(
    moderator: Annotated[str, typer.Option(help="fast | default | a moderator folder")] = "fast",
    judge: Annotated[str, typer.Option(help="The full-text judge to compare with.")] = "default",
    check_every: Annotated[int, typer.Option(help="Check every k generated tokens.")] = 8,
    threshold: Annotated[float | None, typer.Option(help="Stop threshold.")] = None,
    limit: Annotated[int | None, typer.Option(help="First N held-out pairs.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the metrics as JSON here.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Replay held-out BeaverTails answers token by token: stream decisions vs full-text."""
    from beavertail.data import moderation_split
    from beavertail.models.causal import load_tokenizer
    from beavertail.monitor import MonitorConfig, StreamMonitor, evaluate_streaming

    with user_errors():
        config = MonitorConfig(check_every=check_every, threshold=threshold)
        monitor = StreamMonitor(_moderator(moderator, data_dir), config)
        examples = moderation_split("test", data_dir)[:limit]
        result = evaluate_streaming(
            monitor, examples, load_tokenizer(), _moderator(judge, data_dir), progress=True
        )
    table = Table(title=f"streaming vs full text, {result['examples']} held-out pairs")
    for column in ("judge", "F1", "macro-F1", "precision", "recall"):
        table.add_column(column)
    for name in ("streaming", "full_text"):
        m = result[name]
        table.add_row(name, *(f"{m[k]:.3f}" for k in ("f1", "macro_f1", "precision", "recall")))
    console.print(table)
    if "share_seen_at_stop" in result:
        console.print(
            f"unsafe answers stopped after {result['share_seen_at_stop']['mean']:.0%} of their "
            f"tokens on average; {result['harmful_tokens_shown_before_stop']['mean']:.1f} tokens "
            "shown before the stop"
        )
    if out:
        atomic_write_text(out, json.dumps(result, indent=2) + "\n")


@app.command()
def generate(
    prompts: Annotated[list[str], typer.Argument(help="Prompts to answer.")],
    moderator: Annotated[str, typer.Option(help="fast | default | folder")] = ("fast"),
    check_every: Annotated[int, typer.Option()] = 8,
    threshold: Annotated[float | None, typer.Option()] = None,
    max_new_tokens: Annotated[int, typer.Option()] = 96,
    model: Annotated[
        str | None, typer.Option(help="Causal LM (default: embedded SmolLM2).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Answer prompts with the streaming monitor on; show where and why answers stopped."""
    from beavertail.models import DEFAULT_LM, load_lm
    from beavertail.models.generation import SamplingParams
    from beavertail.monitor import MonitorConfig, StreamMonitor, monitored_generate

    with user_errors():
        config = MonitorConfig(check_every=check_every, threshold=threshold)
        monitor = StreamMonitor(_moderator(moderator, data_dir), config)
        lm = load_lm(model or DEFAULT_LM)
        results = monitored_generate(
            lm, prompts, SamplingParams(max_new_tokens=max_new_tokens), monitor
        )
    for result in results:
        console.rule(result.prompt[:80])
        if result.stop:
            console.print(
                f"[red]stopped at token {result.stop.token_index}[/] "
                f"(harm {result.stop.score:.2f}, {result.stop.category}); "
                f"the model had written: [dim]{result.generated}[/]"
            )
        console.print(result.text)
