"""MLP neurons of a causal LM: where they live, how to read them, and which ones a set picks.

A "neuron" is one channel of a decoder block's MLP intermediate activation, the input of its
``down_proj`` (Llama: ``act(gate(x)) * up(x)``). Hooks on ``down_proj``'s input read or
replace them; a neuron set is ``{layer: channel indices}`` on the (layers x width) grid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

import numpy as np
import torch

from beavertail.models.causal import LoadedLM, chat_text, model_device
from beavertail.models.hooks import decoder_layers

NeuronSet = dict[int, torch.Tensor]  # layer -> sorted channel indices (int64)
# (layer, down_proj input (batch, seq, width)) -> a replacement input, or None to keep it
NeuronHook = Callable[[int, torch.Tensor], torch.Tensor | None]


def down_projection(model: torch.nn.Module, layer: int) -> torch.nn.Module:
    """The module whose input is ``layer``'s MLP neurons (``mlp.down_proj`` or its alias)."""
    block = decoder_layers(model)[layer]
    mlp = getattr(block, "mlp", None) or getattr(block, "feed_forward", None)
    for name in ("down_proj", "c_proj", "fc2", "w2"):
        if mlp is not None and hasattr(mlp, name):
            return getattr(mlp, name)
    raise ValueError(f"no MLP down projection found in layer {layer} ({type(block).__name__})")


def neuron_grid(lm: LoadedLM) -> tuple[int, int]:
    """(layers, neurons per layer) of the model's MLPs."""
    width = cast(torch.nn.Linear, down_projection(lm.model, 0)).in_features
    return lm.num_layers, int(width)


@contextmanager
def on_neurons(
    model: torch.nn.Module, hook: NeuronHook, layers: Sequence[int] | None = None
) -> Iterator[None]:
    """Call ``hook(layer, neurons)`` on every forward of the chosen layers' MLPs (all by
    default); a tensor it returns replaces the neurons. Leaving the block removes the hooks."""

    def pre_hook_for(layer: int) -> Callable:
        def pre_hook(_module, args):
            replaced = hook(layer, args[0])
            return None if replaced is None else (replaced, *args[1:])

        return pre_hook

    chosen = range(len(decoder_layers(model))) if layers is None else layers
    handles = [
        down_projection(model, layer).register_forward_pre_hook(pre_hook_for(layer))
        for layer in chosen
    ]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def flat_to_set(flat: torch.Tensor, width: int) -> NeuronSet:
    """Flat indices on the (layers x width) grid as ``{layer: channels}``."""
    out: NeuronSet = {}
    for layer in sorted({int(i) // width for i in flat.tolist()}):
        channels = flat[flat // width == layer] % width
        out[layer] = channels.sort().values.to(torch.long)
    return out


def set_size(neurons: NeuronSet) -> int:
    return sum(len(v) for v in neurons.values())


@dataclass
class TextBatch:
    """A tokenised, left-padded batch of chat-formatted prompts (plus answers)."""

    index: np.ndarray  # row -> position in the caller's list
    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    prompt_lengths: list[int]  # tokens of each row's formatted prompt

    def answer_span(self, row: int) -> tuple[int, int]:
        """Positions ``[start, end)`` of the row's answer tokens (after left padding)."""
        seq = self.input_ids.shape[1]
        real = int(self.attention_mask[row].sum())
        start = seq - real + min(self.prompt_lengths[row], real)
        return start, seq

    def producing_positions(self, row: int) -> list[int]:
        """Positions whose activations produced the answer's tokens: the last prompt token
        and every answer token but the last (during decoding, exactly the passes that ran
        before the newest token was sampled). Without an answer: the last prompt token."""
        start, end = self.answer_span(row)
        return list(range(start - 1, max(end - 1, start)))


def text_batches(
    lm: LoadedLM,
    prompts: Sequence[str],
    answers: Sequence[str] | None = None,
    batch_size: int = 8,
    max_length: int = 256,
) -> Iterator[TextBatch]:
    """Batches of chat-formatted prompts (+ answers), longest first; answers that do not fit
    ``max_length`` are cut at the end, prompts are kept whole."""
    tok = lm.tokenizer
    heads = [chat_text(tok, p, None) for p in prompts]
    head_ids = tok(heads, add_special_tokens=False)["input_ids"]
    answer_ids = (
        tok(list(answers), add_special_tokens=False)["input_ids"]
        if answers is not None
        else [[] for _ in heads]
    )
    rows = [h + a[: max(0, max_length - len(h))] for h, a in zip(head_ids, answer_ids, strict=True)]
    order = np.argsort([len(r) for r in rows], kind="stable")[::-1]
    pad = tok.pad_token_id
    device = model_device(lm.model)
    for start in range(0, len(order), batch_size):
        index = order[start : start + batch_size]
        width = max(len(rows[i]) for i in index)
        ids = torch.full((len(index), width), pad, dtype=torch.long)
        mask = torch.zeros((len(index), width), dtype=torch.long)
        for r, i in enumerate(index):
            ids[r, width - len(rows[i]) :] = torch.tensor(rows[i])
            mask[r, width - len(rows[i]) :] = 1
        yield TextBatch(index, ids.to(device), mask.to(device), [len(head_ids[i]) for i in index])


@torch.inference_mode()
def forward_neurons(
    lm: LoadedLM, batch: TextBatch, layers: Sequence[int] | None = None
) -> dict[int, torch.Tensor]:
    """Every chosen layer's neurons ``(batch, seq, width)`` for one batch (float32, CPU)."""
    captured: dict[int, torch.Tensor] = {}

    def keep(layer: int, neurons: torch.Tensor) -> None:
        captured[layer] = neurons.detach().float().cpu()

    positions = (batch.attention_mask.cumsum(-1) - 1).clamp(min=0)
    with on_neurons(lm.model, keep, layers):
        lm.model.base_model(  # the decoder only: no logits are needed
            input_ids=batch.input_ids, attention_mask=batch.attention_mask, position_ids=positions
        )
    return captured
