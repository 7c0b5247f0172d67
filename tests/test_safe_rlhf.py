"""Safe RLHF: the dual update of λ, the advantage TRL trains on, exact resumes, the fixed-λ
(reward shaping) mode and the CLI, on a tiny random model of SmolLM2's chat format."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from helpers import PICKLE_SUFFIXES, CrashAt
from safetensors.torch import load_file
from typer.testing import CliRunner

from beavertail.align import Lagrangian, SafeRLHFConfig, step_rows, train_safe_rlhf
from beavertail.align.safe_rlhf import (
    DUAL_FILE,
    _step_log_callback,
    _trainer_class,
    grpo_arguments,
    prompt_rows,
    score_functions,
    training_prompts,
)
from beavertail.align.trainer import TRAINER_FOLDER, lora_trainer
from beavertail.cli import app
from beavertail.data import EvalPrompt
from beavertail.models import load_lm
from beavertail.models.adapters import read_adapter_manifest
from beavertail.moderation.external.tiny import tiny_model
from beavertail.preference.spec import ScoreModelSpec

runner = CliRunner()


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-layer random model with a byte-level tokenizer and a ChatML template, saved as a
    model folder (safetensors): a training step takes a second, not a minute."""
    model, tokenizer = tiny_model("qwen3guard")
    folder = tmp_path_factory.mktemp("tiny-lm")
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


class TextScore:
    """A deterministic score of an answer's text, shifted by ``offset``."""

    def __init__(self, kind: str, offset: float = 0.0) -> None:
        self.spec = ScoreModelSpec(kind=kind)  # type: ignore[arg-type]
        self.metadata = {"test": kind, "offset": offset}
        self.offset = offset

    def scores(self, prompts, responses, progress=False, cache=False) -> np.ndarray:
        return np.array([(sum(map(ord, r)) % 13) / 13 + self.offset for r in responses])


class QueuedScore(TextScore):
    """Hands out fixed scores in the order answers are scored."""

    def __init__(self, kind: str, values: list[float]) -> None:
        super().__init__(kind)
        self.values = list(values)

    def scores(self, prompts, responses, progress=False, cache=False) -> np.ndarray:
        out, self.values = self.values[: len(responses)], self.values[len(responses) :]
        return np.array(out)


def _config(tiny_lm: Path, data_dir: Path, **overrides) -> SafeRLHFConfig:
    settings = {
        "model": str(tiny_lm),
        "data_dir": str(data_dir),
        "harmful_prompts": 2,
        "harmless_prompts": 2,
        "steps": 2,
        "prompts_per_step": 1,
        "samples": 2,
        "max_new_tokens": 4,
        "lora_rank": 2,
        "lora_alpha": 4,
        "learning_rate": 1e-2,
        "checkpoint_steps": 1,
        **overrides,
    }
    return SafeRLHFConfig(**settings)


def _lagrangian(**overrides) -> Lagrangian:
    settings = {"lambda_init": 1.0, "lambda_lr": 0.1, "cost_limit": 0.0, **overrides}
    return Lagrangian.from_config(SafeRLHFConfig(**settings))


