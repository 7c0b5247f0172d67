"""The server's settings: one dataclass tree, read from YAML / TOML / JSON."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from beavertail.config_files import read_config_file
from beavertail.models.causal import DEFAULT_LM
from beavertail.monitor.stream import MonitorConfig


@dataclass
class SteeringSettings:
    """Steering vectors for every answer (layer/coefficient: the vectors' recommended ones)."""

    vectors: str
    layer: int | None = None
    coefficient: float | None = None
    selection: str = "router"
    categories: list[str] = field(default_factory=list)
    mode: str = "add"


@dataclass
class InputModeration:
    """Judge the user's last message before generating; refuse when it is flagged."""

    moderator: str = "prompt"  # the shipped prompt judge; or "default", "fast", a folder
    threshold: float | None = None
    message: str = "I can't help with that request."


@dataclass
class OutputModeration(MonitorConfig):
    """Judge the answer every ``check_every`` tokens while it streams; stop it when flagged.

    The monitor's settings (``check_every``, ``threshold``, ``min_tokens``, ``holdback``,
    ``replacement``) plus the moderator to run."""

    moderator: str = "fast"  # the shipped streaming tier; or "default", a folder


@dataclass
class BestOfNSettings:
    """Sample ``n`` answers and return the most helpful one below the cost threshold."""

    reward_model: str
    cost_model: str
    n: int = 4
    cost_threshold: float = 0.0
    temperature: float = 0.8
    top_p: float = 1.0


@dataclass
class ServeConfig:
    model: str = DEFAULT_LM
    served_model_name: str | None = None  # the name clients pass as "model"; default: model
    host: str = "127.0.0.1"
    port: int = 8000
    api_key: str | None = None
    api_key_env: str | None = None  # read the key from this environment variable instead
    max_batch_size: int = 8
    max_queue: int = 64  # requests admitted (waiting or running); more get HTTP 429
    default_max_tokens: int = 128
    max_tokens_limit: int = 512
    moderations_model: str | None = "default"  # the full-text judge behind /v1/moderations
    steering: SteeringSettings | None = None
    input_moderation: InputModeration | None = None
    output_moderation: OutputModeration | None = None
    best_of_n: BestOfNSettings | None = None
    data_dir: str | None = None

    def __post_init__(self) -> None:
        if self.max_batch_size < 1 or self.max_queue < 1:
            raise ValueError("max_batch_size and max_queue must be at least 1")
        if not 1 <= self.default_max_tokens <= self.max_tokens_limit:
            raise ValueError("default_max_tokens must lie between 1 and max_tokens_limit")

    @property
    def model_name(self) -> str:
        return self.served_model_name or self.model

    def resolved_api_key(self) -> str | None:
        if self.api_key:
            return self.api_key
        if self.api_key_env:
            key = os.environ.get(self.api_key_env)
            if not key:
                raise ValueError(f"api_key_env is {self.api_key_env!r} but it is not set")
            return key
        return None

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ServeConfig:
        raw = dict(raw)
        sections = {
            "steering": SteeringSettings,
            "input_moderation": InputModeration,
            "output_moderation": OutputModeration,
            "best_of_n": BestOfNSettings,
        }
        _reject_unknown(cls, raw, "")
        for key, section in sections.items():
            value = raw.get(key)
            if value is None or value is False:
                raw[key] = None
                continue
            if value is True:
                value = {}
            if not isinstance(value, dict):
                raise ValueError(f"{key} must be a table of settings, not {value!r}")
            _reject_unknown(section, value, f"{key}.")
            try:
                raw[key] = section(**value)
            except TypeError as error:
                raise ValueError(f"{key}: {error}") from error
        return cls(**raw)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if out.get("api_key"):
            out["api_key"] = "***"
        return out


def _reject_unknown(cls: type, raw: dict[str, Any], prefix: str) -> None:
    unknown = set(raw) - {f.name for f in fields(cls)}
    if unknown:
        names = sorted(f"{prefix}{k}" for k in unknown)
        raise ValueError(f"unknown server settings: {names}")


def load_serve_config(path: str | Path) -> ServeConfig:
    """Read a YAML / TOML / JSON server config file."""
    return ServeConfig.from_dict(read_config_file(path))
