"""Where a judge's text comes from: local transformers, or any OpenAI-compatible endpoint.

Both backends follow the family's :class:`~beavertail.moderation.external.base.Decoding`:
a text request is tokenized with exactly the special tokens the family's reference adds
(``add_special_tokens`` set explicitly - locally in the tokenizer call, on an endpoint in the
request body, since vLLM's ``/completions`` adds the BOS by default), a chat request is
rendered by the model's own template and given no further special tokens; both return every
generated token with its alternatives, so the score can be read at the verdict token.
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import torch

from beavertail.models.causal import neutralize_special_tokens
from beavertail.models.openai_client import OpenAIEndpoint
from beavertail.models.progress import track
from beavertail.moderation.external.base import Completion, Decoding, Request


def auto_device(device: str = "auto") -> torch.device:
    """``auto``: the GPU when there is one, else the CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


class Backend(Protocol):
    def complete(
        self, requests: list[Request], decoding: Decoding, progress: bool = False
    ) -> list[Completion]: ...

    def identity(self) -> dict[str, Any]: ...


def _add(alternatives: dict[str, float], token: str, logprob: float) -> None:
    """Tokens that decode to the same text share one entry (their probabilities add)."""
    if token in alternatives:
        top = max(alternatives[token], logprob)
        low = min(alternatives[token], logprob)
        alternatives[token] = top + math.log1p(math.exp(low - top))
    else:
        alternatives[token] = logprob


