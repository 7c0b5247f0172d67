"""The field's judges as beavertail judges: one interface, a prompt format per family.

A family's :class:`JudgeFormat` renders a (prompt, response) pair the way the judge was
trained to read it (its own chat template, or the exact prompt text of its reference code)
and parses what it writes. A :class:`~beavertail.moderation.external.backends.Backend`
generates the judge's text: local transformers or any OpenAI-compatible endpoint.
:class:`ExternalJudge` puts the two together behind the interface every shipped judge has
(``predict``, ``probabilities``, ``threshold``, ``digest``), so the harness, sweeps,
best-of-N, guided decoding and the server take either.

Scores: with first-token log-probabilities (a local model, or an endpoint that returns
them) the score is the judge's probability of its "unsafe" answer against its "safe" answer;
without them it is 1 or 0 from the parsed text; a rubric judge's score is its own graded
score. Output that cannot be parsed is an explicit *unparsed* verdict (score NaN, counted in
every report) - never silently safe.
"""

from __future__ import annotations

import hashlib
import json
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from beavertail.data.taxonomy import BEAVERTAILS_14, get_mapping, get_taxonomy
from beavertail.moderation.metrics import moderation_report
from beavertail.moderation.verdict import Verdict

Request = str | list[dict[str, str]]  # completion text, or chat messages


@dataclass(frozen=True)
class Parsed:
    """What a judge wrote about one pair: ``unsafe`` None when it could not be parsed."""

    unsafe: bool | None
    codes: tuple[str, ...] = ()  # the judge's own category codes
    labels: dict[str, Any] = field(default_factory=dict)  # refusal, request harm, sub-scores
    score: float | None = None  # a graded score in [0, 1] (rubric judges)


@dataclass(frozen=True)
class Completion:
    """A backend's answer to one request: the text and, when offered, the first generated
    token's most likely alternatives with their log-probabilities."""

    text: str
    first_token_logprobs: dict[str, float] | None = None


class JudgeFormat(ABC):
    """How one family of judges reads a pair and what it writes."""

    family: str = ""
    version: str = "1"  # bump when the rendered prompt changes (it is part of the digest)
    taxonomy: str | None = None  # the family's own category codes (mapped onto BT-14)
    chat: bool = False  # True: chat messages for the server's (the model's own) template
    max_tokens: int = 16
    unsafe_token: str | None = None  # the first generated token that means "unsafe" ...
    safe_token: str | None = None  # ... and "safe" (first-token probability scoring)
    default_model: str | None = None  # the hub id a reference without a model means

    @abstractmethod
    def requests(self, prompt: str, response: str) -> list[Request]:
        """What the judge is asked for one pair (most families: one request)."""

    @abstractmethod
    def parse(self, outputs: list[str]) -> Parsed:
        """The verdict on one pair from the judge's outputs to its requests."""

    def token_probability(self, logprobs: dict[str, float] | None) -> float | None:
        """P(unsafe) from the first token's alternatives: the "unsafe" answer's probability
        against the "safe" one's (tokens compared without case or surrounding spaces)."""
        if not logprobs or self.unsafe_token is None or self.safe_token is None:
            return None
        best: dict[str, float] = {}
        for token, value in logprobs.items():
            key = token.strip().lower()
            best[key] = max(best.get(key, -math.inf), value)
        unsafe, safe = best.get(self.unsafe_token.lower()), best.get(self.safe_token.lower())
        if unsafe is None and safe is None:
            return None
        unsafe = -math.inf if unsafe is None else unsafe
        safe = -math.inf if safe is None else safe
        top = max(unsafe, safe)
        return math.exp(unsafe - top) / (math.exp(unsafe - top) + math.exp(safe - top))

    def first_token_score(self, logprobs: list[dict[str, float] | None]) -> float | None:
        """The pair's score from its requests' first-token alternatives (one request: its
        P(unsafe); several: override to combine them)."""
        return self.token_probability(logprobs[0]) if len(logprobs) == 1 else None

    def categories(self, codes: tuple[str, ...]) -> tuple[str, ...]:
        """The BeaverTails-14 categories the judge's codes map onto."""
        if self.taxonomy is None or not codes:
            return ()
        return tuple(get_mapping(self.taxonomy, BEAVERTAILS_14).map(list(codes)))


class _Spec:
    """The part of a moderator's spec that consumers read."""

    input = "pair"
    taxonomy = BEAVERTAILS_14


