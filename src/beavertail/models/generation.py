"""Text generation behind one interface: a local transformers model or a remote endpoint.

``TextGenerator`` is what the evaluation harness and the server talk to. ``LocalGenerator``
runs a loaded LM in-process (batched, left-padded, optionally with hooks such as steering);
``OpenAIChatGenerator`` sends the same requests to any OpenAI-compatible server (vLLM, TGI,
``beavertail serve``), which is how evaluation scales past one machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol

import httpx
import torch
from pydantic import ConfigDict, Field

from beavertail.models.causal import LoadedLM, chat_text, model_device
from beavertail.settings import Settings

MaxTokens = Annotated[int, Field(ge=1, description="Tokens to generate at most.")]
Temperature = Annotated[float, Field(ge=0, description="0: greedy; above: sampling.")]
TopP = Annotated[float, Field(gt=0, le=1, description="Nucleus sampling mass.")]
TopK = Annotated[int, Field(ge=0, description="Sample among the k likeliest tokens (0: off).")]


class SamplingParams(Settings):
    """Decoding settings, one model for generation, the engine, best-of-N and every config.
    ``temperature == 0`` is greedy; otherwise seeded sampling."""

    model_config = ConfigDict(frozen=True)

    max_new_tokens: MaxTokens = 64
    temperature: Temperature = 0.0
    top_p: TopP = 1.0
    top_k: TopK = 0
    repetition_penalty: float = Field(
        1.0, gt=0, description="Above 1 discourages repeating tokens (1: off; vLLM's extension)."
    )
    seed: int = Field(0, description="Seed of a sampled batch (the same after a resume).")
    system_prompt: str | None = Field(None, description="System message before the prompt.")
    answer_prefix: str | None = Field(
        None,
        description="Text the answer starts with; the model continues it (endpoints: vLLM's "
        "continue_final_message). The returned text includes it.",
    )

    def to_dict(self) -> dict:
        return self.model_dump()


@dataclass(frozen=True)
class Generation:
    prompt: str
    text: str
    num_tokens: int
    finish_reason: str  # "stop" (end of sequence) or "length"
    # what the call decided for this answer: the steering router's route, best-of-N's choice,
    # a guided search's statistics (each an object with ``to_dict``)
    details: dict[str, Any] = field(default_factory=dict)


class TextGenerator(Protocol):
    """Anything that answers a batch of prompts."""

    name: str

    def generate(self, prompts: Sequence[str], config: SamplingParams) -> list[Generation]: ...


class PerPromptSystemGenerator(Protocol):
    """A generator that also takes one system prompt per prompt (e.g. a persona each)."""

    name: str

    def generate(
        self,
        prompts: Sequence[str],
        config: SamplingParams,
        system_prompts: Sequence[str | None] | None = None,
    ) -> list[Generation]: ...


def _systems(
    prompts: Sequence[str], config: SamplingParams, system_prompts: Sequence[str | None] | None
) -> list[str | None]:
    """One system prompt per prompt: the given ones, else the config's for all."""
    if system_prompts is None:
        return [config.system_prompt] * len(prompts)
    if len(system_prompts) != len(prompts):
        raise ValueError(f"{len(prompts)} prompts but {len(system_prompts)} system prompts")
    return list(system_prompts)


HookFactory = Callable[[], AbstractContextManager]


class LocalGenerator:
    """Batched generation with a transformers model; ``hooks`` wraps every forward pass."""

    def __init__(self, lm: LoadedLM, hooks: HookFactory | None = None, name: str | None = None):
        self.lm = lm
        self.hooks = hooks
        self.name = name or lm.name

    @torch.inference_mode()
    def generate(
        self,
        prompts: Sequence[str],
        config: SamplingParams,
        system_prompts: Sequence[str | None] | None = None,
    ) -> list[Generation]:
        """Answers in prompt order; ``system_prompts`` (one per prompt) replaces the config's."""
        if not prompts:
            return []
        tok = self.lm.tokenizer
        systems = _systems(prompts, config, system_prompts)
        prefix = config.answer_prefix
        texts = [chat_text(tok, p, prefix, s) for p, s in zip(prompts, systems, strict=True)]
        enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False)
        device = model_device(self.lm.model)
        enc = enc.to(device)
        sampling = config.temperature > 0
        kwargs = dict(
            max_new_tokens=config.max_new_tokens,
            do_sample=sampling,
            pad_token_id=tok.pad_token_id,
            eos_token_id=tok.eos_token_id,
            repetition_penalty=config.repetition_penalty,
        )
        if sampling:
            kwargs.update(temperature=config.temperature, top_p=config.top_p, top_k=config.top_k)
        else:
            kwargs.update(temperature=None, top_p=None, top_k=None)
        # A sampled batch draws from its own seed, the same after a resume, and leaves the
        # caller's global RNG as it found it.
        forked = [device] if device.type == "cuda" else []
        with (
            torch.random.fork_rng(devices=forked),
            self.hooks() if self.hooks else nullcontext() as hook_state,
        ):
            torch.manual_seed(config.seed)
            out = self.lm.model.generate(**enc, **kwargs)
        routes = list(getattr(hook_state, "joined", None) or [])  # the router's, per row
        new_tokens = out[:, enc["input_ids"].shape[1] :]
        results = []
        for prompt, row in zip(prompts, new_tokens, strict=True):
            ids = row.tolist()
            eos = tok.eos_token_id
            stopped = eos in ids
            if stopped:
                ids = ids[: ids.index(eos)]
            ids = [i for i in ids if i != tok.pad_token_id]
            text = tok.decode(ids, skip_special_tokens=True)
            text = (prefix + text if prefix else text).strip()
            details = {"route": routes[len(results)]} if routes else {}
            reason = "stop" if stopped else "length"
            results.append(Generation(prompt, text, len(ids), reason, details))
        return results


