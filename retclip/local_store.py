"""Releases in a local folder, with the layout and the reading rules of :class:`S3Store`.

For a machine without an object store (the demo, the tests): ``objects/<name>/`` holds a copy of
the released folder, ``releases/<name>.json`` its record, and ``releases/latest.json``, written
last, names the newest, so the release gate compares with the last complete release.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from retclip.lineage import sha256_file
from retclip.storage import LATEST_RELEASE, OBJECTS, RELEASES, StoreError


class LocalStore:
    """Published releases under ``root``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def publish(self, local: Path, name: str, record: dict[str, Any] | None = None) -> str:
        """Copy ``local`` to ``objects/<name>/``, then write its record; returns the record path."""
        target = self.root / OBJECTS / name
        staging = target.parent / f".{target.name}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(local, staging)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
        files = {
            str(path.relative_to(target)): {"key": str(path), "sha256": sha256_file(path)}
            for path in sorted(target.rglob("*"))
            if path.is_file()
        }
        pointer = self.root / RELEASES / f"{name}.json"
        _write_json(pointer, {**(record or {}), "name": name, "files": files})
        _write_json(self.root / RELEASES / LATEST_RELEASE, {"name": name})
        return str(pointer)

    def last_release(self) -> dict[str, Any] | None:
        """The last release's record (``None`` before the first); :class:`StoreError` when it
        cannot be read."""
        latest = self.root / RELEASES / LATEST_RELEASE
        if not latest.is_file():
            return None
        name = _read_json(latest).get("name")
        if not isinstance(name, str):
            raise StoreError(f"{latest} names no release")
        pointer = self.root / RELEASES / f"{name}.json"
        if not pointer.is_file():
            raise StoreError(f"{latest} names a missing release {name!r}")
        return _read_json(pointer)


def _write_json(path: Path, value: dict[str, Any]) -> None:
    """Written beside and renamed over, so a reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.parent / f".{path.name}.partial"
    partial.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path} cannot be read as JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise StoreError(f"{path} holds no JSON object")
    return value
