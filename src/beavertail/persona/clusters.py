"""Persona clusters: the inferred personas embedded (MiniLM) and grouped with k-means, each
cluster shown by its most central personas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans

from beavertail.models import SentenceEncoder


@dataclass
class PersonaClusters:
    """``labels[i]``: the cluster of ``personas[i]``; ``examples[c]``: its most central
    personas, the first being the cluster's representative."""

    personas: list[str]
    labels: np.ndarray
    examples: list[list[str]]

    @property
    def count(self) -> int:
        return len(self.examples)

    def representatives(self) -> list[str]:
        return [shown[0] for shown in self.examples]

    def label_of(self, persona: str) -> int:
        return int(self.labels[self.personas.index(persona)])


def cluster_personas(
    personas: Sequence[str],
    clusters: int = 6,
    examples: int = 3,
    encoder: SentenceEncoder | None = None,
    seed: int = 0,
) -> PersonaClusters:
    """k-means on normalised persona embeddings (distinct personas; duplicates share one
    point)."""
    distinct = list(dict.fromkeys(personas))
    if len(distinct) < clusters:
        raise ValueError(f"{len(distinct)} distinct personas cannot form {clusters} clusters")
    encoder = encoder or SentenceEncoder()
    vectors = encoder.encode(distinct)
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(1e-8)
    kmeans = KMeans(n_clusters=clusters, n_init=10, random_state=seed).fit(vectors)
    labels = kmeans.labels_
    shown = []
    for c in range(clusters):
        members = np.flatnonzero(labels == c)
        distance = np.linalg.norm(vectors[members] - kmeans.cluster_centers_[c], axis=1)
        shown.append([distinct[i] for i in members[np.argsort(distance)[:examples]]])
    return PersonaClusters(distinct, labels, shown)
