"""Token-by-token batched decoding, for streaming and for stopping rows mid-generation.

:class:`BatchDecoder` runs its own loop over the model with a KV cache (left-padded prompts,
explicit position ids) that rows join and leave between steps (continuous batching). A caller
sees every token as it is produced and can stop any row at any step: the streaming monitor
stops harmful answers; the server streams deltas, drops rows whose client went away and
admits waiting requests into the freed rows. Hooks (steering) see a prompt pass as one forward
of length > 1 and each generated token as a forward of length 1, exactly as under
``model.generate``; greedy decoding gives the same tokens as
:class:`~beavertail.models.generation.LocalGenerator`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import torch
from tokenizers.decoders import DecodeStream
from transformers import DynamicCache, PreTrainedTokenizerBase

from beavertail.models.causal import LoadedLM, model_device
from beavertail.models.generation import HookFactory, SamplingParams


@dataclass(frozen=True)
class DecodeRequest:
    """One row: the already formatted model input and its sampling parameters."""

    text: str
    sampling: SamplingParams = field(default_factory=SamplingParams)
    logprobs: int | None = None  # record each token's log-probability and this many others


@dataclass(frozen=True)
class TokenLogprob:
    """A generated token, its log-probability and the most likely alternatives."""

    token: str
    logprob: float
    top: list[tuple[str, float]]


class KVLayer(Protocol):
    """One layer of a decoder-only LM's ``DynamicCache``: its key and value tensors."""

    keys: torch.Tensor
    values: torch.Tensor


def kv_layers(cache: DynamicCache) -> list[KVLayer]:
    """The cache's layers, each holding its tensors (once a forward pass has filled it)."""
    return cast(list[KVLayer], cache.layers)


# (step, {row key: new token id}) -> row keys to stop now
StepCallback = Callable[[int, Mapping[Any, int]], Iterable[Any]]


def sample_token(logits: torch.Tensor, sampling: SamplingParams, generator: torch.Generator) -> int:
    """One token from a row's logits: greedy at temperature 0, else seeded sampling after
    temperature, top-k (0: off) and top-p (nucleus) filtering."""
    if sampling.temperature <= 0:
        return int(logits.argmax())
    scaled = logits.float() / sampling.temperature
    if 0 < sampling.top_k < scaled.shape[-1]:
        kth = scaled.topk(sampling.top_k).values[-1]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
    probs = torch.softmax(scaled, dim=-1)
    if sampling.top_p < 1.0:
        sorted_probs, order = probs.sort(descending=True)
        keep = sorted_probs.cumsum(0) - sorted_probs < sampling.top_p
        probs = torch.zeros_like(probs).scatter(0, order[keep], sorted_probs[keep])
    return int(torch.multinomial(probs, 1, generator=generator))


class RowHooks(Protocol):
    """What a hook context may yield when it keeps per-row state (the steering router): the
    decoder tells it which rows stay when rows leave the batch."""

    def select_rows(self, indices: list[int]) -> None: ...


@dataclass
class _Row:
    key: Hashable
    sampling: SamplingParams
    generator: torch.Generator
    count: int = 0
    logprobs: int | None = None


