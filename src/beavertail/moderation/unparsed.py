"""What to do with a verdict whose judge output could not be parsed (an external judge wrote
something its format cannot read): one policy everywhere, as a wrapper of a judge.

- ``flag`` (the default): treat it as harmful: ``flagged: true``, no score, no category.
- ``pass``: treat it as safe.
- ``error``: refuse to decide: :class:`UnparsedVerdictError` (the server answers 502
  ``judge_unparsed``).

The verdict always keeps ``unparsed: true`` and ``score: None`` (never NaN), so reports and
responses show it. Probabilities keep NaN in column 0 for such rows; a consumer that
thresholds probabilities (the stream monitor) applies :func:`unparsed_policy_of` itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

import numpy as np

from beavertail.moderation.judge import Answers, Judge, JudgeWrapper, Texts
from beavertail.moderation.verdict import Verdict

OnUnparsed = Literal["flag", "pass", "error"]
DEFAULT_ON_UNPARSED: OnUnparsed = "flag"


class UnparsedVerdictError(RuntimeError):
    """Verdicts that could not be parsed under ``on_unparsed: error``: ``rows`` are their
    indices, ``verdicts`` all verdicts (the unparsed ones flagged, as under ``flag``), so a
    caller judging several requests at once can fail only those."""

    def __init__(self, rows: Sequence[int], verdicts: Sequence[Verdict]) -> None:
        super().__init__(
            f"the judge's output could not be parsed for {len(rows)} of {len(verdicts)} inputs "
            "(on_unparsed: error)"
        )
        self.rows = list(rows)
        self.verdicts = list(verdicts)


def apply_unparsed_policy(verdicts: Sequence[Verdict], on_unparsed: OnUnparsed) -> list[Verdict]:
    """The verdicts under the policy (parsed ones unchanged); raises under ``error``."""
    out = list(verdicts)
    rows = [i for i, v in enumerate(out) if v.unparsed or v.score is None]
    for i in rows:
        out[i] = replace(
            out[i],
            flagged=on_unparsed != "pass",
            score=None,
            categories={},
            flagged_categories=(),
            severity=None,
            unparsed=True,
        )
    if rows and on_unparsed == "error":
        raise UnparsedVerdictError(rows, out)
    return out


def unparsed_rows(probabilities: np.ndarray) -> np.ndarray:
    """Rows of a probability matrix (column 0 unsafe) that hold no verdict (NaN)."""
    return np.isnan(np.asarray(probabilities, dtype=float)[:, 0])


def unparsed_policy_of(judge: object) -> OnUnparsed:
    """The policy a judge was wrapped with, under any other wrapper (``flag`` for a bare
    judge)."""
    while isinstance(judge, JudgeWrapper):
        if isinstance(judge, UnparsedPolicyJudge):
            return judge.on_unparsed
        judge = judge.base
    return DEFAULT_ON_UNPARSED


class UnparsedPolicyJudge(JudgeWrapper):
    """A judge whose unparsed verdicts follow ``on_unparsed`` (the rest is the wrapped
    judge's; its probabilities keep NaN for unparsed rows)."""

    def __init__(self, base: Judge, on_unparsed: OnUnparsed = DEFAULT_ON_UNPARSED) -> None:
        if on_unparsed not in ("flag", "pass", "error"):
            raise ValueError(f"on_unparsed must be flag, pass or error, not {on_unparsed!r}")
        super().__init__(base)
        self.on_unparsed: OnUnparsed = on_unparsed

    def predict(
        self, prompts: Texts, responses: Answers = None, progress: bool = False
    ) -> list[Verdict]:
        return apply_unparsed_policy(
            self.base.predict(prompts, responses, progress), self.on_unparsed
        )


def with_unparsed_policy(
    judge: Judge, on_unparsed: OnUnparsed = DEFAULT_ON_UNPARSED
) -> UnparsedPolicyJudge:
    """``judge`` wrapped so that its unparsed verdicts follow ``on_unparsed`` (a judge already
    wrapped is re-wrapped around its base)."""
    if isinstance(judge, UnparsedPolicyJudge):
        judge = judge.base
    return UnparsedPolicyJudge(judge, on_unparsed)
