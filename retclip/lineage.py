"""What an output folder is and exactly what made it (DESIGN.md section 8).

Two records per output folder:

* ``lineage.json`` holds content-addressed facts only: the files and their sha256, the inputs'
  lineage ids, the raw data version from ``data.dvc``, the parameters and their hash, the hash of
  the library code, package versions, seeds, device and CPU kernel choice
  (:mod:`retclip.dispatch`). Identical inputs, code and parameters give an identical file, so
  ``dvc repro`` and Dagster produce the same bytes and DVC versions it.
* ``run.json`` holds the facts of the run that wrote the folder: git commit and dirty flag, the
  Dagster run id, the time. DVC ignores it (``.dvcignore``); ``retclip lineage`` shows both.

An auditor follows ``inputs`` from any output back to the raw data version.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from retclip import __version__
from retclip.dispatch import kernel_dispatch

LINEAGE_FILE = "lineage.json"
RUN_FILE = "run.json"
PACKAGE_ROOT = Path(__file__).resolve().parent
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


def code_sha256(root: Path = PACKAGE_ROOT) -> str:
    """sha256 over the library's source files (path and content), independent of git."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".yaml", ".json", ".txt"):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(sha256_file(path).encode())
    return digest.hexdigest()


def portable_path(path: Path | str) -> str:
    """A path relative to the working directory when inside it, so runners agree byte for byte."""
    absolute = Path(path).resolve()
    try:
        return str(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(absolute)


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
                    return {"dvc_file": portable_path(dvc_file), "md5": str(out.get("md5"))}
    return None


def read_lineage(folder: Path) -> dict[str, Any] | None:
    path = folder / LINEAGE_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def describe_input(path: Path, role: str) -> dict[str, Any]:
    """An input reference: another stage's lineage id, or the raw data and its version."""
    upstream = read_lineage(path) if path.is_dir() else None
    entry: dict[str, Any] = {"role": role, "path": portable_path(path)}
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
    exclude: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Hash every file in ``out`` and write ``lineage.json`` and ``run.json`` there.

    ``extra_files`` adds hashes of inputs a stage read directly (e.g. the manifest file);
    top-level entries named in ``exclude`` (e.g. resumable checkpoints) are not part of it.
    """
    files = {
        str(p.relative_to(out)): sha256_file(p)
        for p in sorted(out.rglob("*"))
        if p.is_file()
        and p.name not in (LINEAGE_FILE, RUN_FILE)
        and p.relative_to(out).parts[0] not in exclude
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
        "cpu_kernels": kernel_dispatch(),
        "code_sha256": code_sha256(),
        "packages": package_versions(),
    }
    identity = ("stage", "files", "inputs", "input_files", "params_sha256", "code_sha256")
    record["lineage_id"] = canonical_hash({k: record[k] for k in identity})[:16]
    (out / LINEAGE_FILE).write_text(
        json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    run = {
        "lineage_id": record["lineage_id"],
        "git": git_state(),
        "dagster_run_id": os.environ.get("DAGSTER_RUN_ID"),
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (out / RUN_FILE).write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    return record


class LineageError(ValueError):
    """A path has no lineage record, or its chain is broken."""


def _owning_folder(path: Path) -> Path:
    for folder in (path, *path.parents) if path.is_dir() else path.parents:
        if (folder / LINEAGE_FILE).is_file():
            return folder
    raise LineageError(f"{path}: no {LINEAGE_FILE} in it or any folder above it")


def trace(path: Path) -> list[dict[str, Any]]:
    """The chain from ``path`` back to the raw data: one node per stage, nearest first.

    Each node: stage, folder, lineage id, parameter hash, code hash, the run record, whether the
    files still match their recorded sha256, and the raw data version it stands on.
    """
    path = Path(path)
    if not path.exists():
        raise LineageError(f"{path}: does not exist")
    nodes, queue, seen = [], [_owning_folder(path.resolve())], set()
    target = path.resolve()
    while queue:
        folder = queue.pop(0)
        record = read_lineage(folder)
        if record is None or record["lineage_id"] in seen:
            continue
        seen.add(record["lineage_id"])
        run_path = folder / RUN_FILE
        run = json.loads(run_path.read_text(encoding="utf-8")) if run_path.is_file() else {}
        checked = (
            [target]
            if target.is_file() and target.parent == folder
            else [folder / name for name in record["files"]]
        )
        modified = sorted(
            str(p.relative_to(folder))
            for p in checked
            if str(p.relative_to(folder)) in record["files"]
            and (not p.is_file() or sha256_file(p) != record["files"][str(p.relative_to(folder))])
        )
        nodes.append(
            {
                "stage": record["stage"],
                "folder": portable_path(folder),
                "lineage_id": record["lineage_id"],
                "params_sha256": record["params_sha256"],
                "code_sha256": record.get("code_sha256"),
                "git": run.get("git"),
                "dagster_run_id": run.get("dagster_run_id"),
                "written_at": run.get("written_at"),
                "modified_files": modified,
                "raw_data": record.get("raw_data"),
                "inputs": record["inputs"],
            }
        )
        for entry in record["inputs"]:
            upstream = Path(entry["path"])
            if "lineage_id" in entry:
                found = read_lineage(upstream)
                if found is None or found["lineage_id"] != entry["lineage_id"]:
                    nodes[-1].setdefault("broken_inputs", []).append(entry["path"])
                    continue
                queue.append(upstream)
    return nodes
