"""Activation capture and interventions on a causal LM's decoder layers (hooks as contexts).

Works on Llama- and Gemma-style models and on both layer-output conventions of transformers
(a plain tensor, or a tuple whose first item is the hidden state).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch

from beavertail.models.causal import LoadedLM, chat_text, model_device
from beavertail.models.progress import track

Site = Literal["resid", "attn"]
Position = Literal["last_prompt", "mean_prompt", "mean_response", "mean_all"]
Scope = Literal["prompt", "generated", "all"]
SITES: tuple[str, ...] = ("resid", "attn")
POSITIONS: tuple[str, ...] = ("last_prompt", "mean_prompt", "mean_response", "mean_all")
SCOPES: tuple[str, ...] = ("prompt", "generated", "all")


class StopForward(Exception):
    """Raised by a capture hook to end a forward pass once the deepest wanted layer ran."""


def decoder_layers(model: torch.nn.Module) -> torch.nn.ModuleList:
    """The model's list of decoder blocks (``model.model.layers`` for Llama and Gemma-3)."""
    n = getattr(model.config, "num_hidden_layers", None)
    inner = getattr(model, "model", None)
    layers = getattr(inner, "layers", None)
    if isinstance(layers, torch.nn.ModuleList):
        return layers
    for module in model.modules():
        if isinstance(module, torch.nn.ModuleList) and len(module) == n:
            return module
    raise ValueError(f"cannot find the decoder layers of {type(model).__name__}")


def site_module(model: torch.nn.Module, layer: int, site: Site) -> torch.nn.Module:
    """The module whose output is ``site`` at ``layer``: the block (resid) or its attention."""
    layers = decoder_layers(model)
    if not -len(layers) <= layer < len(layers):
        raise ValueError(f"layer {layer} out of range: the model has {len(layers)} layers")
    block = layers[layer]
    if site == "resid":
        return block
    if site == "attn":
        for name in ("self_attn", "attention", "attn"):
            if hasattr(block, name):
                return getattr(block, name)
        raise ValueError(f"no attention module found in {type(block).__name__}")
    raise ValueError(f"unknown site {site!r}; choose from {SITES}")


def hidden_of(output: torch.Tensor | tuple) -> torch.Tensor:
    return output[0] if isinstance(output, tuple) else output


def with_hidden(output: torch.Tensor | tuple, hidden: torch.Tensor) -> torch.Tensor | tuple:
    return (hidden, *output[1:]) if isinstance(output, tuple) else hidden


@dataclass(frozen=True)
class Intervention:
    """Change the activation at one layer: ``add`` m·v, or ``project_out`` the direction v.

    ``vector`` is ``(d,)`` or per batch row ``(batch, d)``; ``scope`` picks the tokens: the
    prompt (the prefill pass), the generated tokens (one-token passes), or both.
    """

    layer: int
    vector: torch.Tensor
    mode: Literal["add", "project_out"] = "add"
    coefficient: float = 1.0
    scope: Scope = "all"
    site: Site = "resid"

    def __post_init__(self) -> None:
        if self.mode not in ("add", "project_out"):
            raise ValueError(f"unknown intervention mode {self.mode!r}")
        if self.scope not in SCOPES:
            raise ValueError(f"unknown scope {self.scope!r}; choose from {SCOPES}")

    def applies_to(self, seq_len: int) -> bool:
        prefill = seq_len > 1
        return self.scope == "all" or (self.scope == "prompt") == prefill

    def apply(self, hidden: torch.Tensor) -> torch.Tensor:
        v = self.vector.to(device=hidden.device, dtype=hidden.dtype)
        v = v[:, None, :] if v.dim() == 2 else v
        if self.mode == "add":
            return hidden + self.coefficient * v
        unit = v / v.norm(dim=-1, keepdim=True).clamp_min(1e-8)
        return hidden - self.coefficient * (hidden * unit).sum(-1, keepdim=True) * unit


def _intervention_hook(items: Sequence[Intervention]) -> Callable:
    def hook(_module, _inputs, output):
        hidden = hidden_of(output)
        for item in items:
            if item.applies_to(hidden.shape[1]):
                hidden = item.apply(hidden)
        return with_hidden(output, hidden)

    return hook


