"""Serving the two POST endpoints: a chat completion through an engine, and moderation.

The web layer (:mod:`beavertail.serve.app`) routes requests here; the SSE and JSON shapes
of the answers are :mod:`beavertail.serve.sse`'s.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from beavertail.data.taxonomy import BEAVERTAILS_14, OPENAI_MODERATION, get_mapping, get_taxonomy
from beavertail.models.generation import SamplingParams
from beavertail.moderation.moderator import Moderator
from beavertail.moderation.verdict import Verdict
from beavertail.serve.engine import (
    DEADLINE_ERROR,
    ChatEngine,
    ChatJob,
    QueueFull,
    RequestTooLarge,
    UnsupportedRequest,
)
from beavertail.serve.errors import APIError, failure
from beavertail.serve.protocol import ChatCompletionRequest, CompletionRequest
from beavertail.serve.sse import Event, completion, event_stream, text_completion

GRACE_SECONDS = 30  # beyond the engine's own deadline: a worker busy with one long step


@dataclass
class ChatLimits:
    max_tokens_limit: int = 512
    default_max_tokens: int = 128
    max_prompt_tokens: int = 2048
    request_timeout: float = 300.0
    guided: bool = False  # guided decoding answers one choice per request


class ChatService:
    """``POST /v1/chat/completions``: checks, a job for the engine, its events as the answer."""

    def __init__(self, engine: ChatEngine, model_name: str, limits: ChatLimits) -> None:
        self.engine, self.model_name, self.limits = engine, model_name, limits

    def _job(self, request: ChatCompletionRequest | CompletionRequest, emit: Any) -> ChatJob:
        limits = self.limits
        raw = isinstance(request, CompletionRequest)
        max_tokens = request.max_tokens if raw else request.requested_tokens()
        max_tokens = max_tokens or limits.default_max_tokens
        if max_tokens > limits.max_tokens_limit:
            raise APIError(
                400, f"max_tokens may be at most {limits.max_tokens_limit}", param="max_tokens"
            )
        if raw:
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
            raw_prompt=request.prompt if raw else None,
            logprobs=request.logprobs if raw else request.logprob_alternatives(),
        )

    async def answer(self, request: ChatCompletionRequest | CompletionRequest) -> Any:
        """The (chat) completion as a dict or, for ``stream: true``, a streaming response."""
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
        completion_id = f"{'cmpl' if raw else 'chatcmpl'}-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        patience = self.limits.request_timeout + GRACE_SECONDS

        async def next_event() -> Event:
            try:
                return await asyncio.wait_for(events.get(), patience)
            except TimeoutError:  # a safety net: the engine answers by the deadline
                job.cancelled.set()
                return ("error", DEADLINE_ERROR)

        try:  # the first event decides the status: an early failure is a proper error
            first = await next_event()
        except asyncio.CancelledError:
            job.cancelled.set()
            raise
        if first[0] == "error":
            job.cancelled.set()
            raise failure(first[1])
        held: list[Event] = [first]

        async def take() -> Event:
            return held.pop() if held else await next_event()

        if request.stream:
            options = None if raw else request.stream_options
            include_usage = bool(options and options.include_usage)

            async def lines() -> Any:
                try:
                    async for line in event_stream(
                        take, completion_id, created, self.model_name, include_usage, raw
                    ):
                        yield line
                finally:
                    job.cancelled.set()  # a client that went away frees its batch row

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
        except asyncio.CancelledError:
            job.cancelled.set()
            raise
        shape = text_completion if raw else completion
        return shape(completion_id, created, self.model_name, parts, value)


class ModerationService:
    """``POST /v1/moderations``: verdicts with OpenAI's category names (and ours)."""

    def __init__(self, moderator: Moderator | None, model_name: str) -> None:
        self.moderator = moderator
        self.model_name = model_name
        self._lock = threading.Lock()  # a moderator judges one batch at a time
        self.to_openai = get_mapping(BEAVERTAILS_14, OPENAI_MODERATION)
        self.openai_categories = get_taxonomy(OPENAI_MODERATION).categories

    async def answer(self, prompts: list[str], responses: list[str] | None) -> dict[str, Any]:
        moderator = self.moderator
        if moderator is None:
            raise APIError(404, "no moderator is configured on this server")

        def judge() -> list[Verdict]:
            with self._lock:
                return moderator.predict(prompts, responses)

        verdicts = await run_in_threadpool(judge)
        return {
            "id": f"modr-{uuid.uuid4().hex[:24]}",
            "model": f"{self.model_name}-moderator",
            "results": [self.result(v, moderator.threshold) for v in verdicts],
        }

    def result(self, verdict: Verdict, threshold: float) -> dict[str, Any]:
        """One verdict; a flagged one always names an OpenAI category (the highest-scoring
        one when its own categories have no OpenAI counterpart)."""
        scores = self.to_openai.map_scores(verdict.categories)
        flagged = set(self.to_openai.map(verdict.flagged_categories))
        if verdict.flagged and not flagged:
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
        return {
            "flagged": verdict.flagged,
            "categories": {c: c in flagged for c in self.openai_categories},
            "category_scores": {c: round(s, 6) for c, s in scores.items()},
            "beavertail": ours,
        }