class LocalBackend:
    """A causal LM run with transformers: chat requests through the model's own template,
    text requests as they are; greedy; every generated token with its top alternatives.

    ``LocalBackend(name)`` loads a model (safetensors only; Llama Guard 4 - ``llama4`` - as
    ``Llama4ForConditionalGeneration`` with its ``AutoProcessor``'s template, as Meta's
    example does); :meth:`from_loaded` wraps a model already in memory.
    """

    def __init__(
        self,
        model: str,
        device: str = "auto",
        batch_size: int = 8,
        use_fast_tokenizer: bool = True,
    ) -> None:
        self.device = auto_device(device)
        dtype = torch.bfloat16 if self.device.type == "cuda" else torch.float32
        chat_template = None
        if model.startswith("embedded:") or model.endswith(".gguf"):
            from beavertail.models.causal import load_lm

            lm = load_lm(model, dtype=dtype)
            loaded, tokenizer = lm.model, lm.tokenizer
        else:
            loaded, tokenizer, chat_template = _load(model, dtype, use_fast_tokenizer)
        self._setup(loaded, tokenizer, model, batch_size, chat_template)

    @classmethod
    def from_loaded(
        cls,
        model: Any,
        tokenizer: Any,
        name: str,
        batch_size: int = 8,
        chat_template: str | None = None,
    ) -> LocalBackend:
        """A backend over a model and tokenizer already loaded (on their device)."""
        backend = cls.__new__(cls)
        backend.device = next(model.parameters()).device
        backend._setup(model, tokenizer, name, batch_size, chat_template)
        return backend

    def _setup(
        self, model: Any, tokenizer: Any, name: str, batch_size: int, chat_template: str | None
    ) -> None:
        self.model_name = name
        self.model = model.to(self.device).eval()
        self.tokenizer = tokenizer
        self.chat_template = chat_template or getattr(tokenizer, "chat_template", None)
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.batch_size = batch_size

    def identity(self) -> dict[str, Any]:
        return {"kind": "local", "model": self.model_name}

    def render(self, request: Request, decoding: Decoding) -> str:
        """A request's text: chat messages through the model's own template."""
        if isinstance(request, str):
            return request
        return self.tokenizer.apply_chat_template(
            [self._plain_text(message) for message in request],
            chat_template=self.chat_template,
            tokenize=False,
            add_generation_prompt=decoding.add_generation_prompt,
        )

    def _plain_text(self, message: dict[str, Any]) -> dict[str, Any]:
        """The message with special tokens typed in its text split (they stay text: a judged
        answer cannot close its turn and write the judge's verdict)."""
        content = message.get("content")
        if isinstance(content, str):
            return {**message, "content": neutralize_special_tokens(self.tokenizer, content)}
        if isinstance(content, list):
            parts = [
                {**part, "text": neutralize_special_tokens(self.tokenizer, part["text"])}
                if isinstance(part, dict) and isinstance(part.get("text"), str)
                else part
                for part in content
            ]
            return {**message, "content": parts}
        return message

    def encode(self, request: Request, decoding: Decoding) -> list[int]:
        """The token ids the model reads for one request."""
        special = isinstance(request, str) and decoding.add_special_tokens
        text = self.render(request, decoding)
        return list(self.tokenizer(text, add_special_tokens=special)["input_ids"])

    def _label_ids(self, labels: tuple[str, ...]) -> list[int]:
        """Every token that starts one of the verdict words, spelt as the model would."""
        ids: set[int] = set()
        unknown = self.tokenizer.unk_token_id
        for label in labels:
            vocab_id = self.tokenizer.convert_tokens_to_ids(label)
            if isinstance(vocab_id, int) and vocab_id != unknown:
                ids.add(vocab_id)
            for spelt in (label, " " + label):
                encoded = self.tokenizer(spelt, add_special_tokens=False)["input_ids"]
                if encoded:
                    ids.add(int(encoded[0]))
        return sorted(ids)

    def _pieces(self, ids: list[int]) -> tuple[str, ...]:
        """Each token's share of the decoded text (the pieces concatenate to the text); a
        token ending inside a multi-byte character gets "" and the next one the character,
        as streaming detokenizers do."""
        pieces, emitted = [], ""
        for k in range(len(ids)):
            now = self.tokenizer.decode(ids[: k + 1], skip_special_tokens=True)
            if now.endswith("\ufffd") and k < len(ids) - 1:
                pieces.append("")
                continue
            same = 0
            while same < min(len(now), len(emitted)) and now[same] == emitted[same]:
                same += 1
            pieces.append(now[same:])
            emitted = now
        return tuple(pieces)

    @torch.inference_mode()
    def complete(
        self, requests: list[Request], decoding: Decoding, progress: bool = False
    ) -> list[Completion]:
        out: list[Completion] = []
        label_ids = self._label_ids(decoding.labels) if decoding.top_logprobs else []
        stops = {self.tokenizer.eos_token_id, self.tokenizer.pad_token_id}
        generation = getattr(self.model, "generation_config", None)
        eos = getattr(generation, "eos_token_id", None)
        stops |= set(eos) if isinstance(eos, list) else {eos}
        stops.discard(None)
        pad = int(self.tokenizer.pad_token_id)
        starts = range(0, len(requests), self.batch_size)
        for start in track(starts, len(starts), "judging", show=progress):
            rows = [self.encode(r, decoding) for r in requests[start : start + self.batch_size]]
            width = max(len(r) for r in rows)
            input_ids = torch.tensor([[pad] * (width - len(r)) + r for r in rows])
            mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows])
            generated = self.model.generate(
                input_ids=input_ids.to(self.device),
                attention_mask=mask.to(self.device),
                max_new_tokens=decoding.max_tokens,
                do_sample=False,
                output_logits=True,
                return_dict_in_generate=True,
                pad_token_id=pad,
            )
            new = generated.sequences[:, width:].tolist()
            logits = generated.logits
            for row, ids in enumerate(new):
                length = next((i + 1 for i, t in enumerate(ids) if t in stops), len(ids))
                ids = [t for t in ids[:length] if t not in stops]
                text = self.tokenizer.decode(ids, skip_special_tokens=True)
                tokens = alternatives = None
                if decoding.top_logprobs:
                    tokens = self._pieces(ids)
                    per_position = []
                    for position in range(len(ids)):
                        logp = torch.log_softmax(logits[position][row].float(), dim=-1)
                        top = logp.topk(decoding.top_logprobs)
                        chosen = dict.fromkeys(top.indices.tolist())
                        chosen.update(dict.fromkeys(label_ids))
                        found: dict[str, float] = {}
                        for token_id in chosen:
                            piece = self.tokenizer.decode([token_id])
                            _add(found, piece, float(logp[token_id]))
                        per_position.append(found)
                    alternatives = tuple(per_position)
                out.append(Completion(text, tokens, alternatives))
        return out


