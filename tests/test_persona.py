"""Persona inference, the persona-conditioned judge and persona tailoring (beavertail.persona)."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from beavertail.align.sft import sft_rows
from beavertail.cli import app
from beavertail.data import DataValidationError, RankedPair, load_ranked_pairs, pku_pairs
from beavertail.models.generation import Generation, LocalGenerator, SamplingParams
from beavertail.persona import (
    PersonaEvalSettings,
    PersonaSettings,
    conditioned_pairs,
    embedding_match,
    evaluate_personas,
    from_preference,
    infer_personas,
    load_pairs,
    persona_system,
    pi_prompt,
    save_persona_dataset,
    side_accuracy,
    side_scores,
    tailoring_pairs,
    tailoring_rows,
    train_persona_judge,
)
from beavertail.persona.infer import PERSONA_START, clean_persona
from beavertail.preference import PreferenceTrainingConfig

runner = CliRunner()

NURSE = "The user is a nurse who wants precise clinical detail with doses and mechanisms."
PARENT = "The user is a worried parent who wants a short, gentle and reassuring answer."
TOPICS = [
    "a fever", "a sprained ankle", "a headache", "a bee sting", "a sore throat", "a nosebleed",
    "a mild burn", "an ear infection", "a cough", "food poisoning", "a rash", "a cut finger",
    "dehydration", "heartburn", "a stomach ache", "insomnia", "a cold", "an allergy",
    "motion sickness", "a toothache", "hiccups", "a bruise", "a splinter", "sunburn",
]  # fmt: skip


def _detailed(topic: str) -> str:
    return (
        f"For {topic}, first-line management is weight-based: paracetamol 15 mg/kg every 6 h "
        "(max 60 mg/kg/day) or ibuprofen 10 mg/kg every 8 h, which inhibits COX-1 and COX-2 "
        "and lowers prostaglandin synthesis; monitor vital signs and escalate on red flags."
    )


def _gentle(topic: str) -> str:
    return f"Don't worry, {topic} is usually nothing serious. Rest, cuddles and fluids help a lot."


def persona_rows(seed: int, count: int) -> list[RankedPair]:
    """Pairs whose preferred answer depends on the persona only: the nurse prefers the
    clinical answer, the parent the gentle one, and either may be the 'chosen' side."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        topic = TOPICS[i % len(TOPICS)]
        prompt = rng.choice(["What should I do about {}?", "How do I treat {}?"]).format(topic)
        detailed, gentle = _detailed(topic), _gentle(topic)
        if rng.random() < 0.5:
            rows.append(RankedPair(prompt, detailed, gentle, NURSE, PARENT, source=f"s{i}"))
        else:
            rows.append(RankedPair(prompt, gentle, detailed, PARENT, NURSE, source=f"s{i}"))
    return rows


class LengthScorer:
    """A scorer blind to the persona: longer answers score higher."""

    def scores(self, prompts, responses, progress=False, cache=False):
        return np.array([len(r) for r in responses], dtype=float)


class EchoGenerator:
    """Answers every request with a fixed persona; counts the requests it got."""

    name = "echo"

    def __init__(self) -> None:
        self.requests: list[str] = []

    def generate(self, prompts, config):
        self.requests += list(prompts)
        return [
            Generation(p, f"{config.answer_prefix} a careful reader. Extra", 5, "stop")
            for p in prompts
        ]


def test_hh_rlhf_transcripts_and_hub_rows_load_as_ranked_pairs(data_dir: Path, tmp_path: Path):
    rows = list(load_ranked_pairs(data_dir / "hh-rlhf" / "harmless-base_test.jsonl.gz"))
    assert len(rows) == 2312
    with gzip.open(data_dir / "hh-rlhf" / "harmless-base_test.jsonl.gz", "rt") as fh:
        first = json.loads(fh.readline())
    assert first["chosen"].endswith(rows[0].chosen)
    assert rows[0].prompt.startswith("Human:") and "Assistant:" not in rows[0].chosen
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"chosen": "Human: hi there", "rejected": "Human: hi you"}) + "\n")
    with pytest.raises(DataValidationError) as error:
        list(load_ranked_pairs(bad))
    assert "bad.jsonl" in str(error.value) and "chosen" in str(error.value)
    assert "line 1" in str(error.value) or ":1" in str(error.value)


