"""Guided decoding: steer the search over continuations with a harm heuristic, chunk by chunk.

Two searches over one :class:`~beavertail.models.forking.ForkingDecoder` (the prompt is
prefilled once; candidates fork its KV cache, rewinds crop it):

- **DeAL** (Huang et al., "Decoding-time Alignment for LLMs"): each kept prefix grows
  ``candidates`` chunks of ``chunk_tokens`` (the first follows the request's own decoding,
  e.g. greedy; the rest are sampled with the search's own ``temperature`` and ``top_p``),
  optionally looks ``lookahead_tokens`` further to score them, and the ``beam`` best are kept:
  among candidates the heuristic finds safe, the likeliest under the model; if none is safe,
  the least harmful (or the answer stops: ``on_exhausted``).
- **RAIN** (Li et al., "Rewindable Auto-regressive INference"), with the project's judge as the
  evaluator: generate a chunk, score the answer so far, and if it is unsafe rewind and resample
  the chunk (at most ``max_rewinds`` per chunk and ``rewind_budget`` per answer), keeping the
  least harmful attempt when none passes.

The heuristic scores (prompt, partial answer) pairs: a moderator (by default the ``fast`` tier,
trained on answer prefixes; its calibrated threshold) or a cost model (``cost:FOLDER``; safe
below 0). Each answer's cost is recorded (``details["guided"]``): forward passes per token
(greedy: 1), heuristic calls and rewinds.
"""

from __future__ import annotations

import dataclasses
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import torch
from pydantic import ConfigDict, Field

from beavertail.models.causal import LoadedLM, chat_text
from beavertail.models.forking import ForkingDecoder
from beavertail.models.generation import Generation, SamplingParams, Temperature, TopP
from beavertail.settings import Settings


class GuidedConfig(Settings):
    """A guided search and its heuristic (eval and serve configs nest this as ``guided``)."""

    model_config = ConfigDict(frozen=True)

    method: Literal["deal", "rain"] = Field(
        "rain", description="deal: candidate search; rain: rewind."
    )
    heuristic: str = Field(
        "fast", description="Moderator reference (fast, default, folder) or cost:FOLDER."
    )
    threshold: float | None = Field(
        None, description="Harm at or above this is unsafe (default: the moderator's; cost 0)."
    )
    chunk_tokens: int = Field(8, ge=1, description="Tokens per chunk between heuristic calls.")
    candidates: int = Field(4, ge=1, description="DeAL: chunks sampled per kept prefix.")
    beam: int = Field(1, ge=1, description="DeAL: prefixes kept after each chunk.")
    lookahead_tokens: int = Field(0, ge=0, description="DeAL: greedy tokens scored, then dropped.")
    max_rewinds: int = Field(3, ge=0, description="RAIN: resamples of one chunk.")
    rewind_budget: int = Field(8, ge=0, description="RAIN: resamples per answer.")
    temperature: Temperature = Field(0.8, description="Sampling of alternatives (resamples).")
    top_p: TopP = 0.95
    on_exhausted: Literal["keep", "stop"] = Field(
        "stop",
        description="No safe chunk found (RAIN: rewinds spent; DeAL: no safe candidate): keep "
        "the least harmful one, or stop the answer before it and add `fallback`.",
    )
    fallback: str = Field(
        "I can't help with that.", description="Appended to an answer stopped by the search."
    )


class Heuristic(Protocol):
    """Harm of (prompt, partial answer) pairs; at or above ``threshold`` counts as unsafe."""

    name: str
    threshold: float

    def harm(self, prompts: list[str], answers: list[str]) -> np.ndarray: ...

    def digest(self) -> str:
        """Content digest of what scores (a resumed run must be guided by the same)."""
        ...


class ModeratorHeuristic:
    """A moderator's calibrated unsafe probability."""

    def __init__(self, reference: str, threshold: float | None = None) -> None:
        from beavertail.moderation import resolve_judge

        self.moderator = resolve_judge(reference)
        self.name = reference
        self.threshold = self.moderator.threshold if threshold is None else threshold

    def harm(self, prompts: list[str], answers: list[str]) -> np.ndarray:
        return self.moderator.probabilities(prompts, answers)[:, 0]

    def digest(self) -> str:
        return self.moderator.digest()


