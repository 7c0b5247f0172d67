"""Training QA moderators (frozen features + head, or the encoder fine-tuned end to end)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from pathlib import Path

import numpy as np
import torch
from pydantic import Field
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from beavertail.artifacts import (
    atomic_target,
    optimizer_state_from_tensors,
    optimizer_tensors,
)
from beavertail.data.records import QAExample
from beavertail.data.taxonomy import get_taxonomy
from beavertail.models.features import EncoderFeatures
from beavertail.models.heads import fit_head
from beavertail.models.progress import progress_bar
from beavertail.moderation.calibration import apply_temperatures, fit_temperatures
from beavertail.moderation.metrics import best_f1_threshold, precision_threshold
from beavertail.moderation.moderator import (
    ModerationHead,
    Moderator,
    ModeratorSpec,
    build_extractor,
)
from beavertail.settings import Settings


class ModerationTrainingConfig(Settings):
    """Settings for ``train_moderator`` (TRL style: one model, loadable from YAML/flags)."""

    spec: ModeratorSpec = Field(default_factory=ModeratorSpec, description="The judge's shape.")
    epochs: int = Field(60, ge=1, description="Head epochs (early stopping on validation).")
    learning_rate: float = Field(1e-3, gt=0)
    batch_size: int = Field(128, ge=1)
    weight_decay: float = Field(1e-3, ge=0)
    category_loss_weight: float = Field(0.5, ge=0, description="Weight of category BCE.")
    patience: int = Field(8, ge=1, description="Epochs without improvement before stopping.")
    finetune_epochs: int = Field(2, ge=1)
    finetune_learning_rate: float = Field(4e-5, gt=0)
    finetune_batch_size: int = Field(16, ge=1)
    checkpoint_every: int = Field(100, ge=1, description="Fine-tuning steps per checkpoint.")
    threshold_rule: str = Field(
        "best-f1", pattern=r"^(best-f1|precision:0?\.\d+)$", description="best-f1 | precision:P"
    )
    min_category_support: int = Field(20, ge=1)
    seed: int = 0
    cache_features: bool = True


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


def _loss(
    logits: torch.Tensor,
    y: torch.Tensor,
    category_weight: float,
    weights: torch.Tensor | None = None,
) -> torch.Tensor:
    """Unsafe BCE plus weighted per-category BCE; ``weights`` scales each example."""
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    per_example = bce(logits[:, 0], y[:, 0], reduction="none")
    per_example = per_example + category_weight * bce(
        logits[:, 1:], y[:, 1:], reduction="none"
    ).mean(1)
    if weights is None:
        return per_example.mean()
    return (per_example * weights).sum() / weights.sum()


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
    w_train: np.ndarray | None = None,
    w_val: np.ndarray | None = None,
) -> ModerationHead:
    """Minibatch AdamW with early stopping on validation loss; returns the best head.

    ``w_train`` / ``w_val`` weigh examples in the loss (sources with noisier labels weigh less).
    With ``spec.head_members > 1`` each member trains alone (seed + i, its own early stop)
    and the ensemble averages their logits.
    """
    members = config.spec.head_members
    if members > 1:
        single = dataclasses.replace(config.spec, head_members=1)
        trained = [
            train_head(
                x_train,
                y_train,
                x_val,
                y_val,
                config.model_copy(update={"spec": single, "seed": config.seed + i}),
                progress,
                w_train,
                w_val,
            )
            for i in range(members)
        ]
        head = ModerationHead(
            x_train.shape[1], y_train.shape[1], config.spec.head_hidden, members=members
        )
        head.feature_mean.copy_(trained[0].feature_mean)
        head.feature_std.copy_(trained[0].feature_std)
        for target, source in zip(head.members, trained, strict=True):
            target.load_state_dict(source.net.state_dict())
        return head.eval()
    _seed(config.seed)
    head = ModerationHead(x_train.shape[1], y_train.shape[1], config.spec.head_hidden)
    head.set_standardization(
        torch.from_numpy(x_train.mean(0)), torch.from_numpy(x_train.std(0) + 1e-6)
    )
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    xv, yv = torch.from_numpy(x_val), torch.from_numpy(y_val)
    wt = torch.ones(len(xt)) if w_train is None else torch.as_tensor(w_train, dtype=torch.float32)
    wv = torch.ones(len(xv)) if w_val is None else torch.as_tensor(w_val, dtype=torch.float32)
    weight = config.category_loss_weight
    fitted = fit_head(
        head,
        len(xt),
        lambda idx: _loss(head(xt[idx]), yt[idx], weight, wt[idx]),
        torch.optim.AdamW(
            head.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
        ),
        config.epochs,
        config.batch_size,
        validation_loss=lambda: float(_loss(head(xv), yv, weight, wv)),
        patience=config.patience,
        progress=progress,
    )
    assert isinstance(fitted, ModerationHead)
    return fitted


def run_fingerprint(
    config: ModerationTrainingConfig,
    examples: list[QAExample],
    targets: np.ndarray,
    weights: np.ndarray | None = None,
) -> str:
    """A digest of a training run's settings and data: a checkpoint resumes only its own run."""
    digest = hashlib.sha256(json.dumps(config.model_dump(), sort_keys=True).encode())
    for x in examples:
        digest.update(f"{x.prompt}\x00{x.response}\x01".encode())
    digest.update(np.ascontiguousarray(targets, dtype=np.float32).tobytes())
    if weights is not None:
        digest.update(np.ascontiguousarray(weights, dtype=np.float32).tobytes())
    return digest.hexdigest()