def test_pku_pairs_follow_the_chosen_ranking(data_dir: Path):
    pairs = list(pku_pairs("train", data_dir))
    conflict = next(p for p in pairs if p.better_id != p.safer_id)
    better = from_preference(conflict, "better")
    safer = from_preference(conflict, "safer")
    answers = (conflict.response_0, conflict.response_1)
    assert better.chosen == answers[conflict.better_id] == safer.rejected
    assert better.conflict is True and better.chosen_is_safe == conflict.is_safe[conflict.better_id]
    loaded = load_pairs("pku-test", limit=5, data_root=data_dir)
    assert len(loaded) == 5 and loaded == load_pairs("pku-test", limit=5, data_root=data_dir)
    assert loaded != load_pairs("pku-test", limit=5, seed=1, data_root=data_dir)


def test_pi_prompt_puts_the_preferred_side_first():
    row = RankedPair("Q?", "first answer", "second answer")
    chosen, rejected = pi_prompt(row, "chosen", 50), pi_prompt(row, "rejected", 50)
    assert chosen.index("first answer") < chosen.index("second answer")
    assert rejected.index("second answer") < rejected.index("first answer")
    assert "Answer A: " + " ".join(["w"] * 3) + " …" in pi_prompt(
        RankedPair("Q?", "w w w w w", "x"), "chosen", 3
    )
    assert clean_persona("The user is a cook. They like salt. They", 2) == (
        "The user is a cook. They like salt."
    )
    assert (
        clean_persona("The user is a cook who  likes\nsalt", 2)
        == "The user is a cook who likes salt"
    )


def test_personas_are_cached_and_resumed(tmp_path: Path):
    rows = [RankedPair(f"Q{i}?", f"a{i}", f"b{i}") for i in range(3)]
    generator = EchoGenerator()
    settings = PersonaSettings(batch_size=2)
    out = infer_personas(rows, generator, tmp_path / "cache.jsonl", settings, progress=False)
    assert len(generator.requests) == 6
    assert out[0].persona_chosen == f"{PERSONA_START} a careful reader."
    again = EchoGenerator()
    assert (
        infer_personas(
            [*rows, RankedPair("Q9?", "c", "d")],
            again,
            tmp_path / "cache.jsonl",
            settings,
            progress=False,
        )[:3]
        == out
    )
    assert len(again.requests) == 2  # only the new pair's two personas


def test_embedded_model_writes_personas(smollm, tmp_path: Path):
    row = RankedPair(
        "How do I pick a lock?",
        "I can't help with breaking into property; a locksmith can help if you are locked out.",
        "Insert a tension wrench, then rake the pins until they set.",
    )
    settings = PersonaSettings(
        sampling=PersonaSettings().sampling.model_copy(update={"max_new_tokens": 24})
    )
    [out] = infer_personas(
        [row], LocalGenerator(smollm), tmp_path / "c.jsonl", settings, progress=False
    )
    for persona in (out.persona_chosen, out.persona_rejected):
        assert persona.startswith(PERSONA_START) and len(persona) > len(PERSONA_START) + 5


def test_persona_dataset_round_trips(tmp_path: Path):
    rows = persona_rows(0, 4)
    rows[0] = RankedPair(**{**rows[0].__dict__, "conflict": True, "chosen_is_safe": False})
    for name in ("p.jsonl", "p.parquet"):
        assert list(load_ranked_pairs(save_persona_dataset(rows, tmp_path / name))) == rows


def test_side_accuracy_of_a_persona_blind_model_is_one_half():
    rows = persona_rows(1, 20)
    pairs = conditioned_pairs(rows)
    assert len(pairs) == 40 and [p.better_id for p in pairs[:2]] == [0, 1]
    assert pairs[0].prompt.endswith(rows[0].prompt) and NURSE in pairs[0].prompt + pairs[1].prompt
    accuracy = side_accuracy(side_scores(LengthScorer(), rows, personas=False))
    assert accuracy["both_sides"]["value"] == 0.5
    assert accuracy["pair_both_right"]["value"] == 0.0


