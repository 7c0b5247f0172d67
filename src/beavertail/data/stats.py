"""Counts per category, safety and severity for any supported file."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from beavertail.data.loaders import load_records
from beavertail.data.records import EvalPrompt, PreferencePair, QAExample, RankedPair


@dataclass
class DataStats:
    """What ``beavertail data stats`` prints."""

    kind: str = ""
    records: int = 0
    safe: int = 0
    unsafe: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    severity: Counter[int] = field(default_factory=Counter)
    unique_prompts: int = 0

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "records": self.records,
            "safe": self.safe,
            "unsafe": self.unsafe,
            "unique_prompts": self.unique_prompts,
            "categories": dict(self.categories.most_common()),
            "severity": {str(k): v for k, v in sorted(self.severity.items())},
        }


def _add_qa(stats: DataStats, example: QAExample) -> None:
    stats.safe += example.is_safe
    stats.unsafe += not example.is_safe
    stats.categories.update(example.categories)
    if example.severity is not None:
        stats.severity[example.severity] += 1


def compute_stats(source: str | Path, split: str | None = None) -> DataStats:
    """Stream a file once and count; preference pairs count each response as a QA example."""
    stats = DataStats()
    prompts: set[str] = set()
    for record in load_records(source, split):
        stats.records += 1
        prompts.add(record.prompt)
        if isinstance(record, PreferencePair):
            stats.kind = "preference pairs"
            for example in record.qa_examples():
                _add_qa(stats, example)
        elif isinstance(record, QAExample):
            stats.kind = "QA pairs"
            _add_qa(stats, record)
        elif isinstance(record, RankedPair):
            stats.kind = "chosen/rejected pairs"
            for is_safe in (record.chosen_is_safe, record.rejected_is_safe):
                if is_safe is not None:
                    stats.safe += is_safe
                    stats.unsafe += not is_safe
        elif isinstance(record, EvalPrompt):
            stats.kind = "prompts"
            stats.categories[record.category or "(none)"] += 1
    stats.unique_prompts = len(prompts)
    return stats
