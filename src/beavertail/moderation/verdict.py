"""What a moderator says about one (prompt, response) pair."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Verdict:
    """``flagged`` when the calibrated harm ``score`` reaches the moderator's threshold."""

    flagged: bool
    score: float
    categories: dict[str, float] = field(default_factory=dict)
    flagged_categories: tuple[str, ...] = ()
    severity: int | None = None  # 0 when not flagged, 1-3 when flagged; None: no severity head

    def to_dict(self) -> dict:
        out = asdict(self)
        out["flagged_categories"] = list(self.flagged_categories)
        return out