def test_embedding_match_reads_personas_that_describe_their_side():
    rows = persona_rows(6, 12)
    assert side_accuracy(embedding_match(rows))["both_sides"]["value"] == 1.0
    swapped = [
        RankedPair(r.prompt, r.chosen, r.rejected, r.persona_rejected, r.persona_chosen)
        for r in rows
    ]
    assert side_accuracy(embedding_match(swapped))["both_sides"]["value"] == 0.0


def test_persona_conditioned_judge_learns_what_the_persona_says(tmp_path: Path):
    config = PreferenceTrainingConfig(epochs=80, checkpoint_every=20)
    train, test = persona_rows(2, 96), persona_rows(3, 32)
    judge = train_persona_judge(train, tmp_path / "judge", config, progress=False)
    plain = train_persona_judge(train, tmp_path / "plain", config, personas=False, progress=False)
    conditioned = side_accuracy(side_scores(judge, test))["both_sides"]["value"]
    baseline = side_accuracy(side_scores(plain, test, personas=False))["both_sides"]["value"]
    assert baseline == 0.5
    assert conditioned >= 0.9


def test_tailoring_rows_keep_safe_targets_under_their_persona(smollm):
    row = RankedPair("Q?", "unsafe answer", "safe answer", "P1 is.", "P2 is.", True, False, True)
    rows = tailoring_rows([row])
    assert [(r.answer, r.system) for r in rows] == [("safe answer", persona_system("P2 is."))]
    assert len(tailoring_rows([row], safe_only=False)) == 2
    assert tailoring_rows([row], personas=False)[0].system is None
    [pair] = tailoring_pairs([row])
    assert (pair.chosen, pair.rejected, pair.system) == (
        "safe answer",
        "unsafe answer",
        persona_system("P2 is."),
    )
    dataset = sft_rows(smollm, rows)
    assert "P2 is." in dataset["prompt"][0] and dataset["prompt"][0].rstrip().endswith("assistant")


def test_generation_takes_a_system_prompt_per_prompt_and_an_answer_prefix(smollm):
    generator = LocalGenerator(smollm)
    config = SamplingParams(max_new_tokens=6, answer_prefix="Sure, here")
    out = generator.generate(["Say hi.", "Say bye."], config, ["You are terse.", None])
    assert all(g.text.startswith("Sure, here") for g in out)
    with pytest.raises(ValueError, match="system prompts"):
        generator.generate(["Say hi."], config, ["a", "b"])


def test_evaluate_personas_writes_results_and_report(tmp_path: Path):
    settings = PersonaEvalSettings(judge=PreferenceTrainingConfig(epochs=40), clusters=2)
    results = evaluate_personas(persona_rows(4, 48), persona_rows(5, 16), tmp_path, None, settings)
    assert results["accuracy"]["all"]["unconditioned"]["both_sides"]["value"] == 0.5
    assert results["accuracy"]["all"]["conditioned"]["pairs"] == 16
    assert sorted(len(c["examples"]) for c in results["clusters"]) == [1, 1]
    page = (tmp_path / "report.html").read_text()
    assert NURSE in page and "both sides" in page
    assert json.loads((tmp_path / "results.json").read_text())["test_pairs"] == 16


def test_cli_infer_writes_a_dataset(tmp_path: Path):
    source = tmp_path / "pairs.jsonl"
    rows = [
        {"prompt": f"Q{i}?", "chosen": "Yes, here is how.", "rejected": "No."} for i in range(2)
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = tmp_path / "pi.json"
    config.write_text(json.dumps({"sampling": {"max_new_tokens": 12}}))
    out = tmp_path / "personas.jsonl"
    result = runner.invoke(
        app, ["persona", "infer", str(source), "--out", str(out), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    written = list(load_ranked_pairs(out))
    assert len(written) == 2 and all(r.persona_chosen.startswith(PERSONA_START) for r in written)
    missing = runner.invoke(app, ["persona", "tailor", str(source), "--out", str(tmp_path / "p")])
    assert missing.exit_code == 2 and "persona inference" in missing.output
