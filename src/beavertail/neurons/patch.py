"""Dynamic activation patching: generate with the base model while chosen neurons take the
aligned model's values, computed on the same tokens at every step.

The aligned model runs in lockstep, as a pre-hook on every forward of the base model, with
its own KV cache: the prompt pass starts it, each one-token pass extends it. Works under
``model.generate`` (:class:`~beavertail.models.generation.LocalGenerator`), whose rows stay in
the batch until the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Literal

import torch
from pydantic import Field
from transformers import DynamicCache

from beavertail.models.causal import LoadedLM
from beavertail.neurons.activations import NeuronSet, on_neurons
from beavertail.settings import Settings

Selection = Literal["top", "random"]


class PatchSettings(Settings):
    """Which neurons to patch from which aligned model (an eval config's ``neuron_patch``)."""

    neurons: str = Field(description="Safety-neuron folder (beavertail neurons find).")
    share: float = Field(0.05, gt=0, le=1, description="Share of all MLP neurons to patch.")
    selection: Selection = Field("top", description="top: highest scores; random: baseline.")
    seed: int = Field(0, description="Seed of a random selection.")
    aligned: str | None = Field(
        None, description="Aligned adapter; default: the one the neurons were found with."
    )


class NeuronPatcher:
    """Hooks that overwrite ``neurons`` in ``base`` with ``aligned``'s activations."""

    def __init__(self, base: LoadedLM, aligned: LoadedLM, neurons: NeuronSet) -> None:
        self.base = base
        self.aligned = aligned
        self.neurons = {layer: idx.to(torch.long) for layer, idx in neurons.items()}
        self._cache: DynamicCache | None = None
        self._values: dict[int, torch.Tensor] = {}

    def _run_aligned(self, _module, args, kwargs) -> None:
        input_ids = kwargs.get("input_ids", args[0] if args else None)
        if input_ids is None:
            raise ValueError("neuron patching needs input ids (not embeddings)")
        if input_ids.shape[1] > 1 or self._cache is None:  # a prompt pass starts a new cache
            self._cache = DynamicCache()

        def keep(layer: int, neurons: torch.Tensor) -> None:
            self._values[layer] = neurons[..., self.neurons[layer].to(neurons.device)]

        with torch.inference_mode(), on_neurons(self.aligned.model, keep, list(self.neurons)):
            out = self.aligned.model.base_model(
                input_ids=input_ids,
                attention_mask=kwargs.get("attention_mask"),
                position_ids=kwargs.get("position_ids"),
                cache_position=kwargs.get("cache_position"),
                past_key_values=self._cache,
                use_cache=True,
            )
        self._cache = out.past_key_values

    def _patch(self, layer: int, neurons: torch.Tensor) -> torch.Tensor:
        patched = neurons.clone()
        patched[..., self.neurons[layer].to(neurons.device)] = self._values[layer].to(neurons)
        return patched

    @contextmanager
    def hooks(self) -> Iterator[None]:
        """Install the lockstep run and the patch (a ``HookFactory``)."""
        self._cache, self._values = None, {}
        with ExitStack() as stack:
            handle = self.base.model.register_forward_pre_hook(self._run_aligned, with_kwargs=True)
            stack.callback(handle.remove)
            stack.enter_context(on_neurons(self.base.model, self._patch, list(self.neurons)))
            yield
        self._cache, self._values = None, {}
