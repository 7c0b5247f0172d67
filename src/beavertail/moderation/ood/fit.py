"""Fit an OOD detector for a judge: its training mix is the in-distribution reference (without
diasafety, the social-chat source the mix carries at low weight, which is a different domain
and one of the OOD test sets), synthetic proxies the trained detector's other class."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from beavertail.data.records import QAExample
from beavertail.models.causal import cache_dir
from beavertail.models.generation import TextGenerator
from beavertail.moderation.moderator import OOD_FOLDER, Moderator
from beavertail.moderation.ood.detectors import DETECTORS, FeatureBank, OODDetector
from beavertail.moderation.ood.fitted import FittedOODDetector, pass_rate_threshold
from beavertail.moderation.ood.proxies import generate_proxies, proxy_items, recipe_card

OUT_OF_DOMAIN_SOURCES = ("diasafety",)  # mix sources that are not the judge's QA domain
DEFAULT_DETECTOR = "proxy-trained"


def in_domain(examples: list[QAExample]) -> list[QAExample]:
    return [x for x in examples if not x.source.startswith(OUT_OF_DOMAIN_SOURCES)]


def sample(examples: list[QAExample], count: int, seed: int = 0) -> list[QAExample]:
    """At most ``count`` examples, a seeded random draw in their original order."""
    if len(examples) <= count:
        return list(examples)
    rows = sorted(random.Random(seed).sample(range(len(examples)), count))
    return [examples[i] for i in rows]


def feature_bank(
    moderator: Moderator, examples: list[QAExample], progress: bool = True
) -> FeatureBank:
    """The judge's features and logits of each pair's judged window (cached on disk)."""
    feats, logits, _ = moderator.window_outputs(
        [x.prompt for x in examples], [x.response for x in examples], progress, cache=True
    )
    unsafe = np.asarray([not x.is_safe for x in examples], int)
    return FeatureBank(feats, logits, unsafe)


def cut_answers(examples: list[QAExample], share: float = 1 / 3, seed: int = 0) -> list[QAExample]:
    """Copies of a share of the answers cut after 12-48 words, as a generation stopped by
    ``max_new_tokens`` is; they are in distribution (the judge reads such answers daily), so
    the detector must not learn "ends mid-sentence" from its truncated and word-salad proxies."""
    rng = random.Random(seed)
    out = []
    for x in examples:
        words = x.response.split()
        if len(words) > 16 and rng.random() < share:
            cut = rng.randint(12, min(48, len(words) - 1))
            out.append(replace(x, response=" ".join(words[:cut]), source=f"{x.source}#cut"))
    return out


def reference_sets(
    train_size: int = 3000, validation_size: int = 1500, root: str | Path | None = None
) -> tuple[list[QAExample], list[QAExample]]:
    """In-distribution training and validation pairs: the judge mix's QA sources, plus cut
    copies of a third of their longer answers (:func:`cut_answers`). Only the drawn pairs'
    embedded-model answers are generated (or read from the cache), not the whole mix's."""
    from beavertail.moderation.training_mix import answer_pending, moderation_mix

    mix = moderation_mix(root, progress=False, pending=True)
    train = sample(in_domain(mix.train), train_size, seed=1)
    validation = sample(in_domain(mix.validation), validation_size, seed=2)
    answered = answer_pending(train + validation, progress=False)  # one load of the LM
    train, validation = answered[: len(train)], answered[len(train) :]
    return train + cut_answers(train, seed=1), validation + cut_answers(validation, seed=2)


def synthetic_proxies(
    seeds: list[QAExample],
    generator: TextGenerator | None = None,
    counts: dict[str, int] | None = None,
    seed: int = 0,
    progress: bool = True,
) -> tuple[list[QAExample], dict[str, Any]]:
    """Proxy pairs from every recipe (the embedded LM writes them unless ``generator`` is
    given; cached under the cache folder) and the recipe card for the manifest."""
    if generator is None:
        from beavertail.models import DEFAULT_LM, load_lm
        from beavertail.models.causal import lm_identity
        from beavertail.models.generation import LocalGenerator

        # cached proxies are keyed by the generator's name: the weights' digest is in it
        generator = LocalGenerator(load_lm(), name=lm_identity(DEFAULT_LM))
    seeds = [x for x in seeds if not x.source.endswith("#cut")]  # whole answers only
    items = proxy_items(seeds, counts, seed)
    cache = cache_dir() / "ood" / "proxies.jsonl"
    proxies = generate_proxies(items, generator, cache, progress=progress)
    return proxies, {**recipe_card(items, seed), "generator": generator.name}


