"""Server load benchmark: concurrent streaming clients against `beavertail serve` on loopback.

    python bench/serve.py             # 32 clients, 60 s per configuration, 32 tokens
    python bench/serve.py --quick     # 8 clients, 15 s, 12 tokens (CI smoke)
    python bench/serve.py --soak      # 64 clients for 5 minutes: nothing lost (below)

Each configuration runs the real CLI server in a subprocess; the clients (asyncio + httpx)
loop over a mix of held-out harmful and harmless prompts with ``stream: true`` until the time
is up. Configurations: ``static`` (the old engine: a batch of 8 admits new requests only once
every row is done; the baseline), ``unguarded`` (continuous batching: waiting requests join
freed rows at every step) and ``guarded`` (continuous, with the streaming output monitor of
``examples/serve.yaml``: the fast tier every 8 tokens at its repeated-check threshold).
Prints p50/p99 latency, time to first token, completion tokens/s, error counts, lost requests
(a stream that ended without [DONE]), the guarded/unguarded throughput ratio and the TTFT
ratio static/continuous, and ends with ``5xx=<N>`` (server errors over all configurations).

``--soak`` runs one guarded server (continuous batching, output monitor, a request deadline)
with injected faults (``BEAVERTAIL_INJECT_FAULTS=1``: prompts with a marker fail inside the
worker) under 64 clients for 5 minutes. Each client cycles through valid streamed and whole
requests, ``n`` = 2, a stream it cancels after the first words, an invalid request and a
faulted one. It prints requests sent / answered / errored / lost (no answer and no error:
a stream without ``[DONE]``, a hang past the client's timeout), 5xx from valid requests,
p50/p99 latency of answered requests and the server's RSS at the start, after the first fifth
of the soak (warm: every batch shape and allocator arena reached) and at the end, sampled
every 15 s; the growth target is read from the warm sample to the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
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
from beavertail.serve import serve_in_process


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


SOAK_KINDS = ("stream", "stream", "stream", "whole", "n2", "cancel", "invalid", "fault")


async def soak_client(
    url: str, prompts: list[str], index: int, stop_at: float, stats: dict
) -> None:
    """One soak client: the request kinds in turn until the time is up."""
    from beavertail.serve.jobs import FAULT_MARKER

    async with httpx.AsyncClient(timeout=120) as http:
        k = index
        while time.monotonic() < stop_at:
            kind = SOAK_KINDS[k % len(SOAK_KINDS)]
            prompt = prompts[k % len(prompts)]
            k += 1
            body: dict = {"messages": [{"role": "user", "content": prompt}], "max_tokens": 24}
            if kind == "invalid":
                body["temperature"] = 0.001  # refused with a 400 before it reaches the engine
            elif kind == "fault":
                body["messages"][0]["content"] = f"{prompt} {FAULT_MARKER}"
            elif kind == "n2":
                body["n"] = 2
            stream = kind in ("stream", "cancel", "fault")
            body["stream"] = stream
            stats["sent"][kind] += 1
            began = time.monotonic()
            try:
                if not stream:
                    response = await http.post(f"{url}/v1/chat/completions", json=body)
                    outcome = _whole_outcome(kind, response)
                else:
                    outcome = await _stream_outcome(http, url, body, kind)
            except httpx.TimeoutException:
                outcome = "lost"
            except httpx.HTTPError:
                outcome = "lost"
            stats["outcome"][(kind, outcome)] += 1
            if outcome == "answered":
                stats["latency"].append(time.monotonic() - began)


def _whole_outcome(kind: str, response: httpx.Response) -> str:
    if response.status_code == 200:
        choices = response.json().get("choices", [])
        return "answered" if len(choices) == (2 if kind == "n2" else 1) else "lost"
    if response.status_code >= 500:
        return "5xx"
    return "errored"


async def _stream_outcome(http: httpx.AsyncClient, url: str, body: dict, kind: str) -> str:
    async with http.stream("POST", f"{url}/v1/chat/completions", json=body) as response:
        if response.status_code != 200:
            await response.aread()
            return "5xx" if response.status_code >= 500 else "errored"
        async for line in response.aiter_lines():
            if kind == "cancel" and '"content"' in line and '"content": ""' not in line:
                return "cancelled"  # leaving the block hangs up mid-stream
            if line == "data: [DONE]":
                return "answered"
            if line.startswith("data: ") and '"error"' in line:
                return "errored"
    return "lost"


def _rss_kib(config: Path) -> int:
    """The resident memory of the server started with ``config`` (Linux /proc)."""
    import subprocess

    pids = subprocess.run(["pgrep", "-f", str(config)], capture_output=True, text=True).stdout
    for pid in pids.split():
        status = Path(f"/proc/{pid}/status")
        if status.is_file() and "beavertail" in Path(f"/proc/{pid}/cmdline").read_text():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    return 0


RSS_EVERY_S = 15.0
WARMUP_SHARE = 0.2


def warm_rss(samples: list[tuple[float, int]], seconds: float) -> int:
    """The server's RSS once the load has warmed it up: the first sample taken after
    ``WARMUP_SHARE`` of the soak (every batch shape, allocator arena and cache has been
    reached by then); growth after it is what a long-running server would keep adding."""
    for t, kib in samples:
        if t >= WARMUP_SHARE * seconds:
            return kib
    return samples[-1][1]


def soak(args: argparse.Namespace, prompts: list[str], out: Path) -> None:
    clients, seconds = args.clients or 64, args.seconds or 300
    example = yaml.safe_load(Path("examples/serve.yaml").read_text())["output_moderation"]
    settings = {
        "max_batch_size": args.max_batch,
        "max_queue": 256,
        "moderations_model": None,
        "output_moderation": example,
        "request_timeout": 60,
        "port": _free_port(),
    }
    if args.data_dir:
        settings["data_dir"] = args.data_dir
    config = Path(tempfile.mkdtemp()) / "soak.yaml"
    config.write_text(yaml.safe_dump(settings))
    stats: dict = {"sent": Counter(), "outcome": Counter(), "latency": []}
    env = {"BEAVERTAIL_INJECT_FAULTS": "1"}
    with serve_in_process(config, env=env, log=out / "server-soak.log") as url:
        # one warm-up request, so the RSS baseline includes the loaded models
        httpx.post(
            f"{url}/v1/chat/completions",
            timeout=120,
            json={"messages": [{"role": "user", "content": prompts[0]}], "max_tokens": 8},
        )
        rss_start = _rss_kib(config)
        samples: list[tuple[float, int]] = []

        async def sample_rss(stop_at: float) -> None:
            began = time.monotonic()
            while time.monotonic() < stop_at:
                samples.append(
                    (time.monotonic() - began, await asyncio.to_thread(_rss_kib, config))
                )
                await asyncio.sleep(RSS_EVERY_S)

        async def run() -> None:
            stop_at = time.monotonic() + seconds
            await asyncio.gather(
                sample_rss(stop_at),
                *(soak_client(url, prompts, i, stop_at, stats) for i in range(clients)),
            )

        asyncio.run(run())
        rss_end = _rss_kib(config)
        samples.append((seconds, rss_end))
        pending = httpx.get(f"{url}/healthz").json()["pending"]
    outcome = stats["outcome"]
    sent = sum(stats["sent"].values())
    answered = sum(v for (_, o), v in outcome.items() if o in ("answered", "cancelled"))
    errored = sum(v for (_, o), v in outcome.items() if o == "errored")
    lost = sum(v for (_, o), v in outcome.items() if o == "lost")
    valid_5xx = sum(v for (k, o), v in outcome.items() if o == "5xx" and k != "fault")
    fault_5xx = sum(v for (k, o), v in outcome.items() if o == "5xx" and k == "fault")
    latency = np.array(stats["latency"] or [np.nan])
    growth = (rss_end - rss_start) / max(rss_start, 1)
    rss_warm = warm_rss(samples, seconds)
    growth_warm = (rss_end - rss_warm) / max(rss_warm, 1)
    table = Table(title=f"soak: {clients} clients, {seconds:g} s, faults injected")
    for column in (
        "sent",
        "answered",
        "errored",
        "lost",
        "5xx valid",
        "5xx faulted",
        "p50 s",
        "p99 s",
        "RSS start MiB",
        "RSS warm MiB",
        "RSS end MiB",
        "growth",
        "growth after warm-up",
    ):
        table.add_column(column)
    table.add_row(
        str(sent),
        str(answered),
        str(errored),
        str(lost),
        str(valid_5xx),
        str(fault_5xx),
        f"{np.nanpercentile(latency, 50):.2f}",
        f"{np.nanpercentile(latency, 99):.2f}",
        f"{rss_start / 1024:.0f}",
        f"{rss_warm / 1024:.0f}",
        f"{rss_end / 1024:.0f}",
        f"{growth:+.1%}",
        f"{growth_warm:+.1%}",
    )
    Console(width=160).print(table)
    by_kind = {f"{k}/{o}": v for (k, o), v in sorted(outcome.items())}
    (out / "soak.json").write_text(
        json.dumps(
            {
                "sent": sent,
                "answered": answered,
                "errored": errored,
                "lost": lost,
                "valid_5xx": valid_5xx,
                "fault_5xx": fault_5xx,
                "pending_after": pending,
                "p50_s": float(np.nanpercentile(latency, 50)),
                "p99_s": float(np.nanpercentile(latency, 99)),
                "rss_start_kib": rss_start,
                "rss_warm_kib": rss_warm,
                "rss_end_kib": rss_end,
                "rss_samples": [{"t_s": round(t, 1), "kib": k} for t, k in samples],
                "by_kind": by_kind,
            },
            indent=2,
        )
    )
    print(
        f"soak sent={sent} answered={answered} errored={errored} lost={lost} "
        f"valid_5xx={valid_5xx} pending_after={pending} rss_growth={growth:.4f} "
        f"rss_growth_after_warmup={growth_warm:.4f}"
    )
    print("soak by_kind " + " ".join(f"{k}={v}" for k, v in by_kind.items()))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--clients", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--tokens", type=int, default=None)
    parser.add_argument("--max-batch", type=int, default=32, help="rows, continuous batching")
    parser.add_argument("--static-batch", type=int, default=8, help="rows, the static baseline")
    parser.add_argument("--moderator", default="fast", help="streaming moderator")
    parser.add_argument("--threshold", type=float, default=None, help="default: serve.yaml's")
    parser.add_argument("--out", default="runs/bench-serve")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--soak", action="store_true", help="64 clients, 5 min, faults")
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
    if args.soak:
        soak(args, prompts, out)
        return
    example = yaml.safe_load(Path("examples/serve.yaml").read_text())["output_moderation"]
    guard = {**example, "moderator": args.moderator}
    if args.threshold is not None:
        guard["threshold"] = args.threshold
    base = {"max_batch_size": args.max_batch, "max_queue": 256, "moderations_model": None}
    if args.data_dir:
        base["data_dir"] = args.data_dir
    configs = {
        "static": {**base, "max_batch_size": args.static_batch, "batching": "static"},
        "unguarded": base,
        "guarded": {**base, "output_moderation": guard},
    }
    console = Console(width=160)
    results = {}
    for name, settings in configs.items():
        config = Path(tempfile.mkdtemp()) / "serve.yaml"
        config.write_text(yaml.safe_dump({**settings, "port": _free_port()}))
        with serve_in_process(config, log=out / f"server-{name}.log") as url:
            stats = asyncio.run(load(url, prompts, clients, seconds, tokens))
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
    ttft_ratio = results["static"]["ttft_p50_s"] / max(results["unguarded"]["ttft_p50_s"], 1e-9)
    console.print(
        f"throughput guarded / unguarded: {ratio:.2f}; TTFT p50 static / continuous: "
        f"{ttft_ratio:.1f}x"
    )
    summary = {"ratio": ratio, "ttft_ratio": ttft_ratio}
    (out / "results.json").write_text(json.dumps(results | summary, indent=2) + "\n")
    for name, r in results.items():
        print(
            f"config={name} p50_s={r['p50_s']:.3f} p99_s={r['p99_s']:.3f} "
            f"tokens_per_s={r['tokens_per_s']:.2f} errors={r['stream_errors']}"
        )
    print(f"throughput_ratio={ratio:.3f} ttft_ratio={ttft_ratio:.2f}")
    print(f"5xx={sum(r['5xx'] for r in results.values())}")


if __name__ == "__main__":
    main()
