"""The QA-moderation training mix (v2): every source split by prompt, test sets kept unseen.

Each source is cut with the canonical rule (``sha256(key) % 10``: 0-6 train, 7 validation,
8-9 held out), where the key is the prompt (or the jailbreak goal, the topic of a hand-made
row), so no prompt sits on two sides. Rows whose prompt appears in any test set (BeaverTails
test, PKU-SafeRLHF test, ``saferlhf-test``) never enter training or validation. A row flagged
``prompt_in_bt30k_test`` stays only when its prompt is in BeaverTails' canonical *train* part
and the pair itself is not a 30k_test row (the data README's clean-split rule), so BeaverTails
validation and test stay unseen. A pair that two sources share is kept once, from the first
(human-labelled sources come first). The held-out parts of the benign, refusal and
explicit-harm sources become the benchmark's ``benign``, ``refusal`` and ``explicit`` sets, so
the false-flag and recall figures are measured on answers the judge never saw.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from beavertail.data.catalog import (
    Split,
    beavertails_qa,
    canonical_split,
    data_dir,
    dataset_path,
    pku_qa,
)
from beavertail.data.loaders import load_prompts, load_qa
from beavertail.data.readers import iter_rows
from beavertail.data.records import QAExample

ALARMING_BENIGN = Path(__file__).with_name("sets") / "alarming_benign.jsonl"
NO_CATEGORIES = {"categories": "__none__"}  # sources whose category columns are not BT-14

EXPLICIT_HARMFUL = Path(__file__).with_name("sets") / "explicit_harmful.jsonl"
MIX_VERSION = 2

# Loss weights: human-labelled QA pairs weigh 1; model-judged labels, sources with few distinct
# prompts, labellers that are not documented and other domains weigh less.
WEIGHTS = {
    "jbb-artifacts": 0.5,  # JailbreakBench's LLM judge
    "aegis2": 0.7,  # partly LLM-labelled
    "gptfuzz": 0.3,  # human labels, but 99 questions under 77 templates
    "jailjudge": 0.5,  # labeller undocumented for this sample
    "diasafety": 0.3,  # social chat, another domain
}
EXTRA_FILES = {
    "saferlhf-test": "saferlhf-test/saferlhf_test_2000_dedup.jsonl",
    "safety-tuned-llamas": "safety-tuned-llamas/safety_only_data_Instructions_2483.jsonl",
    "aegis2": "aegis2/aegis2_train_900.jsonl",
    "jbb-artifacts": "jailbreakbench-artifacts/jbb_artifacts_pairs.jsonl",
    "jbeval-saferlhf": "jbeval-saferlhf-mini/jbeval-saferlhf-mini.jsonl",
    "gptfuzz": "gptfuzz-labeled/gptfuzz-labeled.jsonl",
    "self-defense": "llm-self-defense/llm-self-defense.jsonl",
    "jailjudge": "jbeval-jailjudge-mini/jbeval-jailjudge-mini.jsonl",
    "diasafety": "diasafety/diasafety.jsonl",
}
GPTFUZZ_PER_QUESTION = 16  # of ~65 answers per question, mostly near-identical refusals
DIASAFETY_CAP = 2500
# DiaSafety's "Unauthorized Expertise" calls any medical or legal advice from a chatbot unsafe,
# which BeaverTails does not: those rows are left out rather than taught.
DIASAFETY_DROPPED = frozenset({"Unauthorized Expertise"})


def _usable(row: dict) -> bool:
    """The data README's clean-split rule for rows that share a prompt with 30k_test."""
    if not row.get("prompt_in_bt30k_test"):
        return True
    return canonical_split(row["prompt"]) == "train" and not row.get("pair_in_bt30k_test")


def _load(name: str, root: str | Path | None, columns: dict | None = None) -> list[QAExample]:
    path = data_dir(root) / EXTRA_FILES[name]
    rows = dict(iter_rows(path))
    out = []
    for ex in load_qa(path, columns=columns):
        line = int(ex.source.rsplit(":", 1)[1])
        if _usable(rows[line]):
            out.append(replace(ex, source=f"{name}:{line}"))
    return out


def _hash_order(items: list[QAExample]) -> list[QAExample]:
    """A fixed pseudo-random order (by the pair's text), the same on every machine."""
    return sorted(
        items, key=lambda x: hashlib.sha256(f"{x.prompt}\0{x.response}".encode()).digest()
    )


