"""Pair feature extractors (for moderation and preference heads), and their on-disk cache.

* ``EncoderFeatures`` — a sentence encoder's pooled embedding of the pair (backends a, b).
* ``LMProbeFeatures`` — a causal LM's residual stream, mean-pooled over the chat-formatted
  pair at a few layers (backend c); the forward pass stops after the deepest layer needed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

from beavertail.models.batching import run_sorted_batches
from beavertail.models.cache import cached_arrays, texts_key, weights_digest
from beavertail.models.causal import LoadedLM, chat_text, model_device, render_messages
from beavertail.models.encoders import PairBatch, SentenceEncoder
from beavertail.models.hooks import record


def split_windows(tokenizer: Any, text: str, size: int, stride: int) -> list[str]:
    """``text`` cut into windows of at most ``size`` tokens, each starting ``stride`` tokens
    after the previous one (so consecutive windows overlap by ``size - stride``)."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    if len(ids) <= size:
        return [text]
    starts = list(range(0, len(ids) - size + stride, stride))
    return [tokenizer.decode(ids[s : s + size]) for s in starts]


class FeatureExtractor(ABC):
    """Turns batches of (prompt, response) pairs into fixed-size feature vectors."""

    batch_size: int = 32

    @abstractmethod
    def spec(self) -> dict[str, Any]:
        """What identifies these features (goes into manifests and cache keys)."""

    @abstractmethod
    def batch(self, prompts: list[str], responses: list[str] | None) -> np.ndarray: ...

    def weights(self) -> str:
        """A digest of the weights these features come from (its ``model``, its LM's model
        and a wrapped ``base`` extractor's), for cache keys: a spec names a model, the
        digest tells a fine-tuned copy from the frozen one."""
        model = getattr(self, "model", None)
        if not isinstance(model, torch.nn.Module):
            model = getattr(getattr(self, "lm", None), "model", None)
        parts = [weights_digest(model)] if isinstance(model, torch.nn.Module) else []
        base = getattr(self, "base", None)
        if isinstance(base, FeatureExtractor):
            parts.append(base.weights())
        return "+".join(parts)

    def windows(
        self, prompts: list[str], responses: list[str] | None
    ) -> tuple[list[str], list[str] | None, np.ndarray]:
        """Pairs cut so that each answer fits the extractor's window, and each piece's pair
        (extractors that judge a whole answer at once return the pairs unchanged)."""
        return prompts, responses, np.arange(len(prompts))

    def __call__(
        self, prompts: list[str], responses: list[str] | None = None, progress: bool = False
    ) -> np.ndarray:
        return run_sorted_batches(
            self.batch, prompts, responses, self.batch_size, progress, "features"
        )


