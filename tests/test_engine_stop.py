"""Stopping the serving engine answers every job it still holds (issue 40, item 11)."""

from __future__ import annotations

from beavertail.models.generation import SamplingParams
from beavertail.serve.engine import Engine
from beavertail.serve.guard import GuardStack
from beavertail.serve.jobs import ChatJob


def test_stop_fails_the_jobs_still_queued(smollm):
    engine = Engine(smollm, GuardStack(), max_batch_size=2, max_queue=4)
    events: list[list[tuple[str, object]]] = [[], []]
    for sink in events:
        job = ChatJob(
            [{"role": "user", "content": "Hi"}],
            SamplingParams(max_new_tokens=4),
            emit=lambda kind, value, sink=sink: sink.append((kind, value)),
        )
        engine.submit(job)  # never started: both wait in the queue
    assert engine.pending == 2
    engine.stop()
    for sink in events:
        assert [kind for kind, _ in sink] == ["error"]
        assert sink[0][1]["status"] == 503  # type: ignore[index]
    assert engine.pending == 0
