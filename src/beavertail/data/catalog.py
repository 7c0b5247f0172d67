"""Where the real data sets live, and the canonical splits the project reports on.

The data folder is a setting: ``BEAVERTAIL_DATA_DIR``, else the first ``shared/data`` found
beside the working directory or one of its parents (the layout CI and developers have).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from beavertail.data.loaders import load_beavertails_qa, load_pku_pairs, load_prompts, qa_from_pairs
from beavertail.data.records import EvalPrompt, PreferencePair, QAExample

Split = Literal["train", "validation", "test"]

FILES = {
    "beavertails": "beavertails/30k_test.jsonl",
    "beavertails-evaluation": "beavertails-evaluation/BeaverTails-Evaluation.csv",
    "pku-train": "pku-saferlhf/train_subset3695.jsonl",
    "pku-test": "pku-saferlhf/test_subset821.jsonl",
    "hh-rlhf": "hh-rlhf/harmless-base_test.jsonl.gz",
    "harmful-train": "refusal-direction/splits/harmful_train.json",
    "harmful-val": "refusal-direction/splits/harmful_val.json",
    "harmful-test": "refusal-direction/splits/harmful_test.json",
    "harmless-train": "refusal-direction/splits/harmless_train.json",
    "harmless-val": "refusal-direction/splits/harmless_val.json",
    "harmless-test": "refusal-direction/splits/harmless_test.json",
    "jbb-harmful": "jailbreakbench/harmful-behaviors.csv",
    "jbb-benign": "jailbreakbench/benign-behaviors.csv",
    "alpaca-eval": "alpaca-eval/alpaca_eval_text_davinci_003_outputs.json",
}


def data_dir(explicit: str | Path | None = None) -> Path:
    """The folder holding the shared data sets; raises with a hint when none is found."""
    if explicit:
        return Path(explicit)
    if env := os.environ.get("BEAVERTAIL_DATA_DIR"):
        return Path(env)
    for base in [Path.cwd(), *Path.cwd().parents]:
        for candidate in (base / "shared" / "data", base.parent / "shared" / "data"):
            if (candidate / "beavertails").is_dir():
                return candidate
    raise FileNotFoundError(
        "no data folder: set BEAVERTAIL_DATA_DIR or pass --data-dir (expected ../shared/data)"
    )


def dataset_path(name: str, root: str | Path | None = None) -> Path:
    """Path of a named data set (see ``FILES``) under the data folder."""
    if name not in FILES:
        raise KeyError(f"unknown data set {name!r}; known: {sorted(FILES)}")
    return data_dir(root) / FILES[name]


def canonical_split(prompt: str) -> Split:
    """The project's BeaverTails split, by prompt: sha256 mod 10 -> 0-6 train, 7 val, 8-9 test."""
    h = int(hashlib.sha256(prompt.encode("utf-8")).hexdigest(), 16) % 10
    return "train" if h <= 6 else "validation" if h == 7 else "test"


def beavertails_qa(
    split: Split | None = None, root: str | Path | None = None
) -> Iterator[QAExample]:
    """BeaverTails 30k_test pairs, optionally restricted to one canonical split."""
    for example in load_beavertails_qa(dataset_path("beavertails", root)):
        if split is None or canonical_split(example.prompt) == split:
            yield example


def pku_pairs(
    split: Literal["train", "test"], root: str | Path | None = None
) -> Iterator[PreferencePair]:
    return load_pku_pairs(dataset_path(f"pku-{split}", root))


def pku_qa(split: Literal["train", "test"], root: str | Path | None = None) -> Iterator[QAExample]:
    """PKU-SafeRLHF pairs as QA examples (two per pair, categories mapped onto BeaverTails-14)."""
    return qa_from_pairs(pku_pairs(split, root))


def prompts(name: str, harmful: bool, root: str | Path | None = None) -> Iterator[EvalPrompt]:
    return load_prompts(dataset_path(name, root), harmful=harmful)
