"""The field's judges as beavertail judges: one interface, a prompt format per family.

A family's :class:`JudgeFormat` renders a (prompt, response) pair the way the judge was
trained to read it (its own chat template, or the exact prompt text of its reference code),
says how that text is tokenized (:class:`Decoding`: whether the tokenizer adds its
beginning-of-sequence token, whether a chat gets a generation prompt) and parses what the
judge writes. A :class:`~beavertail.moderation.external.backends.Backend` generates the
judge's text with the same :class:`Decoding` on every backend: local transformers or any
OpenAI-compatible endpoint. :class:`ExternalJudge` puts the two together behind the
:class:`~beavertail.moderation.judge.Judge` protocol every shipped judge has (``predict``,
``probabilities``, ``threshold``, ``digest``, ...).

Scores: where the backend returns per-token log-probabilities the score is read at the
position of the *verdict token* (the first token of "unsafe"/"safe", "Yes"/"No", ...; not
the first generated token, which for Llama Guard is ``"\\n\\n"``): the probability of the
family's unsafe labels against its safe labels among that position's alternatives. Without
them it is 1 or 0 from the parsed text; a rubric judge's score is its own graded score.
Output the format cannot parse is an *unparsed* verdict (score NaN, ``unparsed: true``,
counted in every report) - never safe, whatever the alternatives say. A score that
disagrees with the parsed text is kept and the disagreement is written into the verdict's
``raw`` (``score_disagrees: true``).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from beavertail.data.taxonomy import BEAVERTAILS_14, get_mapping, get_taxonomy
from beavertail.moderation.conversation import CONTROL_TOKENS
from beavertail.moderation.judge import Answers, FieldJudge, Scores, Texts
from beavertail.moderation.metrics import moderation_report
from beavertail.moderation.verdict import Verdict

Message = dict[str, Any]  # {"role": ..., "content": str | [{"type": "text", "text": ...}]}
Request = str | list[Message]  # completion text, or chat messages
TOP_LOGPROBS = 20  # alternatives asked for per generated token (vLLM's default ceiling)


@dataclass(frozen=True)
class Parsed:
    """What a judge wrote about one pair: ``unsafe`` None when it could not be parsed."""

    unsafe: bool | None
    codes: tuple[str, ...] = ()  # the judge's own category codes
    labels: dict[str, Any] = field(default_factory=dict)  # refusal, request harm, sub-scores
    score: float | None = None  # a graded score in [0, 1] (rubric judges)


@dataclass(frozen=True)
class Decoding:
    """How a family's requests are tokenized and generated - the same on every backend.

    ``add_special_tokens``: whether the tokenizer adds its own special tokens (the BOS) to
    a text request; chat requests are rendered by the template, which places them itself,
    and are never given more. ``add_generation_prompt``: passed to the chat template.
    ``labels``: the verdict words whose token log-probabilities a local backend always
    reports at every position (so the score does not depend on them reaching the top k).
    """

    max_tokens: int
    add_special_tokens: bool
    add_generation_prompt: bool = True
    top_logprobs: int | None = None
    labels: tuple[str, ...] = ()
    use_fast_tokenizer: bool = True  # the reference's tokenizer (WildGuard: the slow one)


@dataclass(frozen=True)
class Completion:
    """A backend's answer to one request: the text and, when offered, the generated tokens
    (their strings concatenate to the text) with each position's most likely alternatives
    and their log-probabilities."""

    text: str
    tokens: tuple[str, ...] | None = None
    alternatives: tuple[dict[str, float], ...] | None = None

    @property
    def first_token_logprobs(self) -> dict[str, float] | None:
        return self.alternatives[0] if self.alternatives else None


class JudgeFormat(ABC):
    """How one family of judges reads a pair and what it writes."""

    family: str = ""
    version: str = "2"  # bump when the rendered prompt or the scoring changes (in the digest)
    taxonomy: str | None = None  # the family's own category codes (mapped onto BT-14)
    chat: bool = False  # True: chat messages, rendered by the model's own template
    max_tokens: int = 16
    add_special_tokens: bool = True  # the reference tokenizes its text with the BOS added
    add_generation_prompt: bool = True
    use_fast_tokenizer: bool = True
    # the verdict words as the judge writes them (none: not scored by token probability)
    unsafe_labels: tuple[str, ...] = ()
    safe_labels: tuple[str, ...] = ()
    verdict_marker: str = ""  # text the verdict follows ("Safety:"); "": the first word
    exact_labels: bool = False  # True: a token counts only when it is exactly a label
    default_model: str | None = None  # the hub id a reference without a model means
    model_specific: bool = True  # False: a rubric for any chat model (hosted ones included)

    @abstractmethod
    def requests(self, prompt: str, response: str | None) -> list[Request]:
        """What the judge is asked for one pair (``response`` None: the prompt alone)."""

    @abstractmethod
    def parse(self, outputs: list[str], prompt_only: bool = False) -> Parsed:
        """The verdict on one pair from the judge's outputs to its requests."""

    def bind(self, model: str | None, chat_template: str | None = None) -> None:
        """Adapt to the model that will answer (a family whose variants differ overrides)."""
        return None

    @property
    def verdict_labels(self) -> dict[str, bool]:
        """Each verdict word and whether it means unsafe."""
        return {**dict.fromkeys(self.safe_labels, False), **dict.fromkeys(self.unsafe_labels, True)}

    def decoding(self) -> Decoding:
        return Decoding(
            max_tokens=self.max_tokens,
            add_special_tokens=self.add_special_tokens,
            add_generation_prompt=self.add_generation_prompt,
            top_logprobs=TOP_LOGPROBS if self.verdict_labels else None,
            labels=tuple(self.verdict_labels),
            use_fast_tokenizer=self.use_fast_tokenizer,
        )

    # -- scoring at the verdict token --------------------------------------------------------
    def verdict_position(self, tokens: tuple[str, ...]) -> int | None:
        """The generated token where the verdict word starts: the first token that brings
        non-space text after ``verdict_marker`` (None when there is none)."""
        text = ""
        for i, token in enumerate(tokens):
            text += token
            rest = text
            if self.verdict_marker:
                at = text.find(self.verdict_marker)
                if at < 0:
                    continue
                rest = text[at + len(self.verdict_marker) :]
            if rest.strip():
                return i
        return None

    def _label_of(self, token: str) -> bool | None:
        """Whether an alternative token starts an unsafe (True) or a safe (False) label;
        None for a token that starts neither, or both."""
        if self.exact_labels:
            return self.verdict_labels.get(token)
        key = token.strip().lower()
        if not key:
            return None
        meanings = {v for label, v in self.verdict_labels.items() if label.lower().startswith(key)}
        return meanings.pop() if len(meanings) == 1 else None

    def label_probability(self, alternatives: dict[str, float]) -> float | None:
        """P(unsafe labels) against P(safe labels) among one position's alternatives."""
        mass = {True: 0.0, False: 0.0}
        for token, logprob in alternatives.items():
            meaning = self._label_of(token)
            if meaning is not None and math.isfinite(logprob):
                mass[meaning] += math.exp(logprob)
        total = mass[True] + mass[False]
        return mass[True] / total if total > 0 else None

    def completion_score(self, completion: Completion) -> float | None:
        """The score of one request's answer, read at its verdict token (None: no
        log-probabilities, or the verdict token is not one of the labels)."""
        if not self.verdict_labels or not completion.tokens or not completion.alternatives:
            return None
        at = self.verdict_position(completion.tokens)
        if at is None or at >= len(completion.alternatives):
            return None
        if self._label_of(completion.tokens[at]) is None:
            return None  # the token the judge wrote there is no verdict label
        return self.label_probability(completion.alternatives[at])

    def token_score(self, completions: list[Completion]) -> float | None:
        """The pair's score from its requests' answers (one request: its score; several:
        override to combine them)."""
        return self.completion_score(completions[0]) if len(completions) == 1 else None

    def categories(self, codes: tuple[str, ...]) -> tuple[str, ...]:
        """The BeaverTails-14 categories the judge's codes map onto."""
        if self.taxonomy is None or not codes:
            return ()
        return tuple(get_mapping(self.taxonomy, BEAVERTAILS_14).map(list(codes)))


