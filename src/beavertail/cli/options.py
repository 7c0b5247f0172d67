"""Command-line options read from the settings models: one parser, as TRL's
``HfArgumentParser`` reads dataclass fields.

A command names the settings it exposes (dotted paths into its pydantic model); each becomes
an option whose type, help and shown default come from that field, so a setting is described
once, in its model, and ``--help``, the configuration reference and a config file agree."""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from beavertail.settings import union_members

Command = TypeVar("Command", bound=Callable[..., Any])
SCALARS = (str, int, float, bool, Path)


@dataclass(frozen=True)
class Setting:
    """One option: the dotted path of its field and, where the command differs from the
    model (its own default, a narrower meaning), the help that replaces the field's."""

    path: str
    help: str | None = None  # plain text, as a description (brackets are escaped)


def under(table: str, options: Mapping[str, str | Setting]) -> dict[str, Setting]:
    """The same options for the settings nested under ``table`` (``run.`` of an attack)."""
    listed = {name: s if isinstance(s, Setting) else Setting(s) for name, s in options.items()}
    return {name: Setting(f"{table}.{s.path}", s.help) for name, s in listed.items()}


def _field(model: type[BaseModel], path: str) -> FieldInfo:
    """The field at ``path`` (``sampling.top_p``), through nested (optional) models."""
    *tables, leaf = path.split(".")
    for table in tables:
        if table not in model.model_fields:
            raise TypeError(f"{model.__name__} has no setting {table!r}")
        nested = [
            kind
            for kind in union_members(model.model_fields[table].annotation)
            if isinstance(kind, type) and issubclass(kind, BaseModel)
        ]
        if not nested:
            raise TypeError(f"{model.__name__}.{table} is not a table of settings")
        model = nested[0]
    if leaf not in model.model_fields:
        raise TypeError(f"{model.__name__} has no setting {leaf!r}")
    return model.model_fields[leaf]


def _option_type(annotation: Any) -> tuple[Any, list[str]]:
    """The type typer parses and, for a ``Literal``, its choices (pydantic checks them)."""
    kinds = union_members(annotation)
    kind = kinds[0]
    if typing.get_origin(kind) is Literal:
        return str, [str(choice) for choice in typing.get_args(kind)]
    if typing.get_origin(kind) is list:
        return list[str], []  # repeated or comma-separated; pydantic converts the items
    if len(kinds) == 1 and kind in SCALARS:
        return kind, []
    raise TypeError(f"no command-line option for a setting of type {annotation!r}")


def _shown_default(field: FieldInfo) -> str | None:
    value = field.get_default(call_default_factory=True)
    if value is None or value is PydanticUndefined or value == [] or value == {}:
        return None
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _help(field: FieldInfo, choices: list[str], replaced: str | None) -> str:
    if replaced is not None:  # the command's own meaning or default, written in full
        return replaced.replace("[", "\\[")  # rich would read [x] as markup
    text = (field.description or "").replace("[", "\\[")
    words = set(re.findall(r"[\w-]+", text))
    if choices and not all(choice in words for choice in choices):
        text = f"{' | '.join(choices)}. {text}".strip()
    shown = _shown_default(field)
    return f"{text} \\[{shown}]".strip() if shown is not None else text


def _option(model: type[BaseModel], name: str, setting: Setting) -> inspect.Parameter:
    field = _field(model, setting.path)
    kind, choices = _option_type(field.annotation)
    flag = f"--{name.replace('_', '-')}"
    option = typer.Option(
        f"{flag}/--no-{flag[2:]}" if kind is bool else flag,  # unset: the file's or model's
        help=_help(field, choices, setting.help),
        show_default=False,
        metavar="<a,b,…>" if kind == list[str] else None,
    )
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[kind | None, option],
    )


def _nested(values: dict[str, Any], paths: dict[str, str]) -> dict[str, Any]:
    """Option values as the model's nested mapping; list options split at commas."""
    flags: dict[str, Any] = {}
    for name, path in paths.items():
        value = values[name]
        if isinstance(value, list):
            parts = [part.strip() for item in value for part in item.split(",")]
            value = [part for part in parts if part] or None  # an empty list: unset
        *tables, leaf = path.split(".")
        table = flags
        for key in tables:
            table = table.setdefault(key, {})
        table[leaf] = value
    return flags


def settings_options(
    model: type[BaseModel], /, *paths: str | Setting, **renamed: str | Setting
) -> Callable[[Command], Command]:
    """Give a command one option per named setting of ``model``.

    ``paths`` are dotted field paths whose option is named after the last part
    (``sampling.top_p`` → ``--top-p``); ``renamed`` maps an option name to a path
    (``steer="steering.vectors"``); two settings under one option name are an error. A
    list setting takes repeats or commas, and its values add up. The command declares
    ``settings: dict``, where it receives the options as the model's nested mapping (unset
    ones ``None``), ready for
    :meth:`Settings.load`; its other parameters stay as they are, and the settings' options
    stand where ``settings`` stands."""
    listed = [path if isinstance(path, Setting) else Setting(path) for path in paths]
    named = [(setting.path.rsplit(".", 1)[-1], setting) for setting in listed]
    named += [(name, s if isinstance(s, Setting) else Setting(s)) for name, s in renamed.items()]
    twice = sorted(name for name, seen in Counter(name for name, _ in named).items() if seen > 1)
    if twice:
        raise TypeError(f"two settings would be the option --{twice[0].replace('_', '-')}")
    specs = dict(named)

    options = [_option(model, name, setting) for name, setting in specs.items()]

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)
        own = list(signature.parameters.values())
        at = [parameter.name for parameter in own].index("settings")
        keyword_only = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own[at + 1 :]]
        parameters = own[:at] + options + keyword_only
        paths_by_name = {name: setting.path for name, setting in specs.items()}

        @functools.wraps(command)
        def wrapper(*args: Any, **values: Any) -> Any:
            own = {k: v for k, v in values.items() if k not in paths_by_name}
            return command(*args, settings=_nested(values, paths_by_name), **own)

        wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
        return typing.cast(Command, wrapper)

    return decorate
