"""Influence estimators as values: gradient similarity (TracIn at the final weights) and EK-FAC.

Every method returns a (training examples x queries) matrix in which a positive entry says
that training on the example lowered the query's measurement (taught the behaviour).

* :class:`GradientSimilarity` — dot product (``normalize=False``; TracIn with one checkpoint,
  "inner product" influence) or cosine of per-example gradients on the trained parameters.
  Training gradients are computed once each and scored in chunks that are saved as they
  finish (safetensors), so an interrupted run resumes where it stopped.
* :class:`EKFAC` — inverse-Hessian-weighted influence with kronfluence's eigenvalue-corrected
  Kronecker factors, on the task's tracked ``Linear`` modules only (the LoRA matrices or a
  judge's tuned layers); kronfluence keeps its factors and scores as safetensors in ``cache``
  and reuses them on a second call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from beavertail.artifacts import atomic_target, atomic_write_text
from beavertail.influence.tasks import InfluenceTask
from beavertail.models.cache import tensors_digest
from beavertail.models.causal import cache_dir
from beavertail.models.progress import track


class InfluenceMethod(Protocol):
    name: ClassVar[str]

    def scores(
        self,
        task: InfluenceTask,
        train: Sequence[Any],
        queries: Sequence[Any],
        cache: Path | None = None,
        progress: bool = True,
    ) -> np.ndarray: ...


def _flat_gradient(task: InfluenceTask, loss: torch.Tensor) -> torch.Tensor:
    params = list(task.parameters().values())
    grads = torch.autograd.grad(loss, params, allow_unused=True)
    return torch.cat(
        [
            (g if g is not None else torch.zeros_like(p)).reshape(-1).float()
            for g, p in zip(grads, params, strict=True)
        ]
    )


def query_gradients(
    task: InfluenceTask, queries: Sequence[Any], progress: bool = True
) -> torch.Tensor:
    """One row per query: the gradient of its measurement on the trained parameters."""
    rows = []
    for item in track(queries, len(queries), "query gradients", progress):
        rows.append(_flat_gradient(task, task.measurements([item])[0]))
    return torch.stack(rows)


def _digest(items: Sequence[Any]) -> str:
    return hashlib.sha256(json.dumps([repr(x) for x in items]).encode()).hexdigest()[:16]


def model_digest(task: InfluenceTask) -> str:
    """A digest of the trained parameters' values: cached gradients and factors belong to one
    model, so a retrained adapter on the same rows never reads another's."""
    named = sorted(task.parameters().items())
    return tensors_digest((name.replace(".original_module", ""), p) for name, p in named)


@dataclass(frozen=True)
class GradientSimilarity:
    """TracIn at the final weights: per-example gradient dot products (or cosines)."""

    normalize: bool = False
    chunk: int = 64  # training examples per saved chunk
    name: ClassVar[str] = "gradient"

    @property
    def label(self) -> str:
        return "tracin-cosine" if self.normalize else "tracin"

    def scores(
        self,
        task: InfluenceTask,
        train: Sequence[Any],
        queries: Sequence[Any],
        cache: Path | None = None,
        progress: bool = True,
    ) -> np.ndarray:
        # Chunks keep raw dot products and gradient norms, so the dot and cosine variants
        # share one pass over the training set.
        folder = None
        if cache is not None:
            folder = (
                Path(cache) / f"gradient-{model_digest(task)}-{_digest(train)}-{_digest(queries)}"
            )
            folder.mkdir(parents=True, exist_ok=True)
        q = query_gradients(task, queries, progress)
        dots, norms = [], []
        starts = range(0, len(train), self.chunk)
        for start in track(starts, len(starts), "training gradients", progress):
            path = folder / f"chunk-{start:06d}.safetensors" if folder else None
            if path is not None and path.is_file():
                saved = load_file(path)
                dots.append(saved["dot"])
                norms.append(saved["norm"])
                continue
            rows, lengths = [], []
            for item in train[start : start + self.chunk]:
                g = _flat_gradient(task, task.train_losses([item])[0])
                rows.append(q @ g)
                lengths.append(g.norm())
            block = {"dot": torch.stack(rows).contiguous(), "norm": torch.stack(lengths)}
            if path is not None:  # whole or absent: a crash mid-write leaves no chunk
                with atomic_target(path) as tmp:
                    save_file(block, tmp)
            dots.append(block["dot"])
            norms.append(block["norm"])
        dot = torch.cat(dots)
        if self.normalize:
            dot = dot / torch.cat(norms).clamp(min=1e-12)[:, None]
            dot = dot / q.norm(dim=1).clamp(min=1e-12)[None, :]
        return dot.numpy()


