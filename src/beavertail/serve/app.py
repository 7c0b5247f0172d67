"""The guarded OpenAI-compatible HTTP API (FastAPI).

Endpoints: ``POST /v1/chat/completions`` (``stream: true`` answers as server-sent events),
``POST /v1/moderations``, ``GET /v1/models``, ``GET /healthz``. Errors always have OpenAI's
shape ``{"error": {"message", "type", "param", "code"}}``; tracebacks stay in the server log.
Each response carries a ``beavertail`` field saying what the guards did (route, stop, ...).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from beavertail.data.taxonomy import BEAVERTAILS_14, OPENAI_MODERATION, get_mapping, get_taxonomy
from beavertail.models.generation import SamplingParams
from beavertail.moderation.moderator import Moderator
from beavertail.serve.engine import DEADLINE_ERROR, ChatJob, Engine, QueueFull, RequestTooLarge
from beavertail.serve.protocol import (
    MAX_BODY_BYTES,
    ChatCompletionRequest,
    ModerationRequest,
)
from beavertail.serve.proxy import UpstreamEngine

log = logging.getLogger("beavertail.serve")
RequestModel = TypeVar("RequestModel", bound=BaseModel)


class APIError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.kind, self.param, self.code = (
            status,
            message,
            kind,
            param,
            code,
        )

    def response(self) -> JSONResponse:
        body = {
            "error": {
                "message": self.message,
                "type": self.kind,
                "param": self.param,
                "code": self.code,
            }
        }
        headers = {"Retry-After": "1"} if self.status == 429 else None
        return JSONResponse(body, status_code=self.status, headers=headers)


def _validated(model: type[RequestModel], body: Any) -> RequestModel:
    """The request as ``model``; a 400 naming the bad field (``messages[0].role``) otherwise."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        problems = [(_field_path(p["loc"]), p["msg"]) for p in error.errors()]
        where, message = max(problems, key=lambda problem: len(problem[0] or ""))
        raise APIError(400, f"{where}: {message}" if where else message, param=where) from None


