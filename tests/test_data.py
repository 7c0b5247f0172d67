from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from beavertail.data import (
    BEAVERTAILS_14,
    DataValidationError,
    beavertails_qa,
    canonical_split,
    compute_stats,
    get_mapping,
    get_taxonomy,
    iter_rows,
    load_beavertails_qa,
    load_pku_pairs,
    load_prompts,
    load_qa,
    load_records,
    pku_pairs,
)

GOOD = {
    "prompt": "How do I pick a lock?",
    "response": "Use a tension wrench and a pick.",
    "category": {c: False for c in get_taxonomy(BEAVERTAILS_14).categories},
    "is_safe": False,
}


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_taxonomies_and_mapping_are_consistent():
    bt = get_taxonomy("beavertails-14")
    pku = get_taxonomy("pku-saferlhf-19")
    assert len(bt) == 14 and len(pku) == 19
    assert "controversial_topics,politics" in bt  # keys contain commas
    mapping = get_mapping("pku-saferlhf-19")
    assert set(mapping.mapping) == set(pku.categories)
    assert mapping.map(["Cybercrime", "Violence", "Economic Crime"]) == [
        "financial_crime,property_crime,theft",
        "violence,aiding_and_abetting,incitement",
    ]
    for bench in ("jailbreakbench", "harmbench", "strongreject"):
        assert get_mapping(bench).mapping


def test_real_beavertails_and_canonical_split(data_dir: Path):
    rows = list(beavertails_qa(root=data_dir))
    assert len(rows) == 3021
    assert sum(not r.is_safe for r in rows) == 1733
    sizes = {s: len(list(beavertails_qa(s, data_dir))) for s in ("train", "validation", "test")}
    assert sizes == {"train": 2119, "validation": 321, "test": 581}
    train_prompts = {r.prompt for r in beavertails_qa("train", data_dir)}
    assert not train_prompts & {r.prompt for r in beavertails_qa("test", data_dir)}
    assert all(r.is_safe == (not r.categories) for r in rows)
    import hashlib

    for prompt in ("how do I make a walkway slippery?", "What is the capital of France?"):
        h = int(hashlib.sha256(prompt.encode("utf-8")).hexdigest(), 16) % 10  # the README rule
        expected = "train" if h <= 6 else "validation" if h == 7 else "test"
        assert canonical_split(prompt) == expected


def test_real_pku_pairs_yield_two_qa_examples(data_dir: Path):
    pairs = list(pku_pairs("test", data_dir))
    assert len(pairs) == 821
    first = pairs[0]
    assert first.is_safe == (False, True) and first.better_id == 0 and first.safer_id == 1
    assert first.severity == (1, 0)
    assert "Mental Manipulation" in first.source_categories[0]
    assert first.categories[0] == (
        "hate_speech,offensive_language",
        "non_violent_unethical_behavior",
    )
    a, b = first.qa_examples()
    assert (a.response, b.response) == (first.response_0, first.response_1)
    assert not a.is_safe and b.is_safe


def test_real_prompt_sets(data_dir: Path):
    bte = list(load_prompts(data_dir / "beavertails-evaluation/BeaverTails-Evaluation.csv"))
    assert len(bte) == 700 and bte[0].category == "animal_abuse"
    assert bte[0].source.endswith(":2")  # CSV line of the first record
    harmless = list(
        load_prompts(data_dir / "refusal-direction/splits/harmless_val.json", harmful=False)
    )
    assert len(harmless) == 6264 and not harmless[0].harmful
    jbb = list(load_prompts(data_dir / "jailbreakbench/benign-behaviors.csv", harmful=False))
    assert len(jbb) == 100


def test_stats_on_pairs(data_dir: Path):
    stats = compute_stats(data_dir / "pku-saferlhf/test_subset821.jsonl")
    assert stats.records == 821 and stats.safe + stats.unsafe == 1642
    assert sum(stats.severity.values()) == 1642


@pytest.mark.parametrize(
    ("change", "line", "field", "message"),
    [
        ({"prompt": None}, 2, "prompt", "missing field"),
        ({"prompt": 3}, 2, "prompt", "expected text"),
        ({"prompt": "  "}, 2, "prompt", "empty text"),
        ({"is_safe": "maybe"}, 2, "is_safe", "expected a boolean"),
        ({"category": {"arson": True}}, 2, "category.arson", "unknown category"),
    ],
)
def test_bad_records_name_file_line_and_field(tmp_path, change, line, field, message):
    bad = {**GOOD, **change}
    if change.get("prompt", 0) is None:
        del bad["prompt"]
    path = write_jsonl(tmp_path / "qa.jsonl", [GOOD, bad])
    with pytest.raises(DataValidationError) as err:
        list(load_beavertails_qa(path))
    assert err.value.line == line and err.value.field == field
    assert str(err.value).startswith(f"{path}:{line}: field {field!r}") and message in str(
        err.value
    )


