"""One configuration system: pydantic models that reject unknown keys, read from YAML, TOML
or JSON, with one precedence rule everywhere: command-line flags override the file."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

DATA_DIR_HELP = "Shared data folder (default: $BEAVERTAIL_DATA_DIR or ../shared/data)."


class Settings(BaseModel):
    """Base of every run, trainer and server configuration (unknown keys are an error)."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    @classmethod
    def parse(cls, raw: dict[str, Any], source: str = "settings") -> Self:
        """Validate a mapping; a :class:`ValueError` naming every bad field on failure."""
        try:
            return cls.model_validate(raw)
        except ValidationError as error:
            raise ValueError(describe_errors(error, source, cls)) from None

    @classmethod
    def load(
        cls, path: str | Path | None = None, defaults: dict[str, Any] | None = None, **flags: Any
    ) -> Self:
        """Flags over the file over ``defaults`` (the caller's) over the model's defaults.

        Flags left at ``None`` are unset; a nested flag is a mapping (``steering={"layer": 9}``)
        merged into the file's table, and one whose values are all unset adds nothing."""
        raw = merge_settings(defaults or {}, read_config_file(path) if path else {})
        return cls.parse(merge_settings(raw, flags), str(path) if path else "settings")

    def updated(self, **changes: Any) -> Self:
        """A validated copy with ``changes`` applied."""
        return type(self).parse({**self.model_dump(), **changes})


def merge_settings(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` with every non-``None`` value of ``overrides`` on top, tables merged deeply."""
    merged = dict(base)
    for key, value in overrides.items():
        if value is None:
            continue
        if isinstance(value, dict):
            current = merged.get(key)
            table = merge_settings(current if isinstance(current, dict) else {}, value)
            if table or key in merged:
                merged[key] = table
        else:
            merged[key] = value
    return merged


def describe_errors(error: ValidationError, source: str, model: type | None = None) -> str:
    """One readable line per problem: ``source: field.path: message``; an unknown key, at any
    depth, lists the keys its table knows."""
    lines = []
    for problem in error.errors():
        loc = problem["loc"]
        where = ".".join(str(part) for part in loc) or "(top level)"
        if problem["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            known = known_keys(model, loc[:-1]) if model is not None else None
            hint = f" (known: {', '.join(known)})" if known else ""
            lines.append(f"{source}: unknown setting {where!r}{hint}")
        else:
            got = problem.get("input")
            shown = f" (got {got!r})" if isinstance(got, str | int | float | bool) else ""
            lines.append(f"{source}: {where}: {problem['msg']}{shown}")
    return "\n".join(lines)


def _fields(kind: Any) -> dict[str, Any] | None:
    """The field types of a pydantic model or a dataclass (None for anything else)."""
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return {name: field.annotation for name, field in kind.model_fields.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return {field.name: hints.get(field.name) for field in dataclasses.fields(kind)}
    return None


def union_members(kind: Any) -> list[Any]:
    """The types a field may hold: the members of an optional or a union, else itself."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        return [arg for arg in typing.get_args(kind) if arg is not type(None)]
    return [kind]


def known_keys(model: type, path: tuple[int | str, ...] = ()) -> list[str] | None:
    """The keys the table at ``path`` (field names; list indices) of ``model`` accepts."""
    kinds: list[Any] = [model]
    for part in path:
        found = []
        for kind in (k for outer in kinds for k in union_members(outer)):
            if isinstance(part, int):  # a list's item
                found += list(typing.get_args(kind)[:1])
            elif (fields := _fields(kind)) is not None and part in fields:
                found.append(fields[part])
        kinds = found
    for kind in (k for outer in kinds for k in union_members(outer)):
        if (fields := _fields(kind)) is not None:
            return sorted(fields)
    return None


def read_config_file(path: str | Path) -> dict[str, Any]:
    """The mapping in a ``.yaml``/``.yml``, ``.toml`` or ``.json`` file."""
    path = Path(path)
    text = path.read_text()
    if path.suffix in (".yaml", ".yml"):
        import yaml

        raw = yaml.safe_load(text) or {}
    elif path.suffix == ".toml":
        import tomllib

        raw = tomllib.loads(text)
    else:
        raw = json.loads(text)
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping of settings, got {type(raw).__name__}")
    return raw
