"""The three jobs end to end: find safety neurons, generate with them patched, and fit the
probes that predict an unsafe answer before (or while) it is generated."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from beavertail.artifacts import artifact_digest
from beavertail.models.causal import DEFAULT_LM, LoadedLM, load_lm
from beavertail.models.generation import LocalGenerator, SamplingParams
from beavertail.models.progress import track
from beavertail.neurons.contrast import SafetyNeurons, contrast_aligned, contrast_prompts
from beavertail.neurons.patch import NeuronPatcher, PatchSettings


def generate_answers(
    lm: LoadedLM,
    prompts: Sequence[str],
    max_new_tokens: int = 48,
    batch_size: int = 8,
    progress: bool = False,
) -> list[str]:
    """Greedy answers, in batches."""
    generator = LocalGenerator(lm)
    sampling = SamplingParams(max_new_tokens=max_new_tokens)
    starts = range(0, len(prompts), batch_size)
    answers: list[str] = []
    for start in track(starts, len(starts), f"answering with {lm.name}", show=progress):
        answers += [
            g.text for g in generator.generate(prompts[start : start + batch_size], sampling)
        ]
    return answers


def find_safety_neurons(
    harmful: Sequence[str],
    harmless: Sequence[str] = (),
    model: str = DEFAULT_LM,
    aligned: str | Path | None = None,
    max_new_tokens: int = 48,
    output: str | Path | None = None,
    progress: bool = False,
) -> SafetyNeurons:
    """Score every MLP neuron. With an ``aligned`` adapter: contrast the model with its twin
    on the twin's answers to ``harmful`` prompts; without: contrast ``harmful`` with
    ``harmless`` prompts in the one model."""
    base = load_lm(model)
    metadata: dict = {"harmful_prompts": len(harmful), "harmless_prompts": len(harmless)}
    if aligned is not None:
        twin = load_lm(model, adapter=aligned)
        answers = generate_answers(twin, harmful, max_new_tokens, progress=progress)
        scores = contrast_aligned(base, twin, harmful, answers, progress=progress)
        metadata |= {"aligned_digest": artifact_digest(aligned), "max_new_tokens": max_new_tokens}
        found = SafetyNeurons(scores, model, "aligned-contrast", str(aligned), metadata)
    else:
        scores = contrast_prompts(base, harmful, harmless, progress=progress)
        found = SafetyNeurons(scores, model, "prompt-contrast", None, metadata)
    if output is not None:
        found.save(output)
    return found


def patched_generator(lm: LoadedLM, settings: PatchSettings) -> LocalGenerator:
    """Generation with ``lm`` whose chosen neurons take the aligned twin's values."""
    neurons = SafetyNeurons.load(settings.neurons)
    adapter = settings.aligned or neurons.aligned
    if adapter is None:
        raise ValueError(
            f"{settings.neurons}: found without an aligned model; name one to patch from "
            "(neuron_patch.aligned / --patch-aligned)"
        )
    chosen = (
        neurons.top(settings.share)
        if settings.selection == "top"
        else neurons.random(settings.share, settings.seed)
    )
    twin = load_lm(neurons.model, adapter=adapter)
    patcher = NeuronPatcher(lm, twin, chosen)
    name = f"{lm.name}+patch({settings.selection} {settings.share:.2%})"
    return LocalGenerator(lm, patcher.hooks, name)


def patch_identity(settings: PatchSettings) -> dict[str, str]:
    """Content digests a patched run depends on (the neurons and the aligned adapter)."""
    neurons = SafetyNeurons.load(settings.neurons)
    adapter = settings.aligned or neurons.aligned
    out = {"neurons_digest": artifact_digest(settings.neurons)}
    if adapter is not None:
        out["patch_adapter_digest"] = artifact_digest(adapter)
    return out
