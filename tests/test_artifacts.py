"""The artifact layer: stamped manifests, one loader by kind, one judge resolver."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from beavertail import __version__
from beavertail.artifacts import artifact_digest, load_artifact, read_manifest
from beavertail.moderation import Moderator, resolve_moderator
from beavertail.moderation.recipes import shipped_judge_dir
from beavertail.steering import SteeringVectors


def _vectors() -> SteeringVectors:
    generator = torch.Generator().manual_seed(0)
    by_layer = {3: torch.randn(8, generator=generator)}
    return SteeringVectors({"all_harm": by_layer}, "m", "resid", "mean_response", "mean-diff")


def test_every_artifact_is_stamped_and_loads_by_its_kind(tmp_path):
    folder = _vectors().save(tmp_path / "vectors")
    manifest = read_manifest(folder)
    assert manifest["beavertail_version"] == __version__
    assert set(manifest["files"]) == {"vectors.safetensors"} and len(manifest["digest"]) == 16
    loaded = load_artifact(folder)
    assert isinstance(loaded, SteeringVectors) and loaded.layers == [3]
    assert "digest" not in loaded.metadata  # stamps are not carried into the next save
    judge = load_artifact(shipped_judge_dir("fast"), kind="beavertail.qa-moderator")
    assert isinstance(judge, Moderator)
    with pytest.raises(ValueError, match=r"kind 'beavertail-steering-vectors', not a "):
        load_artifact(folder, kind="beavertail.qa-moderator")


def test_the_digest_follows_the_content(tmp_path):
    first = _vectors().save(tmp_path / "a")
    assert artifact_digest(first) == artifact_digest(_vectors().save(tmp_path / "b"))
    other = _vectors()
    other.vectors["all_harm"][3] = other.vectors["all_harm"][3] * 2
    assert artifact_digest(other.save(tmp_path / "c")) != artifact_digest(first)
    (first / "vectors.safetensors").write_bytes(b"altered")
    with pytest.raises(ValueError, match="sha256"):
        SteeringVectors.load(first)


def test_the_judge_resolver_takes_names_folders_and_hub_ids(tmp_path, monkeypatch):
    assert resolve_moderator(None).digest() == resolve_moderator("default").digest()
    copy = tmp_path / "judge"
    shutil.copytree(shipped_judge_dir("fast"), copy)
    assert resolve_moderator(str(copy)).digest() == resolve_moderator("fast").digest()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(FileNotFoundError, match="could not fetch it from the Hub"):
        resolve_moderator("hf:no-such-org/no-such-judge")
    with pytest.raises(FileNotFoundError, match="no such judge folder"):
        resolve_moderator(str(tmp_path / "missing"))
    manifest = json.loads((copy / "manifest.json").read_text())
    assert manifest["kind"] == "beavertail.qa-moderator"
