"""Artifact folders: ``*.safetensors`` plus a ``manifest.json`` that names their kind."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

MANIFEST = "manifest.json"


@contextmanager
def atomic_target(path: str | Path) -> Iterator[Path]:
    """A temporary sibling of ``path`` to write (a file or a folder); renamed onto ``path``
    when the block ends without an error, removed when it fails. Readers never see a
    half-written ``path``."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    try:
        yield tmp
        tmp.replace(path)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (fsynced temporary file, then a rename)."""
    with atomic_target(path) as tmp, tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


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
    """Check every file the manifest lists under ``files`` against its sha256."""
    for name, expected in manifest.get("files", {}).items():
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


def appended_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of an append-only JSONL cache; a torn last line (a crash mid-write) is
    skipped, so the work it held is simply redone."""
    rows = []
    if path.is_file():
        for line in path.read_text("utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return rows
