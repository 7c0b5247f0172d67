"""The ``beavertail`` command line: thin verbs over the Python API."""

from __future__ import annotations

import os

import typer

from beavertail.cli import data as data_cli
from beavertail.cli import influence as influence_cli
from beavertail.cli import moderate as moderate_cli
from beavertail.cli import monitor as monitor_cli
from beavertail.cli import neurons as neurons_cli
from beavertail.cli import prefs as prefs_cli
from beavertail.cli import serve as serve_cli
from beavertail.cli.lazy import RootGroup

app = typer.Typer(
    help="beavertail: measure and reduce LLM harmfulness (BeaverTails / PKU-SafeRLHF family).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=RootGroup,  # steer, align, eval, persona: built when used (beavertail.cli.lazy)
)
app.add_typer(data_cli.app, name="data")
app.add_typer(moderate_cli.app, name="moderate")
app.add_typer(prefs_cli.app, name="prefs")
app.add_typer(monitor_cli.app, name="monitor")
app.add_typer(neurons_cli.app, name="neurons")
app.add_typer(influence_cli.app, name="influence")
app.command("serve")(serve_cli.serve)
app.command("quickstart")(moderate_cli.quickstart)


def main() -> None:
    # the command line uses every core (BEAVERTAIL_THREADS overrides); set through the
    # environment, read when torch first loads, so that --help and data commands need no torch
    threads = os.environ.get("BEAVERTAIL_THREADS") or str(os.cpu_count() or 1)
    os.environ.setdefault("OMP_NUM_THREADS", threads)
    app()