class BatchDecoder:
    """Continuous batching: rows join (``add``) and leave (finished, stopped, cancelled)
    between decoding steps, each with its own KV cache entries.

    The batch is one left-padded KV cache: joining rows are prefilled in one forward and
    padded into it, leaving rows are dropped from it, and padding columns no row needs any
    more are cut. Positions are explicit per row, so every row decodes as it would alone
    (up to batching numerics). Use as a context manager: the hooks (steering) stay installed
    for the decoder's life, and a hook context that keeps per-row state is told which rows
    stay (:class:`RowHooks`).
    """

    def __init__(self, lm: LoadedLM, hooks: HookFactory | None = None) -> None:
        self.lm = lm
        self.device = model_device(lm.model)
        self.eos_ids = eos_ids(lm.tokenizer, lm.model)
        self.rows: list[_Row] = []
        self._hooks = hooks
        self._stack = ExitStack()
        self._row_hooks: RowHooks | None = None
        self._cache: DynamicCache | None = None
        self._mask = torch.zeros(0, 0, dtype=torch.long, device=self.device)
        self._positions = torch.zeros(0, dtype=torch.long, device=self.device)
        self._logits = torch.zeros(0, 0)
        self.steps = 0
        self._token_logprobs: dict[Hashable, list[TokenLogprob]] = {}

    def __enter__(self) -> BatchDecoder:
        if self._hooks is not None:
            handle = self._stack.enter_context(self._hooks())
            self._row_hooks = handle if hasattr(handle, "select_rows") else None
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def hook_state(self) -> RowHooks | None:
        """What the hook context yielded, when it keeps per-row state (the steering router's
        routes of the rows that joined at the last prefill)."""
        return self._row_hooks

    @property
    def keys(self) -> list[Hashable]:
        return [r.key for r in self.rows]

    @torch.inference_mode()
    def add(self, items: Sequence[tuple[Hashable, DecodeRequest]]) -> None:
        """Prefill new rows (one forward) and pad them into the running batch."""
        if not items:
            return
        enc = self.lm.tokenizer(
            [r.text for _, r in items], return_tensors="pt", padding=True, add_special_tokens=False
        ).to(self.device)
        mask = enc["attention_mask"]
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        out = self.lm.model(
            input_ids=enc["input_ids"], attention_mask=mask, position_ids=positions, use_cache=True
        )
        self.rows += [
            _Row(
                key, r.sampling, torch.Generator().manual_seed(r.sampling.seed), logprobs=r.logprobs
            )
            for key, r in items
        ]
        for key, r in items:
            if r.logprobs is not None:
                self._token_logprobs[key] = []
        logits = out.logits[:, -1].float().cpu()
        next_positions = mask.sum(-1)
        if self._cache is None:
            self._cache, self._mask, self._positions = out.past_key_values, mask, next_positions
            self._logits = logits
            return
        width = max(self._mask.shape[1], mask.shape[1])
        layers = [
            (
                torch.cat([_pad_left(a.keys, width), _pad_left(b.keys, width)]),
                torch.cat([_pad_left(a.values, width), _pad_left(b.values, width)]),
            )
            for a, b in zip(kv_layers(self._cache), kv_layers(out.past_key_values), strict=True)
        ]
        self._cache = DynamicCache(layers)
        self._mask = torch.cat([_pad_left(self._mask, width), _pad_left(mask, width)])
        self._positions = torch.cat([self._positions, next_positions])
        self._logits = torch.cat([self._logits, logits])

    @torch.inference_mode()
    def step(self, on_step: StepCallback | None = None) -> dict[Hashable, str]:
        """Sample one token per row, let ``on_step`` stop rows, drop the finished rows and
        run the rest forward. Returns the rows that finished, with their reason: ``stop``
        (end of sequence), ``length`` (``max_new_tokens`` reached) or ``stopped`` (the
        callback asked)."""
        finished: dict[Hashable, str] = {}
        new: dict[Hashable, int] = {}
        next_ids = []
        for index, row in enumerate(self.rows):
            token = sample_token(self._logits[index], row.sampling, row.generator)
            next_ids.append(token)
            if row.logprobs is not None and token not in self.eos_ids:
                self._token_logprobs[row.key].append(self._logprob(index, token, row.logprobs))
            if token in self.eos_ids:
                finished[row.key] = "stop"
                continue
            row.count += 1
            new[row.key] = token
            if row.count >= row.sampling.max_new_tokens:
                finished[row.key] = "length"
        if on_step is not None and new:
            for key in on_step(self.steps, new):
                if key in new and finished.get(key, "length") == "length":
                    finished[key] = "stopped"
        self.steps += 1
        keep = [i for i, row in enumerate(self.rows) if row.key not in finished]
        if len(keep) < len(self.rows):
            self._select(keep)
            next_ids = [next_ids[i] for i in keep]
        if self.rows:
            ones = torch.ones(len(self.rows), 1, dtype=self._mask.dtype, device=self.device)
            self._mask = torch.cat([self._mask, ones], dim=1)
            out = self.lm.model(
                input_ids=torch.tensor(next_ids, device=self.device)[:, None],
                attention_mask=self._mask,
                position_ids=self._positions[:, None],
                past_key_values=self._cache,
                use_cache=True,
            )
            self._cache = out.past_key_values
            self._positions = self._positions + 1
            self._logits = out.logits[:, -1].float().cpu()
        return finished

    def _logprob(self, index: int, token: int, alternatives: int) -> TokenLogprob:
        """The sampled token's log-probability (of the model's distribution, before
        temperature) and the ``alternatives`` most likely tokens'."""
        logp = torch.log_softmax(self._logits[index].float(), dim=-1)
        tokenizer = self.lm.tokenizer

        def decode(ids: list[int]) -> str:
            return cast(str, tokenizer.decode(ids))  # one sequence of ids: its text

        top = logp.topk(alternatives) if alternatives else None
        others = [] if top is None else [
            (decode([int(i)]), float(v)) for v, i in zip(top.values, top.indices, strict=True)
        ]  # fmt: skip
        return TokenLogprob(decode([token]), float(logp[token]), others)

    def pop_logprobs(self, key: Hashable) -> list[TokenLogprob] | None:
        """A finished row's token log-probabilities (None when it asked for none)."""
        return self._token_logprobs.pop(key, None)

    def _select(self, keep: list[int]) -> None:
        """Keep only these rows, and cut the padding columns no remaining row needs."""
        self.rows = [self.rows[i] for i in keep]
        if self._row_hooks is not None:
            self._row_hooks.select_rows(keep)
        if not keep:
            self._cache = None
            self._mask = self._mask[:0, :0]
            self._positions = self._positions[:0]
            self._logits = self._logits[:0]
            return
        index = torch.tensor(keep, device=self.device)
        self._mask = self._mask[index]
        self._positions = self._positions[index]
        self._logits = self._logits[torch.tensor(keep)]
        used = self._mask.any(0).nonzero()
        start = int(used[0]) if len(used) else 0
        self._mask = self._mask[:, start:]
        assert self._cache is not None
        for layer in kv_layers(self._cache):
            layer.keys = layer.keys[index, :, start:]
            layer.values = layer.values[index, :, start:]


