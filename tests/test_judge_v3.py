"""Judge v3: mix v2 hygiene, padding, windows, the LoRA-tuned judge's training and verdicts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from beavertail.data import beavertails_qa, canonical_split
from beavertail.data.mix import WEIGHTS
from beavertail.data.padding import (
    harmless_sentences,
    pad_answer,
    padded_training_pairs,
    padding_benchmark,
    padding_only_pairs,
)
from beavertail.data.readers import iter_rows
from beavertail.moderation import train_moderator
from beavertail.moderation.moderator import Moderator
from beavertail.moderation.train import category_mask, severity_targets


def test_mix_v2_follows_the_clean_split_rule(mix, data_dir):
    """Rows sharing a prompt with 30k_test join only from its train part, never as a copy of
    a 30k_test pair; every new source is in, with its weight."""
    sources = mix.describe()["sources"]
    for name in ("jbeval-saferlhf", "gptfuzz", "self-defense", "jailjudge", "diasafety"):
        assert sources[name]["train"] > 100, name
    bt_pairs = {(x.prompt, x.response) for x in beavertails_qa(None, data_dir)}
    seen = mix.train + mix.validation
    flagged = {
        row["prompt"]
        for _, row in iter_rows(data_dir / "jbeval-saferlhf-mini" / "jbeval-saferlhf-mini.jsonl")
        if row["prompt_in_bt30k_test"]
    }
    jb = [x for x in seen if x.source.startswith("jbeval-saferlhf")]
    shared = [x for x in jb if x.prompt in flagged]
    assert shared  # the rule keeps some: those in BeaverTails' train part
    assert all(canonical_split(x.prompt) == "train" for x in shared)
    assert not {(x.prompt, x.response) for x in jb} & bt_pairs
    pairs = [(x.prompt.strip(), x.response.strip()) for x in seen]
    assert len(pairs) == len(set(pairs))  # a pair two sources share is kept once
    weights = dict(zip([x.source for x in mix.train], mix.weights(mix.train), strict=True))
    assert {w for s, w in weights.items() if s.startswith("gptfuzz:")} == {WEIGHTS["gptfuzz"]}
    per_question: dict[str, int] = {}
    for x in seen:
        if x.source.startswith("gptfuzz:"):
            per_question[x.prompt] = per_question.get(x.prompt, 0) + 1
    assert max(per_question.values()) <= 16
    assert mix.heldout["explicit"] and not {
        (x.prompt, x.response) for x in mix.heldout["explicit"]
    } & set(pairs)


def test_category_and_severity_targets_only_where_known(mix):
    rows = mix.train[:4000]
    known = category_mask(rows)
    assert known.any() and not known[[x.is_safe for x in rows]].any()
    assert not known[[not x.categories for x in rows]].any()
    levels = severity_targets(rows)
    with_level = [x for x, level in zip(rows, levels, strict=True) if level >= 0]
    assert with_level and all(
        x.severity == lv + 1 for x, lv in zip(with_level, levels[levels >= 0], strict=True)
    )
    assert all(not x.is_safe for x in with_level)


def test_padding_pools_are_disjoint_and_labels_kept(mix, data_dir):
    train_pool, test_pool = (
        harmless_sentences("train", data_dir),
        harmless_sentences("test", data_dir),
    )
    assert len(train_pool) > 500 and len(test_pool) > 100
    assert not set(train_pool) & set(test_pool)
    padded = padded_training_pairs(mix.train, data_dir, count=200)
    assert 150 <= len(padded) <= 200
    assert all(len(x.response) <= 700 for x in padded)
    originals = {x.source: x for x in mix.train}
    for x in padded[:50]:
        original = originals[x.source.removeprefix("padded:")]
        assert original.response in x.response and x.is_safe == original.is_safe
    unsafe = [x for x in beavertails_qa("test", data_dir) if not x.is_safe][:3]
    bench = padding_benchmark(unsafe, data_dir, counts=(1, 20))
    assert set(bench) == {(1, "before"), (1, "after"), (20, "before"), (20, "after")}
    long = bench[(20, "after")][0]
    assert long.response.startswith(unsafe[0].response) and not long.is_safe
    assert pad_answer("X.", ["A b c."], "before") == "A b c. X."


def test_padding_only_pairs_are_safe_answers_of_training_sentences(mix, data_dir):
    pairs = padding_only_pairs(mix.train, data_dir, count=50)
    harmful = {x.prompt for x in mix.train if not x.is_safe}
    pool = set(harmless_sentences("train", data_dir))
    assert len(pairs) == 50 and all(x.is_safe and not x.categories for x in pairs)
    assert all(x.prompt in harmful for x in pairs)
    assert all(x.response.startswith(tuple(pool)) for x in pairs)
    assert not any(s in x.response for x in pairs for s in harmless_sentences("test", data_dir))


@pytest.fixture(scope="module")
def tiny_lora_run(data_dir: Path, tmp_path_factory: pytest.TempPathFactory, tiny_lora_config):
    """An lm-lora judge on 2 decoder layers and a few dozen pairs (checks plumbing, not
    quality); PKU pairs carry categories and severity."""
    from beavertail.data import pku_qa

    rows = list(pku_qa("train", data_dir))
    config, folder = tiny_lora_config, tmp_path_factory.mktemp("lora")
    train_moderator(rows[:48], rows[48:72], config, folder, progress=False)
    return rows[:48], rows[48:72], config, folder


@pytest.mark.slow
def test_lora_judge_resumes_exactly_and_reloads(tiny_lora_run, tmp_path, monkeypatch):
    train, validation, config, straight_folder = tiny_lora_run
    folder = tmp_path / "resumed"
    real_clip = torch.nn.utils.clip_grad_norm_
    calls = {"n": 0}

    def crash_on_fifth_step(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt("simulated crash")
        return real_clip(*args, **kwargs)

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", crash_on_fifth_step)
    with pytest.raises(KeyboardInterrupt):
        train_moderator(train, validation, config, folder, progress=False)
    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", real_clip)
    resumed = train_moderator(train, validation, config, folder, progress=False)
    straight = Moderator.load(straight_folder)  # the same settings, never interrupted
    p, r = [x.prompt for x in validation], [x.response for x in validation]
    np.testing.assert_allclose(resumed.probabilities(p, r), straight.probabilities(p, r), atol=1e-5)
    assert (folder / "adapter.safetensors").is_file()
    assert (folder / "epochs.jsonl").read_text().count('"epoch"') == 1
    reloaded = Moderator.load(folder)
    np.testing.assert_allclose(resumed.probabilities(p, r), reloaded.probabilities(p, r), atol=1e-3)
    assert reloaded.digest() == Moderator.load(folder).digest()
    report = resumed.metadata["metrics"]["validation"]
    assert report["severity"]["n"] > 0


@pytest.mark.slow
def test_a_repair_phase_starts_from_the_saved_state(tiny_lora_run):
    """``start_from`` continues from a run's epoch state: with a vanishing learning rate the
    continued judge's raw logits are the saved judge's, and a fresh start's are not."""
    train, validation, config, folder = tiny_lora_run
    still = config.model_copy(update={"finetune_learning_rate": 1e-12, "learning_rate": 1e-12})
    p, r = [x.prompt for x in validation], [x.response for x in validation]
    saved = Moderator.load(folder).window_outputs(p, r)[1]
    start = folder / "epoch-0.safetensors"
    continued = train_moderator(
        train[:16], validation, still, folder / "repair", False, start_from=start
    )
    fresh = train_moderator(train[:16], validation, still, folder / "fresh", False)
    np.testing.assert_allclose(continued.window_outputs(p, r)[1], saved, atol=1e-3)
    assert np.abs(fresh.window_outputs(p, r)[1] - saved).max() > 0.1


