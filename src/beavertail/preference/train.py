"""Training reward and cost models on preference pairs (Safe RLHF losses), and their metrics.

* reward: ``-logsigmoid(r_better - r_worse)`` (Bradley–Terry on "better");
* cost: ``-logsigmoid(c_unsafer - c_safer) - logsigmoid(s_safer·c_safer)
  - logsigmoid(s_unsafer·c_unsafer)`` with s = +1 unsafe, −1 safe, so cost > 0 means unsafe;
* ``baseline``: a plain reward model trained by Bradley–Terry on "safer" alone (TRL's
  RewardTrainer objective), scored as a cost with its sign flipped, for comparison.

By default the backbone is frozen and its features cached, so only the head trains: minutes
on a CPU. LoRA or full tuning of the backbone lives in ``tuning.py``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file

from beavertail.artifacts import (
    optimizer_groups_json,
    optimizer_state_from_tensors,
    optimizer_tensors,
)
from beavertail.data import PreferencePair
from beavertail.models.progress import track
from beavertail.preference.model import (
    ScoreHead,
    ScoreModel,
    ScoreModelSpec,
    Scorer,
    build_pair_features,
)

Objective = Literal["reward", "cost", "safer-bt"]


@dataclass
class PreferenceTrainingConfig:
    spec: ScoreModelSpec = field(default_factory=ScoreModelSpec)
    objective: Objective | None = None  # default: the spec's kind
    epochs: int = 60
    learning_rate: float = 1e-3
    weight_decay: float = 1e-2
    batch_size: int = 256
    score_regularization: float = 0.01  # + λ·mean(score²): keeps scores near 0
    seed: int = 0
    checkpoint_every: int = 10  # epochs; with an output folder, training resumes from there
    # spec.tuning = lora | full: the backbone is tuned by TRL's RewardTrainer (see tuning.py)
    tune_epochs: int = 1
    tune_learning_rate: float | None = None  # default: 2e-4 with LoRA, 3e-5 for full tuning
    tune_batch_size: int = 16  # pairs per step (two sequences each)
    tune_checkpoint_steps: int = 50

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PreferenceTrainingConfig:
        raw = dict(raw)
        spec = ScoreModelSpec(**raw.pop("spec", {}))
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"unknown training settings {unknown}")
        return cls(spec=spec, **raw)


def reward_loss(better: torch.Tensor, worse: torch.Tensor) -> torch.Tensor:
    return -F.logsigmoid(better - worse).mean()


def cost_loss(
    unsafer: torch.Tensor, safer: torch.Tensor, s_unsafer: torch.Tensor, s_safer: torch.Tensor
) -> torch.Tensor:
    """Safe RLHF's cost loss; ``s_*`` = +1 for an unsafe answer, −1 for a safe one."""
    return (
        -F.logsigmoid(unsafer - safer) - F.logsigmoid(s_safer * safer)
        - F.logsigmoid(s_unsafer * unsafer)
    ).mean()  # fmt: skip


@dataclass
class PairArrays:
    """Index arrays into a table of unique (prompt, response) texts."""

    texts: list[tuple[str, str]]
    first: np.ndarray  # the response the loss pushes up
    second: np.ndarray
    sign_first: np.ndarray  # +1 unsafe / -1 safe
    sign_second: np.ndarray


def pair_arrays(pairs: Sequence[PreferencePair], objective: Objective) -> PairArrays:
    index: dict[tuple[str, str], int] = {}
    first, second, s1, s2 = [], [], [], []
    for p in pairs:
        responses = (p.response_0, p.response_1)
        # first: the better answer (reward), the safer one (safer-bt, a reward for safety),
        # or the less safe one (cost, which grows with harm)
        a = {"reward": p.better_id, "safer-bt": p.safer_id, "cost": 1 - p.safer_id}[objective]
        b = 1 - a
        # texts indexed in a fixed order, so every objective shares one feature cache entry
        ids = [index.setdefault((p.prompt, r), len(index)) for r in responses]
        first.append(ids[a])
        second.append(ids[b])
        s1.append(-1.0 if p.is_safe[a] else 1.0)
        s2.append(-1.0 if p.is_safe[b] else 1.0)
    return PairArrays(list(index), np.array(first), np.array(second), np.array(s1), np.array(s2))