def _load(model: str, dtype: torch.dtype, use_fast: bool) -> tuple[Any, Any, str | None]:
    """A Hub id or folder: weights from safetensors only, and the tokenizer the family's
    reference uses (``use_fast``)."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    config = AutoConfig.from_pretrained(model)
    if config.model_type == "llama4":  # Llama Guard 4: Meta's example loads it this way
        from transformers import AutoProcessor, Llama4ForConditionalGeneration

        processor = AutoProcessor.from_pretrained(model)
        llama4 = Llama4ForConditionalGeneration.from_pretrained(
            model, dtype=dtype, use_safetensors=True
        )
        return llama4, processor.tokenizer, processor.chat_template
    tokenizer = AutoTokenizer.from_pretrained(model, use_fast=use_fast)
    loaded = AutoModelForCausalLM.from_pretrained(model, dtype=dtype, use_safetensors=True)
    return loaded, tokenizer, None


class EndpointBackend:
    """Any OpenAI-compatible server (vLLM, TGI, ``beavertail serve``) through the shared
    ``openai`` client (:class:`~beavertail.models.openai_client.OpenAIEndpoint`): text
    requests to ``/completions``, chat requests to ``/chat/completions``; at most
    ``concurrency`` requests in flight; the client retries failures (429, 5xx, timeouts) with
    exponential backoff up to ``retries`` times, each try bounded by ``timeout`` seconds.

    A guard family's request carries ``add_special_tokens`` (and, for a chat,
    ``add_generation_prompt``) explicitly, as vLLM reads them; a rubric family's chat request
    (any chat model, hosted ones included) sends only OpenAI's own fields.
    """

    def __init__(
        self,
        base_url: str,
        model: str | None,
        concurrency: int = 8,
        retries: int = 3,
        timeout: float = 60.0,
        api_key: str | None = None,
        vllm_fields: bool = True,
    ) -> None:
        self.base_url, self.model = base_url, model
        self.concurrency = concurrency
        self.vllm_fields = vllm_fields
        self.client = OpenAIEndpoint(base_url, api_key, timeout, retries).client()
        self._lock = threading.Lock()
        self.in_flight = 0
        self.peak_in_flight = 0  # the most requests ever in flight at once (tests read it)

    def identity(self) -> dict[str, Any]:
        return {"kind": "endpoint", "url": self.base_url, "model": self.model}

    def _model(self) -> str:
        if self.model is None:
            self.model = self.client.models.list().data[0].id
        return self.model

    def body(self, request: Request, decoding: Decoding) -> dict[str, Any]:
        """The request's fields beyond OpenAI's (sent as ``extra_body``)."""
        if not self.vllm_fields:
            return {}
        if isinstance(request, str):
            return {"add_special_tokens": decoding.add_special_tokens}
        return {
            "add_special_tokens": False,
            "add_generation_prompt": decoding.add_generation_prompt,
        }

    def _one(self, request: Request, decoding: Decoding) -> Completion:
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            k = decoding.top_logprobs
            if isinstance(request, str):
                answer = self.client.completions.create(
                    model=self._model(),
                    prompt=request,
                    max_tokens=decoding.max_tokens,
                    temperature=0,
                    logprobs=k,
                    extra_body=self.body(request, decoding),
                )
                choice = answer.choices[0]
                tokens = alternatives = None
                if k and choice.logprobs and choice.logprobs.tokens:
                    tokens = tuple(choice.logprobs.tokens)
                    alternatives = tuple(dict(a or {}) for a in choice.logprobs.top_logprobs or [])
                return Completion(choice.text or "", tokens, alternatives)
            extra: dict[str, Any] = {"logprobs": True, "top_logprobs": k} if k else {}
            chat = self.client.chat.completions.create(
                model=self._model(),
                messages=request,  # type: ignore[arg-type]
                max_tokens=decoding.max_tokens,
                temperature=0,
                extra_body=self.body(request, decoding),
                **extra,
            )
            chat_choice = chat.choices[0]
            content = chat_choice.logprobs.content if chat_choice.logprobs else None
            tokens = alternatives = None
            if k and content:
                tokens = tuple(t.token for t in content)
                alternatives = tuple({a.token: a.logprob for a in t.top_logprobs} for t in content)
            return Completion(chat_choice.message.content or "", tokens, alternatives)
        finally:
            with self._lock:
                self.in_flight -= 1

    def complete(
        self, requests: list[Request], decoding: Decoding, progress: bool = False
    ) -> list[Completion]:
        self._model()  # resolved once, before the threads
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            futures = [pool.submit(self._one, r, decoding) for r in requests]
            return [f.result() for f in track(futures, len(futures), "judging", show=progress)]