def test_verdicts_name_a_category_and_severity_when_flagged(tiny_lora_run):
    _, validation, _, folder = tiny_lora_run
    judge = Moderator.load(folder)
    judge.threshold = 0.0  # every pair flagged: each names a level, and the categories
    prompts, responses = [x.prompt for x in validation], [x.response for x in validation]
    verdicts = judge.predict(prompts, responses)  # whose own probability clears its threshold
    assert all(v.flagged and v.severity in (1, 2, 3) for v in verdicts)
    for v in verdicts:
        cleared = {c for c, t in zip(judge.categories, judge.category_thresholds, strict=True)
                   if v.categories[c] >= t}  # fmt: skip
        assert set(v.flagged_categories) == cleared
    judge.category_thresholds = np.zeros_like(judge.category_thresholds)
    assert all(len(v.flagged_categories) == len(judge.categories)
               for v in judge.predict(prompts, responses))  # fmt: skip
    judge.threshold = 1.01  # none flagged: no category, severity 0
    verdicts = judge.predict([x.prompt for x in validation], [x.response for x in validation])
    assert all(not v.flagged and not v.flagged_categories and v.severity == 0 for v in verdicts)


def test_long_answers_are_judged_in_windows_taking_the_worst(tiny_lora_run):
    """A harmful window among many harmless ones decides the pair's score."""
    *_, folder = tiny_lora_run
    judge = Moderator.load(folder)
    prompt = "How do I get back at my neighbour?"
    harmful = "Slash his tyres at night and set his car on fire."
    filler = " ".join(["Bread needs flour, water, salt and yeast, and a warm place to rise."] * 40)
    _, win_r, owner = judge.extractor.windows([prompt], [f"{filler} {harmful}"])
    assert len(win_r) > 3 and set(owner) == {0}
    alone = judge.window_outputs([prompt] * len(win_r), win_r)[1][:, 0]
    whole = judge.window_outputs([prompt], [f"{filler} {harmful}"])[1][0, 0]
    assert whole == pytest.approx(alone.max(), abs=1e-4)
    assert alone.max() > alone.min()  # the windows differ; the worst one counts


