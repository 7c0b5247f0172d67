"""Judge an answer while it is generated, and stop it once it turns harmful.

``StreamMonitor`` scores (prompt, partial answer) pairs with a prefix-trained moderator every
``check_every`` tokens. ``MonitoredRows`` does the per-row bookkeeping for a batch being decoded
token by token: the text so far, the part that has passed a check and may be shown (with
``holdback`` nothing unchecked is ever shown), and where and why a row was stopped.
``monitored_generate`` puts both on top of :func:`~beavertail.models.streaming.decode_batch`;
the server drives them under continuous batching.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from pydantic import Field
from transformers import PreTrainedTokenizerBase

from beavertail.models.causal import LoadedLM, chat_text
from beavertail.models.generation import HookFactory, SamplingParams
from beavertail.models.streaming import DecodeRequest, IncrementalText, decode_batch
from beavertail.moderation.judge import Judge, resolve_judge
from beavertail.moderation.ood.policy import OnOOD, OODPolicy
from beavertail.moderation.unparsed import unparsed_policy_of, unparsed_rows

RowKeys = Sequence[Hashable]  # the decoding rows a check is about (live monitors read them)
DEFAULT_REPLACEMENT = "[This answer was stopped because it was turning harmful ({category}).]"


class MonitorConfig(OODPolicy):
    """When to check, how strict to be, what the reader sees instead of a stopped answer, and
    what a flagged check on a text out of the moderator's distribution does (its OOD policy)."""

    check_every: int = Field(8, ge=1, description="Judge the answer every k tokens.")
    threshold: float | None = Field(
        None, gt=0, lt=1, description="Stop score; None: the moderator's calibrated threshold."
    )
    min_tokens: int = Field(4, ge=1, description="No check before this many tokens.")
    holdback: bool = Field(True, description="Show only text that has passed a check.")
    replacement: str = Field(DEFAULT_REPLACEMENT, description="Shown instead of a stopped answer.")
    on_ood: OnOOD = Field(
        "keep",
        description="A flagged check on a text out of the moderator's distribution: keep (stop), "
        "defer (ood_judge decides) or flag_uncertain (do not stop).",
    )


def check_due(tokens: int, checked: int, check_every: int, min_tokens: int) -> bool:
    """A check is due once the answer has ``min_tokens`` tokens and ``check_every`` tokens
    have come since the last check (at ``checked`` tokens; 0 before the first); several
    tokens may arrive at once from a remote stream. The live monitor and the replays that
    fit and measure it both use this rule."""
    return tokens >= min_tokens and tokens - checked >= check_every


@dataclass(frozen=True)
class StopDecision:
    """Where (after how many generated tokens) and why a row was stopped; ``unparsed``: the
    judge's output could not be read (no score, no category; ``on_unparsed: flag``)."""

    token_index: int
    score: float | None
    category: str | None
    unparsed: bool = False

    def to_dict(self) -> dict:
        out = asdict(self)
        if not self.unparsed:
            del out["unparsed"]
        return out


