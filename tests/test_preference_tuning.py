"""Reward and cost models with a tuned backbone (LoRA / full) through TRL's RewardTrainer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import PICKLE_SUFFIXES, CrashAt
from typer.testing import CliRunner

from beavertail.cli import app
from beavertail.data.catalog import pku_pairs
from beavertail.preference import (
    PreferenceTrainingConfig,
    ScoreModelSpec,
    TunedScoreModel,
    evaluate_score_model,
    load_score_model,
    train_score_model,
)
from beavertail.preference.tuning import TRAINER_FOLDER, train_tuned_score_model

runner = CliRunner()


@pytest.fixture(scope="module")
def pairs(data_dir: Path):
    return list(pku_pairs("train", data_dir))[:96], list(pku_pairs("test", data_dir))[:48]


def _config(
    tuning: str, kind: str = "cost", max_length: int = 96, **overrides
) -> PreferenceTrainingConfig:
    settings = {"tune_batch_size": 8, "tune_epochs": 1, "tune_checkpoint_steps": 2, **overrides}
    spec = ScoreModelSpec(kind=kind, tuning=tuning, max_length=max_length)  # type: ignore[arg-type]
    return PreferenceTrainingConfig(spec=spec, **settings)


def test_spec_refuses_a_backbone_that_does_not_go_with_the_tuning():
    with pytest.raises(ValueError, match="does not go with tuning"):
        ScoreModelSpec(backbone="lm-probe", tuning="lora")
    with pytest.raises(ValueError, match="does not go with tuning"):
        ScoreModelSpec(backbone="lm", tuning="head")
    with pytest.raises(ValueError, match="tuning must be"):
        ScoreModelSpec(tuning="qlora")  # type: ignore[arg-type]


@pytest.mark.slow
def test_lora_cost_model_learns_its_pairs_and_saves_without_pickles(pairs, tmp_path):
    config = _config("lora", tune_epochs=3, tune_learning_rate=1e-3)
    model = train_score_model(pairs[0], config, tmp_path / "cost", progress=False)
    assert isinstance(model, TunedScoreModel)
    train = model.metadata["metrics"]["train"]
    # three epochs on 96 pairs: the adapter fits the ranking and the sign of its training data
    assert train["safer_accuracy"] > 0.7 and train["sign_accuracy"] > 0.7, train
    files = {p.relative_to(tmp_path / "cost").as_posix() for p in (tmp_path / "cost").rglob("*")}
    assert {"manifest.json", "adapter/adapter_model.safetensors"} <= files
    assert not any(Path(f).suffix in PICKLE_SUFFIXES for f in files)
    assert TRAINER_FOLDER not in files  # checkpoints are removed once the model is saved
    manifest = json.loads((tmp_path / "cost" / "manifest.json").read_text())
    assert manifest["spec"]["tuning"] == "lora"
    assert manifest["training"]["trainer"] == "trl.RewardTrainer + cost loss"
    loaded = load_score_model(tmp_path / "cost")
    prompts = [p.prompt for p in pairs[1][:10]]
    responses = [p.response_1 for p in pairs[1][:10]]
    assert np.allclose(loaded.scores(prompts, responses), model.scores(prompts, responses),
                       atol=1e-5)  # fmt: skip
    held_out = evaluate_score_model(loaded, pairs[1], progress=False)
    # the sign accuracy, recomputed here from the model's scores and the labels
    texts = [
        (p.prompt, r, safe)
        for p in pairs[1]
        for r, safe in ((p.response_0, p.is_safe[0]), (p.response_1, p.is_safe[1]))
    ]
    scores = loaded.scores([t[0] for t in texts], [t[1] for t in texts])
    right = np.mean([(s > 0) == (not safe) for s, (_, _, safe) in zip(scores, texts, strict=True)])
    assert held_out["pairs"] == 48
    assert held_out["sign_accuracy"] == pytest.approx(float(right), abs=1e-6)


@pytest.mark.parametrize("tuning", ["lora", "full"])
def test_interrupted_tuning_resumes_to_the_same_weights(pairs, tmp_path, tuning):
    # 32 pairs, 8 per step, 2 epochs: 8 steps, checkpoints every 2, killed after step 7 (mid-epoch)
    config = _config(tuning, kind="reward", max_length=64, tune_epochs=2)
    subset = pairs[0][:32]
    whole = train_tuned_score_model(subset, config, tmp_path / "whole", progress=False)
    crash = CrashAt(7, tmp_path / "resumed" / TRAINER_FOLDER)
    with pytest.raises(KeyboardInterrupt):
        train_tuned_score_model(subset, config, tmp_path / "resumed", False, [crash])
    assert "optimizer.safetensors" in crash.files and "rng_state.safetensors" in crash.files
    assert not [f for f in crash.files if Path(f).suffix in PICKLE_SUFFIXES], crash.files
    resumed = train_tuned_score_model(subset, config, tmp_path / "resumed", progress=False)
    assert resumed.metadata["training"]["steps"] == 8
    prompts = [p.prompt for p in pairs[1][:8]]
    responses = [p.response_0 for p in pairs[1][:8]]
    assert np.allclose(whole.scores(prompts, responses), resumed.scores(prompts, responses),
                       atol=1e-6)  # fmt: skip


def test_smollm2_lora_reward_model_scores_at_the_last_token(pairs, tmp_path):
    spec = ScoreModelSpec(kind="reward", backbone="lm", tuning="lora", max_length=48)
    config = PreferenceTrainingConfig(spec=spec, tune_batch_size=4, tune_checkpoint_steps=100)
    model = train_score_model(pairs[0][:8], config, tmp_path / "lm", progress=False)
    prompts = [p.prompt for p in pairs[1][:4]]
    responses = ["Sure.", *[p.response_0 for p in pairs[1][1:4]]]
    batched = model.scores(prompts, responses)
    pairs_in = zip(prompts, responses, strict=True)
    one_by_one = np.array([model.scores([p], [r])[0] for p, r in pairs_in])
    # right padding must not move the scored position: a short answer batched with long ones
    assert np.allclose(batched, one_by_one, atol=1e-4)
    reloaded = load_score_model(tmp_path / "lm")
    assert np.allclose(reloaded.scores(prompts, responses), batched, atol=1e-4)


def test_prefs_cli_trains_a_lora_model_and_scores_with_it(data_dir, tmp_path):
    source = data_dir / "pku-saferlhf" / "train_subset3695.jsonl"
    small = tmp_path / "pairs.jsonl"
    small.write_text("".join(source.read_text().splitlines(keepends=True)[:24]))
    out = tmp_path / "model"
    result = runner.invoke(
        app,
        ["prefs", "train", "cost", "--out", str(out), "--pairs", str(small),
         "--tuning", "lora", "--tune-epochs", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (out / "adapter" / "adapter_model.safetensors").is_file()
    scored = runner.invoke(
        app,
        ["prefs", "score", str(out), "--prompt", "How do I pick a lock?",
         "--response", "Use a tension wrench and a pick.", "--response", "I can't help."],
    )  # fmt: skip
    assert scored.exit_code == 0, scored.output
    assert scored.output.count("cost ") == 2
    bad = runner.invoke(app, ["prefs", "train", "cost", "--out", str(tmp_path / "x"),
                              "--tuning", "lora", "--backbone", "lm-probe"])  # fmt: skip
    assert bad.exit_code == 2 and "does not go with tuning" in bad.output


def test_trainer_internals_the_tuned_trainer_overrides_still_exist():
    """Contract with transformers 5.x: the private Trainer methods overridden to keep
    checkpoints pickle-free and resumable must exist with the arguments we pass."""
    import inspect

    from transformers import Trainer

    expected = {
        "_get_train_sampler": ["self", "train_dataset"],
        "_set_signature_columns_if_needed": ["self"],
        "_save": ["self", "output_dir", "state_dict"],
        "_save_optimizer_and_scheduler": ["self", "output_dir"],
        "_load_optimizer_and_scheduler": ["self", "checkpoint"],
        "_save_rng_state": ["self", "output_dir"],
        "_load_rng_state": ["self", "checkpoint"],
        "compute_loss": ["self", "model", "inputs", "return_outputs", "num_items_in_batch"],
    }
    for name, params in expected.items():
        method = getattr(Trainer, name, None)
        assert method is not None, f"Trainer.{name} is gone"
        assert list(inspect.signature(method).parameters)[: len(params)] == params, name
