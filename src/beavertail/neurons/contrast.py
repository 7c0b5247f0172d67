"""Find safety neurons by activation contrasting, and keep them as an artifact.

With an aligned twin (Chen et al., "Finding Safety Neurons in Large Language Models"): both
models read the same (harmful prompt, aligned answer) texts, and each neuron scores the root
mean square of the difference of its two activations over the answer tokens. Without one:
a single model reads harmful and harmless prompts, and each neuron scores the standardised
difference of its mean activation at the last prompt token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from beavertail.artifacts import read_manifest, write_manifest
from beavertail.models.causal import LoadedLM
from beavertail.models.progress import track
from beavertail.neurons.activations import (
    NeuronSet,
    flat_to_set,
    forward_neurons,
    neuron_grid,
    set_size,
    text_batches,
)

SAFETY_NEURONS_KIND = "beavertail-safety-neurons"
SCORES_FILE = "scores.safetensors"


@dataclass
class SafetyNeurons:
    """A score per MLP neuron ``(layers, width)``; higher means more safety-relevant."""

    scores: torch.Tensor
    model: str
    method: str  # "aligned-contrast" | "prompt-contrast"
    aligned: str | None = None  # the aligned twin's adapter folder
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return int(self.scores.numel())

    def count(self, share: float) -> int:
        """Neurons in a share of all (at least one)."""
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], got {share}")
        return max(1, round(share * self.total))

    def top(self, share: float) -> NeuronSet:
        """The highest-scoring ``share`` of all neurons."""
        flat = self.scores.flatten().topk(self.count(share)).indices
        return flat_to_set(flat, self.scores.shape[1])

    def random(self, share: float, seed: int = 0) -> NeuronSet:
        """A random set of the same size as ``top(share)`` (the baseline)."""
        generator = torch.Generator().manual_seed(seed)
        flat = torch.randperm(self.total, generator=generator)[: self.count(share)]
        return flat_to_set(flat, self.scores.shape[1])

    def layer_counts(self, share: float) -> list[int]:
        """How many of the top ``share`` sit in each layer."""
        chosen = self.top(share)
        return [len(chosen.get(i, [])) for i in range(self.scores.shape[0])]

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)  # the manifest, written last, completes it
        save_file({"scores": self.scores.contiguous()}, folder / SCORES_FILE)
        write_manifest(
            folder,
            {
                "kind": SAFETY_NEURONS_KIND,
                "version": 1,
                "model": self.model,
                "method": self.method,
                "aligned": self.aligned,
                "grid": list(self.scores.shape),
                **self.metadata,
            },
        )
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> SafetyNeurons:
        manifest = read_manifest(folder, SAFETY_NEURONS_KIND, "safety-neuron set")
        scores = load_file(Path(folder) / SCORES_FILE)["scores"]
        known = {"kind", "version", "model", "method", "aligned", "grid", "files", "digest"}
        extra = {k: v for k, v in manifest.items() if k not in known}
        return cls(scores, manifest["model"], manifest["method"], manifest.get("aligned"), extra)

    def summary(self, shares: Sequence[float] = (0.01, 0.05)) -> str:
        parts = [f"{self.method} on {self.model}: {self.total} neurons"]
        for share in shares:
            counts = self.layer_counts(share)
            busiest = sorted(range(len(counts)), key=lambda i: -counts[i])[:3]
            where = ", ".join(f"L{i}:{counts[i]}" for i in busiest)
            parts.append(f"top {share:.1%} ({self.count(share)}) mostly in {where}")
        return "; ".join(parts)


def contrast_aligned(
    base: LoadedLM,
    aligned: LoadedLM,
    prompts: Sequence[str],
    answers: Sequence[str],
    batch_size: int = 8,
    max_length: int = 192,
    progress: bool = False,
) -> torch.Tensor:
    """RMS over answer tokens of (aligned − base) activation, per neuron ``(layers, width)``."""
    layers, width = neuron_grid(base)
    squared = torch.zeros(layers, width, dtype=torch.float64)
    tokens = 0
    batches = list(text_batches(base, prompts, answers, batch_size, max_length))
    for batch in track(batches, len(batches), "contrasting activations", show=progress):
        ours, theirs = forward_neurons(base, batch), forward_neurons(aligned, batch)
        mask = torch.zeros(batch.input_ids.shape, dtype=torch.bool)
        for row in range(len(batch.index)):
            start, end = batch.answer_span(row)
            mask[row, start:end] = True
        tokens += int(mask.sum())
        for layer in range(layers):
            difference = (theirs[layer] - ours[layer])[mask]
            squared[layer] += (difference.double() ** 2).sum(0)
    if tokens == 0:
        raise ValueError("no answer tokens to contrast (empty answers?)")
    return (squared / tokens).sqrt().float()


def contrast_prompts(
    lm: LoadedLM,
    harmful: Sequence[str],
    harmless: Sequence[str],
    batch_size: int = 8,
    progress: bool = False,
) -> torch.Tensor:
    """|mean harmful − mean harmless| / pooled std of each neuron at the last prompt token."""
    if not harmful or not harmless:
        raise ValueError("prompt contrasting needs harmful and harmless prompts")
    harmful_acts = last_token_neurons(lm, harmful, batch_size, progress)
    harmless_acts = last_token_neurons(lm, harmless, batch_size, progress)
    pooled = ((harmful_acts.var(0) + harmless_acts.var(0)) / 2).sqrt().clamp_min(1e-6)
    return ((harmful_acts.mean(0) - harmless_acts.mean(0)).abs() / pooled).float()


def last_token_neurons(
    lm: LoadedLM,
    prompts: Sequence[str],
    batch_size: int = 8,
    progress: bool = False,
    neurons: NeuronSet | None = None,
) -> torch.Tensor:
    """Every neuron's activation at the last prompt token, ``(n, layers, width)``; with
    ``neurons``, only those, flattened in layer order ``(n, count)``."""
    layers, width = neuron_grid(lm)
    chosen = sorted(neurons) if neurons is not None else list(range(layers))
    size = set_size(neurons) if neurons is not None else layers * width
    out = torch.zeros(len(prompts), size)
    batches = list(text_batches(lm, prompts, None, batch_size))
    for batch in track(batches, len(batches), "reading neurons", show=progress):
        captured = forward_neurons(lm, batch, chosen)
        last = [layer_acts[:, -1] for layer_acts in (captured[i] for i in chosen)]
        if neurons is not None:
            last = [acts[:, neurons[i]] for acts, i in zip(last, chosen, strict=True)]
        out[torch.as_tensor(batch.index.copy())] = torch.cat(last, dim=1)
    return out if neurons is not None else out.view(len(prompts), layers, width)
