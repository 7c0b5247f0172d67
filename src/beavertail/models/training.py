"""What every TRL trainer here shares: checkpoints without pickles, exact resumes.

* ``transformers.Trainer`` writes the optimizer, scheduler and RNG state with ``torch.save``
  (pickles). :class:`SafetensorsCheckpoints` writes them as safetensors + JSON instead and
  reads only those, so ``resume_from_checkpoint`` never unpickles anything.
* The stock sampler draws from the global RNG, whose state at an epoch's start a resume cannot
  reproduce. :class:`SafetensorsCheckpoints` batches by length (less padding on a CPU) in an
  order fixed by seed and epoch alone, so a resumed run sees the batches an uninterrupted one
  would.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file
from transformers.trainer_pt_utils import LengthGroupedSampler, get_length_grouped_indices

from beavertail.artifacts import (
    optimizer_groups_json,
    optimizer_state_from_tensors,
    optimizer_tensors,
)


class EpochSeededLengthSampler(LengthGroupedSampler):
    """Batches of similar length, in an order that depends on seed and epoch alone."""

    def __init__(self, batch_size: int, lengths: list[int], seed: int) -> None:
        super().__init__(batch_size, lengths=lengths)
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        generator = torch.Generator().manual_seed(self.seed * 1000 + self.epoch)
        order = get_length_grouped_indices(self.lengths, self.batch_size, generator=generator)
        return iter(order)


class SafetensorsCheckpoints:
    """Mixin for a ``transformers.Trainer`` subclass (put it first among the bases).

    The training set needs a ``length`` column (or override :meth:`example_lengths`).
    """

    args: Any
    optimizer: Any
    lr_scheduler: Any
    train_dataset: Any

    def example_lengths(self, dataset: Any) -> list[int]:
        return list(dataset["length"])

    def _get_train_sampler(self, train_dataset: Any = None) -> Any:
        dataset = train_dataset if train_dataset is not None else self.train_dataset
        return EpochSeededLengthSampler(
            self.args.train_batch_size * self.args.gradient_accumulation_steps,
            lengths=self.example_lengths(dataset),
            seed=self.args.seed,
        )

    def _save(self, output_dir: str | None = None, state_dict: dict | None = None) -> None:
        super()._save(output_dir, state_dict)  # type: ignore[misc]
        target = Path(output_dir or self.args.output_dir)
        (target / "training_args.bin").unlink(missing_ok=True)  # torch.save'd by Trainer
        (target / "training_args.json").write_text(self.args.to_json_string())

    def _save_optimizer_and_scheduler(self, output_dir: str) -> None:
        tensors = optimizer_tensors(self.optimizer.state_dict())
        meta = {
            "scheduler": json.dumps(self.lr_scheduler.state_dict()),
            "groups": optimizer_groups_json(self.optimizer.state_dict()),
        }
        Path(output_dir).mkdir(parents=True, exist_ok=True)
        save_file(tensors, Path(output_dir) / "optimizer.safetensors", metadata=meta)

    def _load_optimizer_and_scheduler(self, checkpoint: str | None) -> None:
        if checkpoint is None or not (Path(checkpoint) / "optimizer.safetensors").is_file():
            return
        with safe_open(Path(checkpoint) / "optimizer.safetensors", "pt") as handle:
            meta = handle.metadata() or {}
            tensors = {k: handle.get_tensor(k) for k in handle.keys()}  # noqa: SIM118
        state = optimizer_state_from_tensors(
            self.optimizer.state_dict(), tensors, meta.get("groups")
        )
        self.optimizer.load_state_dict(state)
        self.lr_scheduler.load_state_dict(json.loads(meta["scheduler"]))

    def _save_rng_state(self, output_dir: str) -> None:
        version, mt, gauss = random.getstate()
        _, keys, pos, has_gauss, cached = np.random.get_state()
        tensors = {
            "torch": torch.random.get_rng_state(),
            "numpy": torch.from_numpy(np.asarray(keys, dtype=np.int64)),
        }
        if torch.cuda.is_available():
            tensors["cuda"] = torch.cuda.random.get_rng_state()
        meta = {
            "python": json.dumps([version, list(mt), gauss]),
            "numpy": json.dumps([int(pos), int(has_gauss), float(cached)]),
        }
        Path(output_dir).mkdir(parents=True, exist_ok=True)
        save_file(tensors, Path(output_dir) / "rng_state.safetensors", metadata=meta)

    def _load_rng_state(self, checkpoint: str | None) -> None:
        path = Path(checkpoint or "") / "rng_state.safetensors"
        if checkpoint is None or not path.is_file():
            return
        with safe_open(path, "pt") as handle:
            meta = handle.metadata() or {}
            tensors = {k: handle.get_tensor(k) for k in handle.keys()}  # noqa: SIM118
        version, mt, gauss = json.loads(meta["python"])
        random.setstate((version, tuple(mt), gauss))
        pos, has_gauss, cached = json.loads(meta["numpy"])
        keys = tensors["numpy"].numpy().astype(np.uint32)
        np.random.set_state(("MT19937", keys, pos, has_gauss, cached))
        torch.random.set_rng_state(tensors["torch"])
        if "cuda" in tensors and torch.cuda.is_available():
            torch.cuda.random.set_rng_state(tensors["cuda"])


def resumable_checkpoint(run_dir: Path, settings: dict[str, Any]) -> str | None:
    """The last checkpoint of an interrupted run with the same ``settings``, else None.

    A run with other settings is removed rather than mixed with this one.
    """
    from transformers.trainer_utils import get_last_checkpoint

    text = json.dumps(settings, sort_keys=True)
    marker = run_dir / "settings.json"
    if run_dir.is_dir() and (not marker.is_file() or marker.read_text() != text):
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    marker.write_text(text)
    return get_last_checkpoint(str(run_dir))
