"""The artifact layer: stamped manifests, one loader by kind, one judge resolver."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch

from beavertail import __version__
from beavertail.artifacts import artifact_digest, load_artifact, read_manifest
from beavertail.moderation import Moderator, resolve_judge
from beavertail.moderation.judge import shipped_judge_dir
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
    assert resolve_judge(None).digest() == resolve_judge("default").digest()
    copy = tmp_path / "judge"
    shutil.copytree(shipped_judge_dir("fast"), copy)
    assert resolve_judge(str(copy)).digest() == resolve_judge("fast").digest()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(FileNotFoundError, match="could not fetch it from the Hub"):
        resolve_judge("hf:no-such-org/no-such-judge")
    with pytest.raises(FileNotFoundError, match="no such judge folder"):
        resolve_judge(str(tmp_path / "missing"))
    manifest = json.loads((copy / "manifest.json").read_text())
    assert manifest["kind"] == "beavertail.qa-moderator"


# -- one atomic cache (issue 40, item 8) ------------------------------------------------------
def test_an_append_only_cache_skips_a_torn_line_with_a_warning_and_cuts_it_before_appending(
    tmp_path,
):
    from beavertail.artifacts import append_rows, appended_rows

    cache = tmp_path / "cache.jsonl"
    append_rows(cache, [{"key": "a"}, {"key": "b"}])
    with cache.open("ab") as f:  # a crash mid-write: half a line, no newline
        f.write(b'{"key": "c", "ans')
    with pytest.warns(RuntimeWarning, match="cut off by a crash"):
        assert [r["key"] for r in appended_rows(cache)] == ["a", "b"]
    append_rows(cache, [{"key": "c"}])  # the torn line is cut first, never glued onto
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [r["key"] for r in appended_rows(cache)] == ["a", "b", "c"]
    assert cache.read_bytes().endswith(b"\n") and b"ans" not in cache.read_bytes()
    assert not list(tmp_path.glob("*.partial"))


def test_the_mix_answers_cache_keeps_every_row_after_a_crash(tmp_path, monkeypatch):
    """Generated answers appended after a torn line are all read back (the first one used to
    be glued onto the torn line and lost)."""
    from beavertail.moderation import training_mix

    class Echo:
        def __init__(self, lm: object) -> None:
            pass

        def generate(self, prompts, config):
            return [type("G", (), {"prompt": p, "text": p.upper()})() for p in prompts]

    monkeypatch.setenv("BEAVERTAIL_CACHE", str(tmp_path))
    monkeypatch.setattr(training_mix, "load_lm", lambda model: None)
    monkeypatch.setattr(training_mix, "LocalGenerator", Echo)
    assert training_mix.embedded_answers(["a", "b"], progress=False) == ["A", "B"]
    (cache,) = (tmp_path / "generated").glob("*.jsonl")
    with cache.open("ab") as f:
        f.write(b'{"prompt": "c", "ans')
    with pytest.warns(RuntimeWarning):
        assert training_mix.embedded_answers(["a", "c", "d"], progress=False) == ["A", "C", "D"]
    rows = [json.loads(line) for line in cache.read_text().splitlines()]
    assert [r["prompt"] for r in rows] == ["a", "b", "c", "d"]


def test_a_resumable_state_is_written_as_one_unit(tmp_path):
    """A crash while a new state is written leaves the last complete one, whole."""
    from beavertail.artifacts import load_state, save_state

    assert load_state(tmp_path) is None
    save_state(tmp_path, {"epoch": 1}, lambda unit: (unit / "w.txt").write_text("one"))
    state, unit = load_state(tmp_path)
    assert state["epoch"] == 1 and (unit / "w.txt").read_text() == "one"

    def crash(unit):
        (unit / "w.txt").write_text("two")
        raise KeyboardInterrupt("crash before the optimizer state was written")

    with pytest.raises(KeyboardInterrupt):
        save_state(tmp_path, {"epoch": 2}, crash)
    state, unit = load_state(tmp_path)
    assert state["epoch"] == 1 and (unit / "w.txt").read_text() == "one"
    save_state(tmp_path, {"epoch": 2}, lambda unit: (unit / "w.txt").write_text("two"))
    state, unit = load_state(tmp_path)
    assert state["epoch"] == 2 and (unit / "w.txt").read_text() == "two"
    assert len(list(tmp_path.glob("unit-*"))) == 1  # the previous unit went after the commit


def test_judge_training_logs_its_epochs_through_the_durable_append():
    """``epochs.jsonl`` of judge training goes through the one append helper (fsynced, a
    torn tail cut first); training a judge to see it is left to the judge's own tests."""
    import inspect

    from beavertail import artifacts
    from beavertail.moderation import train

    assert getattr(train, "append_rows", None) is artifacts.append_rows
    source = inspect.getsource(train)
    assert 'log.open("a"' not in source and "append_rows(log, " in source


