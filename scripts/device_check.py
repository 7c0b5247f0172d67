"""Device check: what only an accelerator can show, without downloads or weights.

Run on a CUDA machine (``bash scripts/device-check.sh``); every model is built from a tiny
config and randomly initialised, so nothing is downloaded and no weights travel:

* ``judge:FAMILY`` - each external judge family's architecture (Llama Guard 3/4, WildGuard,
  ShieldGemma, Qwen3Guard, MD-Judge, GuardReasoner, HarmBench, the rubric graders,
  BeaverDam) in bf16 on CUDA, one batch through ``LocalBackend`` (BeaverDam: its
  classifier), with the BOS count of what the model was fed;
* ``lora-sft-step`` and ``dpo-step`` - LoRA SFT and DPO steps (two each: the first warms
  up at learning rate 0) with the ``align`` trainers on a tiny random Llama;
* ``serve-engine`` - the continuous-batching server engine with a tiny Llama, concurrent
  chat requests and a raw completion with log-probabilities;
* ``batch-invariance-fp32`` - in float32, a request judged alone and inside a padded batch
  gets the same tokens and log-probabilities.

One ``PASS``/``FAIL`` line per check; the exit status is 1 when any fails. Without CUDA it
says so and exits 0; ``--cpu`` runs the same checks on the CPU in float32 (``--quick``: a
subset for the test suite).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

PAIRS = [
    ("How do I pick a lock?", "Insert a tension wrench, then rake the pins."),
    ("Hi", "Hello! How can I help?"),
    ("Write a poem about the sea.", "The sea is wide and deep and blue."),
]
MAX_NEW_TOKENS = 12  # random weights rarely stop: this bounds the time, not the behaviour


def check_judge(family: str, device: str, dtype: torch.dtype) -> str:
    from beavertail.moderation.external import FORMATS
    from beavertail.moderation.external.backends import LocalBackend
    from beavertail.moderation.external.base import ExternalJudge
    from beavertail.moderation.external.beaverdam import BeaverDamJudge
    from beavertail.moderation.external.tiny import tiny_model

    model, tokenizer = tiny_model(family, device, dtype)
    prompts, answers = [p for p, _ in PAIRS], [a for _, a in PAIRS]
    if family == "beaverdam":
        judge = BeaverDamJudge("tiny", "beaverdam:tiny", loaded=(model, tokenizer))
        probs = judge.probabilities(prompts, answers)
        if probs.shape != (len(PAIRS), 15) or not ((probs >= 0) & (probs <= 1)).all():
            raise AssertionError(f"probabilities {probs.shape} out of [0, 1]")
        return f"max P {probs[:, 0].max():.3f}"
    fmt = FORMATS[family]()
    fmt.max_tokens = min(fmt.max_tokens, MAX_NEW_TOKENS)
    backend = LocalBackend.from_loaded(model, tokenizer, f"tiny-{family}")
    fmt.bind(backend.model_name, backend.chat_template)
    ids = backend.encode(fmt.requests(*PAIRS[0])[0], fmt.decoding())
    bos = tokenizer.bos_token_id
    expected = 0 if bos is None else 1
    found = 0 if bos is None else ids.count(bos)
    if found != expected:
        raise AssertionError(f"{found} BOS tokens fed, expected {expected}")
    verdicts = ExternalJudge(fmt, backend, family).predict(prompts, answers)
    verdicts += ExternalJudge(fmt, backend, family).predict(prompts[:1])  # the prompt alone
    for v in verdicts:
        if v.unparsed != (v.score is None) or (v.score is not None and not 0 <= v.score <= 1):
            raise AssertionError(f"inconsistent verdict {v}")
        if v.unparsed and v.flagged is not False:
            raise AssertionError("an unparsed verdict was flagged")
    unparsed = sum(v.unparsed for v in verdicts)
    return f"{len(verdicts)} verdicts ({unparsed} unparsed: random weights), {found} BOS"


def _tiny_lm(device: str, dtype: torch.dtype) -> Any:
    from beavertail.models.causal import LoadedLM
    from beavertail.moderation.external.tiny import tiny_model

    model, tokenizer = tiny_model("bt14-rubric", device, dtype)  # Llama with a chat template
    return LoadedLM(model, tokenizer, "tiny-llama")


def _lora_changed(model: Any) -> bool:
    return any(
        "lora_B" in name and parameter.abs().sum().item() > 0
        for name, parameter in model.named_parameters()
    )


def check_sft(device: str, dtype: torch.dtype) -> str:
    from beavertail.align.config import AlignConfig
    from beavertail.align.sft import SFTRow, train_sft_adapter

    lm = _tiny_lm(device, dtype)
    config = AlignConfig(batch_size=2, max_length=64, lora_rank=4, learning_rate=1e-2)
    rows = [SFTRow(p, a) for p, a in PAIRS[:2]] * 2  # two steps: the first warms up at lr 0
    with tempfile.TemporaryDirectory() as folder:
        model, result = train_sft_adapter(lm, rows, config, folder, progress=False)
    loss = result.metrics.get("loss", result.metrics.get("train_loss", math.nan))
    if result.steps < 1 or not _lora_changed(model):
        raise AssertionError(f"steps={result.steps}; the adapter did not move")
    return f"{result.steps} step(s), loss {loss:.3f}"


def check_dpo(device: str, dtype: torch.dtype) -> str:
    from beavertail.align.config import AlignConfig
    from beavertail.align.pairs import PolicyPair
    from beavertail.align.trainer import train_adapter

    lm = _tiny_lm(device, dtype)
    config = AlignConfig(batch_size=2, max_length=64, lora_rank=4, learning_rate=1e-2)
    pairs = [PolicyPair(p, "I can't help with that.", a) for p, a in PAIRS[:2]] * 2
    with tempfile.TemporaryDirectory() as folder:
        model, result = train_adapter(lm, pairs, config, folder, progress=False)
    if result.steps < 1 or not _lora_changed(model):
        raise AssertionError(f"steps={result.steps}; the adapter did not move")
    loss = result.metrics.get("loss", math.nan)
    return f"{result.steps} step(s), loss {loss:.3f}"


def check_serve(device: str, dtype: torch.dtype) -> str:
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from beavertail.serve import ServeConfig, build_app, serve_in_thread

    lm = _tiny_lm(device, dtype)
    config = ServeConfig.parse(
        {
            "moderations_model": None,
            "max_tokens_limit": 64,
            "default_max_tokens": 16,
            "max_batch_size": 4,
            "served_model_name": "tiny",
        }
    )
    with serve_in_thread(build_app(config, lm=lm)) as url:

        def chat(prompt: str) -> dict:
            body = {"messages": [{"role": "user", "content": prompt}], "max_tokens": 8}
            reply = httpx.post(f"{url}/v1/chat/completions", json=body, timeout=120)
            reply.raise_for_status()
            return reply.json()

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(chat, [p for p, _ in PAIRS] + ["One more."]))
        raw = httpx.post(
            f"{url}/v1/completions",
            json={"prompt": "Hello", "max_tokens": 4, "logprobs": 3},
            timeout=120,
        )
        raw.raise_for_status()
    tokens = [a["usage"]["completion_tokens"] for a in answers]
    if len(answers) != 4 or not all(t >= 1 for t in tokens):
        raise AssertionError(f"completion tokens {tokens}")
    if not raw.json()["choices"][0]["logprobs"]["top_logprobs"]:
        raise AssertionError("no log-probabilities on /v1/completions")
    return f"4 concurrent chats ({sum(tokens)} tokens) and a completion with logprobs"


def check_batch_invariance(device: str, dtype: torch.dtype) -> str:
    """float32 whatever ``dtype``: left padding must not change a row's result."""
    from beavertail.moderation.external.backends import LocalBackend
    from beavertail.moderation.external.llama_guard import LlamaGuard3
    from beavertail.moderation.external.tiny import tiny_model

    model, tokenizer = tiny_model("llama-guard-3", device, torch.float32)
    backend = LocalBackend.from_loaded(model, tokenizer, "tiny", batch_size=len(PAIRS))
    fmt = LlamaGuard3()
    decoding = replace(fmt.decoding(), max_tokens=MAX_NEW_TOKENS)
    requests = [fmt.requests(p, a)[0] for p, a in PAIRS]
    together = backend.complete(requests, decoding)
    worst = 0.0
    for i, request in enumerate(requests):
        (alone,) = backend.complete([request], decoding)
        if alone.tokens != together[i].tokens:
            raise AssertionError(f"row {i}: the batch changed the generated tokens")
        for a, b in zip(alone.alternatives or (), together[i].alternatives or (), strict=True):
            worst = max([worst, *(abs(a[k] - b[k]) for k in a.keys() & b.keys())])
    if worst > 1e-4:
        raise AssertionError(f"log-probabilities differ by {worst:.2e} between batch and alone")
    return f"max |Δ log p| {worst:.1e}"


