"""Reliability v2: every admitted request ends in exactly one event, whatever fails; proxy
statuses; request bodies; the tokenizer under two threads."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from beavertail.decoding.best_of_n import BestOfNConfig
from beavertail.models.generation import SamplingParams
from beavertail.serve import ChatJob, ServeConfig, build_app, serve_in_thread
from beavertail.serve import engine as engine_module
from beavertail.serve.engine import Engine
from beavertail.serve.guard import GuardStack
from beavertail.serve.jobs import RequestTooLarge

SAMPLING = SamplingParams(max_new_tokens=4)


class Collector:
    """A job's events; ``wait`` returns its terminal event (or fails after a timeout)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.ended = threading.Event()

    def __call__(self, kind: str, value: Any) -> None:
        self.events.append((kind, value))
        if kind in ("done", "error"):
            self.ended.set()

    def wait(self, seconds: float = 60) -> tuple[str, Any]:
        assert self.ended.wait(seconds), f"no terminal event; got {self.events}"
        time.sleep(0.05)  # a second terminal event would have arrived by now
        terminal = [e for e in self.events if e[0] in ("done", "error")]
        assert len(terminal) == 1, terminal
        return terminal[0]


def _job(
    text: str = "Say hi.", n: int = 1, timeout: float | None = None
) -> tuple[ChatJob, Collector]:
    sink = Collector()
    job = ChatJob([{"role": "user", "content": text}], SAMPLING, n=n, emit=sink, timeout=timeout)
    return job, sink


@contextmanager
def running(engine: Engine) -> Iterator[Engine]:
    engine.start()
    try:
        yield engine
    finally:
        engine.stop()


class Raises:
    """A stand-in for a guard that fails when used."""

    def __init__(self, error: type[Exception] = RuntimeError) -> None:
        self.error = error

    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise self.error(f"injected fault in {name}")

        return fail


def test_a_request_wider_than_a_batch_is_refused_not_queued_forever(smollm):
    engine = Engine(smollm, GuardStack(), max_batch_size=2)
    with running(engine):
        job, _ = _job(n=3)
        with pytest.raises(RequestTooLarge, match="at most 2"):
            engine.submit(job)
        behind, sink = _job()  # nothing is stuck in front of the next request
        engine.submit(behind)
        assert sink.wait()[0] == "done" and engine.pending == 0
    with pytest.raises(ValueError, match="best_of_n"):
        Engine(smollm, GuardStack(best_of_n=BestOfNConfig(n=4)), max_batch_size=2)
    with pytest.raises(ValueError, match="must fit one batch"):
        ServeConfig.parse({"max_batch_size": 2, "best_of_n": {"n": 4, "reward_model": "r",
                                                             "cost_model": "c"}})  # fmt: skip


@pytest.mark.parametrize("step", ["screening", "rendering", "choosing", "choices"])
def test_a_fault_at_any_step_answers_that_request_and_the_worker_goes_on(smollm, monkeypatch, step):
    guards = GuardStack()
    n = 1
    if step == "screening":
        guards.input_judge = Raises()
    elif step == "rendering":
        real = engine_module.render_messages

        def render(tokenizer, messages):  # type: ignore[no-untyped-def]
            if "FAULT" in messages[-1]["content"]:
                raise RuntimeError("injected fault in rendering")
            return real(tokenizer, messages)

        monkeypatch.setattr(engine_module, "render_messages", render)
    elif step == "choosing":
        guards.best_of_n = BestOfNConfig(n=2)
        guards.reward = Raises()  # type: ignore[assignment]
        guards.cost = Raises()  # type: ignore[assignment]
    else:
        n = 2
        guards.monitor = Raises()  # type: ignore[assignment]
    engine = Engine(smollm, guards, max_batch_size=4)
    with running(engine):
        job, sink = _job("FAULT: say hi.", n=n)
        job.prompt_tokens = 8  # counted by the web layer
        engine.submit(job)
        assert sink.wait()[0] == "error"
        assert engine.pending == 0
        if step == "rendering":  # a fault confined to one request: the next one is served
            other, other_sink = _job("Say hi.")
            engine.submit(other)
            assert other_sink.wait()[0] == "done"
        assert engine._thread is not None and engine._thread.is_alive()


def test_the_guided_worker_survives_a_failing_search_and_screening(smollm):
    guards = GuardStack(guided=Raises())  # type: ignore[arg-type]
    engine = Engine(smollm, guards)
    with running(engine):
        for _ in range(2):
            job, sink = _job()
            engine.submit(job)
            assert sink.wait()[0] == "error"
        guards.input_judge = Raises()
        job, sink = _job()
        engine.submit(job)
        assert sink.wait()[0] == "error"
        assert engine._thread is not None and engine._thread.is_alive() and engine.pending == 0


