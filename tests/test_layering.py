"""Every import in ``src/beavertail`` runs down the layers that ``../shared/DESIGN.md`` draws.

DESIGN.md's table lists the packages from the bottom layer up; a package depends only on
those above it in the table, and its "depends on" column names which. The README's layout
section says where a package uses more than its column (``DOCUMENTED_DIFFERENCES`` here);
no import runs up the table. Imports are read with :mod:`ast` (nothing is imported), lazy
ones inside functions and ``TYPE_CHECKING`` ones included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "beavertail"

# DESIGN.md's table, in its order: a package may import the packages before it.
LAYERS = (
    "data",
    "reporting",
    "models",
    "moderation",
    "preference",
    "steering",
    "align",
    "neurons",
    "decoding",
    "monitor",
    "evaluate",
    "influence",
    "persona",
    "serve",
    "cli",
)
# Beside the packages: the version (``__init__``), the settings base, the artifact layer and
# the default model ids. Every package may use them; they use no package.
FOUNDATION = ("__init__", "artifacts", "defaults", "settings")

# DESIGN.md's "depends on" column.
DEPENDS_ON: dict[str, set[str]] = {
    "data": set(),
    "reporting": set(),
    "models": set(),
    "moderation": {"data", "models"},
    "preference": {"data", "models"},
    "steering": {"data", "models", "moderation"},
    "align": {"data", "models", "preference", "moderation"},
    "neurons": {"models", "moderation"},
    "decoding": {"models", "preference", "moderation"},
    "monitor": {"models", "moderation"},
    "evaluate": set(LAYERS[: LAYERS.index("evaluate")]),  # all of the above
    "influence": {"data", "models", "moderation", "align", "reporting", "evaluate"},
    "persona": {"data", "models", "preference", "align", "reporting", "evaluate"},
    "serve": {"models", "steering", "moderation", "monitor", "decoding"},
    "cli": set(LAYERS[:-1]),  # everything
}
# DESIGN.md: reporting holds the pages and charts "for every page any package writes", so any
# package may use it (it uses none).
FOR_EVERY_PACKAGE = {"reporting"}
# Where a package uses more than its column (each further down the layers; the README's
# layout section says so too).
DOCUMENTED_DIFFERENCES: dict[str, dict[str, str]] = {
    "preference": {
        "moderation": "OOD detectors on a score model's features; judges' harm logits as "
        "answer signals",
    },
    "monitor": {
        "data": "answer prefixes and records of the prefix moderators' training sets",
        "neurons": "the stream monitor that reads the generating model's safety neurons",
    },
    "influence": {"preference": "the LoRA target modules of the tuned backbones"},
    "serve": {
        "data": "taxonomies of /v1/moderations' category names",
        "preference": "best-of-N's reward and cost models",
    },
}


def _imported(path: Path) -> list[tuple[int, str]]:
    """(line, imported beavertail module) for every import in ``path``."""
    package = list(path.relative_to(SOURCE.parent).parts[:-1])  # ["beavertail", ...]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the importing module's package
                base = package[: len(package) - (node.level - 1)]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            if name == "beavertail":  # from beavertail import moderation
                found += [(node.lineno, f"beavertail.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, name))
    return [(line, name) for line, name in found if name.split(".")[0] == "beavertail"]


def _target(name: str) -> str:
    """The layer (or foundation module) an imported ``beavertail...`` module belongs to."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _edges() -> list[tuple[str, str, str]]:
    """(importing layer, imported layer, where) for every import between two of them."""
    edges = []
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE).with_suffix("").parts
        layer = parts[0]  # a package, or a foundation module
        for line, name in _imported(path):
            target = _target(name)
            if target != layer:
                where = f"{path.relative_to(SOURCE.parent)}:{line} imports {name}"
                edges.append((layer, target, where))
    return edges


EDGES = _edges()


def test_every_package_has_its_place_in_the_layers():
    packages = {p.name for p in SOURCE.iterdir() if (p / "__init__.py").is_file()}
    modules = {p.stem for p in SOURCE.glob("*.py")}
    assert packages == set(LAYERS), "a package missing from LAYERS (or gone from src)"
    assert modules == set(FOUNDATION), "a top-level module missing from FOUNDATION"
    assert set(DEPENDS_ON) == set(LAYERS)


def test_the_reader_sees_imports():
    """The edges include ones known to exist (a broken reader would pass everything)."""
    pairs = {(a, b) for a, b, _ in EDGES}
    assert {("evaluate", "moderation"), ("moderation", "models"), ("cli", "serve")} <= pairs
    assert ("models", "artifacts") in pairs  # foundation modules are edges too


def test_foundation_modules_use_no_package():
    upward = [where for layer, target, where in EDGES if layer in FOUNDATION and target in LAYERS]
    assert not upward, "\n".join(upward)


def test_every_import_runs_down_the_layers():
    upward = [
        where
        for layer, target, where in EDGES
        if layer in LAYERS and target in LAYERS and LAYERS.index(target) >= LAYERS.index(layer)
    ]
    assert not upward, "imports that run up DESIGN.md's layers:\n" + "\n".join(upward)


def test_every_dependency_is_in_design_or_documented():
    undeclared = [
        where
        for layer, target, where in EDGES
        if layer in LAYERS
        and target in LAYERS
        and target not in DEPENDS_ON[layer] | FOR_EVERY_PACKAGE
        and target not in DOCUMENTED_DIFFERENCES.get(layer, {})
    ]
    assert not undeclared, (
        "dependencies neither in DESIGN.md's table nor documented (README layout section, "
        "DOCUMENTED_DIFFERENCES):\n" + "\n".join(undeclared)
    )


@pytest.mark.parametrize("layer", sorted(DOCUMENTED_DIFFERENCES))
def test_documented_differences_are_still_used_and_run_down(layer):
    used = {target for importer, target, _ in EDGES if importer == layer}
    for target in DOCUMENTED_DIFFERENCES[layer]:
        assert target in used, f"{layer} no longer imports {target}: drop the difference"
        assert LAYERS.index(target) < LAYERS.index(layer)
