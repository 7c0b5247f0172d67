"""Guard proxy: the same guards in front of any OpenAI-compatible server (vLLM, llama.cpp's
server, a hosted API, another ``beavertail serve``).

:class:`UpstreamEngine` keeps the engine contract of :class:`~beavertail.serve.engine.Engine`
(``submit`` a :class:`ChatJob`, events through its callback), so the web app is the same.
Input moderation runs before the upstream is asked; the answer is read from the upstream's
stream and judged by the streaming monitor every k tokens (counted with a local tokenizer),
with holdback, and the upstream stream is closed as soon as a row is stopped; ``n`` > 1 asks
the upstream for ``n`` choices and judges each whole, best-of-N asks for its ``n`` and chooses
among them (the guard path is :mod:`beavertail.serve.guard`, the local engine's too). A job
whose client went away, or whose deadline passed, closes its upstream request at once.
Responses show the upstream's URL without credentials or query. Upstream failures become
OpenAI-shaped errors (see :func:`_upstream_failure` and :func:`_failures`): unreachable 502,
timed out 504 (connecting, between chunks or reading a body), its own 4xx passed on except
401/403 (the proxy's credentials, not the client's: 502), its 5xx 502, a malformed body or
chunk 502, an error chunk or a stream that breaks off mid-way an error event; nothing hangs
(every read has a timeout, and every job its deadline).
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
from httpx_sse import EventSource
from pydantic import Field
from transformers import PreTrainedTokenizerBase

from beavertail.models.openai_client import OpenAIEndpoint
from beavertail.moderation.unparsed import UnparsedVerdictError
from beavertail.monitor.stream import MonitoredRows
from beavertail.serve.guard import (
    GuardStack,
    choose_best,
    finished_event,
    judged_choices,
    redact_url,
    screen_inputs,
)
from beavertail.serve.jobs import (
    UNPARSED_ERROR,
    ChatJob,
    QueueFull,
    RequestTooLarge,
    UnsupportedRequest,
    count_prompt_tokens,
)
from beavertail.settings import Settings

log = logging.getLogger("beavertail.serve")
CANCEL_POLL_SECONDS = 0.1  # how often a waiting request checks its deadline and its client
_CREDENTIALS = re.compile(r"//[^/@\s]+@")  # user:password@ in a URL


class UpstreamSettings(Settings):
    """The OpenAI-compatible server the proxy guards."""

    url: str = Field(description="Its base URL, e.g. http://127.0.0.1:8001/v1.")
    model: str | None = Field(
        None, description="The upstream model id; None: the first its /models lists."
    )
    api_key_env: str | None = Field(None, description="Send this variable as a bearer key.")
    timeout: float = Field(60.0, gt=0, description="Seconds to connect and between chunks.")

    def endpoint(self) -> OpenAIEndpoint:
        """The client configuration every OpenAI-compatible caller shares (key read from
        ``api_key_env`` now); the proxy never retries: a failure is the client's answer."""
        return OpenAIEndpoint.from_env(self.url, self.api_key_env, timeout=self.timeout,
                                       max_retries=0)  # fmt: skip


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
        guards: GuardStack,
        tokenizer: PreTrainedTokenizerBase,
        max_queue: int = 64,
        max_choices: int = 8,
    ) -> None:
        self.upstream = upstream
        self.endpoint = upstream.endpoint()
        self.guards = guards
        self.tokenizer = tokenizer  # the monitor's, used under the judge lock
        # the web layer counts prompt tokens on its own copy (a fast tokenizer used from two
        # threads at once fails with "Already borrowed")
        self._counting_tokenizer = copy.deepcopy(tokenizer)
        self._counting_lock = threading.Lock()
        self.model = upstream.model  # None: asked of the upstream on first use
        self.max_queue = max_queue
        self.max_choices = max_choices  # n per request: each choice is judged here
        self.shown_url = redact_url(upstream.url)  # what responses may say of the upstream
        self._admitted = 0
        self._lock = threading.Lock()
        self._judge_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._http: httpx.AsyncClient | None = None

    # -- the engine contract -------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._http = self.endpoint.async_http()
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
        upstream's count, used for the prompt length cap); safe from any thread."""
        with self._counting_lock:
            return count_prompt_tokens(self._counting_tokenizer, messages)

    async def health(self) -> dict[str, Any]:
        """Whether the upstream answers its model list within 5 seconds."""
        if self._loop is None or self._http is None:
            return {"healthy": False, "upstream": "not started"}
        url = self.endpoint.url_for("models")

        async def probe() -> httpx.Response:
            assert self._http is not None
            return await self._http.get(url, timeout=5.0)

        try:
            response = await asyncio.wrap_future(
                asyncio.run_coroutine_threadsafe(probe(), self._loop)
            )
        except (httpx.HTTPError, OSError) as error:
            return {"healthy": False, "upstream": f"unreachable: {type(error).__name__}"}
        if response.status_code != 200:
            return {"healthy": False, "upstream": f"HTTP {response.status_code}"}
        return {"healthy": True, "upstream": "ok"}

    def text_tokens(self, text: str) -> int:
        with self._counting_lock:
            return len(self._counting_tokenizer(text, add_special_tokens=False)["input_ids"])

    def submit(self, job: ChatJob) -> None:
        if job.raw_prompt is not None or job.logprobs is not None:
            raise UnsupportedRequest(
                "raw-prompt completions and logprobs are not served through the guard proxy; "
                "ask the upstream directly"
            )
        if job.n > self.max_choices:
            raise RequestTooLarge(
                f"n is {job.n}: at most {self.max_choices} choices per request (max_batch_size)"
            )
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
        answer = asyncio.ensure_future(self._answer(job))
        try:
            while True:  # the deadline, and a client that went away, end the request
                done, _ = await asyncio.wait({answer}, timeout=CANCEL_POLL_SECONDS)
                if done:
                    answer.result()
                    break
                if (why := job.gone()) is not None:
                    answer.cancel()  # closing the upstream request frees the upstream
                    job.fail(why)
                    break
        except UpstreamError as error:
            event = error.event()
            event["message"] = _CREDENTIALS.sub("//***@", event["message"].replace(
                self.upstream.url, self.shown_url))  # fmt: skip
            job.fail(event)
        except UnparsedVerdictError:
            job.fail(UNPARSED_ERROR)
        except Exception as error:  # one failed request answers itself, never the loop
            log.exception("proxying failed")
            job.fail(f"proxying failed: {type(error).__name__}")
        finally:
            if not answer.done():
                answer.cancel()
            if not job.ended:  # every admitted job ends in one terminal event
                job.fail(job.gone() or "the proxied answer ended without a result")
            with self._lock:
                self._admitted -= 1

    async def _answer(self, job: ChatJob) -> None:
        passed = await asyncio.to_thread(self._judged, screen_inputs, self.guards, [job])
        if passed:
            await self._resolve_model()
            if self.guards.best_of_n is not None:
                await self._best_of_n(job)
            elif job.n > 1:
                await self._choices(job)
            else:
                await self._stream(job)

    async def _resolve_model(self) -> None:
        """The upstream's model id, when the settings name none: the first it lists."""
        if self.model is not None:
            return
        assert self._http is not None
        with _failures("is unreachable"):
            response = await self._http.get(self.endpoint.url_for("models"))
        if response.status_code != 200:
            raise _upstream_failure(response.status_code, response.content)
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
        guard = MonitoredRows(self.tokenizer, self.guards.monitor,
                              lambda _key, delta: job.emit("delta", delta))  # fmt: skip
        guard.add(0, job.prompt)
        began = time.perf_counter()
        body = self._body(job, stream=True, stream_options={"include_usage": True})
        reason: str | None = None
        usage: dict[str, Any] = {}
        upstream_guard: dict[str, Any] = {}
        async with self._request(body) as response:
            async for chunk in _events(response):
                if job.cancelled.is_set():
                    return  # the client went away: closing the stream frees the upstream
                if isinstance(chunk.get("beavertail"), dict):  # another beavertail upstream
                    upstream_guard = chunk["beavertail"]
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
        info = {"upstream": self.shown_url, "seconds": round(time.perf_counter() - began, 4),
                **job.notes}  # fmt: skip
        if upstream_guard:
            info["upstream_guard"] = upstream_guard
            if result.stop is None and "stopped" in upstream_guard:  # the upstream stopped it
                info["stopped"] = upstream_guard["stopped"] | {"by": "upstream"}
        job.emit(
            "done",
            finished_event(
                self.guards,
                result,
                usage.get("prompt_tokens") or job.prompt_tokens,
                info,
                usage.get("completion_tokens", result.num_tokens),
            ),
        )

    async def _whole(
        self, job: ChatJob, n: int, **changes: Any
    ) -> tuple[list[str], list[str], dict[str, Any]]:
        """``n`` whole choices in one upstream request: their texts, finish reasons, usage."""
        body = self._body(job, n=n, stream=False, **changes)
        async with self._request(body) as response:
            with _failures("broke off while answering"):
                raw = await response.aread()
        try:
            payload = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise UpstreamError(502, "the upstream answered with malformed JSON") from None
        if not isinstance(payload, dict):
            raise UpstreamError(502, "the upstream answered with malformed JSON")
        choices = payload.get("choices") or []
        if not choices:
            raise UpstreamError(502, "the upstream answered without choices")
        texts = [(ch.get("message") or {}).get("content") or "" for ch in choices]
        reasons = [ch.get("finish_reason") or "stop" for ch in choices]
        return texts, reasons, payload.get("usage") or {}

    async def _choices(self, job: ChatJob) -> None:
        """``n`` > 1: the upstream's choices, each judged whole (as the local engine does)."""
        began = time.perf_counter()
        texts, reasons, usage = await self._whole(job, job.n)
        if len(texts) != job.n:
            raise UpstreamError(502, f"the upstream answered {len(texts)} of {job.n} choices")
        choices = await asyncio.to_thread(
            self._judged, judged_choices, self.guards, job.prompt, texts, reasons
        )
        job.emit(
            "done",
            {
                "choices": choices,
                "finish_reason": choices[0]["finish_reason"],
                "completion_tokens": usage.get("completion_tokens", 0),
                "prompt_tokens": usage.get("prompt_tokens") or job.prompt_tokens,
                "guard": {"upstream": self.shown_url,
                          "seconds": round(time.perf_counter() - began, 4), **job.notes},
            },
        )  # fmt: skip

    async def _best_of_n(self, job: ChatJob) -> None:
        """Ask the upstream for ``n`` choices in one request; choose by reward and cost."""
        assert self.guards.best_of_n is not None
        c = self.guards.best_of_n
        texts, reasons, usage = await self._whole(job, c.n, temperature=c.temperature,
                                                  top_p=c.top_p)  # fmt: skip
        _pick, chosen = await asyncio.to_thread(
            self._judged, choose_best, self.guards, job.prompt, texts, reasons
        )
        job.emit("delta", chosen["text"])
        job.emit(
            "done",
            {
                "finish_reason": chosen["finish_reason"],
                "completion_tokens": usage.get("completion_tokens", 0),
                "prompt_tokens": usage.get("prompt_tokens") or job.prompt_tokens,
                "guard": {"upstream": self.shown_url, **job.notes} | chosen["guard"],
            },
        )

    @asynccontextmanager
    async def _request(self, body: dict[str, Any]) -> AsyncIterator[httpx.Response]:
        """One upstream chat request: the response once it answered 200, or an
        :class:`UpstreamError` (unreachable, timed out, or the upstream's own error)."""
        assert self._http is not None
        url = self.endpoint.url_for("chat/completions")
        with _failures("is unreachable"):
            response = await self._http.send(
                self._http.build_request("POST", url, json=body), stream=True
            )
        try:
            if response.status_code != 200:
                with _failures("broke off while answering"):
                    raw = await response.aread()
                raise _upstream_failure(response.status_code, raw)
            yield response
        finally:
            await response.aclose()


