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

    def to_dict(self) -> dict:
        out = asdict(self)
        out["flagged_categories"] = list(self.flagged_categories)
        for key in ("severity", "raw"):
            if out[key] is None:
                del out[key]
        if not out["unparsed"]:
            del out["unparsed"]
        return out
