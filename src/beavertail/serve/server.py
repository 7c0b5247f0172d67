"""Build the guarded server from a :class:`ServeConfig`, and run it with uvicorn."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from beavertail.models.causal import LoadedLM, load_lm, load_tokenizer
from beavertail.moderation.moderator import Moderator
from beavertail.moderation.ood.policy import with_ood_policy
from beavertail.moderation.recipes import resolve_moderator
from beavertail.monitor.stream import MonitorConfig, StreamMonitor
from beavertail.serve.app import create_app
from beavertail.serve.config import ServeConfig
from beavertail.serve.engine import Engine, Guards
from beavertail.serve.proxy import UpstreamEngine

log = logging.getLogger("beavertail.serve")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def build_guards(config: ServeConfig, lm: LoadedLM | None) -> tuple[Guards, dict[str, Any]]:
    """The guards a config asks for, and a description of them for /v1/models."""
    guards = Guards()
    described: dict[str, Any] = (
        {"upstream": config.upstream.url} if config.upstream else {"base_model": config.model}
    )
    loaded: dict[str, Moderator] = {}

    def moderator(reference: str) -> Moderator:
        if reference not in loaded:
            loaded[reference] = resolve_moderator(reference)
        return loaded[reference]

    if config.steering is not None:
        from beavertail.steering.apply import load_steerer

        assert lm is not None
        steerer = load_steerer(lm, config.steering)
        layer, coefficient = steerer.config.layer, steerer.config.coefficient
        guards.hooks, guards.steerer = steerer.hooks, steerer
        described["steering"] = {
            "vectors": config.steering.vectors,
            "layer": layer,
            "coefficient": coefficient,
        }
    if config.input_moderation is not None:
        i = config.input_moderation
        guards.input_monitor = StreamMonitor(
            moderator(i.moderator), MonitorConfig(threshold=i.threshold)
        )
        guards.input_message = i.message
        described["input_moderation"] = {"moderator": i.moderator}
    if config.output_moderation is not None:
        o = config.output_moderation
        confirmer = moderator(o.confirm_with) if o.confirm_with else None
        guards.monitor = StreamMonitor(moderator(o.moderator), o, confirmer, o.confirm_threshold)
        described["output_moderation"] = {
            "moderator": o.moderator,
            "check_every": o.check_every,
            "threshold": guards.monitor.threshold,
            "confirm_with": o.confirm_with,
            "on_ood": o.on_ood,
        }
    if config.best_of_n is not None:
        from beavertail.preference import load_score_model

        b = config.best_of_n
        guards.reward = load_score_model(b.reward_model, "reward")
        guards.cost = load_score_model(b.cost_model, "cost")
        guards.best_of_n = b
        described["best_of_n"] = {"n": b.n, "cost_threshold": b.cost_threshold}
    if config.guided is not None and lm is not None:
        from beavertail.decoding import GuidedGenerator, load_heuristic

        guards.guided = GuidedGenerator(lm, load_heuristic(config.guided), config.guided)
        described["guided"] = config.guided.model_dump()
    return guards, described


def build_app(config: ServeConfig, lm: LoadedLM | None = None) -> FastAPI:
    """Load the model, guards and judge a config names; returns the app (engine inside)."""
    engine: Engine | UpstreamEngine
    if config.upstream is not None:  # a guard proxy: only the tokenizer, to count tokens
        guards, described = build_guards(config, None)
        tokenizer = load_tokenizer(config.model)
        engine = UpstreamEngine(config.upstream, guards, tokenizer, config.max_queue)
    else:
        lm = lm or load_lm(config.model)
        guards, described = build_guards(config, lm)
        engine = Engine(
            lm, guards, config.max_batch_size, config.max_queue, config.batching == "continuous"
        )
    judge = resolve_moderator(config.moderations_model) if config.moderations_model else None
    judge = with_ood_policy(judge, config.moderations_ood) if judge is not None else None
    app = create_app(
        engine,
        config.model_name,
        judge,
        config.resolved_api_key(),
        config.max_tokens_limit,
        config.default_max_tokens,
        described,
        config.max_prompt_tokens,
        config.request_timeout,
    )
    app.state.engine = engine
    return app


def serve(config: ServeConfig, log_level: str = "info") -> None:
    """Run the server until interrupted."""
    import uvicorn

    if config.host not in LOOPBACK and not config.resolved_api_key():
        log.warning(
            "serving on %s without an API key: anyone who can reach it can use the model "
            "(set api_key_env)",
            config.host,
        )
    app = build_app(config)
    uvicorn.run(app, host=config.host, port=config.port, log_level=log_level)


@contextmanager
def serve_in_thread(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run ``app`` with uvicorn in a background thread; yields its base URL (port 0: any)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="beavertail-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def serve_in_process(
    config: str | Path,
    *flags: str,
    env: dict[str, str] | None = None,
    log: str | Path | None = None,
    timeout: float = 600,
) -> Iterator[str]:
    """Run ``beavertail serve --config CONFIG [flags]`` as a separate process; yields its base
    URL once ``/healthz`` answers (the port comes from the config or ``--port``); stops it."""
    import subprocess
    import sys

    import httpx

    settings = ServeConfig.load(config)
    port = int(flags[flags.index("--port") + 1]) if "--port" in flags else settings.port
    with ExitStack() as stack:
        output = stack.enter_context(Path(log).open("w")) if log else subprocess.DEVNULL
        process = subprocess.Popen(
            [sys.executable, "-m", "beavertail.cli", "serve", "--config", str(config), *flags],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})},
        )
        stack.callback(process.wait, 30)
        stack.callback(process.terminate)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                where = f"; see {log}" if log else ""
                raise RuntimeError(f"the server did not start (exit {process.poll()}){where}")
            time.sleep(0.5)
        yield url
