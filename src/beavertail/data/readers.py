"""Streaming row readers for JSONL / JSON / CSV / Parquet files and Hugging Face datasets.

Every reader yields ``(line, row)`` pairs: ``line`` is the 1-based line (JSONL, CSV) or row
(JSON list, Parquet, datasets) number that error messages cite.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from beavertail.data.errors import DataValidationError

Row = dict[str, Any]
FILE_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet")


def _suffix(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return Path(name).suffix


def _open_binary(path: Path) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def _decoded_lines(path: Path) -> Iterator[tuple[int, str]]:
    with _open_binary(path) as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                yield number, raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DataValidationError(
                    str(path), number, None, f"invalid UTF-8 at byte {exc.start}"
                ) from None


def iter_jsonl(path: Path) -> Iterator[tuple[int, Row]]:
    for number, text in _decoded_lines(path):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataValidationError(str(path), number, None, f"invalid JSON: {exc.msg}") from None
        if not isinstance(row, dict):
            raise DataValidationError(str(path), number, None, "expected a JSON object")
        yield number, row


def iter_json(path: Path) -> Iterator[tuple[int, Row]]:
    with _open_binary(path) as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataValidationError(str(path), line, None, "invalid UTF-8") from None
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataValidationError(str(path), exc.lineno, None, f"invalid JSON: {exc.msg}") from None
    if isinstance(rows, dict):  # {"data": [...]} style wrappers
        lists = [v for v in rows.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise DataValidationError(str(path), None, None, "expected a JSON list of objects")
        rows = lists[0]
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise DataValidationError(str(path), number, None, "expected an object in the list")
        yield number, row


def iter_csv(path: Path) -> Iterator[tuple[int, Row]]:
    delimiter = "\t" if _suffix(path) == ".tsv" else ","
    reader = csv.reader((text for _, text in _decoded_lines(path)), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [h if h else "_index" for h in header]
    start = reader.line_num + 1
    for values in reader:
        if not values:
            start = reader.line_num + 1
            continue
        if len(values) != len(header):
            raise DataValidationError(
                str(path), start, None, f"expected {len(header)} columns, found {len(values)}"
            )
        yield start, dict(zip(header, values, strict=True))
        start = reader.line_num + 1


def iter_parquet(path: Path, batch_size: int = 1024) -> Iterator[tuple[int, Row]]:
    import pyarrow.parquet as pq

    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size):
        for row in batch.to_pylist():
            number += 1
            yield number, row


def iter_hub(name: str, split: str | None = None) -> Iterator[tuple[int, Row]]:
    """Stream a Hugging Face dataset (hub id or local dataset folder) row by row."""
    from datasets import load_dataset

    dataset = load_dataset(name, split=split or "train", streaming=True)
    for number, row in enumerate(dataset, start=1):
        yield number, dict(row)


HUB_PREFIX = "hf:"


def iter_rows(source: str | Path, split: str | None = None) -> Iterator[tuple[int, Row]]:
    """Rows of a local file (by suffix, ``.gz`` allowed), a local dataset folder, or a Hub
    dataset named ``hf:owner/name``; nothing else goes to the Hub."""
    if isinstance(source, str) and source.startswith(HUB_PREFIX):
        yield from iter_hub(source.removeprefix(HUB_PREFIX), split)
        return
    path = Path(source)
    if path.is_file():
        suffix = _suffix(path)
        readers = {
            ".jsonl": iter_jsonl,
            ".ndjson": iter_jsonl,
            ".json": iter_json,
            ".csv": iter_csv,
            ".tsv": iter_csv,
            ".parquet": iter_parquet,
        }
        if suffix not in readers:
            raise DataValidationError(
                str(path), None, None, f"unsupported file type {suffix!r}; use {FILE_SUFFIXES}"
            )
        # JSON files that are really JSONL (one object per line) are common: sniff.
        if suffix == ".json" and _first_line_is_object(path):
            yield from iter_jsonl(path)
            return
        yield from readers[suffix](path)
        return
    if path.exists() and not path.is_dir():
        raise DataValidationError(str(path), None, None, "not a regular file")
    if not path.exists():
        hub = str(source).count("/") == 1 and not path.suffix
        hint = f" (a Hub dataset is written {HUB_PREFIX}{source})" if hub else ""
        raise FileNotFoundError(f"{source}: no such file or folder{hint}")
    yield from iter_hub(str(source), split)  # a dataset folder (saved or with data files)


def _first_line_is_object(path: Path) -> bool:
    with _open_binary(path) as fh:
        first = fh.readline().decode("utf-8", errors="replace")
    try:
        return isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
        return False
