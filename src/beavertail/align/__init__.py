"""Preference optimisation of the policy itself: DPO, MODPO and SIPO on LoRA adapters."""

from beavertail.align.config import AlignConfig, SipoSettings
from beavertail.align.pairs import PolicyPair, is_conflict, policy_pairs
from beavertail.align.run import train_policy
from beavertail.align.sipo import SipoSelection, select_pareto
from beavertail.align.trainer import modpo_scales, train_adapter

__all__ = [
    "AlignConfig",
    "PolicyPair",
    "SipoSelection",
    "SipoSettings",
    "is_conflict",
    "modpo_scales",
    "policy_pairs",
    "select_pareto",
    "train_adapter",
    "train_policy",
]
