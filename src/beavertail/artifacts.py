"""Artifact folders: ``*.safetensors`` plus a ``manifest.json`` that names their kind."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

MANIFEST = "manifest.json"


def _fsync_tree(path: Path) -> None:
    """Flush a written file (or every file of a folder) to the disk."""
    for item in [path] if path.is_file() else sorted(path.rglob("*")):
        if item.is_file():
            with item.open("rb") as f:
                os.fsync(f.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


@contextmanager
def atomic_target(path: str | Path) -> Iterator[Path]:
    """A temporary sibling of ``path`` to write (a file or a folder); when the block ends
    without an error it is fsynced and renamed onto ``path``, when it fails it is removed.
    Readers never see a half-written ``path``, and a crash after the block loses nothing.
    The temporary name is the process's own, so two processes never write into one; a
    missing parent folder is made first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        yield tmp
        if tmp.exists():
            _fsync_tree(tmp)
        tmp.replace(path)
        _fsync_folder(path.parent)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (fsynced temporary file, then a rename)."""
    with atomic_target(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


# -- append-only caches ---------------------------------------------------------------------
# Every cache that grows as work finishes (generated answers, OOD proxies, personas, a judge's
# epoch log, run files) is a JSONL file: whole lines appended by one write, flushed and
# fsynced; a crash can only leave the last line torn. Readers skip a torn line with a warning
# (its work is redone) and the next append first cuts it off atomically (temporary copy,
# fsync, rename), so a new row is never glued onto a torn one.


def _split_lines(data: bytes) -> tuple[list[bytes], bytes]:
    """The complete (newline-ended) lines of ``data`` and the torn rest after them."""
    end = data.rfind(b"\n") + 1
    return data[:end].splitlines(), data[end:]


def appended_rows(path: str | Path) -> list[dict[str, Any]]:
    """The rows of an append-only JSONL cache. A torn last line (a crash mid-write) or an
    unreadable line is skipped with a :class:`RuntimeWarning`, never an error."""
    path = Path(path)
    if not path.is_file():
        return []
    lines, torn = _split_lines(path.read_bytes())
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            row = None
        if isinstance(row, dict):
            rows.append(row)
        else:
            warnings.warn(f"{path}:{number}: unreadable line skipped", RuntimeWarning, 2)
    if torn.strip():
        warnings.warn(
            f"{path}:{len(lines) + 1}: last line cut off by a crash; skipped (its work is redone)",
            RuntimeWarning,
            2,
        )
    return rows


def cut_torn_tail(path: str | Path) -> None:
    """Drop a torn last line from an append-only file, atomically (copy, fsync, rename)."""
    path = Path(path)
    if not path.is_file():
        return
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        with atomic_target(path) as tmp:
            tmp.write_bytes(data[:end])


def append_rows(path: str | Path, rows: Iterable[dict[str, Any]]) -> None:
    """Append ``rows`` to a JSONL cache durably: a torn tail is cut first, then every row is
    written as whole lines in one write, flushed and fsynced before this returns."""
    payload = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if not payload:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cut_torn_tail(path)
    existed = path.exists()
    with path.open("a", encoding="utf-8") as f:
        f.write(payload)
        f.flush()
        os.fsync(f.fileno())
    if not existed:
        _fsync_folder(path.parent)


# -- run files ------------------------------------------------------------------------------
# An evaluation run (``beavertail.evaluate``) is an append-only JSONL file: a header line of
# kind RUN_KIND, then one record per judged answer. Any layer may read one.
RUN_KIND = "beavertail-eval-run"
RUN_VERSION = 1


class RunFileError(ValueError):
    pass


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


# -- resumable state ----------------------------------------------------------------------
STATE = "state.json"


def save_state(folder: str | Path, state: dict[str, Any], write: Callable[[Path], None]) -> None:
    """Save one resumable state as a unit: ``write(step_folder)`` fills a new folder, which is
    fsynced and committed by rewriting ``state.json`` (atomically) to name it; the previous
    unit is removed only then. A crash at any point leaves the last complete unit."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    previous = load_state(folder)
    sequence = int(previous[0]["_sequence"]) + 1 if previous else 0
    name = f"unit-{sequence}"
    shutil.rmtree(folder / name, ignore_errors=True)  # written, never committed: a crash
    with atomic_target(folder / name) as tmp:
        tmp.mkdir()
        write(tmp)
    atomic_write_text(folder / STATE, json.dumps({**state, "_unit": name, "_sequence": sequence}))
    for old in folder.glob("unit-*"):
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)