def _field_path(loc: tuple[Any, ...]) -> str | None:
    """``("messages", 0, "content", "str")`` -> ``messages[0].content`` (union tags dropped)."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.isidentifier() and part.islower() and part not in ("str", "int", "float"):
            path += f".{part}" if path else part
    return path or None


def _bearer_matches(header: str, api_key: str) -> bool:
    """``Authorization: Bearer <key>`` (scheme in any case), compared in constant time."""
    scheme, _, token = header.strip().partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(
        token.strip().encode(), api_key.encode()
    )


def create_app(
    engine: Engine | UpstreamEngine,
    model_name: str,
    moderator: Moderator | None = None,
    api_key: str | None = None,
    max_tokens_limit: int = 512,
    default_max_tokens: int = 128,
    description: dict[str, Any] | None = None,
    max_prompt_tokens: int = 2048,
    request_timeout: float = 300.0,
) -> FastAPI:
    """The web app over a (not yet started) engine; the app starts and stops it."""
    moderator_lock = threading.Lock()
    created = int(time.time())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        engine.start()
        try:
            yield
        finally:
            engine.stop()

    app = FastAPI(title="beavertail guarded chat", lifespan=lifespan)

    @app.exception_handler(APIError)
    async def _api_error(_request: Request, error: APIError) -> JSONResponse:
        return error.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        kind = "not_found_error" if error.status_code == 404 else "invalid_request_error"
        return APIError(error.status_code, str(error.detail), kind).response()

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return APIError(500, "internal server error", "server_error").response()

    @app.middleware("http")
    async def _auth(request: Request, call_next):  # type: ignore[no-untyped-def]
        path = request.url.path
        header = request.headers.get("authorization", "")
        if api_key and path.startswith("/v1/") and not _bearer_matches(header, api_key):
            return APIError(
                401,
                "missing or wrong API key (send 'Authorization: Bearer <key>')",
                "invalid_request_error",
                code="invalid_api_key",
            ).response()
        return await call_next(request)

    async def _json(request: Request) -> Any:
        declared = request.headers.get("content-length", "0")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise APIError(413, f"the request body is over {MAX_BODY_BYTES} bytes")
        parts, size = [], 0
        async for part in request.stream():  # counted while reading: chunked bodies too
            size += len(part)
            if size > MAX_BODY_BYTES:
                raise APIError(413, f"the request body is over {MAX_BODY_BYTES} bytes")
            parts.append(part)
        raw = b"".join(parts)
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise APIError(400, f"the request body is not valid JSON: {error}") from error

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        """ "ok" (200) when the engine can serve; "degraded" (503) when it cannot, e.g. the
        proxy's upstream does not answer."""
        state = await engine.health()
        body = {"status": "ok", "model": model_name, "pending": engine.pending,
                "max_queue": engine.max_queue, **state}  # fmt: skip
        if not state.get("healthy", True):
            body["status"] = "degraded"
        return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        card = {"id": model_name, "object": "model", "created": created, "owned_by": "beavertail"}
        if description:
            card["beavertail"] = description
        return {"object": "list", "data": [card]}

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Any:
        chat_request = _validated(ChatCompletionRequest, await _json(request))
        max_tokens = chat_request.requested_tokens() or default_max_tokens
        if max_tokens > max_tokens_limit:
            raise APIError(400, f"max_tokens may be at most {max_tokens_limit}", param="max_tokens")
        messages = chat_request.conversation()
        prompt_tokens = engine.prompt_tokens(messages)
        if prompt_tokens > max_prompt_tokens:
            raise APIError(
                400,
                f"the conversation is {prompt_tokens} tokens; at most {max_prompt_tokens}",
                param="messages",
                code="context_length_exceeded",
            )
        if chat_request.n > 1 and "guided" in (description or {}):
            raise APIError(400, "n > 1 is not served with guided decoding", param="n")
        requested = chat_request.model
        if requested not in (None, model_name):
            raise APIError(
                404,
                f"model {requested!r} is not served here; use {model_name!r}",
                param="model",
                code="model_not_found",
            )
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        sampling = SamplingParams(
            max_new_tokens=max_tokens,
            temperature=chat_request.temperature,
            top_p=chat_request.top_p,
            seed=chat_request.seed,
        )
        job = ChatJob(
            messages,
            sampling,
            n=chat_request.n,
            prompt_tokens=prompt_tokens,
            emit=lambda kind, value: loop.call_soon_threadsafe(events.put_nowait, (kind, value)),
            timeout=request_timeout,
        )
        try:
            engine.submit(job)
        except QueueFull as error:
            raise APIError(429, str(error), "rate_limit_error", code="queue_full") from error
        except RequestTooLarge as error:
            raise APIError(400, str(error), param="n") from error
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        now = int(time.time())
        # the engine answers every job by its deadline; the grace period covers a worker
        # that is busy with one long step when the deadline passes
        patience = request_timeout + 30

        async def next_event() -> tuple[str, Any]:
            try:
                return await asyncio.wait_for(events.get(), patience)
            except TimeoutError:
                job.cancelled.set()
                return ("error", DEADLINE_ERROR)

        try:  # the first event decides the status: an early failure is a proper error
            first = await next_event()
        except asyncio.CancelledError:
            job.cancelled.set()
            raise
        if first[0] == "error":
            job.cancelled.set()
            raise _failure(first[1])
        held: list[tuple[str, Any]] = [first]

        async def take() -> tuple[str, Any]:
            return held.pop() if held else await next_event()

        if chat_request.stream:
            return StreamingResponse(
                _stream(
                    take,
                    job,
                    completion_id,
                    now,
                    bool(chat_request.stream_options and chat_request.stream_options.include_usage),
                ),
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
                    raise _failure(value)
                else:
                    break
        except asyncio.CancelledError:
            job.cancelled.set()
            raise
        answers = value.get("choices") or [
            {"text": "".join(parts), "finish_reason": value["finish_reason"]}
        ]
        return {
            "id": completion_id,
            "object": "chat.completion",
            "created": now,
            "model": model_name,
            "choices": [
                {
                    "index": index,
                    "message": {"role": "assistant", "content": answer["text"].strip()},
                    "finish_reason": answer["finish_reason"],
                }
                | ({"beavertail": answer["guard"]} if answer.get("guard") else {})
                for index, answer in enumerate(answers)
            ],
            "usage": _usage(value),
            "beavertail": value["guard"],
        }

    def _chunk(completion_id: str, now: int, delta: dict, finish: str | None) -> dict[str, Any]:
        return {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": now,
            "model": model_name,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    async def _stream(
        take: Callable[[], Awaitable[tuple[str, Any]]],
        job: ChatJob,
        completion_id: str,
        now: int,
        include_usage: bool,
    ) -> AsyncIterator[str]:
        def sse(payload: dict[str, Any]) -> str:
            return f"data: {json.dumps(payload)}\n\n"

        try:
            yield sse(_chunk(completion_id, now, {"role": "assistant", "content": ""}, None))
            while True:
                kind, value = await take()
                if kind == "delta":
                    yield sse(_chunk(completion_id, now, {"content": value}, None))
                elif kind == "error":
                    error = _failure(value)
                    yield sse({"error": {"message": error.message, "type": error.kind,
                                         "code": error.code}})  # fmt: skip
                    break
                else:
                    final = _chunk(completion_id, now, {}, value["finish_reason"])
                    final["beavertail"] = value["guard"]
                    yield sse(final)
                    if include_usage:
                        usage = _chunk(completion_id, now, {}, None)
                        usage["choices"] = []
                        usage["usage"] = _usage(value)
                        yield sse(usage)
                    break
            yield "data: [DONE]\n\n"
        finally:
            job.cancelled.set()  # a client that went away frees its batch row

    to_openai = get_mapping(BEAVERTAILS_14, OPENAI_MODERATION)
    openai_categories = get_taxonomy(OPENAI_MODERATION).categories

    @app.post("/v1/moderations")
    async def moderations(request: Request) -> dict[str, Any]:
        if moderator is None:
            raise APIError(404, "no moderator is configured on this server")
        prompts, responses = _validated(ModerationRequest, await _json(request)).pairs()

        def judge() -> list:
            with moderator_lock:
                return moderator.predict(prompts, responses)

        verdicts = await run_in_threadpool(judge)
        results = []
        for verdict in verdicts:
            scores = to_openai.map_scores(verdict.categories)
            flagged = set(to_openai.map(verdict.flagged_categories))
            if verdict.flagged and not flagged:  # named categories with no OpenAI counterpart
                flagged = {max(scores, key=scores.__getitem__)}
            results.append(
                {
                    "flagged": verdict.flagged,
                    "categories": {c: c in flagged for c in openai_categories},
                    "category_scores": {c: round(s, 6) for c, s in scores.items()},
                    "beavertail": {
                        "score": verdict.score,
                        "threshold": moderator.threshold,
                        "categories": {
                            c: c in verdict.flagged_categories for c in verdict.categories
                        },
                        "category_scores": verdict.categories,
                        **({"severity": verdict.severity} if verdict.severity is not None else {}),
                    },
                }
            )
        return {
            "id": f"modr-{uuid.uuid4().hex[:24]}",
            "model": f"{model_name}-moderator",
            "results": results,
        }

    return app


def _failure(value: str | dict[str, Any]) -> APIError:
    """An engine's error event as the client's error (a local failure is a 500; the proxy
    says which status an upstream failure deserves)."""
    if isinstance(value, str):
        return APIError(500, value, "server_error")
    return APIError(value["status"], value["message"], value["type"], code=value.get("code"))


def _usage(result: dict[str, Any]) -> dict[str, int]:
    prompt, completion = int(result["prompt_tokens"]), int(result["completion_tokens"])
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
