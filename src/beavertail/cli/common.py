"""Shared CLI helpers: console, error reporting."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from beavertail.data.errors import DataValidationError
from beavertail.settings import DATA_DIR_HELP

# piped into a file or a log, a table keeps its figures whole instead of 80 columns of "0.8…"
console = Console(width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True, soft_wrap=True)
DataDir = Annotated[str | None, typer.Option(help=DATA_DIR_HELP)]


def parse_columns(pairs: list[str] | None) -> dict[str, str]:
    """``--column field=column`` options as a mapping."""
    mapping = {}
    for pair in pairs or []:
        field, sep, column = pair.partition("=")
        if not sep or not field or not column:
            raise ValueError(f"--column expects field=column, got {pair!r}")
        mapping[field] = column
    return mapping


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Show bad input as one clear line and exit 2, instead of a traceback."""
    from pydantic import ValidationError

    from beavertail.settings import describe_errors

    try:
        yield
    except (DataValidationError, FileNotFoundError, KeyError, ValueError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        if isinstance(exc, ValidationError):  # options that build a settings model
            message = describe_errors(exc, "options")
        err_console.print(f"[bold red]error:[/] {escape(str(message))}", highlight=False)
        raise typer.Exit(2) from None


def ood_policy(on_ood: str | None, ood_judge: str | None) -> Any:
    """The ``--on-ood`` / ``--ood-judge`` options as an OOD policy (a clear error if bad)."""
    from beavertail.moderation.ood.policy import OODPolicy

    return OODPolicy.parse(
        {"on_ood": on_ood or "keep", "ood_judge": ood_judge}, "--on-ood / --ood-judge"
    )


def output_file(path: Path | None) -> Path | None:
    """An output file's folder made before any work, so a missing one never fails at the end."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    return path
