"""The local engine's worker: one thread owns the model and serves a bounded queue.

Continuous batching: the worker decodes up to ``max_batch_size`` rows together, token by
token, and between any two steps it admits waiting requests (first come, first served) into
the rows that finished, were stopped by the monitor or whose client went away. Each request
gets its events (text deltas, then one result) through a callback, which the web layer turns
into SSE chunks. A request is admitted only while fewer than ``max_queue`` requests are
waiting or running; beyond that ``submit`` raises :class:`QueueFull` (HTTP 429), and a
request that needs more rows than a batch has raises :class:`RequestTooLarge` (HTTP 400).
With ``continuous=False`` new requests join only an empty batch (static batching, the
baseline of ``bench/serve.py``). Jobs and their events are :mod:`beavertail.serve.jobs`'s;
the guards around the model are :mod:`beavertail.serve.guard`'s (shared with the proxy).

Every admitted job ends in exactly one terminal event, "done" or "error": a failure in one
request's screening, rendering, choosing or guided search answers that request with an error
and the worker goes on; a job still waiting or running at its deadline ends with a 504 error,
and one whose client went away leaves the queue or its rows at once.
"""

from __future__ import annotations

import collections
import copy
import itertools
import logging
import threading
import time
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from beavertail.decoding.guided import GuidedGenerator
from beavertail.models.causal import LoadedLM, render_messages
from beavertail.models.streaming import BatchDecoder, DecodeRequest, TokenLogprob
from beavertail.moderation.unparsed import UnparsedVerdictError
from beavertail.monitor.stream import MonitoredGeneration, MonitoredRows
from beavertail.serve import jobs
from beavertail.serve.guard import (
    GuardStack,
    choose_best,
    finished_event,
    judged_choices,
    screen_inputs,
)
from beavertail.serve.jobs import (
    FAULT_MARKER,
    UNPARSED_ERROR,
    ChatJob,
    QueueFull,
    RequestTooLarge,
    count_prompt_tokens,
)

