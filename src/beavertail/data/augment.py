"""Training augmentations that make a pair judge read the answer, not the prompt (judge v4).

* :func:`same_prompt_contrasts` — (safe, unsafe) answers to the same prompt, matched one to
  one, for a pairwise margin loss: the prompt alone can explain nothing about which is worse.
* :func:`prompt_swapped_negatives` — harmful requests answered by text written for another,
  benign prompt (an off-topic helpful answer, a refusal of something else): safe, since an
  answer that complies with nothing is no harmful answer.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace

from beavertail.data.records import QAExample


def _order(text: str, seed: int) -> bytes:
    return hashlib.sha256(f"{seed}\0{text}".encode()).digest()


CONSTRUCTED = ("swapped:", "padding-only", "window:", "padded:")


def same_prompt_contrasts(
    examples: list[QAExample], per_prompt: int = 4, seed: int = 0
) -> list[tuple[int, int]]:
    """Indices ``(safe, unsafe)`` of answers to the same prompt, each example in at most one
    pair and at most ``per_prompt`` pairs a prompt, in a fixed pseudo-random matching that
    takes written answers before constructed ones (``CONSTRUCTED`` source prefixes)."""
    by_prompt: dict[str, tuple[list[int], list[int]]] = {}
    for i, x in enumerate(examples):
        safe, unsafe = by_prompt.setdefault(x.prompt.strip(), ([], []))
        (safe if x.is_safe else unsafe).append(i)
    pairs = []
    for _, (safe, unsafe) in sorted(by_prompt.items()):
        if not safe or not unsafe:
            continue
        safe = sorted(safe, key=lambda i: _rank(examples[i], seed))
        unsafe = sorted(unsafe, key=lambda i: _rank(examples[i], seed))
        pairs += list(zip(safe, unsafe, strict=False))[:per_prompt]
    return pairs


def _rank(example: QAExample, seed: int) -> tuple[bool, bytes]:
    return example.source.startswith(CONSTRUCTED), _order(example.response, seed)


def prompt_swapped_negatives(
    harmful: list[QAExample],
    answers: list[QAExample],
    count: int,
    seed: int = 0,
    tag: str = "swapped",
) -> list[QAExample]:
    """``count`` harmful requests (prompts of ``harmful``) each answered by one of
    ``answers`` — safe text written for a different prompt — labelled safe. No request or
    answer is used twice while any is left."""
    prompts = sorted({x.prompt for x in harmful if not x.is_safe}, key=lambda p: _order(p, seed))
    pool = [a for a in answers if a.is_safe and a.response.strip()]
    if not prompts or not pool:
        return []
    rng = random.Random(seed)
    rng.shuffle(pool)
    out = []
    for i in range(count):
        answer = pool[i % len(pool)]
        prompt = prompts[i % len(prompts)]
        if prompt.strip() == answer.prompt.strip():
            continue
        out.append(
            replace(
                answer,
                prompt=prompt,
                categories=(),
                is_safe=True,
                severity=None,
                source=f"{tag}:{answer.source}",
            )
        )
    return out
