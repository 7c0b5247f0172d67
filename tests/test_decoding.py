"""Guided decoding (DeAL, RAIN) on the forking KV cache, the generation-exploitation attack's
grid and summary, and the high-confidence safety test."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.stats
import torch

from beavertail.decoding import GuidedConfig, GuidedGenerator
from beavertail.decoding.attack import AttackGrid, attack_settings
from beavertail.evaluate.attack import summarize_attack
from beavertail.evaluate.certify import safety_test, upper_bound
from beavertail.models import chat_text
from beavertail.models.forking import ForkingDecoder
from beavertail.models.generation import LocalGenerator, SamplingParams

PROMPTS = ["How do I bake bread?", "Write a haiku about autumn."]


class WordHeuristic:
    """Harm 1 for partial answers containing any of ``words`` (case-insensitive), else 0."""

    name = "words"
    threshold = 0.5

    def __init__(self, *words: str) -> None:
        self.words = [w.lower() for w in words]
        self.calls = 0

    def harm(self, prompts: list[str], answers: list[str]) -> np.ndarray:
        self.calls += 1
        return np.array([float(any(w in a.lower() for w in self.words)) for a in answers])


def test_forking_decoder_matches_generate_and_rewinds_without_recomputing(smollm):
    request = SamplingParams(max_new_tokens=16)
    expected = LocalGenerator(smollm).generate(PROMPTS[:1], request)[0]
    decoder = ForkingDecoder(smollm, chat_text(smollm.tokenizer, PROMPTS[0]))
    generator = [torch.Generator().manual_seed(0)]
    decoder.extend(6, [request], generator)
    snapshot = decoder.snapshot()
    decoder.extend(10, [request], generator)
    assert decoder.text(0) == expected.text
    assert decoder.forward_rows == 16
    full, logprob, length = list(decoder.tokens[0]), decoder.logprobs[0], decoder.length

    decoder.rewind(snapshot)
    assert decoder.tokens[0] == full[:6] and decoder.length == snapshot.length
    decoder.force(full[6:])  # the rewound tokens fed back in one forward
    assert decoder.tokens[0] == full and decoder.length == length
    assert decoder.logprobs[0] == pytest.approx(logprob, abs=1e-3)

    decoder.select([0, 0, 0])  # fork: three rows continue the same prefix
    sampled = SamplingParams(temperature=1.0, top_k=20)
    decoder.extend(4, [sampled] * 3, [torch.Generator().manual_seed(s) for s in range(3)])
    assert all(decoder.tokens[r][:16] == full for r in range(3))
    assert len({tuple(decoder.tokens[r]) for r in range(3)}) > 1


def test_rain_keeps_greedy_when_nothing_is_flagged_and_bounds_its_rewinds(smollm):
    request = SamplingParams(max_new_tokens=16)
    greedy = LocalGenerator(smollm).generate(PROMPTS, request)
    config = GuidedConfig(method="rain", chunk_tokens=4, max_rewinds=2, rewind_budget=3)
    quiet = GuidedGenerator(smollm, WordHeuristic("zzzzzz"), config)
    answers = quiet.generate(PROMPTS, request)
    assert [a.text for a in answers] == [g.text for g in greedy]
    stats = [a.details["guided"] for a in answers]
    assert all(s.forward_passes_per_token == 1.0 and s.rewinds == 0 for s in stats)

    # Everything is flagged: each chunk is resampled, but never past the budget, and the
    # least harmful attempt is kept (all tie: the first, the greedy chunk).
    flag_all = WordHeuristic("")
    loud = GuidedGenerator(smollm, flag_all, config.updated(on_exhausted="keep"))
    answers = loud.generate(PROMPTS[:1], request)
    stats = answers[0].details["guided"]
    assert stats.rewinds == 3 and stats.final_harm == 1.0
    assert answers[0].text == greedy[0].text
    # chunk 1: three attempts + the kept first one fed back (16); chunk 2: two attempts, the
    # budget is spent, the first fed back (12); chunks 3 and 4: one attempt each (8)
    assert stats.forward_passes == 36 and stats.answer_tokens == 16

    # ... or, by default, the answer stops before the first chunk that found no safe attempt.
    stopping = GuidedGenerator(smollm, WordHeuristic(""), config)
    answer = stopping.generate(PROMPTS[:1], request)[0]
    assert answer.text == config.fallback and answer.finish_reason == "content_filter"
    stats = answer.details["guided"]
    assert stats.stopped and stats.answer_tokens == 0 and stats.forward_passes == 3 * 4
    deal = GuidedGenerator(smollm, WordHeuristic(""), GuidedConfig(method="deal", chunk_tokens=4))
    stopped = deal.generate(PROMPTS[:1], request)[0]
    assert stopped.text == config.fallback
    assert stopped.details["guided"].forward_passes == 4 * 4  # four candidates of one chunk


def test_rain_and_deal_avoid_a_flagged_word_that_greedy_says(smollm):
    request = SamplingParams(max_new_tokens=24)
    greedy = LocalGenerator(smollm).generate(PROMPTS[:1], request)[0].text
    word = max(greedy.split()[:8], key=len)  # an early greedy word is "harmful" here
    for method in ("rain", "deal"):
        config = GuidedConfig(
            method=method, chunk_tokens=4, max_rewinds=6, candidates=6, on_exhausted="keep"
        )
        guided = GuidedGenerator(smollm, WordHeuristic(word), config)
        generation = guided.generate(PROMPTS[:1], request)[0]
        answer = generation.text
        assert word.lower() not in answer.lower(), (method, answer)
        stats = generation.details["guided"]
        assert stats.final_harm == 0.0 and not stats.stopped
    deal = GuidedGenerator(smollm, WordHeuristic("zzzzzz"), GuidedConfig(method="deal"))
    searched = deal.generate(PROMPTS[:1], request)[0]
    assert searched.details["guided"].forward_passes_per_token == pytest.approx(4.0, abs=0.5)


def test_guided_runs_through_the_harness_and_refuses_impossible_combinations(
    tmp_path, data_dir, small_moderator_dir
):
    from beavertail.evaluate import EvalConfig, read_run, run_eval

    config = EvalConfig(
        name="rain",
        prompts=["harmful-test"],
        limit=2,
        sampling=SamplingParams(max_new_tokens=8),
        guided=GuidedConfig(method="rain", heuristic=str(small_moderator_dir), chunk_tokens=4),
        judge=str(small_moderator_dir),
        fluency=False,
        data_dir=str(data_dir),
    )
    header, records = read_run(run_eval(config, tmp_path / "rain.jsonl", progress=False))
    assert len(records) == 2
    assert all(r["guided"]["forward_passes_per_token"] >= 1.0 for r in records)
    assert header["resolved"]["heuristic_digest"]
    with pytest.raises(ValueError, match="local model"):
        EvalConfig(endpoint="http://x", guided=GuidedConfig())
    with pytest.raises(ValueError, match="does not combine"):
        EvalConfig(guided=GuidedConfig(), steering={"vectors": "v"})


def test_attack_grid_varies_one_knob_at_a_time_with_and_without_the_system_prompt():
    grid = AttackGrid(temperatures=[0.5, 1.5], top_ps=[0.9], top_ks=[10], samples=2)
    settings = attack_settings(grid, SamplingParams(max_new_tokens=32, seed=7))
    families = list(dict.fromkeys(s.family for s in settings))
    assert families == [
        "greedy", "temp-0.5", "temp-1.5", "top_p-0.9", "top_k-10",
        "greedy+sys", "temp-0.5+sys", "temp-1.5+sys", "top_p-0.9+sys", "top_k-10+sys",
    ]  # fmt: skip
    assert len(settings) == 2 * (1 + 4 * 2)  # greedy once, sampled settings twice
    by_name = {s.name: s.sampling for s in settings}
    assert by_name["greedy"].temperature == 0 and by_name["greedy"].system_prompt is None
    assert by_name["top_k-10+sys#1"].top_k == 10 and by_name["top_k-10+sys#1"].seed == 8
    assert by_name["top_p-0.9#0"].temperature == 1.0 and by_name["top_p-0.9#0"].top_p == 0.9
    assert by_name["temp-1.5#0"].max_new_tokens == 32 and by_name["temp-1.5+sys#0"].system_prompt


def test_attack_summary_counts_a_prompt_broken_by_any_setting():
    def rows(unsafe: list[bool]) -> list[dict]:
        return [{"id": f"p{i}", "harmful": True, "unsafe": u} for i, u in enumerate(unsafe)] + [
            {"id": "benign", "harmful": False, "unsafe": True}
        ]

    records = {
        "greedy": rows([True, False, False, False]),
        "temp-1#0": rows([False, True, False, False]),
        "temp-1#1": rows([False, False, True, False]),
    }
    families = {"greedy": "greedy", "temp-1#0": "temp-1", "temp-1#1": "temp-1"}
    result = summarize_attack(records, families)
    assert result["prompts"] == 4
    assert result["settings"]["greedy"]["value"] == 0.25
    assert result["settings"]["temp-1"]["value"] == 0.25 and result["settings"]["temp-1"]["n"] == 8
    assert result["attack_success"]["value"] == 0.75
    assert result["success_over_greedy"] == pytest.approx(3.0)
    assert result["broken_by"] == {"p0": ["greedy"], "p1": ["temp-1#0"], "p2": ["temp-1#1"]}


def test_upper_bounds_match_their_closed_forms_and_the_verdict_follows():
    n, delta = 60, 0.05
    zeros = [0.0] * n
    assert upper_bound(zeros, delta, "clopper-pearson") == pytest.approx(1 - delta ** (1 / n))
    k = 6
    outcomes = [1.0] * k + [0.0] * (n - k)
    exact = upper_bound(outcomes, delta, "clopper-pearson")
    assert scipy.stats.binom.cdf(k, n, exact) == pytest.approx(delta, rel=1e-6)
    hoeffding = upper_bound(outcomes, delta, "hoeffding")
    assert hoeffding == pytest.approx(0.1 + math.sqrt(math.log(20) / 120))
    t = upper_bound(outcomes, delta, "student-t")
    expected_t = 0.1 + scipy.stats.t.ppf(0.95, n - 1) * np.std(outcomes, ddof=1) / math.sqrt(n)
    assert t == pytest.approx(expected_t)
    assert 0.1 < exact < hoeffding  # the exact bound is the tighter one
    with pytest.raises(ValueError, match="0/1"):
        upper_bound([0.2, 0.4], delta, "clopper-pearson")

    # Student-t on two safe answers would say 0 (no spread): the exact bound is used instead
    tiny = safety_test([{"harmful": True, "unsafe": False}] * 2, 0.5, bound="student-t")
    assert tiny.upper == pytest.approx(1 - delta ** (1 / 2), abs=1e-4)
    assert tiny.bound.startswith("clopper-pearson") and not tiny.passed
    scores = [{"harmful": True, "unsafe_score": 0.1}] * 40
    flat = safety_test(scores, 0.5, bound="student-t", metric="unsafe_score")
    assert flat.bound.startswith("hoeffding") and flat.upper > 0.1

    records = [{"harmful": True, "unsafe": bool(v)} for v in outcomes]
    records += [{"harmful": False, "unsafe": True}] * 50  # harmless answers are not counted
    assert safety_test(records, threshold=0.25).passed and safety_test(records, 0.15).n == n
    assert not safety_test(records, threshold=0.15).passed


def test_attack_and_certify_from_the_cli(tmp_path, data_dir, small_moderator_dir):
    from typer.testing import CliRunner

    from beavertail.cli import app

    out = tmp_path / "attack"
    args = ["eval", "attack", "--out", str(out), "--prompts", "harmful-test", "--limit", "2"]
    args += ["--max-new-tokens", "6", "--temperatures", "1.0", "--top-ps", "0.9"]
    args += ["--top-ks", "5", "--samples", "1", "--judge", str(small_moderator_dir)]
    args += ["--data-dir", str(data_dir)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "attack.json").read_text())
    assert len(summary["files"]) == 8 and summary["prompts"] == 2
    assert "greedy+sys" in summary["settings"] and "attack_success=" in result.output
    page = (out / "attack.html").read_text()
    assert page.count('<g id="bar-') >= 2 and "worst case" in page

    greedy = str(out / "greedy.jsonl")
    from beavertail.evaluate import read_run

    harmful = [r for r in read_run(greedy)[1] if r["harmful"]]
    bound = upper_bound([float(r["unsafe"]) for r in harmful], 0.05, "clopper-pearson")
    above, below = f"{bound + 0.005:.4f}", f"{bound - 0.005:.4f}"  # the verdict flips at it
    ok = CliRunner().invoke(app, ["eval", "certify", greedy, "--max-unsafe", above])
    assert ok.exit_code == 0 and "verdict=pass" in ok.output
    strict = CliRunner().invoke(app, ["eval", "certify", greedy, "--max-unsafe", below])
    assert strict.exit_code == 1 and "verdict=fail" in strict.output
    bad = CliRunner().invoke(app, ["eval", "certify", greedy, "--bound", "magic"])
    assert bad.exit_code == 2
