"""What a moderator says about one (prompt, response) pair."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Verdict:
    """``flagged`` when the calibrated harm ``score`` reaches the moderator's threshold."""

    flagged: bool
    score: float | None  # None: the judge's output could not be parsed (``unparsed``)
    categories: dict[str, float] = field(default_factory=dict)
    flagged_categories: tuple[str, ...] = ()
    severity: int | None = None  # 0 when not flagged, 1-3 when flagged; None: no severity head
    unparsed: bool = False  # an external judge wrote something its format cannot read
    raw: dict[str, Any] | None = None  # an external judge's own labels (codes, refusal, ...)
    ood_score: float | None = None  # how unlike the judge's training data (None: no detector)
    in_distribution: bool | None = None  # ood_score within the detector's threshold
    uncertain: bool = False  # out of distribution and not trusted (``on_ood: flag_uncertain``)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["flagged_categories"] = list(self.flagged_categories)
        for key in ("severity", "raw", "ood_score", "in_distribution"):
            if out[key] is None:
                del out[key]
        for key in ("unparsed", "uncertain"):
            if not out[key]:
                del out[key]
        return out
