"""Judge an answer while it is generated, and stop it once it turns harmful.

``StreamMonitor`` scores (prompt, partial answer) pairs with a prefix-trained moderator every
``check_every`` tokens. ``GuardedRows`` does the per-row bookkeeping for a batch being decoded
token by token: the text so far, the part that has passed a check and may be shown (with
``holdback`` nothing unchecked is ever shown), and where and why a row was stopped.
``monitored_generate`` puts both on top of :func:`~beavertail.models.streaming.decode_batch`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from pydantic import Field

from beavertail.models.causal import LoadedLM, chat_text
from beavertail.models.generation import HookFactory, SamplingParams
from beavertail.models.streaming import DecodeRequest, IncrementalText, decode_batch
from beavertail.moderation.moderator import Moderator
from beavertail.settings import Settings

DEFAULT_REPLACEMENT = "[This answer was stopped because it was turning harmful ({category}).]"


class MonitorConfig(Settings):
    """When to check, how strict to be, and what the reader sees instead of a stopped answer."""

    check_every: int = Field(8, ge=1, description="Judge the answer every k tokens.")
    threshold: float | None = Field(
        None, gt=0, lt=1, description="Stop score; None: the moderator's calibrated threshold."
    )
    min_tokens: int = Field(4, ge=1, description="No check before this many tokens.")
    holdback: bool = Field(True, description="Show only text that has passed a check.")
    replacement: str = Field(DEFAULT_REPLACEMENT, description="Shown instead of a stopped answer.")


@dataclass(frozen=True)
class StopDecision:
    """Where (after how many generated tokens) and why a row was stopped."""

    token_index: int
    score: float
    category: str | None

    def to_dict(self) -> dict:
        return asdict(self)


class StreamMonitor:
    """Scores partial answers; ``check`` returns a stop decision per row (or None)."""

    def __init__(self, moderator: Moderator, config: MonitorConfig | None = None) -> None:
        self.moderator = moderator
        self.config = config or MonitorConfig()

    @property
    def threshold(self) -> float:
        c = self.config
        return c.threshold if c.threshold is not None else self.moderator.threshold

    def due(self, tokens: int) -> bool:
        c = self.config
        return tokens >= c.min_tokens and tokens % c.check_every == 0

    def scores(self, prompts: Sequence[str], partials: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, column 0 unsafe, then the categories."""
        return self.moderator.probabilities(list(prompts), list(partials))

    def decide(self, probs: np.ndarray, token_counts: Sequence[int]) -> list[StopDecision | None]:
        out: list[StopDecision | None] = []
        names = self.moderator.categories
        for row, tokens in zip(probs, token_counts, strict=True):
            if row[0] < self.threshold:
                out.append(None)
                continue
            category = names[int(np.argmax(row[1:]))] if len(names) else None
            out.append(StopDecision(int(tokens), round(float(row[0]), 6), category))
        return out

    def check(
        self, prompts: Sequence[str], partials: Sequence[str], token_counts: Sequence[int]
    ) -> list[StopDecision | None]:
        if not prompts:
            return []
        return self.decide(self.scores(prompts, partials), token_counts)

    def replacement(self, decision: StopDecision) -> str:
        return self.config.replacement.format(category=decision.category or "harm")


@dataclass
class MonitoredGeneration:
    """One monitored answer: what the reader saw, and what the model had generated."""

    prompt: str
    text: str  # shown to the reader (checked text, then the replacement when stopped)
    generated: str  # everything the model produced before it was stopped
    num_tokens: int
    finish_reason: str  # stop | length | content_filter
    stop: StopDecision | None = None
    shown_tokens: int = 0  # tokens of model text shown to the reader
    checks: int = 0
    monitor_seconds: float = 0.0

    def to_dict(self) -> dict:
        out = asdict(self)
        out["stop"] = self.stop.to_dict() if self.stop else None
        return out


@dataclass
class _Row:
    prompt: str
    text: IncrementalText
    shown_chars: int = 0
    shown_tokens: int = 0
    checked_tokens: int = 0
    checks: int = 0
    stop: StopDecision | None = None
    seconds: float = field(default=0.0)


DeltaCallback = Callable[[int, str], None]


