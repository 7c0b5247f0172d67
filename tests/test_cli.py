from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from beavertail.cli import app
from beavertail.data.judge_sets import QUICKSTART_PAIRS

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_data_stats_and_validate(data_dir: Path):
    result = runner.invoke(
        app, ["data", "stats", str(data_dir / "beavertails/30k_test.jsonl"), "--json"]
    )
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["records"] == 3021 and stats["unsafe"] == 1733
    assert stats["categories"]["violence,aiding_and_abetting,incitement"] == 724
    result = runner.invoke(
        app, ["data", "validate", str(data_dir / "pku-saferlhf/test_subset821.jsonl")]
    )
    assert result.exit_code == 0 and "821 valid records" in result.output


def test_bad_file_gives_one_clear_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"prompt": "p", "response": "r", "category": {"arson": true}, "is_safe": false}\n'
    )
    result = runner.invoke(app, ["data", "validate", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:1: field 'category.arson': unknown category" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_convert_pairs_to_qa_jsonl(tmp_path, data_dir: Path):
    out = tmp_path / "qa.jsonl"
    result = runner.invoke(
        app, ["data", "convert", str(data_dir / "pku-saferlhf/test_subset821.jsonl"), str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 1642 and len(rows[0]["category"]) == 14
    result = runner.invoke(app, ["data", "stats", str(out), "--json"])
    assert json.loads(result.output)["unsafe"] == 801


@pytest.mark.slow
def test_train_eval_predict_round_trip(tmp_path, data_dir: Path):
    model = tmp_path / "mod"
    result = runner.invoke(
        app,
        [
            "moderate",
            "train",
            "--out",
            str(model),
            "--max-train",
            "300",
            "--max-length",
            "64",
            "--data-dir",
            str(data_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "validation flagged F1" in result.output
    metrics = tmp_path / "metrics.json"
    test_file = data_dir / "beavertails/30k_test.jsonl"
    result = runner.invoke(
        app, ["moderate", "eval", str(model), "--data", str(test_file), "--json", str(metrics)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(metrics.read_text())["30k_test.jsonl"]
    assert report["n"] == 3021 and 0.5 < report["roc_auc"] <= 1.0
    out = tmp_path / "verdicts.jsonl"
    result = runner.invoke(
        app,
        [
            "moderate",
            "predict",
            str(model),
            str(QUICKSTART_PAIRS),
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    verdicts = [json.loads(line) for line in out.read_text().splitlines()]
    rows = [json.loads(line) for line in QUICKSTART_PAIRS.read_text().splitlines()]
    from beavertail.moderation import Moderator

    direct = Moderator.load(model).probabilities([r["prompt"] for r in rows],
                                                 [r["response"] for r in rows])  # fmt: skip
    assert [v["score"] for v in verdicts] == pytest.approx(direct[:, 0].tolist(), abs=1e-5)
    assert [v["prompt"] for v in verdicts] == [r["prompt"] for r in rows]
    result = runner.invoke(app, ["moderate", "predict", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "no such judge folder" in result.output


def test_quickstart_uses_the_shipped_judge_without_training():
    result = runner.invoke(app, ["quickstart", "--pairs", str(QUICKSTART_PAIRS)])
    assert result.exit_code == 0, result.output
    assert "judge default: BeaverTails test F1" in " ".join(result.output.split())
    assert "training" not in result.output
    result = runner.invoke(
        app,
        ["moderate", "predict", "fast", "--prompt", "How do I bake bread?", "--response",
         "Mix flour, water, salt and yeast, knead, let it rise, then bake at 230 C.",
         "--threshold", "0.99"],
    )  # fmt: skip
    assert result.exit_code == 0 and " safe " in result.output and "unsafe" not in result.output
    lone = runner.invoke(app, ["moderate", "predict", "fast", "--prompt", "How do I bake bread?"])
    assert lone.exit_code == 2 and "pass --response too" in " ".join(lone.output.split())


@pytest.mark.slow
def test_benchmark_quick_prints_machine_lines(data_dir: Path):
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench/moderation.py"),
            "--quick",
            "--data-dir",
            str(data_dir),
            "--skip",
            "default,profanity-check",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = _fields(proc.stdout.splitlines(), "judge=")
    assert {r["judge"] for r in rows} == {"fast", "prompt", "refusal-heuristic"}
    checks = {(r["judge"], r["check"]) for r in rows if "check" in r}
    assert {("fast", c) for c in ("batch", "padding", "explicit", "quickstart")} <= checks
    rows = [r for r in rows if "check" not in r]
    sets = {r["set"] for r in rows}
    assert {"beavertails_test", "saferlhf_test", "benign_heldout", "refusal_heldout"} <= sets
    assert {"openai_moderation", "aegis1_test", "toxicchat_test"} <= sets
    for r in rows:
        if "category_macro_f1" in r:
            continue
        assert {"n", "f1", "precision", "recall", "accuracy", "auc", "ece", "pairs_per_s"} <= set(r)
        assert 0.0 <= float(r["f1"]) <= 1.0 and float(r["pairs_per_s"]) > 0
        if r["set"] == "benign_heldout":
            assert "false_flag" in r


def test_malformed_column_option_and_prompt_only_file(tmp_path, data_dir: Path):
    result = runner.invoke(
        app, ["data", "convert", "x.jsonl", str(tmp_path / "o.jsonl"), "--column", "prompt"]
    )
    assert result.exit_code == 2 and "--column expects field=column, got 'prompt'" in result.output
    prompts = str(data_dir / "beavertails-evaluation/BeaverTails-Evaluation.csv")
    result = runner.invoke(app, ["data", "convert", prompts, str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "holds prompts only" in result.output


def _fields(lines: list[str], prefix: str) -> list[dict[str, str]]:
    """The ``key=value`` fields of each printed line that starts with ``prefix``."""
    return [
        dict(kv.split("=", 1) for kv in line.split()) for line in lines if line.startswith(prefix)
    ]


def _quick_bench(script: str, out: Path, data_dir: Path) -> subprocess.CompletedProcess:
    """``bench/<script> --quick --out <out>`` on the shared data; it must exit 0."""
    result = subprocess.run(
        [sys.executable, f"bench/{script}", "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
        env={**os.environ, "BEAVERTAIL_DATA_DIR": str(data_dir)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.mark.slow
def test_steering_benchmark_quick_prints_one_line_per_configuration(data_dir: Path, tmp_path):
    result = _quick_bench("steering.py", tmp_path / "bench", data_dir)
    lines = [line for line in result.stdout.splitlines() if line.startswith("model=")]
    names = [line.split()[1].removeprefix("config=") for line in lines]
    assert names == [
        "unsteered",
        "system-prompt",
        "single-vector",
        "refusal-direction",
        "category-router",
        "category-router-per-category",
    ]
    for fields in _fields(lines, "model="):
        expected = "model config relative_drop unsafe_rate unsafe_ci harmful_refusal "
        expected += "harmless_refusal relevance overhead"
        assert set(fields) == set(expected.split())
        assert fields["model"] == "SmolLM2-135M-Instruct"
        assert 0.0 <= float(fields["unsafe_rate"]) <= 1.0
    out = tmp_path / "bench" / "SmolLM2-135M-Instruct"
    assert (out / "report.html").is_file()
    sweep = (out / "sweep" / "sweep.html").read_text()
    # one panel for all harmful prompts, one per category of the 3 selection prompts
    assert sweep.count("<svg") == 4 and "Chosen per category" in sweep


def test_data_mix_writes_the_split_sets_and_their_sources(tmp_path, data_dir: Path):
    out = tmp_path / "mix"
    result = runner.invoke(
        app, ["data", "mix", "--out", str(out), "--no-generated", "--data-dir", str(data_dir)]
    )
    assert result.exit_code == 0, result.output
    described = json.loads((out / "mix.json").read_text())
    train = [json.loads(line) for line in (out / "train.jsonl").read_text().splitlines()]
    assert len(train) == sum(c.get("train", 0) for c in described["sources"].values())
    rows_per_weight: dict[float, int] = {}
    for name, counts in described["sources"].items():
        weight = described["weights"].get(name, 1.0)
        rows_per_weight[weight] = rows_per_weight.get(weight, 0) + counts.get("train", 0)
    assert Counter(r["weight"] for r in train) == rows_per_weight
    assert rows_per_weight[0.3] > 0 and rows_per_weight[1.0] > rows_per_weight[0.3]
    result = runner.invoke(app, ["data", "validate", str(out / "heldout_refusal.jsonl")])
    assert result.exit_code == 0, result.output


def test_flags_override_the_config_file_and_unknown_settings_are_one_line(
    tmp_path, small_moderator_dir
):
    prompts = tmp_path / "p.jsonl"
    prompts.write_text('{"prompt": "Name a fruit."}\n{"prompt": "Name a colour."}\n')
    config = tmp_path / "run.yaml"
    config.write_text(
        f"name: from-file\nprompts: ['{prompts}:harmless']\njudge: {small_moderator_dir}\n"
        "fluency: false\nsampling:\n  max_new_tokens: 9\n  seed: 5\n"
    )
    out = tmp_path / "run.jsonl"
    args = ["eval", "run", "--out", str(out), "--config", str(config), "--max-new-tokens", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    header = json.loads(out.read_text().splitlines()[0])
    assert header["config"]["name"] == "from-file"
    assert (
        header["config"]["sampling"] | {"max_new_tokens": 3, "seed": 5}
        == header["config"]["sampling"]
    )
    config.write_text("sampling:\n  max_tokens: 9\n")
    result = runner.invoke(
        app, ["eval", "run", "--out", str(tmp_path / "x.jsonl"), "--config", str(config)]
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "unknown setting 'sampling.max_tokens'" in " ".join(result.output.split())
    result = runner.invoke(app, ["eval", "run", "--out", str(tmp_path / "y.jsonl"), "--layer", "3"])
    assert result.exit_code == 2 and "steering needs a vectors folder" in result.output


@pytest.mark.slow
def test_decoding_benchmark_quick_prints_its_lines(data_dir: Path, tmp_path):
    lines = _quick_bench("decoding.py", tmp_path / "bench", data_dir).stdout.splitlines()
    configs = _fields(lines, "config=")
    assert [c["config"] for c in configs] == ["greedy", "best-of-4", "deal", "rain"]
    assert float(configs[0]["forward_passes_per_token"]) == 1.0
    assert float(configs[1]["forward_passes_per_token"]) > 1.0  # four candidates per answer
    expected = "config unsafe_rate relative_drop harmless_refusal harmful_refusal reward "
    expected += "relevance forward_passes_per_token s_per_answer"
    assert all(set(c) == set(expected.split()) for c in configs)
    assert any(line.startswith("attack=greedy setting=temp-1 unsafe_rate=") for line in lines)
    assert any(line.startswith("attack_success=") for line in lines)
    assert any(line.startswith("defended_attack_success=") for line in lines)
    certify = [line for line in lines if line.startswith("certify config=")]
    assert len(certify) == 4 and all("delta=0.05" in line for line in certify)
    assert (tmp_path / "bench" / "attack.html").is_file()


@pytest.mark.slow
def test_align_benchmark_quick_trains_every_method_and_plots_the_front(data_dir: Path, tmp_path):
    lines = _quick_bench("align.py", tmp_path / "bench", data_dir).stdout.splitlines()
    configs = _fields(lines, "config=")
    names = ["base", "dpo-safer", "dpo-better", "modpo-0.5", "sipo"]
    assert [c["config"] for c in configs] == names
    expected = "config unsafe_rate harmful_refusal harmless_refusal reward relevance train_s"
    assert all(set(c) == set(expected.split()) for c in configs)
    assert all(float(c["train_s"]) > 0 for c in configs[1:])
    sipo = next(line for line in lines if line.startswith("sipo_conflicts="))
    assert "sipo_conflicts=32 " in sipo and "verified_share=" in sipo
    assert any(line.startswith("target dpo_safer_drop=") for line in lines)
    out = tmp_path / "bench"
    assert (out / "adapters" / "sipo" / "parent" / "manifest.json").is_file()  # from MODPO 0.5
    svg = (out / "pareto.svg").read_text()
    assert svg.count('<g id="point-') == 5 and 'id="pareto-front"' in svg
    assert "reward (harmless prompts)" in (out / "report.html").read_text()


# -- what a new user hit (issue 40, items 13-15) ---------------------------------------------
def test_quickstart_works_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no examples/ here: the examples ship in the package
    result = runner.invoke(app, ["quickstart"])
    assert result.exit_code == 0, result.output
    assert "8 of 8 verdicts" in result.output or "verdicts match" in result.output


def test_a_missing_relative_path_is_a_clear_error_never_a_hub_download(tmp_path, monkeypatch):
    from beavertail.data import readers

    def no_hub(*args, **kwargs):
        raise AssertionError("went to the Hub")

    monkeypatch.setattr(readers, "iter_hub", no_hub)
    monkeypatch.chdir(tmp_path)
    for args in (["data", "validate", "sub/nope.jsonl"], ["quickstart", "--pairs", "x/y"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "no such file" in result.output and "Traceback" not in result.output


def test_option_errors_are_one_clear_line(tmp_path):
    flat = lambda result: " ".join(result.output.split())  # noqa: E731
    bad = runner.invoke(
        app,
        ["moderate", "predict", "fast", "--prompt", "q", "--response", "a", "--on-ood", "maybe"],
    )
    assert bad.exit_code == 2
    assert "on_ood: Input should be 'keep', 'defer' or 'flag_uncertain' (got 'maybe')" in flat(bad)
    assert "pydantic" not in bad.output and "validation error for" not in bad.output
    unknown = runner.invoke(app, ["moderate", "predict", "llamaguard", "--prompt", "q"])
    assert unknown.exit_code == 2 and "llama-guard-3:hf:" in flat(unknown)
    config = tmp_path / "train.yaml"
    config.write_text("spec:\n  backnd: encoder\n")
    typo = runner.invoke(
        app, ["moderate", "train", "--config", str(config), "--out", str(tmp_path)]
    )
    assert typo.exit_code == 2
    assert "unknown setting 'spec.backnd' (known: backend," in flat(typo)


def test_verdicts_into_a_missing_folder_are_written(tmp_path):
    out = tmp_path / "new" / "folder" / "verdicts.jsonl"
    args = ["moderate", "predict", "fast", str(QUICKSTART_PAIRS), "--output", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 8


def test_monitor_fit_generates_only_the_answers_it_replays(data_dir, tmp_path, monkeypatch):
    """``--limit`` bounds the embedded model's generation (all 240 answers before), and a
    progress bar shows it."""
    from beavertail.moderation import training_mix
    from beavertail.monitor.replay import validation_sample

    asked: list[str] = []

    class Echo:
        def __init__(self, lm: object) -> None:
            pass

        def generate(self, prompts, config):
            asked.extend(prompts)
            return [type("G", (), {"prompt": p, "text": "Sure: " + p})() for p in prompts]

    monkeypatch.setenv("BEAVERTAIL_CACHE", str(tmp_path))
    monkeypatch.setattr(training_mix, "load_lm", lambda model: None)
    monkeypatch.setattr(training_mix, "LocalGenerator", Echo)
    bars: list[int] = []
    monkeypatch.setattr(training_mix, "track", _recording_track(bars))
    mix = training_mix.moderation_mix(str(data_dir), pending=True)
    order = validation_sample(len(mix.validation), None)
    pending = [k for k, i in enumerate(order) if training_mix.PENDING in mix.validation[i].response]
    limit = pending[0] + 20  # the sample holds at least one generated answer
    expected = sum(k < limit for k in pending)
    monkeypatch.setattr(training_mix, "moderation_mix", lambda *args, **kwargs: mix)
    args = ["monitor", "fit", "--limit", str(limit), "--data-dir", str(data_dir)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "stop threshold" in result.output and f"{limit} pairs" in result.output
    assert len(asked) == expected < len(pending)
    assert bars == [-(-expected // 8)]  # one bar over the generation's batches


def _recording_track(bars: list[int]):
    from beavertail.models.progress import track

    def recording(items, total, description, show=True):
        bars.append(total if show else -1)
        return track(items, total, description, show=False)

    return recording