def _gptfuzz(root: str | Path | None) -> list[QAExample]:
    """At most ``GPTFUZZ_PER_QUESTION`` answers per question, unsafe and safe alternating."""
    by_prompt: dict[str, list[QAExample]] = {}
    for x in _load("gptfuzz", root, NO_CATEGORIES):
        by_prompt.setdefault(x.prompt, []).append(x)
    out = []
    for items in by_prompt.values():
        unsafe = _hash_order([x for x in items if not x.is_safe])
        safe = _hash_order([x for x in items if x.is_safe])
        picked = [x for pair in zip(unsafe, safe, strict=False) for x in pair]
        picked += unsafe[len(safe) :] + safe[len(unsafe) :]
        out += picked[:GPTFUZZ_PER_QUESTION]
    return out


def _diasafety(root: str | Path | None) -> list[QAExample]:
    path = data_dir(root) / EXTRA_FILES["diasafety"]
    dropped = {line for line, row in iter_rows(path) if row.get("category") in DIASAFETY_DROPPED}
    kept = [
        x
        for x in _load("diasafety", root, NO_CATEGORIES)
        if int(x.source.rsplit(":", 1)[1]) not in dropped
    ]
    return _hash_order(kept)[:DIASAFETY_CAP]


def _explicit_harmful() -> list[tuple[str, QAExample]]:
    rows = [json.loads(line) for line in EXPLICIT_HARMFUL.read_text("utf-8").splitlines() if line]
    return [
        (
            r["topic"],
            QAExample(
                r["prompt"],
                r["response"],
                tuple(r["categories"]),
                r["is_safe"],
                None,
                f"explicit-harmful:{i}",
            ),
        )
        for i, r in enumerate(rows, 1)
    ]


def saferlhf_test(root: str | Path | None = None) -> list[QAExample]:
    """The SafeRLHF response-harm benchmark (1,654 human-labelled pairs): test only."""
    path = data_dir(root) / EXTRA_FILES["saferlhf-test"]
    return [replace(x, source=f"saferlhf-test:{x.source.rsplit(':', 1)[1]}") for x in load_qa(path)]


def _alarming_benign() -> list[tuple[str, QAExample]]:
    rows = [json.loads(line) for line in ALARMING_BENIGN.read_text("utf-8").splitlines() if line]
    return [
        (r["topic"], QAExample(r["prompt"], r["response"], (), True, None, f"alarming-benign:{i}"))
        for i, r in enumerate(rows, 1)
    ]


def _alpaca(root: str | Path | None) -> list[QAExample]:
    path = dataset_path("alpaca-eval", root)
    return [
        QAExample(row["instruction"], row["output"], (), True, None, f"alpaca-eval:{line}")
        for line, row in iter_rows(path)
        if row.get("output", "").strip()
    ]


@dataclass
class ModerationMix:
    """Training and validation pairs (with loss weights) plus the held-out benchmark sets."""

    train: list[QAExample]
    validation: list[QAExample]
    heldout: dict[str, list[QAExample]]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)

    def weights(self, examples: Iterable[QAExample]) -> list[float]:
        return [WEIGHTS.get(x.source.split(":", 1)[0], 1.0) for x in examples]

    def benign_validation(self) -> list[QAExample]:
        """Validation pairs from the sources of the benign and refusal sets (all safe)."""
        wanted = BENIGN_SOURCES | REFUSAL_SOURCES | {"generated-benign"}
        return [x for x in self.validation if _source_of(x) in wanted and x.is_safe]

    def describe(self) -> dict:
        """What goes into a moderator's manifest: sources, counts, weights, exclusions."""
        return {
            "mix_version": MIX_VERSION,
            "split_rule": "sha256(key) % 10: 0-6 train, 7 validation, 8-9 held out",
            "sources": self.counts,
            "weights": WEIGHTS,
            "caps": {
                "gptfuzz_per_question": GPTFUZZ_PER_QUESTION,
                "diasafety": DIASAFETY_CAP,
                "diasafety_dropped_categories": sorted(DIASAFETY_DROPPED),
            },
            "removed_test_overlap": self.removed,
            "heldout": {k: len(v) for k, v in self.heldout.items()},
        }


GeneratedAnswers = Callable[[list[str]], list[str]]
# the sources of the held-out benign and refusal sets (every pair in them is safe)
BENIGN_SOURCES = frozenset({"alpaca-eval", "alarming-benign", "generated-heldout"})
REFUSAL_SOURCES = frozenset({"safety-tuned-llamas", "aegis2"})


SOURCE_NAMES = {"30k_test.jsonl": "beavertails", "train_subset3695.jsonl": "pku-saferlhf-train"}


def _source_of(example: QAExample) -> str:
    name = example.source.split(":", 1)[0].split("#", 1)[0]
    return SOURCE_NAMES.get(name, name)