class GuardedRows:
    """Bookkeeping for monitored decoding of a batch; plug ``on_step`` into ``decode_batch``.

    ``on_delta(row, text)`` receives the text a reader may see, as soon as it may see it.
    Without a monitor every token is shown at once.
    """

    def __init__(
        self,
        lm: LoadedLM,
        prompts: Sequence[str],
        monitor: StreamMonitor | None = None,
        on_delta: DeltaCallback | None = None,
    ) -> None:
        self.monitor = monitor
        self.on_delta = on_delta
        self.rows = [_Row(p, IncrementalText(lm.tokenizer)) for p in prompts]

    def _show(self, index: int, upto_tokens: int) -> None:
        row = self.rows[index]
        text = row.text.text
        if len(text) > row.shown_chars:
            if self.on_delta is not None:
                self.on_delta(index, text[row.shown_chars :])
            row.shown_chars = len(text)
        row.shown_tokens = upto_tokens

    def _check(self, indices: list[int]) -> list[int]:
        """Check rows; show what passed; return the rows to stop."""
        assert self.monitor is not None
        began = time.perf_counter()
        rows = [self.rows[i] for i in indices]
        counts = [len(r.text.ids) for r in rows]
        decisions = self.monitor.check(
            [r.prompt for r in rows], [r.text.text for r in rows], counts
        )
        share = (time.perf_counter() - began) / len(indices)
        stopped = []
        for index, row, decision, count in zip(indices, rows, decisions, counts, strict=True):
            row.checks += 1
            row.seconds += share
            row.checked_tokens = count
            if decision is None:
                self._show(index, count)
            else:
                row.stop = decision
                stopped.append(index)
        return stopped

    def on_step(self, _step: int, new: Mapping[int, int]) -> list[int]:
        due = []
        for index, token in new.items():
            row = self.rows[index]
            row.text.push(token)
            count = len(row.text.ids)
            if self.monitor is None:
                self._show(index, count)
            elif self.monitor.due(count):
                due.append(index)
            elif not self.monitor.config.holdback:
                self._show(index, count)
        return self._check(due) if due else []

    def finish(self, reasons: Sequence[str]) -> list[MonitoredGeneration]:
        """Final check of every row's unchecked tail, then the results."""
        if self.monitor is not None:
            tails = [
                i
                for i, r in enumerate(self.rows)
                if r.stop is None and len(r.text.ids) > r.checked_tokens
            ]
            if tails:
                self._check(tails)
        out = []
        for index, (row, reason) in enumerate(zip(self.rows, reasons, strict=True)):
            if row.stop is None:
                self._show(index, len(row.text.ids))
                shown = row.text.text
            else:
                assert self.monitor is not None
                replacement = self.monitor.replacement(row.stop)
                if self.on_delta is not None:
                    self.on_delta(index, ("\n" if row.shown_chars else "") + replacement)
                shown_text = row.text.text[: row.shown_chars].strip()
                shown = f"{shown_text}\n{replacement}" if shown_text else replacement
                reason = "content_filter"
            out.append(
                MonitoredGeneration(
                    row.prompt,
                    shown.strip(),
                    row.text.text.strip(),
                    len(row.text.ids),
                    "stop" if reason == "stopped" else reason,
                    row.stop,
                    row.shown_tokens,
                    row.checks,
                    row.seconds,
                )
            )
        return out


def guarded_decode(
    lm: LoadedLM,
    requests: Sequence[DecodeRequest],
    prompts: Sequence[str],
    monitor: StreamMonitor | None = None,
    hooks: HookFactory | None = None,
    on_delta: DeltaCallback | None = None,
    cancelled: Callable[[], Iterable[int]] | None = None,
) -> list[MonitoredGeneration]:
    """The one guarded-generation core (monitored generation, the server's batches and its
    best-of-N candidates): decode token by token, stop the rows the monitor flags and the
    rows ``cancelled()`` names (clients that went away), and show only checked text."""
    guard = GuardedRows(lm, prompts, monitor, on_delta)

    def on_step(step: int, new: Mapping[int, int]) -> list[int]:
        stop = guard.on_step(step, new)
        return [*stop, *(cancelled() if cancelled is not None else ())]

    return guard.finish(decode_batch(lm, list(requests), on_step, hooks))


def monitored_generate(
    lm: LoadedLM,
    prompts: Sequence[str],
    config: SamplingParams,
    monitor: StreamMonitor | None,
    hooks: HookFactory | None = None,
    on_delta: DeltaCallback | None = None,
) -> list[MonitoredGeneration]:
    """Generate answers token by token, stopping each one the monitor flags."""
    requests = [
        DecodeRequest(chat_text(lm.tokenizer, p, None, config.system_prompt), config)
        for p in prompts
    ]
    return guarded_decode(lm, requests, prompts, monitor, hooks, on_delta)
