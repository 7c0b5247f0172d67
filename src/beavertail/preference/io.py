"""One loader for every saved score model (frozen head or tuned backbone)."""

from __future__ import annotations

from pathlib import Path

from beavertail.artifacts import read_manifest
from beavertail.preference.model import ScoreModel
from beavertail.preference.spec import MANIFEST_KIND, Scorer
from beavertail.preference.tuning import TunedScoreModel


def load_score_model(folder: str | Path) -> Scorer:
    """A saved reward or cost model, whichever way it was trained."""
    manifest = read_manifest(folder, MANIFEST_KIND, "score model", verify=False)  # load verifies
    if manifest["spec"].get("tuning", "head") == "head":
        return ScoreModel.load(folder)
    return TunedScoreModel.load(folder)
