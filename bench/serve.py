"""Server load benchmark: concurrent streaming clients against `beavertail serve` on loopback.

    python bench/serve.py             # 32 clients, 60 s per configuration, 32 tokens
    python bench/serve.py --quick     # 8 clients, 15 s, 12 tokens (CI smoke)

Each configuration runs the real CLI server in a subprocess; the clients (asyncio + httpx)
loop over a mix of held-out harmful and harmless prompts with ``stream: true`` until the time
is up. Configurations: unguarded (bare model) and guarded (streaming output moderation with
the prefix moderator, checking every 8 tokens). Prints p50/p99 latency, time to first token,
completion tokens/s, error counts, the guarded/unguarded throughput ratio, and ends with
``5xx=<N>`` (server errors over all configurations).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

import httpx
import numpy as np
import yaml
from rich.console import Console
from rich.table import Table

from beavertail.evaluate.prompt_sets import load_prompt_set
from beavertail.monitor import default_prefix_moderator_dir


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(settings: dict, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    config = Path(tempfile.mkdtemp()) / "serve.yaml"
    config.write_text(yaml.safe_dump({**settings, "port": port}))
    process = subprocess.Popen(
        [sys.executable, "-m", "beavertail.cli", "serve", "--config", str(config)],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while True:
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start; see {log}")
        time.sleep(0.5)


async def client(
    url: str, prompts: list[str], offset: int, stop_at: float, tokens: int, stats: dict
) -> None:
    async with httpx.AsyncClient(timeout=300) as http:
        k = offset
        while time.monotonic() < stop_at:
            body = {
                "messages": [{"role": "user", "content": prompts[k % len(prompts)]}],
                "max_tokens": tokens,
                "stream": True,
                "stream_options": {"include_usage": True},
            }
            k += 1
            began = time.monotonic()
            first = None
            try:
                async with http.stream("POST", f"{url}/v1/chat/completions", json=body) as resp:
                    stats["status"][resp.status_code] += 1
                    if resp.status_code != 200:
                        await resp.aread()
                        await asyncio.sleep(0.2)
                        continue
                    done = False
                    async for line in resp.aiter_lines():
                        if not line.startswith("data: "):
                            continue
                        if line == "data: [DONE]":
                            done = True
                            break
                        chunk = json.loads(line[6:])
                        if "error" in chunk:
                            stats["stream_errors"] += 1
                            break
                        if chunk.get("usage"):
                            stats["tokens"] += chunk["usage"]["completion_tokens"]
                        for choice in chunk.get("choices", []):
                            if choice["delta"].get("content") and first is None:
                                first = time.monotonic() - began
                            if choice.get("finish_reason"):
                                stats["finish"][choice["finish_reason"]] += 1
                    if not done:
                        stats["stream_errors"] += 1
                        continue
            except httpx.HTTPError:
                stats["transport_errors"] += 1
                continue
            stats["latency"].append(time.monotonic() - began)
            if first is not None:
                stats["ttft"].append(first)


async def load(url: str, prompts: list[str], clients: int, seconds: float, tokens: int) -> dict:
    stats: dict = {
        "status": Counter(),
        "finish": Counter(),
        "latency": [],
        "ttft": [],
        "tokens": 0,
        "stream_errors": 0,
        "transport_errors": 0,
    }
    began = time.monotonic()
    stop_at = began + seconds
    await asyncio.gather(
        *(client(url, prompts, i * 7, stop_at, tokens, stats) for i in range(clients))
    )
    stats["wall"] = time.monotonic() - began
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--clients", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--tokens", type=int, default=None)
    parser.add_argument("--max-batch", type=int, default=8)
    parser.add_argument(
        "--moderator", default=None, help="streaming moderator (default: default-prefix)"
    )
    parser.add_argument("--out", default="runs/bench-serve")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    clients = args.clients or (8 if args.quick else 32)
    seconds = args.seconds or (15 if args.quick else 60)
    tokens = args.tokens or (12 if args.quick else 32)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    prompts = [p.prompt for p in load_prompt_set("harmful-test", args.data_dir, 16)]
    prompts += [p.prompt for p in load_prompt_set("harmless-test", args.data_dir, 16)]
    prompts = [p for pair in zip(prompts[:16], prompts[16:], strict=False) for p in pair]
    moderator = args.moderator
    if moderator is None:  # train the default prefix moderator before timing anything
        from beavertail.monitor import default_prefix_moderator

        default_prefix_moderator(args.data_dir)
        moderator = str(default_prefix_moderator_dir())
    base = {"max_batch_size": args.max_batch, "max_queue": 256, "moderations_model": None}
    if args.data_dir:
        base["data_dir"] = args.data_dir
    configs = {
        "unguarded": base,
        "guarded": {**base, "output_moderation": {"moderator": moderator, "check_every": 8}},
    }
    console = Console(width=160)
    results = {}
    for name, settings in configs.items():
        process, url = start_server(settings, out / f"server-{name}.log")
        try:
            stats = asyncio.run(load(url, prompts, clients, seconds, tokens))
        finally:
            process.terminate()
            process.wait(30)
        latency = np.array(stats["latency"]) if stats["latency"] else np.array([np.nan])
        ttft = np.array(stats["ttft"]) if stats["ttft"] else np.array([np.nan])
        status = stats["status"]
        results[name] = {
            "requests": sum(status.values()),
            "completed": len(stats["latency"]),
            "p50_s": float(np.percentile(latency, 50)),
            "p99_s": float(np.percentile(latency, 99)),
            "ttft_p50_s": float(np.percentile(ttft, 50)),
            "tokens_per_s": stats["tokens"] / stats["wall"],
            "status": {str(k): v for k, v in status.items()},
            "finish": dict(stats["finish"]),
            "4xx": sum(v for k, v in status.items() if 400 <= k < 500),
            "5xx": sum(v for k, v in status.items() if k >= 500),
            "stream_errors": stats["stream_errors"],
            "transport_errors": stats["transport_errors"],
        }
    table = Table(title=f"{clients} streaming clients, {seconds:g} s each, {tokens} tokens")
    for column in (
        "config",
        "requests",
        "p50 s",
        "p99 s",
        "TTFT p50 s",
        "tokens/s",
        "stopped",
        "4xx",
        "5xx",
        "stream/transport errors",
    ):
        table.add_column(column)
    for name, r in results.items():
        table.add_row(
            name,
            str(r["completed"]),
            f"{r['p50_s']:.2f}",
            f"{r['p99_s']:.2f}",
            f"{r['ttft_p50_s']:.2f}",
            f"{r['tokens_per_s']:.1f}",
            str(r["finish"].get("content_filter", 0)),
            str(r["4xx"]),
            str(r["5xx"]),
            f"{r['stream_errors']}/{r['transport_errors']}",
        )
    console.print(table)
    ratio = results["guarded"]["tokens_per_s"] / max(results["unguarded"]["tokens_per_s"], 1e-9)
    console.print(f"throughput guarded / unguarded: {ratio:.2f}")
    (out / "results.json").write_text(json.dumps(results | {"ratio": ratio}, indent=2) + "\n")
    for name, r in results.items():
        print(
            f"config={name} p50_s={r['p50_s']:.3f} p99_s={r['p99_s']:.3f} "
            f"tokens_per_s={r['tokens_per_s']:.2f} errors={r['stream_errors']}"
        )
    print(f"throughput_ratio={ratio:.3f}")
    print(f"5xx={sum(r['5xx'] for r in results.values())}")


if __name__ == "__main__":
    main()
