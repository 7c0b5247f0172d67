"""Token-by-token batched decoding, for streaming and for stopping rows mid-generation.

``decode_batch`` runs its own loop over the model with a KV cache (left-padded prompts,
explicit position ids), so a caller sees every token as it is produced and can stop any row
at any step: the streaming monitor stops harmful answers, the server streams deltas and drops
rows whose client went away. Hooks (steering) see the prompt pass as one forward of length > 1
and each generated token as a forward of length 1, exactly as under ``model.generate``; greedy
decoding gives the same tokens as :class:`~beavertail.models.generation.LocalGenerator`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field

import torch
from tokenizers.decoders import DecodeStream
from transformers import PreTrainedTokenizerBase

from beavertail.models.causal import LoadedLM, model_device
from beavertail.models.generation import HookFactory, SamplingParams


@dataclass(frozen=True)
class DecodeRequest:
    """One row: the already formatted model input and its sampling parameters."""

    text: str
    sampling: SamplingParams = field(default_factory=SamplingParams)


# (step, {row: new token id}) -> rows to stop now
StepCallback = Callable[[int, Mapping[int, int]], Iterable[int]]


def _sample(logits: torch.Tensor, sampling: SamplingParams, generator: torch.Generator) -> int:
    if sampling.temperature <= 0:
        return int(logits.argmax())
    probs = torch.softmax(logits.float() / sampling.temperature, dim=-1)
    if sampling.top_p < 1.0:
        sorted_probs, order = probs.sort(descending=True)
        keep = sorted_probs.cumsum(0) - sorted_probs < sampling.top_p
        probs = torch.zeros_like(probs).scatter(0, order[keep], sorted_probs[keep])
    return int(torch.multinomial(probs, 1, generator=generator))


@torch.inference_mode()
def decode_batch(
    lm: LoadedLM,
    requests: list[DecodeRequest],
    on_step: StepCallback | None = None,
    hooks: HookFactory | None = None,
) -> list[str]:
    """Decode all rows together; returns each row's finish reason.

    Reasons: ``stop`` (end of sequence), ``length`` (``max_new_tokens`` reached) or
    ``stopped`` (the callback asked to stop the row).
    """
    if not requests:
        return []
    tok = lm.tokenizer
    model = lm.model
    enc = tok(
        [r.text for r in requests], return_tensors="pt", padding=True, add_special_tokens=False
    )
    device = model_device(model)
    enc = enc.to(device)
    mask = enc["attention_mask"]
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    eos_ids = _eos_ids(tok, model)
    generators = [torch.Generator().manual_seed(r.sampling.seed) for r in requests]
    reasons: list[str | None] = [None] * len(requests)
    counts = [0] * len(requests)
    pad = tok.pad_token_id if tok.pad_token_id is not None else next(iter(eos_ids))
    with hooks() if hooks else nullcontext():
        out = model(
            input_ids=enc["input_ids"], attention_mask=mask, position_ids=positions, use_cache=True
        )
        step = 0
        while True:
            logits = out.logits[:, -1].float().cpu()
            new: dict[int, int] = {}
            next_ids = torch.full((len(requests),), pad, dtype=torch.long)
            for row, request in enumerate(requests):
                if reasons[row] is not None:
                    continue
                token = _sample(logits[row], request.sampling, generators[row])
                if token in eos_ids:
                    reasons[row] = "stop"
                    continue
                counts[row] += 1
                new[row] = token
                next_ids[row] = token
                if counts[row] >= request.sampling.max_new_tokens:
                    reasons[row] = "length"
            if on_step is not None and new:
                for row in on_step(step, new):
                    if reasons[row] is None or reasons[row] == "length":
                        reasons[row] = "stopped"
            if all(r is not None for r in reasons):
                break
            ones = torch.ones(len(requests), 1, dtype=mask.dtype, device=device)
            mask = torch.cat([mask, ones], dim=1)
            positions = positions[:, -1:] + 1
            out = model(
                input_ids=next_ids[:, None].to(device),
                attention_mask=mask,
                position_ids=positions,
                past_key_values=out.past_key_values,
                use_cache=True,
            )
            step += 1
    return [r or "length" for r in reasons]


def _eos_ids(tok: PreTrainedTokenizerBase, model: torch.nn.Module) -> set[int]:
    ids = {tok.eos_token_id} if tok.eos_token_id is not None else set()
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    if isinstance(configured, int):
        ids.add(configured)
    elif configured:
        ids.update(configured)
    return ids


class IncrementalText:
    """Turns a growing list of token ids into text deltas (no split characters).

    Fast tokenizers use the tokenizers library's ``DecodeStream`` (incremental detokenisation:
    every token's text is emitted once it is complete, whatever clean-up the full decode
    would do), so ``text`` always covers every generated token. Slow tokenizers fall back to
    diffing full decodes."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase) -> None:
        self.tokenizer = tokenizer
        self.ids: list[int] = []
        self.text = ""
        backend = getattr(tokenizer, "backend_tokenizer", None)
        self._backend = backend
        self._stream = DecodeStream(skip_special_tokens=True) if backend is not None else None

    def push(self, token: int) -> str:
        """Add a token; return the newly completed text (may be empty)."""
        self.ids.append(token)
        if self._stream is not None:
            delta = self._stream.step(self._backend, token) or ""
            if not self.text:
                delta = delta.lstrip()  # as a full decode of the answer would start
        else:
            decoded = self.tokenizer.decode(self.ids, skip_special_tokens=True)
            if decoded.endswith("\ufffd") or not decoded.startswith(self.text):
                return ""  # an incomplete multi-byte character: wait for the next token
            delta = decoded[len(self.text) :]
        self.text += delta
        return delta