log = logging.getLogger("beavertail.serve")
SHUTDOWN_ERROR = {
    "status": 503,
    "message": "the server is shutting down",
    "type": "server_error",
    "code": "shutting_down",
}


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
    """The local engine: one worker thread decodes the batch (see the module docstring)."""

    def __init__(
        self,
        lm: LoadedLM,
        guards: GuardStack,
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
        """Stop the worker; every job still waiting or in the batch ends with a 503 error,
        so that no client waits for an answer that will never come."""
        self._running.clear()
        self._resume.set()
        with self._arrived:
            self._arrived.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        with self._arrived:
            left = [*self._waiting, *(running.job for running in self._jobs.values())]
            self._waiting.clear()
            self._jobs.clear()
            self._admitted -= len(left)
        for job in left:
            job.fail(SHUTDOWN_ERROR)

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
                f"n is {job.n}: at most {self.max_batch_size} choices fit one batch "
                "(max_batch_size)"
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
                    guard = MonitoredRows(self.lm.tokenizer, self.guards.monitor, self._deliver)
                    self._loop(decoder, guard)
            except Exception as error:  # a failed step answers its requests, never the loop
                log.exception("decoding failed")
                for running in self._jobs.values():
                    running.job.fail(f"generation failed: {type(error).__name__}")
                self._release(len(self._jobs))
                self._jobs.clear()

    def _loop(self, decoder: BatchDecoder, guard: MonitoredRows) -> None:
        while self._running.is_set():
            self._resume.wait()
            self._drop_waiting()
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

    def _guided_loop(self, guided: GuidedGenerator) -> None:
        """Guided decoding forks one conversation's KV cache: requests are answered one at a
        time, whole (not streamed), then the monitor checks the answer."""
        while self._running.is_set():
            self._resume.wait()
            self._drop_waiting()
            with self._arrived:
                if not self._waiting:
                    self._arrived.wait(timeout=0.1)
                    continue
                job = self._waiting.popleft()
            if (why := job.gone()) is not None:
                job.fail(why)
                self._release()
                continue
            if not self._screen_inputs([job]):
                continue
            running = _Running(job, 1, time.perf_counter())
            try:
                if job.n > 1:  # the app answers such requests with a 400 first
                    raise ValueError("n > 1 is not served with guided decoding")
                text = render_messages(self.lm.tokenizer, job.messages)
                answer, stats = guided.search(text, job.prompt, job.sampling)
                choice = judged_choices(
                    self.guards, job.prompt, [answer.text], [answer.finish_reason],
                    [answer.num_tokens],
                )[0]  # fmt: skip
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
            except UnparsedVerdictError:
                job.fail(UNPARSED_ERROR)
            except Exception as error:  # answer the request, keep serving
                log.exception("guided decoding failed")
                job.fail(f"generation failed: {type(error).__name__}")
            finally:
                self._release()

    def _admit(self, decoder: BatchDecoder, guard: MonitoredRows) -> None:
        """Move waiting requests into free rows, first come first served (a best-of-N request
        waits until its n rows are free; nothing behind it overtakes it)."""
        free = self.max_batch_size - self.active_rows
        taken: list[ChatJob] = []
        with self._arrived:
            while self._waiting and free > 0:
                job = self._waiting[0]
                if (why := job.gone()) is not None:
                    self._waiting.popleft()
                    self._admitted -= 1
                    job.fail(why)
                    continue
                need = self.rows_for(job.n)
                if need > free:
                    break
                taken.append(self._waiting.popleft())
                free -= need
        taken = self._screen_inputs(taken)
        items: list[tuple[tuple[int, int], DecodeRequest]] = []  # keys: (job id, choice)
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

    def _drop_waiting(self) -> None:
        """Answer waiting jobs whose deadline passed or whose client went away (running ones
        stop at their next step), so they hold no place in the queue."""
        now = time.perf_counter()
        with self._arrived:
            gone = [(j, why) for j in self._waiting if (why := j.gone(now)) is not None]
            for job, _ in gone:
                self._waiting.remove(job)
            self._admitted -= len(gone)
        for job, why in gone:
            job.fail(why)

    def _requests(self, job: ChatJob, text: str) -> list[DecodeRequest]:
        """One row per choice or best-of-N candidate, each with its own seed."""
        if jobs.INJECT_FAULTS and FAULT_MARKER in job.prompt:  # the soak test's failures
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
        self, guard: MonitoredRows, step: int, new: Mapping[Hashable, int]
    ) -> list[Hashable]:
        stop = guard.on_step(step, new)
        now = time.perf_counter()
        for key in new:
            job_id, _k = cast(tuple[int, int], key)
            if self._jobs[job_id].job.gone(now) is not None:
                stop.append(key)  # the client went away, or the deadline passed: free its row
        return stop

    def _deliver(self, key: Hashable, delta: str) -> None:
        job_id, _k = cast(tuple[int, int], key)
        self._jobs[job_id].job.emit("delta", delta)

    def _finish(
        self,
        results: Mapping[Hashable, MonitoredGeneration],
        logprobs: Mapping[Hashable, list[TokenLogprob] | None] | None = None,
    ) -> None:
        for key, result in results.items():
            job_id, k = cast(tuple[int, int], key)
            running = self._jobs[job_id]
            running.results[k] = result
            if logprobs and (chosen := logprobs.get(key)) is not None:
                running.logprobs[k] = chosen
            if len(running.results) < running.rows:
                continue
            del self._jobs[job_id]
            try:
                if (why := running.job.gone()) is not None:
                    running.job.fail(why)  # nothing left to choose or judge for anyone
                elif self.guards.best_of_n:
                    self._choose(running)
                elif running.job.n > 1:
                    self._choices(running)
                else:
                    self._done(running, result)
            except UnparsedVerdictError:
                running.job.fail(UNPARSED_ERROR)
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
            **running.job.notes,
        }
        if running.route is not None:
            info["route"] = running.route
        return info

    def _done(self, running: _Running, result: MonitoredGeneration) -> None:
        event = finished_event(self.guards, result, running.job.prompt_tokens, self._info(running))
        if 0 in running.logprobs:
            event["logprobs"] = running.logprobs[0]
        running.job.emit("done", event)

    def _choices(self, running: _Running) -> None:
        """n > 1: every choice judged whole; a flagged one is replaced, as a stopped one."""
        job = running.job
        answers = [running.results[k] for k in range(running.rows)]
        choices = judged_choices(
            self.guards,
            job.prompt,
            [a.text for a in answers],
            [a.finish_reason for a in answers],
            [a.num_tokens for a in answers],
        )
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

    def _screen_inputs(self, taken: list[ChatJob]) -> list[ChatJob]:
        """The jobs that pass input screening; the others are answered (refused, or failed
        with the screening's error) and leave the queue."""
        try:
            passed = screen_inputs(self.guards, taken)
        except Exception as error:
            log.exception("input screening failed")
            for job in taken:
                job.fail(f"input screening failed: {type(error).__name__}")
            passed = []
        self._release(len(taken) - len(passed))
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
