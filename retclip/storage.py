"""Where stage outputs are written: whole folders swapped in atomically, JSON written stably.

A stage writes into a staging folder beside its output and swaps it in only when everything is
written, so a failed run never leaves a half-written output that looks complete.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from retclip.lineage import LINEAGE_FILE


class OutputError(RuntimeError):
    """The output folder cannot be (re)written safely."""


def write_json(path: Path, value: Any) -> None:
    """Pretty, deterministic JSON (keys in insertion order, UTF-8, trailing newline)."""
    path.write_text(
        json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces ``out`` as a whole.

    Refuses to replace a non-empty folder that no stage wrote (it has no ``lineage.json``).
    """
    out = Path(out)
    if out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / LINEAGE_FILE).is_file())
    ):
        raise OutputError(
            f"{out} exists and was not written by a retclip stage "
            f"(no {LINEAGE_FILE}); choose an empty or new folder"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
