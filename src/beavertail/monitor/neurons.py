"""A streaming monitor that reads the generating model's own neurons (no second model).

Features are the mean activation of a neuron set over the positions that produced the answer
so far (the last prompt token and every answer token but the newest). During decoding, hooks
add each pass's activations to per-row sums, so a check costs one small dot product; on a
replayed (prompt, partial answer) the same features come from one teacher-forced pass per
answer, which is how stop quality is measured (:func:`beavertail.monitor.evaluate_streaming`).
The probe's neurons come from :mod:`beavertail.neurons`.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import torch

from beavertail.data.records import QAExample
from beavertail.models.causal import LoadedLM
from beavertail.models.generation import HookFactory
from beavertail.models.progress import track
from beavertail.monitor.replay import checkpoints
from beavertail.monitor.stream import MonitorConfig, RowKeys, StreamMonitor
from beavertail.neurons.activations import (
    NeuronSet,
    forward_neurons,
    on_neurons,
    set_size,
    text_batches,
)
from beavertail.neurons.probe import LinearProbe, NeuronProbe


def producing_features(
    lm: LoadedLM,
    prompts: Sequence[str],
    answers: Sequence[str],
    neurons: NeuronSet,
    token_counts: Sequence[Sequence[int]],
    batch_size: int = 8,
    max_length: int = 320,
    progress: bool = False,
) -> list[np.ndarray]:
    """For each answer, ``(len(counts), size)`` features after each of its token counts (one
    teacher-forced pass per answer; counts beyond the answer are clipped to it)."""
    layers = sorted(neurons)
    out: list[np.ndarray] = [np.zeros((0, set_size(neurons)))] * len(prompts)
    batches = list(text_batches(lm, prompts, answers, batch_size, max_length))
    for batch in track(batches, len(batches), "reading neurons", show=progress):
        captured = forward_neurons(lm, batch, layers)
        chosen = torch.cat([captured[i][..., neurons[i]] for i in layers], dim=-1)
        for row, index in enumerate(batch.index):
            sums = chosen[row, batch.producing_positions(row)].double().cumsum(0)
            steps = []
            for n in token_counts[index]:
                n = min(max(int(n), 1), sums.shape[0])
                steps.append((sums[n - 1] / n).numpy())
            out[index] = np.stack(steps)
    return out


class NeuronMonitor:
    """A producing-position probe as a moderator for :class:`StreamMonitor`, plus the decoding
    hooks that feed it from the generating model itself."""

    categories: tuple[str, ...] = ()

    def __init__(self, lm: LoadedLM, probe: NeuronProbe, threshold: float | None = None) -> None:
        if probe.reading != "producing":
            raise ValueError("a streaming monitor needs a probe that reads answers ('producing')")
        self.lm = lm
        self.probe = probe
        self.threshold = threshold if threshold is not None else probe.probe.threshold
        self.metadata = {"name": f"neuron-probe ({probe.size} neurons)"}
        self._layers = sorted(probe.neurons)
        self._sums: torch.Tensor | None = None  # (rows, size) during decoding
        self._counts: torch.Tensor | None = None
        self._keys: list[Hashable] = []
        self._pending: dict[int, torch.Tensor] = {}
        self.hook_seconds = 0.0

    # --- replay: (prompt, partial answer) pairs, one teacher-forced pass per answer ---
    def probabilities(
        self, prompts: list[str], partials: list[str], progress: bool = False
    ) -> np.ndarray:
        """Probability of harm per pair (one column); pairs that share a prompt and extend
        each other's tokens are read from one pass over the longest."""
        tok = self.lm.tokenizer
        ids = [tok(p, add_special_tokens=False)["input_ids"] for p in partials]
        longest: dict[str, int] = {}
        for i, prompt in enumerate(prompts):
            if prompt not in longest or len(ids[i]) > len(ids[longest[prompt]]):
                longest[prompt] = i
        groups: dict[int, list[int]] = {}
        for i, prompt in enumerate(prompts):
            head = longest[prompt]
            owner = head if ids[head][: len(ids[i])] == ids[i] else i
            groups.setdefault(owner, []).append(i)
        owners = list(groups)
        features = producing_features(
            self.lm,
            [prompts[o] for o in owners],
            [partials[o] for o in owners],
            self.probe.neurons,
            [[len(ids[i]) for i in groups[o]] for o in owners],
            progress=progress,
        )
        probs = np.zeros((len(prompts), 1))
        for owner, rows in zip(owners, features, strict=True):
            probs[groups[owner], 0] = self.probe.probe.probabilities(rows)
        return probs

    # --- live: the generating model's own activations ---
    def _read(self, layer: int, neurons: torch.Tensor) -> None:
        began = time.perf_counter()
        if neurons.shape[1] > 1:  # a prompt pass: new rows start at their last prompt token
            values = neurons[:, -1, self.probe.neurons[layer]].float()
            self._pending[layer] = values
            if layer == self._layers[-1]:
                fresh = torch.cat([self._pending[i] for i in self._layers], dim=-1)
                count = torch.ones(len(fresh))
                self._sums = fresh if self._sums is None else torch.cat([self._sums, fresh])
                self._counts = count if self._counts is None else torch.cat([self._counts, count])
                self._keys += list(range(len(self._keys), len(self._keys) + len(fresh)))
        else:
            self._pending[layer] = neurons[:, 0, self.probe.neurons[layer]].float()
            if layer == self._layers[-1] and self._sums is not None and self._counts is not None:
                self._sums += torch.cat([self._pending[i] for i in self._layers], dim=-1)
                self._counts += 1
        self.hook_seconds += time.perf_counter() - began

    def select_rows(self, indices: list[int]) -> None:
        """Rows left the batch (the decoder says which stay)."""
        if self._sums is not None:
            index = torch.tensor(indices, dtype=torch.long)
            self._sums, self._counts = self._sums[index], self._counts[index]  # type: ignore[index]
            self._keys = [self._keys[i] for i in indices]

    @contextmanager
    def hooks(self) -> Iterator[NeuronMonitor]:
        """Decoding hooks (a ``HookFactory``): rows are keyed 0, 1, … in the order they
        join, as :func:`~beavertail.monitor.guarded_decode` keys them."""
        self._sums, self._counts, self._keys, self._pending = None, None, [], {}
        with on_neurons(self.lm.model, lambda layer, x: self._read(layer, x), self._layers):
            yield self
        self._sums, self._counts, self._keys = None, None, []

    def live_probabilities(self, keys: RowKeys) -> np.ndarray | None:
        """Probabilities of the rows ``keys`` from what decoding has read (None: not live)."""
        if self._sums is None or self._counts is None or any(k not in self._keys for k in keys):
            return None
        rows = [self._keys.index(k) for k in keys]
        features = (self._sums[rows] / self._counts[rows, None]).double().numpy()
        return self.probe.probe.probabilities(features)[:, None]


