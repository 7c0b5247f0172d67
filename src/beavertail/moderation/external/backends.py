"""Where a judge's text comes from: local transformers, or any OpenAI-compatible endpoint."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import torch

from beavertail.models.progress import track
from beavertail.moderation.external.base import Completion, Request


def auto_device(device: str = "auto") -> torch.device:
    """``auto``: the GPU when there is one, else the CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


class Backend(Protocol):
    def complete(
        self,
        requests: list[Request],
        max_tokens: int,
        top_logprobs: int | None = None,
        progress: bool = False,
    ) -> list[Completion]: ...

    def identity(self) -> dict[str, Any]: ...


class LocalBackend:
    """A causal LM run with transformers: chat requests through its own chat template,
    text requests as they are; greedy; the first token's top log-probabilities."""

    def __init__(self, model: str, device: str = "auto", batch_size: int = 8) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from beavertail.models.causal import load_lm

        self.model_name = model
        self.device = auto_device(device)
        dtype = torch.bfloat16 if self.device.type == "cuda" else torch.float32
        if model.startswith("embedded:") or model.endswith(".gguf"):
            lm = load_lm(model, dtype=dtype)
            self.model, self.tokenizer = lm.model, lm.tokenizer
        else:
            self.tokenizer = AutoTokenizer.from_pretrained(model)
            self.model = AutoModelForCausalLM.from_pretrained(
                model, dtype=dtype, use_safetensors=True
            )
        self.model.to(self.device).eval()
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.batch_size = batch_size

    def identity(self) -> dict[str, Any]:
        return {"kind": "local", "model": self.model_name}

    def _text(self, request: Request) -> str:
        if isinstance(request, str):
            return request
        return self.tokenizer.apply_chat_template(
            request, tokenize=False, add_generation_prompt=True
        )

    @torch.inference_mode()
    def complete(
        self,
        requests: list[Request],
        max_tokens: int,
        top_logprobs: int | None = None,
        progress: bool = False,
    ) -> list[Completion]:
        out: list[Completion] = []
        starts = range(0, len(requests), self.batch_size)
        for start in track(starts, len(starts), "judging", show=progress):
            texts = [self._text(r) for r in requests[start : start + self.batch_size]]
            enc = self.tokenizer(
                texts, return_tensors="pt", padding=True, add_special_tokens=False
            ).to(self.device)
            generated = self.model.generate(
                **enc,
                max_new_tokens=max_tokens,
                do_sample=False,
                output_scores=True,
                return_dict_in_generate=True,
                pad_token_id=self.tokenizer.pad_token_id,
            )
            new = generated.sequences[:, enc["input_ids"].shape[1] :]
            first = torch.log_softmax(generated.scores[0].float(), dim=-1)
            for row, ids in enumerate(new):
                logprobs = None
                if top_logprobs:
                    top = first[row].topk(top_logprobs)
                    logprobs = {
                        self.tokenizer.decode([int(i)]): float(v)
                        for v, i in zip(top.values, top.indices, strict=True)
                    }
                text = self.tokenizer.decode(ids, skip_special_tokens=True)
                out.append(Completion(text, logprobs))
        return out


class EndpointBackend:
    """Any OpenAI-compatible server (vLLM, TGI, ``beavertail serve``) through the ``openai``
    client: text requests to ``/completions``, chat requests to ``/chat/completions``; at most
    ``concurrency`` requests in flight; the client retries failures (429, 5xx, timeouts) with
    exponential backoff up to ``retries`` times, each try bounded by ``timeout`` seconds."""

    def __init__(
        self,
        base_url: str,
        model: str | None,
        concurrency: int = 8,
        retries: int = 3,
        timeout: float = 60.0,
        api_key: str | None = None,
    ) -> None:
        from openai import OpenAI

        self.base_url, self.model = base_url, model
        self.concurrency = concurrency
        self.client = OpenAI(
            base_url=base_url, api_key=api_key or "unused", max_retries=retries, timeout=timeout
        )
        self._lock = threading.Lock()
        self.in_flight = 0
        self.peak_in_flight = 0  # the most requests ever in flight at once (tests read it)

    def identity(self) -> dict[str, Any]:
        return {"kind": "endpoint", "url": self.base_url, "model": self.model}

    def _model(self) -> str:
        if self.model is None:
            self.model = self.client.models.list().data[0].id
        return self.model

    def _one(self, request: Request, max_tokens: int, top_logprobs: int | None) -> Completion:
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            if isinstance(request, str):
                answer = self.client.completions.create(
                    model=self._model(),
                    prompt=request,
                    max_tokens=max_tokens,
                    temperature=0,
                    logprobs=top_logprobs,
                )
                choice = answer.choices[0]
                logprobs = None
                if top_logprobs and choice.logprobs and choice.logprobs.top_logprobs:
                    logprobs = dict(choice.logprobs.top_logprobs[0])
                return Completion(choice.text or "", logprobs)
            extra: dict[str, Any] = {}
            if top_logprobs:
                extra = {"logprobs": True, "top_logprobs": top_logprobs}
            answer = self.client.chat.completions.create(
                model=self._model(),
                messages=request,
                max_tokens=max_tokens,
                temperature=0,
                **extra,
            )  # type: ignore[call-overload]
            choice = answer.choices[0]
            logprobs = None
            content = choice.logprobs.content if choice.logprobs else None
            if top_logprobs and content:
                logprobs = {t.token: t.logprob for t in content[0].top_logprobs}
            return Completion(choice.message.content or "", logprobs)
        finally:
            with self._lock:
                self.in_flight -= 1

    def complete(
        self,
        requests: list[Request],
        max_tokens: int,
        top_logprobs: int | None = None,
        progress: bool = False,
    ) -> list[Completion]:
        self._model()  # resolved once, before the threads
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            futures = [pool.submit(self._one, r, max_tokens, top_logprobs) for r in requests]
            return [f.result() for f in track(futures, len(futures), "judging", show=progress)]
