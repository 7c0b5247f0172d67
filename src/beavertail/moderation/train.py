"""Training QA moderators (frozen features + head, or the encoder fine-tuned end to end)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, cast

import numpy as np
import torch
from pydantic import Field
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from beavertail.artifacts import (
    append_rows,
    appended_rows,
    atomic_target,
    file_sha256,
    optimizer_state_from_tensors,
    optimizer_tensors,
)
from beavertail.data.records import QAExample
from beavertail.data.taxonomy import get_taxonomy
from beavertail.models.features import EncoderFeatures
from beavertail.models.heads import fit_head
from beavertail.models.lm_judge import LMJudgeFeatures, LoraShape
from beavertail.models.progress import progress_bar
from beavertail.moderation.calibration import apply_temperatures, fit_temperatures
from beavertail.moderation.metrics import (
    best_f1_threshold,
    binary_metrics,
    precision_threshold,
    roc_auc,
    severity_metrics,
)
from beavertail.moderation.moderator import (
    ModerationHead,
    Moderator,
    ModeratorSpec,
    build_extractor,
    severity_head_for,
)
from beavertail.settings import Settings


class TunableFeatures(Protocol):
    """A feature extractor whose weights train with the head (``finetuned``, ``lm-lora``)."""

    @property
    def model(self) -> torch.nn.Module: ...

    def trainable_parameters(self) -> dict[str, torch.nn.Parameter]: ...
    def tokenize(self, prompts: list[str], responses: list[str] | None) -> Any: ...
    def forward(self, batch: Any) -> torch.Tensor: ...


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
    checkpoint_minutes: float = Field(
        10, gt=0, description="Fine-tuning: a checkpoint at least this often (minutes)."
    )
    finetune_warmup: float = Field(
        0.03, ge=0, lt=1, description="Share of tuning steps with a linear warm-up."
    )
    severity_loss_weight: float = Field(0.5, ge=0, description="Weight of severity CE.")
    threshold_rule: str = Field(
        "best-f1", pattern=r"^(best-f1|precision:0?\.\d+)$", description="best-f1 | precision:P"
    )
    min_category_support: int = Field(20, ge=1)
    seed: int = 0
    cache_features: bool = True
    contrast_loss_weight: float = Field(
        0.0,
        ge=0,
        description="Fine-tuning: weight of the pairwise margin loss on same-prompt "
        "(safe, unsafe) answers (0: off; pairs come from train_moderator's contrast_pairs).",
    )
    contrast_margin: float = Field(
        2.0, ge=0, description="Logit margin the unsafe answer must keep over the safe one."
    )


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
    start: str | None = None,
    pairs: list[tuple[int, int]] | None = None,
) -> str:
    """A digest of a training run's settings and data (and the digest of the weights it
    started from, if not fresh): a checkpoint resumes only its own run."""
    digest = hashlib.sha256(json.dumps(config.model_dump(), sort_keys=True).encode())
    if start is not None:
        digest.update(f"start:{start}".encode())
    if pairs:
        digest.update(json.dumps(pairs).encode())
    for x in examples:
        digest.update(f"{x.prompt}\x00{x.response}\x01".encode())
    digest.update(np.ascontiguousarray(targets, dtype=np.float32).tobytes())
    if weights is not None:
        digest.update(np.ascontiguousarray(weights, dtype=np.float32).tobytes())
    return digest.hexdigest()


def category_mask(examples: list[QAExample]) -> np.ndarray:
    """Rows whose category labels teach the category outputs: unsafe pairs that name at
    least one category (categories are predicted given that an answer is unsafe; an unsafe
    pair without categories comes from a source that does not label them)."""
    return np.array([not x.is_safe and bool(x.categories) for x in examples], dtype=bool)


def severity_targets(examples: list[QAExample]) -> np.ndarray:
    """Index of the severity level (1..3 -> 0..2) of unsafe pairs that carry one, else -1."""
    return np.array(
        [x.severity - 1 if not x.is_safe and x.severity in (1, 2, 3) else -1 for x in examples],
        dtype=np.int64,
    )


def _tuned_loss(
    logits: torch.Tensor,
    severity_logits: torch.Tensor | None,
    y: torch.Tensor,
    categories_known: torch.Tensor,
    severity: torch.Tensor,
    weights: torch.Tensor,
    config: ModerationTrainingConfig,
) -> torch.Tensor:
    """Unsafe BCE; category BCE on rows with known categories; severity cross-entropy on
    rows with a level; each example weighted."""
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    per_example = bce(logits[:, 0], y[:, 0], reduction="none")
    category = bce(logits[:, 1:], y[:, 1:], reduction="none").mean(1)
    per_example = per_example + config.category_loss_weight * category * categories_known
    if severity_logits is not None:
        known = severity >= 0
        ce = torch.nn.functional.cross_entropy(
            severity_logits, severity.clamp(min=0), reduction="none"
        )
        per_example = per_example + config.severity_loss_weight * ce * known
    return (per_example * weights).sum() / weights.sum()


def contrast_loss(unsafe_logits: torch.Tensor, pairs: torch.Tensor, margin: float) -> torch.Tensor:
    """Mean ``softplus(margin - (z_unsafe - z_safe))`` over ``pairs`` (rows of batch
    positions ``(safe, unsafe)``): the unsafe answer must score ``margin`` logits above the
    safe answer to the same prompt."""
    gap = unsafe_logits[pairs[:, 1]] - unsafe_logits[pairs[:, 0]]
    return torch.nn.functional.softplus(margin - gap).mean()


def paired_batches(
    lengths: list[int],
    pairs: list[tuple[int, int]],
    batch_size: int,
    seed: int,
    epoch: int,
    chunk: int = 50,
) -> list[torch.Tensor]:
    """Batches in which each contrast pair's two rows sit side by side (pair rows first,
    at even positions): every example once, pairs never split, shuffled by seed and epoch,
    then sorted by length within chunks of ``chunk`` batches (less padding)."""
    paired = {i for pair in pairs for i in pair}
    groups: list[tuple[int, ...]] = [tuple(p) for p in pairs]
    groups += [(i,) for i in range(len(lengths)) if i not in paired]
    generator = torch.Generator().manual_seed(seed * 1000 + epoch)
    order = torch.randperm(len(groups), generator=generator).tolist()
    rows_per_chunk = batch_size * chunk
    out: list[torch.Tensor] = []
    start = 0
    while start < len(order):
        taken, rows = [], 0
        while start < len(order) and rows < rows_per_chunk:
            taken.append(groups[order[start]])
            rows += len(groups[order[start]])
            start += 1
        taken.sort(key=lambda g: -max(lengths[i] for i in g))
        batch: list[tuple[int, ...]] = []
        for group in taken:
            if sum(map(len, batch)) + len(group) > batch_size:
                out.append(_pairs_first(batch))
                batch = []
            batch.append(group)
        if batch:
            out.append(_pairs_first(batch))
    return out


def _pairs_first(groups: list[tuple[int, ...]]) -> torch.Tensor:
    pairs = [g for g in groups if len(g) == 2]
    singles = [g for g in groups if len(g) == 1]
    return torch.tensor([i for g in pairs + singles for i in g])


def batch_pairs(idx: torch.Tensor, pair_set: set[tuple[int, int]]) -> torch.Tensor:
    """Positions ``(safe, unsafe)`` of the contrast pairs in a batch from
    :func:`paired_batches` (pairs lead, two rows each)."""
    ids = idx.tolist()
    found = [(k, k + 1) for k in range(0, len(ids) - 1, 2) if (ids[k], ids[k + 1]) in pair_set]
    return torch.tensor(found, dtype=torch.long).reshape(-1, 2)


def length_grouped_batches(
    lengths: list[int], batch_size: int, seed: int, epoch: int
) -> list[torch.Tensor]:
    """Batches of similar length (less padding) in an order fixed by seed and epoch alone,
    so a resumed run sees exactly the batches an uninterrupted one would."""
    from transformers.trainer_pt_utils import get_length_grouped_indices

    generator = torch.Generator().manual_seed(seed * 1000 + epoch)
    order = get_length_grouped_indices(lengths, batch_size, generator=generator)
    return list(torch.tensor(order).split(batch_size))


def _checkpoint_state(
    extractor: TunableFeatures,
    head: torch.nn.Module,
    severity_head: torch.nn.Module | None,
    opt: torch.optim.Optimizer | None = None,
) -> dict[str, torch.Tensor]:
    state = {
        f"tuned.{k}": v.detach().contiguous() for k, v in extractor.trainable_parameters().items()
    }
    state |= {f"head.{k}": v.contiguous() for k, v in head.state_dict().items()}
    if severity_head is not None:
        state |= {f"severity.{k}": v.contiguous() for k, v in severity_head.state_dict().items()}
    if opt is not None:
        state |= optimizer_tensors(opt.state_dict())
    return state


def _restore(
    state: dict[str, torch.Tensor],
    extractor: TunableFeatures,
    head: torch.nn.Module,
    severity_head: torch.nn.Module | None,
) -> None:
    with torch.no_grad():
        for name, param in extractor.trainable_parameters().items():
            param.copy_(state[f"tuned.{name}"])
    head.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("head.")})
    if severity_head is not None:
        severity_head.load_state_dict(
            {k[9:]: v for k, v in state.items() if k.startswith("severity.")}
        )


def tuning_state_from_judge(folder: Path, out: Path) -> Path:
    """A saved ``lm-lora`` judge as a fine-tuning state (``start_from``): its LoRA matrices
    under PEFT's parameter names, its heads; written to ``out`` (safetensors)."""
    adapter = load_file(folder / "adapter.safetensors")
    heads = load_file(folder / "head.safetensors")
    state = {
        f"tuned.base_model.model.{key.rsplit('.lora_', 1)[0]}.lora_"
        f"{key.rsplit('.lora_', 1)[1]}.default.weight": value.float().contiguous()
        for key, value in adapter.items()
    }
    for key, value in heads.items():
        if key in ("temperatures", "category_thresholds"):
            continue
        prefix = "" if key.startswith("severity.") else "head."
        state[f"{prefix}{key}"] = value.float().contiguous()
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_target(out) as tmp:
        save_file(state, tmp, metadata={"judge": str(folder)})
    return out


