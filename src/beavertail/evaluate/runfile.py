"""Append-only run files: a JSON header line, then one JSON record per judged answer.

Each batch is written, flushed and fsynced before the next starts. On reopening, a torn last
line (a crash mid-write, even SIGKILL) is cut off, and finished prompt ids are skipped, so a
resumed run neither loses nor duplicates records.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

RUN_KIND = "beavertail-eval-run"
RUN_VERSION = 1


class RunFileError(ValueError):
    pass


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out |= _flat(item, f"{prefix}.{key}" if prefix else str(key))
        return out
    return {prefix: value}


def differences(old: dict[str, Any], new: dict[str, Any], limit: int = 6) -> str:
    """``key: old -> new`` for each setting that differs (nested keys dotted)."""
    a, b = _flat(old), _flat(new)
    changed = sorted(k for k in a.keys() | b.keys() if a.get(k, "<unset>") != b.get(k, "<unset>"))
    shown = [f"{k}: {a.get(k, '<unset>')!r} -> {b.get(k, '<unset>')!r}" for k in changed[:limit]]
    more = f" (and {len(changed) - limit} more)" if len(changed) > limit else ""
    return "; ".join(shown) + more


def read_run(path: str | Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(header, complete records) of a run file; a torn last line is ignored."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such run file")
    header: dict[str, Any] | None = None
    records: list[dict[str, Any]] = []
    with path.open("rb") as fh:
        lines = fh.read().split(b"\n")
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        last = number == len(lines)  # no newline after it: possibly torn
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as error:
            if last:
                break
            raise RunFileError(f"{path}:{number}: not JSON ({error.msg})") from error
        if last:
            break  # complete JSON but no newline yet: treat as torn, it will be rewritten
        if header is None:
            if item.get("kind") != RUN_KIND:
                raise RunFileError(f"{path}:1: not a beavertail run file")
            header = item
        else:
            records.append(item)
    if header is None:
        raise RunFileError(f"{path}: empty run file")
    return header, records


class RunWriter:
    """Opens (or resumes) a run file and appends records durably."""

    def __init__(
        self,
        path: str | Path,
        config: dict[str, Any],
        identity: dict[str, Any],
        normalize: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        resolved: dict[str, Any] | None = None,
    ):
        """``normalize`` turns a stored identity into today's shape (older layouts upgraded,
        settings added since then at their defaults), so an older run still resumes when
        nothing that defines its results has changed."""
        self.path = Path(path)
        self.done: set[str] = set()
        if self.path.is_file() and self.path.stat().st_size > 0:
            header, records = read_run(self.path)
            stored_identity = header.get("identity") or {}
            try:
                stored_identity = normalize(stored_identity) if normalize else stored_identity
            except ValueError:  # written by another version with settings unknown here
                stored_identity = {"unreadable": stored_identity}
            if stored_identity != identity:
                raise RunFileError(
                    f"{self.path} holds a run with other settings "
                    f"({differences(stored_identity, identity)}); pick another output path "
                    "or delete it to start over"
                )
            stored = header.get("resolved")
            if resolved is not None and stored is None:
                raise RunFileError(
                    f"{self.path} records no judge or vector digests (written by an older "
                    "version), so whether its answers were judged the same way cannot be "
                    "checked; pick another output path or delete it to start over"
                )
            if resolved is not None and stored != resolved:
                raise RunFileError(
                    f"{self.path} was run with other resolved values "
                    f"({differences(stored, resolved)}: a retrained judge, re-extracted "
                    "vectors or a re-swept steering setting); pick another output path or "
                    "delete it to start over"
                )
            self._truncate_torn_tail()
            self.done = {r["id"] for r in records}
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            header = {"kind": RUN_KIND, "version": RUN_VERSION, "config": config}
            header["identity"] = identity
            if resolved is not None:
                header["resolved"] = resolved
            self._append([header])

    def _truncate_torn_tail(self) -> None:
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):
            with self.path.open("r+b") as fh:
                fh.truncate(end)

    def _append(self, items: Iterable[dict[str, Any]]) -> None:
        payload = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())

    def append(self, records: list[dict[str, Any]]) -> None:
        fresh = [r for r in records if r["id"] not in self.done]
        if fresh:
            self._append(fresh)
            self.done.update(r["id"] for r in fresh)
