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
import threading
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from beavertail.models.generation import SamplingParams
from beavertail.moderation.moderator import Moderator
from beavertail.serve.engine import ChatJob, Engine, QueueFull

log = logging.getLogger("beavertail.serve")
ROLES = ("system", "user", "assistant")


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


def _parse_chat(body: Any, limit: int, default_max_tokens: int) -> dict[str, Any]:
    """Validate a chat completion request; raise APIError naming the bad field."""
    if not isinstance(body, dict):
        raise APIError(400, "the request body must be a JSON object")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise APIError(400, "'messages' must be a non-empty list", param="messages")
    clean = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise APIError(
                400, f"messages[{i}] needs a role out of {ROLES}", param=f"messages[{i}].role"
            )
        content = message.get("content")
        if isinstance(content, list):  # [{"type": "text", "text": ...}] parts
            texts = [p.get("text") for p in content if isinstance(p, dict)]
            if not all(isinstance(t, str) for t in texts):
                raise APIError(400, "only text content parts are supported", param="content")
            content = "".join(texts)  # type: ignore[arg-type]
        if not isinstance(content, str):
            raise APIError(
                400, f"messages[{i}].content must be a string", param=f"messages[{i}].content"
            )
        clean.append({"role": message["role"], "content": content})
    if not any(m["role"] == "user" for m in clean):
        raise APIError(400, "at least one message must come from the user", param="messages")
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    max_tokens = default_max_tokens if max_tokens is None else max_tokens
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or not max_tokens >= 1:
        raise APIError(400, "max_tokens must be a positive integer", param="max_tokens")
    if max_tokens > limit:
        raise APIError(400, f"max_tokens may be at most {limit}", param="max_tokens")
    temperature = body.get("temperature", 0.0)
    top_p = body.get("top_p", 1.0)
    seed = body.get("seed", 0)
    if not isinstance(temperature, int | float) or not 0 <= temperature <= 2:
        raise APIError(400, "temperature must lie in [0, 2]", param="temperature")
    if not isinstance(top_p, int | float) or not 0 < top_p <= 1:
        raise APIError(400, "top_p must lie in (0, 1]", param="top_p")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise APIError(400, "seed must be an integer", param="seed")
    if body.get("n", 1) != 1:
        raise APIError(400, "only n = 1 is supported", param="n")
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise APIError(400, "stream must be true or false", param="stream")
    options = body.get("stream_options") or {}
    return {
        "messages": clean,
        "max_tokens": max_tokens,
        "temperature": float(temperature),
        "top_p": float(top_p),
        "seed": seed,
        "stream": stream,
        "include_usage": bool(isinstance(options, dict) and options.get("include_usage")),
    }


def create_app(
    engine: Engine,
    model_name: str,
    moderator: Moderator | None = None,
    api_key: str | None = None,
    max_tokens_limit: int = 512,
    default_max_tokens: int = 128,
    description: dict[str, Any] | None = None,
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
        if api_key and request.url.path.startswith("/v1/"):
            header = request.headers.get("authorization", "")
            if header != f"Bearer {api_key}":
                return APIError(
                    401,
                    "missing or wrong API key (send 'Authorization: Bearer <key>')",
                    "invalid_request_error",
                    code="invalid_api_key",
                ).response()
        return await call_next(request)

    async def _json(request: Request) -> Any:
        raw = await request.body()
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise APIError(400, f"the request body is not valid JSON: {error}") from error

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {
            "status": "ok",
            "model": model_name,
            "pending": engine.pending,
            "max_queue": engine.max_queue,
            "batches": engine.batches,
        }

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        card = {"id": model_name, "object": "model", "created": created, "owned_by": "beavertail"}
        if description:
            card["beavertail"] = description
        return {"object": "list", "data": [card]}

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Any:
        body = await _json(request)
        settings = _parse_chat(body, max_tokens_limit, default_max_tokens)
        requested = body.get("model")
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
            max_new_tokens=settings["max_tokens"],
            temperature=settings["temperature"],
            top_p=settings["top_p"],
            seed=settings["seed"],
        )
        job = ChatJob(
            settings["messages"],
            sampling,
            emit=lambda kind, value: loop.call_soon_threadsafe(events.put_nowait, (kind, value)),
        )
        try:
            engine.submit(job)
        except QueueFull as error:
            raise APIError(429, str(error), "rate_limit_error", code="queue_full") from error
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        now = int(time.time())
        if settings["stream"]:
            return StreamingResponse(
                _stream(events, job, completion_id, now, settings["include_usage"]),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        parts: list[str] = []
        try:
            while True:
                kind, value = await events.get()
                if kind == "delta":
                    parts.append(value)
                elif kind == "error":
                    raise APIError(500, value, "server_error")
                else:
                    break
        except asyncio.CancelledError:
            job.cancelled.set()
            raise
        return {
            "id": completion_id,
            "object": "chat.completion",
            "created": now,
            "model": model_name,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "".join(parts).strip()},
                    "finish_reason": value["finish_reason"],
                }
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
        events: asyncio.Queue[tuple[str, Any]],
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
                kind, value = await events.get()
                if kind == "delta":
                    yield sse(_chunk(completion_id, now, {"content": value}, None))
                elif kind == "error":
                    yield sse({"error": {"message": value, "type": "server_error"}})
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

    @app.post("/v1/moderations")
    async def moderations(request: Request) -> dict[str, Any]:
        if moderator is None:
            raise APIError(404, "no moderator is configured on this server")
        body = await _json(request)
        if not isinstance(body, dict) or "input" not in body:
            raise APIError(400, "'input' is required", param="input")
        items = body["input"] if isinstance(body["input"], list) else [body["input"]]
        if not items:
            raise APIError(400, "'input' must not be empty", param="input")
        prompts, responses = [], []
        for i, item in enumerate(items):
            if isinstance(item, str):
                prompts.append("")
                responses.append(item)
            elif (
                isinstance(item, dict)
                and isinstance(item.get("prompt"), str)
                and isinstance(item.get("response"), str)
            ):
                prompts.append(item["prompt"])
                responses.append(item["response"])
            else:
                raise APIError(
                    400,
                    "each input must be a string or a {'prompt', 'response'} object",
                    param=f"input[{i}]",
                )

        def judge() -> list:
            with moderator_lock:
                return moderator.predict(prompts, responses)

        verdicts = await run_in_threadpool(judge)
        results = []
        for verdict in verdicts:
            results.append(
                {
                    "flagged": verdict.flagged,
                    "categories": {c: c in verdict.flagged_categories for c in verdict.categories},
                    "category_scores": verdict.categories,
                    "beavertail": {"score": verdict.score, "threshold": moderator.threshold},
                }
            )
        return {
            "id": f"modr-{uuid.uuid4().hex[:24]}",
            "model": f"{model_name}-moderator",
            "results": results,
        }

    return app


def _usage(result: dict[str, Any]) -> dict[str, int]:
    prompt, completion = int(result["prompt_tokens"]), int(result["completion_tokens"])
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
