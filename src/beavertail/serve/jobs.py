"""Chat jobs: one request as an engine sees it, the events it ends with, and the engine
contract that the local engine and the guard proxy both keep.

Every admitted job ends in exactly one terminal event, "done" or "error"; an error event is a
message (a 500) or a dict with its status, message, type and code.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from beavertail.models.causal import render_messages
from beavertail.models.generation import SamplingParams


class QueueFull(RuntimeError):
    """The engine already holds ``max_queue`` requests."""


class RequestTooLarge(ValueError):
    """A request needs more batch rows (``n`` choices, best-of-N candidates) than a batch has."""


class UnsupportedRequest(ValueError):
    """A request this engine cannot serve as asked (e.g. logprobs through the guard proxy)."""


TERMINAL = ("done", "error")
# With BEAVERTAIL_INJECT_FAULTS=1 (the soak test of bench/serve.py), a request whose prompt
# holds this marker fails inside the worker: the failure path is exercised under load.
FAULT_MARKER = "[[inject-fault]]"
INJECT_FAULTS = os.environ.get("BEAVERTAIL_INJECT_FAULTS") == "1"
DEADLINE_ERROR = {
    "status": 504,
    "message": "the request did not finish before its deadline",
    "type": "server_error",
    "code": "deadline_exceeded",
}
CLIENT_GONE = {
    "status": 499,  # nobody reads it: the client closed the connection
    "message": "the client went away",
    "type": "invalid_request_error",
    "code": "client_closed",
}
UNPARSED_ERROR = {
    "status": 502,
    "message": "the judge's output could not be parsed (on_unparsed: error)",
    "type": "server_error",
    "code": "judge_unparsed",
}


@dataclass
class ChatJob:
    """One chat completion request, as the engine sees it."""

    messages: list[dict[str, str]]
    sampling: SamplingParams
    n: int = 1  # choices; more than one are answered whole (not streamed)
    prompt_tokens: int | None = None  # counted once, by the web layer or on submit
    emit: Callable[[str, Any], None] = lambda kind, value: None  # ("delta", str) | ("done", dict)
    cancelled: threading.Event = field(default_factory=threading.Event)
    submitted: float = field(default_factory=time.perf_counter)
    timeout: float | None = None  # seconds from submission to the terminal event
    raw_prompt: str | None = None  # /v1/completions: this text is continued, no chat template
    logprobs: int | None = None  # None: none; k: each token's and the k most likely ones'
    ended: bool = False
    notes: dict[str, Any] = field(default_factory=dict)  # guard notes for the final report

    def __post_init__(self) -> None:
        """Let through one terminal event ("done" or "error") and nothing after it, so that
        however a failure unwinds, the client is answered exactly once."""
        sink = self.emit
        lock = threading.Lock()

        def emit_once(kind: str, value: Any) -> None:
            with lock:
                if self.ended:
                    return
                if kind in TERMINAL:
                    self.ended = True
            sink(kind, value)

        self.emit = emit_once

    @property
    def deadline(self) -> float | None:
        return None if self.timeout is None else self.submitted + self.timeout

    def expired(self, now: float | None = None) -> bool:
        deadline = self.deadline
        return deadline is not None and (now or time.perf_counter()) >= deadline

    def fail(self, error: str | dict[str, Any]) -> None:
        """End the job with an error event (no-op when it already ended)."""
        self.emit("error", error)

    def gone(self, now: float | None = None) -> dict[str, Any] | None:
        """Why the job must end now without an answer (its deadline passed, or its client
        went away), or None."""
        if self.expired(now):
            return DEADLINE_ERROR
        return CLIENT_GONE if self.cancelled.is_set() else None

    @property
    def conversation(self) -> list[dict[str, str]]:
        """What input screening judges: every turn (a raw prompt is one user turn)."""
        if self.raw_prompt is not None:
            return [{"role": "user", "content": self.raw_prompt}]
        return self.messages

    @property
    def prompt(self) -> str:
        """The last user message: what the output monitor and preference models judge."""
        if self.raw_prompt is not None:
            return self.raw_prompt
        for message in reversed(self.messages):
            if message["role"] == "user":
                return message["content"]
        return ""


class ChatEngine(Protocol):
    """What the web layer needs of an engine: the local
    :class:`~beavertail.serve.engine.Engine` and the proxy's
    :class:`~beavertail.serve.proxy.UpstreamEngine` both provide it."""

    max_queue: int

    @property
    def pending(self) -> int: ...  # requests admitted and not yet answered

    @property
    def active_rows(self) -> int: ...

    def start(self) -> None: ...
    def stop(self) -> None: ...

    def submit(self, job: ChatJob) -> None:
        """Queue a job (raises :class:`QueueFull` or :class:`RequestTooLarge`); it ends in
        exactly one "done" or "error" event."""

    def prompt_tokens(self, messages: list[dict[str, str]]) -> int: ...  # any thread
    def text_tokens(self, text: str) -> int: ...  # a raw prompt's tokens, any thread
    async def health(self) -> dict[str, Any]: ...  # "healthy": bool, and details


def count_prompt_tokens(tokenizer: Any, messages: list[dict[str, str]]) -> int:
    """A conversation's length in ``tokenizer``'s tokens, rendered as the model reads it."""
    text = render_messages(tokenizer, messages)
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])