def _finetune(
    extractor: EncoderFeatures,
    head: ModerationHead,
    train: list[QAExample],
    y_train: np.ndarray,
    config: ModerationTrainingConfig,
    checkpoint_dir: Path | None,
    progress: bool,
    weights: np.ndarray | None = None,
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
    fingerprint = run_fingerprint(config, train, y_train, weights)
    if ckpt is not None and ckpt.is_file():
        with safe_open(ckpt, "pt") as f:
            saved = (f.metadata() or {}).get("fingerprint")
        if saved != fingerprint:
            raise ValueError(
                f"{ckpt} belongs to another run (its settings or training data differ); "
                "delete it, or train into another --out folder"
            )
        state = load_file(ckpt)
        steps_done = int(state.pop("_step").item())
        model.load_state_dict({k[4:]: v for k, v in state.items() if k.startswith("enc.")})
        head.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("head.")})
        opt_state = optimizer_state_from_tensors(opt.state_dict(), state)
        opt.load_state_dict(opt_state)
        torch.set_rng_state(state["_rng"])
    with_responses = config.spec.input == "pair"
    yt = torch.from_numpy(y_train)
    wt = torch.ones(len(yt)) if weights is None else torch.as_tensor(weights, dtype=torch.float32)
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
                logits = head(encoder.forward(batch))
                loss = _loss(logits, yt[idx], config.category_loss_weight, wt[idx])
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                bar.advance(task)
                if ckpt is not None and (step % config.checkpoint_every == 0 or step == total):
                    state = {f"enc.{k}": v.contiguous() for k, v in model.state_dict().items()}
                    state |= {f"head.{k}": v.contiguous() for k, v in head.state_dict().items()}
                    state |= optimizer_tensors(opt.state_dict())
                    state["_step"] = torch.tensor(step)
                    state["_rng"] = torch.get_rng_state()
                    with atomic_target(ckpt) as tmp:
                        save_file(state, tmp, metadata={"fingerprint": fingerprint})
    model.eval()
    head.eval()


