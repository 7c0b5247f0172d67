"""Pair feature extractors (for moderation and preference heads), and their on-disk cache.

* ``EncoderFeatures`` — a sentence encoder's pooled embedding of the pair (backends a, b).
* ``LMProbeFeatures`` — a causal LM's residual stream, mean-pooled over the chat-formatted
  pair at a few layers (backend c); the forward pass stops after the deepest layer needed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import numpy as np
import torch

from beavertail.models.batching import run_sorted_batches
from beavertail.models.cache import cached_arrays, texts_key
from beavertail.models.causal import LoadedLM, chat_text
from beavertail.models.encoders import SentenceEncoder
from beavertail.models.hooks import record


class FeatureExtractor(ABC):
    """Turns batches of (prompt, response) pairs into fixed-size feature vectors."""

    batch_size: int = 32

    @abstractmethod
    def spec(self) -> dict[str, Any]:
        """What identifies these features (goes into manifests and cache keys)."""

    @abstractmethod
    def batch(self, prompts: list[str], responses: list[str] | None) -> np.ndarray: ...

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


class LMProbeFeatures(FeatureExtractor):
    """Mean over tokens of the residual stream after each of ``layers`` (concatenated)."""

    def __init__(
        self,
        lm: LoadedLM,
        layers: list[int] | None = None,
        max_length: int = 256,
        batch_size: int = 16,
    ) -> None:
        n = lm.num_layers
        self.lm = lm
        self.layers = sorted(layers or [n // 2, (3 * n) // 5])
        self.max_length = max_length
        self.batch_size = batch_size

    def spec(self) -> dict[str, Any]:
        return {
            "extractor": "lm-probe",
            "lm": self.lm.name,
            "layers": self.layers,
            "max_length": self.max_length,
            "pooling": "mean",
        }

    @torch.inference_mode()
    def batch(self, prompts: list[str], responses: list[str] | None) -> np.ndarray:
        tok = self.lm.tokenizer
        texts = [
            chat_text(tok, p, responses[i] if responses else None) for i, p in enumerate(prompts)
        ]
        enc = tok(
            texts,
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=self.max_length,
            add_special_tokens=False,
        )
        with record(self.lm.model, self.layers, "resid", stop=True) as captured:
            self.lm.model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
        mask = enc["attention_mask"].unsqueeze(-1).float()
        pooled = [(captured[i] * mask).sum(1) / mask.sum(1) for i in self.layers]
        return torch.cat(pooled, dim=-1).float().numpy()


def cached_features(
    extractor: FeatureExtractor,
    prompts: list[str],
    responses: list[str] | None,
    progress: bool = False,
    folder: Path | None = None,
) -> np.ndarray:
    """Features from the cache folder when the same extractor saw the same texts before."""
    key = texts_key(extractor.spec(), prompts, responses)
    arrays = cached_arrays(
        "features",
        key,
        lambda: {"features": extractor(prompts, responses, progress=progress)},
        folder,
    )
    return arrays["features"]
