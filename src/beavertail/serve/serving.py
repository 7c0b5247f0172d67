"""Serving the two POST endpoints: a chat completion through an engine, and moderation.

The web layer (:mod:`beavertail.serve.app`) routes requests here; the shapes of the answers
are :mod:`beavertail.serve.sse`'s (streamed) and :mod:`beavertail.serve.responses`' (whole).
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from beavertail.data.taxonomy import BEAVERTAILS_14, OPENAI_MODERATION, get_mapping, get_taxonomy
from beavertail.models.generation import SamplingParams
from beavertail.moderation.conversation import judge_conversations
from beavertail.moderation.unparsed import UnparsedVerdictError
from beavertail.moderation.verdict import Verdict
from beavertail.serve.errors import APIError, failure
from beavertail.serve.guard import disclosed
from beavertail.serve.jobs import (
    DEADLINE_ERROR,
    ChatEngine,
    ChatJob,
    QueueFull,
    RequestTooLarge,
    UnsupportedRequest,
)
from beavertail.serve.protocol import ChatCompletionRequest, CompletionRequest, ModerationItem
from beavertail.serve.responses import completion, text_completion
from beavertail.serve.sse import Event, event_stream

GRACE_SECONDS = 30  # beyond the engine's own deadline: a worker busy with one long step
DISCONNECT_POLL_SECONDS = 0.25  # how often a waiting request checks that its client is there
Disconnected = Callable[[], Awaitable[bool]]  # Request.is_disconnected


async def _watch(disconnected: Disconnected, job: ChatJob) -> None:
    """Cancel ``job`` once its client goes away (whole answers, and streams still queued)."""
    while not job.ended:
        if await disconnected():
            job.cancelled.set()
            return
        await asyncio.sleep(DISCONNECT_POLL_SECONDS)


@dataclass
class ChatLimits:
    max_tokens_limit: int = 512
    default_max_tokens: int = 128
    max_prompt_tokens: int = 2048
    request_timeout: float = 300.0
    guided: bool = False  # guided decoding answers one choice per request
    expose_scores: bool = True  # see :func:`beavertail.serve.guard.disclosed`


class ChatService:
    """``POST /v1/chat/completions``: checks, a job for the engine, its events as the answer."""

    def __init__(self, engine: ChatEngine, model_name: str, limits: ChatLimits) -> None:
        self.engine, self.model_name, self.limits = engine, model_name, limits

    def _job(self, request: ChatCompletionRequest | CompletionRequest, emit: Any) -> ChatJob:
        limits = self.limits
        max_tokens = (
            request.max_tokens
            if isinstance(request, CompletionRequest)
            else request.requested_tokens()
        )
        max_tokens = max_tokens or limits.default_max_tokens
        if max_tokens > limits.max_tokens_limit:
            raise APIError(
                400,
                f"max_tokens is {max_tokens}; at most {limits.max_tokens_limit}",
                param="max_tokens",
                code="context_length_exceeded",
            )
        if isinstance(request, CompletionRequest):
            messages = [{"role": "user", "content": request.prompt}]
            prompt_tokens = self.engine.text_tokens(request.prompt)
        else:
            messages = request.conversation()
            prompt_tokens = self.engine.prompt_tokens(messages)
        if prompt_tokens > limits.max_prompt_tokens:
            raise APIError(
                400,
                f"the conversation is {prompt_tokens} tokens; at most {limits.max_prompt_tokens}",
                param="messages",
                code="context_length_exceeded",
            )
        if request.n > 1 and limits.guided:
            raise APIError(400, "n > 1 is not served with guided decoding", param="n")
        if request.model not in (None, self.model_name):
            raise APIError(
                404,
                f"model {request.model!r} is not served here; use {self.model_name!r}",
                param="model",
                code="model_not_found",
            )
        sampling = SamplingParams(
            max_new_tokens=max_tokens,
            temperature=request.temperature,
            top_p=request.top_p,
            seed=request.seed,
        )
        return ChatJob(
            messages,
            sampling,
            n=request.n,
            prompt_tokens=prompt_tokens,
            emit=emit,
            timeout=limits.request_timeout,
            raw_prompt=request.prompt if isinstance(request, CompletionRequest) else None,
            logprobs=(
                request.logprobs
                if isinstance(request, CompletionRequest)
                else request.logprob_alternatives()
            ),
        )

    def _public(self, event: Event) -> Event:
        """A "done" event with the guards' reports cut to what the client may see."""
        kind, value = event
        if kind != "done" or self.limits.expose_scores:
            return event
        value = dict(value, guard=disclosed(value.get("guard") or {}, False))
        if value.get("choices"):
            value["choices"] = [
                dict(c, guard=disclosed(c.get("guard") or {}, False)) for c in value["choices"]
            ]
        return kind, value

    async def answer(
        self,
        request: ChatCompletionRequest | CompletionRequest,
        disconnected: Disconnected | None = None,
    ) -> Any:
        """The (chat) completion as a dict or, for ``stream: true``, a streaming response.
        ``disconnected`` tells whether the client went away: the job is then cancelled, while
        it waits or runs, whole or streamed."""
        raw = isinstance(request, CompletionRequest)
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[Event] = asyncio.Queue()
        job = self._job(
            request,
            lambda kind, value: loop.call_soon_threadsafe(events.put_nowait, (kind, value)),
        )
        try:
            self.engine.submit(job)
        except QueueFull as error:
            raise APIError(429, str(error), "rate_limit_error", code="queue_full") from error
        except RequestTooLarge as error:
            raise APIError(400, str(error), param="n") from error
        except UnsupportedRequest as error:
            raise APIError(400, str(error)) from error
        watcher = asyncio.ensure_future(_watch(disconnected, job)) if disconnected else None
        completion_id = f"{'cmpl' if raw else 'chatcmpl'}-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        patience = self.limits.request_timeout + GRACE_SECONDS

        async def next_event() -> Event:
            try:
                return self._public(await asyncio.wait_for(events.get(), patience))
            except TimeoutError:  # a safety net: the engine answers by the deadline
                job.cancelled.set()
                return ("error", DEADLINE_ERROR)

        def finished() -> None:
            job.cancelled.set()  # a no-op once the job ended; else it frees its rows
            if watcher is not None:
                watcher.cancel()

        try:  # the first event decides the status: an early failure is a proper error
            first = await next_event()
        except asyncio.CancelledError:
            finished()
            raise
        if first[0] == "error":
            finished()
            raise failure(first[1])
        held: list[Event] = [first]

        async def take() -> Event:
            return held.pop() if held else await next_event()

        if request.stream:
            options = None if isinstance(request, CompletionRequest) else request.stream_options
            include_usage = bool(options and options.include_usage)

            async def lines() -> Any:
                try:
                    async for line in event_stream(
                        take, completion_id, created, self.model_name, include_usage, raw
                    ):
                        yield line
                finally:
                    finished()  # a client that went away frees its batch row

            return StreamingResponse(
                lines(),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        parts: list[str] = []
        try:
            while True:
                kind, value = await take()
                if kind == "delta":
                    parts.append(value)
                elif kind == "error":
                    raise failure(value)
                else:
                    break
        finally:
            finished()
        shape = text_completion if raw else completion
        return shape(completion_id, created, self.model_name, parts, value)


@dataclass
class ModerationLimits:
    """``/v1/moderations``: requests admitted at once (more get 429), and each one's
    deadline (504), checked between batches of ``batch_size`` judged pieces."""

    max_queue: int = 8
    timeout: float = 60.0
    batch_size: int = 16


class _Stop(Exception):
    """A moderation request ends early: its deadline passed, or its client went away."""


class ModerationService:
    """``POST /v1/moderations``: verdicts with OpenAI's category names (and ours). Each input
    is judged whole (a conversation in the judge's windows, see
    :func:`~beavertail.moderation.conversation.judge_conversations`), under a queue limit and
    a deadline."""

    def __init__(
        self,
        moderator: Any,
        model_name: str,
        limits: ModerationLimits | None = None,
        expose_scores: bool = True,
    ) -> None:
        self.moderator = moderator
        self.model_name = model_name
        self.limits = limits or ModerationLimits()
        self.expose_scores = expose_scores
        self._lock = threading.Lock()  # a moderator judges one batch at a time
        self._count = threading.Lock()
        self.pending = 0  # requests waiting or being judged
        self.to_openai = get_mapping(BEAVERTAILS_14, OPENAI_MODERATION)
        self.openai_categories = get_taxonomy(OPENAI_MODERATION).categories

    async def answer(
        self, items: list[ModerationItem], disconnected: Disconnected | None = None
    ) -> dict[str, Any]:
        moderator = self.moderator
        if moderator is None:
            raise APIError(404, "no moderator is configured on this server")
        with self._count:
            if self.pending >= self.limits.max_queue:
                raise APIError(
                    429,
                    f"the moderator is busy: {self.pending} requests in flight",
                    "rate_limit_error",
                    code="queue_full",
                )
            self.pending += 1
        try:
            verdicts = await self._judged(moderator, items, disconnected)
        finally:
            with self._count:
                self.pending -= 1
        return {
            "id": f"modr-{uuid.uuid4().hex[:24]}",
            "model": f"{self.model_name}-moderator",
            "results": [self.result(v, moderator.threshold) for v in verdicts],
        }

    async def _judged(
        self, moderator: Any, items: list[ModerationItem], disconnected: Disconnected | None
    ) -> list[Verdict]:
        deadline = time.monotonic() + self.limits.timeout
        gone = threading.Event()
        prompt_only = getattr(moderator.spec, "input", "pair") == "prompt"
        conversations = [
            conversation or ([{"role": "user", "content": response or ""}] if prompt_only else [])
            for conversation, response in items
        ]
        responses = [response or "" for _, response in items]

        def before_batch() -> None:
            if time.monotonic() >= deadline or gone.is_set():
                raise _Stop

        def judge() -> list[Verdict]:
            if not self._lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
                raise _Stop
            try:
                return judge_conversations(
                    moderator, conversations, responses, batch_size=self.limits.batch_size,
                    before_batch=before_batch,
                )  # fmt: skip
            finally:
                self._lock.release()

        async def watch() -> None:
            while disconnected is not None and not await disconnected():
                await asyncio.sleep(DISCONNECT_POLL_SECONDS)
            gone.set()

        watcher = asyncio.ensure_future(watch()) if disconnected else None
        try:
            return await run_in_threadpool(judge)
        except _Stop:
            if gone.is_set():
                raise APIError(499, "the client went away", code="client_closed") from None
            raise failure(DEADLINE_ERROR) from None
        except UnparsedVerdictError:
            raise APIError(
                502, "the judge's output could not be parsed (on_unparsed: error)",
                "server_error", code="judge_unparsed",
            ) from None  # fmt: skip
        finally:
            if watcher is not None:
                watcher.cancel()

    def result(self, verdict: Verdict, threshold: float) -> dict[str, Any]:
        """One verdict; a flagged one always names an OpenAI category (the highest-scoring
        one when its own categories have no OpenAI counterpart), except an unparsed one,
        which has no category. Without ``expose_scores`` the scores are 1 or 0 (flagged or
        not) and the judge's own score, threshold and OOD score are left out."""
        scores = self.to_openai.map_scores(verdict.categories)
        flagged = set(self.to_openai.map(verdict.flagged_categories))
        if verdict.flagged and not flagged and not verdict.unparsed:
            flagged = {max(scores, key=scores.__getitem__)}
        ours: dict[str, Any] = {
            "score": verdict.score,
            "threshold": threshold,
            "categories": {c: c in verdict.flagged_categories for c in verdict.categories},
            "category_scores": verdict.categories,
        }
        if verdict.severity is not None:
            ours["severity"] = verdict.severity
        if verdict.ood_score is not None:  # the judge's OOD detector
            ours["ood_score"] = verdict.ood_score
            ours["in_distribution"] = verdict.in_distribution
        if verdict.uncertain:  # out of distribution under on_ood: flag_uncertain
            ours["uncertain"] = True
        if verdict.unparsed:  # the judge's output could not be read (on_unparsed)
            ours["unparsed"] = True
        where = (verdict.raw or {}).get("conversation")
        if where and where.get("pieces", 1) > 1:
            ours["turn"] = where["turn"]  # the turn the verdict came from
        openai_scores = {c: round(s, 6) for c, s in scores.items()}
        if not self.expose_scores:
            openai_scores = {c: float(c in flagged) for c in scores}
            hidden = ("score", "threshold", "category_scores", "ood_score", "turn")
            ours = {k: v for k, v in ours.items() if k not in hidden}
        return {
            "flagged": verdict.flagged,
            "categories": {c: c in flagged for c in self.openai_categories},
            "category_scores": openai_scores,
            "beavertail": ours,
        }
