"""Command groups built when first used: a group whose options come from settings models
(:mod:`beavertail.cli.options`) imports those models, and with them torch; listed here, it
is imported only when one of its commands (or its own ``--help``) runs, so ``beavertail
--help`` and the data commands start without torch."""

from __future__ import annotations

import importlib
from collections.abc import MutableMapping
from typing import Any

import typer
from typer.core import TyperGroup

# name -> (module whose ``app`` holds the commands, the one-line help the top level shows)
LAZY_GROUPS: dict[str, tuple[str, str]] = {
    "steer": ("beavertail.cli.steer", "Category-wise activation steering."),
    "align": (
        "beavertail.cli.align",
        "Align the model itself on preference pairs (LoRA adapters; evaluate with "
        "`beavertail eval run --adapter`).",
    ),
    "eval": ("beavertail.cli.eval", "Evaluate models (steered or not) and report."),
    "persona": (
        "beavertail.cli.persona",
        "Infer who prefers each side of a preference pair (PI), tailor a policy to a persona "
        "(PT) and measure both (Balepur et al., 'Whose Boat Does it Float?').",
    ),
}


class LazyGroup(TyperGroup):
    """A group that imports its module and builds its commands on first access."""

    def __init__(self, name: str, module: str, help: str) -> None:
        super().__init__(name=name, help=help, no_args_is_help=True)
        self.module = module
        self._built: TyperGroup | None = None

    def _group(self) -> TyperGroup:
        if self._built is None:
            app = importlib.import_module(self.module).app
            self._built = typer.main.get_group(app)
        return self._built

    @property
    def commands(self) -> MutableMapping[str, Any]:
        return self._group().commands

    @commands.setter
    def commands(self, _: Any) -> None:  # the base class's empty table: the module's instead
        pass


# the order of ``beavertail --help``: the capabilities as the documentation takes them
ORDER = (
    "quickstart",
    "data",
    "moderate",
    "steer",
    "prefs",
    "align",
    "eval",
    "monitor",
    "neurons",
    "influence",
    "persona",
    "serve",
)


class RootGroup(TyperGroup):
    """The top-level group: the eagerly registered groups and commands, and the lazy ones."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, (module, help_text) in LAZY_GROUPS.items():
            self.commands[name] = LazyGroup(name, module, help_text)
        rank = {name: i for i, name in enumerate(ORDER)}
        self.commands = dict(
            sorted(self.commands.items(), key=lambda c: rank.get(c[0], len(ORDER)))
        )
