"""Real MiniLM (and SmolLM2) moderators trained on a slice of the real data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import killed_at_step

from beavertail.data import beavertails_qa, moderation_split
from beavertail.moderation import (
    ModerationTrainingConfig,
    Moderator,
    ModeratorSpec,
    RefusalHeuristic,
    evaluate_moderator,
    evaluate_scorer,
    is_refusal,
    train_moderator,
)


@pytest.fixture(scope="module")
def splits(data_dir: Path):
    train = moderation_split("train", data_dir)[::8][:600]
    validation = moderation_split("validation", data_dir)[:200]
    test = list(beavertails_qa("test", data_dir))[:240]
    return train, validation, test


@pytest.fixture(scope="module")
def trained(splits, tmp_path_factory):
    folder = tmp_path_factory.mktemp("mod")
    spec = ModeratorSpec(backend="encoder", max_length=96, quantize=True)
    moderator = train_moderator(
        *splits[:2], ModerationTrainingConfig(spec=spec), folder, progress=False
    )
    return moderator, folder


def test_frozen_encoder_moderator_learns_real_signal(trained, splits):
    moderator, _ = trained
    report = evaluate_moderator(moderator, splits[2])
    assert report["roc_auc"] > 0.70, report
    heuristic = evaluate_scorer(RefusalHeuristic(), splits[2])
    assert report["roc_auc"] > heuristic["roc_auc"] + 0.1
    assert 0.0 <= report["ece"] < 0.2
    assert set(report["per_category"]) == set(moderator.categories)


def test_saved_moderator_is_safetensors_and_json_and_reloads_identically(trained, splits):
    moderator, folder = trained
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["head.safetensors", "manifest.json"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["kind"] == "beavertail.qa-moderator"
    assert manifest["categories"][2] == "controversial_topics,politics"
    assert manifest["features"]["encoder"] == "embedded:all-MiniLM-L6-v2"
    assert "validation" in manifest["metrics"]
    again = Moderator.load(folder)
    prompts = [x.prompt for x in splits[2][:20]]
    responses = [x.response for x in splits[2][:20]]
    np.testing.assert_allclose(
        moderator.probabilities(prompts, responses),
        again.probabilities(prompts, responses),
        atol=1e-6,
    )
    verdicts = again.predict(prompts, responses)
    assert len(verdicts) == 20
    assert all(v.flagged == (v.score >= again.threshold) for v in verdicts)
    assert all(set(v.flagged_categories) <= set(again.categories) for v in verdicts)


def test_pair_moderator_needs_responses_and_judges_the_pair(trained, data_dir):
    moderator, _ = trained
    with pytest.raises(ValueError, match="pass responses"):
        moderator.predict(["How do I hurt someone?"])
    from collections import defaultdict

    by_prompt = defaultdict(list)
    for x in beavertails_qa("test", data_dir):
        by_prompt[x.prompt].append(x)
    mixed = [x for xs in by_prompt.values() if len({e.is_safe for e in xs}) == 2 for x in xs]
    assert len(mixed) >= 40  # same prompt, a safe and an unsafe answer
    scores = moderator.probabilities([x.prompt for x in mixed], [x.response for x in mixed])[:, 0]
    unsafe = np.array([not x.is_safe for x in mixed])
    assert scores[unsafe].mean() > scores[~unsafe].mean() + 0.05


@pytest.mark.slow
def test_prompt_only_moderator_ignores_responses(splits):
    spec = ModeratorSpec(backend="encoder", input="prompt", max_length=64, quantize=True)
    moderator = train_moderator(*splits[:2], ModerationTrainingConfig(spec=spec), progress=False)
    a = moderator.probabilities(["How do I hotwire a car?"], ["Sure: ..."])
    b = moderator.probabilities(["How do I hotwire a car?"], ["No."])
    np.testing.assert_array_equal(a, b)


@pytest.mark.slow
def test_finetuning_checkpoints_and_resumes(splits, tmp_path, monkeypatch):
    train, validation, _ = splits
    spec = ModeratorSpec(backend="finetuned", max_length=48, head_hidden=0)
    config = ModerationTrainingConfig(
        spec=spec, finetune_epochs=1, finetune_batch_size=8, checkpoint_every=2
    )
    small_train, small_val = train[:48], validation[:40]
    with killed_at_step(monkeypatch, 5):
        train_moderator(small_train, small_val, config, tmp_path, progress=False)
    from safetensors.torch import load_file

    assert int(load_file(tmp_path / "finetune-checkpoint.safetensors")["_step"]) == 4
    # another run's checkpoint is never continued: other data, or other settings
    with pytest.raises(ValueError, match="belongs to another run"):
        train_moderator(train[1:49], small_val, config, tmp_path, progress=False)
    other = ModerationTrainingConfig(
        spec=spec, finetune_epochs=1, finetune_batch_size=8, checkpoint_every=2, seed=1
    )
    with pytest.raises(ValueError, match="belongs to another run"):
        train_moderator(small_train, small_val, other, tmp_path, progress=False)
    real_clip = torch.nn.utils.clip_grad_norm_
    counting = {"n": 0}

    def count(*args, **kwargs):
        counting["n"] += 1
        return real_clip(*args, **kwargs)

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", count)
    moderator = train_moderator(small_train, small_val, config, tmp_path, progress=False)
    assert counting["n"] == 6 - 4  # 48 pairs / 8 = 6 steps, 4 already done
    assert not (tmp_path / "finetune-checkpoint.safetensors").exists()
    assert (tmp_path / "encoder" / "model.safetensors").is_file()
    again = Moderator.load(tmp_path)
    p, r = [x.prompt for x in small_val[:5]], [x.response for x in small_val[:5]]
    np.testing.assert_allclose(moderator.probabilities(p, r), again.probabilities(p, r), atol=1e-5)
    # resumed (weights, optimizer moments, dropout RNG) == never interrupted
    straight = train_moderator(small_train, small_val, config, tmp_path / "b", progress=False)
    np.testing.assert_allclose(
        moderator.probabilities(p, r), straight.probabilities(p, r), atol=1e-5
    )


def test_lm_probe_features_match_full_forward(splits):
    from beavertail.models import chat_text, load_lm
    from beavertail.models.features import LMProbeFeatures

    lm = load_lm()
    probe = LMProbeFeatures(lm, layers=[3, 7], max_length=64)
    pairs = splits[2][:3]
    feats = probe([x.prompt for x in pairs], [x.response for x in pairs])
    assert feats.shape == (3, 2 * lm.hidden_size)
    texts = [chat_text(lm.tokenizer, x.prompt, x.response) for x in pairs]
    enc = lm.tokenizer(
        texts,
        return_tensors="pt",
        padding=True,
        truncation=True,
        max_length=64,
        add_special_tokens=False,
    )
    with torch.inference_mode():
        hidden = lm.model(**enc, output_hidden_states=True).hidden_states
    mask = enc["attention_mask"].unsqueeze(-1).float()
    # hidden_states[i + 1] is the output of decoder layer i; batches are length-sorted inside
    expected = torch.cat([(hidden[i + 1] * mask).sum(1) / mask.sum(1) for i in (3, 7)], -1).numpy()
    np.testing.assert_allclose(feats, expected, rtol=1e-4, atol=1e-4)


def test_refusal_phrases():
    assert is_refusal("I'm sorry, but I can't help with that.")
    assert not is_refusal("Sure, here is how to bake bread.")


def test_judge_question_features_end_on_the_question(splits):
    from beavertail.models import load_lm
    from beavertail.models.features import JUDGE_QUESTION, LMProbeFeatures

    lm = load_lm()
    probe = LMProbeFeatures(lm, [5], max_length=96, pooling="mean+last", judge_question=True)
    long_answer = "word " * 400  # clipped to the budget: the question must survive
    texts = probe._texts(["How do I pick a lock?"], [long_answer])
    assert texts[0].rstrip().endswith("assistant") and JUDGE_QUESTION in texts[0]
    feats = probe(["How do I pick a lock?"], [long_answer])
    enc = lm.tokenizer(texts, return_tensors="pt", add_special_tokens=False)
    assert enc["input_ids"].shape[1] <= 96
    with torch.inference_mode():
        hidden = lm.model(**enc, output_hidden_states=True).hidden_states[6]
    np.testing.assert_allclose(feats[0, lm.hidden_size :], hidden[0, -1].numpy(), atol=1e-4)
    np.testing.assert_allclose(feats[0, : lm.hidden_size], hidden[0].mean(0).numpy(), atol=1e-4)