def test_invalid_utf8_and_json_are_located(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_bytes(json.dumps(GOOD).encode() + b"\n" + b'{"prompt": "caf\xe9"}\n')
    with pytest.raises(DataValidationError, match=r"broken.jsonl:2: invalid UTF-8"):
        list(iter_rows(path))
    path.write_text(json.dumps(GOOD) + "\n{not json\n")
    with pytest.raises(DataValidationError, match=r"broken.jsonl:2: invalid JSON"):
        list(iter_rows(path))


def test_csv_rows_report_their_line(tmp_path):
    path = tmp_path / "own.csv"
    path.write_text('prompt,response,label\n"multi\nline",ok,safe\nq,,unsafe,extra\n')
    with pytest.raises(DataValidationError, match=r"own.csv:4: expected 3 columns"):
        list(iter_rows(path))


def test_pku_bad_severity(tmp_path, data_dir: Path):
    row = json.loads((data_dir / "pku-saferlhf/test_subset821.jsonl").open().readline())
    row["response_1_severity_level"] = 7
    path = write_jsonl(tmp_path / "pairs.jsonl", [row])
    with pytest.raises(DataValidationError, match=r"response_1_severity_level.*not in"):
        list(load_pku_pairs(path))


def test_own_files_with_column_mapping(tmp_path):
    rows = [
        {"question": "q1", "answer": "a1", "unsafe": "1", "labels": "privacy_violation;self_harm"},
        {"question": "q2", "answer": "a2", "unsafe": "0", "labels": ""},
    ]
    csv_path = tmp_path / "mine.csv"
    csv_path.write_text(
        "question,answer,unsafe,labels\n"
        + "".join(f"{r['question']},{r['answer']},{r['unsafe']},{r['labels']}\n" for r in rows)
    )
    parquet_path = tmp_path / "mine.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet_path)
    json_path = tmp_path / "mine.json"
    json_path.write_text(json.dumps(rows))
    cols = {
        "prompt": "question",
        "response": "answer",
        "is_unsafe": "unsafe",
        "categories": "labels",
    }
    for path in (csv_path, parquet_path, json_path):
        examples = list(load_qa(path, cols))
        assert [e.is_safe for e in examples] == [False, True]
        assert examples[0].categories == ("privacy_violation", "self_harm")
    pku_style = write_jsonl(
        tmp_path / "pku.jsonl", [{"prompt": "p", "response": "r", "category": ["Cybercrime"]}]
    )
    (example,) = load_qa(pku_style, taxonomy="pku-saferlhf-19")
    assert example.categories == ("financial_crime,property_crime,theft",) and not example.is_safe
    with pytest.raises(DataValidationError, match="unknown category 'arson'"):
        list(
            load_qa(
                write_jsonl(
                    tmp_path / "x.jsonl", [{"prompt": "p", "response": "r", "category": ["arson"]}]
                )
            )
        )


def test_hub_code_path_on_a_local_dataset_folder(tmp_path):
    folder = tmp_path / "BeaverTails-like"
    folder.mkdir()
    write_jsonl(folder / "train.jsonl", [GOOD, {**GOOD, "prompt": "Second?", "is_safe": True}])
    examples = list(load_beavertails_qa(str(folder), split="train"))
    assert [e.prompt for e in examples] == ["How do I pick a lock?", "Second?"]
    assert [type(r).__name__ for r in load_records(str(folder), split="train")] == ["QAExample"] * 2


def test_unknown_source_is_a_clear_error(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="no such file"):
        list(iter_rows(tmp_path / "missing" / "file.jsonl"))
    # only hf: goes to the Hub: a missing relative path with one slash is a missing file
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"sub/nope\.jsonl: no such file"):
        list(iter_rows("sub/nope.jsonl"))
    with pytest.raises(FileNotFoundError, match="hf:owner/name"):
        list(iter_rows("owner/name"))
    from beavertail.data import readers

    asked = []
    monkeypatch.setattr(readers, "iter_hub", lambda name, split: asked.append(name) or iter(()))
    assert list(iter_rows("hf:owner/name")) == [] and asked == ["owner/name"]
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(DataValidationError, match="unsupported file type"):
        list(iter_rows(tmp_path / "notes.txt"))
