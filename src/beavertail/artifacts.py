"""Artifact folders: ``*.safetensors`` plus a ``manifest.json`` that names their kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def read_manifest(folder: str | Path, kind: str, what: str) -> dict[str, Any]:
    """The folder's manifest; a clear error when it is missing or of another ``kind``."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{folder}: no {MANIFEST}; is this a saved {what}?")
    manifest = json.loads(path.read_text())
    if manifest.get("kind") != kind:
        raise ValueError(f"{path}: kind {manifest.get('kind')!r}, not a {what}")
    return manifest