def prompt_judge_proxies(proxies: list[QAExample], seeds: list[QAExample]) -> list[QAExample]:
    """The proxies of a judge that reads the user's message alone: those whose prompt is
    not a seed prompt (a proxy built on a training prompt reads, to that judge, exactly like
    it), and every proxy's answer as a message (:func:`answers_as_messages`)."""
    seed_prompts = {x.prompt for x in seeds}
    kept = [x for x in proxies if x.prompt not in seed_prompts]
    return kept + answers_as_messages(proxies)


def answers_as_messages(proxies: list[QAExample]) -> list[QAExample]:
    """For a judge that reads the user's message alone (input moderation): each proxy's
    answer as a message of its own, since a user turn can be any text (another language,
    code, a table, garbled text), not only an instruction in English."""
    return [
        replace(x, prompt=x.response, response="", source=f"{x.source}#as-message")
        for x in proxies
        if x.response.strip()
    ]


def fit_detector(
    moderator: Moderator,
    detector: OODDetector,
    train: FeatureBank,
    validation: FeatureBank,
    proxies: FeatureBank | None = None,
    metadata: dict[str, Any] | None = None,
) -> FittedOODDetector:
    """Fit ``detector`` and set its threshold so 95 % of in-distribution validation pairs pass."""
    detector.fit(train, proxies if detector.uses_proxies else None)
    threshold = pass_rate_threshold(detector.score(validation.features, validation.logits))
    return FittedOODDetector(detector, threshold, moderator.digest(), dict(metadata or {}))


def fit_judge_ood(
    moderator: Moderator,
    detector: str = DEFAULT_DETECTOR,
    generator: TextGenerator | None = None,
    train_size: int = 3000,
    validation_size: int = 1500,
    root: str | Path | None = None,
    save_to: str | Path | None = None,
    progress: bool = True,
) -> FittedOODDetector:
    """The whole recipe: reference sets, proxies, features, detector, threshold; attached to
    ``moderator`` and saved to ``save_to/ood`` (the judge's folder) when given."""
    if detector not in DETECTORS:
        raise ValueError(f"unknown OOD detector {detector!r}; known: {', '.join(DETECTORS)}")
    train, validation = reference_sets(train_size, validation_size, root)
    made: OODDetector = DETECTORS[detector]()
    proxy_bank, card = None, None
    if made.uses_proxies:
        proxies, card = synthetic_proxies(train, generator, progress=progress)
        if moderator.spec.input == "prompt":
            proxies = prompt_judge_proxies(proxies, train)
            card["answers_as_messages"] = True
        proxy_bank = feature_bank(moderator, proxies, progress)
    metadata = {
        "fitted_on": {
            "train": len(train),
            "validation": len(validation),
            "reference": "judge mix v2 train / validation without diasafety, plus cut copies "
            "of a third of the longer answers (12-48 words)",
            "pass_rate": 0.95,
        },
        **({"proxies": card} if card else {}),
    }
    fitted = fit_detector(
        moderator,
        made,
        feature_bank(moderator, train, progress),
        feature_bank(moderator, validation, progress),
        proxy_bank,
        metadata,
    )
    moderator.ood = fitted
    if save_to is not None:
        fitted.save(Path(save_to) / OOD_FOLDER)
        note_in_model_card(Path(save_to), fitted)
    return fitted


CARD_SECTION = "## Out-of-distribution detector"


def note_in_model_card(folder: Path, ood: FittedOODDetector) -> None:
    """Write (or replace) the OOD section of the judge's MODEL_CARD.md."""
    card = folder / "MODEL_CARD.md"
    if not card.is_file():
        return
    text = card.read_text("utf-8").split(CARD_SECTION)[0].rstrip() + "\n"
    fitted = ood.metadata.get("fitted_on", {})
    recipes = ood.metadata.get("proxies", {}).get("recipes", {})
    counts = ", ".join(f"{name} {r['count']}" for name, r in recipes.items())
    as_messages = (
        "; each proxy's answer also as a user message of its own (a prompt judge)"
        if ood.metadata.get("proxies", {}).get("answers_as_messages")
        else ""
    )
    text += f"""
{CARD_SECTION}
`ood/` ({ood.name}, fitted on judge {ood.judge_digest}): threshold {ood.threshold:.4f}, where
95 % of {fitted.get("validation", "?")} in-distribution validation pairs pass; reference:
{fitted.get("train", "?")} training pairs ({fitted.get("reference", "")}).
Synthetic proxies (no real OOD data): {counts or "none"}{as_messages}.
Refit after retraining the judge: `beavertail moderate ood-fit NAME`; measured by
`python bench/ood.py --judge NAME` (AUROC / FPR@95TPR on five real OOD sets).
"""
    card.write_text(text, "utf-8")
