"""Test and benchmark harnesses: the app in a background thread, or ``beavertail serve`` as a
separate process (the tests, ``bench/serve.py``, ``bench/guard_attacks.py``)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from fastapi import FastAPI

from beavertail.serve.config import ServeConfig


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
