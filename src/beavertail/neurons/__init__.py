"""Safety neurons: find them by activation contrasting, verify them by dynamic activation
patching, and read them to predict an unsafe answer (the stream monitor that reads them
as an answer is generated is :mod:`beavertail.monitor.neurons`)."""

from beavertail.neurons.activations import NeuronSet, neuron_grid, on_neurons, set_size
from beavertail.neurons.contrast import (
    SafetyNeurons,
    contrast_aligned,
    contrast_prompts,
    last_token_neurons,
)
from beavertail.neurons.patch import NeuronPatcher, PatchSettings
from beavertail.neurons.probe import LinearProbe, NeuronProbe, residual_features
from beavertail.neurons.run import (
    find_safety_neurons,
    generate_answers,
    patch_identity,
    patched_generator,
)

__all__ = [
    "LinearProbe",
    "NeuronPatcher",
    "NeuronProbe",
    "NeuronSet",
    "PatchSettings",
    "SafetyNeurons",
    "contrast_aligned",
    "contrast_prompts",
    "find_safety_neurons",
    "generate_answers",
    "last_token_neurons",
    "neuron_grid",
    "on_neurons",
    "patch_identity",
    "patched_generator",
    "residual_features",
    "set_size",
]