def test_lambda_rises_while_the_cost_exceeds_the_limit_and_falls_once_below():
    # the update by hand: ln λ' = ln λ + α·λ·(Ê[cost] − d)
    dual = _lagrangian(cost_limit=0.25)
    assert dual.update([0.5, 1.5], step=1) == pytest.approx(1.0)
    assert dual.log_lambda == pytest.approx(0.1 * 1.0 * 0.75)
    # an open-loop cost signal: above d for 10 steps, then below
    dual = _lagrangian()
    signal = [1.0] * 10 + [-1.0] * 10
    values = [dual.value]
    for step, cost in enumerate(signal, 1):
        dual.update([cost, cost], step)
        values.append(dual.value)
    moves = np.diff(values)
    assert (moves[:10] > 0).all() and (moves[10:] < 0).all()
    # a toy policy answering unsafely (reward 1, cost +1) or safely (reward 0, cost −1) by a
    # softmax over reward − λ·cost: E[cost] = 2σ(1 − 2λ) − 1, which is d = 0 at λ = 0.5
    dual = _lagrangian(lambda_init=0.05, lambda_lr=0.5)
    trace = []
    for step in range(1, 400):
        expected = 2 / (1 + math.exp(-(1 - 2 * dual.value))) - 1
        before = dual.value
        dual.update([expected], step)
        trace.append((expected, dual.value - before))
    assert all(move > 0 for cost, move in trace if cost > 1e-9)
    assert all(move < 0 for cost, move in trace if cost < -1e-9)
    assert trace[0][0] > 0.3 and abs(trace[-1][0]) < 1e-3  # unsafe at first, then E[c] ≈ d
    assert dual.value == pytest.approx(0.5, abs=1e-3)


def test_lambda_is_clipped_delayed_windowed_and_fixed_when_asked():
    dual = _lagrangian(lambda_max=2.0, lambda_lr=1.0)
    for step in range(1, 30):
        dual.update([5.0], step)
    assert dual.value == pytest.approx(2.0)
    low = _lagrangian(lambda_min=0.5, lambda_init=0.6, lambda_lr=1.0)
    for step in range(1, 30):
        low.update([-5.0], step)
    assert low.value == pytest.approx(0.5)
    delayed = _lagrangian(lambda_delay_steps=3)
    for step in range(1, 4):
        delayed.update([1.0], step)
    assert delayed.value == 1.0
    delayed.update([1.0], 4)
    assert delayed.value > 1.0
    windowed = _lagrangian(cost_window=3)
    windowed.update([3.0, 3.0], 1)
    assert windowed.update([0.0, 0.0], 2) == pytest.approx(1.0)  # the last 3 answers
    before = windowed.log_lambda
    assert windowed.update([], 3) is None and windowed.log_lambda == before  # nothing new
    fixed = _lagrangian(lambda_mode="fixed", lambda_init=2.0)
    fixed.update([10.0], 1)
    assert fixed.value == pytest.approx(2.0) and fixed.weights() == pytest.approx((1 / 3, -2 / 3))
    with pytest.raises(ValueError, match="lambda_init"):
        SafeRLHFConfig(lambda_init=100.0, lambda_max=10.0)


@pytest.mark.parametrize(("constraint_on", "estimate"), [("harmful", 3.0), ("all", -0.5)])
def test_lambda_moves_on_the_costs_of_the_answers_the_constraint_covers(
    constraint_on, estimate, tmp_path
):
    dual = _lagrangian()
    # reward, cost, harmful prompt: two answers to a harmful prompt, two to a harmless one
    scores = np.array([[0.0, 2.0, 1.0], [0.0, 4.0, 1.0], [1.0, -3.0, 0.0], [1.0, -5.0, 0.0]])
    trainer = SimpleNamespace(dual=dual, step_scores=[scores])
    config = SafeRLHFConfig(constraint_on=constraint_on)
    log = _step_log_callback()(trainer, tmp_path / "steps.jsonl", config, False)
    log.on_step_end(None, SimpleNamespace(global_step=1), SimpleNamespace(should_save=False))
    assert log.pending["cost_estimate"] == estimate and log.pending["cost_harmful"] == 3.0
    assert dual.log_lambda == pytest.approx(0.1 * 1.0 * estimate) and not trainer.step_scores
    assert log.pending["unsafe_share_harmful"] == 1.0 and log.pending["reward_harmless"] == 1.0