def mapping_rule(taxonomy: str) -> str:
    """The rule a family's mapping onto BeaverTails-14 follows (its JSON's ``rule``)."""
    name = f"{taxonomy}_to_{BEAVERTAILS_14}.json"
    path = resources.files("beavertail.data") / "taxonomies" / name
    return str(json.loads(path.read_text(encoding="utf-8")).get("rule", ""))


def text_content(text: str) -> list[dict[str, str]]:
    """A message's content as a list of text parts (what Llama Guard's templates read)."""
    return [{"type": "text", "text": text}]


# the control strings a fake end of turn is written with (conversation.py), for backends whose
# tokenizer is not here (an endpoint renders and tokenizes on its side)
CONTROL_TEXT = re.compile(CONTROL_TOKENS)
WORD_JOINER = "\u2060"  # as models.causal's (not imported here: it loads torch)


def plain_text(text: str, tokenizer: Any = None) -> str:
    """``text`` with every control string split by a word joiner (the tokenizer's own special
    tokens when there is one, the known families' otherwise), so that a judged prompt or answer
    can never close its turn and write the judge's verdict."""
    if tokenizer is not None:
        from beavertail.models.causal import neutralize_special_tokens

        text = neutralize_special_tokens(tokenizer, text)
    return CONTROL_TEXT.sub(lambda m: m.group()[0] + WORD_JOINER + m.group()[1:], text)


