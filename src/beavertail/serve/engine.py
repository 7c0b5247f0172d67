"""The generation engine: one worker thread owns the models and serves a bounded queue.

Continuous batching: the worker decodes up to ``max_batch_size`` rows together, token by
token, and between any two steps it admits waiting requests (first come, first served) into
the rows that finished, were stopped by the monitor or whose client went away. Each request
gets its events (text deltas, then one result) through a callback, which the web layer turns
into SSE chunks. A request is admitted only while fewer than ``max_queue`` requests are
waiting or running; beyond that ``submit`` raises :class:`QueueFull` (HTTP 429), and a
request that needs more rows than a batch has raises :class:`RequestTooLarge` (HTTP 400).
With ``continuous=False`` new requests join only an empty batch (static batching, the
baseline of ``bench/serve.py``).

Every admitted job ends in exactly one terminal event, "done" or "error": a failure in one
request's screening, rendering, choosing or guided search answers that request with an error
and the worker goes on; a job still waiting or running at its deadline ends with a 504 error.
"""

from __future__ import annotations

import collections
import copy
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from beavertail.decoding.best_of_n import BestOfNConfig, SafeBestOfN
from beavertail.decoding.guided import GuidedGenerator
from beavertail.models.causal import LoadedLM, render_messages
from beavertail.models.generation import HookFactory, SamplingParams
from beavertail.models.streaming import BatchDecoder, DecodeRequest, TokenLogprob
from beavertail.monitor.stream import GuardedRows, MonitoredGeneration, StreamMonitor
from beavertail.preference.spec import Scorer

log = logging.getLogger("beavertail.serve")


class QueueFull(RuntimeError):
    """The engine already holds ``max_queue`` requests."""


class RequestTooLarge(ValueError):
    """A request needs more batch rows (``n`` choices, best-of-N candidates) than a batch has."""


class UnsupportedRequest(ValueError):
    """A request this engine cannot serve as asked (e.g. logprobs through the guard proxy)."""


TERMINAL = ("done", "error")
# With BEAVERTAIL_INJECT_FAULTS=1 (the soak test of bench/serve.py), a request whose prompt
# holds this marker fails inside the worker: the failure path is exercised under load.
FAULT_MARKER = "[[inject-fault]]"
INJECT_FAULTS = os.environ.get("BEAVERTAIL_INJECT_FAULTS") == "1"
DEADLINE_ERROR = {
    "status": 504,
    "message": "the request did not finish before its deadline",
    "type": "server_error",
    "code": "deadline_exceeded",
}


@dataclass
class ChatJob:
    """One chat completion request, as the engine sees it."""

    messages: list[dict[str, str]]
    sampling: SamplingParams
    n: int = 1  # choices; more than one are answered whole (not streamed)
    prompt_tokens: int | None = None  # counted once, by the web layer or on submit
    emit: Callable[[str, Any], None] = lambda kind, value: None  # ("delta", str) | ("done", dict)
    cancelled: threading.Event = field(default_factory=threading.Event)
    submitted: float = field(default_factory=time.perf_counter)
    timeout: float | None = None  # seconds from submission to the terminal event
    raw_prompt: str | None = None  # /v1/completions: this text is continued, no chat template
    logprobs: int | None = None  # None: none; k: each token's and the k most likely ones'
    ended: bool = False

    def __post_init__(self) -> None:
        """Let through one terminal event ("done" or "error") and nothing after it, so that
        however a failure unwinds, the client is answered exactly once."""
        sink = self.emit
        lock = threading.Lock()

        def emit_once(kind: str, value: Any) -> None:
            with lock:
                if self.ended:
                    return
                if kind in TERMINAL:
                    self.ended = True
            sink(kind, value)

        self.emit = emit_once  # type: ignore[method-assign]

    @property
    def deadline(self) -> float | None:
        return None if self.timeout is None else self.submitted + self.timeout

    def expired(self, now: float | None = None) -> bool:
        deadline = self.deadline
        return deadline is not None and (now or time.perf_counter()) >= deadline

    def fail(self, error: str | dict[str, Any]) -> None:
        """End the job with an error event (no-op when it already ended)."""
        self.emit("error", error)

    @property
    def conversation(self) -> str:
        """What input screening judges: the whole conversation, so a request split over
        turns (or planted in an earlier turn) is seen whole; a single message as it is."""
        if self.raw_prompt is not None:
            return self.raw_prompt
        if len(self.messages) == 1:
            return self.messages[0]["content"]
        return "\n".join(f"{m['role']}: {m['content']}" for m in self.messages)

    @property
    def prompt(self) -> str:
        """The last user message: what moderators and preference models judge."""
        if self.raw_prompt is not None:
            return self.raw_prompt
        for message in reversed(self.messages):
            if message["role"] == "user":
                return message["content"]
        return ""


