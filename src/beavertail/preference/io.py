"""One loader for every saved score model (frozen head or tuned backbone)."""

from __future__ import annotations

from pathlib import Path

from beavertail.artifacts import read_manifest
from beavertail.preference.model import ScoreModel
from beavertail.preference.spec import MANIFEST_KIND, Kind, Scorer
from beavertail.preference.tuning import TunedScoreModel


def load_score_model(folder: str | Path, expect: Kind | None = None) -> Scorer:
    """A saved reward or cost model, whichever way it was trained; with ``expect``, refuse
    a model of the other kind (a reward model passed as the cost model, or the reverse)."""
    manifest = read_manifest(folder, MANIFEST_KIND, "score model", verify=False)  # load verifies
    kind = manifest["spec"].get("kind", "reward")
    if expect is not None and kind != expect:
        raise ValueError(
            f"{folder} is a {kind} model, but it was given as the {expect} model "
            "(swapped reward_model and cost_model?)"
        )
    if manifest["spec"].get("tuning", "head") == "head":
        return ScoreModel.load(folder)
    return TunedScoreModel.load(folder)
