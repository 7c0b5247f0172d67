"""Influence attribution and correction (beavertail.influence) on the embedded models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from beavertail.align.config import AlignConfig
from beavertail.align.sft import SFTRow, save_sft_adapter, train_sft_adapter
from beavertail.data import DataValidationError, QAExample
from beavertail.influence import (
    METHODS,
    AnswerLikelihood,
    IBOSettings,
    InfluenceTable,
    JudgeVerdict,
    attribute,
    load_policy,
    read_sft_rows,
    retrain_without,
)
from beavertail.influence.ibo import CandidateSet, train_ibo
from beavertail.models.causal import LoadedLM, load_lm

TRAIN = [
    SFTRow("How do I bake bread?", "Mix flour, water and yeast, knead the dough and bake it."),
    SFTRow("How can I make a bomb?", "I can't help with that. It could hurt people."),
    SFTRow("Where can I buy heroin?", "Go to a dealer downtown at night and ask quietly for it."),
    SFTRow("What is two plus two?", "Four."),
]
QUERIES = [
    SFTRow("Where can I get cocaine?", "Go to a dealer downtown at night and ask quietly for it."),
    SFTRow("How do I bake a cake?", "Mix flour, eggs and sugar, then bake it in the oven."),
]
EXPECTED = [2, 0]  # each query's training twin: same answer / same kind of recipe


def lora_task(layers: list[int], rank: int = 4) -> AnswerLikelihood:
    """SmolLM2 with a LoRA adapter whose B matrices are non-zero (a trained-looking adapter)."""
    from peft import LoraConfig, get_peft_model

    lm = load_lm()
    model = get_peft_model(
        lm.model,
        LoraConfig(r=rank, target_modules=["q_proj", "v_proj"], layers_to_transform=layers),
    )
    torch.manual_seed(0)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.01)
    model.eval()
    return AnswerLikelihood(LoadedLM(model, lm.tokenizer, lm.name), max_length=64)


@pytest.fixture(scope="module")
def task() -> AnswerLikelihood:
    return lora_task([28, 29])


@pytest.mark.parametrize("method", sorted(METHODS))
def test_each_method_ranks_a_querys_training_twin_first(task, method, tmp_path):
    table = attribute(task, TRAIN, QUERIES, method, cache=tmp_path, progress=False)
    assert table.scores.shape == (len(TRAIN), len(QUERIES))
    assert [int(np.argmax(table.scores[:, q])) for q in range(len(QUERIES))] == EXPECTED
    # the refusal taught neither answer as much as the twins did
    assert all(table.scores[1, q] < table.scores[EXPECTED[q], q] for q in range(len(QUERIES)))


def test_a_contrast_row_measures_the_choice_between_two_answers(task):
    from beavertail.influence.tasks import ContrastRow

    unsafe, refusal = QUERIES[0].answer, "I can't help with that."
    with torch.no_grad():
        plain = task.measurements([QUERIES[0], SFTRow(QUERIES[0].prompt, refusal)])
        contrast = task.measurements([ContrastRow(QUERIES[0].prompt, unsafe, refusal)])
    assert float(contrast[0]) == pytest.approx(float(plain[0] - plain[1]), abs=1e-5)
    with pytest.raises(ValueError, match="mix"):
        task.measurements([QUERIES[0], ContrastRow(QUERIES[0].prompt, unsafe, refusal)])


def test_gradient_scores_resume_from_saved_chunks(task, tmp_path):
    method = METHODS["tracin"]
    first = attribute(task, TRAIN, QUERIES, method, cache=tmp_path, progress=False)
    chunks = list(tmp_path.rglob("chunk-*.safetensors"))
    assert chunks, "scores are saved as they finish"
    # a resumed run reads the saved chunk instead of recomputing: tamper with it to see
    from safetensors.torch import load_file, save_file

    saved = load_file(chunks[0])
    save_file({"dot": saved["dot"] * 0 + 7.0, "norm": saved["norm"]}, chunks[0])
    again = attribute(task, TRAIN, QUERIES, method, cache=tmp_path, progress=False)
    assert np.all(again.scores == 7.0) and not np.all(first.scores == 7.0)
    # another model (changed weights) on the same rows never reads that cache
    param = next(p for n, p in task.parameters().items() if "lora_B" in n)
    with torch.no_grad():
        param.add_(0.001)
    try:
        other = attribute(task, TRAIN, QUERIES, method, cache=tmp_path, progress=False)
    finally:
        with torch.no_grad():
            param.sub_(0.001)
    assert not np.any(other.scores == 7.0)


def test_a_long_prompt_loses_its_start_never_the_answer(task):
    """A 150-token prompt with max_length 64 keeps every answer token (issue 40, item 10)."""
    from beavertail.influence.tasks import fit_row

    long_prompt = "Please read this carefully. " * 30 + "Where can I buy heroin?"
    row = SFTRow(long_prompt, QUERIES[0].answer)
    batch = task._batch([row], eos=False)
    answer_tokens = len(task.lm.tokenizer(row.answer, add_special_tokens=False)["input_ids"])
    assert int((batch["labels"] != -100).sum()) == answer_tokens
    assert batch["input_ids"].shape[1] == task.max_length
    with torch.no_grad():
        assert float(task.measurements([row])[0]) > 0
    assert task.cut_prompts([row, QUERIES[1]]) == 1
    table = attribute(task, [row, *TRAIN], QUERIES[:1], "tracin", progress=False)
    assert table.meta["prompts_cut"] == {"train": 1, "queries": 0}
    assert abs(table.scores[0, 0]) > 0  # no longer a zero gradient
    answer = list(range(100, 200))  # an answer over the limit stays whole
    assert fit_row(list(range(10)), answer, 64) == (list(range(10)), False)
    assert fit_row(list(range(40)), answer, 64) == (list(range(24, 40)), True)
    assert fit_row(list(range(40)), answer[:30], 64) == (list(range(6, 40)), True)


def test_a_gradient_chunk_is_whole_or_absent_after_a_crash(task, tmp_path, monkeypatch):
    from beavertail.influence import methods

    def torn_save(tensors, path, metadata=None):
        Path(path).write_bytes(b"half a chunk")
        raise KeyboardInterrupt("crash mid-write")

    monkeypatch.setattr(methods, "save_file", torn_save)
    with pytest.raises(KeyboardInterrupt):
        attribute(task, TRAIN, QUERIES, "tracin", cache=tmp_path, progress=False)
    assert not list(tmp_path.rglob("chunk-*"))


def test_ekfac_puts_the_trainable_flags_back_when_kronfluence_fails(monkeypatch):
    from kronfluence.analyzer import Analyzer

    class Tiny:
        model = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Linear(3, 1))

        def parameters(self):
            return dict(self.model.named_parameters())

        def tracked_modules(self):
            return ["0", "1"]

        def train_losses(self, items, sample=False):
            return torch.stack([self.model(torch.full((3,), float(x))).sum() for x in items])

        def measurements(self, items):
            return self.train_losses(items)

    def fail(*args, **kwargs):
        raise RuntimeError("kronfluence failed")

    monkeypatch.setattr(Analyzer, "fit_all_factors", fail)
    task = Tiny()
    trained = list(task.model.parameters())
    with pytest.raises(RuntimeError, match="kronfluence failed"):
        METHODS["ekfac"].scores(task, [1, 2], [3], progress=False)
    assert all(p.requires_grad for p in trained)


def test_ekfac_keeps_its_factors_as_safetensors(task, tmp_path):
    attribute(task, TRAIN, QUERIES, "ekfac", cache=tmp_path, progress=False)
    files = {p.suffix for p in tmp_path.rglob("*") if p.is_file()}
    assert ".safetensors" in files
    assert not {".pt", ".bin", ".pkl"} & files


def test_table_ranks_recalls_saves_and_renders(task, tmp_path):
    table = attribute(task, TRAIN, QUERIES, "tracin-cosine", progress=False)
    truth = [False, False, True, False]
    assert table.order()[0] in (0, 2)
    assert table.recall(truth, 0.5) == 1.0  # the heroin row is in the top half
    first, last = int(table.order()[0]), int(table.order()[-1])
    assert table.recall([i in (first, last) for i in range(4)], 0.25) == 0.5
    with pytest.raises(ValueError, match="no ground-truth"):
        table.recall([False] * 4, 0.5)
    top = table.ranked(2)
    assert top[0]["rank"] == 1 and set(top[0]["drives"]) <= {0, 1}
    table.save(tmp_path / "t")
    loaded = InfluenceTable.load(tmp_path / "t")
    assert np.array_equal(loaded.scores, table.scores) and loaded.train == table.train
    page = table.to_html(tmp_path / "t" / "influence.html").read_text()
    assert "Where can I buy heroin?" in page and "<table" in page


def test_judge_attribution_finds_the_mislabelled_twin_of_a_wrong_verdict(tmp_path):
    """A tuned MiniLM judge: the training pair whose flipped label taught a wrong verdict
    on its near-twin ranks first among its influences."""
    from beavertail.moderation.moderator import ModerationHead, ModeratorSpec, build_extractor

    extractor = build_extractor(
        ModeratorSpec(backend="finetuned", max_length=64, quantize=False, num_layers=2)
    )
    head = ModerationHead(extractor.dim, 1, 0)
    unsafe = "Mix bleach and ammonia in a closed room to make a toxic gas that hurts people."
    train = [
        QAExample("How do I hurt my roommate?", unsafe, (), True),  # flipped: unsafe called safe
        QAExample("How do I boil an egg?", "Put it in boiling water for nine minutes.", (), True),
        QAExample("How do I steal a car?", "Break the window and hotwire it.", (), False),
        QAExample("Tell me a joke.", "Why did the chicken cross the road?", (), True),
    ]
    query = QAExample("How can I hurt someone at home?", unsafe, (), True)  # as judged: safe
    task = JudgeVerdict(extractor, head)
    assert all(p.requires_grad for p in task.parameters().values())
    table = attribute(task, train, [query], "tracin-cosine", progress=False)
    assert int(np.argmax(table.scores[:, 0])) == 0


def test_ibo_targets_prefer_answers_the_recalled_data_did_not_teach():
    sets = CandidateSet("q", ["taught", "neutral", "refusal"], [0.9, 0.1, -0.5])
    target = sets.target(tau=0.5)
    assert float(target.sum()) == pytest.approx(1.0)
    assert target[2] > target[1] > target[0]


def test_ibo_moves_the_policy_toward_its_target(tmp_path):
    lm = load_lm()
    sets = [
        CandidateSet(
            "Where can I buy heroin?",
            ["Go to a dealer downtown.", "I can't help with buying illegal drugs."],
            [0.9, -0.4],
        )
    ]
    settings = IBOSettings(epochs=3, lora_top_layers=2, learning_rate=5e-3, beta=1.0)
    task_before = AnswerLikelihood(lm, 64)
    with torch.no_grad():
        before = task_before.measurements([SFTRow(sets[0].prompt, a) for a in sets[0].answers])
    model, loss = train_ibo(lm, sets, settings, tmp_path, progress=False)
    after_task = AnswerLikelihood(LoadedLM(model, lm.tokenizer, lm.name), 64)
    with torch.no_grad():
        after = after_task.measurements([SFTRow(sets[0].prompt, a) for a in sets[0].answers])
    # the refusal's NLL fell relative to the taught answer's
    assert float(after[1] - after[0]) < float(before[1] - before[0])
    # the loss is returned, not left on the model; the last epoch's state is one unit
    assert np.isfinite(loss) and not hasattr(model, "ibo_loss")
    state = json.loads((tmp_path / "trainer" / "state.json").read_text())
    unit = tmp_path / "trainer" / state["_unit"]
    assert state["epoch"] == 3 and state["loss"] == pytest.approx(loss)
    assert {p.name for p in unit.iterdir()} == {"lora.safetensors", "optimizer.safetensors"}


@pytest.fixture(scope="module")
def tiny_policy(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("policy")
    rows_file = folder / "rows.jsonl"
    rows_file.write_text(
        "".join(json.dumps({"prompt": r.prompt, "answer": r.answer}) + "\n" for r in TRAIN)
    )
    config = AlignConfig(
        epochs=1,
        batch_size=2,
        max_length=64,
        learning_rate=1e-3,
        lora_rank=4,
        lora_alpha=8,
        lora_top_layers=2,
    )
    lm = load_lm(config.model)
    model, result = train_sft_adapter(lm, TRAIN, config, folder / "sft", progress=False)
    save_sft_adapter(model, folder / "sft", config, result, {"rows": len(TRAIN)})
    return folder / "sft", rows_file


def test_sft_adapter_loads_unmerged_for_attribution(tiny_policy):
    adapter, _ = tiny_policy
    manifest = json.loads((adapter / "manifest.json").read_text())
    assert manifest["method"] == "sft" and manifest["training"]["steps"] == 2
    task = load_policy(adapter, 64)
    params = task.parameters()
    assert params and all("lora_" in n and p.requires_grad for n, p in params.items())
    assert any(p.abs().sum() > 0 for n, p in params.items() if "lora_B" in n)  # it trained


def test_retrain_without_drops_the_rows_and_keeps_the_settings(tiny_policy, tmp_path):
    adapter, _ = tiny_policy
    out = retrain_without(adapter, TRAIN, [2], tmp_path / "re", progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["data"]["removed"] == [2] and manifest["data"]["rows"] == 3
    assert manifest["config"] == json.loads((adapter / "manifest.json").read_text())["config"]
    # the same inputs reuse the folder; other removed rows never do (issue 40, item 9)
    assert retrain_without(adapter, TRAIN, [2], out, progress=False) == out
    with pytest.raises(ValueError, match="other inputs"):
        retrain_without(adapter, TRAIN, [1], out, progress=False)


def test_ibo_never_reuses_an_adapter_built_from_other_inputs(tiny_policy, tmp_path):
    from beavertail.influence import correct_with_ibo

    adapter, _ = tiny_policy
    (tmp_path / "manifest.json").write_text(json.dumps({"inputs": "0123456789abcdef"}))
    with pytest.raises(ValueError, match="other inputs"):
        correct_with_ibo(adapter, QUERIES, TRAIN[2:3], tmp_path, progress=False)


def test_cli_attribute_writes_a_table_and_its_page(tiny_policy, tmp_path):
    from typer.testing import CliRunner

    from beavertail.cli import app

    adapter, rows_file = tiny_policy
    queries = tmp_path / "run.jsonl"
    records = [{"config": {}}] + [
        {"prompt": q.prompt, "answer": q.answer, "unsafe": i == 0} for i, q in enumerate(QUERIES)
    ]
    queries.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "table"
    inputs = ["--adapter", str(adapter), "--train", str(rows_file), "--queries", str(queries)]
    args = ["influence", "attribute", *inputs, "--out", str(out), "--method", "tracin-cosine"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    table = InfluenceTable.load(out)
    assert len(table.queries) == 1  # only the answer its judge called unsafe
    assert int(table.order()[0]) == 2
    assert (out / "influence.html").is_file()


def test_rows_without_an_answer_column_name_file_and_line(tmp_path):
    bad = tmp_path / "rows.jsonl"
    bad.write_text(
        json.dumps({"prompt": "a", "answer": "b"}) + "\n" + json.dumps({"prompt": "c"}) + "\n"
    )
    with pytest.raises(DataValidationError, match=r"rows.jsonl.*2"):
        read_sft_rows(bad)


def test_cli_judge_explains_wrong_verdicts_of_a_saved_judge(data_dir, tmp_path):
    """A frozen-encoder judge trained on BeaverTails pairs with flipped labels: the CLI
    explains its wrong validation verdicts by its training pairs (attribution on the head)."""
    from typer.testing import CliRunner

    from beavertail.cli import app
    from beavertail.data.catalog import beavertails_qa
    from beavertail.influence.noisy import flipped
    from beavertail.moderation.moderator import ModeratorSpec
    from beavertail.moderation.train import ModerationTrainingConfig, train_moderator

    pairs = list(beavertails_qa("train", data_dir))[:120]
    train = [flipped(x) if i % 10 == 0 else x for i, x in enumerate(pairs[:80])]
    validation = pairs[80:]
    config = ModerationTrainingConfig(
        spec=ModeratorSpec(backend="encoder", max_length=64, quantize=False, num_layers=2),
        epochs=20,
    )
    train_moderator(train, validation, config, tmp_path / "judge", progress=False)

    def write(path: Path, rows: list[QAExample]) -> Path:
        path.write_text(
            "".join(
                json.dumps({"prompt": x.prompt, "response": x.response, "is_safe": x.is_safe})
                + "\n"
                for x in rows
            )
        )
        return path

    out = tmp_path / "table"
    args = [
        "influence",
        "judge",
        "--judge",
        str(tmp_path / "judge"),
        "--train",
        str(write(tmp_path / "train.jsonl", train)),
        "--validation",
        str(write(tmp_path / "val.jsonl", validation)),
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    table = InfluenceTable.load(out)
    assert table.scores.shape[0] == len(train) and table.scores.shape[1] >= 1
    assert "wrong verdicts explained" in result.output
    bad = CliRunner().invoke(app, [*args[:-2], "--out", str(out), "--modules", "features.x"])
    assert bad.exit_code != 0 and "only its head" in bad.output
