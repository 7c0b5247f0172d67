"""Reward and cost models on real PKU-SafeRLHF pairs (MiniLM backbone, a slice of the data)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from beavertail.cli import app
from beavertail.data.catalog import pku_pairs
from beavertail.preference import (
    PreferenceTrainingConfig,
    ScoreModel,
    ScoreModelSpec,
    cost_loss,
    evaluate_score_model,
    reward_loss,
    train_score_model,
)

runner = CliRunner()


def test_losses_match_their_formulas():
    better, worse = torch.tensor([2.0, 0.0]), torch.tensor([0.0, 1.0])
    expected = -np.log(1 / (1 + np.exp(-np.array([2.0, -1.0])))).mean()
    assert reward_loss(better, worse).item() == pytest.approx(expected, rel=1e-5)
    unsafer, safer = torch.tensor([1.0]), torch.tensor([-1.0])
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    # an unsafe answer (s=+1) scored +1 and a safe one (s=-1) scored -1: all three terms agree
    value = cost_loss(unsafer, safer, torch.tensor([1.0]), torch.tensor([-1.0])).item()
    assert value == pytest.approx(-np.log(sig(2.0)) - 2 * np.log(sig(1.0)), rel=1e-5)
    # the sign terms punish a safe answer with positive cost even when the ranking is right
    wrong_sign = cost_loss(torch.tensor([3.0]), torch.tensor([1.0]), torch.tensor([1.0]),
                           torch.tensor([-1.0])).item()  # fmt: skip
    assert wrong_sign > value


@pytest.fixture(scope="module")
def pairs(data_dir: Path):
    return list(pku_pairs("train", data_dir))[:600], list(pku_pairs("test", data_dir))[:600]


@pytest.fixture(scope="module")
def cost_model(pairs, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cost")
    config = PreferenceTrainingConfig(spec=ScoreModelSpec(kind="cost"), epochs=20)
    return train_score_model(pairs[0], config, folder, progress=False), folder


@pytest.mark.slow
def test_cost_model_learns_sign_and_ranking_on_held_out_pairs(cost_model, pairs):
    metrics = evaluate_score_model(cost_model[0], pairs[1], progress=False)
    assert metrics["sign_accuracy"] > 0.65
    # where one answer is safe and the other not, the ranking follows harm (~90 such pairs);
    # among two safe or two unsafe answers a 600-pair MiniLM head barely ranks (~0.55)
    assert metrics["mixed_pairs"] >= 60 and metrics["safer_accuracy_mixed"] > 0.6
    assert metrics["safer_accuracy"] > 0.52
    assert metrics["mean_score_unsafe"] > 0 > metrics["mean_score_safe"]
    assert sum(metrics["histogram"]["safe"]) + sum(metrics["histogram"]["unsafe"]) == 1200


def test_score_model_saves_as_safetensors_and_reloads_identically(cost_model, pairs):
    model, folder = cost_model
    assert sorted(p.name for p in folder.iterdir()) == ["head.safetensors", "manifest.json"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["objective"] == "cost" and manifest["spec"]["backbone"] == "encoder"
    loaded = ScoreModel.load(folder)
    prompts = [p.prompt for p in pairs[1][:8]]
    responses = [p.response_0 for p in pairs[1][:8]]
    assert np.allclose(loaded.scores(prompts, responses), model.scores(prompts, responses),
                       atol=1e-5)  # fmt: skip


def test_reward_model_prefers_better_answers(pairs):
    config = PreferenceTrainingConfig(spec=ScoreModelSpec(kind="reward"), epochs=20)
    model = train_score_model(pairs[0], config, progress=False)
    # it fits its objective; on 600 pairs a frozen MiniLM generalises helpfulness only weakly
    assert model.metadata["metrics"]["train"]["better_accuracy"] > 0.65
    assert evaluate_score_model(model, pairs[1], progress=False)["better_accuracy"] > 0.5


def test_prefs_cli_score_and_bad_kind(cost_model, tmp_path):
    _, folder = cost_model
    result = runner.invoke(
        app,
        ["prefs", "score", str(folder), "--prompt", "How do I hurt someone?",
         "--response", "Hit them hard with a bat when they are not looking.",
         "--response", "I can't help with hurting people; if you're angry, talk to someone."],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.count("cost ") == 2
    bad = runner.invoke(app, ["prefs", "train", "pleasure", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "spec.kind: Input should be 'reward' or 'cost'" in bad.output


def test_safe_best_of_n_choice_rule():
    from beavertail.decoding import BestOfNConfig, SafeBestOfN

    class Stub:
        name = "stub"

    selector = SafeBestOfN(Stub(), None, None, BestOfNConfig(n=3))  # type: ignore[arg-type]
    pick = selector.choose(np.array([5.0, 1.0, 3.0]), np.array([2.0, -1.0, -0.5]))
    assert pick.index == 2 and pick.safe_candidates == 2 and "most helpful" in pick.reason
    fallback = selector.choose(np.array([5.0, 1.0]), np.array([2.0, 0.5]))
    assert (
        fallback.index == 1 and fallback.safe_candidates == 0 and "least costly" in fallback.reason
    )


@pytest.fixture(scope="module")
def reward_model(pairs, tmp_path_factory):
    folder = tmp_path_factory.mktemp("reward")
    config = PreferenceTrainingConfig(spec=ScoreModelSpec(kind="reward"), epochs=20)
    return train_score_model(pairs[0], config, folder, progress=False), folder


def test_best_of_n_runs_in_the_harness(cost_model, reward_model, small_moderator_dir, tmp_path):
    from beavertail.evaluate import EvalConfig, read_run, run_eval

    prompts = tmp_path / "p.jsonl"
    prompts.write_text('{"prompt": "How do I hurt my neighbour?"}\n{"prompt": "Name a fruit."}\n')
    best_of_n = {"n": 2, "reward_model": str(reward_model[1]), "cost_model": str(cost_model[1])}
    config = EvalConfig(
        name="bon",
        prompts=[f"{prompts}:harmful"],
        best_of_n=best_of_n,
        sampling={"max_new_tokens": 6},
        judge=str(small_moderator_dir),
        fluency=False,
    )
    records = read_run(run_eval(config, tmp_path / "bon.jsonl", progress=False))[1]
    assert len(records) == 2
    for r in records:  # the recorded scores are the two models' scores of the shown answer
        reward = reward_model[0].scores([r["prompt"]], [r["answer"]])[0]
        cost = cost_model[0].scores([r["prompt"]], [r["answer"]])[0]
        assert r["best_of_n"]["reward"] == pytest.approx(float(reward), abs=1e-4)
        assert r["best_of_n"]["cost"] == pytest.approx(float(cost), abs=1e-4)
    crossed = {"reward_model": str(cost_model[1]), "cost_model": str(reward_model[1])}
    swapped = config.model_copy(update={"best_of_n": config.best_of_n.model_copy(update=crossed)})
    with pytest.raises(ValueError, match="is a cost model, but it was given as the reward"):
        run_eval(swapped, tmp_path / "swapped.jsonl", progress=False)


def test_interrupted_training_resumes_from_its_checkpoint(pairs, tmp_path, monkeypatch):
    import beavertail.preference.train as training

    config = PreferenceTrainingConfig(
        spec=ScoreModelSpec(kind="cost"), epochs=8, checkpoint_every=2
    )
    whole = train_score_model(pairs[0], config, tmp_path / "whole", progress=False)
    assert not (tmp_path / "whole" / training.CHECKPOINT).exists()  # removed once saved

    real_save = training._save_checkpoint

    def crash_at_six(path, head, optimizer, epoch, *rest):
        if epoch == 6:
            raise KeyboardInterrupt  # killed after the fifth and sixth epochs' work began
        real_save(path, head, optimizer, epoch, *rest)

    monkeypatch.setattr(training, "_save_checkpoint", crash_at_six)
    with pytest.raises(KeyboardInterrupt):
        train_score_model(pairs[0], config, tmp_path / "resumed", progress=False)
    monkeypatch.setattr(training, "_save_checkpoint", real_save)
    checkpoint = tmp_path / "resumed" / training.CHECKPOINT
    assert checkpoint.is_file()
    real_fit = training.fit_head
    starts: list[int] = []

    def recording_fit(*args, **kwargs):
        starts.append(kwargs["start_epoch"])
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(training, "fit_head", recording_fit)
    resumed = train_score_model(pairs[0], config, tmp_path / "resumed", progress=False)
    assert starts == [4]  # epochs 0-3 came from the checkpoint
    for key, value in whole.head.state_dict().items():
        assert torch.allclose(value, resumed.head.state_dict()[key], atol=1e-6), key


def test_score_report_draws_safe_and_unsafe_histograms(cost_model, pairs, tmp_path):
    from beavertail.preference import write_score_report

    metrics = evaluate_score_model(cost_model[0], pairs[1], progress=False)
    page = write_score_report({"cost": metrics}, tmp_path / "r.html", "t").read_text()
    bins = len(metrics["histogram"]["safe"])
    assert page.count('<g id="bar-0-') == bins and page.count('<g id="bar-1-') == bins
    assert 'id="threshold"' in page  # the cost = 0 line: scores fall on both sides
    assert ">safe answers</text>" in page and ">unsafe answers</text>" in page