def test_requests_end_at_their_deadline_waiting_or_running(smollm):
    engine = Engine(smollm, GuardStack(), max_batch_size=1)
    with running(engine):
        engine.pause()
        waiting, sink = _job(timeout=0.2)
        engine.submit(waiting)
        time.sleep(0.4)
        engine.resume()
        kind, value = sink.wait()
        assert kind == "error" and value["status"] == 504
        # the same greedy answer, first without a deadline (to time it), then with a quarter
        # of that time: the second must end while it is being generated
        messages = [{"role": "user", "content": "Count to 500."}]
        unbounded = Collector()
        began = time.monotonic()
        engine.submit(ChatJob(messages, SamplingParams(max_new_tokens=120), emit=unbounded))
        assert unbounded.wait()[0] == "done"
        full_time = time.monotonic() - began
        bounded = Collector()
        began = time.monotonic()
        engine.submit(ChatJob(messages, SamplingParams(max_new_tokens=120), emit=bounded,
                              timeout=full_time / 4))  # fmt: skip
        kind, value = bounded.wait()
        assert kind == "error" and value["code"] == "deadline_exceeded"
        assert time.monotonic() - began < full_time and engine.pending == 0


def test_one_terminal_event_per_job_even_if_code_emits_twice():
    sink = Collector()
    job = ChatJob([{"role": "user", "content": "x"}], SAMPLING, emit=sink)
    job.emit("delta", "a")
    job.emit("done", {})
    job.fail("late failure")
    job.emit("delta", "b")
    assert [k for k, _ in sink.events] == ["delta", "done"]


def test_counting_prompt_tokens_is_safe_while_the_worker_tokenizes(smollm):
    """The web thread counts prompt tokens while the worker pads batches: with one shared
    fast tokenizer this fails with 'Already borrowed'."""
    engine = Engine(smollm, GuardStack())
    assert engine._counting_tokenizer is not smollm.tokenizer
    stop, errors = threading.Event(), []
    texts = ["a fairly long prompt " * k for k in range(1, 40)]

    def worker_side() -> None:
        while not stop.is_set():
            try:
                smollm.tokenizer(texts, padding=True, truncation=True, max_length=64)
            except Exception as error:
                errors.append(error)

    thread = threading.Thread(target=worker_side)
    thread.start()
    try:
        for k in range(400):
            engine.prompt_tokens([{"role": "user", "content": texts[k % len(texts)]}])
    except Exception as error:
        errors.append(error)
    finally:
        stop.set()
        thread.join()
    assert not errors


# -- HTTP: bodies, statuses -------------------------------------------------------------
@pytest.fixture(scope="module")
def small_server(smollm):
    config = ServeConfig.parse({"moderations_model": None, "default_max_tokens": 4,
                                "max_batch_size": 2, "request_timeout": 30})  # fmt: skip
    with serve_in_thread(build_app(config, lm=smollm)) as url:
        yield url