class NeuronStreamMonitor(StreamMonitor):
    """:class:`StreamMonitor` whose checks read the decoding pass's own neurons when it can
    (rows of a live decode with ``hooks``), else replay the partial answer."""

    def __init__(self, monitor: NeuronMonitor, config: MonitorConfig | None = None) -> None:
        super().__init__(monitor, config)  # type: ignore[arg-type]
        self.neuron_monitor = monitor

    def scores(
        self, prompts: Sequence[str], partials: Sequence[str], keys: RowKeys | None = None
    ) -> np.ndarray:
        live = self.neuron_monitor.live_probabilities(keys) if keys is not None else None
        return live if live is not None else super().scores(prompts, partials)

    @property
    def hooks(self) -> HookFactory:
        """The decoding hooks that feed the live checks."""
        return self.neuron_monitor.hooks


def fit_producing_probe(
    lm: LoadedLM,
    examples: Sequence[QAExample],
    neurons: NeuronSet,
    check_every: int = 8,
    max_tokens: int = 64,
    seed: int = 0,
    progress: bool = False,
) -> tuple[LinearProbe, int]:
    """Fit a probe on labelled answers read at every checkpoint (each prefix takes its
    answer's label; later checkpoints of long answers are capped at ``max_tokens``).
    Returns the probe and the number of checkpoints it saw."""
    tok = lm.tokenizer
    counts = []
    for x in examples:
        n = min(len(tok(x.response, add_special_tokens=False)["input_ids"]), max_tokens)
        counts.append(checkpoints(max(n, 1), check_every, check_every))
    features = producing_features(
        lm,
        [x.prompt for x in examples],
        [x.response for x in examples],
        neurons,
        counts,
        progress=progress,
    )
    labels = np.concatenate(
        [np.full(len(f), not x.is_safe) for f, x in zip(features, examples, strict=True)]
    )
    return LinearProbe.fit(np.concatenate(features), labels, seed), len(labels)