EpochHook = Callable[[int], dict]


def _tune(
    extractor: TunableFeatures,
    head: torch.nn.Module,
    severity_head: torch.nn.Module | None,
    train: list[QAExample],
    y_train: np.ndarray,
    config: ModerationTrainingConfig,
    checkpoint_dir: Path | None,
    progress: bool,
    weights: np.ndarray | None = None,
    on_epoch_end: EpochHook | None = None,
    start: str | None = None,
    contrast_pairs: list[tuple[int, int]] | None = None,
) -> None:
    """Tune the extractor's trainable weights with the heads, in length-grouped batches.

    The learning rate warms up linearly over ``finetune_warmup`` of the steps and decays
    linearly to a tenth. A checkpoint (trainable weights, heads, optimizer, step, RNG) is
    written every ``checkpoint_every`` steps, at least every ``checkpoint_minutes`` and at
    every epoch's end, and a run resumes from it exactly. ``on_epoch_end(epoch)`` (e.g. a
    validation pass) runs once per epoch; its results go to ``epochs.jsonl``.

    With ``contrast_pairs`` (indices of a safe and an unsafe answer to the same prompt) the
    batches keep each pair together and ``contrast_loss_weight`` adds :func:`contrast_loss`.
    """
    _seed(config.seed)
    trainable = extractor.trainable_parameters()
    groups: list[dict[str, Any]] = [
        {"params": list(trainable.values()), "lr": config.finetune_learning_rate},
        {"params": list(head.parameters()), "lr": config.learning_rate},
    ]
    if severity_head is not None:
        groups.append({"params": list(severity_head.parameters()), "lr": config.learning_rate})
    base_lrs = [g["lr"] for g in groups]
    opt = torch.optim.AdamW(groups, weight_decay=0.01)
    texts = _texts(train)
    lengths = [len(p) + len(r) for p, r in zip(*texts, strict=True)]
    pairs = contrast_pairs or []
    pair_set = set(pairs)
    if pairs:
        batches = [
            paired_batches(lengths, pairs, config.finetune_batch_size, config.seed, epoch)
            for epoch in range(config.finetune_epochs)
        ]
    else:
        batches = [
            length_grouped_batches(lengths, config.finetune_batch_size, config.seed, epoch)
            for epoch in range(config.finetune_epochs)
        ]
    total = sum(len(b) for b in batches)
    warmup = max(1, int(total * config.finetune_warmup))
    steps_done = 0
    ckpt = checkpoint_dir / "finetune-checkpoint.safetensors" if checkpoint_dir else None
    log = checkpoint_dir / "epochs.jsonl" if checkpoint_dir else None
    fingerprint = run_fingerprint(config, train, y_train, weights, start, pairs)
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
        _restore(state, extractor, head, severity_head)
        opt.load_state_dict(optimizer_state_from_tensors(opt.state_dict(), state))
        torch.set_rng_state(state["_rng"])
    logged = {row["epoch"] for row in appended_rows(log)} if log is not None else set()
    yt = torch.from_numpy(y_train)
    known = torch.from_numpy(category_mask(train)).float()
    severity = torch.from_numpy(severity_targets(train))
    wt = torch.ones(len(yt)) if weights is None else torch.as_tensor(weights, dtype=torch.float32)
    params = [*trainable.values(), *head.parameters()]
    if severity_head is not None:
        params += list(severity_head.parameters())

    def save(step: int) -> None:
        assert ckpt is not None  # only called with a checkpoint folder
        state = _checkpoint_state(extractor, head, severity_head, opt)
        state["_step"] = torch.tensor(step)
        state["_rng"] = torch.get_rng_state()
        with atomic_target(ckpt) as tmp:
            save_file(state, tmp, metadata={"fingerprint": fingerprint})

    step, last_save = 0, time.monotonic()
    with progress_bar() as bar:
        task = bar.add_task("tuning", total=total, completed=steps_done, visible=progress)
        for epoch, epoch_batches in enumerate(batches):
            for idx in epoch_batches:
                step += 1
                if step <= steps_done:
                    continue
                factor = (
                    step / warmup
                    if step <= warmup
                    else 1 - 0.9 * (step - warmup) / max(total - warmup, 1)
                )
                for group, lr in zip(opt.param_groups, base_lrs, strict=True):
                    group["lr"] = lr * factor
                extractor.model.train()
                head.train()
                ids = idx.tolist()
                batch = extractor.tokenize(
                    [texts[0][i] for i in ids],
                    [texts[1][i] for i in ids] if config.spec.input == "pair" else None,
                )
                opt.zero_grad()
                features = extractor.forward(batch)
                sev_logits = severity_head(features) if severity_head is not None else None
                logits = head(features)
                loss = _tuned_loss(
                    logits, sev_logits, yt[idx], known[idx], severity[idx], wt[idx], config
                )
                in_batch = batch_pairs(idx, pair_set) if pair_set else None
                if in_batch is not None and len(in_batch) and config.contrast_loss_weight:
                    loss = loss + config.contrast_loss_weight * contrast_loss(
                        logits[:, 0], in_batch, config.contrast_margin
                    )
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                opt.step()
                bar.update(task, advance=1, description=f"tuning (loss {loss.item():.3f})")
                due = step % config.checkpoint_every == 0 or step == total
                due |= time.monotonic() - last_save >= 60 * config.checkpoint_minutes
                due |= idx is epoch_batches[-1]
                if ckpt is not None and due:
                    save(step)
                    last_save = time.monotonic()
            extractor.model.eval()
            head.eval()
            if on_epoch_end is not None and epoch not in logged:
                result = {"epoch": epoch, "step": step, **on_epoch_end(epoch)}
                if log is not None:
                    append_rows(log, [result])
                if checkpoint_dir is not None:  # this epoch's weights, to pick an epoch later
                    with atomic_target(checkpoint_dir / f"epoch-{epoch}.safetensors") as tmp:
                        save_file(_checkpoint_state(extractor, head, severity_head), tmp)
    extractor.model.eval()
    head.eval()
    if severity_head is not None:
        severity_head.eval()