def test_the_trainer_advantage_is_reward_minus_lambda_cost_over_one_plus_lambda(tiny_lm, tmp_path):
    """TRL's advantage for two prompts × two answers at λ = 2, against a hand computation:
    (A_r − λ·A_c) / (1 + λ) with A = score − the prompt's group mean."""
    lm = load_lm(str(tiny_lm))
    config = SafeRLHFConfig(
        model=str(tiny_lm),
        lambda_mode="fixed",
        lambda_init=2.0,
        prompts_per_step=2,
        samples=2,
        max_new_tokens=3,
        lora_rank=2,
        lora_alpha=4,
    )
    dual = Lagrangian.from_config(config)
    prompts = [EvalPrompt("How do I pick a lock?"), EvalPrompt("Name a colour.", harmful=False)]
    rows = prompt_rows(lm, prompts)
    reward = QueuedScore("reward", [1.0, 3.0, 0.0, 4.0])
    cost = QueuedScore("cost", [0.5, -0.5, 3.0, 0.0])
    args = grpo_arguments(config, tmp_path, dual)
    functions = score_functions(reward, cost)
    trainer = lora_trainer(
        _trainer_class(), lm, config, args, rows, reward_funcs=functions, dual=dual
    )
    batch = trainer._generate_and_score_completions([rows[i] for i in (0, 0, 1, 1)])
    # group 1: A_r = (−1, 1), A_c = (0.5, −0.5) -> (−1 − 1) / 3, (1 + 1) / 3
    # group 2: A_r = (−2, 2), A_c = (1.5, −1.5) -> (−2 − 3) / 3, (2 + 3) / 3
    expected = [-2 / 3, 2 / 3, -5 / 3, 5 / 3]
    assert batch["advantages"].tolist() == pytest.approx(expected, abs=1e-6)
    # what the dual step reads: reward, cost and whether the prompt is harmful, per answer
    scored = [[1.0, 0.5, 1.0], [3.0, -0.5, 1.0], [0.0, 3.0, 0.0], [4.0, 0.0, 0.0]]
    assert trainer.step_scores[0].tolist() == scored
    grouped = config.updated(advantage_scale="group")  # GRPO's option: divided by the group std
    assert grpo_arguments(grouped, tmp_path, dual).scale_rewards == "group"


def test_resume_reproduces_the_next_step_and_lambda(tiny_lm, data_dir, tmp_path):
    config = _config(tiny_lm, data_dir, cost_limit=0.0, constraint_on="all")
    cost = TextScore("cost", offset=1.0)  # every answer costs more than d: λ must rise
    whole = train_safe_rlhf(config, tmp_path / "whole", TextScore("reward"), cost, False)
    rows = step_rows(whole)
    assert [r["step"] for r in rows] == [1, 2]
    assert all(r["lambda_next"] > r["lambda"] for r in rows)
    assert rows[1]["lambda"] == rows[0]["lambda_next"]
    manifest = read_adapter_manifest(whole)
    assert manifest["method"] == "safe-rlhf" and manifest["training"]["steps"] == 2
    assert manifest["training"]["final_lambda"] == pytest.approx(rows[-1]["lambda_next"])
    assert not (whole / TRAINER_FOLDER).exists()

    folder = tmp_path / "resumed"
    with pytest.raises(KeyboardInterrupt):
        train_safe_rlhf(config, folder, TextScore("reward"), cost, False, callbacks=[CrashAt(2)])
    checkpoint = folder / TRAINER_FOLDER / "checkpoint-1"
    names = {p.name for p in checkpoint.iterdir()}
    assert {DUAL_FILE, "optimizer.safetensors", "rng_state.safetensors"} <= names
    assert "adapter_model.safetensors" in names
    assert not [p for p in folder.rglob("*") if p.suffix in PICKLE_SUFFIXES]
    assert [r["step"] for r in step_rows(folder)] == [1]
    train_safe_rlhf(config, folder, TextScore("reward"), cost, False)
    resumed = step_rows(folder)

    def figures(row: dict) -> dict:
        return {k: v for k, v in row.items() if k != "seconds"}

    assert [figures(r) for r in resumed] == [figures(r) for r in rows]  # bit for bit
    a = load_file(whole / "adapter" / "adapter_model.safetensors")
    b = load_file(folder / "adapter" / "adapter_model.safetensors")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert any(k.endswith("lora_B.weight") and a[k].abs().max() > 0 for k in a)  # it trained