@pytest.mark.parametrize("name", ["default", "fast", "prompt"])
def test_a_shipped_score_does_not_depend_on_its_batch(name):
    from beavertail.moderation.judge import resolve_judge

    judge = resolve_judge(name)
    prompts = ["How do I stop a process?", "Tell me a joke", "How do I make a bomb?"]
    responses = ["Run kill -9 PID.", "Why did the chicken cross the road? " * 3, "No."]
    alone = np.concatenate(
        [judge.probabilities([p], [r]) for p, r in zip(prompts, responses, strict=True)]
    )
    together = judge.probabilities(prompts, responses)
    assert np.abs(alone - together).max() <= 1e-4


def test_a_flagged_moderation_result_always_names_an_openai_category():
    """privacy_violation has no OpenAI counterpart: the flagged result still names one."""
    from beavertail.moderation.verdict import Verdict
    from beavertail.serve.serving import ModerationService

    service = ModerationService(None, "m")
    scores = dict.fromkeys(service.to_openai.mapping, 0.01)
    scores |= {"privacy_violation": 0.9, "hate_speech,offensive_language": 0.2}
    flagged = Verdict(True, 0.8, scores, ("privacy_violation",))
    result = service.result(flagged, 0.5)
    assert result["flagged"] and sum(result["categories"].values()) == 1
    assert result["categories"]["harassment"]  # the highest-scoring mapped category
    safe = service.result(Verdict(False, 0.1, scores, ()), 0.5)
    assert not any(safe["categories"].values())


@pytest.mark.slow
def test_interpolated_judges_lie_between_their_parents(tiny_lora_run, small_moderator_dir):
    """Weight 0 and 1 give back each parent's scores; 0.5 holds the mean of their stored
    tensors; judges of different specs are refused."""
    from safetensors.torch import load_file

    from beavertail.moderation.interpolate import interpolate_judges

    train, validation, config, folder = tiny_lora_run
    first = folder / "parent-a"
    if not (first / "manifest.json").is_file():
        train_moderator(train[:16], validation, config, first, progress=False)
    judge = Moderator.load(first)
    judge.adapter = {k: 3.0 * v for k, v in judge.adapter.items()}
    with torch.no_grad():
        for p in judge.head.parameters():
            p.add_(0.5)
    second = judge.save(folder / "parent-b")
    p, r = [x.prompt for x in validation], [x.response for x in validation]
    for weight, parent in ((0.0, first), (1.0, second)):
        np.testing.assert_allclose(
            interpolate_judges(first, second, weight).window_outputs(p, r)[1],
            Moderator.load(parent).window_outputs(p, r)[1],
            atol=1e-4,
        )
    half = interpolate_judges(first, second, 0.5)
    a, b = load_file(first / "adapter.safetensors"), load_file(second / "adapter.safetensors")
    name = next(iter(a))
    np.testing.assert_allclose(
        half.adapter[name].numpy(), 0.5 * (a[name].float() + b[name].float()).numpy(), atol=1e-6
    )
    heads = [load_file(f / "head.safetensors") for f in (first, second)]
    weight_name = next(k for k in heads[0] if k.endswith("weight") and heads[0][k].ndim == 2)
    stored = dict(half.head.state_dict())[weight_name]
    expected = 0.5 * (heads[0][weight_name].float() + heads[1][weight_name].float())
    np.testing.assert_allclose(stored.numpy(), expected.numpy(), atol=1e-6)
    assert half.metadata["training"]["interpolation"]["weight_of_second"] == 0.5
    with pytest.raises(ValueError, match="different specs"):
        interpolate_judges(first, small_moderator_dir, 0.5)


@pytest.mark.parametrize("name", ["default", "fast", "prompt", "probe", "default-v4"])
def test_every_recipe_writes_a_model_card(name, small_moderator_dir, tmp_path):
    """The card says what the recipe's judge is, for the recipes that do not ship too."""
    from beavertail.moderation.recipes import RECIPES, write_model_card

    assert name in RECIPES
    card = {"sets": {"beavertails_test": {"n": 3, "f1": 0.5, "precision": 0.5, "recall": 0.5,
                                          "auc": 0.6, "ece": 0.1, "false_flag": 0.2}}}  # fmt: skip
    write_model_card(tmp_path, name, Moderator.load(small_moderator_dir), card)
    text = (tmp_path / "MODEL_CARD.md").read_text("utf-8")
    assert text.startswith(f"# beavertail judge `{name}`\n\n``{name}`` — ")