def fit_thresholds(
    moderator: Moderator,
    y_val: np.ndarray,
    probs: np.ndarray,
    threshold_rule: str = "best-f1",
    min_category_support: int = 20,
) -> None:
    """Set the flag threshold by ``threshold_rule`` and the per-category thresholds.

    ``best-f1``: the threshold with the best F1 on validation; ``precision:P``: the lowest
    threshold whose validation precision reaches P (fewer false flags, less recall).
    A category with at least ``min_category_support`` validation positives gets its best-F1
    threshold (never below 0.3); rarer ones need a probability of 0.9, so they are named only
    when the head is sure. Categories are only ever named on a flagged verdict.
    """
    if threshold_rule == "best-f1":
        moderator.threshold = best_f1_threshold(y_val[:, 0], probs[:, 0])
    elif threshold_rule.startswith("precision:"):
        target = float(threshold_rule.split(":", 1)[1])
        moderator.threshold = precision_threshold(y_val[:, 0], probs[:, 0], target)
    else:
        raise ValueError(f"threshold_rule must be best-f1 or precision:P, not {threshold_rule!r}")
    flagged = probs[:, 0] >= moderator.threshold
    thresholds = np.full(y_val.shape[1] - 1, 0.9)
    for k in range(1, y_val.shape[1]):
        if y_val[:, k].sum() >= min_category_support:
            # fitted on the flagged pairs, where categories are shown
            best = best_f1_threshold(y_val[flagged, k], probs[flagged, k])
            thresholds[k - 1] = max(best, 0.3)
    moderator.category_thresholds = thresholds


def calibrate(
    moderator: Moderator, x_val: np.ndarray, y_val: np.ndarray, config: ModerationTrainingConfig
) -> dict:
    """Fit temperatures, then thresholds by the config's rule, on validation features;
    returns the validation report."""
    logits = moderator.logits_from_features(x_val)
    moderator.temperatures = fit_temperatures(y_val, logits)
    probs = apply_temperatures(logits, moderator.temperatures)
    fit_thresholds(moderator, y_val, probs, config.threshold_rule, config.min_category_support)
    return moderator.report(y_val, probs)


def train_moderator(
    train: list[QAExample],
    validation: list[QAExample],
    config: ModerationTrainingConfig | None = None,
    output_dir: str | Path | None = None,
    progress: bool = True,
    data_description: dict | None = None,
    train_weights: np.ndarray | None = None,
    validation_weights: np.ndarray | None = None,
    train_targets: np.ndarray | None = None,
) -> Moderator:
    """Train, calibrate on ``validation`` and (with ``output_dir``) save a moderator.

    ``*_weights`` weigh examples in the loss; ``train_targets`` (N x (1 + K) probabilities)
    replace the training labels, e.g. a teacher's soft labels when distilling.
    Frozen backends cache their features, so an interrupted run restarts quickly;
    fine-tuning checkpoints to ``output_dir`` and resumes from the last checkpoint.
    """
    config = config or ModerationTrainingConfig()
    spec = config.spec
    if not train or not validation:
        raise ValueError("training and validation sets must not be empty")
    extractor = build_extractor(spec)
    y_train = label_matrix(train, spec.taxonomy)
    if train_targets is not None:
        if train_targets.shape != y_train.shape:
            raise ValueError(f"train_targets has shape {train_targets.shape}, not {y_train.shape}")
        y_train = train_targets.astype(np.float32)
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
        _seed(config.seed)  # the head's initial weights are part of the run
        head = ModerationHead(extractor.encoder.dim, n_out, spec.head_hidden)
        _finetune(extractor, head, train, y_train, config, output, progress, train_weights)
        moderator.head = head
        x_val = moderator.features(*_texts(validation), progress=progress)
    else:
        x_train = moderator.features(*_texts(train), progress=progress, cache=config.cache_features)
        x_val = moderator.features(
            *_texts(validation), progress=progress, cache=config.cache_features
        )
        moderator.head = train_head(
            x_train, y_train, x_val, y_val, config, progress, train_weights, validation_weights
        )
    val_report = calibrate(moderator, x_val, y_val, config)
    moderator.metadata = {
        "training": {
            "config": config.model_dump(),
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
