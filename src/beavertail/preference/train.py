"""Training reward and cost models on preference pairs (losses in ``losses.py``).

By default the backbone is frozen and its features cached, so only the head trains: minutes
on a CPU. LoRA or full tuning of the backbone lives in ``tuning.py``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file

from beavertail.artifacts import (
    atomic_target,
    optimizer_groups_json,
    optimizer_state_from_tensors,
    optimizer_tensors,
)
from beavertail.data import PreferencePair
from beavertail.models.cache import texts_key
from beavertail.models.heads import fit_head
from beavertail.preference.losses import cost_loss, pair_arrays, reward_loss
from beavertail.preference.metrics import evaluate_score_model
from beavertail.preference.model import ScoreHead, ScoreModel, build_pair_features
from beavertail.preference.spec import Objective, PreferenceTrainingConfig, Scorer
from beavertail.preference.tuning import train_tuned_score_model


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
    head.set_standardization(x.mean(0), x.std(0).clamp_min(1e-4))
    optimizer = torch.optim.AdamW(
        head.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    first, second = torch.tensor(arrays.first), torch.tensor(arrays.second)
    s1 = torch.tensor(arrays.sign_first, dtype=torch.float32)
    s2 = torch.tensor(arrays.sign_second, dtype=torch.float32)
    checkpoint = Path(output_dir) / CHECKPOINT if output_dir is not None else None
    digest = hashlib.sha256(texts_key({}, prompts, responses).encode())
    for part in (arrays.first, arrays.second, arrays.sign_first, arrays.sign_second):
        digest.update(np.asarray(part).tobytes())
    data = digest.hexdigest()
    done = _load_checkpoint(checkpoint, head, optimizer, config, data) if checkpoint else 0

    def batch_loss(idx: torch.Tensor) -> torch.Tensor:
        a, b = head(x[first[idx]]), head(x[second[idx]])
        loss = cost_loss(a, b, s1[idx], s2[idx]) if objective == "cost" else reward_loss(a, b)
        return loss + config.score_regularization * (a.pow(2) + b.pow(2)).mean() / 2

    def checkpoint_at(epoch: int) -> None:
        if checkpoint is not None and epoch % config.checkpoint_every == 0:
            _save_checkpoint(checkpoint, head, optimizer, epoch, config, data)

    fit_head(
        head,
        len(first),
        batch_loss,
        optimizer,
        config.epochs,
        config.batch_size,
        start_epoch=done,
        on_epoch=checkpoint_at,
        description=f"training {objective}",
        progress=progress,
    )
    model.head = head
    model.metadata = {
        "objective": objective,
        "training": {
            "config": config.model_dump(),
            "pairs": len(pairs),
            "texts": len(arrays.texts),
        },
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
    data: str,
) -> None:
    """Head, AdamW moments and the RNG state after ``epoch`` epochs (atomic write), stamped
    with the settings and a digest of the training data."""
    tensors = {f"head.{k}": v.detach().clone() for k, v in head.state_dict().items()}
    tensors |= optimizer_tensors(optimizer.state_dict())
    tensors["rng"] = torch.get_rng_state()
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {
        "epoch": str(epoch),
        "config": json.dumps(config.model_dump()),
        "data": data,
        "groups": optimizer_groups_json(optimizer.state_dict()),
    }
    with atomic_target(path) as partial:
        save_file(tensors, partial, metadata=metadata)


def _load_checkpoint(
    path: Path,
    head: ScoreHead,
    optimizer: torch.optim.Optimizer,
    config: PreferenceTrainingConfig,
    data: str,
) -> int:
    """Restore a checkpoint of the same run (settings and data); returns the epochs done."""
    if not path.is_file():
        return 0
    with safe_open(path, "pt") as handle:
        metadata = handle.metadata() or {}
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118
    if metadata.get("config") != json.dumps(config.model_dump()) or metadata.get("data") != data:
        path.unlink()  # another run's (settings or data differ): start over, never mix two
        return 0
    head.load_state_dict({k[5:]: v for k, v in tensors.items() if k.startswith("head.")})
    state = optimizer_state_from_tensors(optimizer.state_dict(), tensors, metadata.get("groups"))
    optimizer.load_state_dict(state)
    torch.set_rng_state(tensors["rng"])
    return int(metadata["epoch"])