@contextmanager
def intervene(model: torch.nn.Module, interventions: Sequence[Intervention]) -> Iterator[None]:
    """Apply interventions inside the block; leaving it removes every hook."""
    grouped: dict[tuple[int, str], list[Intervention]] = {}
    for item in interventions:
        grouped.setdefault((item.layer, item.site), []).append(item)
    handles = [
        site_module(model, layer, site).register_forward_hook(_intervention_hook(items))  # type: ignore[arg-type]
        for (layer, site), items in grouped.items()
    ]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


@contextmanager
def record(
    model: torch.nn.Module, layers: Sequence[int], site: Site = "resid", stop: bool = False
) -> Iterator[dict[int, torch.Tensor]]:
    """Record each layer's ``(batch, seq, d)`` output of the last forward pass into a dict.

    With ``stop=True`` the pass ends after the deepest layer (nothing above it is computed)
    and the block exits quietly.
    """
    captured: dict[int, torch.Tensor] = {}
    deepest = max(layers)

    def hook_for(index: int) -> Callable:
        def hook(_module, _inputs, output):
            captured[index] = hidden_of(output).detach()
            if stop and index == deepest:
                raise StopForward

        return hook

    handles = [
        site_module(model, i, site).register_forward_hook(hook_for(i)) for i in sorted(set(layers))
    ]
    try:
        yield captured
    except StopForward:
        if not stop:
            raise
    finally:
        for handle in handles:
            handle.remove()


def _position_mask(
    attention_mask: torch.Tensor, prompt_lengths: list[int], position: Position
) -> torch.Tensor:
    """``(batch, seq)`` weights selecting the tokens to pool (rows left-padded)."""
    batch, seq = attention_mask.shape
    real = attention_mask.sum(1).tolist()
    mask = torch.zeros(batch, seq)
    for row in range(batch):
        start = seq - int(real[row])
        n_prompt = min(prompt_lengths[row], int(real[row]))
        if position == "last_prompt":
            mask[row, start + n_prompt - 1] = 1.0
        elif position == "mean_prompt":
            mask[row, start : start + n_prompt] = 1.0
        elif position == "mean_response":
            if n_prompt < real[row]:
                mask[row, start + n_prompt :] = 1.0
            else:  # empty (or truncated-away) response: fall back to the last prompt token
                mask[row, seq - 1] = 1.0
        elif position == "mean_all":
            mask[row, start:] = 1.0
        else:
            raise ValueError(f"unknown position {position!r}; choose from {POSITIONS}")
    return mask


@torch.inference_mode()
def capture_activations(
    lm: LoadedLM,
    prompts: Sequence[str],
    responses: Sequence[str] | None = None,
    layers: Sequence[int] = (),
    site: Site = "resid",
    position: Position = "last_prompt",
    batch_size: int = 8,
    max_length: int = 256,
    system_prompt: str | None = None,
    progress: bool = False,
) -> dict[int, np.ndarray]:
    """Pooled activations ``{layer: (n, d)}`` of chat-formatted prompts (and responses).

    ``position`` pools the last prompt token, the mean over the prompt, the mean over the
    response, or the mean over everything. The forward pass stops after the deepest layer.
    """
    if not layers:
        raise ValueError("name at least one layer to capture")
    if position == "mean_response" and responses is None:
        raise ValueError("position 'mean_response' needs responses")
    tok = lm.tokenizer
    heads = [chat_text(tok, p, None, system_prompt) for p in prompts]
    texts = [h + (responses[i] if responses else "") for i, h in enumerate(heads)]
    prompt_lengths = [len(ids) for ids in tok(heads, add_special_tokens=False)["input_ids"]]
    out = {layer: np.zeros((len(texts), lm.hidden_size), dtype=np.float32) for layer in layers}
    order = np.argsort([len(t) for t in texts], kind="stable")[::-1]
    starts = range(0, len(order), batch_size)
    for start in track(starts, len(starts), "capturing activations", show=progress):
        idx = order[start : start + batch_size]
        enc = tok(
            [texts[i] for i in idx],
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=max_length,
            add_special_tokens=False,
        )
        mask = _position_mask(enc["attention_mask"], [prompt_lengths[i] for i in idx], position)
        enc = enc.to(model_device(lm.model))
        with record(lm.model, layers, site, stop=True) as captured:
            lm.model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
        weights = (mask / mask.sum(1, keepdim=True)).unsqueeze(-1)
        for layer in layers:
            pooled = (captured[layer].float().cpu() * weights).sum(1)
            out[layer][idx] = pooled.numpy()
    return out
