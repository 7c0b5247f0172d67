"""Per-category harm vectors from a causal LM's activations (SafeSteer-style), and the router.

Methods (all give "unsafe minus safe" directions, per category and layer):

* ``safesteer`` — mean of (unsafe activation − mean of a generic safe pool) over the
  category's unsafe examples, keeping only the differences whose norm is above the median
  (pruning); refusals are dropped from the safe pool. No paired data needed.
* ``mean-diff`` — plain difference of means between the category and the safe pool.
* ``contrastive`` — mean of (unsafe − safe) answers to the *same* prompts.

Each method also yields a single ``all`` vector over every unsafe example, for comparison.

:func:`extract_refusal_direction` is the baseline of Arditi et al.: the difference of means
between harmless and harmful *instructions* at the last prompt token (one ``all`` vector per
layer). Steering subtracts a vector, so subtracting this one adds the refusal direction.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from typing import Literal

import numpy as np
import torch
from pydantic import Field

from beavertail.data import EvalPrompt, QAExample
from beavertail.models import LoadedLM
from beavertail.models.cache import cached_arrays, texts_key, weights_digest
from beavertail.models.hooks import Position, Site, capture_activations
from beavertail.moderation import is_refusal
from beavertail.settings import Settings
from beavertail.steering.router import CategoryRouter, fit_probe
from beavertail.steering.vectors import ALL_HARM, SteeringVectors

Method = Literal["safesteer", "mean-diff", "contrastive", "refusal-direction"]
METHODS: tuple[str, ...] = ("safesteer", "mean-diff", "contrastive", "refusal-direction")


class ExtractionConfig(Settings):
    """Settings for :func:`extract_vectors` (loadable from YAML/TOML/JSON)."""

    layers: list[int] = Field(
        default_factory=lambda: [6, 9, 12, 15, 18], min_length=1, description="Layers to read."
    )
    site: Site = Field("resid", description="resid | attn")
    position: Position = Field("mean_response", description="Token positions averaged.")
    method: Method = Field(
        "safesteer", description="safesteer | mean-diff | contrastive | refusal-direction"
    )
    drop_refusals: bool = Field(True, description="Leave refusals out of the safe pool.")
    min_examples: int = Field(10, ge=1, description="Categories with fewer are skipped.")
    max_per_category: int = Field(150, ge=1, description="Unsafe examples per category.")
    safe_pool_size: int = Field(600, ge=1, description="Size of the generic safe pool.")
    router_harmless: int = Field(600, ge=0)
    max_length: int = Field(192, ge=8)
    batch_size: int = Field(8, ge=1)
    seed: int = 0


def _capture(
    lm: LoadedLM,
    config: ExtractionConfig,
    prompts: Sequence[str],
    responses: Sequence[str] | None,
    position: Position,
    description: str,
    progress: bool,
) -> dict[int, np.ndarray]:
    """Activations for the texts, cached on disk so an interrupted extraction resumes."""
    if not prompts:
        return {layer: np.zeros((0, lm.hidden_size), np.float32) for layer in config.layers}
    spec = {
        "model": lm.name,
        "weights": weights_digest(lm.model),  # an adapter merged under the same name differs
        "layers": config.layers,
        "site": config.site,
        "position": position,
        "max_length": config.max_length,
    }
    key = texts_key(spec, list(prompts), list(responses) if responses else None)

    def compute() -> dict[str, np.ndarray]:
        acts = capture_activations(
            lm,
            prompts,
            responses,
            config.layers,
            config.site,
            position,
            config.batch_size,
            config.max_length,
            progress=progress,
        )
        return {str(layer): a for layer, a in acts.items()}

    if progress:
        print(f"{description}: {len(prompts)} texts")
    arrays = cached_arrays("activations", key, compute)
    return {int(k): v for k, v in arrays.items()}


def _capture_answers(
    lm: LoadedLM,
    config: ExtractionConfig,
    examples: Sequence[QAExample],
    description: str,
    progress: bool,
) -> dict[int, np.ndarray]:
    """Activations of QA examples (prompt + answer) at the configured position."""
    prompts = [e.prompt for e in examples]
    responses = [e.response for e in examples]
    return _capture(lm, config, prompts, responses, config.position, description, progress)


def _direction(unsafe: np.ndarray, safe: np.ndarray, method: Method) -> np.ndarray:
    if method == "contrastive":
        return (unsafe - safe).mean(0)
    diffs = unsafe - safe.mean(0)
    if method == "safesteer" and len(diffs) >= 4:
        norms = np.linalg.norm(diffs, axis=1)
        diffs = diffs[norms >= np.median(norms)]
    return diffs.mean(0)


def _sample(items: list, n: int, rng: random.Random) -> list:
    return items if len(items) <= n else rng.sample(items, n)


def extract_vectors(
    lm: LoadedLM,
    unsafe: Sequence[QAExample],
    safe: Sequence[QAExample],
    config: ExtractionConfig | None = None,
    progress: bool = True,
) -> SteeringVectors:
    """Per-category and all-harm vectors at each of ``config.layers``.

    ``unsafe``: labelled unsafe QA examples (their categories pick the vectors);
    ``safe``: the generic safe pool (any safe answers; for ``contrastive``, safe answers to
    the same prompts as the unsafe ones).
    """
    config = config or ExtractionConfig()
    if config.method == "refusal-direction":
        raise ValueError("the refusal direction comes from instructions: extract_refusal_direction")
    rng = random.Random(config.seed)
    unsafe = [e for e in unsafe if not e.is_safe]
    safe_pool = [e for e in safe if e.is_safe]
    dropped = 0
    if config.drop_refusals:
        kept = [e for e in safe_pool if not is_refusal(e.response)]
        dropped = len(safe_pool) - len(kept)
        safe_pool = kept
    by_category: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(unsafe):
        for c in e.categories:
            by_category[c].append(i)
    chosen = {
        c: _sample(idx, config.max_per_category, rng)
        for c, idx in sorted(by_category.items())
        if len(idx) >= config.min_examples
    }
    if not chosen:
        raise ValueError(f"no category has {config.min_examples} unsafe examples")
    used = sorted({i for idx in chosen.values() for i in idx})
    row = {i: k for k, i in enumerate(used)}
    unsafe_acts = _capture_answers(
        lm, config, [unsafe[i] for i in used], "unsafe examples", progress
    )
    vectors: dict[str, dict[int, torch.Tensor]] = {}
    counts = {c: len(idx) for c, idx in chosen.items()}
    if config.method == "contrastive":
        safe_by_prompt: dict[str, list[QAExample]] = defaultdict(list)
        for e in safe_pool:
            safe_by_prompt[e.prompt].append(e)
        partner = {
            i: safe_by_prompt[unsafe[i].prompt][0]
            for i in used
            if unsafe[i].prompt in safe_by_prompt
        }
        if not partner:
            raise ValueError("contrastive extraction needs safe answers to the unsafe prompts")
        keys = sorted(partner)
        safe_acts = _capture_answers(
            lm, config, [partner[i] for i in keys], "paired safe answers", progress
        )
        safe_row = {i: k for k, i in enumerate(keys)}
        for c, idx in [*chosen.items(), (ALL_HARM, used)]:
            paired = [i for i in idx if i in safe_row]
            counts[c] = len(paired)
            if len(paired) < 2:
                continue
            for layer in config.layers:
                u = unsafe_acts[layer][[row[i] for i in paired]]
                s = safe_acts[layer][[safe_row[i] for i in paired]]
                vectors.setdefault(c, {})[layer] = torch.tensor(_direction(u, s, "contrastive"))
        pool_size = len(keys)
    else:
        pool = _sample(safe_pool, config.safe_pool_size, rng)
        if not pool:
            raise ValueError("the safe pool is empty")
        safe_acts = _capture_answers(lm, config, pool, "safe pool", progress)
        for c, idx in [*chosen.items(), (ALL_HARM, used)]:
            for layer in config.layers:
                u = unsafe_acts[layer][[row[i] for i in idx]]
                vectors.setdefault(c, {})[layer] = torch.tensor(
                    _direction(u, safe_acts[layer], config.method)
                )
        pool_size = len(pool)
        counts[ALL_HARM] = len(used)
    return SteeringVectors(
        vectors=vectors,
        model=lm.name,
        site=config.site,
        position=config.position,
        method=config.method,
        metadata={
            "config": config.model_dump(),
            "examples_per_category": counts,
            "safe_pool": pool_size,
            "refusals_dropped_from_safe_pool": dropped,
        },
    )


def extract_refusal_direction(
    lm: LoadedLM,
    harmful: Sequence[str],
    harmless: Sequence[str],
    config: ExtractionConfig | None = None,
    progress: bool = True,
) -> SteeringVectors:
    """Arditi et al.'s refusal direction per layer: mean(harmless) − mean(harmful) instruction
    activations at the last prompt token, as the single ``all`` vector (steering with a
    positive coefficient adds refusal)."""
    config = (config or ExtractionConfig()).updated(method="refusal-direction")
    rng = random.Random(config.seed)
    harmful = _sample(sorted(set(harmful)), config.safe_pool_size, rng)
    harmless = _sample(sorted(set(harmless) - set(harmful)), config.safe_pool_size, rng)
    if not harmful or not harmless:
        raise ValueError("the refusal direction needs harmful and harmless instructions")
    bad = _capture(lm, config, harmful, None, "last_prompt", "harmful instructions", progress)
    good = _capture(lm, config, harmless, None, "last_prompt", "harmless instructions", progress)
    vectors = {
        ALL_HARM: {
            layer: torch.tensor(good[layer].mean(0) - bad[layer].mean(0)) for layer in config.layers
        }
    }
    return SteeringVectors(
        vectors=vectors,
        model=lm.name,
        site=config.site,
        position="last_prompt",
        method="refusal-direction",
        metadata={
            "config": config.model_dump(),
            "instructions": {"harmful": len(harmful), "harmless": len(harmless)},
        },
    )


def train_router(
    lm: LoadedLM,
    categories: Sequence[str],
    harmful: Sequence[QAExample | EvalPrompt],
    harmless: Sequence[str],
    config: ExtractionConfig | None = None,
    validation: tuple[Sequence[str], Sequence[str]] | None = None,
    progress: bool = True,
) -> CategoryRouter:
    """Fit the harm gate and category probes on last-prompt-token activations.

    ``harmful`` items carry categories (QA examples) or only the harmful flag (prompts);
    ``validation`` = (harmful prompts, harmless prompts) gives the gate's held-out accuracy.
    """
    config = config or ExtractionConfig()
    rng = random.Random(config.seed)
    labels: dict[str, set[str]] = {}
    for item in harmful:
        cats = set(item.categories) if isinstance(item, QAExample) else set()
        labels.setdefault(item.prompt, set()).update(cats)
    harmless = _sample(sorted(set(harmless) - set(labels)), config.router_harmless, rng)
    prompts = sorted(labels) + harmless
    k = len(categories)
    y = np.zeros((len(prompts), 1 + k), np.float32)
    mask = np.zeros_like(y)
    for i, p in enumerate(prompts):
        is_harmful = p in labels
        y[i, 0] = float(is_harmful)
        mask[i, 0] = 1.0
        if is_harmful and labels[p]:
            y[i, 1:] = [float(c in labels[p]) for c in categories]
            mask[i, 1:] = 1.0
    acts = _capture(lm, config, prompts, None, "last_prompt", "router prompts", progress)
    probes = {layer: fit_probe(acts[layer], y, mask, seed=config.seed) for layer in config.layers}
    router = CategoryRouter(categories, probes)
    metrics: dict = {"train_harmful": len(labels), "train_harmless": len(harmless)}
    if validation is not None:
        val_harm, val_benign = validation
        val_prompts = list(val_harm) + list(val_benign)
        truth = np.array([1] * len(val_harm) + [0] * len(val_benign))
        val_acts = _capture(lm, config, val_prompts, None, "last_prompt", "router check", progress)
        metrics["validation_gate_accuracy"] = {
            str(layer): round(
                float(
                    (
                        (router.probabilities(layer, torch.tensor(val_acts[layer]))[:, 0] >= 0.5)
                        .numpy()
                        .astype(int)
                        == truth
                    ).mean()
                ),
                4,
            )
            for layer in config.layers
        }
    router.metrics = metrics
    return router
