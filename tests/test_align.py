"""Preference optimisation: pair ranking, MODPO's margin algebra, SIPO's selection rule, and
DPO/MODPO training of a LoRA adapter on SmolLM2 (saved, resumable, evaluated)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import PICKLE_SUFFIXES, CrashAt
from typer.testing import CliRunner

from beavertail.align import AlignConfig, modpo_scales, policy_pairs, train_policy
from beavertail.align.sipo import Candidate, choose, select_pareto
from beavertail.align.trainer import TRAINER_FOLDER, _trainer_class, dpo_rows
from beavertail.cli import app
from beavertail.data import PreferencePair
from beavertail.data.catalog import pku_pairs
from beavertail.models import load_lm
from beavertail.models.adapters import read_adapter_manifest

runner = CliRunner()


def _pair(better: int, safer: int, safe: tuple[bool, bool], prompt: str = "q") -> PreferencePair:
    return PreferencePair(prompt, "answer zero", "answer one", better, safer, safe)


def test_pairs_are_ranked_filtered_and_shuffled_by_seed():
    pairs = [
        _pair(0, 0, (True, False), "a"),  # agree, safe vs unsafe
        _pair(0, 1, (False, True), "b"),  # conflict, safe vs unsafe
        _pair(1, 1, (False, False), "c"),  # agree, both unsafe
    ]
    safer = {p.prompt: row for p, row in policy_pairs(pairs, "safer")}
    assert safer["b"].chosen == "answer one" and safer["b"].rejected == "answer zero"
    better = {p.prompt: row for p, row in policy_pairs(pairs, "better")}
    assert better["b"].chosen == "answer zero"
    assert sorted(p.prompt for p, _ in policy_pairs(pairs, "agree")) == ["a", "c"]
    filtered = policy_pairs(pairs, "safer", "safe-vs-unsafe")
    assert sorted(p.prompt for p, _ in filtered) == ["a", "b"]
    assert len(policy_pairs(pairs, "safer", limit=2)) == 2
    orders = {tuple(p.prompt for p, _ in policy_pairs(pairs, "safer", seed=s)) for s in range(6)}
    assert len(orders) > 1  # the seed changes the order
    assert policy_pairs(pairs, "safer", seed=3) == policy_pairs(pairs[::-1], "safer", seed=3)


@pytest.mark.parametrize("weight", [0.25, 0.5, 0.75, 1.0])
def test_modpo_as_dpo_with_a_shifted_reference_equals_the_modpo_loss(weight):
    config = AlignConfig(method="modpo", weight=weight, reward_model="r", cost_model="c")
    beta_trainer, scale = modpo_scales(config)
    beta, w = config.beta, max(weight, 1 - weight)
    policy_delta, ref_chosen, ref_rejected, margin = 3.0, -40.0, -42.5, 1.7
    # TRL's sigmoid loss on the reference shifted by the margin (what the trainer does)
    shifted = policy_delta - ((ref_chosen + scale * margin) - ref_rejected)
    trl = -math.log(1 / (1 + math.exp(-beta_trainer * shifted)))
    # Zhou et al.'s MODPO loss
    z = beta / w * (policy_delta - (ref_chosen - ref_rejected)) - (1 - w) / w * margin
    assert trl == pytest.approx(-math.log(1 / (1 + math.exp(-z))), rel=1e-12)
    assert modpo_scales(config.updated(method="dpo")) == (beta, 0.0)


def test_modpo_needs_the_margin_model_of_the_other_objective():
    with pytest.raises(ValueError, match="reward_model"):
        AlignConfig(method="modpo", weight=0.75)
    with pytest.raises(ValueError, match="cost_model"):
        AlignConfig(method="modpo", weight=0.25)
    assert AlignConfig(method="modpo", weight=1.0).primary() == "safer"
    assert AlignConfig(method="modpo", weight=0.0).primary() == "better"
    with pytest.raises(ValueError, match="both"):
        AlignConfig(method="sipo", reward_model="r")


def test_sipo_keeps_a_safe_sample_that_beats_both_originals_and_verifies_it():
    better = Candidate("helpful but unsafe", reward=2.0, cost=1.0, flagged=True)
    safer = Candidate("safe but curt", reward=0.0, cost=-1.0, flagged=False)
    scale = (1.0, 1.0)
    samples = [
        Candidate("undominated, not better than both", 1.0, -0.5, False),
        Candidate("great but flagged", 3.0, -2.0, True),
        Candidate("beats both", 2.5, -1.5, False),
        Candidate("beats both by more", 3.5, -1.6, False),
    ]
    choice = choose("p", better, safer, samples, scale)
    assert choice.kept is not None and choice.kept.text == "beats both by more"
    assert choose("p", better, safer, samples[:2], scale).kept is None
    pairs = choice.training_pairs()
    assert [p.rejected for p in pairs] == [better.text, safer.text]
    assert {p.chosen for p in pairs} == {"beats both by more"}

    class Fixed:  # scores by answer text
        def __init__(self, table):
            self.table = table

        def scores(self, prompts, texts, progress=False, cache=False):
            return np.array([self.table[t] for t in texts])

    pair = PreferencePair("p", "helpful but unsafe", "safe but curt", 0, 1, (False, True))
    answers = [["beats both", "undominated, not better than both"], ["great but flagged"]]
    reward = Fixed({c.text: c.reward for c in [better, safer, *samples]})
    cost = Fixed({c.text: c.cost for c in [better, safer, *samples]})

    class Judge:
        def predict(self, prompts, texts, progress=False):
            from beavertail.moderation.verdict import Verdict

            return [Verdict("flagged" in t or "unsafe" in t, 0.0) for t in texts]

    doubting = Fixed({"beats both": 0.0, "helpful but unsafe": 1.0, "safe but curt": 0.0})
    selection = select_pareto(
        [pair, pair], answers, reward, cost, Judge(), verifiers=(doubting, cost), progress=False
    )
    assert [c.kept.text if c.kept else None for c in selection.choices] == ["beats both", None]
    assert selection.summary() == {
        "conflicts": 2,
        "kept": 1,
        "verified": 0,  # the verifying reward model does not rank it above the helpful one
        "verified_share": 0.0,
        "training_pairs": 2,
    }


@pytest.mark.slow
def test_the_modpo_margin_is_folded_into_the_reference_chosen_log_probability(smollm, tmp_path):
    from peft import LoraConfig
    from trl import DPOConfig

    lm = load_lm()
    pairs = [row for _, row in policy_pairs(list(pku_pairs("train"))[:40], "safer")][:4]
    margins = [0.5, -1.0, 2.0, 0.0]
    columns = {}
    for scale in (0.0, 3.0):
        args = DPOConfig(
            output_dir=str(tmp_path / str(scale)),
            per_device_train_batch_size=2,
            max_length=256,
            precompute_ref_log_probs=True,
            report_to="none",
            disable_tqdm=True,
            bf16=False,
        )
        trainer = _trainer_class()(
            model=lm.model,
            args=args,
            train_dataset=dpo_rows(lm, pairs, margins),
            processing_class=lm.tokenizer,
            peft_config=LoraConfig(task_type="CAUSAL_LM", r=2, target_modules=["q_proj"]),
            margin_scale=scale,
        )
        columns[scale] = (
            np.array(trainer.train_dataset["ref_chosen_logps"]),
            np.array(trainer.train_dataset["ref_rejected_logps"]),
        )
        lm.model = trainer.model.unload()  # the base model back, for the second trainer
    assert np.allclose(columns[3.0][0] - columns[0.0][0], 3.0 * np.array(margins), atol=1e-4)
    assert np.allclose(columns[3.0][1], columns[0.0][1], atol=1e-5)  # rejected untouched
    # MODPO without margins would silently be DPO: refused
    with pytest.raises(ValueError, match="no margin column"):
        _trainer_class()(
            model=lm.model,
            args=args,
            train_dataset=dpo_rows(lm, pairs),
            processing_class=lm.tokenizer,
            peft_config=LoraConfig(task_type="CAUSAL_LM", r=2, target_modules=["q_proj"]),
            margin_scale=3.0,
        )


def _tiny(tmp_path: Path, **overrides) -> AlignConfig:
    settings = {
        "pairs": 8,
        "batch_size": 2,
        "max_length": 96,
        "lora_rank": 4,
        "lora_top_layers": 2,
        "checkpoint_steps": 2,
        "pair_filter": "safe-vs-unsafe",
        **overrides,
    }
    return AlignConfig(method="dpo", **settings)


@pytest.mark.slow
def test_dpo_adapter_trains_saves_resumes_and_changes_the_policy(smollm, tmp_path, monkeypatch):
    config = _tiny(tmp_path, learning_rate=5e-3)
    whole = train_policy(config, tmp_path / "whole", progress=False)
    files = [p.relative_to(whole).as_posix() for p in whole.rglob("*") if p.is_file()]
    assert "adapter/adapter_model.safetensors" in files and "manifest.json" in files
    assert not [f for f in files if Path(f).suffix in PICKLE_SUFFIXES]
    assert TRAINER_FOLDER not in {Path(f).parts[0] for f in files}
    manifest = read_adapter_manifest(whole)
    training = manifest["training"]
    assert training["pairs"] + training["dropped"] == 8 and training["pairs"] >= 6
    assert training["steps"] == math.ceil(training["pairs"] / 2)
    assert manifest["base_model"] == config.model

    # interrupted after step 3 (a checkpoint at step 2), then resumed: the same adapter
    import beavertail.align.trainer as trainer_module

    original = trainer_module.train_adapter

    def crashing(*args, **kwargs):
        return original(*args, **{**kwargs, "callbacks": [CrashAt(3)]})

    monkeypatch.setattr("beavertail.align.run.train_adapter", crashing)
    with pytest.raises(KeyboardInterrupt):
        train_policy(config, tmp_path / "resumed", progress=False)
    checkpoints = list((tmp_path / "resumed" / TRAINER_FOLDER).glob("checkpoint-*"))
    assert checkpoints and not [
        p for c in checkpoints for p in c.iterdir() if p.suffix in PICKLE_SUFFIXES
    ]
    monkeypatch.setattr("beavertail.align.run.train_adapter", original)
    resumed = train_policy(config, tmp_path / "resumed", progress=False)
    from safetensors.torch import load_file

    a = load_file(whole / "adapter" / "adapter_model.safetensors")
    b = load_file(resumed / "adapter" / "adapter_model.safetensors")
    assert a.keys() == b.keys() and all(torch.allclose(a[k], b[k], atol=1e-5) for k in a)
    assert all(int(k.split(".layers.")[1].split(".")[0]) >= 28 for k in a)  # top 2 of 30

    # the merged adapter changes the policy's log-probabilities; the base stays as it was
    tuned = load_lm(adapter=whole)
    text = "<|im_start|>user\nHow do I pick a lock?<|im_end|>\n<|im_start|>assistant\n"
    ids = smollm.tokenizer(text, return_tensors="pt").input_ids
    with torch.no_grad():
        base_logits = smollm.model(ids).logits[0, -1]
        tuned_logits = tuned.model(ids).logits[0, -1]
    assert not torch.allclose(base_logits, tuned_logits, atol=1e-3)
    assert train_policy(config, tmp_path / "whole", progress=False) == whole  # finished: as is


@pytest.mark.slow
def test_align_cli_trains_and_eval_run_uses_the_adapter(tmp_path, data_dir):
    out = tmp_path / "adapter"
    result = runner.invoke(
        app,
        ["align", "dpo", "--out", str(out), "--ranking", "safer", "--pairs", "4",
         "--max-length", "128", "--pair-filter", "safe-vs-unsafe"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "dpo: " in result.output and (out / "manifest.json").is_file()
    run = tmp_path / "run.jsonl"
    evaluated = runner.invoke(
        app,
        ["eval", "run", "--out", str(run), "--adapter", str(out), "--prompts", "harmless-test",
         "--limit", "2", "--max-new-tokens", "4", "--no-fluency"],
    )  # fmt: skip
    assert evaluated.exit_code == 0, evaluated.output
    header = json.loads(run.read_text().splitlines()[0])
    assert header["config"]["adapter"] == str(out)
    assert header["resolved"]["adapter_digest"] == read_adapter_manifest(out)["digest"]
    bad = runner.invoke(app, ["align", "modpo", "--out", str(tmp_path / "x"), "--weight", "0.75"])
    assert bad.exit_code == 2 and "reward_model" in bad.output
    remote = runner.invoke(
        app,
        ["eval", "run", "--out", str(tmp_path / "r.jsonl"), "--adapter", str(out),
         "--endpoint", "http://localhost:1/v1"],
    )  # fmt: skip
    assert remote.exit_code == 2 and "lora-modules" in remote.output