# -- reuse only what was built from the same inputs (issue 40, item 9) -----------------------
def test_feature_cache_keys_hold_the_encoders_weights(tmp_path):
    """A fine-tuned and a frozen copy of one encoder never read each other's features."""
    from beavertail.models.encoders import SentenceEncoder
    from beavertail.models.features import EncoderFeatures, cached_features

    extractor = EncoderFeatures(SentenceEncoder(max_length=32, num_layers=1))
    prompts, answers = ["How do I bake bread?"], ["Knead it."]
    frozen = cached_features(extractor, prompts, answers, folder=tmp_path)
    assert np.array_equal(cached_features(extractor, prompts, answers, folder=tmp_path), frozen)
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():  # a few training steps' worth of change, in place
        for name, param in extractor.encoder.model.named_parameters():
            if name.endswith("dense.weight"):
                param.add_(0.05 * torch.randn(param.shape, generator=generator))
    tuned = cached_features(extractor, prompts, answers, folder=tmp_path)
    assert not np.allclose(tuned, frozen)
    np.testing.assert_allclose(tuned, extractor(prompts, answers), atol=1e-5)
    assert len(list(tmp_path.glob("*.safetensors"))) == 2


def test_an_output_is_reused_only_when_built_from_the_same_inputs(tmp_path):
    from beavertail.artifacts import inputs_digest, reusable

    folder = tmp_path / "judge"
    inputs = inputs_digest(["row 1", "row 2"], {"epochs": 3})
    assert not reusable(folder, inputs)
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"kind": "x", "inputs": inputs}))
    assert reusable(folder, inputs)
    with pytest.raises(ValueError, match="built from other inputs"):
        reusable(folder, inputs_digest(["row 1"], {"epochs": 3}))
    (folder / "manifest.json").write_text(json.dumps({"kind": "x"}))  # an older, unstamped one
    with pytest.raises(ValueError, match="not recorded"):
        reusable(folder, inputs)


def test_the_persona_evaluation_reuses_a_judge_only_from_the_same_rows(tmp_path, monkeypatch):
    from beavertail.data import RankedPair
    from beavertail.persona import run
    from beavertail.persona.judge import judge_inputs
    from beavertail.preference import PreferenceTrainingConfig

    rows = [RankedPair("q", "a", "b", persona_chosen="p1", persona_rejected="p2")]
    config = PreferenceTrainingConfig()
    monkeypatch.setattr(run, "load_score_model", lambda folder, kind: "loaded")
    folder = tmp_path / "judge-persona"
    folder.mkdir()
    other = judge_inputs([*rows, rows[0]], config, True)
    (folder / "manifest.json").write_text(json.dumps({"inputs": other}))
    with pytest.raises(ValueError, match="other inputs"):
        run._judge(rows, folder, config, True)
    (folder / "manifest.json").write_text(json.dumps({"inputs": judge_inputs(rows, config, True)}))
    assert run._judge(rows, folder, config, True) == "loaded"
    with pytest.raises(ValueError, match="other inputs"):  # the same rows, without personas
        run._judge(rows, folder, config, False)


def test_a_tailored_policy_is_reused_only_from_the_same_rows(tmp_path):
    from beavertail.data import RankedPair
    from beavertail.persona.tailor import train_tailored_policy

    rows = [RankedPair("q", "a", "b", persona_chosen="p1", persona_rejected="p2")]
    (tmp_path / "manifest.json").write_text(json.dumps({"inputs": "0123456789abcdef"}))
    with pytest.raises(ValueError, match="other inputs"):
        train_tailored_policy(rows, tmp_path, progress=False)