def test_a_chunked_body_is_refused_while_it_is_read(small_server):
    sent = {"bytes": 0}

    def body() -> Iterator[bytes]:
        for _ in range(64):  # 4 MiB in all, without a Content-Length
            sent["bytes"] += 1 << 16
            yield b" " * (1 << 16)

    response = httpx.post(f"{small_server}/v1/chat/completions", content=body(), timeout=60,
                          headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 413


def test_n_wider_than_the_batch_is_a_400_naming_the_limit(small_server):
    response = httpx.post(f"{small_server}/v1/chat/completions", timeout=60, json={
        "messages": [{"role": "user", "content": "hi"}], "n": 3})  # fmt: skip
    assert response.status_code == 400 and "at most 2" in response.json()["error"]["message"]
    assert response.json()["error"]["param"] == "n"


CLOSED_EARLY: list[str] = []  # the fake upstream's answers whose reader hung up mid-way


def _fake_upstream() -> FastAPI:
    """An OpenAI-compatible server that fails in the way its URL names."""
    app = FastAPI()

    def chunk(content: str | None = None, finish: str | None = None, **extra: Any) -> str:
        delta = {"content": content} if content is not None else {}
        body = {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(body)}\n\n"

    @app.get("/{mode}/v1/models")
    async def models(mode: str) -> Any:
        if mode == "down":
            return JSONResponse({"error": {"message": "down"}}, status_code=503)
        return {"data": [{"id": "fake"}]}

    @app.post("/{mode}/v1/chat/completions")
    async def chat(mode: str, request: Request) -> Any:
        body = await request.json()
        if mode in ("e500", "down"):
            return JSONResponse({"error": {"message": "boom"}}, status_code=500)
        if mode == "e401":
            return JSONResponse({"error": {"message": "bad key"}}, status_code=401)
        if mode == "e422":
            return JSONResponse({"error": {"message": "max_tokens too large"}}, status_code=422)
        if mode == "badjson" and not body.get("stream"):
            return StreamingResponse(iter([b"{not json"]), media_type="application/json")

        async def stream() -> Any:
            if mode == "stallbody":
                try:
                    await asyncio.sleep(30)
                except asyncio.CancelledError:
                    CLOSED_EARLY.append(mode)
                    raise
            yield chunk("Hello")
            if mode == "errorchunk":
                yield f"data: {json.dumps({'error': {'message': 'overloaded'}})}\n\n"
                return
            if mode == "badjson":
                yield "data: {not json\n\n"
                return
            if mode == "stopped":
                guard = {"stopped": {"token_index": 3, "score": 0.9, "category": "violence"}}
                yield chunk(None, "content_filter", beavertail=guard)
                yield "data: [DONE]\n\n"
                return
            yield chunk(" world", "stop")
            yield "data: [DONE]\n\n"

        if not body.get("stream"):
            if mode == "stallbody":
                return StreamingResponse(stream(), media_type="application/json")
            choice = {"message": {"content": "Hello"}, "finish_reason": "stop"}
            return {"choices": [choice | {"index": i} for i in range(body.get("n", 1))]}
        return StreamingResponse(stream(), media_type="text/event-stream")

    return app


@pytest.fixture(scope="module")
def fake_upstream() -> Iterator[str]:
    with serve_in_thread(_fake_upstream()) as url:
        yield url


def _proxy(upstream: str, mode: str, **extra: Any) -> Any:
    raw = {"upstream": {"url": f"{upstream}/{mode}/v1", "timeout": 2, "model": "fake"},
           "moderations_model": None} | extra  # fmt: skip
    return build_app(ServeConfig.parse(raw))


@pytest.mark.parametrize(
    ("mode", "stream", "status"),
    [
        ("e500", False, 502),
        ("e500", True, 502),
        ("e401", False, 502),  # the proxy's key was refused: not the client's fault
        ("e422", False, 422),  # the request's own fault: passed on
        ("stallbody", False, 504),
        ("badjson", True, 200),  # streamed: an error event, then [DONE]
        ("errorchunk", True, 200),
    ],
)
def test_proxy_failures_get_the_promised_status(fake_upstream, mode, stream, status):
    with serve_in_thread(_proxy(fake_upstream, mode)) as url:
        response = httpx.post(f"{url}/v1/chat/completions", timeout=60, json={
            "messages": [{"role": "user", "content": "hi"}], "stream": stream})  # fmt: skip
    assert response.status_code == status, response.text
    if stream and status == 200:
        lines = [line for line in response.text.splitlines() if line.startswith("data: ")]
        assert lines[-1] == "data: [DONE]"
        errors = [json.loads(x[6:])["error"] for x in lines[:-1] if '"error"' in x]
        assert errors and errors[0]["type"] == "server_error"
    else:
        assert response.json()["error"]["type"] in ("server_error", "invalid_request_error")


def test_a_failed_best_of_n_request_is_a_502(fake_upstream, tmp_path, data_dir):
    from beavertail.data.catalog import pku_pairs
    from beavertail.preference import PreferenceTrainingConfig, ScoreModelSpec, train_score_model

    reward, cost = tmp_path / "reward", tmp_path / "cost"
    pairs = list(pku_pairs("train", data_dir))[:80]
    for folder, kind in ((reward, "reward"), (cost, "cost")):
        config = PreferenceTrainingConfig(spec=ScoreModelSpec(kind=kind), epochs=1)
        train_score_model(pairs, config, folder, progress=False)
    best = {"n": 2, "reward_model": str(reward), "cost_model": str(cost)}
    for mode, status in (("e500", 502), ("badjson", 502), ("ok", 200)):
        with serve_in_thread(_proxy(fake_upstream, mode, best_of_n=best)) as url:
            response = httpx.post(f"{url}/v1/chat/completions", timeout=60, json={
                "messages": [{"role": "user", "content": "hi"}]})  # fmt: skip
        assert response.status_code == status, (mode, response.text)


def test_the_proxy_passes_on_the_upstreams_stop_and_reports_its_health(fake_upstream):
    with serve_in_thread(_proxy(fake_upstream, "stopped")) as url:
        response = httpx.post(f"{url}/v1/chat/completions", timeout=60, json={
            "messages": [{"role": "user", "content": "hi"}], "stream": True})  # fmt: skip
        lines = [json.loads(x[6:]) for x in response.text.splitlines()
                 if x.startswith("data: {")]  # fmt: skip
        final = next(c for c in lines if c.get("choices") and c["choices"][0]["finish_reason"])
        assert final["choices"][0]["finish_reason"] == "content_filter"
        assert final["beavertail"]["stopped"]["category"] == "violence"
        assert final["beavertail"]["stopped"]["by"] == "upstream"
        health = httpx.get(f"{url}/healthz")
        assert health.status_code == 200 and health.json()["upstream"] == "ok"
    with serve_in_thread(_proxy(fake_upstream, "down")) as url:
        health = httpx.get(f"{url}/healthz")
        assert health.status_code == 503 and health.json()["status"] == "degraded"


def test_the_proxy_answers_n_choices_each_judged_whole(fake_upstream):
    with serve_in_thread(_proxy(fake_upstream, "ok", max_batch_size=4)) as url:
        body = {"messages": [{"role": "user", "content": "hi"}]}
        three = httpx.post(f"{url}/v1/chat/completions", timeout=60, json=body | {"n": 3})
        wide = httpx.post(f"{url}/v1/chat/completions", timeout=60, json=body | {"n": 5})
    assert three.status_code == 200, three.text
    assert [c["index"] for c in three.json()["choices"]] == [0, 1, 2]
    assert all(c["message"]["content"] == "Hello" for c in three.json()["choices"])
    assert wide.status_code == 400 and "at most 4" in wide.json()["error"]["message"]


@pytest.mark.parametrize("n", [1, 2])
def test_a_client_that_goes_away_frees_the_proxys_upstream_request(fake_upstream, n):
    """A whole answer (n = 2) or a stream that has not sent anything yet (n = 1): the
    upstream request is closed once the client hangs up, not when the upstream answers."""
    CLOSED_EARLY.clear()
    settings = {"upstream": {"url": f"{fake_upstream}/stallbody/v1", "model": "fake",
                             "timeout": 60}, "moderations_model": None}  # fmt: skip
    app = build_app(ServeConfig.parse(settings))
    engine = app.state.engine
    with serve_in_thread(app) as url:
        body = {"messages": [{"role": "user", "content": "hi"}], "n": n, "stream": n == 1}
        with pytest.raises(httpx.TimeoutException):
            httpx.post(f"{url}/v1/chat/completions", json=body, timeout=1.0)
        deadline = time.monotonic() + 10
        while (engine.pending or not CLOSED_EARLY) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert engine.pending == 0 and CLOSED_EARLY == ["stallbody"]


def test_the_upstream_url_is_redacted_everywhere(monkeypatch):
    with serve_in_thread(_fake_upstream()) as fake:
        secret = fake.replace("http://", "http://user:s3cret@") + "/ok/v1?key=s3cret"
        config = {"upstream": {"url": secret, "model": "fake", "timeout": 5},
                  "moderations_model": None}  # fmt: skip
        with serve_in_thread(build_app(ServeConfig.parse(config))) as url:
            body = {"messages": [{"role": "user", "content": "hi"}]}
            seen = [httpx.get(f"{url}/v1/models").text]
            for extra in ({}, {"stream": True}, {"n": 2}):
                seen.append(httpx.post(f"{url}/v1/chat/completions", json=body | extra,
                                       timeout=60).text)  # fmt: skip
        dead = {"upstream": {"url": "http://user:s3cret@127.0.0.1:9/v1", "model": "m"},
                "moderations_model": None}  # fmt: skip
        with serve_in_thread(build_app(ServeConfig.parse(dead))) as url:
            seen.append(httpx.post(f"{url}/v1/chat/completions", json=body, timeout=60).text)
    assert all("s3cret" not in text for text in seen), seen
    assert "127.0.0.1" in seen[0]  # still says where, without the secret


# -- runs and judges ----------------------------------------------------------------------
def test_a_complete_run_is_not_reused_under_a_retrained_judge(
    tmp_path, small_moderator_dir, prefix_moderator_dir
):
    import shutil

    from beavertail.evaluate import EvalConfig, run_eval
    from beavertail.evaluate.runfile import RunFileError, RunWriter

    judge = tmp_path / "judge"
    shutil.copytree(small_moderator_dir, judge)
    prompts = tmp_path / "p.jsonl"
    prompts.write_text('{"prompt": "Name a fruit."}\n')
    config = EvalConfig(name="r", prompts=[f"{prompts}:harmless"], judge=str(judge),
                        sampling={"max_new_tokens": 4}, fluency=False)  # fmt: skip
    out = tmp_path / "run.jsonl"
    run_eval(config, out, progress=False)
    assert run_eval(config, out, progress=False) == out  # complete, same judge: reused
    shutil.rmtree(judge)
    shutil.copytree(prefix_moderator_dir, judge)  # "retrained" in place: same reference
    with pytest.raises(RunFileError, match="judge_digest"):
        run_eval(config, out, progress=False)
    # a run file written before digests were recorded cannot prove which judge it used
    old = tmp_path / "old.jsonl"
    RunWriter(old, {}, {"name": "x"}).append([{"id": "a"}])
    with pytest.raises(RunFileError, match="records no judge"):
        RunWriter(old, {}, {"name": "x"}, resolved={"judge_digest": "abc"})
    with pytest.raises(RunFileError, match=r"name: 'x' -> 'y'"):
        RunWriter(old, {}, {"name": "y"})


def test_a_mistyped_judge_path_is_an_error_not_a_hub_download(monkeypatch, tmp_path):
    import huggingface_hub

    from beavertail.moderation.judge import parse_hub_reference, resolve_judge

    asked: list[tuple] = []
    monkeypatch.setattr(huggingface_hub, "snapshot_download",
                        lambda repo, **kw: asked.append((repo, kw)) or str(tmp_path))  # fmt: skip
    with pytest.raises(FileNotFoundError, match="hf:runs/judge-typo"):
        resolve_judge("runs/judge-typo")
    assert not asked
    assert parse_hub_reference("hf:org/judge@v1.2") == ("org/judge", "v1.2")
    with pytest.raises(FileNotFoundError, match="not a moderator folder"):
        resolve_judge("hf:org/judge@0123abc")  # the stub's folder holds no judge
    assert asked == [("org/judge", {"revision": "0123abc",
                                    "allow_patterns": ["*.json", "*.safetensors", "*.txt",
                                                       "*.md"]})]  # fmt: skip


# -- what a new user hit ----------------------------------------------------------------
def test_help_and_data_commands_start_without_loading_torch(data_dir):
    import subprocess
    import sys

    code = (
        "import sys; from typer.testing import CliRunner; from beavertail.cli import app;"
        "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0;"
        "r = CliRunner().invoke(app, ['data', 'stats', sys.argv[1]]); assert r.exit_code == 0;"
        "print(sorted(m for m in ('torch', 'transformers', 'sklearn') if m in sys.modules))"
    )
    path = str(data_dir / "beavertails" / "30k_test.jsonl")
    out = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_question_answer_files_read_the_same_everywhere(tmp_path):
    from typer.testing import CliRunner

    from beavertail.cli import app
    from beavertail.data import load_qa, load_records

    csv = tmp_path / "qa.csv"
    csv.write_text(
        "id,question,answer\n7,How do I bake bread?,Knead and bake.\n"
        "8,How do I hurt someone?,Hit them hard.\n"
    )
    records = list(load_records(csv))
    assert [r.prompt for r in records] == ["How do I bake bread?", "How do I hurt someone?"]
    assert [r.response for r in load_qa(csv)] == ["Knead and bake.", "Hit them hard."]
    runner = CliRunner()
    validated = runner.invoke(app, ["data", "validate", str(csv)])
    assert validated.exit_code == 0 and "2 valid records" in validated.output
    converted = runner.invoke(app, ["data", "convert", str(csv), str(tmp_path / "out.jsonl")])
    assert converted.exit_code == 0, converted.output
    out = tmp_path / "verdicts.jsonl"
    predicted = runner.invoke(app, ["moderate", "predict", "fast", str(csv), "--output", str(out)])
    assert predicted.exit_code == 0, predicted.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["7", "8"]  # the input's other columns are kept
    odd = tmp_path / "odd.csv"
    odd.write_text("q,a\nhi,there\n")
    failed = runner.invoke(app, ["moderate", "predict", "fast", str(odd)])
    assert failed.exit_code == 2 and "--column prompt=" in " ".join(failed.output.split())
