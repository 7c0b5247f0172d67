"""Inference-time selection: safe best-of-N with reward and cost models."""

from beavertail.decoding.best_of_n import BestOfNConfig, BestOfNSettings, Choice, SafeBestOfN

__all__ = ["BestOfNConfig", "BestOfNSettings", "Choice", "SafeBestOfN"]
