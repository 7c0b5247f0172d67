"""Aligning the policy itself on LoRA adapters: DPO, MODPO and SIPO on preference pairs, Safe
RLHF online (reward − λ·cost, λ learned); data mixing and merging adapters."""

from beavertail.align.config import AlignConfig, LoraSettings, SafeRLHFConfig, SipoSettings
from beavertail.align.merge import METHODS, MergeSettings, merge_adapters, save_merged_model
from beavertail.align.mixing import MixSource, mix_counts, mixed_pairs, write_pairs
from beavertail.align.pairs import PolicyPair, is_conflict, policy_pairs
from beavertail.align.run import train_policy
from beavertail.align.safe_rlhf import Lagrangian, step_rows, train_safe_rlhf
from beavertail.align.sipo import SipoSelection, select_pareto
from beavertail.align.trainer import modpo_scales, train_adapter

__all__ = [
    "METHODS",
    "AlignConfig",
    "Lagrangian",
    "LoraSettings",
    "MergeSettings",
    "MixSource",
    "PolicyPair",
    "SafeRLHFConfig",
    "SipoSelection",
    "SipoSettings",
    "is_conflict",
    "merge_adapters",
    "mix_counts",
    "mixed_pairs",
    "modpo_scales",
    "policy_pairs",
    "save_merged_model",
    "select_pareto",
    "step_rows",
    "train_adapter",
    "train_policy",
    "train_safe_rlhf",
    "write_pairs",
]