class CostHeuristic:
    """A Safe-RLHF cost model's score (positive: unsafe)."""

    def __init__(self, folder: str, threshold: float | None = None) -> None:
        from beavertail.preference import load_score_model

        self.model = load_score_model(folder, "cost")
        self.folder = folder
        self.name = f"cost:{folder}"
        self.threshold = 0.0 if threshold is None else threshold

    def harm(self, prompts: list[str], answers: list[str]) -> np.ndarray:
        return np.asarray(self.model.scores(prompts, answers), dtype=float)

    def digest(self) -> str:
        from beavertail.artifacts import artifact_digest

        return artifact_digest(self.folder)


def load_heuristic(config: GuidedConfig) -> Heuristic:
    if config.heuristic.startswith("cost:"):
        return CostHeuristic(config.heuristic.removeprefix("cost:"), config.threshold)
    return ModeratorHeuristic(config.heuristic, config.threshold)


@dataclass(frozen=True)
class SearchStats:
    """What one guided answer cost."""

    method: str
    forward_passes: int  # token positions computed for live rows (greedy: one per token)
    answer_tokens: int
    heuristic_calls: int
    rewinds: int
    final_harm: float
    seconds: float
    stopped: bool = False  # no safe continuation: the answer ended before it (+ fallback)

    @property
    def forward_passes_per_token(self) -> float:
        return self.forward_passes / max(self.answer_tokens, 1)

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out["forward_passes_per_token"] = round(self.forward_passes_per_token, 4)
        out["final_harm"] = round(self.final_harm, 5)
        out["seconds"] = round(self.seconds, 4)
        return out


class GuidedGenerator:
    """A :class:`~beavertail.models.generation.TextGenerator` that answers each prompt with a
    guided search (local model only: the search needs the KV cache)."""

    def __init__(self, lm: LoadedLM, heuristic: Heuristic, config: GuidedConfig) -> None:
        self.lm = lm
        self.heuristic = heuristic
        self.config = config
        self.name = f"{lm.name}+{config.method}"

    def generate(self, prompts: Sequence[str], config: SamplingParams) -> list[Generation]:
        out = []
        for prompt in prompts:
            text = chat_text(self.lm.tokenizer, prompt, None, config.system_prompt)
            generation, stats = self.search(text, prompt, config)
            out.append(dataclasses.replace(generation, details={"guided": stats}))
        return out

    def search(
        self, model_input: str, prompt: str, request: SamplingParams
    ) -> tuple[Generation, SearchStats]:
        """One answer to an already formatted conversation (``model_input``); ``prompt`` is
        what the heuristic judges the partial answers against (the last user message)."""
        began = time.perf_counter()
        search = _deal if self.config.method == "deal" else _rain
        found = search(self, ForkingDecoder(self.lm, model_input), prompt, request)
        decoder = found.decoder
        text, tokens = decoder.text(0), len(decoder.tokens[0])
        reason = "stop" if decoder.finished[0] else "length"
        if found.stopped:
            text = " ".join(t for t in (text, self.config.fallback) if t)
            reason = "content_filter"
        stats = SearchStats(
            self.config.method, decoder.forward_rows, tokens, found.calls, found.rewinds,
            found.harm, time.perf_counter() - began, found.stopped,
        )  # fmt: skip
        return Generation(prompt, text, tokens, reason), stats

    # -- shared pieces ---------------------------------------------------------------------
    def _resample(self, request: SamplingParams) -> SamplingParams:
        """How alternatives are drawn: with the search's own sampling, whatever the request
        asks. The request's decoding draws the first candidate / attempt only, so a request's
        extreme temperature (the generation-exploitation attack) cannot decide every option."""
        c = self.config
        return request.updated(temperature=c.temperature, top_p=c.top_p, top_k=0)

    def _harm(self, prompt: str, answers: list[str]) -> np.ndarray:
        return self.heuristic.harm([prompt] * len(answers), answers)


@dataclass
class _Found:
    """A search's outcome: the decoder (row 0 is the answer) and what the search spent."""

    decoder: ForkingDecoder
    calls: int = 0
    rewinds: int = 0
    harm: float = 0.0
    stopped: bool = False


