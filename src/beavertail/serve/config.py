"""The server's settings: one pydantic tree, read from YAML / TOML / JSON."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from beavertail.decoding.best_of_n import BestOfNSettings
from beavertail.decoding.guided import GuidedConfig
from beavertail.models.causal import DEFAULT_LM
from beavertail.moderation.ood.policy import OODPolicy
from beavertail.moderation.unparsed import OnUnparsed
from beavertail.monitor.stream import MonitorConfig
from beavertail.serve.proxy import UpstreamSettings
from beavertail.settings import Settings
from beavertail.steering.apply import SteeringSettings


class InputModeration(Settings):
    """Judge every turn of the conversation before generating (in the judge's window, the
    newest user turn whole); refuse when the most harmful piece is flagged."""

    moderator: str = Field("prompt", description="The shipped prompt judge, 'default', a folder.")
    threshold: float | None = Field(None, gt=0, lt=1, description="None: the calibrated one.")
    message: str = "I can't help with that request."


class OutputModeration(MonitorConfig):
    """Judge the answer every ``check_every`` tokens while it streams; stop it when flagged.

    The monitor's settings (``check_every``, ``threshold``, ``min_tokens``, ``holdback``,
    ``replacement``) plus the moderator to run."""

    moderator: str = Field("fast", description="The shipped streaming tier, 'default', a folder.")
    confirm_with: str | None = Field(
        None, description="A stronger judge that must agree before a row is stopped (cascade)."
    )
    confirm_threshold: float | None = Field(None, gt=0, lt=1, description="None: calibrated.")


class ServeConfig(Settings):
    """The server: model, limits, auth and the guards around generation."""

    model: str = DEFAULT_LM
    served_model_name: str | None = Field(None, description="The name clients pass as model.")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    api_key: str | None = None
    api_key_env: str | None = Field(None, description="Read the key from this variable.")
    max_batch_size: int = Field(8, ge=1, description="Rows decoded together.")
    batching: Literal["continuous", "static"] = Field(
        "continuous",
        description="continuous: waiting requests join freed rows at every step; "
        "static: only an empty batch (the old engine, kept as a baseline).",
    )
    max_queue: int = Field(64, ge=1, description="Requests admitted; more get HTTP 429.")
    default_max_tokens: int = Field(128, ge=1)
    max_tokens_limit: int = Field(512, ge=1)
    max_prompt_tokens: int = Field(2048, ge=1, description="Longer conversations get a 400.")
    request_timeout: float = Field(
        300.0, gt=0, description="Seconds a request may wait and run; then it ends with a 504."
    )
    moderations_model: str | None = Field("default", description="Judge of /v1/moderations.")
    moderations_ood: OODPolicy = Field(
        default_factory=OODPolicy,
        description="/v1/moderations on pairs out of its judge's distribution (on_ood, ood_judge).",
    )
    moderations_max_queue: int = Field(
        8, ge=1, description="/v1/moderations requests waiting or judged; more get HTTP 429."
    )
    moderations_timeout: float = Field(
        60.0, gt=0, description="Seconds a /v1/moderations request may wait and run; then 504."
    )
    on_unparsed: OnUnparsed = Field(
        "flag",
        description="A verdict whose judge output could not be parsed, in every guard and "
        "/v1/moderations: flag (harmful), pass (safe) or error (HTTP 502); always marked "
        "'unparsed' in the response.",
    )
    expose_scores: bool = Field(
        True,
        description="Report scores, thresholds, categories and stop positions in responses; "
        "false: only what happened (refused, stopped), so clients cannot tune attacks on them.",
    )
    steering: SteeringSettings | None = None
    input_moderation: InputModeration | None = None
    output_moderation: OutputModeration | None = None
    best_of_n: BestOfNSettings | None = None
    guided: GuidedConfig | None = Field(
        None, description="Guided decoding (DeAL / RAIN) of every answer; local model only."
    )
    upstream: UpstreamSettings | None = Field(
        None, description="Guard this OpenAI-compatible server instead of a local model."
    )
    data_dir: str | None = None

    @field_validator("input_moderation", "output_moderation", "steering", mode="before")
    @classmethod
    def _switch(cls, value: Any) -> Any:
        """``true`` turns a section on with its defaults, ``false`` off."""
        if value is True:
            return {}
        return None if value is False else value

    @model_validator(mode="after")
    def _consistent(self) -> ServeConfig:
        if not self.default_max_tokens <= self.max_tokens_limit:
            raise ValueError("default_max_tokens must lie between 1 and max_tokens_limit")
        if self.steering is not None and not self.steering.vectors:
            raise ValueError("steering needs a vectors folder (steering.vectors)")
        if self.steering is not None and self.upstream is not None:
            raise ValueError("steering needs the model's activations: not through an upstream")
        best = self.best_of_n
        if best is not None and self.upstream is None and best.n > self.max_batch_size:
            raise ValueError(
                f"best_of_n.n ({best.n}) must fit one batch (max_batch_size {self.max_batch_size})"
            )
        if self.guided is not None:
            if self.upstream is not None:
                raise ValueError(
                    "guided decoding forks the model's KV cache: not through an upstream"
                )
            if self.steering is not None or self.best_of_n is not None:
                raise ValueError("guided decoding does not combine with steering or best_of_n")
        return self

    @property
    def model_name(self) -> str:
        if self.served_model_name:
            return self.served_model_name
        if self.upstream is not None and self.upstream.model:
            return self.upstream.model
        return self.model

    def resolved_api_key(self) -> str | None:
        if self.api_key:
            return self.api_key
        if self.api_key_env:
            key = os.environ.get(self.api_key_env)
            if not key:
                raise ValueError(f"api_key_env is {self.api_key_env!r} but it is not set")
            return key
        return None

    def to_dict(self) -> dict[str, Any]:
        out = self.model_dump()
        if out.get("api_key"):
            out["api_key"] = "***"
        return out


def load_serve_config(path: str | Path) -> ServeConfig:
    """Read a YAML / TOML / JSON server config file."""
    return ServeConfig.load(path)