class ChatEngine(Protocol):
    """What the web layer needs of an engine: the local :class:`Engine` and the proxy's
    :class:`~beavertail.serve.proxy.UpstreamEngine` both provide it."""

    max_queue: int

    @property
    def pending(self) -> int: ...  # requests admitted and not yet answered

    @property
    def active_rows(self) -> int: ...

    def start(self) -> None: ...
    def stop(self) -> None: ...

    def submit(self, job: ChatJob) -> None:
        """Queue a job (raises :class:`QueueFull` or :class:`RequestTooLarge`); it ends in
        exactly one "done" or "error" event."""

    def prompt_tokens(self, messages: list[dict[str, str]]) -> int: ...  # any thread
    def text_tokens(self, text: str) -> int: ...  # a raw prompt's tokens, any thread
    async def health(self) -> dict[str, Any]: ...  # "healthy": bool, and details


@dataclass
class Guards:
    """Everything the engine applies around the bare model (each part optional)."""

    hooks: HookFactory | None = None
    steerer: Any = None
    input_monitor: StreamMonitor | None = None  # judges (last user message, "") before decoding
    input_message: str = "I can't help with that request."
    monitor: StreamMonitor | None = None
    reward: Scorer | None = None
    cost: Scorer | None = None
    best_of_n: BestOfNConfig | None = None
    guided: GuidedGenerator | None = None  # answers one request at a time, whole


@dataclass
class _Running:
    """A job in the batch: its rows (one, or best-of-N's candidates) and what they produced."""

    job: ChatJob
    rows: int
    admitted: float
    route: dict[str, Any] | None = None
    results: dict[int, MonitoredGeneration] = field(default_factory=dict)
    logprobs: dict[int, list[TokenLogprob]] = field(default_factory=dict)


