"""Text generation behind one interface: a local transformers model or a remote endpoint.

``TextGenerator`` is what the evaluation harness and the server talk to. ``LocalGenerator``
runs a loaded LM in-process (batched, left-padded, optionally with hooks such as steering);
``OpenAIChatGenerator`` sends the same requests to any OpenAI-compatible server (vLLM, TGI,
``beavertail serve``), which is how evaluation scales past one machine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Protocol, cast

import torch
from pydantic import ConfigDict, Field

from beavertail.models.causal import LoadedLM, chat_text, model_device
from beavertail.models.openai_client import OpenAIEndpoint
from beavertail.settings import Settings

if TYPE_CHECKING:
    from transformers import GenerationMixin

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


class _SystemPromptsPerPrompt:
    """What both generators do first: one system prompt per prompt (the given ones, else the
    config's for all), then ``_generate`` on a batch that is not empty."""

    def generate(
        self,
        prompts: Sequence[str],
        config: SamplingParams,
        system_prompts: Sequence[str | None] | None = None,
    ) -> list[Generation]:
        """Answers in prompt order; ``system_prompts`` (one per prompt) replaces the config's."""
        if system_prompts is None:
            systems = [config.system_prompt] * len(prompts)
        elif len(system_prompts) != len(prompts):
            raise ValueError(f"{len(prompts)} prompts but {len(system_prompts)} system prompts")
        else:
            systems = list(system_prompts)
        return self._generate(prompts, config, systems) if prompts else []

    def _generate(
        self, prompts: Sequence[str], config: SamplingParams, systems: list[str | None]
    ) -> list[Generation]:
        raise NotImplementedError


HookFactory = Callable[[], AbstractContextManager]


class LocalGenerator(_SystemPromptsPerPrompt):
    """Batched generation with a transformers model; ``hooks`` wraps every forward pass."""

    def __init__(self, lm: LoadedLM, hooks: HookFactory | None = None, name: str | None = None):
        self.lm = lm
        self.hooks = hooks
        self.name = name or lm.name

    @torch.inference_mode()
    def _generate(
        self, prompts: Sequence[str], config: SamplingParams, systems: list[str | None]
    ) -> list[Generation]:
        tok = self.lm.tokenizer
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
            # a causal LM (AutoModelForCausalLM): PreTrainedModel itself has no generate
            out = cast("GenerationMixin", self.lm.model).generate(**enc, **kwargs)
        routes = list(getattr(hook_state, "joined", None) or [])  # the router's, per row
        new_tokens = out[:, enc["input_ids"].shape[1] :]
        results: list[Generation] = []
        for prompt, row in zip(prompts, new_tokens, strict=True):
            ids = row.tolist()
            eos = tok.eos_token_id
            stopped = eos in ids
            if stopped:
                ids = ids[: ids.index(eos)]
            ids = [i for i in ids if i != tok.pad_token_id]
            text = cast(str, tok.decode(ids, skip_special_tokens=True))  # one sequence: a str
            text = (prefix + text if prefix else text).strip()
            details = {"route": routes[len(results)]} if routes else {}
            reason = "stop" if stopped else "length"
            results.append(Generation(prompt, text, len(ids), reason, details))
        return results


class RemoteGenerationError(RuntimeError):
    """The remote endpoint failed or answered something that is not a chat completion."""


class OpenAIChatGenerator(_SystemPromptsPerPrompt):
    """Generation through an OpenAI-compatible ``/v1/chat/completions`` endpoint (e.g. vLLM).

    Requests run concurrently (``concurrency`` at a time) through the ``openai`` SDK, which
    retries 429s, 5xx answers, timeouts and dropped connections ``max_retries`` times with
    exponential backoff (honouring ``Retry-After``); what still fails is a
    :class:`RemoteGenerationError`. Steering and other hooks cannot be applied remotely; serve
    a steered model with ``beavertail serve`` instead.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        concurrency: int = 8,
        timeout: float = 120.0,
        max_retries: int = 4,
    ) -> None:
        base_url = base_url.rstrip("/")
        if not base_url.endswith("/v1"):
            base_url += "/v1"
        self.endpoint = OpenAIEndpoint(base_url, api_key, timeout, max_retries)
        self.base_url = self.endpoint.base_url
        self.model = model
        self.concurrency = concurrency
        self.name = f"{model}@{self.base_url}"
        self._client = self.endpoint.client()

    def _complete(self, messages: list[dict[str, str]], config: SamplingParams) -> Any:
        """One chat completion (retried by the client); failures as RemoteGenerationError."""
        import openai

        extra: dict[str, Any] = {}  # vLLM's extensions of the OpenAI request
        if config.top_k:
            extra["top_k"] = config.top_k
        if config.repetition_penalty != 1.0:
            extra["repetition_penalty"] = config.repetition_penalty
        if config.answer_prefix:  # continue the assistant message instead of a new one
            extra |= {"continue_final_message": True, "add_generation_prompt": False}
        try:
            return self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                max_tokens=config.max_new_tokens,
                temperature=config.temperature,
                top_p=config.top_p,
                seed=config.seed,
                extra_body=extra or None,
            )
        except openai.APIStatusError as error:
            message = f"HTTP {error.status_code}: {error.response.text[:300]}"
            raise RemoteGenerationError(f"{self.base_url}: {message}") from error
        except openai.OpenAIError as error:  # unreachable, timed out, not a chat completion
            raise RemoteGenerationError(f"{self.base_url}: {error}") from error
        except ValueError as error:  # a 200 whose body is not JSON
            raise RemoteGenerationError(f"{self.base_url}: not JSON ({error})") from error

    def _request(self, prompt: str, config: SamplingParams, system: str | None) -> Generation:
        messages = [{"role": "user", "content": prompt}]
        if system:
            messages.insert(0, {"role": "system", "content": system})
        prefix = config.answer_prefix
        if prefix:
            messages.append({"role": "assistant", "content": prefix})
        payload = self._complete(messages, config)
        try:
            choice = payload.choices[0]
            text = choice.message.content or ""
            tokens = int(payload.usage.completion_tokens or 0) if payload.usage else 0
        except (AttributeError, IndexError, TypeError, ValueError) as error:
            raise RemoteGenerationError(f"unexpected response: {str(payload)[:300]}") from error
        reason = "length" if choice.finish_reason == "length" else "stop"
        if prefix and not text.startswith(prefix):
            text = prefix + text
        return Generation(prompt, text.strip(), tokens, reason)

    def _generate(
        self, prompts: Sequence[str], config: SamplingParams, systems: list[str | None]
    ) -> list[Generation]:
        """``concurrency`` requests in flight at a time."""
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            jobs = zip(prompts, systems, strict=True)
            return list(pool.map(lambda job: self._request(job[0], config, job[1]), jobs))
