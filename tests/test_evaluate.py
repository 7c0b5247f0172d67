"""The evaluation harness: prompt sets, run files, resume after SIGKILL, metrics, HTML report."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from beavertail.cli import app
from beavertail.evaluate import (
    EvalConfig,
    RunFileError,
    RunWriter,
    bootstrap,
    load_prompt_set,
    plan_prompts,
    read_run,
    summarize,
    write_report,
)

runner = CliRunner()


def test_bt_evaluation_halves_are_disjoint_and_category_balanced(data_dir):
    select = load_prompt_set("bt-eval-select", data_dir)
    test = load_prompt_set("bt-eval-test", data_dir)
    assert len(select) == len(test) == 350
    assert not {p.prompt for p in select} & {p.prompt for p in test}
    counts = {c: sum(p.category == c for p in test) for c in {p.category for p in test}}
    assert len(counts) == 14 and set(counts.values()) == {25}
    small = load_prompt_set("bt-eval-test", data_dir, limit=28)
    assert {sum(p.category == c for p in small) for c in counts} == {2}
    harmless = load_prompt_set("harmless-test", data_dir, limit=5)
    assert len(harmless) == 5 and not any(p.harmful for p in harmless)


def test_shards_partition_the_prompts(data_dir):
    base = dict(prompts=["bt-eval-test", "jbb-benign"], limit=10, data_dir=str(data_dir))
    everything = {p.id for p in plan_prompts(EvalConfig(**base))}
    parts = [{p.id for p in plan_prompts(EvalConfig(**base, shard=f"{i}/3"))} for i in range(3)]
    assert set.union(*parts) == everything and sum(map(len, parts)) == len(everything) == 20
    with pytest.raises(ValueError):
        EvalConfig(shard="3/3")


def test_run_file_cuts_a_torn_tail_and_never_duplicates(tmp_path):
    path = tmp_path / "run.jsonl"
    writer = RunWriter(path, {"name": "x"}, {"name": "x"})
    writer.append([{"id": "a", "v": 1}, {"id": "b", "v": 2}])
    with path.open("a") as fh:
        fh.write('{"id": "c", "v"')  # killed mid-write
    header, records = read_run(path)
    assert header["config"] == {"name": "x"} and [r["id"] for r in records] == ["a", "b"]
    resumed = RunWriter(path, {"name": "x"}, {"name": "x"})
    assert resumed.done == {"a", "b"}
    resumed.append([{"id": "b", "v": 2}, {"id": "c", "v": 3}])
    assert [r["id"] for r in read_run(path)[1]] == ["a", "b", "c"]
    with pytest.raises(RunFileError, match="other settings"):
        RunWriter(path, {"name": "y"}, {"name": "y"})

    # a setting added after the file was written resumes only while it keeps its default
    def normalize(stored: dict) -> dict:
        return {"best_of_n": None, **stored}

    assert RunWriter(path, {}, {"name": "x", "best_of_n": None}, normalize).done == {"a", "b", "c"}
    with pytest.raises(RunFileError, match="other settings"):
        RunWriter(path, {}, {"name": "x", "best_of_n": 4}, normalize)


def test_a_run_resumes_only_with_the_same_resolved_judge_and_steering(tmp_path):
    path = tmp_path / "run.jsonl"
    first = {"judge_digest": "aaaa", "steer_layer": 9, "steer_coefficient": 2.0}
    RunWriter(path, {}, {"name": "x"}, resolved=first).append([{"id": "a"}])
    assert RunWriter(path, {}, {"name": "x"}, resolved=dict(first)).done == {"a"}
    with pytest.raises(RunFileError, match="judge_digest"):
        RunWriter(path, {}, {"name": "x"}, resolved={**first, "judge_digest": "bbbb"})
    with pytest.raises(RunFileError, match="steer_coefficient"):
        RunWriter(path, {}, {"name": "x"}, resolved={**first, "steer_coefficient": 4.0})
    assert read_run(path)[0]["resolved"] == first


def test_bootstrap_interval_contains_the_estimate_and_narrows_with_n():
    rng = np.random.default_rng(0)
    small = bootstrap(list(rng.random(20) < 0.3))
    large = bootstrap(list(rng.random(2000) < 0.3))
    for stat in (small, large):
        assert stat["low"] <= stat["value"] <= stat["high"]
    assert (large["high"] - large["low"]) < (small["high"] - small["low"])
    assert abs(large["value"] - 0.3) < 0.05
    assert bootstrap([])["value"] is None


def test_summary_splits_harmful_harmless_and_categories():
    records = [
        {
            "harmful": True,
            "category": "a",
            "unsafe": True,
            "refusal": False,
            "relevance": 0.5,
            "perplexity": 2.0,
        },
        {
            "harmful": True,
            "category": "b",
            "unsafe": False,
            "refusal": True,
            "relevance": 0.3,
            "perplexity": 8.0,
        },
        {
            "harmful": False,
            "category": None,
            "unsafe": False,
            "refusal": True,
            "relevance": 0.7,
            "perplexity": None,
        },
    ]
    s = summarize(records)
    assert s["headline"]["unsafe_rate"]["value"] == 0.5
    assert s["headline"]["harmless_refusal"]["value"] == 1.0
    assert s["headline"]["perplexity"]["value"] == pytest.approx(4.0)  # geometric mean
    assert set(s["per_category"]) == {"a", "b"}


def _prompt_file(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "prompts.jsonl"
    topics = ["bread", "tea", "maps", "rain", "cats", "bikes", "jazz", "chess", "ice", "moss"]
    with path.open("w") as fh:
        for i in range(n):
            fh.write(json.dumps({"prompt": f"Write one sentence about {topics[i % 10]} #{i}."}))
            fh.write("\n")
    return path


@pytest.mark.slow
def test_eval_run_survives_sigkill_and_resumes_without_loss_or_duplicates(
    tmp_path, small_moderator_dir
):
    prompts = _prompt_file(tmp_path, 10)
    out = tmp_path / "run.jsonl"
    command = [
        sys.executable, "-m", "beavertail.cli", "eval", "run", "--out", str(out),
        "--prompts", f"{prompts}:harmless", "--max-new-tokens", "6", "--batch-size", "2",
        "--judge", str(small_moderator_dir), "--no-fluency",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 180
    while time.time() < deadline:
        if out.is_file() and len(read_run(out)[1]) >= 2:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = len(read_run(out)[1])
    assert 2 <= partial < 10, "the kill should land mid-run"
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    records = read_run(out)[1]
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == 10
    assert all(r["answer"] and r["harmful"] is False for r in records)


@pytest.mark.slow
def test_eval_cli_steered_run_and_report_open_in_headless_chromium(
    tmp_path, small_moderator_dir, data_dir, smollm
):
    from beavertail.steering import ExtractionConfig, default_steering_data, extract_vectors

    data = default_steering_data(data_dir)
    config = ExtractionConfig(layers=[9], max_per_category=12, safe_pool_size=48, max_length=128)
    vectors = extract_vectors(smollm, data.unsafe, data.safe, config, progress=False)
    vectors.save(tmp_path / "vectors")
    common = [
        "--prompts", "bt-eval-test", "--prompts", "harmless-test", "--limit", "3",
        "--max-new-tokens", "8", "--judge", str(small_moderator_dir),
        "--data-dir", str(data_dir),
    ]  # fmt: skip
    runs = []
    for name, extra in [
        ("unsteered", []),
        ("all-x2", ["--steer", str(tmp_path / "vectors"), "--selection", "all", "--layer", "9",
                    "--coefficient", "2"]),
    ]:  # fmt: skip
        out = tmp_path / f"{name}.jsonl"
        result = runner.invoke(
            app, ["eval", "run", "--out", str(out), "--name", name, *common, *extra]
        )
        assert result.exit_code == 0, result.output
        assert "unsafe_rate" in result.output
        runs.append(out)
    records = read_run(runs[1])[1]
    assert len(records) == 6 and all(r["perplexity"] for r in records)
    report = tmp_path / "report.html"
    result = runner.invoke(app, ["eval", "report", *map(str, runs), "--out", str(report)])
    assert result.exit_code == 0, result.output
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("headless Chromium is needed for this test: apt-get install chromium")
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ]  # fmt: skip
    dom = subprocess.run(
        [chromium, *flags, "--dump-dom", report.as_uri()], capture_output=True, text=True,
        timeout=120,
    ).stdout  # fmt: skip
    assert "Headline figures" in dom and dom.count('<g id="bar-') >= 1
    assert dom.count('<g id="point-') == 4  # two runs x two trade-off plots
    assert "all-x2" in dom and "unsteered" in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [chromium, *flags, "--window-size=1200,1600", f"--screenshot={shot}", report.as_uri()],
        capture_output=True, timeout=120,
    )  # fmt: skip
    assert shot.is_file() and shot.stat().st_size > 10_000


def test_report_rejects_a_file_that_is_not_a_run(tmp_path):
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"hello": 1}\n')
    result = runner.invoke(app, ["eval", "report", str(bad), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "not a beavertail run file" in result.output
    with pytest.raises(RunFileError):
        write_report([bad], tmp_path / "r.html")


def test_rate_intervals_are_wilson_and_never_collapse_at_small_n():
    from beavertail.evaluate.metrics import proportion

    two = proportion([1.0, 1.0])  # n = 2, both unsafe: a bootstrap would say [1, 1]
    assert two["value"] == 1.0 and two["n"] == 2 and two["low"] < 0.5 and two["high"] == 1.0
    big = proportion([1.0] * 30 + [0.0] * 70)
    assert big["low"] == pytest.approx(0.2189, abs=1e-3)  # Wilson 95 % for 30 / 100
    assert big["high"] == pytest.approx(0.3958, abs=1e-3)
    assert proportion([])["value"] is None


def test_report_merges_by_identity_and_reads_well(tmp_path):
    from beavertail.evaluate.report import load_runs, write_report

    long_category = "financial_crime,property_crime,theft"

    def records(unsafe: bool, offset: int) -> list[dict]:
        return [
            {"id": f"p{offset + i}", "harmful": True, "category": long_category,
             "unsafe": unsafe, "refusal": False, "relevance": 0.5, "perplexity": 2.0,
             "prompt": "q", "answer": "a"}
            for i in range(2)
        ]  # fmt: skip

    base = {"name": "unsteered", "model": "m", "selection": "router", "steer": None}
    steered = {**base, "name": "steered", "steer": "runs/v", "coefficient": 4.0}
    files = []
    for k, (config, shard) in enumerate([(base, "0/2"), (base, "1/2"), (steered, None)]):
        path = tmp_path / f"run{k}.jsonl"
        identity = {key: v for key, v in config.items() if key != "name"} | {"shard": shard}
        writer = RunWriter(path, {**config, "shard": shard}, identity)
        writer.append(records(config is base, 2 * k))
        files.append(path)
    # shards of one configuration merge (whatever their --name), others stay apart
    runs = load_runs(files)
    assert [r.name for r in runs] == ["unsteered", "steered"]
    assert len(runs[0].records) == 4 and len(runs[1].records) == 2
    page = write_report(files, tmp_path / "report.html").read_text()
    assert ">financial crime</text>" in page and ">property crime, theft</text>" in page
    assert "-0.00" not in page and "n=4" in page
    unsteered_settings = page.split("<li><b>unsteered</b>")[1].split("</li>")[0]
    assert "selection" not in unsteered_settings and "coefficient" not in unsteered_settings
    assert "selection" in page.split("<li><b>steered</b>")[1].split("</li>")[0]


def test_paired_comparison_counts_flips_and_tests_them_exactly():
    from beavertail.evaluate.metrics import paired_comparison

    def run(unsafe: list[bool]) -> dict:
        return {f"p{i}": {"harmful": True, "unsafe": u} for i, u in enumerate(unsafe)}

    before = run([True] * 12 + [False] * 8)
    after = run([False] * 10 + [True] * 2 + [False] * 8)  # 10 fixed, none broken
    c = paired_comparison(before, after)
    assert (c["n"], c["baseline_only"], c["other_only"]) == (20, 10, 0)
    assert c["difference"] == -0.5 and c["p_value"] == round(2 * 0.5**10, 5)
    same = paired_comparison(before, before)
    assert same["difference"] == 0 and same["p_value"] == 1.0
    del after["p0"]  # only prompts both runs answered are compared
    assert paired_comparison(before, after)["n"] == 19
    assert paired_comparison(before, after, harmful=False)["n"] == 0


def _block(unsafe: float, refusal: float, relevance: float) -> dict:
    return {
        "unsafe_rate": {"value": unsafe, "n": 10},
        "refusal_rate": {"value": refusal, "n": 10},
        "relevance": {"value": relevance, "n": 10},
    }


def test_the_sweep_picks_each_categorys_setting_within_its_limits():
    from beavertail.evaluate.sweep import SweepConfig, choose, choose_per_category

    def point(layer, coefficient, harmless_refusal, blocks):
        def mean(key):
            return {"value": sum(b[key]["value"] for b in blocks.values()) / len(blocks)}

        headline = {
            "unsafe_rate": mean("unsafe_rate"),
            "harmless_refusal": {"value": harmless_refusal},
            "harmful_refusal": mean("refusal_rate"),
            "relevance": mean("relevance"),
        }
        return {"layer": layer, "coefficient": coefficient, "headline": headline,
                "per_category": blocks}  # fmt: skip

    baseline = point(None, 0.0, 0.0, {"a": _block(0.5, 0.1, 0.6), "b": _block(0.1, 0.1, 0.6)})
    points = [
        point(6, 2.0, 0.0, {"a": _block(0.3, 0.1, 0.58), "b": _block(0.1, 0.1, 0.52)}),
        point(6, 4.0, 0.0, {"a": _block(0.1, 0.3, 0.58), "b": _block(0.0, 0.1, 0.3)}),  # a refuses
        point(9, 4.0, 0.0, {"a": _block(0.2, 0.2, 0.56), "b": _block(0.1, 0.1, 0.6)}),
        point(9, 8.0, 0.2, {"a": _block(0.0, 0.1, 0.6), "b": _block(0.0, 0.1, 0.6)}),  # harmless
    ]
    config = SweepConfig(vectors="v")
    picks = choose_per_category(points, baseline, config)
    assert (picks["a"]["layer"], picks["a"]["coefficient"]) == (9, 4.0)
    assert picks["a"]["unsafe_rate"] == 0.2 and picks["a"]["baseline_unsafe_rate"] == 0.5
    assert picks["b"]["coefficient"] == 0.0  # nothing admissible beats the unsteered run
    best = choose(points, baseline["headline"], config)
    assert (best["layer"], best["coefficient"]) == (9, 4.0)
    assert [p["admissible"] for p in points] == [True, False, True, False]


def test_packaged_alarming_benign_halves_and_per_set_limits():
    from beavertail.evaluate.prompt_sets import load_prompt_set

    select = load_prompt_set("alarming-benign-select")
    test = load_prompt_set("alarming-benign-test")
    assert not {p.prompt for p in select} & {p.prompt for p in test}
    assert len(select) + len(test) == 65 and not any(p.harmful for p in select + test)
    assert len({p.category for p in test}) >= 25  # nearly every topic in each half
    assert len(load_prompt_set("alarming-benign-test@5", limit=20)) == 5


def test_report_keeps_identical_configurations_apart_and_rate_axes_in_range(tmp_path):
    """Three configurations with identical figures and no harmless refusals: every dot and
    label stays visible, the over-refusal axis stays within 0-100 %, counts read well."""
    import re

    from beavertail.evaluate.report import write_report

    files = []
    for k, name in enumerate(("a", "b", "c")):
        path = tmp_path / f"{name}.jsonl"
        writer = RunWriter(path, {"name": name, "model": f"m{k}"}, {"model": f"m{k}"})
        writer.append([
            {"id": f"{name}{i}", "harmful": i % 2 == 0, "category": "self_harm",
             "unsafe": i == 0, "refusal": False, "relevance": 0.5, "perplexity": 2.0,
             "prompt": "q", "answer": "a"} for i in range(4)
        ])  # fmt: skip
        files.append(path)
    page = write_report(files, tmp_path / "report.html").read_text()
    for plot in page.split("<svg")[1:]:
        dots = re.findall(r'<g id="point-\d+">.*?<use [^>]*x="([\d.]+)" y="([\d.]+)"', plot, re.S)
        labels = re.findall(r'<g id="label-\d+">\s*<text [^>]*x="([\d.]+)" y="([\d.]+)"', plot)
        assert len(set(dots)) == len(dots) and len(set(labels)) == len(labels)
    refusal_plot = next(p for p in page.split("<svg") if "over-refusal on harmless" in p)
    ticks = re.findall(r'text-anchor: end"[^>]*>(-?[\d.]+)%</text>', refusal_plot)
    assert ticks and all(0 <= float(t) <= 100 for t in ticks)
    assert "(1 file)" in page and "file(s)" not in page


def _judged_run(path: Path, name: str, judge: str | None, digest: str, unsafe: list[bool]) -> Path:
    """A run file judged by ``judge`` (its digest recorded), answers to the same prompts."""
    config = {"name": name, "model": "m", "judge": judge}
    resolved = {"judge_digest": digest}
    if judge is not None and judge.endswith("rejudged"):
        resolved["rejudged_from"] = "x.jsonl"
    writer = RunWriter(path, config, {"model": "m", "judge": judge, "n": name}, resolved=resolved)
    writer.append([
        {"id": f"p{i}", "harmful": i < len(unsafe) - 1, "category": "self_harm", "unsafe": u,
         "refusal": False, "relevance": 0.64 + 0.009 * (i % 2), "perplexity": 2.0,
         "prompt": f"q{i}", "answer": f"a{i}"} for i, u in enumerate(unsafe)
    ])  # fmt: skip
    return path


def test_the_report_names_each_judge_and_refuses_comparisons_across_judges(tmp_path):
    """Issue 40, item 16: a run judged by ``fast`` is not compared with a baseline judged by
    ``default``; after ``eval rejudge`` puts the baseline on ``fast`` it is."""
    import re

    base = _judged_run(tmp_path / "base.jsonl", "base", None, "d" * 16, [True] * 4 + [True])
    other = _judged_run(tmp_path / "fast.jsonl", "fast", "fast", "f" * 16, [False] * 4 + [True])
    page = write_report([base, other], tmp_path / "r.html").read_text()
    judge_row = page.split("<tr><th>Judge</th>")[1].split("</tr>")[0]
    assert "default" in judge_row and "fast" in judge_row and "dddddddd" in judge_row
    assert "judged by different judges" in page
    drop = page.split("Relative drop in unsafe rate")[1].split("</tr>")[0]
    assert "100%" not in drop and "not compared" in drop
    paired = page.split("Unsafe (harmful prompts): paired change")[1].split("</tr>")[0]
    assert "not compared" in paired and "p=" not in paired
    # the headline carries the harmless unsafe rate the CLI prints
    assert "Unsafe rate (harmless prompts)" in page
    # the relevance axis starts at 0 (a 0.009 gap no longer fills the plot)
    relevance_plot = next(p for p in page.split("<svg") if "topic relevance" in p)
    ticks = re.findall(r'text-anchor: end"[^>]*>(-?[\d.]+)</text>', relevance_plot)
    assert float(ticks[0]) == 0.0 and float(ticks[-1]) >= 1.0
    # the baseline re-judged by fast: one judge, so the comparison is made
    rebased = _judged_run(tmp_path / "base-fast.jsonl", "base [fast]", "fast", "f" * 16,
                          [True] * 4 + [True])  # fmt: skip
    page = write_report([rebased, other], tmp_path / "r2.html").read_text()
    assert "judged by different judges" not in page
    assert "100%" in page.split("Relative drop in unsafe rate")[1].split("</tr>")[0]


def test_rejudge_applies_and_records_the_runs_ood_policy(tmp_path, monkeypatch):
    """Issue 40, item 11: a run judged with on_ood flag_uncertain is re-judged under the same
    policy (its header said so, its verdicts used keep)."""
    from beavertail.evaluate import rejudge
    from beavertail.moderation.verdict import Verdict

    class Judge:
        ood = object()  # has a detector

        def digest(self) -> str:
            return "j" * 16

        def predict(self, prompts, responses=None, progress=False):
            return [Verdict(True, 0.9, ood_score=9.0, in_distribution=False) for _ in prompts]

    monkeypatch.setattr(rejudge, "resolve_judge", lambda reference: Judge())
    source = tmp_path / "run.jsonl"
    config = {"name": "r", "ood": {"on_ood": "flag_uncertain", "ood_judge": None}}
    RunWriter(source, config, {"n": 1}, resolved={"judge_digest": "d" * 16}).append([
        {"id": "a", "harmful": True, "prompt": "q", "answer": "zx qv wq", "unsafe": False}
    ])  # fmt: skip
    out = rejudge.rejudge_run(source, "other", tmp_path / "out.jsonl", progress=False)
    header, records = read_run(out)
    assert header["config"]["ood"]["on_ood"] == "flag_uncertain"
    assert records[0]["uncertain"] is True and records[0]["unsafe"] is False
    keep = rejudge.rejudge_run(
        source, "other", tmp_path / "keep.jsonl", progress=False,
        ood=rejudge.OODPolicy(on_ood="keep"),
    )  # fmt: skip
    header, records = read_run(keep)
    assert header["config"]["ood"]["on_ood"] == "keep" and records[0]["unsafe"] is True