class Engine:
    def __init__(
        self,
        lm: LoadedLM,
        guards: Guards,
        max_batch_size: int = 8,
        max_queue: int = 64,
        continuous: bool = True,
    ):
        if guards.best_of_n is not None and guards.best_of_n.n > max_batch_size:
            raise ValueError(
                f"best_of_n.n is {guards.best_of_n.n} but a batch has {max_batch_size} rows: "
                "raise max_batch_size or lower n"
            )
        self.lm = lm
        self.guards = guards
        self.max_batch_size = max_batch_size
        self.max_queue = max_queue
        self.continuous = continuous
        # the web layer counts prompt tokens on its own copy: a fast tokenizer used from
        # two threads at once fails ("Already borrowed")
        self._counting_tokenizer = copy.deepcopy(lm.tokenizer)
        self._counting_lock = threading.Lock()
        self._waiting: collections.deque[ChatJob] = collections.deque()
        self._arrived = threading.Condition()
        self._admitted = 0
        self._running = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._thread: threading.Thread | None = None
        self._ids = itertools.count()
        self._jobs: dict[int, _Running] = {}
        self.steps = 0

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._running.set()
        self._thread = threading.Thread(target=self._work, name="beavertail-engine", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._running.clear()
        self._resume.set()
        with self._arrived:
            self._arrived.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def pause(self) -> None:
        """Hold the worker before its next step (requests still queue; for maintenance)."""
        self._resume.clear()

    def resume(self) -> None:
        self._resume.set()

    @property
    def pending(self) -> int:
        """Requests admitted and not finished (waiting or running)."""
        return self._admitted

    async def health(self) -> dict[str, Any]:
        """What ``/healthz`` reports beside the queue: the worker's state."""
        alive = self._thread is not None and self._thread.is_alive()
        return {"healthy": alive, "worker": "running" if alive else "stopped",
                "steps": self.steps, "active_rows": self.active_rows}  # fmt: skip

    @property
    def active_rows(self) -> int:
        """Rows in the batch now (read from other threads: a snapshot of the jobs)."""
        return sum(r.rows for r in list(self._jobs.values()))

    def rows_for(self, n: int) -> int:
        """Batch rows a request with ``n`` choices takes (best-of-N: its candidates)."""
        return self.guards.best_of_n.n if self.guards.best_of_n else n

    def submit(self, job: ChatJob) -> None:
        need = self.rows_for(job.n)
        if need > self.max_batch_size:
            raise RequestTooLarge(
                f"n is {job.n}: at most {self.max_batch_size} choices fit one batch"
            )
        if job.prompt_tokens is None:
            job.prompt_tokens = self.prompt_tokens(job.messages)
        with self._arrived:
            if self._admitted >= self.max_queue:
                raise QueueFull(f"the server is busy: {self._admitted} requests in flight")
            self._admitted += 1
            self._waiting.append(job)
            self._arrived.notify()

    def _release(self, count: int = 1) -> None:
        with self._arrived:
            self._admitted -= count

    # -- the worker ----------------------------------------------------------------------
    def _work(self) -> None:
        if self.guards.guided is not None:
            self._guided_loop(self.guards.guided)
            return
        while self._running.is_set():
            try:
                with BatchDecoder(self.lm, self.guards.hooks) as decoder:
                    guard = GuardedRows(self.lm.tokenizer, self.guards.monitor, self._deliver)
                    self._loop(decoder, guard)
            except Exception as error:  # a failed step answers its requests, never the loop
                log.exception("decoding failed")
                for running in self._jobs.values():
                    running.job.fail(f"generation failed: {type(error).__name__}")
                self._release(len(self._jobs))
                self._jobs.clear()

    def _loop(self, decoder: BatchDecoder, guard: GuardedRows) -> None:
        while self._running.is_set():
            self._resume.wait()
            if not self._jobs:
                with self._arrived:
                    if not self._waiting:
                        self._arrived.wait(timeout=0.1)
                        continue
            if self.continuous or not self._jobs:
                self._admit(decoder, guard)
            if not len(decoder):
                continue
            finished = decoder.step(lambda step, new: self._on_step(guard, step, new))
            self.steps += 1
            if finished:
                logprobs = {key: decoder.pop_logprobs(key) for key in finished}
                self._finish(guard.finish(finished), logprobs)
            self._expire_waiting()

    def _guided_loop(self, guided: GuidedGenerator) -> None:
        """Guided decoding forks one conversation's KV cache: requests are answered one at a
        time, whole (not streamed), then the monitor checks the answer."""
        while self._running.is_set():
            self._resume.wait()
            with self._arrived:
                if not self._waiting:
                    self._arrived.wait(timeout=0.1)
                    continue
                job = self._waiting.popleft()
            if job.cancelled.is_set() or job.expired():
                job.fail(DEADLINE_ERROR if job.expired() else "the client went away")
                self._release()
                continue
            try:
                screened = self._screen_inputs([job])
            except Exception as error:
                log.exception("input screening failed")
                job.fail(f"input screening failed: {type(error).__name__}")
                self._release()
                continue
            if not screened:
                continue
            running = _Running(job, 1, time.perf_counter())
            try:
                if job.n > 1:  # the app answers such requests with a 400 first
                    raise ValueError("n > 1 is not served with guided decoding")
                text = render_messages(self.lm.tokenizer, job.messages)
                answer, stats = guided.search(text, job.prompt, job.sampling)
                choice = judged_choice(
                    self.guards.monitor,
                    job.prompt,
                    answer.text,
                    answer.finish_reason,
                    answer.num_tokens,
                )
                job.emit("delta", choice["text"])
                guard = self._info(running) | choice["guard"] | {"guided": stats.to_dict()}
                job.emit(
                    "done",
                    {
                        "finish_reason": choice["finish_reason"],
                        "completion_tokens": answer.num_tokens,
                        "prompt_tokens": job.prompt_tokens,
                        "guard": guard,
                    },
                )
            except Exception as error:  # answer the request, keep serving
                log.exception("guided decoding failed")
                job.fail(f"generation failed: {type(error).__name__}")
            finally:
                self._release()

    def _admit(self, decoder: BatchDecoder, guard: GuardedRows) -> None:
        """Move waiting requests into free rows, first come first served (a best-of-N request
        waits until its n rows are free; nothing behind it overtakes it)."""
        free = self.max_batch_size - self.active_rows
        taken: list[ChatJob] = []
        with self._arrived:
            while self._waiting and free > 0:
                job = self._waiting[0]
                if job.cancelled.is_set() or job.expired():
                    self._waiting.popleft()
                    self._admitted -= 1
                    job.fail(DEADLINE_ERROR if job.expired() else "the client went away")
                    continue
                need = self.rows_for(job.n)
                if need > free:
                    break
                taken.append(self._waiting.popleft())
                free -= need
        try:
            taken = self._screen_inputs(taken)
        except Exception as error:
            log.exception("input screening failed")
            for job in taken:
                job.fail(f"input screening failed: {type(error).__name__}")
            self._release(len(taken))
            return
        items: list[tuple[Hashable, DecodeRequest]] = []
        began = time.perf_counter()
        for job in taken:
            try:
                text = job.raw_prompt
                if text is None:
                    text = render_messages(self.lm.tokenizer, job.messages)
                requests = self._requests(job, text)
            except Exception as error:
                log.exception("rendering the prompt failed")
                job.fail(f"rendering the prompt failed: {type(error).__name__}")
                self._release()
                continue
            job_id = next(self._ids)
            self._jobs[job_id] = _Running(job, len(requests), began)
            for k, request in enumerate(requests):
                items.append(((job_id, k), request))
                # candidates and n > 1 choices are not streamed; they are judged whole
                guard.add((job_id, k), job.prompt, watched=self._streamed(job))
        if not items:
            return
        decoder.add(items)
        routes = list(getattr(decoder.hook_state, "joined", None) or [])  # this prefill's
        if routes:
            for (job_id, k), route in zip([key for key, _ in items], routes, strict=False):
                if k == 0:
                    self._jobs[job_id].route = route.to_dict()

    def _streamed(self, job: ChatJob) -> bool:
        return self.guards.best_of_n is None and job.n == 1

    def _expire_waiting(self) -> None:
        """Answer waiting jobs whose deadline passed (running ones stop at their next step)."""
        now = time.perf_counter()
        with self._arrived:
            expired = [j for j in self._waiting if j.expired(now)]
            for job in expired:
                self._waiting.remove(job)
            self._admitted -= len(expired)
        for job in expired:
            job.fail(DEADLINE_ERROR)

    def _requests(self, job: ChatJob, text: str) -> list[DecodeRequest]:
        """One row per choice or best-of-N candidate, each with its own seed."""
        if INJECT_FAULTS and FAULT_MARKER in job.prompt:  # the soak test's injected failures
            raise RuntimeError("injected fault (BEAVERTAIL_INJECT_FAULTS)")
        c = self.guards.best_of_n
        sampling = {"temperature": c.temperature, "top_p": c.top_p} if c else {}
        return [
            DecodeRequest(
                text, job.sampling.updated(seed=job.sampling.seed + k, **sampling), job.logprobs
            )
            for k in range(self.rows_for(job.n))
        ]

    def _on_step(
        self, guard: GuardedRows, step: int, new: Mapping[Hashable, int]
    ) -> list[Hashable]:
        stop = guard.on_step(step, new)
        now = time.perf_counter()
        for key in new:
            job_id, _k = key
            job = self._jobs[job_id].job
            if job.cancelled.is_set() or job.expired(now):
                stop.append(key)  # the client went away, or the deadline passed: free its row
        return stop

    def _deliver(self, key: Hashable, delta: str) -> None:
        job_id, _k = key  # type: ignore[misc]
        self._jobs[job_id].job.emit("delta", delta)

    def _finish(
        self,
        results: Mapping[Hashable, MonitoredGeneration],
        logprobs: Mapping[Hashable, list[TokenLogprob] | None] | None = None,
    ) -> None:
        for (job_id, k), result in results.items():  # type: ignore[misc]
            running = self._jobs[job_id]
            running.results[k] = result
            if logprobs and logprobs.get((job_id, k)) is not None:
                running.logprobs[k] = logprobs[(job_id, k)]
            if len(running.results) < running.rows:
                continue
            del self._jobs[job_id]
            try:
                if running.job.expired():
                    running.job.fail(DEADLINE_ERROR)
                elif self.guards.best_of_n:
                    self._choose(running)
                elif running.job.n > 1:
                    self._choices(running)
                else:
                    self._done(running, result)
            except Exception as error:
                log.exception("finishing a request failed")
                running.job.fail(f"choosing the answer failed: {type(error).__name__}")
            finally:
                self._release()

    def _info(self, running: _Running) -> dict[str, Any]:
        now = time.perf_counter()
        info: dict[str, Any] = {
            "queued_seconds": round(running.admitted - running.job.submitted, 4),
            "seconds": round(now - running.admitted, 4),
        }
        if running.route is not None:
            info["route"] = running.route
        return info

    def _done(self, running: _Running, result: MonitoredGeneration) -> None:
        event = finished_event(
            result, self.guards.monitor, running.job.prompt_tokens, self._info(running)
        )
        if 0 in running.logprobs:
            event["logprobs"] = running.logprobs[0]
        running.job.emit("done", event)

    def _choices(self, running: _Running) -> None:
        """n > 1: every choice judged whole; a flagged one is replaced, as a stopped one."""
        job = running.job
        answers = [running.results[k] for k in range(running.rows)]
        monitor = self.guards.monitor
        choices = [
            judged_choice(monitor, job.prompt, a.text, a.finish_reason, a.num_tokens)
            for a in answers
        ]
        for k, choice in enumerate(choices):
            if k in running.logprobs:
                choice["logprobs"] = running.logprobs[k]
        job.emit(
            "done",
            {
                "choices": choices,
                "finish_reason": choices[0]["finish_reason"],
                "completion_tokens": sum(a.num_tokens for a in answers),
                "prompt_tokens": running.job.prompt_tokens,
                "guard": self._info(running),
            },
        )

    def _choose(self, running: _Running) -> None:
        """Best-of-N: choose among the candidates by reward and cost, then one final check."""
        job = running.job
        answers = [running.results[k] for k in range(running.rows)]
        pick, choice = choose_best(
            self.guards, job.prompt, [a.text for a in answers], [a.finish_reason for a in answers]
        )
        job.emit("delta", choice["text"])
        info = self._info(running) | choice["guard"]
        job.emit(
            "done",
            {
                "finish_reason": choice["finish_reason"],
                "completion_tokens": answers[pick].num_tokens,
                "prompt_tokens": running.job.prompt_tokens,
                "guard": info,
            },
        )

    def _screen_inputs(self, jobs: list[ChatJob]) -> list[ChatJob]:
        passed = screen_inputs(self.guards, jobs)
        self._release(len(jobs) - len(passed))
        return passed

    def prompt_tokens(self, messages: list[dict[str, str]]) -> int:
        """The conversation's length in tokens, as the model will read it (safe to call from
        any thread: it uses the engine's own copy of the tokenizer, under a lock)."""
        with self._counting_lock:
            return count_prompt_tokens(self._counting_tokenizer, messages)

    def text_tokens(self, text: str) -> int:
        """A raw prompt's length in tokens (``/v1/completions``); safe from any thread."""
        with self._counting_lock:
            return len(self._counting_tokenizer(text, add_special_tokens=False)["input_ids"])


def count_prompt_tokens(tokenizer: Any, messages: list[dict[str, str]]) -> int:
    """A conversation's length in ``tokenizer``'s tokens, rendered as the model reads it."""
    text = render_messages(tokenizer, messages)
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def finished_event(
    result: MonitoredGeneration,
    monitor: StreamMonitor | None,
    prompt_tokens: int | None,
    info: dict[str, Any],
    completion_tokens: int | None = None,
) -> dict[str, Any]:
    """The "done" event of a streamed, monitored answer (local rows and the proxy's):
    where and why it stopped, and how many checks it had."""
    guard = dict(info)
    if result.stop is not None:
        guard["stopped"] = result.stop.to_dict() | {"shown_tokens": result.shown_tokens}
    if monitor is not None:
        guard["checks"] = result.checks
    return {
        "finish_reason": result.finish_reason,
        "completion_tokens": result.num_tokens if completion_tokens is None else completion_tokens,
        "prompt_tokens": prompt_tokens,
        "guard": guard,
    }


def judged_choice(
    monitor: StreamMonitor | None, prompt: str, text: str, finish_reason: str, tokens: int = 0
) -> dict[str, Any]:
    """A whole answer after the monitor's check: shown as it is, or replaced when flagged."""
    guard: dict[str, Any] = {}
    if monitor is not None:
        decision = monitor.check([prompt], [text], [tokens])[0]
        if decision is not None:
            text, finish_reason = monitor.replacement(decision), "content_filter"
            guard["stopped"] = decision.to_dict() | {"shown_tokens": 0}
    return {"text": text, "finish_reason": finish_reason, "guard": guard}


def choose_best(
    guards: Guards, prompt: str, texts: list[str], finish_reasons: list[str]
) -> tuple[int, dict[str, Any]]:
    """Best-of-N over whole candidates (local rows or an upstream's ``n`` choices): the
    safe choice by reward and cost, then the monitor's check of the chosen answer."""
    assert guards.best_of_n and guards.reward is not None and guards.cost is not None
    rewards = guards.reward.scores([prompt] * len(texts), texts)
    costs = guards.cost.scores([prompt] * len(texts), texts)
    choice = SafeBestOfN.choose_from(rewards, costs, guards.best_of_n.cost_threshold)
    pick = choice.index
    judged = judged_choice(guards.monitor, prompt, texts[pick], finish_reasons[pick])
    judged["guard"]["best_of_n"] = choice.to_dict()
    return choice.index, judged


def screen_inputs(guards: Guards, jobs: list[ChatJob]) -> list[ChatJob]:
    """Input moderation over whole conversations: flagged requests are answered with the
    refusal message (``content_filter``) and left out of the returned list."""
    if guards.input_monitor is None or not jobs:
        return jobs
    decisions = guards.input_monitor.check(
        [j.conversation for j in jobs], [""] * len(jobs), [0] * len(jobs)
    )
    passed = []
    for job, decision in zip(jobs, decisions, strict=True):
        if decision is None:
            passed.append(job)
            continue
        job.emit("delta", guards.input_message)
        job.emit(
            "done",
            {
                "finish_reason": "content_filter",
                "completion_tokens": 0,
                "prompt_tokens": job.prompt_tokens,
                "guard": {
                    "input_flagged": True,
                    "score": decision.score,
                    "category": decision.category,
                },
            },
        )
    return passed
