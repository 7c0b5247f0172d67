"""How the default judge's recipe was chosen: head variants on the same SmolLM2 features.

    python bench/judge_variants.py

Features are the default judge's (four layers, mean and last token, judge question), read from
the feature cache (the first run extracts them: ~40 min on 2 cores). Each variant trains a head
on the mix's train split; the objective is validation ROC-AUC of the unsafe score (ties: F1).
Test figures are printed beside it, but were not used to choose.
Prints ``variant=<name> val_auc= val_f1= bt_test_auc= bt_test_f1= saferlhf_auc= saferlhf_f1=``.
"""

from __future__ import annotations

import argparse
import dataclasses
import warnings

import numpy as np
import torch

from beavertail.data import beavertails_qa
from beavertail.data.mix import saferlhf_test
from beavertail.models.features import cached_features
from beavertail.moderation import label_matrix
from beavertail.moderation.calibration import apply_temperatures, fit_temperatures
from beavertail.moderation.metrics import best_f1_threshold, binary_metrics, roc_auc
from beavertail.moderation.moderator import build_extractor
from beavertail.moderation.recipes import DEFAULT_CONFIG
from beavertail.moderation.train import train_head
from beavertail.moderation.training_mix import moderation_mix


def columns(n_layers: int, dim: int, layers: list[int], pools: tuple[str, ...]) -> np.ndarray:
    """Column indices of the chosen layers (positions in the extractor's list) and poolings."""
    out = []
    for i in layers:
        base = i * 2 * dim
        if "mean" in pools:
            out.extend(range(base, base + dim))
        if "last" in pools:
            out.extend(range(base + dim, base + 2 * dim))
    return np.array(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    torch.manual_seed(0)
    mix = moderation_mix(args.data_dir)
    extractor = build_extractor(DEFAULT_CONFIG.spec)
    sets = {
        "train": mix.train,
        "val": mix.validation,
        "bt_test": list(beavertails_qa("test", args.data_dir)),
        "saferlhf": saferlhf_test(args.data_dir),
    }
    x = {
        k: cached_features(extractor, [e.prompt for e in v], [e.response for e in v], True)
        for k, v in sets.items()
    }
    y = {k: label_matrix(v, DEFAULT_CONFIG.spec.taxonomy) for k, v in sets.items()}
    w_train = np.array(mix.weights(mix.train))
    w_val = np.array(mix.weights(mix.validation))
    n_layers, dim = len(extractor.layers), extractor.lm.hidden_size
    every = list(range(n_layers))
    variants = {  # (layers, poolings, hidden units, source weights, ensemble members)
        "mean+last all layers, MLP 256": (every, ("mean", "last"), 256, True, 1),
        "last token all layers, MLP 256": (every, ("last",), 256, True, 1),
        "mean all layers, MLP 256": (every, ("mean",), 256, True, 1),
        "mean+last all layers, linear": (every, ("mean", "last"), 0, True, 1),
        "mean+last deepest two, MLP 256": (every[-2:], ("mean", "last"), 256, True, 1),
        "mean+last all layers, MLP 256, unweighted": (every, ("mean", "last"), 256, False, 1),
        "mean+last all layers, 5 x MLP 256 (shipped)": (every, ("mean", "last"), 256, True, 5),
    }
    for name, (layers, pools, hidden, weighted, members) in variants.items():
        cols = columns(n_layers, dim, layers, pools)
        spec = dataclasses.replace(DEFAULT_CONFIG.spec, head_hidden=hidden, head_members=members)
        config = DEFAULT_CONFIG.model_copy(update={"spec": spec})
        head = train_head(
            x["train"][:, cols],
            y["train"],
            x["val"][:, cols],
            y["val"],
            config,
            progress=False,
            w_train=w_train if weighted else None,
            w_val=w_val if weighted else None,
        )
        with torch.no_grad():
            logits = {k: head(torch.from_numpy(v[:, cols])).numpy() for k, v in x.items()}
        temps = fit_temperatures(y["val"], logits["val"])
        probs = {k: apply_temperatures(v, temps)[:, 0] for k, v in logits.items()}
        threshold = best_f1_threshold(y["val"][:, 0], probs["val"])
        figures = {}
        for k in ("val", "bt_test", "saferlhf"):
            figures[f"{k}_auc"] = roc_auc(y[k][:, 0], probs[k])
            figures[f"{k}_f1"] = binary_metrics(y[k][:, 0], probs[k] >= threshold)["f1"]
        print(
            f"variant={name.replace(' ', '_').replace(',', '').replace('(', '').replace(')', '')} "
            + " ".join(f"{k}={v:.4f}" for k, v in figures.items()),
            flush=True,
        )


if __name__ == "__main__":
    main()
