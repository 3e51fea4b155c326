"""DVC's record of the stage outputs: commit to the cache, push to a remote, compare with git.

Either runner writes ``outputs/``; this is how what it wrote becomes a DVC version (``dvc.lock``
and the cache) and reaches the remote. dvc lives in its own environment (DESIGN.md section 9), so
it is called as a command: ``$DVC_BIN``, else ``.venv-dvc/bin/dvc`` beside the project.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

LOCK_READS = 10


class DvcError(RuntimeError):
    """A dvc command failed; the message holds its command line and what it printed."""


def default_executable(root: Path) -> str:
    found = os.environ.get("DVC_BIN") or str(Path(root, ".venv-dvc", "bin", "dvc"))
    return found if Path(found).exists() else "dvc"


@dataclass(frozen=True)
class Change:
    """One output file whose bytes differ from the committed ``dvc.lock`` (None: absent)."""

    path: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class DvcRepo:
    """A DVC project folder and the dvc command that works on it."""

    root: Path
    executable: str = ""

    def command(self) -> str:
        return self.executable or default_executable(self.root)

    def run(self, *args: str, timeout: float = 1800) -> str:
        """Run dvc; waits for the repository lock (two pre-trainings finish side by side)."""
        argv = [self.command(), "--wait-for-lock", *args]
        try:
            done = subprocess.run(
                argv, cwd=self.root, capture_output=True, text=True, timeout=timeout, check=False
            )
        except FileNotFoundError:
            raise DvcError(f"{argv[0]} not found: run `make setup` (or set DVC_BIN)") from None
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip()
            raise DvcError(f"{' '.join(argv[1:])} in {self.root} failed: {said}")
        return done.stdout

    def is_project(self) -> bool:
        return (Path(self.root) / "dvc.yaml").is_file() and (Path(self.root) / ".dvc").is_dir()

    def commit(self, stage: str) -> dict[str, str]:
        """Record a stage's outputs in the cache and ``dvc.lock``; returns their md5 by path."""
        self.run("commit", "--force", stage)
        for _ in range(LOCK_READS - 1):  # another process may be rewriting dvc.lock right now
            try:
                if stage in (found := locked_outputs(Path(self.root) / "dvc.lock")):
                    return found[stage]
            except yaml.YAMLError:
                pass
            time.sleep(0.5)
        return locked_outputs(Path(self.root) / "dvc.lock")[stage]

    def push(self, stage: str, remote: str) -> None:
        """Copy a stage's recorded outputs to ``remote`` (a name in ``.dvc/config``)."""
        self.run("push", "--remote", remote, stage)

    def stages_not_recorded(self) -> list[str]:
        """Stages whose outputs or inputs here differ from ``dvc.lock`` (``dvc status``)."""
        return sorted(json.loads(self.run("status", "--json") or "{}"))

    def changes_since_commit(self) -> dict[str, list[Change]]:
        """Output files whose bytes differ from the git-committed ``dvc.lock`` and ``.dvc``
        files (``dvc diff``, DVC's own comparison of md5s), by stage."""
        diff = json.loads(self.run("diff", "--json", "--show-hash") or "{}")
        return changes_by_stage(diff, locked_outputs(Path(self.root) / "dvc.lock"))


def locked_outputs(lock: Path) -> dict[str, dict[str, str]]:
    """What ``dvc.lock`` records: stage -> output path -> md5 (``.dir`` for a folder)."""
    if not lock.is_file():
        return {}
    stages = (yaml.safe_load(lock.read_text(encoding="utf-8")) or {}).get("stages", {})
    return {
        name: {out["path"]: out["md5"] for out in stage.get("outs", [])}
        for name, stage in stages.items()
    }


def changes_by_stage(
    diff: dict[str, list[dict]], locked: dict[str, dict[str, str]]
) -> dict[str, list[Change]]:
    """``dvc diff --json --show-hash`` regrouped by the stage whose output holds each path (a
    path that no stage writes, such as ``data/raw``, under its own name); a folder is named
    by its changed files when DVC lists them."""
    found: dict[str, list[Change]] = {}
    paths = [entry["path"] for entries in diff.values() for entry in entries]
    for kind, entries in diff.items():
        for entry in entries:
            path, digest = entry["path"], entry.get("hash")
            if path.endswith("/") and any(p != path and p.startswith(path) for p in paths):
                continue  # the folder's own .dir hash: its files say more
            if not digest:
                continue  # declared in dvc.yaml, but neither committed nor written: no bytes
            if kind == "modified":
                change = Change(path, digest["old"], digest["new"])
            elif kind == "added":
                change = Change(path, None, digest)
            elif kind == "deleted":
                change = Change(path, digest, None)
            else:  # "renamed", "not in cache": no change of bytes
                continue
            found.setdefault(owning_stage(path, locked), []).append(change)
    return found


def owning_stage(path: str, locked: dict[str, dict[str, str]]) -> str:
    clean = path.rstrip("/")
    for stage, outs in locked.items():
        if any(clean == out or clean.startswith(out.rstrip("/") + "/") for out in outs):
            return stage
    return clean
