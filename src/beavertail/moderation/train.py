"""Training QA moderators (frozen features + head, or the encoder fine-tuned end to end)."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from beavertail.config_files import read_config_file
from beavertail.data.records import QAExample
from beavertail.data.taxonomy import get_taxonomy
from beavertail.models.features import EncoderFeatures
from beavertail.models.progress import progress_bar
from beavertail.moderation.calibration import apply_temperatures, fit_temperatures
from beavertail.moderation.metrics import best_f1_threshold
from beavertail.moderation.moderator import (
    ModerationHead,
    Moderator,
    ModeratorSpec,
    build_extractor,
)


@dataclass
class ModerationTrainingConfig:
    """Settings for ``train_moderator`` (TRL style: one dataclass, loadable from YAML/flags)."""

    spec: ModeratorSpec = field(default_factory=ModeratorSpec)
    epochs: int = 60
    learning_rate: float = 1e-3
    batch_size: int = 128
    weight_decay: float = 1e-3
    category_loss_weight: float = 0.5
    patience: int = 8
    finetune_epochs: int = 2
    finetune_learning_rate: float = 4e-5
    finetune_batch_size: int = 16
    checkpoint_every: int = 100
    seed: int = 0
    cache_features: bool = True

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ModerationTrainingConfig:
        raw = dict(raw)
        spec_raw = raw.pop("spec", {}) or {}
        unknown = set(raw) - {f.name for f in fields(cls)}
        unknown |= {f"spec.{k}" for k in set(spec_raw) - {f.name for f in fields(ModeratorSpec)}}
        if unknown:
            raise ValueError(f"unknown training settings: {sorted(unknown)}")
        spec = ModeratorSpec(**spec_raw)
        return cls(spec=spec, **raw)


def _texts(examples: list[QAExample]) -> tuple[list[str], list[str]]:
    return [x.prompt for x in examples], [x.response for x in examples]


def label_matrix(examples: list[QAExample], taxonomy: str) -> np.ndarray:
    """Column 0: unsafe; columns 1..K: the taxonomy's categories."""
    cats = get_taxonomy(taxonomy).categories
    y = np.zeros((len(examples), 1 + len(cats)), dtype=np.float32)
    for i, ex in enumerate(examples):
        y[i, 0] = not ex.is_safe
        for c in ex.categories:
            y[i, 1 + cats.index(c)] = 1.0
    return y


def _loss(logits: torch.Tensor, y: torch.Tensor, category_weight: float) -> torch.Tensor:
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    return bce(logits[:, 0], y[:, 0]) + category_weight * bce(logits[:, 1:], y[:, 1:])


def _seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train_head(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    config: ModerationTrainingConfig,
    progress: bool = True,
) -> ModerationHead:
    """Minibatch AdamW with early stopping on validation loss; returns the best head."""
    _seed(config.seed)
    head = ModerationHead(x_train.shape[1], y_train.shape[1], config.spec.head_hidden)
    head.feature_mean.copy_(torch.from_numpy(x_train.mean(0)))
    head.feature_std.copy_(torch.from_numpy(x_train.std(0) + 1e-6))
    opt = torch.optim.AdamW(
        head.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    xv, yv = torch.from_numpy(x_val), torch.from_numpy(y_val)
    best, best_state, stale = float("inf"), None, 0
    with progress_bar() as bar:
        task = bar.add_task("training head", total=config.epochs, visible=progress)
        for _ in range(config.epochs):
            head.train()
            for idx in torch.randperm(len(xt)).split(config.batch_size):
                opt.zero_grad()
                _loss(head(xt[idx]), yt[idx], config.category_loss_weight).backward()
                opt.step()
            head.eval()
            with torch.no_grad():
                val = float(_loss(head(xv), yv, config.category_loss_weight))
            bar.advance(task)
            if val < best - 1e-5:
                best, stale = val, 0
                best_state = {k: v.clone() for k, v in head.state_dict().items()}
            else:
                stale += 1
                if stale >= config.patience:
                    break
    assert best_state is not None
    head.load_state_dict(best_state)
    head.eval()
    return head


def _finetune(
    extractor: EncoderFeatures,
    head: ModerationHead,
    train: list[QAExample],
    y_train: np.ndarray,
    config: ModerationTrainingConfig,
    checkpoint_dir: Path | None,
    progress: bool,
) -> None:
    """Fine-tune encoder + head jointly; checkpoints every few steps so a crash can resume."""
    _seed(config.seed)
    encoder = extractor.encoder
    model = encoder.model
    params = [
        {"params": model.parameters(), "lr": config.finetune_learning_rate},
        {"params": head.parameters(), "lr": config.learning_rate},
    ]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    generator = torch.Generator().manual_seed(config.seed)
    orders = [
        torch.randperm(len(train), generator=generator) for _ in range(config.finetune_epochs)
    ]
    batches = [o.split(config.finetune_batch_size) for o in orders]
    total = sum(len(b) for b in batches)
    steps_done = 0
    ckpt = checkpoint_dir / "finetune-checkpoint.safetensors" if checkpoint_dir else None
    if ckpt is not None and ckpt.is_file():
        state = load_file(ckpt)
        steps_done = int(state.pop("_step").item())
        model.load_state_dict({k[4:]: v for k, v in state.items() if k.startswith("enc.")})
        head.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("head.")})
    with_responses = config.spec.input == "pair"
    yt = torch.from_numpy(y_train)
    step = 0
    with progress_bar() as bar:
        task = bar.add_task("fine-tuning", total=total, completed=steps_done, visible=progress)
        for epoch_batches in batches:
            for idx in epoch_batches:
                step += 1
                if step <= steps_done:
                    continue
                model.train()
                head.train()
                ids = idx.tolist()
                batch = encoder.tokenize_pairs(
                    [train[i].prompt for i in ids],
                    [train[i].response for i in ids] if with_responses else None,
                )
                opt.zero_grad()
                loss = _loss(head(encoder.forward(batch)), yt[idx], config.category_loss_weight)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                bar.advance(task)
                if ckpt is not None and (step % config.checkpoint_every == 0 or step == total):
                    state = {f"enc.{k}": v.contiguous() for k, v in model.state_dict().items()}
                    state |= {f"head.{k}": v.contiguous() for k, v in head.state_dict().items()}
                    state["_step"] = torch.tensor(step)
                    tmp = ckpt.with_suffix(".partial")
                    save_file(state, tmp)
                    tmp.replace(ckpt)
    model.eval()
    head.eval()