def _upstream_failure(status: int, raw: bytes) -> UpstreamError:
    try:
        message = json.loads(raw)["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = raw[:300].decode("utf-8", "replace") or f"HTTP {status}"
    if status in (401, 403):  # the proxy's own key was refused: not the client's fault
        return UpstreamError(502, f"the upstream refused the proxy's credentials: {message}",
                             "upstream_auth")  # fmt: skip
    if 400 <= status < 500:  # the request's own fault: the client gets it as it is
        return UpstreamError(status, f"upstream: {message}", "upstream_rejected")
    return UpstreamError(502, f"the upstream failed with HTTP {status}: {message}")


async def _events(response: httpx.Response) -> Any:
    """The JSON chunks of a server-sent event stream (parsed by ``httpx-sse``), until
    ``[DONE]``; errors in the stream, a response that is not an event stream and reads that
    time out become :class:`UpstreamError`."""
    content_type = response.headers.get("content-type", "").partition(";")[0].strip()
    if content_type != "text/event-stream":
        raise UpstreamError(
            502, f"the upstream did not answer with an event stream (content type {content_type!r})"
        )
    with _failures("stream broke off"):
        async for event in EventSource(response).aiter_sse():
            if not event.data:  # a named event without data (a keep-alive)
                continue
            if event.data.strip() == "[DONE]":
                return
            try:
                chunk = json.loads(event.data)
            except ValueError:
                raise UpstreamError(502, "the upstream sent a malformed chunk") from None
            if not isinstance(chunk, dict):
                raise UpstreamError(502, "the upstream sent a malformed chunk")
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
