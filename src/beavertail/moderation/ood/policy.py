"""What to do with a verdict on a pair the judge's OOD detector calls out of distribution.

- ``keep``: use the verdict as it is (the default; the verdict still carries ``ood_score``).
- ``defer``: ask a confirmer judge (any judge reference) and use its verdict instead.
- ``flag_uncertain``: do not flag the pair unsafe; mark the verdict ``uncertain`` so reports
  count it apart from unsafe answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal

from pydantic import Field, model_validator

from beavertail.moderation.judge import Answers, Judge, JudgeWrapper, Texts, resolve_judge
from beavertail.moderation.verdict import Verdict
from beavertail.settings import Settings

OnOOD = Literal["keep", "defer", "flag_uncertain"]


class OODPolicy(Settings):
    """The policy for out-of-distribution pairs (needs a judge with an OOD detector)."""

    on_ood: OnOOD = Field(
        "keep", description="keep | defer (to ood_judge) | flag_uncertain (never unsafe)."
    )
    ood_judge: str | None = Field(None, description="Judge reference that decides deferred pairs.")

    @model_validator(mode="after")
    def _judge_for_defer(self) -> OODPolicy:
        if self.on_ood == "defer" and not self.ood_judge:
            raise ValueError("on_ood: defer needs ood_judge (a judge reference)")
        return self


def apply_ood_policy(
    verdicts: Sequence[Verdict],
    prompts: Sequence[str],
    responses: Sequence[str],
    policy: OODPolicy,
    confirmer: Judge | None = None,
) -> list[Verdict]:
    """The verdicts after ``policy``; pairs without an OOD verdict are left alone."""
    out = list(verdicts)
    outside = [i for i, v in enumerate(out) if v.in_distribution is False]
    if policy.on_ood == "keep" or not outside:
        return out
    if policy.on_ood == "flag_uncertain":
        for i in outside:
            severity = None if out[i].severity is None else 0  # 0: not flagged
            out[i] = replace(
                out[i], flagged=False, flagged_categories=(), severity=severity, uncertain=True
            )
        return out
    if confirmer is None:
        raise ValueError("on_ood: defer needs a confirmer judge")
    second = confirmer.predict([prompts[i] for i in outside], [responses[i] for i in outside])
    for i, verdict in zip(outside, second, strict=True):
        raw: dict[str, Any] = {**(verdict.raw or {}), "deferred_to": policy.ood_judge}
        out[i] = replace(verdict, ood_score=out[i].ood_score, in_distribution=False, raw=raw)
    return out


class OODPolicyJudge(JudgeWrapper):
    """A judge whose out-of-distribution verdicts follow an :class:`OODPolicy` (the rest is
    the wrapped judge's: its probabilities, threshold, digest, ...)."""

    def __init__(self, base: Judge, policy: OODPolicy, confirmer: Judge | None = None) -> None:
        if policy.on_ood != "keep" and base.ood is None:
            raise ValueError(
                f"on_ood: {policy.on_ood} needs a judge with an OOD detector; fit one with "
                "`beavertail moderate ood-fit`"
            )
        if policy.on_ood == "defer" and confirmer is None:
            confirmer = resolve_judge(policy.ood_judge)
        super().__init__(base)
        self.policy = policy
        self.confirmer = confirmer

    def predict(
        self, prompts: Texts, responses: Answers = None, progress: bool = False
    ) -> list[Verdict]:
        verdicts = self.base.predict(prompts, responses, progress)
        answers = list(responses) if responses is not None else [""] * len(prompts)
        return apply_ood_policy(verdicts, prompts, answers, self.policy, self.confirmer)


def with_ood_policy(judge: Judge, policy: OODPolicy | None) -> Judge:
    """``judge`` itself under ``keep`` (or no policy), else wrapped in an
    :class:`OODPolicyJudge`."""
    if policy is None or policy.on_ood == "keep":
        return judge
    return OODPolicyJudge(judge, policy)