def _pad_left(tensor: torch.Tensor, width: int) -> torch.Tensor:
    """Zero-pad the sequence axis (-2 for cache tensors, -1 for masks) on the left."""
    axis = -1 if tensor.dim() == 2 else -2
    missing = width - tensor.shape[axis]
    if missing == 0:
        return tensor
    shape = list(tensor.shape)
    shape[axis] = missing
    return torch.cat([tensor.new_zeros(shape), tensor], dim=axis)


def decode_batch(
    lm: LoadedLM,
    requests: list[DecodeRequest],
    on_step: StepCallback | None = None,
    hooks: HookFactory | None = None,
) -> list[str]:
    """Decode a fixed set of rows together (all join at once); returns each row's finish
    reason (see :meth:`BatchDecoder.step`). Rows are keyed by their index."""
    reasons: dict[Hashable, str] = {}
    with BatchDecoder(lm, hooks) as decoder:
        decoder.add(list(enumerate(requests)))
        while len(decoder):
            reasons |= decoder.step(on_step)
    return [reasons[i] for i in range(len(requests))]


def eos_ids(tok: PreTrainedTokenizerBase, model: torch.nn.Module) -> set[int]:
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

    def push_text(self, delta: str) -> str:
        """Add text that arrived as text (a remote stream): its tokens are counted with this
        tokenizer, so checks fall every k tokens as they would locally."""
        self.ids.extend(self.tokenizer(delta, add_special_tokens=False)["input_ids"])
        if not self.text:
            delta = delta.lstrip()
        self.text += delta
        return delta

    def push(self, token: int) -> str:
        """Add a token; return the newly completed text (may be empty)."""
        self.ids.append(token)
        if self._stream is not None and self._backend is not None:
            delta = self._stream.step(self._backend, token) or ""
            if not self.text:
                delta = delta.lstrip()  # as a full decode of the answer would start
        else:
            decoded = cast(str, self.tokenizer.decode(self.ids, skip_special_tokens=True))
            if decoded.endswith("\ufffd") or not decoded.startswith(self.text):
                return ""  # an incomplete multi-byte character: wait for the next token
            delta = decoded[len(self.text) :]
        self.text += delta
        return delta
