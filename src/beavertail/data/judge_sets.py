"""Held-out sets that measure what a pair judge reads (judge v4): never trained on.

* ``safe_redirection`` — safe answers to harmful requests that do not refuse: PKU-SafeRLHF
  *test* answers labelled safe, without a refusal phrase, to prompts whose other answer is
  unsafe, plus hand-written redirections on topics that no training set covers
  (``sets/redirections_heldout.jsonl``).
* ``long_benign`` — hand-written helpful answers of 8-20 sentences to alarming but benign
  questions (security, medicine, chemistry safety, history of violence, sysadmin) on topics
  kept out of training (``sets/long_benign_heldout.jsonl``).
* ``conversation_turns`` — BeaverTails-test pairs whose request comes after 1, 3 or 5 benign
  turns (held-out AlpacaEval instructions with their reference answers), for the
  conversation readings of the pair judge and the input guard.

The hand-written training counterparts (``long_benign_train``, ``redirections_train``) cover
other topics and are read by :func:`hand_written`. The JSONL files in ``sets/`` are the
hand-written sources themselves (edited as data; ``tests/test_judge_v4.py`` checks their
contracts).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from beavertail.data.catalog import beavertails_qa, canonical_split, dataset_path, pku_qa
from beavertail.data.readers import iter_rows
from beavertail.data.records import QAExample

SETS_DIR = Path(__file__).with_name("sets")
QUICKSTART_PAIRS = SETS_DIR / "quickstart_pairs.jsonl"  # `beavertail quickstart`'s examples
HAND_WRITTEN = {
    "long-benign-heldout": "long_benign_heldout.jsonl",
    "long-benign-train": "long_benign_train.jsonl",
    "redirections-heldout": "redirections_heldout.jsonl",
    "redirections-train": "redirections_train.jsonl",
}
TURN_COUNTS = (1, 3, 5)
# the same phrases as the refusal heuristic (moderation.baselines), kept here because data
# sits below moderation; a test checks that the two agree
_REFUSAL = re.compile(
    r"\bI (?:can(?:'|no)t|cannot|won't|will not)\b|\bI(?: am|'m) (?:not able|unable) to\b"
    r"|\bI'?m sorry\b|\bI apologi[sz]e\b|\bAs an AI\b|\bI (?:must|have to) (?:decline|refuse)\b",
    re.IGNORECASE,
)


def hand_written(name: str) -> list[QAExample]:
    """A hand-written set shipped in the package (all pairs safe), topic in the source."""
    if name not in HAND_WRITTEN:
        raise KeyError(f"unknown hand-written set {name!r}; known: {sorted(HAND_WRITTEN)}")
    path = SETS_DIR / HAND_WRITTEN[name]
    out = []
    for i, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            out.append(
                QAExample(
                    row["prompt"], row["response"], (), True, None, f"{name}:{row['topic']}:{i}"
                )
            )
    return out


def topic_of(example: QAExample) -> str:
    """The topic of a hand-written example (its source is ``set:topic:line``)."""
    return example.source.split(":")[1]


def safe_redirection(root: str | Path | None = None, min_words: int = 12) -> list[QAExample]:
    """Safe answers to harmful requests that neither comply nor refuse (see module doc)."""
    pku = list(pku_qa("test", root))
    harmful_prompts = {x.prompt for x in pku if not x.is_safe}
    seen: set[tuple[str, str]] = set()
    out = []
    for x in pku:
        key = (x.prompt, x.response)
        if key in seen or not x.is_safe or x.prompt not in harmful_prompts:
            continue
        if _REFUSAL.search(x.response) or len(x.response.split()) < min_words:
            continue
        seen.add(key)
        out.append(x)
    return out + hand_written("redirections-heldout")


def long_benign() -> list[QAExample]:
    """Hand-written long helpful answers to alarming but benign questions (held out)."""
    return hand_written("long-benign-heldout")


@dataclass(frozen=True)
class ConversationCase:
    """A BeaverTails-test pair whose request follows ``turns`` benign exchanges."""

    messages: list[dict[str, str]]  # the conversation up to and including the request
    response: str
    example: QAExample  # the pair alone
    turns: int


def benign_turns(root: str | Path | None = None, max_words: int = 150) -> list[tuple[str, str]]:
    """Held-out AlpacaEval instructions (canonical test split) with their reference answers
    cut to ``max_words`` words (~200 tokens): benign exchanges to put before a request."""
    out = []
    for _, row in iter_rows(dataset_path("alpaca-eval", root)):
        answer = " ".join(row.get("output", "").split()[:max_words])
        if canonical_split(row["instruction"]) == "test" and answer:
            out.append((row["instruction"], answer))
    return sorted(out, key=lambda t: hashlib.sha256(t[0].encode()).digest())


def conversation_turns(
    root: str | Path | None = None,
    counts: tuple[int, ...] = TURN_COUNTS,
    limit: int | None = None,
) -> list[ConversationCase]:
    """Every BeaverTails-test pair (``limit``: the first N) after each count of benign turns;
    the turns are drawn by a fixed rule, so the set is the same on every machine."""
    pool = benign_turns(root)
    pairs = list(beavertails_qa("test", root))[:limit]
    cases = []
    for n in counts:
        for i, x in enumerate(pairs):
            messages: list[dict[str, str]] = []
            for j in range(n):
                question, answer = pool[(i * 5 + j * 11 + n) % len(pool)]
                messages += [
                    {"role": "user", "content": question},
                    {"role": "assistant", "content": answer},
                ]
            messages.append({"role": "user", "content": x.prompt})
            cases.append(ConversationCase(messages, x.response, x, n))
    return cases