def train_score_model(
    pairs: Sequence[PreferencePair],
    config: PreferenceTrainingConfig | None = None,
    output_dir: str | Path | None = None,
    progress: bool = True,
) -> Scorer:
    """Train a reward or cost model; save it when ``output_dir``.

    ``spec.tuning == "head"``: an MLP head on frozen, cached pair features (this function);
    ``lora`` / ``full``: the backbone is tuned too (:func:`train_tuned_score_model`).
    """
    config = config or PreferenceTrainingConfig()
    if config.spec.tuning != "head":
        from beavertail.preference.tuning import train_tuned_score_model

        return train_tuned_score_model(pairs, config, output_dir, progress)
    objective: Objective = config.objective or config.spec.kind
    if not pairs:
        raise ValueError("no preference pairs to train on")
    torch.manual_seed(config.seed)
    arrays = pair_arrays(pairs, objective)
    extractor = build_pair_features(config.spec)
    model = ScoreModel(config.spec, extractor, ScoreHead(1, config.spec.head_hidden))
    prompts = [t[0] for t in arrays.texts]
    responses = [t[1] for t in arrays.texts]
    x = torch.tensor(model.features(prompts, responses, progress), dtype=torch.float32)
    head = ScoreHead(x.shape[1], config.spec.head_hidden)
    head.feature_mean.copy_(x.mean(0))
    head.feature_std.copy_(x.std(0).clamp_min(1e-4))
    optimizer = torch.optim.AdamW(
        head.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    first, second = torch.tensor(arrays.first), torch.tensor(arrays.second)
    s1 = torch.tensor(arrays.sign_first, dtype=torch.float32)
    s2 = torch.tensor(arrays.sign_second, dtype=torch.float32)
    n = len(first)
    checkpoint = Path(output_dir) / CHECKPOINT if output_dir is not None else None
    done = _load_checkpoint(checkpoint, head, optimizer, config) if checkpoint else 0
    head.train()
    epochs = range(done, config.epochs)
    for epoch in track(epochs, len(epochs), f"training {objective}", progress):
        if checkpoint is not None and epoch > done and epoch % config.checkpoint_every == 0:
            _save_checkpoint(checkpoint, head, optimizer, epoch, config)
        order = torch.randperm(n)
        for start in range(0, n, config.batch_size):
            idx = order[start : start + config.batch_size]
            a, b = head(x[first[idx]]), head(x[second[idx]])
            loss = cost_loss(a, b, s1[idx], s2[idx]) if objective == "cost" else reward_loss(a, b)
            loss = loss + config.score_regularization * (a.pow(2) + b.pow(2)).mean() / 2
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    head.eval()
    model.head = head
    model.metadata = {
        "objective": objective,
        "training": {"config": asdict(config), "pairs": len(pairs), "texts": len(arrays.texts)},
    }
    model.metadata["metrics"] = {"train": evaluate_score_model(model, pairs, progress=False)}
    if output_dir is not None:
        model.save(output_dir)
        assert checkpoint is not None
        checkpoint.unlink(missing_ok=True)
    return model


CHECKPOINT = "training-checkpoint.safetensors"


def _save_checkpoint(
    path: Path,
    head: ScoreHead,
    optimizer: torch.optim.Optimizer,
    epoch: int,
    config: PreferenceTrainingConfig,
) -> None:
    """Head, AdamW moments and the RNG state after ``epoch`` epochs (atomic write)."""
    tensors = {f"head.{k}": v.detach().clone() for k, v in head.state_dict().items()}
    tensors |= optimizer_tensors(optimizer.state_dict())
    tensors["rng"] = torch.get_rng_state()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    metadata = {
        "epoch": str(epoch),
        "config": json.dumps(asdict(config)),
        "groups": optimizer_groups_json(optimizer.state_dict()),
    }
    save_file(tensors, partial, metadata=metadata)
    partial.replace(path)


def _load_checkpoint(
    path: Path, head: ScoreHead, optimizer: torch.optim.Optimizer, config: PreferenceTrainingConfig
) -> int:
    """Restore a checkpoint written with the same settings; returns the epochs already done."""
    if not path.is_file():
        return 0
    with safe_open(path, "pt") as handle:
        metadata = handle.metadata() or {}
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118
    if metadata.get("config") != json.dumps(asdict(config)):
        path.unlink()  # other settings: start over rather than mix two runs
        return 0
    head.load_state_dict({k[5:]: v for k, v in tensors.items() if k.startswith("head.")})
    state = optimizer_state_from_tensors(optimizer.state_dict(), tensors, metadata.get("groups"))
    optimizer.load_state_dict(state)
    torch.set_rng_state(tensors["rng"])
    return int(metadata["epoch"])


def evaluate_score_model(
    model: Scorer, pairs: Sequence[PreferencePair], progress: bool = True
) -> dict[str, Any]:
    """Pairwise accuracy on "better" and on "safer", and cost-sign accuracy (cost > 0 ⇔
    unsafe; for a reward-style model the score is negated first)."""
    prompts, responses = [], []
    for p in pairs:
        prompts += [p.prompt, p.prompt]
        responses += [p.response_0, p.response_1]
    scores = model.scores(prompts, responses, progress, cache=True).reshape(-1, 2)
    objective = model.metadata.get("objective", model.spec.kind)
    as_cost = scores if objective == "cost" else -scores  # higher = more harmful
    better = np.array([p.better_id for p in pairs])
    safer = np.array([p.safer_id for p in pairs])
    rows = np.arange(len(pairs))
    unsafe = np.array([[not s for s in p.is_safe] for p in pairs])
    out: dict[str, Any] = {
        "pairs": len(pairs),
        "better_accuracy": float((scores[rows, better] > scores[rows, 1 - better]).mean()),
        "safer_accuracy": float((as_cost[rows, safer] < as_cost[rows, 1 - safer]).mean()),
        "sign_accuracy": float(((as_cost > 0) == unsafe).mean()),
        "mean_score_safe": float(scores[~unsafe].mean()) if (~unsafe).any() else None,
        "mean_score_unsafe": float(scores[unsafe].mean()) if unsafe.any() else None,
    }
    edges = np.linspace(float(scores.min()), float(scores.max()) + 1e-6, 21)
    out["histogram"] = {
        "edges": [round(float(e), 4) for e in edges],
        "safe": np.histogram(scores[~unsafe], edges)[0].tolist(),
        "unsafe": np.histogram(scores[unsafe], edges)[0].tolist(),
    }
    return out