def _seed(prompt: str, request: SamplingParams) -> int:
    """A per-prompt seed: the same answer after a resume, whatever the batch."""
    return (request.seed * 1_000_003 + zlib.crc32(prompt.encode())) % 2**31


def _deal(
    self: GuidedGenerator, decoder: ForkingDecoder, prompt: str, request: SamplingParams
) -> _Found:
    c = self.config
    alternative = self._resample(request)
    base = _seed(prompt, request)
    generators = [torch.Generator().manual_seed(base + k) for k in range(c.candidates * c.beam)]
    calls, harm, steps = 0, 0.0, 0
    while steps < request.max_new_tokens and not all(decoder.finished):
        before = decoder.snapshot()
        rows: list[int] = []
        for row in range(len(decoder)):  # a finished prefix is kept once, not forked
            rows += [row] * (1 if decoder.finished[row] else c.candidates)
        decoder.select(rows)
        first = [k == 0 or rows[k] != rows[k - 1] for k in range(len(rows))]
        samplings = [request if is_first else alternative for is_first in first]
        chunk = min(c.chunk_tokens, request.max_new_tokens - steps)
        decoder.extend(chunk, samplings, generators[: len(rows)])
        steps += chunk
        texts = [decoder.text(k) for k in range(len(decoder))]
        if c.lookahead_tokens and steps < request.max_new_tokens:
            snapshot = decoder.snapshot()
            greedy = request.updated(temperature=0.0)
            decoder.extend(c.lookahead_tokens, [greedy] * len(decoder), generators[: len(rows)])
            texts = [decoder.text(k) for k in range(len(decoder))]
            decoder.rewind(snapshot)
        scores = self._harm(prompt, texts)
        calls += 1
        unique = list({text: k for k, text in reversed(list(enumerate(texts)))}.values())
        ranked = sorted(
            unique,
            key=lambda k: (
                (0, -decoder.logprobs[k])
                if scores[k] < self.heuristic.threshold
                else (1, float(scores[k]))
            ),
        )
        keep = ranked[: c.beam]
        if scores[keep[0]] >= self.heuristic.threshold and c.on_exhausted == "stop":
            decoder.select(keep[:1])  # back to the best prefix, before this chunk
            decoder.rewind(before.pick([rows[keep[0]]]))
            return _Found(decoder, calls, 0, harm, stopped=True)
        harm = float(scores[keep[0]])
        decoder.select(keep)
    if len(decoder) > 1:
        decoder.select([0])
    return _Found(decoder, calls, 0, harm)


def _rain(
    self: GuidedGenerator, decoder: ForkingDecoder, prompt: str, request: SamplingParams
) -> _Found:
    c = self.config
    alternative = self._resample(request)
    generator = torch.Generator().manual_seed(_seed(prompt, request))
    calls, rewinds, harm, steps = 0, 0, 0.0, 0
    while steps < request.max_new_tokens and not decoder.finished[0]:
        snapshot = decoder.snapshot()
        chunk = min(c.chunk_tokens, request.max_new_tokens - steps)
        attempts: list[tuple[float, list[int], bool]] = []  # (harm, tokens, finished)
        sampling = request
        while True:
            decoder.extend(chunk, [sampling], [generator])
            score = float(self._harm(prompt, [decoder.text(0)])[0])
            calls += 1
            new_tokens = decoder.tokens[0][len(snapshot.tokens[0]) :]
            attempts.append((score, new_tokens, decoder.finished[0]))
            passed = score < self.heuristic.threshold
            if passed or len(attempts) > c.max_rewinds or rewinds >= c.rewind_budget:
                break
            decoder.rewind(snapshot)
            rewinds += 1
            sampling = alternative
        if not passed and c.on_exhausted == "stop":  # end the answer before this chunk
            decoder.rewind(snapshot)
            return _Found(decoder, calls, rewinds, harm, stopped=True)
        best = min(range(len(attempts)), key=lambda k: attempts[k][0])
        harm = attempts[-1][0]
        if not passed and best != len(attempts) - 1:  # keep the least harmful attempt
            decoder.rewind(snapshot)
            harm, tokens, finished = attempts[best]
            decoder.force(tokens + ([decoder.eos] if finished else []))
        steps += chunk
    return _Found(decoder, calls, rewinds, harm)
