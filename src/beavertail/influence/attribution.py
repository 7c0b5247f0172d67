"""Attribution: score every training example's influence on a set of query behaviours.

:func:`attribute` runs one :mod:`~beavertail.influence.methods` value over a task and returns
an :class:`InfluenceTable`: the (training x query) scores with the texts they refer to, a
ranking by total influence on the queries, the queries each example drives most, a folder
form (safetensors + manifest + JSONL rows) and an HTML view in the report's style.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from beavertail.artifacts import atomic_write_text, read_manifest, write_manifest
from beavertail.influence.methods import METHODS, InfluenceMethod
from beavertail.influence.tasks import InfluenceTask
from beavertail.reporting import write_page

INFLUENCE_KIND = "beavertail.influence-scores"


def describe(item: Any) -> dict[str, Any]:
    """A row's text fields (an SFT row or a labelled pair) for tables and files."""
    if hasattr(item, "contrast"):
        return {"prompt": item.prompt, "answer": item.answer, "contrast": item.contrast}
    if hasattr(item, "answer"):
        return {"prompt": item.prompt, "answer": item.answer}
    return {"prompt": item.prompt, "answer": item.response, "is_safe": item.is_safe}


@dataclass
class InfluenceTable:
    """Influence of each training example (rows) on each query behaviour (columns)."""

    method: str
    scores: np.ndarray
    train: list[dict[str, Any]]
    queries: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)

    def total(self) -> np.ndarray:
        """Each training example's influence on the queries' summed measurement."""
        return self.scores.sum(1)

    def order(self) -> np.ndarray:
        """Training indices, most influential (teaches the queried behaviour most) first."""
        return np.argsort(-self.total(), kind="stable")

    def top(self, share: float) -> np.ndarray:
        """The indices of the top ``share`` of training examples (at least one)."""
        count = max(1, round(share * len(self.train)))
        return self.order()[:count]

    def recall(self, truth: Sequence[bool], share: float) -> float:
        """Share of the ``truth`` examples that fall in the top ``share`` (attribution check)."""
        wanted = {i for i, flag in enumerate(truth) if flag}
        if not wanted:
            raise ValueError("no ground-truth examples to recall")
        return len(wanted & set(self.top(share).tolist())) / len(wanted)

    def ranked(self, count: int = 50, queries_each: int = 3) -> list[dict[str, Any]]:
        """The top ``count`` rows: rank, index, total influence, text, the queries it drives."""
        rows = []
        for rank, index in enumerate(self.order()[:count], 1):
            driven = np.argsort(-self.scores[index])[:queries_each]
            rows.append(
                {
                    "rank": rank,
                    "index": int(index),
                    "influence": float(self.total()[index]),
                    **self.train[index],
                    "drives": [int(q) for q in driven if self.scores[index, q] > 0],
                }
            )
        return rows

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        save_file(
            {"scores": torch.from_numpy(np.ascontiguousarray(self.scores))},
            folder / "scores.safetensors",
        )
        lines = "".join(json.dumps(row) + "\n" for row in self.train)
        atomic_write_text(folder / "train.jsonl", lines)
        atomic_write_text(
            folder / "queries.jsonl", "".join(json.dumps(q) + "\n" for q in self.queries)
        )
        write_manifest(
            folder,
            {"kind": INFLUENCE_KIND, "version": 1, "method": self.method, **self.meta},
        )
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> InfluenceTable:
        folder = Path(folder)
        manifest = read_manifest(folder, INFLUENCE_KIND, "influence table")
        scores = load_file(folder / "scores.safetensors")["scores"].numpy()
        read = lambda name: [  # noqa: E731
            json.loads(line) for line in (folder / name).read_text().splitlines() if line
        ]
        meta = {k: v for k, v in manifest.items() if k not in ("kind", "version", "method")}
        return cls(manifest["method"], scores, read("train.jsonl"), read("queries.jsonl"), meta)

    def to_html(self, path: str | Path, count: int = 50, title: str = "Influence") -> Path:
        """A page: the top training examples, their influence and the queries they drive."""
        return write_page(
            path,
            "influence.html",
            title=title,
            examples=len(self.train),
            queries=self.queries,
            info=json.dumps({"method": self.method, **self.meta}),
            rows=self.ranked(count),
        )


def attribute(
    task: InfluenceTask,
    train: Sequence[Any],
    queries: Sequence[Any],
    method: str | InfluenceMethod = "tracin",
    cache: str | Path | None = None,
    progress: bool = True,
    meta: dict[str, Any] | None = None,
) -> InfluenceTable:
    """Score every training item's influence on every query (see ``METHODS``). A task that
    fits rows to a token limit records how many prompts it cut in ``meta["prompts_cut"]``."""
    if not train or not queries:
        raise ValueError("attribution needs training examples and at least one query")
    chosen = METHODS[method] if isinstance(method, str) else method
    meta = dict(meta or {})
    cut = getattr(task, "cut_prompts", None)  # tasks that fit rows to a token limit
    if cut is not None:
        meta["prompts_cut"] = {"train": cut(train), "queries": cut(queries)}
    scores = chosen.scores(task, train, queries, Path(cache) if cache else None, progress)
    label = getattr(chosen, "label", chosen.name)
    return InfluenceTable(
        label, scores, [describe(x) for x in train], [describe(q) for q in queries], meta
    )