def fit_thresholds(
    moderator: Moderator,
    y_val: np.ndarray,
    probs: np.ndarray,
    threshold_rule: str = "best-f1",
    min_category_support: int = 20,
    rare_category_threshold: float = 0.9,
) -> None:
    """Set the flag threshold by ``threshold_rule`` and the per-category thresholds.

    ``best-f1``: the threshold with the best F1 on validation; ``precision:P``: the lowest
    threshold whose validation precision reaches P (fewer false flags, less recall).
    A category with at least ``min_category_support`` validation positives gets its best-F1
    threshold (never below 0.3); rarer ones need ``rare_category_threshold`` (0.9: named
    only when the head is sure). Categories are only ever named on a flagged verdict.
    """
    if threshold_rule == "best-f1":
        moderator.threshold = best_f1_threshold(y_val[:, 0], probs[:, 0])
    elif threshold_rule.startswith("precision:"):
        target = float(threshold_rule.split(":", 1)[1])
        moderator.threshold = precision_threshold(y_val[:, 0], probs[:, 0], target)
    else:
        raise ValueError(f"threshold_rule must be best-f1 or precision:P, not {threshold_rule!r}")
    flagged = probs[:, 0] >= moderator.threshold
    thresholds = np.full(y_val.shape[1] - 1, rare_category_threshold)
    for k in range(1, y_val.shape[1]):
        if y_val[:, k].sum() >= min_category_support:
            # fitted on the flagged pairs, where categories are shown
            best = best_f1_threshold(y_val[flagged, k], probs[flagged, k])
            thresholds[k - 1] = max(best, 0.3)
    moderator.category_thresholds = thresholds


