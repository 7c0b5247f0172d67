"""Decoding one prompt into several continuations that share its KV cache: fork, extend, rewind.

:class:`ForkingDecoder` is the plumbing under guided decoding (DeAL's candidate chunks, RAIN's
rewinds). The prompt is prefilled once; rows (continuations) are copied or dropped by index
(:meth:`ForkingDecoder.select`), grow together a chunk at a time (:meth:`extend`), and go back
to an earlier :class:`Snapshot` by cropping the cache (:meth:`rewind`). All rows have the same
length (a finished row is fed end-of-sequence tokens and ignored), so the cache needs no
padding. ``forward_rows`` counts the token positions computed for rows still generating:
greedy decoding costs exactly one per answer token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import torch
from transformers import DynamicCache

from beavertail.models.causal import LoadedLM, model_device
from beavertail.models.generation import SamplingParams
from beavertail.models.streaming import eos_ids, kv_layers, sample_token


@dataclass(frozen=True)
class Snapshot:
    """Where every row stood: cache length, next-token logits, tokens, log-likelihoods."""

    length: int
    logits: torch.Tensor
    tokens: tuple[tuple[int, ...], ...]
    finished: tuple[bool, ...]
    logprobs: tuple[float, ...]

    def pick(self, rows: Sequence[int]) -> Snapshot:
        """The snapshot of these rows only (to rewind rows selected from its rows)."""
        index = torch.tensor(list(rows))
        return Snapshot(
            self.length,
            self.logits[index],
            tuple(self.tokens[i] for i in rows),
            tuple(self.finished[i] for i in rows),
            tuple(self.logprobs[i] for i in rows),
        )


class ForkingDecoder:
    """Rows continuing one prompt, with a shared, forkable and rewindable KV cache."""

    def __init__(self, lm: LoadedLM, text: str) -> None:
        self.lm = lm
        self.device = model_device(lm.model)
        self.eos_ids = eos_ids(lm.tokenizer, lm.model)
        self.eos = next(iter(sorted(self.eos_ids)), lm.tokenizer.pad_token_id or 0)
        ids = lm.tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"]
        with torch.inference_mode():
            out = lm.model(input_ids=ids.to(self.device), use_cache=True)
        self.cache: DynamicCache = out.past_key_values
        self.logits = out.logits[:, -1].float().cpu()
        self.tokens: list[list[int]] = [[]]
        self.finished = [False]
        self.logprobs = [0.0]
        self.forward_rows = 0

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def length(self) -> int:
        return self.cache.get_seq_length()

    def text(self, row: int) -> str:
        text = cast(str, self.lm.tokenizer.decode(self.tokens[row], skip_special_tokens=True))
        return text.strip()

    def select(self, rows: Sequence[int]) -> None:
        """Keep these rows, in this order; an index may repeat (a fork copies the row)."""
        rows = list(rows)
        index = torch.tensor(rows, device=self.device)
        for layer in kv_layers(self.cache):
            layer.keys = layer.keys.index_select(0, index)
            layer.values = layer.values.index_select(0, index)
        self.logits = self.logits[torch.tensor(rows)]
        self.tokens = [list(self.tokens[i]) for i in rows]
        self.finished = [self.finished[i] for i in rows]
        self.logprobs = [self.logprobs[i] for i in rows]

    @torch.inference_mode()
    def extend(
        self,
        steps: int,
        samplings: Sequence[SamplingParams],
        generators: Sequence[torch.Generator],
    ) -> None:
        """Up to ``steps`` tokens per unfinished row, row ``i`` drawn with ``samplings[i]``;
        each row's log-likelihood (under the untempered model) grows with its tokens."""
        for _ in range(steps):
            if all(self.finished):
                return
            log_probs = torch.log_softmax(self.logits, dim=-1)
            next_ids, live = [], 0
            for row in range(len(self.tokens)):
                if self.finished[row]:
                    next_ids.append(self.eos)
                    continue
                token = sample_token(self.logits[row], samplings[row], generators[row])
                self.logprobs[row] += float(log_probs[row, token])
                next_ids.append(token)
                if token in self.eos_ids:
                    self.finished[row] = True
                else:
                    self.tokens[row].append(token)
                    live += 1
            self.forward_rows += live
            self._forward(torch.tensor(next_ids)[:, None])

    @torch.inference_mode()
    def force(self, tokens: Sequence[int]) -> None:
        """Feed known tokens to a single row in one forward (e.g. a chunk kept after its
        rewind), as if it had generated them."""
        if len(self.tokens) != 1:
            raise ValueError("force() continues a single row; select() one first")
        tokens = list(tokens)
        if not tokens:
            return
        first = torch.log_softmax(self.logits[0], -1)[None]
        later = torch.log_softmax(self._forward(torch.tensor([tokens]), all_logits=True)[0], -1)
        log_probs = torch.cat([first, later[:-1]])
        for position, token in enumerate(tokens):
            self.logprobs[0] += float(log_probs[position, token])
            if token in self.eos_ids:
                self.finished[0] = True
                break
            self.tokens[0].append(token)
            self.forward_rows += 1

    def _forward(self, input_ids: torch.Tensor, all_logits: bool = False) -> torch.Tensor:
        out = self.lm.model(
            input_ids=input_ids.to(self.device), past_key_values=self.cache, use_cache=True
        )
        self.cache = out.past_key_values
        self.logits = out.logits[:, -1].float().cpu()
        return out.logits.float().cpu() if all_logits else self.logits

    def snapshot(self) -> Snapshot:
        return Snapshot(
            self.length,
            self.logits.clone(),
            tuple(tuple(t) for t in self.tokens),
            tuple(self.finished),
            tuple(self.logprobs),
        )

    def rewind(self, snapshot: Snapshot) -> None:
        """Back to ``snapshot`` (same rows): the cache is cropped, nothing is recomputed."""
        if len(snapshot.tokens) != len(self.tokens):
            raise ValueError("rewind needs the rows the snapshot was taken with")
        if self.length > snapshot.length:
            self.cache.crop(snapshot.length - self.length)  # negative: tokens to remove
        self.logits = snapshot.logits.clone()
        self.tokens = [list(t) for t in snapshot.tokens]
        self.finished = list(snapshot.finished)
        self.logprobs = list(snapshot.logprobs)