def calibrate(moderator: Moderator, x_val: np.ndarray, y_val: np.ndarray) -> dict:
    """Fit temperatures and thresholds on validation features; returns the validation report."""
    logits = moderator.logits_from_features(x_val)
    moderator.temperatures = fit_temperatures(y_val, logits)
    probs = apply_temperatures(logits, moderator.temperatures)
    moderator.threshold = best_f1_threshold(y_val[:, 0], probs[:, 0])
    thresholds = np.full(y_val.shape[1] - 1, 0.5)
    for k in range(1, y_val.shape[1]):
        if y_val[:, k].sum() >= 5:
            thresholds[k - 1] = best_f1_threshold(y_val[:, k], probs[:, k])
    moderator.category_thresholds = thresholds
    return moderator.report(y_val, probs)


def train_moderator(
    train: list[QAExample],
    validation: list[QAExample],
    config: ModerationTrainingConfig | None = None,
    output_dir: str | Path | None = None,
    progress: bool = True,
    data_description: dict | None = None,
) -> Moderator:
    """Train, calibrate on ``validation`` and (with ``output_dir``) save a moderator.

    Frozen backends cache their features, so an interrupted run restarts quickly;
    fine-tuning checkpoints to ``output_dir`` and resumes from the last checkpoint.
    """
    config = config or ModerationTrainingConfig()
    spec = config.spec
    if not train or not validation:
        raise ValueError("training and validation sets must not be empty")
    extractor = build_extractor(spec)
    y_train = label_matrix(train, spec.taxonomy)
    y_val = label_matrix(validation, spec.taxonomy)
    n_out = y_train.shape[1]
    moderator = Moderator(
        spec, extractor, ModerationHead(1, n_out), np.ones(n_out), 0.5, np.full(n_out - 1, 0.5)
    )
    output = Path(output_dir) if output_dir else None
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
    if spec.backend == "finetuned":
        assert isinstance(extractor, EncoderFeatures)
        head = ModerationHead(extractor.encoder.dim, n_out, spec.head_hidden)
        _finetune(extractor, head, train, y_train, config, output, progress)
        moderator.head = head
        x_val = moderator.features(*_texts(validation), progress=progress)
    else:
        x_train = moderator.features(*_texts(train), progress=progress, cache=config.cache_features)
        x_val = moderator.features(
            *_texts(validation), progress=progress, cache=config.cache_features
        )
        moderator.head = train_head(x_train, y_train, x_val, y_val, config, progress)
    val_report = calibrate(moderator, x_val, y_val)
    moderator.metadata = {
        "training": {
            "config": asdict(config),
            "train_examples": len(train),
            "validation_examples": len(validation),
            "data": data_description or {},
        },
        "metrics": {"validation": val_report},
    }
    if output is not None:
        moderator.save(output)
        (output / "finetune-checkpoint.safetensors").unlink(missing_ok=True)
    return moderator


def load_training_config(path: str | Path) -> ModerationTrainingConfig:
    """Read a YAML / TOML / JSON training config file."""
    return ModerationTrainingConfig.from_dict(read_config_file(path))