def calibrate(
    moderator: Moderator,
    logits: np.ndarray,
    y_val: np.ndarray,
    config: ModerationTrainingConfig,
    rare_category_threshold: float = 0.9,
) -> dict:
    """Fit temperatures, then thresholds by the config's rule, on validation logits;
    returns the validation report."""
    moderator.temperatures = fit_temperatures(y_val, logits)
    probs = apply_temperatures(logits, moderator.temperatures)
    fit_thresholds(
        moderator,
        y_val,
        probs,
        config.threshold_rule,
        config.min_category_support,
        rare_category_threshold,
    )
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
    start_from: Path | None = None,
    contrast_pairs: list[tuple[int, int]] | None = None,
) -> Moderator:
    """Train, calibrate on ``validation`` and (with ``output_dir``) save a moderator.

    ``start_from``: a fine-tuning state (a run's ``epoch-N.safetensors``: tuned weights and
    heads) to continue from instead of fresh weights, e.g. a short repair phase on new data.

    ``*_weights`` weigh examples in the loss; ``train_targets`` (N x (1 + K) probabilities)
    replace the training labels, e.g. a teacher's soft labels when distilling.
    ``contrast_pairs``: (safe, unsafe) indices into ``train`` of answers to the same prompt,
    for the margin loss of fine-tuning backends (``contrast_loss_weight``).
    Frozen backends cache their features, so an interrupted run restarts quickly;
    fine-tuning checkpoints to ``output_dir`` and resumes from the last checkpoint.
    """
    config = config or ModerationTrainingConfig()
    spec = config.spec
    if not train or not validation:
        raise ValueError("training and validation sets must not be empty")
    if start_from is not None and spec.backend not in ("finetuned", "lm-lora"):
        raise ValueError(f"start_from continues a fine-tuning run; {spec.backend!r} has none")
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
    severity_report = None
    if spec.backend in ("finetuned", "lm-lora"):
        assert isinstance(extractor, EncoderFeatures | LMJudgeFeatures)
        _seed(config.seed)  # the heads' initial weights are part of the run
        head = ModerationHead(extractor.dim, n_out, spec.head_hidden)
        severity_head = severity_head_for(extractor.dim) if spec.severity else None
        if isinstance(extractor, LMJudgeFeatures):
            extractor.add_lora(LoraShape(spec.lora_rank, spec.lora_alpha, spec.lora_first_layer))
        start = None
        if start_from is not None:
            _restore(load_file(start_from), extractor, head, severity_head)
            start = file_sha256(start_from)

        def validate(epoch: int) -> dict:
            feats = extractor(*_texts(validation), progress=progress)
            with torch.no_grad():
                logits = head(torch.from_numpy(feats)).numpy()
                sev = severity_head(torch.from_numpy(feats)).numpy() if severity_head else None
            out: dict[str, Any] = {
                "roc_auc": roc_auc(y_val[:, 0], logits[:, 0]),
                "best_f1": binary_metrics(
                    y_val[:, 0], logits[:, 0] >= best_f1_threshold(y_val[:, 0], logits[:, 0])
                )["f1"],
            }
            if sev is not None:
                out["severity"] = severity_metrics(severity_targets(validation), sev)
            return out

        _tune(
            extractor,
            head,
            severity_head,
            train,
            y_train,
            config,
            output,
            progress,
            train_weights,
            validate if output is not None else None,
            start,
            contrast_pairs,
        )
        moderator.head, moderator.severity_head = head, severity_head
        if isinstance(extractor, LMJudgeFeatures):
            moderator.adapter, moderator.adapter_scale = extractor.finish_training()
        _, val_logits, val_severity = moderator.window_outputs(
            *_texts(validation), progress=progress
        )
        if val_severity is not None:
            severity_report = severity_metrics(severity_targets(validation), val_severity)
    else:
        x_train = moderator.features(*_texts(train), progress=progress, cache=config.cache_features)
        x_val = moderator.features(
            *_texts(validation), progress=progress, cache=config.cache_features
        )
        moderator.head = train_head(
            x_train, y_train, x_val, y_val, config, progress, train_weights, validation_weights
        )
        val_logits = moderator.logits_from_features(x_val)
    val_report = calibrate(moderator, val_logits, y_val, config)
    if severity_report is not None:
        val_report["severity"] = severity_report
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


