"""Scalar score models (reward = helpfulness, cost = harmfulness): the spec, the frozen-feature
model (a trained head), and one loader for every kind of saved model."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from beavertail.artifacts import artifact_digest, write_manifest
from beavertail.models import SentenceEncoder, load_lm
from beavertail.models.features import (
    EncoderFeatures,
    FeatureExtractor,
    LMProbeFeatures,
    cached_features,
)
from beavertail.models.heads import StandardizedHead, mlp
from beavertail.moderation.ood.fitted import FittedOODDetector
from beavertail.preference.spec import MANIFEST_KIND, ScoreModelSpec, read_score_model


def build_pair_features(spec: ScoreModelSpec) -> FeatureExtractor:
    if spec.backbone == "encoder":
        encoder = SentenceEncoder(spec.encoder, max_length=spec.max_length, quantize=spec.quantize)
        base: FeatureExtractor = EncoderFeatures(encoder)
    else:
        base = LMProbeFeatures(load_lm(spec.lm), spec.layers or None, max_length=spec.max_length)
    return SignalFeatures(base, spec.signals) if spec.signals else base


class SignalFeatures(FeatureExtractor):
    """Another extractor's features with answer signals appended: the answer's length (log
    characters, log words) and judges' harm logits."""

    def __init__(self, base: FeatureExtractor, signals: list[str]) -> None:
        from beavertail.moderation.judge import resolve_judge

        self.base, self.signals = base, list(signals)
        self.batch_size = base.batch_size
        self.judges = {s: resolve_judge(s.split(":", 1)[1]) for s in signals if s != "length"}

    def spec(self) -> dict[str, Any]:
        judges = {s: judge.digest() for s, judge in self.judges.items()}
        return {**self.base.spec(), "signals": self.signals, "judge_digests": judges}

    def batch(self, prompts: list[str], responses: list[str] | None) -> np.ndarray:
        columns = [self.base.batch(prompts, responses)]
        answers = responses or [""] * len(prompts)
        for signal in self.signals:
            if signal == "length":
                chars = np.log1p([len(a) for a in answers])
                words = np.log1p([len(a.split()) for a in answers])
                columns.append(np.stack([chars, words], 1))
            else:
                p = np.clip(
                    self.judges[signal].probabilities(prompts, answers)[:, 0], 1e-6, 1 - 1e-6
                )
                columns.append(np.log(p / (1 - p))[:, None])
        return np.concatenate(columns, 1).astype(np.float32)


class ScoreHead(StandardizedHead):
    """Standardised features -> MLP -> one scalar."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__(dim)
        self.net = mlp(dim, 1, hidden)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.net(self.standardize(features)).squeeze(-1)


class ScoreModel:
    """A reward or cost model: ``scores(prompts, responses)`` gives one float per pair."""

    def __init__(
        self,
        spec: ScoreModelSpec,
        extractor: FeatureExtractor,
        head: ScoreHead,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.spec = spec
        self.extractor = extractor
        self.head = head
        self.metadata = metadata or {}
        self.ood: FittedOODDetector | None = (
            None  # ``ood/``: says when an answer is unlike training
        )

    def out_of_distribution(self, prompts: list[str], responses: list[str]) -> np.ndarray | None:
        """True per answer the model's OOD detector rejects (None without a detector)."""
        if self.ood is None:
            return None
        features = self.features(prompts, responses, cache=False)
        logits = self.scores_from_features(features).reshape(-1, 1)
        return ~self.ood.in_distribution(self.ood.scores(features, logits))

    def features(
        self, prompts: list[str], responses: list[str], progress: bool = False, cache: bool = True
    ) -> np.ndarray:
        if cache:
            return cached_features(self.extractor, prompts, responses, progress)
        return self.extractor(prompts, responses, progress=progress)

    @torch.inference_mode()
    def scores_from_features(self, features: np.ndarray) -> np.ndarray:
        self.head.eval()
        return self.head(torch.tensor(features, dtype=torch.float32)).numpy()

    def scores(
        self, prompts: list[str], responses: list[str], progress: bool = False, cache: bool = False
    ) -> np.ndarray:
        """One score per (prompt, response); ``cache`` keeps the features on disk."""
        if len(prompts) != len(responses):
            raise ValueError(f"{len(prompts)} prompts but {len(responses)} responses")
        return self.scores_from_features(self.features(prompts, responses, progress, cache=cache))

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        state = {k: v.contiguous() for k, v in self.head.state_dict().items()}
        save_file(state, folder / "head.safetensors")
        manifest = {
            "kind": MANIFEST_KIND,
            "version": 1,
            "spec": asdict(self.spec),
            "features": self.extractor.spec(),
            "feature_dim": int(self.head.feature_mean.shape[0]),
            **self.metadata,
        }
        write_manifest(folder, manifest)
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> ScoreModel:
        folder = Path(folder)
        manifest, spec = read_score_model(folder)
        if spec.tuning != "head":
            raise ValueError(f"{folder} holds a tuned backbone: load it with load_score_model")
        head = ScoreHead(manifest["feature_dim"], spec.head_hidden)
        head.load_state_dict(load_file(folder / "head.safetensors"))
        head.eval()
        extra = {k: v for k, v in manifest.items() if k not in ("spec", "features")}
        model = cls(spec, build_pair_features(spec), head, extra)
        if (folder / "ood").is_dir():
            model.ood = FittedOODDetector.load(folder / "ood", artifact_digest(folder))
        return model