class RemoteGenerationError(RuntimeError):
    """The remote endpoint failed or answered something that is not a chat completion."""


class OpenAIChatGenerator:
    """Generation through an OpenAI-compatible ``/v1/chat/completions`` endpoint (e.g. vLLM).

    Requests run concurrently (``concurrency`` at a time). Steering and other hooks cannot be
    applied remotely; serve a steered model with ``beavertail serve`` instead.
    """

    RETRY_STATUS = frozenset({429, 500, 502, 503, 504})

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        concurrency: int = 8,
        timeout: float = 120.0,
        max_retries: int = 4,
        backoff: float = 1.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        if not self.base_url.endswith("/v1"):
            self.base_url += "/v1"
        self.model = model
        self.api_key = api_key
        self.concurrency = concurrency
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.name = f"{model}@{self.base_url}"

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        """``Retry-After`` (seconds) when the server sends it, else exponential backoff."""
        header = response.headers.get("retry-after") if response is not None else None
        if header is not None:
            try:
                return min(max(float(header), 0.0), 60.0)
            except ValueError:
                pass
        return min(self.backoff * 2**attempt, 30.0)

    def _post(self, body: dict) -> dict:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        url = f"{self.base_url}/chat/completions"
        for attempt in range(self.max_retries + 1):
            response = None
            try:
                response = httpx.post(url, json=body, headers=headers, timeout=self.timeout)
            except httpx.TransportError as error:  # connection refused, reset, timed out
                if attempt == self.max_retries:
                    raise RemoteGenerationError(f"{self.base_url}: {error}") from error
            else:
                if response.status_code < 400:
                    try:
                        return response.json()
                    except ValueError as error:
                        raise RemoteGenerationError(f"{url}: not JSON") from error
                if response.status_code not in self.RETRY_STATUS or attempt == self.max_retries:
                    raise RemoteGenerationError(
                        f"{self.base_url}: HTTP {response.status_code}: {response.text[:300]}"
                    )
            time.sleep(self._delay(attempt, response))
        raise AssertionError("unreachable")

    def _request(self, prompt: str, config: SamplingParams, system: str | None) -> Generation:
        messages = [{"role": "user", "content": prompt}]
        if system:
            messages.insert(0, {"role": "system", "content": system})
        prefix = config.answer_prefix
        if prefix:
            messages.append({"role": "assistant", "content": prefix})
        body = {
            "model": self.model,
            "messages": messages,
            "max_tokens": config.max_new_tokens,
            "temperature": config.temperature,
            "top_p": config.top_p,
            "seed": config.seed,
        }
        if config.top_k:
            body["top_k"] = config.top_k  # vLLM's extension of the OpenAI request
        if config.repetition_penalty != 1.0:
            body["repetition_penalty"] = config.repetition_penalty
        if prefix:  # vLLM's extension: continue the assistant message instead of a new one
            body |= {"continue_final_message": True, "add_generation_prompt": False}
        payload = self._post(body)
        try:
            choice = payload["choices"][0]
            text = choice["message"]["content"] or ""
            tokens = int(payload.get("usage", {}).get("completion_tokens", 0))
        except (KeyError, IndexError, TypeError) as error:
            raise RemoteGenerationError(f"unexpected response: {str(payload)[:300]}") from error
        reason = "length" if choice.get("finish_reason") == "length" else "stop"
        if prefix and not text.startswith(prefix):
            text = prefix + text
        return Generation(prompt, text.strip(), tokens, reason)

    def generate(
        self,
        prompts: Sequence[str],
        config: SamplingParams,
        system_prompts: Sequence[str | None] | None = None,
    ) -> list[Generation]:
        """Answers in prompt order; ``system_prompts`` (one per prompt) replaces the config's."""
        systems = _systems(prompts, config, system_prompts)
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            jobs = zip(prompts, systems, strict=True)
            return list(pool.map(lambda job: self._request(job[0], config, job[1]), jobs))