def refit_output_heads(
    moderator: Moderator,
    train: list[QAExample],
    validation: list[QAExample],
    config: ModerationTrainingConfig,
    progress: bool = True,
    strengths: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3),
    rare_category_threshold: float = 0.9,
    min_severity_gain: float = 0.02,
) -> dict:
    """Refit the category rows of a linear head and the severity head by logistic
    regression (scikit-learn) on the tuned judge's frozen window features, then recalibrate.

    The tuned LM and the harm output are kept. Each category's regression is fitted on the
    training pairs that name categories (unsafe ones), the severity head (multinomial) on
    those with a level; the inverse regularisation strength is chosen per output on
    validation (category F1 at its best threshold on flagged pairs, severity accuracy), and
    an output keeps its tuned weights unless the refit is better there (the severity head
    by ``min_severity_gain`` of accuracy at least: about one standard error on a few hundred
    levels, so that a gain within the noise of validation does not replace it). Categories with
    fewer than ``config.min_category_support`` validation positives are named above
    ``rare_category_threshold``. Returns what was chosen, for the manifest.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    linear = moderator.head.net[-1] if hasattr(moderator.head, "net") else None
    if not isinstance(linear, torch.nn.Linear):
        raise ValueError("refit_output_heads needs a single linear head (head_hidden 0)")

    def features(rows: list[QAExample]) -> np.ndarray:
        return moderator.window_outputs(*_texts(rows), progress=progress, cache=True)[0]

    known_train = [x for x in train if not x.is_safe and (x.categories or x.severity)]
    x_train, x_val = features(known_train), features(validation)
    with torch.no_grad():
        mean, std = moderator.head.feature_mean.numpy(), moderator.head.feature_std.numpy()
    z_train, z_val = (x_train - mean) / std, (x_val - mean) / std
    y_train = label_matrix(known_train, moderator.spec.taxonomy)
    y_val = label_matrix(validation, moderator.spec.taxonomy)
    cat_train = category_mask(known_train)
    val_logits = moderator.logits_from_features(x_val)
    flagged = apply_temperatures(val_logits, moderator.temperatures)[:, 0] >= moderator.threshold

    def val_f1(scores: np.ndarray, k: int) -> float:
        truth = y_val[flagged, k]
        if truth.sum() == 0:
            return float("nan")
        pred = scores[flagged] >= best_f1_threshold(truth, scores[flagged])
        return float(f1_score(truth, pred, zero_division=0.0))

    chosen: dict = {"categories": {}, "severity": None}
    weight, bias = linear.weight.detach().clone(), linear.bias.detach().clone()
    for k, name in enumerate(moderator.categories, start=1):
        target = y_train[cat_train, k]
        if target.sum() < 5 or target.sum() == len(target):
            continue
        best: tuple[float, float | None, Any] = (val_f1(val_logits[:, k], k), None, None)
        for c in strengths:
            fit = LogisticRegression(C=c, max_iter=2000).fit(z_train[cat_train], target)
            score = val_f1(z_val @ fit.coef_[0] + fit.intercept_[0], k)
            if score == score and (best[0] != best[0] or score > best[0] + 1e-3):
                best = (score, c, fit)
        if best[2] is not None:
            weight[k] = torch.from_numpy(best[2].coef_[0]).float()
            bias[k] = float(best[2].intercept_[0])
        chosen["categories"][name] = {"strength": best[1], "validation_f1": best[0]}
    with torch.no_grad():
        linear.weight.copy_(weight)
        linear.bias.copy_(bias)
    if moderator.severity_head is not None:
        levels_train = severity_targets(known_train)
        levels_val = severity_targets(validation)
        rows, val_rows = levels_train >= 0, levels_val >= 0
        old = moderator.severity_logits_from_features(x_val)
        assert old is not None
        best_acc = float((old[val_rows].argmax(1) == levels_val[val_rows]).mean())
        best_fit, best_c = None, None
        for c in strengths:
            fit = LogisticRegression(C=c, max_iter=3000).fit(z_train[rows], levels_train[rows])
            if len(fit.classes_) != 3:
                break
            accuracy = float((fit.predict(z_val[val_rows]) == levels_val[val_rows]).mean())
            if accuracy > best_acc + min_severity_gain:
                best_acc, best_fit, best_c = accuracy, fit, c
        if best_fit is not None:  # fold the standardisation into the raw-feature head
            coef = best_fit.coef_ / std[None, :]
            severity_linear = cast(torch.nn.Linear, moderator.severity_head)  # severity_head_for's
            with torch.no_grad():
                severity_linear.weight.copy_(torch.from_numpy(coef).float())
                severity_linear.bias.copy_(
                    torch.from_numpy(best_fit.intercept_ - coef @ mean).float()
                )
        chosen["severity"] = {"strength": best_c, "validation_accuracy": best_acc}
    report = calibrate(
        moderator, moderator.logits_from_features(x_val), y_val, config, rare_category_threshold
    )
    chosen["rare_category_threshold"] = rare_category_threshold
    chosen["validation"] = {"category_macro_f1": report.get("category_macro_f1")}
    return chosen
