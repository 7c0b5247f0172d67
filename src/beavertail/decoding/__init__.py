"""Decoding-time safety: safe best-of-N, guided decoding (DeAL, RAIN), the
generation-exploitation attack, and a high-confidence safety test."""

from beavertail.decoding.best_of_n import BestOfNConfig, BestOfNSettings, Choice, SafeBestOfN
from beavertail.decoding.guided import (
    GuidedConfig,
    GuidedGenerator,
    Heuristic,
    SearchStats,
    load_heuristic,
)

__all__ = [
    "BestOfNConfig",
    "BestOfNSettings",
    "Choice",
    "GuidedConfig",
    "GuidedGenerator",
    "Heuristic",
    "SafeBestOfN",
    "SearchStats",
    "load_heuristic",
]
