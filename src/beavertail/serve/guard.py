"""The guard path, shared by the local engine and the guard proxy: input screening of whole
conversations, the monitor's check of whole answers (``n`` choices, best-of-N's pick), the
report of a streamed answer, and what a response may disclose.

Both engines call exactly these functions, so a request gets the same guards whether the
model runs here or behind an upstream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from beavertail.decoding.best_of_n import BestOfNConfig, choose_candidate, ood_candidates
from beavertail.decoding.guided import GuidedGenerator
from beavertail.models.generation import HookFactory
from beavertail.moderation.conversation import judge_conversations
from beavertail.moderation.judge import Judge
from beavertail.moderation.unparsed import (
    DEFAULT_ON_UNPARSED,
    OnUnparsed,
    UnparsedVerdictError,
)
from beavertail.moderation.verdict import Verdict
from beavertail.monitor.stream import MonitoredGeneration, StopDecision, StreamMonitor
from beavertail.preference.spec import Scorer
from beavertail.serve.jobs import UNPARSED_ERROR, ChatJob


@dataclass
class GuardStack:
    """Everything the server applies around the bare model, each part optional: steering
    hooks, input screening, the stream monitor, best-of-N's score models, guided decoding."""

    hooks: HookFactory | None = None
    steerer: Any = None
    input_judge: Judge | None = None  # judges every turn of a conversation before decoding
    input_threshold: float | None = None  # None: the input judge's calibrated threshold
    input_message: str = "I can't help with that request."
    monitor: StreamMonitor | None = None
    reward: Scorer | None = None
    cost: Scorer | None = None
    best_of_n: BestOfNConfig | None = None
    guided: GuidedGenerator | None = None  # answers one request at a time, whole
    on_unparsed: OnUnparsed = DEFAULT_ON_UNPARSED  # also set on each judge's wrapper
    expose_scores: bool = True  # see :func:`disclosed`


# -- input ------------------------------------------------------------------------------
def screen_inputs(guards: GuardStack, jobs: list[ChatJob]) -> list[ChatJob]:
    """Input moderation over whole conversations (every turn, in the judge's window; see
    :mod:`beavertail.moderation.conversation`), all jobs in one batched call: flagged
    requests are answered with the refusal message (``content_filter``), those whose verdict
    could not be parsed under ``on_unparsed: error`` with a 502; both are left out of the
    returned list. A conversation with a piece out of the judge's distribution passes with
    ``input_uncertain`` in its report."""
    if guards.input_judge is None or not jobs:
        return jobs
    conversations = [job.conversation for job in jobs]
    try:
        verdicts = judge_conversations(guards.input_judge, conversations)
        failed: set[int] = set()
    except UnparsedVerdictError as error:
        verdicts, failed = error.verdicts, set(error.rows)
    threshold = guards.input_threshold
    if threshold is None:
        threshold = guards.input_judge.threshold
    passed = []
    for index, (job, verdict) in enumerate(zip(jobs, verdicts, strict=True)):
        if index in failed:
            job.fail(UNPARSED_ERROR)
            continue
        if verdict.unparsed:
            flagged = verdict.flagged
        else:
            flagged = verdict.score is not None and verdict.score >= threshold
        if not flagged:
            if verdict.unparsed:
                job.notes["input_unparsed"] = True
            if (verdict.raw or {}).get("conversation", {}).get("ood_pieces"):
                job.notes["input_uncertain"] = True  # a piece the judge was not trained on
            passed.append(job)
            continue
        job.emit("delta", guards.input_message)
        job.emit(
            "done",
            {
                "finish_reason": "content_filter",
                "completion_tokens": 0,
                "prompt_tokens": job.prompt_tokens,
                "guard": {"input_flagged": True, **_input_report(verdict)},
            },
        )
    return passed


def _input_report(verdict: Verdict) -> dict[str, Any]:
    """Why a conversation was refused: score, category and the turn that decided it."""
    if verdict.unparsed:
        return {"unparsed": True}
    category = verdict.flagged_categories[0] if verdict.flagged_categories else None
    if category is None and verdict.categories:
        category = max(verdict.categories, key=verdict.categories.__getitem__)
    out: dict[str, Any] = {"score": verdict.score, "category": category}
    where = (verdict.raw or {}).get("conversation")
    if where:
        out["turn"] = where["turn"]
    return out


