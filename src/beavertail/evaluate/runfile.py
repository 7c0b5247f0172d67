"""Append-only run files: a JSON header line, then one JSON record per judged answer (read by
:func:`beavertail.artifacts.read_run`, which every layer may use).

Each batch is written, flushed and fsynced before the next starts. On reopening, a torn last
line (a crash mid-write, even SIGKILL) is cut off, and finished prompt ids are skipped, so a
resumed run neither loses nor duplicates records.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from beavertail.artifacts import (
    RUN_KIND,
    RUN_VERSION,
    RunFileError,
    append_rows,
    cut_torn_tail,
    read_run,
)

__all__ = ["RUN_KIND", "RUN_VERSION", "RunFileError", "RunWriter", "differences", "read_run"]


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
            if resolved is not None and stored is not None and stored != resolved:
                raise RunFileError(
                    f"{self.path} was run with other resolved values "
                    f"({differences(stored, resolved)}: a retrained judge, re-extracted "
                    "vectors or a re-swept steering setting); pick another output path or "
                    "delete it to start over"
                )
            cut_torn_tail(self.path)
            self.done = {r["id"] for r in records}
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            header = {"kind": RUN_KIND, "version": RUN_VERSION, "config": config}
            header["identity"] = identity
            if resolved is not None:
                header["resolved"] = resolved
            append_rows(self.path, [header])

    def append(self, records: list[dict[str, Any]]) -> None:
        fresh = [r for r in records if r["id"] not in self.done]
        if fresh:
            append_rows(self.path, fresh)
            self.done.update(r["id"] for r in fresh)
