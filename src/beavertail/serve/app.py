"""The guarded OpenAI-compatible HTTP API (FastAPI).

Endpoints: ``POST /v1/chat/completions`` (``stream: true`` answers as server-sent events),
``POST /v1/moderations``, ``GET /v1/models``, ``GET /healthz``. Errors always have OpenAI's
shape ``{"error": {"message", "type", "param", "code"}}``; tracebacks stay in the server log.
Each response carries a ``beavertail`` field saying what the guards did (route, stop, ...).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from beavertail.serve.errors import APIError, validated
from beavertail.serve.jobs import ChatEngine
from beavertail.serve.protocol import (
    MAX_BODY_BYTES,
    ChatCompletionRequest,
    CompletionRequest,
    ModerationRequest,
)
from beavertail.serve.serving import (
    ChatLimits,
    ChatService,
    ModerationLimits,
    ModerationService,
)

log = logging.getLogger("beavertail.serve")


def _bearer_matches(header: str, api_key: str) -> bool:
    """``Authorization: Bearer <key>`` (scheme in any case), compared in constant time."""
    scheme, _, token = header.strip().partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(
        token.strip().encode(), api_key.encode()
    )


class BearerAuth:
    """``/v1/`` answers only with the API key (401 otherwise). A plain ASGI middleware: it
    leaves the request's ``receive`` alone, so a handler notices when its client goes away
    (Starlette's ``BaseHTTPMiddleware`` would hide the disconnect)."""

    def __init__(self, app: ASGIApp, api_key: str) -> None:
        self.app, self.api_key = app, api_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            header = Headers(scope=scope).get("authorization", "")
            if not _bearer_matches(header, self.api_key):
                response = APIError(
                    401,
                    "missing or wrong API key (send 'Authorization: Bearer <key>')",
                    "invalid_request_error",
                    code="invalid_api_key",
                ).response()
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(
    engine: ChatEngine,
    model_name: str,
    moderator: Any = None,
    api_key: str | None = None,
    max_tokens_limit: int = 512,
    default_max_tokens: int = 128,
    description: dict[str, Any] | None = None,
    max_prompt_tokens: int = 2048,
    request_timeout: float = 300.0,
    moderation_limits: ModerationLimits | None = None,
    expose_scores: bool = True,
) -> FastAPI:
    """The web app over a (not yet started) engine; the app starts and stops it."""
    created = int(time.time())
    limits = ChatLimits(max_tokens_limit, default_max_tokens, max_prompt_tokens, request_timeout,
                        guided="guided" in (description or {}),
                        expose_scores=expose_scores)  # fmt: skip
    chat_service = ChatService(engine, model_name, limits)
    moderation_service = ModerationService(moderator, model_name, moderation_limits,
                                           expose_scores)  # fmt: skip

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

    if api_key:
        app.add_middleware(BearerAuth, api_key=api_key)

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
        body = validated(ChatCompletionRequest, await _json(request))
        return await chat_service.answer(body, request.is_disconnected)

    @app.post("/v1/completions")
    async def completions(request: Request) -> Any:
        body = validated(CompletionRequest, await _json(request))
        return await chat_service.answer(body, request.is_disconnected)

    @app.post("/v1/moderations")
    async def moderations(request: Request) -> dict[str, Any]:
        items = validated(ModerationRequest, await _json(request)).items()
        return await moderation_service.answer(items, request.is_disconnected)

    return app
