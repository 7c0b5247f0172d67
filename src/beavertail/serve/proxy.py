"""Guard proxy: the same guards in front of any OpenAI-compatible server (vLLM, llama.cpp's
server, a hosted API, another ``beavertail serve``).

:class:`UpstreamEngine` keeps the engine contract of :class:`~beavertail.serve.engine.Engine`
(``submit`` a :class:`ChatJob`, events through its callback), so the web app is the same.
Input moderation runs before the upstream is asked; the answer is read from the upstream's
stream and judged by the streaming monitor every k tokens (counted with a local tokenizer),
with holdback, and the upstream stream is closed as soon as a row is stopped; best-of-N asks
the upstream for ``n`` choices and chooses among them. Upstream failures become OpenAI-shaped
errors: unreachable 502, timed out 504, its own 4xx passed on, its 5xx as 502, a stream that
breaks off mid-way an error event; nothing hangs (every read has a timeout).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
from pydantic import Field
from transformers import PreTrainedTokenizerBase

from beavertail.models.causal import render_messages
from beavertail.monitor.stream import GuardedRows
from beavertail.serve.engine import (
    ChatJob,
    Guards,
    QueueFull,
    choose_best,
    finished_event,
    screen_inputs,
)
from beavertail.settings import Settings

log = logging.getLogger("beavertail.serve")


class UpstreamSettings(Settings):
    """The OpenAI-compatible server the proxy guards."""

    url: str = Field(description="Its base URL, e.g. http://127.0.0.1:8001/v1.")
    model: str | None = Field(
        None, description="The upstream model id; None: the first its /models lists."
    )
    api_key_env: str | None = Field(None, description="Send this variable as a bearer key.")
    timeout: float = Field(60.0, gt=0, description="Seconds to connect and between chunks.")


class UpstreamError(Exception):
    """An upstream failure, as the status and message the client gets."""

    def __init__(self, status: int, message: str, code: str = "upstream_error") -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code

    def event(self) -> dict[str, Any]:
        kind = "server_error" if self.status >= 500 else "invalid_request_error"
        return {"status": self.status, "message": self.message, "type": kind, "code": self.code}


class UpstreamEngine:
    """Serves chat jobs from an upstream server, with the guards applied here."""

    def __init__(
        self,
        upstream: UpstreamSettings,
        guards: Guards,
        tokenizer: PreTrainedTokenizerBase,
        max_queue: int = 64,
    ) -> None:
        self.upstream = upstream
        self.guards = guards
        self.tokenizer = tokenizer
        self.model = upstream.model  # None: asked of the upstream on first use
        self.max_queue = max_queue
        self._admitted = 0
        self._lock = threading.Lock()
        self._judge_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._http: httpx.AsyncClient | None = None
        self.steps = 0
        self.completed = 0

    # -- the engine contract -------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            key = os.environ.get(self.upstream.api_key_env) if self.upstream.api_key_env else None
            timeout = httpx.Timeout(self.upstream.timeout)
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            self._http = httpx.AsyncClient(timeout=timeout, headers=headers)
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="beavertail-proxy", daemon=True)
        self._thread.start()
        ready.wait()

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        assert self._http is not None
        asyncio.run_coroutine_threadsafe(self._http.aclose(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._thread = None

    @property
    def pending(self) -> int:
        return self._admitted

    @property
    def active_rows(self) -> int:
        return self._admitted

    def prompt_tokens(self, messages: list[dict[str, str]]) -> int:
        """The conversation's length in the local tokenizer's tokens (an estimate of the
        upstream's count, used for the prompt length cap)."""
        text = render_messages(self.tokenizer, messages)
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def submit(self, job: ChatJob) -> None:
        if job.prompt_tokens is None:
            job.prompt_tokens = self.prompt_tokens(job.messages)
        with self._lock:
            if self._admitted >= self.max_queue:
                raise QueueFull(f"the server is busy: {self._admitted} requests in flight")
            self._admitted += 1
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(self._serve(job), self._loop)

    # -- serving one job -----------------------------------------------------------------
    async def _serve(self, job: ChatJob) -> None:
        try:
            passed = await asyncio.to_thread(self._judged, screen_inputs, self.guards, [job])
            if passed:
                await self._resolve_model()
                if self.guards.best_of_n is not None:
                    await self._best_of_n(job)
                else:
                    await self._stream(job)
        except UpstreamError as error:
            job.emit("error", error.event())
        except Exception as error:  # one failed request answers itself, never the loop
            log.exception("proxying failed")
            job.emit("error", f"proxying failed: {type(error).__name__}")
        finally:
            with self._lock:
                self._admitted -= 1
            self.completed += 1

    async def _resolve_model(self) -> None:
        """The upstream's model id, when the settings name none: the first it lists."""
        if self.model is not None:
            return
        assert self._http is not None
        with _failures("is unreachable"):
            response = await self._http.get(self.upstream.url.rstrip("/") + "/models")
        try:
            self.model = response.json()["data"][0]["id"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise UpstreamError(502, "the upstream lists no model; set upstream.model") from None

    def _judged(self, function: Any, *args: Any) -> Any:
        """Moderators run one call at a time (they are not thread-safe)."""
        with self._judge_lock:
            return function(*args)

    def _body(self, job: ChatJob, **changes: Any) -> dict[str, Any]:
        s = job.sampling
        return {
            "model": self.model,
            "messages": job.messages,
            "max_tokens": s.max_new_tokens,
            "temperature": s.temperature,
            "top_p": s.top_p,
            "seed": s.seed,
        } | changes

    async def _stream(self, job: ChatJob) -> None:
        assert self._http is not None
        guard = GuardedRows(self.tokenizer, self.guards.monitor,
                            lambda _key, delta: job.emit("delta", delta))  # fmt: skip
        guard.add(0, job.prompt)
        began = time.perf_counter()
        body = self._body(job, stream=True, stream_options={"include_usage": True})
        reason: str | None = None
        usage: dict[str, Any] = {}
        async with self._request(body) as response:
            async for chunk in _events(response):
                if job.cancelled.is_set():
                    return  # the client went away: closing the stream frees the upstream
                for choice in chunk.get("choices") or []:
                    delta = (choice.get("delta") or {}).get("content") or ""
                    if delta and await asyncio.to_thread(self._judged, guard.on_text, 0, delta):
                        reason = "stopped"
                        break
                    if choice.get("finish_reason"):
                        reason = choice["finish_reason"]
                usage = chunk.get("usage") or usage
                if reason == "stopped":
                    break  # leaving the block closes the upstream stream
        if reason is None:
            raise UpstreamError(502, "the upstream stream ended without a finish reason")
        result = (await asyncio.to_thread(self._judged, guard.finish, {0: reason}))[0]
        info = {"upstream": self.upstream.url, "seconds": round(time.perf_counter() - began, 4)}
        job.emit(
            "done",
            finished_event(
                result,
                self.guards.monitor,
                usage.get("prompt_tokens") or job.prompt_tokens,
                info,
                usage.get("completion_tokens", result.num_tokens),
            ),
        )

    async def _best_of_n(self, job: ChatJob) -> None:
        """Ask the upstream for ``n`` choices in one request; choose by reward and cost."""
        assert self._http is not None and self.guards.best_of_n is not None
        c = self.guards.best_of_n
        body = self._body(job, n=c.n, temperature=c.temperature, top_p=c.top_p, stream=False)
        async with self._request(body) as response:
            payload = json.loads(await response.aread())
        choices = payload.get("choices") or []
        if not choices:
            raise UpstreamError(502, "the upstream answered without choices")
        texts = [(ch.get("message") or {}).get("content") or "" for ch in choices]
        reasons = [ch.get("finish_reason") or "stop" for ch in choices]
        _pick, chosen = await asyncio.to_thread(
            self._judged, choose_best, self.guards, job.prompt, texts, reasons
        )
        usage = payload.get("usage") or {}
        job.emit("delta", chosen["text"])
        job.emit(
            "done",
            {
                "finish_reason": chosen["finish_reason"],
                "completion_tokens": usage.get("completion_tokens", 0),
                "prompt_tokens": usage.get("prompt_tokens") or job.prompt_tokens,
                "guard": {"upstream": self.upstream.url} | chosen["guard"],
            },
        )

    @asynccontextmanager
    async def _request(self, body: dict[str, Any]) -> AsyncIterator[httpx.Response]:
        """One upstream chat request: the response once it answered 200, or an
        :class:`UpstreamError` (unreachable, timed out, or the upstream's own error)."""
        assert self._http is not None
        url = self.upstream.url.rstrip("/") + "/chat/completions"
        with _failures("is unreachable"):
            response = await self._http.send(
                self._http.build_request("POST", url, json=body), stream=True
            )
        try:
            if response.status_code != 200:
                raise _upstream_failure(response.status_code, await response.aread())
            yield response
        finally:
            await response.aclose()


def _upstream_failure(status: int, raw: bytes) -> UpstreamError:
    try:
        message = json.loads(raw)["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = raw[:300].decode("utf-8", "replace") or f"HTTP {status}"
    if 400 <= status < 500:  # the request's own fault: the client gets it as it is
        return UpstreamError(status, f"upstream: {message}", "upstream_rejected")
    return UpstreamError(502, f"the upstream failed with HTTP {status}: {message}")


async def _events(response: httpx.Response) -> Any:
    """The JSON chunks of a server-sent event stream, until ``[DONE]``; errors in the stream
    and reads that time out become :class:`UpstreamError`."""
    with _failures("stream broke off"):
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return
            chunk = json.loads(data)
            if "error" in chunk:
                message = (chunk["error"] or {}).get("message", "error")
                raise UpstreamError(502, f"the upstream failed mid-stream: {message}")
            yield chunk
    raise UpstreamError(502, "the upstream stream ended without [DONE]")


@contextmanager
def _failures(what: str) -> Iterator[None]:
    """httpx failures as :class:`UpstreamError`: a timeout (connecting or between chunks)
    is a 504, any other transport failure a 502 ("the upstream <what>")."""
    try:
        yield
    except httpx.TimeoutException as error:
        raise UpstreamError(504, f"the upstream timed out: {error!r}", "upstream_timeout") from None
    except httpx.TransportError as error:
        raise UpstreamError(502, f"the upstream {what}: {error}") from error