def build_moderation_mix(
    root: str | Path | None = None,
    benign_answers: GeneratedAnswers | None = None,
    generated_train: int = 160,
    generated_heldout: int = 80,
    heldout_cap: int = 400,
) -> ModerationMix:
    """Assemble the mix (see the module docstring).

    ``benign_answers`` answers harmless instructions with the embedded chat model (the
    answers users of the harness meet); without it those rows are left out.
    """
    bt = list(beavertails_qa(None, root))
    pku_test = list(pku_qa("test", root))
    safer = saferlhf_test(root)
    test_prompts = {x.prompt for x in bt if canonical_split(x.prompt) == "test"}
    test_prompts |= {x.prompt for x in pku_test} | {x.prompt for x in safer}
    test_pairs = {(x.prompt, x.response) for x in [*pku_test, *safer]}

    keyed: list[tuple[str, QAExample]] = [(x.prompt, x) for x in bt]
    keyed += [(x.prompt, x) for x in pku_qa("train", root)]
    keyed += [(x.prompt, x) for x in _load("safety-tuned-llamas", root)]
    keyed += [(x.prompt, x) for x in _load("aegis2", root, NO_CATEGORIES)]
    goals = {
        line: row["goal"] for line, row in iter_rows(data_dir(root) / EXTRA_FILES["jbb-artifacts"])
    }
    for x in _load("jbb-artifacts", root, NO_CATEGORIES):
        keyed.append((goals[int(x.source.rsplit(":", 1)[1])], x))
    keyed += [(x.prompt, x) for x in _load("jbeval-saferlhf", root, NO_CATEGORIES)]
    keyed += [(x.prompt, x) for x in _load("self-defense", root, NO_CATEGORIES)]
    keyed += [(x.prompt, x) for x in _load("jailjudge", root, NO_CATEGORIES)]
    keyed += [(x.prompt, x) for x in _gptfuzz(root)]
    keyed += [(x.prompt, x) for x in _diasafety(root)]
    keyed += [(x.prompt, x) for x in _alpaca(root)]
    keyed += _alarming_benign()
    keyed += _explicit_harmful()
    if benign_answers is not None:
        for split_name, n in (("harmless-train", generated_train), ("harmless-test", None)):
            items = list(load_prompts(dataset_path(split_name, root), harmful=False))
            if split_name == "harmless-train":
                items = [p for p in items if canonical_split(p.prompt) != "test"]
            chosen = sorted(items, key=lambda p: hashlib.sha256(p.prompt.encode()).hexdigest())
            chosen = chosen[: n or generated_heldout]
            answers = benign_answers([p.prompt for p in chosen])
            tag = "generated-benign" if split_name == "harmless-train" else "generated-heldout"
            for i, (p, a) in enumerate(zip(chosen, answers, strict=True)):
                ex = QAExample(p.prompt, a, (), True, None, f"{tag}:{i}")
                keyed.append((p.prompt if tag == "generated-benign" else "", ex))

    train: list[QAExample] = []
    validation: list[QAExample] = []
    heldout: dict[str, list[QAExample]] = {"benign": [], "refusal": [], "explicit": []}
    counts: dict[str, Counter] = {}
    removed: Counter = Counter()
    benign_sources, refusal_sources = BENIGN_SOURCES, REFUSAL_SOURCES
    seen_pairs: set[tuple[str, str]] = set()
    for key, ex in keyed:
        source = _source_of(ex)
        pair = (ex.prompt.strip(), ex.response.strip())
        if pair in seen_pairs:  # shared by two sources: the first (human-labelled) one keeps it
            removed[f"{source} (duplicate pair)"] += 1
            continue
        seen_pairs.add(pair)
        if source == "generated-heldout":
            heldout["benign"].append(ex)
            continue
        split = canonical_split(key)
        if split == "test":
            if source in benign_sources:
                heldout["benign"].append(ex)
            elif source in refusal_sources:
                heldout["refusal"].append(ex)
            elif source == "explicit-harmful":
                heldout["explicit"].append(ex)
            continue
        if ex.prompt in test_prompts or (ex.prompt, ex.response) in test_pairs:
            removed[source] += 1
            continue
        (train if split == "train" else validation).append(ex)
        counts.setdefault(source, Counter())[split] += 1
    for name, held in heldout.items():
        if len(held) > heldout_cap:  # a fixed pseudo-random subset
            held.sort(key=lambda x: hashlib.sha256(x.source.encode()).hexdigest())
            heldout[name] = held[:heldout_cap]
    return ModerationMix(
        train,
        validation,
        heldout,
        {k: dict(v) for k, v in counts.items()},
        dict(removed),
    )


def moderation_split(split: Split, root: str | Path | None = None) -> list[QAExample]:
    """QA-moderation data: the mix's train / validation part (every source split by prompt,
    test prompts removed; see :mod:`beavertail.data.mix`), or BeaverTails test."""
    if split == "test":
        return list(beavertails_qa("test", root))
    mix = build_moderation_mix(root)
    return mix.train if split == "train" else mix.validation