class StreamMonitor:
    """Scores partial answers; ``check`` returns a stop decision per row (or None).

    With a ``confirmer`` (a stronger, slower judge) it is a cascade: a check the moderator
    flags stops the row only when the confirmer flags it too (at ``confirm_threshold``, or
    the confirmer's calibrated threshold)."""

    def __init__(
        self,
        moderator: Judge,
        config: MonitorConfig | None = None,
        confirmer: Judge | None = None,
        confirm_threshold: float | None = None,
    ) -> None:
        self.moderator = moderator
        self.config = config or MonitorConfig()
        self.confirmer = confirmer
        self.ood_judge: Judge | None = None  # on_ood: defer (resolved on first use)
        self.disclose_category = True  # name the category in the replacement text
        self.confirm_threshold = (
            confirm_threshold
            if confirm_threshold is not None or confirmer is None
            else confirmer.threshold
        )

    @property
    def threshold(self) -> float:
        c = self.config
        return c.threshold if c.threshold is not None else self.moderator.threshold

    def due(self, tokens: int, checked: int = 0) -> bool:
        """See :func:`check_due` (the one rule, live and in replays)."""
        return check_due(tokens, checked, self.config.check_every, self.config.min_tokens)

    def scores(
        self, prompts: Sequence[str], partials: Sequence[str], keys: RowKeys | None = None
    ) -> np.ndarray:
        """Calibrated probabilities, column 0 unsafe, then the categories (``keys``: the
        decoding rows, for monitors that read the generating model itself)."""
        del keys  # a text moderator reads only the text
        return self.moderator.probabilities(list(prompts), list(partials))

    def decide(self, probs: np.ndarray, token_counts: Sequence[int]) -> list[StopDecision | None]:
        return _decisions(self.moderator, self.threshold, probs, token_counts)

    def check(
        self,
        prompts: Sequence[str],
        partials: Sequence[str],
        token_counts: Sequence[int],
        probs: np.ndarray | None = None,
        keys: RowKeys | None = None,
    ) -> list[StopDecision | None]:
        """Stop decisions; ``probs``: the moderator's probabilities when already computed
        (replays), so only a cascade's confirmer runs; ``keys``: the rows being decoded."""
        if not prompts:
            return []
        if probs is None:
            probs = self.scores(prompts, partials, keys)
        decisions = self.decide(probs, token_counts)
        # an unparsed check is decided by its policy, not by OOD rules or a confirmer
        flagged = [i for i, d in enumerate(decisions) if d is not None and not d.unparsed]
        if flagged and self.config.on_ood != "keep":
            flagged = self._ood_policy(prompts, partials, token_counts, decisions, flagged)
        if self.confirmer is None or not flagged:
            return decisions
        threshold = self.confirm_threshold
        self._confirm(
            self.confirmer,
            threshold if threshold is not None else self.confirmer.threshold,
            prompts,
            partials,
            token_counts,
            decisions,
            flagged,
        )
        return decisions

    def _confirm(
        self,
        judge: Judge,
        threshold: float,
        prompts: Sequence[str],
        partials: Sequence[str],
        token_counts: Sequence[int],
        decisions: list[StopDecision | None],
        rows: list[int],
    ) -> None:
        """``judge`` decides ``rows`` (in place): stopped only when it flags them too."""
        probs = judge.probabilities([prompts[i] for i in rows], [partials[i] for i in rows])
        counts = [token_counts[i] for i in rows]
        for i, decision in zip(rows, _decisions(judge, threshold, probs, counts), strict=True):
            decisions[i] = decision

    def _ood_policy(
        self,
        prompts: Sequence[str],
        partials: Sequence[str],
        token_counts: Sequence[int],
        decisions: list[StopDecision | None],
        flagged: list[int],
    ) -> list[int]:
        """Apply ``on_ood`` to the flagged rows whose text is out of the moderator's
        distribution (in place); the flagged rows left for a cascade's confirmer."""
        if getattr(self.moderator, "ood", None) is None:  # a neuron monitor has no detector
            raise ValueError(
                f"on_ood: {self.config.on_ood} needs a moderator with an OOD detector; fit one "
                "with `beavertail moderate ood-fit`"
            )
        verdicts = self.moderator.predict(
            [prompts[i] for i in flagged], [partials[i] for i in flagged]
        )
        outside = [i for i, v in zip(flagged, verdicts, strict=True) if v.in_distribution is False]
        if not outside:
            return flagged
        if self.config.on_ood == "flag_uncertain":
            for i in outside:
                decisions[i] = None
        else:
            if self.ood_judge is None:
                self.ood_judge = resolve_judge(self.config.ood_judge)
            judge = self.ood_judge
            self._confirm(
                judge, judge.threshold, prompts, partials, token_counts, decisions, outside
            )
        return [i for i in flagged if i not in outside]

    def replacement(self, decision: StopDecision) -> str:
        """What the reader sees instead of a stopped answer (the category only when
        ``disclose_category``; the server hides it with ``expose_scores: false``)."""
        category = decision.category if self.disclose_category else None
        return self.config.replacement.format(category=category or "harm")


def _decisions(
    judge: Judge, threshold: float, probs: np.ndarray, token_counts: Sequence[int]
) -> list[StopDecision | None]:
    """Stop decisions from a judge's probabilities. A row without a verdict (NaN: the judge's
    output could not be parsed) follows the judge's unparsed policy: ``flag`` stops it with no
    score and no category, ``pass`` lets it go on, ``error`` stops it marked unparsed and the
    caller fails the request."""
    out: list[StopDecision | None] = []
    names = judge.categories
    policy = unparsed_policy_of(judge)
    for row, tokens, missing in zip(probs, token_counts, unparsed_rows(probs), strict=True):
        if missing:
            out.append(None if policy == "pass" else StopDecision(int(tokens), None, None, True))
        elif row[0] < threshold:
            out.append(None)
        else:
            category = names[int(np.argmax(row[1:]))] if len(names) else None
            out.append(StopDecision(int(tokens), round(float(row[0]), 6), category))
    return out


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
    watched: bool = True  # unwatched rows are neither checked nor shown (best-of-N candidates)


DeltaCallback = Callable[[Hashable, str], None]


