"""MkDocs hooks: the CLI and configuration references, generated from the code.

* The CLI reference: ``<!-- cli-reference -->`` becomes typer's own Markdown for the click
  command it builds from ``beavertail.cli.app`` (``typer.main.get_command``), every command
  with its arguments and options. (mkdocs-click cannot read the options of typer's commands:
  typer ships its own copy of click.)
* The configuration reference: a line ``<!-- settings: dotted.path.Model -->`` becomes a
  section with a table of the pydantic model's fields (key, type, default, description), and
  ``<!-- settings-nested -->`` becomes one section for every nested settings model the listed
  models use, so a field added to a model shows up here without editing the page.
"""

from __future__ import annotations

import importlib
import re
import types
import typing
from typing import Any

import typer
import typer.cli
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from beavertail.cli import app

CLI = "<!-- cli-reference -->"
MARKER = re.compile(r"^<!-- settings: ([\w.]+) -->$", re.MULTILINE)
NESTED = "<!-- settings-nested -->"


def _load(path: str) -> type[BaseModel]:
    module, _, name = path.rpartition(".")
    model = getattr(importlib.import_module(module), name)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(f"{path} is not a pydantic model")
    return model


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _type_name(annotation: Any) -> str:
    if annotation is type(None):
        return "None"
    if isinstance(annotation, type) and not typing.get_args(annotation):
        if issubclass(annotation, BaseModel):
            return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
        return annotation.__name__
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return " \\| ".join(_type_name(arg) for arg in args)
    if origin is typing.Literal:
        return " \\| ".join(f"`{arg!r}`" for arg in args)
    if origin is not None:
        name = getattr(origin, "__name__", str(origin).removeprefix("typing."))
        return f"{name}[{', '.join(_type_name(arg) for arg in args)}]"
    return str(annotation).removeprefix("typing.")


def _default(field: Any) -> str:
    if field.default_factory is not None:
        value = field.default_factory()
    elif field.default is PydanticUndefined:
        return "required"
    else:
        value = field.default
    if isinstance(value, BaseModel):
        return "(its defaults)"
    text = repr(value)
    return f"`{text}`" if len(text) <= 60 else f"`{text[:57]}...`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render(model: type[BaseModel]) -> str:
    doc = (model.__doc__ or "").strip()
    lines = [f"## {model.__name__}", "", f"`{model.__module__}.{model.__name__}`", ""]
    if doc:
        lines += [_cell(doc), ""]
    lines += ["| key | type | default | description |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        lines.append(
            f"| `{name}` | {_type_name(field.annotation)} | {_default(field)} | "
            f"{_cell(field.description or '')} |"
        )
    return "\n".join(lines) + "\n"


def cli_reference() -> str:
    command = typer.main.get_command(app)
    text = typer.cli.get_docs_for_click(
        obj=command, ctx=typer.Context(command), name="beavertail", title="beavertail"
    )
    return text.split("\n", 1)[1]  # without its title: the page has one


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if CLI in markdown:
        markdown = markdown.replace(CLI, cli_reference())
    if "<!-- settings" not in markdown:
        return markdown
    listed = [_load(path) for path in MARKER.findall(markdown)]
    markdown = MARKER.sub(lambda match: render(_load(match.group(1))), markdown)
    seen = set(listed)
    nested: list[type[BaseModel]] = []
    queue = list(listed)
    while queue:
        for field in queue.pop(0).model_fields.values():
            for model in _models_in(field.annotation):
                if model not in seen:
                    seen.add(model)
                    nested.append(model)
                    queue.append(model)
    return markdown.replace(NESTED, "\n".join(render(m) for m in nested))
