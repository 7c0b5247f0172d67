"""Shared CLI helpers: console, error reporting."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import typer
from rich.console import Console

from beavertail.data.errors import DataValidationError

# piped into a file or a log, a table keeps its figures whole instead of 80 columns of "0.8…"
console = Console(width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True, soft_wrap=True)


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
    try:
        yield
    except (DataValidationError, FileNotFoundError, KeyError, ValueError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        err_console.print(f"[bold red]error:[/] {message}")
        raise typer.Exit(2) from None
