"""Harm taxonomies and the documented mappings between them, loaded from JSON files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

BEAVERTAILS_14 = "beavertails-14"
PKU_SAFERLHF_19 = "pku-saferlhf-19"
OPENAI_MODERATION = "openai-moderation"


@dataclass(frozen=True)
class Taxonomy:
    """An ordered list of harm categories; the order fixes label-vector positions."""

    name: str
    categories: tuple[str, ...]
    description: str = ""

    def index(self, category: str) -> int:
        return self.categories.index(category)

    def __contains__(self, category: object) -> bool:
        return category in self.categories

    def __len__(self) -> int:
        return len(self.categories)


@dataclass(frozen=True)
class TaxonomyMapping:
    """Maps each source category onto zero or more target categories."""

    source: str
    target: str
    mapping: dict[str, tuple[str, ...]]
    description: str = ""

    def map(self, categories: list[str] | tuple[str, ...]) -> list[str]:
        """Target categories for a set of source categories, in target order, deduplicated."""
        target = get_taxonomy(self.target)
        hit = {t for c in categories for t in self.mapping.get(c, ())}
        return [c for c in target.categories if c in hit]

    def map_scores(self, scores: dict[str, float]) -> dict[str, float]:
        """Every target category's score: the highest of the source scores mapped onto it
        (0.0 where none is)."""
        out = dict.fromkeys(get_taxonomy(self.target).categories, 0.0)
        for category, score in scores.items():
            for target in self.mapping.get(category, ()):
                out[target] = max(out[target], score)
        return out


def _read(name: str) -> dict:
    path = resources.files("beavertail.data") / "taxonomies" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def get_taxonomy(name: str) -> Taxonomy:
    """Load a taxonomy by name (``beavertails-14`` or ``pku-saferlhf-19``)."""
    try:
        raw = _read(name)
    except FileNotFoundError:
        raise KeyError(f"unknown taxonomy {name!r}; known: {list_taxonomies()}") from None
    return Taxonomy(raw["name"], tuple(raw["categories"]), raw.get("description", ""))


@cache
def get_mapping(source: str, target: str = BEAVERTAILS_14) -> TaxonomyMapping:
    """Load the mapping from ``source`` categories onto ``target`` categories."""
    try:
        raw = _read(f"{source}_to_{target}")
    except FileNotFoundError:
        raise KeyError(f"no mapping from {source!r} to {target!r}") from None
    mapping = {k: tuple(v) for k, v in raw["mapping"].items()}
    known = get_taxonomy(target).categories
    for source_cat, targets in mapping.items():
        for t in targets:
            if t not in known:
                raise ValueError(
                    f"mapping {source}->{target}: {source_cat!r} maps to unknown {t!r}"
                )
    return TaxonomyMapping(raw["source"], raw["target"], mapping, raw.get("description", ""))


def list_taxonomies() -> list[str]:
    folder = resources.files("beavertail.data") / "taxonomies"
    return sorted(
        p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json") and "_to_" not in p.name
    )
