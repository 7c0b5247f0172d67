"""One configuration system: pydantic models that reject unknown keys, read from YAML, TOML
or JSON, with one precedence rule everywhere: command-line flags override the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError


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


def describe_errors(error: ValidationError, source: str, model: type[BaseModel]) -> str:
    """One readable line per problem: ``source: field.path: message``."""
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        if problem["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            known = ", ".join(sorted(model.model_fields)) if len(problem["loc"]) == 1 else ""
            hint = f" (known: {known})" if known else ""
            lines.append(f"{source}: unknown setting {where!r}{hint}")
        else:
            lines.append(f"{source}: {where}: {problem['msg']}")
    return "\n".join(lines)


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