class MonitoredRows:
    """Bookkeeping for monitored decoding; plug ``on_step`` into a decoder's step.

    Rows are keyed (they join with ``add`` and leave with ``finish``, as under continuous
    batching). ``on_delta(key, text)`` receives the text a reader may see, as soon as it may
    see it. Without a monitor every token is shown at once.
    """

    def __init__(
        self,
        tokenizer: PreTrainedTokenizerBase,
        monitor: StreamMonitor | None = None,
        on_delta: DeltaCallback | None = None,
    ) -> None:
        self.tokenizer = tokenizer
        self.monitor = monitor
        self.on_delta = on_delta
        self.rows: dict[Hashable, _Row] = {}

    def add(self, key: Hashable, prompt: str, watched: bool = True) -> None:
        self.rows[key] = _Row(prompt, IncrementalText(self.tokenizer), watched=watched)

    def _show(self, key: Hashable, upto_tokens: int) -> None:
        row = self.rows[key]
        text = row.text.text
        if len(text) > row.shown_chars:
            if self.on_delta is not None:
                self.on_delta(key, text[row.shown_chars :])
            row.shown_chars = len(text)
        row.shown_tokens = upto_tokens

    def _check(self, keys: list[Hashable]) -> list[Hashable]:
        """Check rows; show what passed; return the rows to stop."""
        assert self.monitor is not None
        began = time.perf_counter()
        rows = [self.rows[k] for k in keys]
        counts = [len(r.text.ids) for r in rows]
        decisions = self.monitor.check(
            [r.prompt for r in rows], [r.text.text for r in rows], counts, keys=keys
        )
        share = (time.perf_counter() - began) / len(keys)
        stopped = []
        for key, row, decision, count in zip(keys, rows, decisions, counts, strict=True):
            row.checks += 1
            row.seconds += share
            row.checked_tokens = count
            if decision is None:
                self._show(key, count)
            else:
                row.stop = decision
                stopped.append(key)
        return stopped

    def on_step(self, _step: int, new: Mapping[Hashable, int]) -> list[Hashable]:
        """New token ids from a local decoder; returns the rows to stop."""
        due = []
        for key, token in new.items():
            self.rows[key].text.push(token)
            if self._advance(key):
                due.append(key)
        return self._check(due) if due else []

    def on_text(self, key: Hashable, delta: str) -> bool:
        """New text from a remote stream (counted in the local tokenizer's tokens); returns
        whether the row is to stop."""
        self.rows[key].text.push_text(delta)
        return bool(self._advance(key) and self._check([key]))

    def _advance(self, key: Hashable) -> bool:
        """Show what may be shown now; whether a check is due."""
        row = self.rows[key]
        count = len(row.text.ids)
        if not row.watched:
            return False
        if self.monitor is None:
            self._show(key, count)
        elif self.monitor.due(count, row.checked_tokens):
            return True
        elif not self.monitor.config.holdback:
            self._show(key, count)
        return False

    def finish(self, reasons: Mapping[Hashable, str]) -> dict[Hashable, MonitoredGeneration]:
        """Final check of the finished rows' unchecked tails, then their results (the rows
        leave the guard)."""
        if self.monitor is not None:
            tails = [
                key
                for key in reasons
                if self.rows[key].watched
                and self.rows[key].stop is None
                and len(self.rows[key].text.ids) > self.rows[key].checked_tokens
            ]
            if tails:
                self._check(tails)
        out = {}
        for key, reason in reasons.items():
            row = self.rows[key]
            if row.stop is None:
                if row.watched:
                    self._show(key, len(row.text.ids))
                shown = row.text.text
            else:
                assert self.monitor is not None
                replacement = self.monitor.replacement(row.stop)
                failing = (
                    row.stop.unparsed and unparsed_policy_of(self.monitor.moderator) == "error"
                )
                if self.on_delta is not None and not failing:  # a failing row ends in an error
                    self.on_delta(key, ("\n" if row.shown_chars else "") + replacement)
                shown_text = row.text.text[: row.shown_chars].strip()
                shown = f"{shown_text}\n{replacement}" if shown_text else replacement
                reason = "content_filter"
            out[key] = MonitoredGeneration(
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
            del self.rows[key]
        return out


def guarded_decode(
    lm: LoadedLM,
    requests: Sequence[DecodeRequest],
    prompts: Sequence[str],
    monitor: StreamMonitor | None = None,
    hooks: HookFactory | None = None,
    on_delta: DeltaCallback | None = None,
) -> list[MonitoredGeneration]:
    """Decode a fixed set of rows token by token, stop the rows the monitor flags, and show
    only checked text (monitored generation and the tests; the server drives
    :class:`MonitoredRows` itself under continuous batching)."""
    guard = MonitoredRows(lm.tokenizer, monitor, on_delta)
    for index, prompt in enumerate(prompts):
        guard.add(index, prompt)
    reasons = decode_batch(lm, list(requests), guard.on_step, hooks)
    results = guard.finish(dict(enumerate(reasons)))
    return [results[i] for i in range(len(requests))]


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
