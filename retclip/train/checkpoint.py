"""Checkpoints that a crash cannot corrupt and that a resumed run continues from exactly.

Layout under ``checkpoints/``: ``step-NNNNNNNN/`` folders (``model.safetensors``, ``config.json``,
``state.pt`` with the optimiser, scheduler, every rank's RNG state, the data position and the
parameters), ``latest.json`` naming the newest, and ``identity.json``: the lineage (inputs, code,
parameters) the run belongs to, so a resume never continues a run of other data or code. A
folder is written under a temporary name and renamed; ``latest.json`` is replaced only after
that, so it always names a complete checkpoint.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import torch
from torch import nn

from retclip.model.retclip import CONFIG_FILE, WEIGHTS_FILE, load_weights, save_weights

LATEST = "latest.json"
STATE_FILE = "state.pt"
IDENTITY_FILE = "identity.json"  # the lineage the checkpoints belong to (see training_identity)
# parameters that may change between an interrupted run and its resumption
RESUMABLE_CHANGES = {"workers", "checkpoint_every", "keep_checkpoints", "max_steps"}


class CheckpointError(RuntimeError):
    """A checkpoint cannot be resumed from; the message says what differs."""


def save_checkpoint(
    folder: Path,
    model: nn.Module,
    config: dict[str, Any],
    state: dict[str, Any],
    keep: int,
) -> Path:
    """Write checkpoint ``state["step"]`` and drop all but the newest ``keep``."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"step-{state['step']:08d}"
    partial = folder / f".{name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    save_weights(model, partial / WEIGHTS_FILE)
    (partial / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    torch.save(state, partial / STATE_FILE)
    target = folder / name
    shutil.rmtree(target, ignore_errors=True)
    os.replace(partial, target)
    pointer = folder / f".{LATEST}.partial"
    pointer.write_text(json.dumps({"step": state["step"], "path": name}) + "\n", encoding="utf-8")
    os.replace(pointer, folder / LATEST)
    for old in sorted(folder.glob("step-*"))[:-keep]:
        shutil.rmtree(old)
    return target


def write_identity(folder: Path, identity: str) -> None:
    """Record which lineage (inputs, code, parameters) the checkpoints in ``folder`` belong to."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{IDENTITY_FILE}.partial"
    partial.write_text(json.dumps({"identity": identity}) + "\n", encoding="utf-8")
    os.replace(partial, folder / IDENTITY_FILE)


def read_identity(folder: Path) -> str | None:
    """The recorded lineage of the checkpoints in ``folder``; ``None`` when none was recorded."""
    path = folder / IDENTITY_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))["identity"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def latest_checkpoint(folder: Path) -> Path | None:
    pointer = folder / LATEST
    if not pointer.is_file():
        return None
    return folder / json.loads(pointer.read_text(encoding="utf-8"))["path"]


def load_checkpoint(path: Path, model: nn.Module, params: dict[str, Any]) -> dict[str, Any]:
    """Load the weights into ``model`` and return the rest of the state.

    Weights of another configuration, or a run with other parameters, raise a clear error.
    """
    load_weights(model, path / WEIGHTS_FILE)
    state = torch.load(path / STATE_FILE, map_location="cpu", weights_only=True)
    changed = sorted(
        key
        for key in set(params) | set(state["params"])
        if key not in RESUMABLE_CHANGES and params.get(key) != state["params"].get(key)
    )
    if changed:
        lines = [f"{path} was written with other parameters; cannot resume exactly:"]
        lines += [
            f"  pretrain.{k}: checkpoint {state['params'].get(k)!r}, now {params.get(k)!r}"
            for k in changed
        ]
        raise CheckpointError("\n".join(lines))
    return state
