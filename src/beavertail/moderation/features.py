"""Feature extractors for moderation heads, and an on-disk feature cache.

* ``EncoderFeatures`` — a sentence encoder's pooled embedding of the pair (backends a, b).
* ``LMProbeFeatures`` — a causal LM's residual stream, mean-pooled over the chat-formatted
  pair at a few layers (backend c); the forward pass stops after the deepest layer needed.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.numpy import load_file, save_file

from beavertail.models.batching import run_sorted_batches
from beavertail.models.causal import LoadedLM, cache_dir, chat_text
from beavertail.models.encoders import SentenceEncoder


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


class _StopForward(Exception):
    pass


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

    def _decoder_layers(self) -> torch.nn.ModuleList:
        return self.lm.model.model.layers  # type: ignore[return-value]

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
        captured: dict[int, torch.Tensor] = {}
        last = self.layers[-1]

        def hook_for(index: int):
            def hook(_module, _inputs, output):
                hidden = output[0] if isinstance(output, tuple) else output
                captured[index] = hidden
                if index == last:
                    raise _StopForward

            return hook

        handles = [
            self._decoder_layers()[i].register_forward_hook(hook_for(i)) for i in self.layers
        ]
        try:
            self.lm.model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
        except _StopForward:
            pass
        finally:
            for h in handles:
                h.remove()
        mask = enc["attention_mask"].unsqueeze(-1).float()
        pooled = [(captured[i] * mask).sum(1) / mask.sum(1) for i in self.layers]
        return torch.cat(pooled, dim=-1).float().numpy()


def feature_key(spec: dict[str, Any], prompts: list[str], responses: list[str] | None) -> str:
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode())
    for i, p in enumerate(prompts):
        digest.update(p.encode("utf-8") + b"\x00")
        digest.update((responses[i] if responses else "").encode("utf-8") + b"\x01")
    return digest.hexdigest()[:24]


def cached_features(
    extractor: FeatureExtractor,
    prompts: list[str],
    responses: list[str] | None,
    progress: bool = False,
    folder: Path | None = None,
) -> np.ndarray:
    """Features from the cache folder when the same extractor saw the same texts before."""
    folder = folder or cache_dir() / "features"
    path = folder / f"{feature_key(extractor.spec(), prompts, responses)}.safetensors"
    if path.is_file():
        return load_file(path)["features"]
    features = extractor(prompts, responses, progress=progress)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial")
    save_file({"features": np.ascontiguousarray(features)}, tmp)
    tmp.rename(path)
    return features
