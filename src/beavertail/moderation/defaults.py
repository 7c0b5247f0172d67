"""The default judge: the one that ships with the package (no training on first use)."""

from __future__ import annotations

from pathlib import Path

from beavertail.moderation.moderator import Moderator
from beavertail.moderation.recipes import resolve_moderator, shipped_judge, shipped_judge_dir


def default_moderator_dir() -> Path:
    return shipped_judge_dir("default")


def default_moderator(root: str | Path | None = None, progress: bool = True) -> Moderator:
    """The shipped default judge (``root`` and ``progress`` are kept for older callers)."""
    del root, progress
    return shipped_judge("default")


__all__ = ["default_moderator", "default_moderator_dir", "resolve_moderator"]