class ExternalJudge(FieldJudge):
    """A judge of the field (a format and a backend) as a
    :class:`~beavertail.moderation.judge.Judge`: no severity, no OOD detector."""

    def __init__(self, fmt: JudgeFormat, backend: Any, reference: str, threshold: float = 0.5):
        self.format = fmt
        self.backend = backend
        self.reference = reference
        self.threshold = threshold
        self.metadata: dict[str, Any] = {"name": reference, "family": fmt.family}
        if fmt.taxonomy is not None and fmt.taxonomy != BEAVERTAILS_14:
            self.metadata["category_rule"] = mapping_rule(fmt.taxonomy)

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
        prompt_only = responses is None
        if responses is not None and len(responses) != len(prompts):
            raise ValueError(f"{len(prompts)} prompts but {len(responses)} responses")
        answers: list[str | None] = [None] * len(prompts) if responses is None else [*responses]
        tokenizer = getattr(self.backend, "tokenizer", None)
        per_pair = [
            self.format.requests(
                plain_text(p, tokenizer), None if r is None else plain_text(r, tokenizer)
            )
            for p, r in zip(prompts, answers, strict=True)
        ]
        flat = [request for requests in per_pair for request in requests]
        completions = self.backend.complete(flat, self.format.decoding(), progress=progress)
        results, scores, at = [], [], 0
        for requests in per_pair:
            outputs = completions[at : at + len(requests)]
            at += len(requests)
            parsed = self.format.parse([c.text for c in outputs], prompt_only=prompt_only)
            if parsed.unsafe is None:  # unparsed is unparsed, whatever the alternatives say
                results.append(parsed)
                scores.append(math.nan)
                continue
            score = parsed.score
            if score is None:
                score = self.format.token_score(list(outputs))
                if score is not None and (score >= 0.5) != parsed.unsafe:
                    parsed = Parsed(
                        parsed.unsafe,
                        parsed.codes,
                        {**parsed.labels, "score_disagrees": True},
                        parsed.score,
                    )
            if score is None:
                score = 1.0 if parsed.unsafe else 0.0
            results.append(parsed)
            scores.append(score)
        return results, np.array(scores, dtype=float)

    def judge(
        self, prompts: Texts, responses: Answers = None, progress: bool = False, cache: bool = False
    ) -> Scores:
        """Probabilities (N x (1 + 14): unsafe, then BT-14 categories named by the judge);
        unparsed pairs have NaN. No severity."""
        parsed, scores = self.parsed(list(prompts), responses, progress)
        return self._matrix(parsed, scores), None

    def _matrix(self, parsed: list[Parsed], scores: np.ndarray) -> np.ndarray:
        names = self.categories
        out = np.zeros((len(parsed), 1 + len(names)))
        out[:, 0] = scores
        for i, p in enumerate(parsed):
            for category in self.format.categories(p.codes):
                out[i, 1 + names.index(category)] = 1.0
        return out

    def predict(
        self, prompts: Texts, responses: Answers = None, progress: bool = False
    ) -> list[Verdict]:
        parsed, scores = self.parsed(list(prompts), responses, progress)
        verdicts = []
        for p, score in zip(parsed, scores, strict=True):
            unparsed = bool(np.isnan(score))
            flagged = (not unparsed) and score >= self.threshold
            named = self.format.categories(p.codes) if flagged else ()
            raw = {"codes": list(p.codes), **p.labels}
            if not unparsed:
                raw["text_unsafe"] = p.unsafe
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