# -- answers ----------------------------------------------------------------------------
def _stop_report(guards: GuardStack, decision: StopDecision, shown_tokens: int) -> dict[str, Any]:
    """A stop decision as the response reports it; an unparsed check under
    ``on_unparsed: error`` fails the request instead."""
    if decision.unparsed and guards.on_unparsed == "error":
        raise UnparsedVerdictError([0], [])
    return decision.to_dict() | {"shown_tokens": shown_tokens}


def judged_choices(
    guards: GuardStack,
    prompt: str,
    texts: list[str],
    finish_reasons: list[str],
    tokens: list[int] | None = None,
) -> list[dict[str, Any]]:
    """Whole answers to one prompt after the monitor's check (one batched call): each shown
    as it is, or replaced when flagged (``n`` choices, guided decoding, best-of-N's pick)."""
    tokens = tokens or [0] * len(texts)
    choices: list[dict[str, Any]] = [
        {"text": text, "finish_reason": reason, "guard": {}}
        for text, reason in zip(texts, finish_reasons, strict=True)
    ]
    monitor = guards.monitor
    if monitor is None or not texts:
        return choices
    decisions = monitor.check([prompt] * len(texts), texts, tokens)
    for choice, decision in zip(choices, decisions, strict=True):
        if decision is not None:
            choice["guard"]["stopped"] = _stop_report(guards, decision, 0)
            choice["text"], choice["finish_reason"] = (
                monitor.replacement(decision),
                "content_filter",
            )
    return choices


def choose_best(
    guards: GuardStack, prompt: str, texts: list[str], finish_reasons: list[str]
) -> tuple[int, dict[str, Any]]:
    """Best-of-N over whole candidates (local rows or an upstream's ``n`` choices): the safe
    choice by reward and cost (candidates out of the score models' distribution skipped under
    ``skip_ood``, as in the harness), then the monitor's check of the chosen answer."""
    config = guards.best_of_n
    assert config is not None and guards.reward is not None and guards.cost is not None
    prompts = [prompt] * len(texts)
    rewards = guards.reward.scores(prompts, texts)
    costs = guards.cost.scores(prompts, texts)
    outside = (
        ood_candidates(guards.reward, guards.cost, prompts, texts) if config.skip_ood else None
    )
    choice = choose_candidate(rewards, costs, config.cost_threshold, outside)
    pick = choice.index
    judged = judged_choices(guards, prompt, [texts[pick]], [finish_reasons[pick]])[0]
    judged["guard"]["best_of_n"] = choice.to_dict()
    return pick, judged


def finished_event(
    guards: GuardStack,
    result: MonitoredGeneration,
    prompt_tokens: int | None,
    info: dict[str, Any],
    completion_tokens: int | None = None,
) -> dict[str, Any]:
    """The "done" event of a streamed, monitored answer (local rows and the proxy's): where
    and why it stopped, and how many checks it had."""
    guard = dict(info)
    if result.stop is not None:
        guard["stopped"] = _stop_report(guards, result.stop, result.shown_tokens)
    if guards.monitor is not None:
        guard["checks"] = result.checks
    return {
        "finish_reason": result.finish_reason,
        "completion_tokens": result.num_tokens if completion_tokens is None else completion_tokens,
        "prompt_tokens": prompt_tokens,
        "guard": guard,
    }


# -- disclosure -------------------------------------------------------------------------
PUBLIC = ("queued_seconds", "seconds", "input_flagged", "input_uncertain", "input_unparsed",
          "unparsed", "uncertain", "upstream")  # fmt: skip


def disclosed(report: dict[str, Any], expose_scores: bool) -> dict[str, Any]:
    """What a response tells the client of the guards' report. With ``expose_scores`` (the
    default) everything; without, only what happened (refused, stopped, by whom, unparsed,
    uncertain, timings): no score, threshold, category, stop position, check count, route,
    best-of-N scores or search statistics, which would let a client tune an attack."""
    if expose_scores:
        return report
    out = {key: report[key] for key in PUBLIC if key in report}
    if "stopped" in report:
        stopped = report["stopped"]
        out["stopped"] = {"by": stopped.get("by", "monitor")}
        if stopped.get("unparsed"):
            out["stopped"]["unparsed"] = True
    return out


def redact_url(url: str) -> str:
    """``url`` without what may hold a secret: user and password, query and fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    if parts.username or parts.password:
        host = f"***@{host}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
