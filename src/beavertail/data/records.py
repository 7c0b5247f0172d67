"""Typed records shared by every capability."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class QAExample:
    """A (prompt, response) pair judged safe or unsafe, with BeaverTails-14 category labels."""

    prompt: str
    response: str
    categories: tuple[str, ...] = ()
    is_safe: bool = True
    severity: int | None = None
    source: str = ""


@dataclass(frozen=True)
class PreferencePair:
    """Two responses to one prompt, ranked for helpfulness (better) and harmlessness (safer)."""

    prompt: str
    response_0: str
    response_1: str
    better_id: int
    safer_id: int
    is_safe: tuple[bool, bool]
    categories: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    severity: tuple[int | None, int | None] = (None, None)
    source: str = ""
    source_categories: tuple[tuple[str, ...], tuple[str, ...]] = field(default=((), ()))

    def qa_examples(self) -> tuple[QAExample, QAExample]:
        """The two responses as QA examples (BeaverTails-14 labels)."""
        return tuple(  # type: ignore[return-value]
            QAExample(
                prompt=self.prompt,
                response=r,
                categories=self.categories[i],
                is_safe=self.is_safe[i],
                severity=self.severity[i],
                source=f"{self.source}#response_{i}",
            )
            for i, r in enumerate((self.response_0, self.response_1))
        )


@dataclass(frozen=True)
class RankedPair:
    """One prompt with a preferred (``chosen``) and a dispreferred (``rejected``) answer, and
    optionally the inferred persona of a user who prefers each side (persona inference).
    ``conflict``: the helpfulness and harmlessness rankings disagree (PKU-SafeRLHF)."""

    prompt: str
    chosen: str
    rejected: str
    persona_chosen: str | None = None
    persona_rejected: str | None = None
    conflict: bool | None = None
    chosen_is_safe: bool | None = None
    rejected_is_safe: bool | None = None
    source: str = ""


@dataclass(frozen=True)
class EvalPrompt:
    """A prompt for generation-based evaluation; ``harmful`` says which side it stands on."""

    prompt: str
    category: str | None = None
    harmful: bool = True
    source: str = ""