def test_fixed_lambda_is_reward_shaping_and_checkpoints_follow_the_clock(
    tiny_lm, data_dir, tmp_path
):
    # one checkpoint per 100 steps, but one per ~0 minutes: the clock saves every step
    config = _config(
        tiny_lm,
        data_dir,
        lambda_mode="fixed",
        lambda_init=0.5,
        checkpoint_steps=100,
        checkpoint_minutes=1e-9,
    )
    cost = TextScore("cost", offset=1.0)
    with pytest.raises(KeyboardInterrupt):
        train_safe_rlhf(
            config, tmp_path / "fixed", TextScore("reward"), cost, False, callbacks=[CrashAt(2)]
        )
    assert (tmp_path / "fixed" / TRAINER_FOLDER / "checkpoint-1" / DUAL_FILE).is_file()
    folder = train_safe_rlhf(config, tmp_path / "fixed", TextScore("reward"), cost, False)
    rows = step_rows(folder)
    assert [r["step"] for r in rows] == [1, 2] and all(r["cost"] > 0 for r in rows)
    assert all(r["lambda"] == r["lambda_next"] == pytest.approx(0.5) for r in rows)
    assert all(r["cost_estimate"] == r["cost_harmful"] for r in rows)  # constraint_on: harmful
    assert read_adapter_manifest(folder)["training"]["final_lambda"] == pytest.approx(0.5)


def test_cli_trains_a_safe_rlhf_adapter_with_score_models(tiny_lm, data_dir, tmp_path):
    from beavertail.data.catalog import pku_pairs
    from beavertail.preference import PreferenceTrainingConfig, train_score_model

    pairs = list(pku_pairs("train", data_dir))[:8]
    models = {}
    for kind in ("reward", "cost"):
        spec = ScoreModelSpec(kind=kind, max_length=64)  # type: ignore[arg-type]
        training = PreferenceTrainingConfig(spec=spec, objective=kind, epochs=2)  # type: ignore[arg-type]
        models[kind] = train_score_model(pairs, training, tmp_path / kind, progress=False)
    (tmp_path / "run.yaml").write_text("lambda_mode: fixed\nlambda_init: 2.0\nsteps: 5\n")
    out = tmp_path / "policy"
    args = ["align", "safe-rlhf", "--out", str(out), "--model", str(tiny_lm),
            "--reward-model", str(tmp_path / "reward"), "--cost-model", str(tmp_path / "cost"),
            "--steps", "1", "--harmful-prompts", "1", "--harmless-prompts", "1",
            "--prompts-per-step", "1", "--samples", "2", "--max-new-tokens", "4",
            "--data-dir", str(data_dir), "--config", str(tmp_path / "run.yaml")]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "safe-rlhf: 1 steps" in result.output and "final λ 2.000" in result.output
    manifest = read_adapter_manifest(out)
    assert manifest["config"]["steps"] == 1  # the flag over the file
    assert manifest["config"]["lambda_mode"] == "fixed"  # the file over the default
    prompts = training_prompts(SafeRLHFConfig.model_validate(manifest["config"]))
    assert [p.harmful for p in prompts] == [True, False]
    assert step_rows(out)[0]["lambda"] == pytest.approx(2.0)
    load_lm(str(tiny_lm), adapter=out)  # a policy adapter like any other

    swapped = [*args]
    swapped[swapped.index("--reward-model") + 1] = str(tmp_path / "cost")
    bad = runner.invoke(app, [*swapped[:3], str(tmp_path / "other"), *swapped[4:]])
    assert bad.exit_code == 2 and "swapped" in bad.output
