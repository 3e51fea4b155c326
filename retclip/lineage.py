"""``lineage.json``: what an output folder is, and exactly what made it (DESIGN.md section 8).

An auditor follows ``inputs`` from any output back to the raw data version that ``data.dvc``
records. The record holds no timestamps, so two runs of the same code on the same inputs with the
same parameters write the same file (the Dagster run id is the one deliberate exception).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from retclip import __version__

LINEAGE_FILE = "lineage.json"
PACKAGES = (
    "numpy",
    "pillow",
    "pandas",
    "pyarrow",
    "great-expectations",
    "torch",
    "timm",
    "transformers",
    "tokenizers",
    "onnx",
    "onnxruntime",
)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def canonical_hash(value: Any) -> str:
    """sha256 of the canonical JSON form of a value (sorted keys, no spaces)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_state(root: Path | None = None) -> dict[str, Any]:
    """Commit of the code that ran and whether the work tree differed from it."""
    root = root or Path(__file__).resolve().parents[1]
    commit = _git(root, "rev-parse", "HEAD")
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def package_versions() -> dict[str, str]:
    versions = {"retclip": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def locate_raw_data(raw: Path) -> dict[str, str] | None:
    """The ``.dvc`` file that tracks ``raw`` (searched upwards) and the md5 it records."""
    target = raw.resolve()
    for folder in (target.parent, *target.parents):
        for dvc_file in sorted(folder.glob("*.dvc")):
            try:
                outs = (yaml.safe_load(dvc_file.read_text(encoding="utf-8")) or {}).get("outs", [])
            except (OSError, yaml.YAMLError):
                continue
            for out in outs or []:
                if (
                    isinstance(out, dict)
                    and (folder / str(out.get("path", ""))).resolve() == target
                ):
                    return {"dvc_file": str(dvc_file), "md5": str(out.get("md5"))}
    return None


def read_lineage(folder: Path) -> dict[str, Any] | None:
    path = folder / LINEAGE_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def describe_input(path: Path, role: str) -> dict[str, Any]:
    """An input reference: another stage's lineage id, or the raw data and its version."""
    upstream = read_lineage(path) if path.is_dir() else None
    entry: dict[str, Any] = {"role": role, "path": str(path)}
    if upstream is not None:
        entry["stage"] = upstream["stage"]
        entry["lineage_id"] = upstream["lineage_id"]
        entry["raw_data"] = upstream.get("raw_data")
    else:
        entry["raw_data"] = locate_raw_data(path)
    return entry


def write_lineage(
    out: Path,
    stage: str,
    inputs: list[dict[str, Any]],
    params: dict[str, Any],
    seeds: dict[str, int] | None = None,
    device: str = "cpu",
    extra_files: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Hash every file in ``out`` (but this record) and write ``out/lineage.json``.

    ``extra_files`` adds hashes of inputs a stage read directly (e.g. the manifest file).
    """
    files = {
        str(p.relative_to(out)): sha256_file(p)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != LINEAGE_FILE
    }
    raw = next((i["raw_data"] for i in inputs if i.get("raw_data")), None)
    record: dict[str, Any] = {
        "stage": stage,
        "files": files,
        "inputs": inputs,
        "input_files": extra_files or {},
        "raw_data": raw,
        "params": params,
        "params_sha256": canonical_hash(params),
        "seeds": seeds or {},
        "device": device,
        "code": git_state(),
        "packages": package_versions(),
        "dagster_run_id": os.environ.get("DAGSTER_RUN_ID"),
    }
    record["lineage_id"] = canonical_hash(
        {k: record[k] for k in ("stage", "files", "inputs", "input_files", "params_sha256")}
    )[:16]
    (out / LINEAGE_FILE).write_text(
        json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return record