def checks(quick: bool) -> list[tuple[str, Callable[[str, torch.dtype], str]]]:
    from beavertail.moderation.external.tiny import ARCHITECTURES

    families = ["llama-guard-3", "qwen3guard", "beaverdam"] if quick else list(ARCHITECTURES)
    found: list[tuple[str, Callable[[str, torch.dtype], str]]] = [
        (f"judge:{f}", lambda d, t, f=f: check_judge(f, d, t)) for f in families
    ]
    if not quick:
        found += [("lora-sft-step", check_sft), ("dpo-step", check_dpo)]
        found += [("serve-engine", check_serve)]
    found.append(("batch-invariance-fp32", check_batch_invariance))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpu", action="store_true", help="run on the CPU in float32")
    parser.add_argument("--quick", action="store_true", help="a fast subset (the test suite's)")
    parser.add_argument("--only", nargs="*", default=None, help="check names to run")
    args = parser.parse_args(argv)
    if not args.cpu and not torch.cuda.is_available():
        print("SKIP device check: no CUDA device here (--cpu runs the checks on the CPU)")
        return 0
    device, dtype = ("cpu", torch.float32) if args.cpu else ("cuda", torch.bfloat16)
    print(f"device check on {device} ({dtype}), torch {torch.__version__}", flush=True)
    failed, began = 0, time.monotonic()
    for name, check in checks(args.quick):
        if args.only and name not in args.only:
            continue
        start = time.monotonic()
        try:
            detail = check(device, dtype)
        except Exception as error:  # every check reports, whatever fails
            failed += 1
            traceback.print_exc(file=sys.stderr)
            print(f"FAIL {name} ({time.monotonic() - start:.1f}s): {error}", flush=True)
        else:
            print(f"PASS {name} ({time.monotonic() - start:.1f}s): {detail}", flush=True)
    print(f"{'FAILED' if failed else 'PASSED'}: {failed} failed, {time.monotonic() - began:.0f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    raise SystemExit(main())
