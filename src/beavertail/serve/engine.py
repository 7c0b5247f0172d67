"""The generation engine: one worker thread owns the models and serves a bounded queue.

Requests wait in a queue; the worker takes up to ``max_batch_size`` of them at a time and
decodes them together token by token, so concurrent clients share each forward pass. Each
request gets its events (text deltas, then one result) through a callback, which the web layer
turns into SSE chunks. A request is admitted only while fewer than ``max_queue`` requests are
waiting or running; beyond that ``submit`` raises :class:`QueueFull` (HTTP 429).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from beavertail.decoding.best_of_n import BestOfNConfig, SafeBestOfN
from beavertail.models.causal import LoadedLM, render_messages
from beavertail.models.generation import HookFactory, SamplingParams
from beavertail.models.streaming import DecodeRequest
from beavertail.monitor.stream import StreamMonitor, guarded_decode
from beavertail.preference.spec import Scorer

log = logging.getLogger("beavertail.serve")


class QueueFull(RuntimeError):
    """The engine already holds ``max_queue`` requests."""


@dataclass
class ChatJob:
    """One chat completion request, as the engine sees it."""

    messages: list[dict[str, str]]
    sampling: SamplingParams
    emit: Callable[[str, Any], None] = lambda kind, value: None  # ("delta", str) | ("done", dict)
    cancelled: threading.Event = field(default_factory=threading.Event)

    @property
    def conversation(self) -> str:
        """What input screening judges: the whole conversation, so a request split over
        turns (or planted in an earlier turn) is seen whole; a single message as it is."""
        if len(self.messages) == 1:
            return self.messages[0]["content"]
        return "\n".join(f"{m['role']}: {m['content']}" for m in self.messages)

    @property
    def prompt(self) -> str:
        """The last user message: what moderators and preference models judge."""
        for message in reversed(self.messages):
            if message["role"] == "user":
                return message["content"]
        return ""


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


class Engine:
    def __init__(self, lm: LoadedLM, guards: Guards, max_batch_size: int = 8, max_queue: int = 64):
        self.lm = lm
        self.guards = guards
        self.max_batch_size = max_batch_size
        self.max_queue = max_queue
        self._queue: queue.Queue[ChatJob] = queue.Queue()
        self._admitted = 0
        self._lock = threading.Lock()
        self._running = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._thread: threading.Thread | None = None
        self.batches = 0
        self.completed = 0

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
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def pause(self) -> None:
        """Hold the worker before its next batch (requests still queue; for maintenance)."""
        self._resume.clear()

    def resume(self) -> None:
        self._resume.set()

    @property
    def pending(self) -> int:
        """Requests admitted and not finished (waiting or running)."""
        return self._admitted

    def submit(self, job: ChatJob) -> None:
        with self._lock:
            if self._admitted >= self.max_queue:
                raise QueueFull(f"the server is busy: {self._admitted} requests in flight")
            self._admitted += 1
        self._queue.put(job)

    # -- the worker ----------------------------------------------------------------------
    def _work(self) -> None:
        while self._running.is_set():
            try:
                first = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            self._resume.wait()
            jobs = [first]
            limit = 1 if self.guards.best_of_n else self.max_batch_size
            while len(jobs) < limit:
                try:
                    jobs.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._serve(jobs)
            except Exception as error:  # a failed batch answers its requests, never the loop
                log.exception("batch failed")
                for job in jobs:
                    job.emit("error", f"generation failed: {type(error).__name__}")
            finally:
                with self._lock:
                    self._admitted -= len(jobs)
                self.batches += 1
                self.completed += len(jobs)

    def _serve(self, jobs: list[ChatJob]) -> None:
        live = [job for job in jobs if not job.cancelled.is_set()]
        live = self._screen_inputs(live)
        if not live:
            return
        if self.guards.best_of_n:
            for job in live:
                self._best_of_n(job)
        else:
            self._decode(live)

    def _screen_inputs(self, jobs: list[ChatJob]) -> list[ChatJob]:
        g = self.guards
        if g.input_monitor is None or not jobs:
            return jobs
        decisions = g.input_monitor.check(
            [j.conversation for j in jobs], [""] * len(jobs), [0] * len(jobs)
        )
        passed = []
        for job, decision in zip(jobs, decisions, strict=True):
            if decision is None:
                passed.append(job)
                continue
            job.emit("delta", g.input_message)
            job.emit(
                "done",
                {
                    "finish_reason": "content_filter",
                    "completion_tokens": 0,
                    "prompt_tokens": self.prompt_tokens(job.messages),
                    "guard": {
                        "input_flagged": True,
                        "score": decision.score,
                        "category": decision.category,
                    },
                },
            )
        return passed

    def prompt_tokens(self, messages: list[dict[str, str]]) -> int:
        """The conversation's length in tokens, as the model will read it."""
        return self._count_tokens(render_messages(self.lm.tokenizer, messages))

    def _count_tokens(self, text: str) -> int:
        return len(self.lm.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _decode(self, jobs: list[ChatJob]) -> None:
        g = self.guards
        texts = [render_messages(self.lm.tokenizer, j.messages) for j in jobs]
        requests = [DecodeRequest(t, j.sampling) for t, j in zip(texts, jobs, strict=True)]
        began = time.perf_counter()
        results = guarded_decode(
            self.lm,
            requests,
            [j.prompt for j in jobs],
            g.monitor,
            g.hooks,
            on_delta=lambda row, delta: jobs[row].emit("delta", delta),
            cancelled=lambda: [i for i, j in enumerate(jobs) if j.cancelled.is_set()],
        )
        seconds = time.perf_counter() - began
        routes = list(getattr(g.steerer, "last_routes", []) or [])
        for index, (job, result) in enumerate(zip(jobs, results, strict=True)):
            info: dict[str, Any] = {"batch_size": len(jobs), "batch_seconds": round(seconds, 4)}
            if result.stop is not None:
                info["stopped"] = result.stop.to_dict() | {"shown_tokens": result.shown_tokens}
            if g.monitor is not None:
                info["checks"] = result.checks
            if index < len(routes):
                info["route"] = routes[index].to_dict()
            job.emit(
                "done",
                {
                    "finish_reason": result.finish_reason,
                    "completion_tokens": result.num_tokens,
                    "prompt_tokens": self._count_tokens(texts[index]),
                    "guard": info,
                },
            )

    def _best_of_n(self, job: ChatJob) -> None:
        """Sample n candidates in one batch, choose by reward and cost, then one final check."""
        g = self.guards
        assert g.best_of_n and g.reward is not None and g.cost is not None
        c = g.best_of_n
        text = render_messages(self.lm.tokenizer, job.messages)
        requests = [
            DecodeRequest(
                text,
                job.sampling.updated(
                    temperature=c.temperature, top_p=c.top_p, seed=job.sampling.seed + k
                ),
            )
            for k in range(c.n)
        ]
        answers = guarded_decode(self.lm, requests, [job.prompt] * c.n, hooks=g.hooks)
        rewards = g.reward.scores([job.prompt] * c.n, [a.text for a in answers])
        costs = g.cost.scores([job.prompt] * c.n, [a.text for a in answers])
        choice = SafeBestOfN.choose_from(rewards, costs, c.cost_threshold)
        chosen = answers[choice.index]
        info: dict[str, Any] = {"best_of_n": choice.to_dict()}
        text_out, reason = chosen.text, chosen.finish_reason
        if g.monitor is not None:
            decision = g.monitor.check([job.prompt], [chosen.text], [chosen.num_tokens])[0]
            if decision is not None:
                text_out, reason = g.monitor.replacement(decision), "content_filter"
                info["stopped"] = decision.to_dict() | {"shown_tokens": 0}
        job.emit("delta", text_out)
        job.emit(
            "done",
            {
                "finish_reason": reason,
                "completion_tokens": chosen.num_tokens,
                "prompt_tokens": self._count_tokens(text),
                "guard": info,
            },
        )
