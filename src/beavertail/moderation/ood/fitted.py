"""A fitted OOD detector and its threshold, saved beside the judge it reads (``<judge>/ood/``:
``detector.safetensors`` + manifest, stamped with the judge's digest)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from beavertail.artifacts import read_manifest, write_manifest
from beavertail.moderation.ood.detectors import OODDetector, detector_from_state

MANIFEST_KIND = "beavertail.ood-detector"
IN_DISTRIBUTION_PASS_RATE = 0.95  # the threshold lets this share of validation pairs pass


def pass_rate_threshold(scores: np.ndarray, pass_rate: float = IN_DISTRIBUTION_PASS_RATE) -> float:
    """The score under which ``pass_rate`` of in-distribution validation pairs fall."""
    if not 0.0 < pass_rate <= 1.0:
        raise ValueError(f"pass_rate must be in (0, 1], got {pass_rate}")
    return float(np.quantile(np.asarray(scores, np.float64), pass_rate))


@dataclass
class FittedOODDetector:
    """An OOD detector fitted on a judge (or score model), with its threshold: says how unlike
    the training data a pair is (``scores``) and whether that is too unlike to trust the
    verdict (``score > threshold``)."""

    detector: OODDetector
    threshold: float
    judge_digest: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.detector.name

    def scores(self, features: np.ndarray, logits: np.ndarray) -> np.ndarray:
        return np.asarray(self.detector.score(features, logits), np.float64)

    def in_distribution(self, scores: np.ndarray) -> np.ndarray:
        return np.asarray(scores) <= self.threshold

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        tensors = {
            k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in self.detector.state().items()
        }
        tensors["threshold"] = torch.tensor([self.threshold], dtype=torch.float64)
        save_file(tensors, folder / "detector.safetensors")
        manifest = {
            "kind": MANIFEST_KIND,
            "version": 1,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "detector": self.detector.name,
            "threshold": self.threshold,
            "judge_digest": self.judge_digest,
            **self.metadata,
        }
        write_manifest(folder, manifest)
        return folder

    @classmethod
    def load(cls, folder: str | Path, judge_digest: str | None = None) -> FittedOODDetector:
        """Load a saved detector; with ``judge_digest``, refuse one fitted on another judge."""
        folder = Path(folder)
        manifest = read_manifest(folder, MANIFEST_KIND, "OOD detector")
        if judge_digest is not None and manifest["judge_digest"] != judge_digest:
            raise ValueError(
                f"{folder}: this OOD detector was fitted on judge {manifest['judge_digest']}, "
                f"not on {judge_digest}; refit it with `beavertail moderate ood-fit`"
            )
        tensors = {k: v.numpy() for k, v in load_file(folder / "detector.safetensors").items()}
        threshold = float(tensors.pop("threshold")[0])
        detector = detector_from_state(manifest["detector"], tensors)
        keep = ("proxies", "fitted_on", "metrics")
        metadata = {k: manifest[k] for k in keep if k in manifest}
        return cls(detector, threshold, manifest["judge_digest"], metadata)