class _Batches(torch.utils.data.Dataset):
    """Items by index: kronfluence's loaders yield index tensors, the task maps them back."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> torch.Tensor:
        return torch.tensor(index)


def _kronfluence_task(task: InfluenceTask, train: Sequence[Any], queries: Sequence[Any]) -> Any:
    from kronfluence.task import Task

    class Bridge(Task):
        def compute_train_loss(self, batch: Any, model: Any, sample: bool = False) -> Any:
            return task.train_losses([train[int(i)] for i in batch], sample=sample).sum()

        def compute_measurement(self, batch: Any, model: Any) -> Any:
            return task.measurements([queries[int(i)] for i in batch]).sum()

        def get_influence_tracked_modules(self) -> list[str]:
            return task.tracked_modules()

    return Bridge()


@dataclass(frozen=True)
class EKFAC:
    """Influence functions with EK-FAC curvature (kronfluence) on the tracked modules."""

    damping: float | None = None  # kronfluence's heuristic (0.1 x mean eigenvalue) when None
    batch_size: int = 8
    query_batch_size: int = 256
    factor_examples: int | None = 300  # training examples the curvature is fitted on (all: None)
    name: ClassVar[str] = "ekfac"
    label: ClassVar[str] = "ekfac"

    def scores(
        self,
        task: InfluenceTask,
        train: Sequence[Any],
        queries: Sequence[Any],
        cache: Path | None = None,
        progress: bool = True,
    ) -> np.ndarray:
        from kronfluence.analyzer import Analyzer, prepare_model
        from kronfluence.arguments import FactorArguments, ScoreArguments

        output = Path(cache) if cache is not None else cache_dir() / "influence"
        # names before kronfluence wraps the modules (its wrappers rename the parameters)
        factors = f"ekfac-{model_digest(task)}-{_digest(train)}-{self.factor_examples}"
        bridge = _kronfluence_task(task, train, queries)
        # prepare_model wraps the tracked modules and freezes every parameter; the flags are
        # put back afterwards, even when kronfluence fails, so that gradient methods (and
        # training) can run on the same model
        flags = {id(p): p.requires_grad for p in task.model.parameters()}
        try:
            model = prepare_model(task.model, bridge)
            analyzer = Analyzer(
                analysis_name="beavertail",
                model=model,
                task=bridge,
                cpu=not torch.cuda.is_available(),
                disable_tqdm=not progress,
                output_dir=str(output),
            )
            analyzer.fit_all_factors(
                factors,
                dataset=_Batches(len(train)),
                per_device_batch_size=self.batch_size,
                factor_args=FactorArguments(
                    strategy="ekfac",
                    covariance_max_examples=self.factor_examples,
                    lambda_max_examples=self.factor_examples,
                ),
            )
            scores_name = f"{factors}-{_digest(queries)}-{self.damping}"
            analyzer.compute_pairwise_scores(
                scores_name,
                factors,
                query_dataset=_Batches(len(queries)),
                train_dataset=_Batches(len(train)),
                # every query in one batch: kronfluence passes over the training set per batch
                per_device_query_batch_size=min(len(queries), self.query_batch_size),
                per_device_train_batch_size=self.batch_size,
                score_args=ScoreArguments(damping_factor=self.damping),
            )
            matrix = analyzer.load_pairwise_scores(scores_name)["all_modules"]
        finally:
            for param in task.model.parameters():
                param.requires_grad_(flags.get(id(param), False))
        atomic_write_text(output / "last-scores.json", json.dumps({"scores": scores_name}))
        return matrix.float().numpy().T  # kronfluence: queries x train


METHODS: dict[str, InfluenceMethod] = {
    "tracin": GradientSimilarity(normalize=False),
    "tracin-cosine": GradientSimilarity(normalize=True),
    "ekfac": EKFAC(),
}