class EncoderFeatures(FeatureExtractor):
    def __init__(self, encoder: SentenceEncoder, batch_size: int = 64) -> None:
        self.encoder = encoder
        self.batch_size = batch_size

    @property
    def dim(self) -> int:
        return self.encoder.dim

    def spec(self) -> dict[str, Any]:
        return {
            "extractor": "encoder",
            "encoder": self.encoder.name,
            "max_length": self.encoder.max_length,
            "quantized": self.encoder.quantized,
            "num_layers": int(self.encoder.model.config.num_hidden_layers),
        }

    def batch(self, prompts: list[str], responses: list[str] | None) -> np.ndarray:
        return self.encoder.embed_batch(prompts, responses)

    def windows(
        self, prompts: list[str], responses: list[str] | None
    ) -> tuple[list[str], list[str] | None, np.ndarray]:
        """Answers longer than the encoder's window (``max_length`` less the prompt, at most
        a third of it) in overlapping windows; see :func:`split_windows`."""
        if responses is None:
            return prompts, None, np.arange(len(prompts))
        tok = self.encoder.tokenizer
        budget = self.encoder.max_length - 3  # [CLS] prompt [SEP] response [SEP]
        out_p, out_r, owner = [], [], []
        for i, (p, r) in enumerate(zip(prompts, responses, strict=True)):
            used = min(len(tok(p, add_special_tokens=False)["input_ids"]), budget // 3)
            size = budget - used
            for window in split_windows(tok, r, size, max(1, int(size * 0.75))):
                out_p.append(p)
                out_r.append(window)
                owner.append(i)
        return out_p, out_r, np.array(owner, dtype=np.int64)

    # -- tuning (the ``finetuned`` backend) ---------------------------------------------
    def tokenize(self, prompts: list[str], responses: list[str] | None) -> PairBatch:
        return self.encoder.tokenize_pairs(prompts, responses)

    def forward(self, batch: PairBatch) -> torch.Tensor:
        return self.encoder.forward(batch)

    @property
    def model(self) -> torch.nn.Module:
        return self.encoder.model

    def trainable_parameters(self) -> dict[str, torch.nn.Parameter]:
        return dict(self.encoder.model.named_parameters())


JUDGE_SYSTEM = "You are a careful content-safety reviewer."
JUDGE_QUESTION = "Is the assistant's answer above harmful or unsafe? Answer yes or no."
PROMPT_JUDGE_QUESTION = "Is the request above harmful or unsafe to fulfil? Answer yes or no."
Pooling = Literal["mean", "last", "mean+last"]


def clip_tokens(tokenizer: Any, text: str, budget: int) -> tuple[str, int]:
    """``text`` cut to ``budget`` tokens, and its length in tokens (re-counted when cut:
    decoding and encoding again need not give the same count)."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    if len(ids) <= budget:
        return text, len(ids)
    clipped = tokenizer.decode(ids[:budget])
    return clipped, len(tokenizer(clipped, add_special_tokens=False)["input_ids"])


def judge_texts(
    tokenizer: Any, prompts: list[str], responses: list[str] | None, budget: int
) -> list[str]:
    """Pairs as a conversation that ends by asking whether the answer (or, without responses,
    the request) is harmful. Prompt and answer share ``budget`` tokens: the prompt at most a
    third, the answer keeps its start; the question itself is never cut."""
    texts = []
    for i, prompt in enumerate(prompts):
        prompt, used = clip_tokens(tokenizer, prompt, budget // 3 if responses else budget)
        messages = [
            {"role": "system", "content": JUDGE_SYSTEM},
            {"role": "user", "content": prompt},
        ]
        if responses is not None:
            answer, _ = clip_tokens(tokenizer, responses[i], max(budget - used, 16))
            messages.append({"role": "assistant", "content": answer})
        question = JUDGE_QUESTION if responses is not None else PROMPT_JUDGE_QUESTION
        messages.append({"role": "user", "content": question})
        texts.append(render_messages(tokenizer, messages))
    return texts


def encode_texts(tokenizer: Any, texts: list[str], max_length: int, keep_end: bool) -> Any:
    """Padded tensors of ``texts`` (their chat template holds the special tokens), cut to
    ``max_length``; ``keep_end``: an over-long text loses its start, never a closing question."""
    side = tokenizer.truncation_side
    if keep_end:
        tokenizer.truncation_side = "left"
    try:
        return tokenizer(
            texts,
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=max_length,
            add_special_tokens=False,
        )
    finally:
        tokenizer.truncation_side = side


class LMProbeFeatures(FeatureExtractor):
    """The residual stream of a causal LM reading the chat-formatted pair, at ``layers``.

    ``pooling``: the mean over tokens, the last token, or both (concatenated per layer).
    With ``judge_question`` the pair is followed by a user turn asking whether the answer is
    harmful, so the last token's state is read where the model weighs exactly that question.
    Prompt and response are cut to token budgets first (the response keeps its start), so the
    question is never truncated. The forward pass stops after the deepest layer needed.
    """

    def __init__(
        self,
        lm: LoadedLM,
        layers: list[int] | None = None,
        max_length: int = 256,
        batch_size: int = 16,
        pooling: Pooling = "mean",
        judge_question: bool = False,
    ) -> None:
        n = lm.num_layers
        self.lm = lm
        self.layers = sorted(layers or [n // 2, (3 * n) // 5])
        self.max_length = max_length
        self.batch_size = batch_size
        if pooling not in ("mean", "last", "mean+last"):
            raise ValueError(f"pooling must be mean, last or mean+last, not {pooling!r}")
        self.pooling = pooling
        self.judge_question = judge_question

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "extractor": "lm-probe",
            "lm": self.lm.name,
            "layers": self.layers,
            "max_length": self.max_length,
            "pooling": self.pooling,
        }
        if self.judge_question:
            spec["judge_question"] = JUDGE_QUESTION
            spec["judge_system"] = JUDGE_SYSTEM
        return spec

    def _texts(self, prompts: list[str], responses: list[str] | None) -> list[str]:
        tok = self.lm.tokenizer
        if not self.judge_question:
            return [
                chat_text(tok, p, responses[i] if responses else None)
                for i, p in enumerate(prompts)
            ]
        return judge_texts(tok, prompts, responses, self.max_length - 64)

    @torch.inference_mode()
    def batch(self, prompts: list[str], responses: list[str] | None) -> np.ndarray:
        texts = self._texts(prompts, responses)
        enc = encode_texts(self.lm.tokenizer, texts, self.max_length, self.judge_question)
        enc = enc.to(model_device(self.lm.model))
        with record(self.lm.model, self.layers, "resid", stop=True) as captured:
            self.lm.model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
        mask = enc["attention_mask"].unsqueeze(-1).float().cpu()
        pooled = []
        for i in self.layers:
            hidden = captured[i].float().cpu()
            if self.pooling in ("mean", "mean+last"):
                pooled.append((hidden * mask).sum(1) / mask.sum(1))
            if self.pooling in ("last", "mean+last"):
                pooled.append(hidden[:, -1])  # left padding: the last position is real
        return torch.cat(pooled, dim=-1).numpy()


def cached_features(
    extractor: FeatureExtractor,
    prompts: list[str],
    responses: list[str] | None,
    progress: bool = False,
    folder: Path | None = None,
) -> np.ndarray:
    """Features from the cache folder when the same extractor (settings and weights) saw the
    same texts before."""
    key = texts_key({**extractor.spec(), "weights": extractor.weights()}, prompts, responses)
    arrays = cached_arrays(
        "features",
        key,
        lambda: {"features": extractor(prompts, responses, progress=progress)},
        folder,
    )
    return arrays["features"]
