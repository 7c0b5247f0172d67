"""The default moderator: trained once on the shared data, then loaded from the cache."""

from __future__ import annotations

from pathlib import Path

from beavertail.models.causal import cache_dir
from beavertail.moderation.moderator import Moderator
from beavertail.moderation.train import train_moderator


def default_moderator_dir() -> Path:
    return cache_dir() / "moderators" / "default"


def default_moderator(root: str | Path | None = None, progress: bool = True) -> Moderator:
    """Load the default moderator, training it (about 2 minutes on 2 cores) the first time."""
    from beavertail.data.catalog import data_dir, moderation_split

    folder = default_moderator_dir()
    if (folder / "manifest.json").is_file():
        return Moderator.load(folder)
    return train_moderator(
        moderation_split("train", root),
        moderation_split("validation", root),
        output_dir=folder,
        progress=progress,
        data_description={"data_dir": str(data_dir(root)), "split": "canonical"},
    )