class ExternalJudge:
    """A judge of the field (a format and a backend) with the shipped judges' interface."""

    spec = _Spec()

    def __init__(self, fmt: JudgeFormat, backend: Any, reference: str, threshold: float = 0.5):
        self.format = fmt
        self.backend = backend
        self.reference = reference
        self.threshold = threshold
        self.metadata: dict[str, Any] = {"name": reference, "family": fmt.family}
        self.category_thresholds = np.full(len(self.categories), 0.5)
        self.severity_head = None

    @property
    def categories(self) -> tuple[str, ...]:
        return get_taxonomy(BEAVERTAILS_14).categories

    def digest(self) -> str:
        """What the verdicts depend on: family, prompt version, backend and model."""
        identity = {
            "family": self.format.family,
            "version": self.format.version,
            "backend": self.backend.identity(),
        }
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]

    # -- judging --------------------------------------------------------------------------
    def parsed(
        self, prompts: list[str], responses: list[str] | None, progress: bool = False
    ) -> tuple[list[Parsed], np.ndarray]:
        """Each pair's parsed verdict and its score (NaN where unparsed)."""
        if responses is None:
            responses = [""] * len(prompts)
        if len(responses) != len(prompts):
            raise ValueError(f"{len(prompts)} prompts but {len(responses)} responses")
        per_pair = [self.format.requests(p, r) for p, r in zip(prompts, responses, strict=True)]
        flat = [request for requests in per_pair for request in requests]
        completions = self.backend.complete(
            flat,
            self.format.max_tokens,
            top_logprobs=5 if self.format.unsafe_token else None,
            progress=progress,
        )
        results, scores, at = [], [], 0
        for requests in per_pair:
            outputs = completions[at : at + len(requests)]
            at += len(requests)
            parsed = self.format.parse([c.text for c in outputs])
            score = parsed.score
            if score is None:
                score = self.format.first_token_score([c.first_token_logprobs for c in outputs])
            if score is None and parsed.unsafe is not None:
                score = 1.0 if parsed.unsafe else 0.0
            results.append(parsed)
            scores.append(math.nan if parsed.unsafe is None and score is None else score)
        return results, np.array(scores, dtype=float)

    def judge(
        self,
        prompts: list[str],
        responses: list[str] | None = None,
        progress: bool = False,
        cache: bool = False,
    ) -> tuple[np.ndarray, None]:
        """Probabilities (N x (1 + 14): unsafe, then BT-14 categories named by the judge);
        unparsed pairs have NaN. No severity."""
        parsed, scores = self.parsed(list(prompts), responses, progress)
        return self._matrix(parsed, scores), None

    def probabilities(
        self,
        prompts: list[str],
        responses: list[str] | None = None,
        progress: bool = False,
        cache: bool = False,
    ) -> np.ndarray:
        return self.judge(prompts, responses, progress, cache)[0]

    def _matrix(self, parsed: list[Parsed], scores: np.ndarray) -> np.ndarray:
        names = self.categories
        out = np.zeros((len(parsed), 1 + len(names)))
        out[:, 0] = scores
        for i, p in enumerate(parsed):
            for category in self.format.categories(p.codes):
                out[i, 1 + names.index(category)] = 1.0
        return out

    def predict(
        self, prompts: list[str], responses: list[str] | None = None, progress: bool = False
    ) -> list[Verdict]:
        parsed, scores = self.parsed(list(prompts), responses, progress)
        verdicts = []
        for p, score in zip(parsed, scores, strict=True):
            unparsed = bool(np.isnan(score))
            flagged = (not unparsed) and score >= self.threshold
            named = self.format.categories(p.codes) if flagged else ()
            raw = {"codes": list(p.codes), **p.labels}
            verdicts.append(
                Verdict(
                    flagged,
                    None if unparsed else round(float(score), 6),
                    dict.fromkeys(named, 1.0),
                    named,
                    None,
                    unparsed,
                    raw,
                )
            )
        return verdicts

    def report(self, labels: np.ndarray, probs: np.ndarray) -> dict:
        """Metrics on the parsed pairs, and how many were unparsed."""
        parsed = ~np.isnan(probs[:, 0])
        report = moderation_report(labels[parsed, 0], probs[parsed, 0], self.threshold)
        report["unparsed"] = int((~parsed).sum())
        report["n_total"] = len(probs)
        return report