def load_state(folder: str | Path) -> tuple[dict[str, Any], Path] | None:
    """The last state :func:`save_state` committed in ``folder`` and its files' folder, or
    None when there is none."""
    path = Path(folder) / STATE
    if not path.is_file():
        return None
    state = json.loads(path.read_text())
    unit = Path(folder) / str(state.get("_unit", ""))
    if "_unit" not in state or not unit.is_dir():
        return None
    return state, unit


def is_scratch(name: str) -> bool:
    """Resume state a trainer keeps beside an artifact (``*checkpoint*``, ``trainer/``)."""
    return "checkpoint" in name or name == "trainer" or name.endswith(".partial")


def content_files(folder: Path) -> dict[str, str]:
    """sha256 of every file an artifact folder holds (manifest, model cards and a trainer's
    resume state aside)."""
    files = {}
    # a subfolder with its own manifest is an artifact of its own (a judge's ood/ detector)
    nested = {m.parent for m in folder.rglob(MANIFEST) if m.parent != folder}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or path.name == MANIFEST or path.suffix == ".md":
            continue
        if any(parent in nested for parent in path.parents):
            continue
        if not any(is_scratch(part) for part in relative.parts):
            files[relative.as_posix()] = file_sha256(path)
    return files


def content_digest(files: dict[str, str]) -> str:
    """One short digest over the artifact's files and their checksums."""
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` atomically, stamped with the beavertail version, every file's
    sha256 and the content digest (``kind`` and ``version`` come from the caller)."""
    from beavertail import __version__

    if "kind" not in manifest or "version" not in manifest:
        raise ValueError("an artifact manifest needs its kind and version")
    files = content_files(folder)
    stamped = {**manifest, "beavertail_version": __version__, "files": files}
    stamped["digest"] = content_digest(files)
    atomic_write_text(folder / MANIFEST, json.dumps(stamped, indent=2) + "\n")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_files(folder: str | Path, manifest: dict[str, Any]) -> None:
    """Check every file the manifest lists under ``files`` against its sha256 (a name with
    ``..`` or an absolute path, which would point outside the folder, is refused)."""
    for name, expected in manifest.get("files", {}).items():
        parts = Path(name).parts
        if Path(name).is_absolute() or ".." in parts or ":" in name or "\\" in name:
            raise ValueError(f"{folder}: the manifest lists {name!r}, outside the artifact folder")
        path = Path(folder) / name
        if not path.is_file():
            raise FileNotFoundError(f"{path}: listed in the manifest but missing")
        if file_sha256(path) != expected:
            raise ValueError(f"{path}: sha256 differs from the manifest (corrupt or altered)")


def read_manifest(
    folder: str | Path, kind: str | None = None, what: str | None = None, verify: bool = True
) -> dict:
    """The folder's manifest, its files verified (``verify``); a clear error when it is
    missing, altered or of another ``kind``. Readers that only dispatch or read the stamped
    digest skip the hashing that the loader (or an earlier load) does."""
    path = Path(folder) / MANIFEST
    what = what or kind or "artifact"
    if not path.is_file():
        raise FileNotFoundError(f"{folder}: no {MANIFEST}; is this a saved {what}?")
    manifest = json.loads(path.read_text())
    if kind is not None and manifest.get("kind") != kind:
        raise ValueError(f"{path}: kind {manifest.get('kind')!r}, not a {what}")
    if verify:
        verify_files(folder, manifest)
    return manifest


def inputs_digest(*parts: Any) -> str:
    """A short digest of everything an artifact is built from (settings, rows, the digests of
    the artifacts it starts from); stamped into its manifest as ``inputs``."""
    text = json.dumps(parts, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def reusable(folder: str | Path, inputs: str, what: str = "artifact") -> bool:
    """Whether ``folder`` already holds the artifact built from ``inputs`` (its manifest's
    ``inputs``): False when it holds no finished artifact; an error when it holds one built
    from other inputs (or from unrecorded ones), which is never reused or overwritten."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return False
    found = json.loads(path.read_text()).get("inputs")
    if found == inputs:
        return True
    raise ValueError(
        f"{folder} holds a {what} built from other inputs (training rows, settings or the "
        f"model it starts from differ: {found or 'not recorded'} vs {inputs}); pick another "
        "output folder or delete it to rebuild"
    )


def artifact_digest(folder: str | Path) -> str:
    """The stamped content digest of a saved artifact (computed for folders written before
    stamping); its files were verified when it was loaded."""
    manifest = read_manifest(folder, verify=False)
    return manifest.get("digest") or content_digest(content_files(Path(folder)))


# kind -> "module:loader"; imported on use, so this layer depends on no capability
LOADERS = {
    "beavertail.qa-moderator": "beavertail.moderation.moderator:Moderator.load",
    "beavertail-score-model": "beavertail.preference.io:load_score_model",
    "beavertail-steering-vectors": "beavertail.steering.vectors:SteeringVectors.load",
}


def load_artifact(folder: str | Path, kind: str | None = None) -> Any:
    """Load any saved artifact by the kind its manifest names (``kind``: require that one)."""
    manifest = read_manifest(folder, kind, verify=False)  # the loader verifies
    found = manifest.get("kind")
    if found not in LOADERS:
        raise ValueError(f"{folder}: unknown artifact kind {found!r}; known: {sorted(LOADERS)}")
    module_name, _, attribute = LOADERS[found].partition(":")
    loader: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        loader = getattr(loader, part)
    return loader(folder)


def optimizer_tensors(state: dict[str, Any], prefix: str = "opt.") -> dict[str, torch.Tensor]:
    """An optimizer's per-parameter state (AdamW moments, step) as named tensors."""
    import torch

    tensors = {}
    for index, per_param in state["state"].items():
        for key, value in per_param.items():
            tensors[f"{prefix}{index}.{key}"] = torch.as_tensor(value).detach().clone()
    return tensors


def optimizer_groups_json(state: dict[str, Any]) -> str:
    """The param groups' settings (learning rate as a scheduler left it, betas, …) as JSON."""
    groups = [{k: v for k, v in g.items() if k != "params"} for g in state["param_groups"]]
    return json.dumps(groups)


def optimizer_state_from_tensors(
    current: dict[str, Any],
    tensors: dict[str, torch.Tensor],
    groups_json: str | None = None,
    prefix: str = "opt.",
) -> dict[str, Any]:
    """``current`` (a live optimizer's state dict) with the saved per-parameter state and, when
    given, the saved group settings (the parameter lists stay the live optimizer's)."""
    moments: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        if key.startswith(prefix):
            index, name = key[len(prefix) :].split(".", 1)
            moments.setdefault(int(index), {})[name] = value
    groups = current["param_groups"]
    if groups_json is not None:
        saved = json.loads(groups_json)
        if len(saved) != len(groups):
            raise ValueError(f"checkpoint has {len(saved)} param groups, optimizer {len(groups)}")
        groups = [{**g, **s, "params": g["params"]} for g, s in zip(groups, saved, strict=True)]
        for group in groups:  # JSON turned tuples (betas) into lists
            for key, value in group.items():
                if isinstance(value, list) and key != "params":
                    group[key] = tuple(value)
    return {**current, "state": moments, "param_groups": groups}
