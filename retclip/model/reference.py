"""Import the authors' released RET-CLIP checkpoint into a normal retclip model folder.

The released file is a flat PyTorch state dict whose keys all start with ``module.`` (saved from
DistributedDataParallel). Also accepted, because the reference code writes them too:

* the same keys without the prefix (saved from an unwrapped model);
* a training checkpoint ``{"state_dict": {...}, "epoch": ..., "optimizer": ...}``: the state
  dict is used, the other entries are ignored and listed in the report.

Nothing else is guessed. The file is read with ``weights_only=True`` (no code runs), checked
completely, and only then written: into a staging folder that replaces ``out`` at the end, so a
bad file leaves no output behind.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from retclip.config import TokenizerParams
from retclip.lineage import describe_input, portable_path, sha256_file, write_lineage
from retclip.model.config import ModelConfig
from retclip.model.reference_layout import (
    INITIALISED,
    ReferenceImportError,
    ReferenceMismatchError,
    check_layout,
    derive_config,
    reference_layout,
    to_model_state,
)
from retclip.model.retclip import RetClip
from retclip.storage import staged_output, write_json
from retclip.text.tokenizer import from_vocab, load_backend

__all__ = [
    "REPORT_FILE",
    "ImportReport",
    "ReferenceImportError",
    "ReferenceMismatchError",
    "import_reference",
    "read_checkpoint",
]

REPORT_FILE = "import_report.json"
PREFIX = "module."
WRAPPER = "state_dict"
STAGE = "import_reference"


@dataclass(frozen=True)
class Checkpoint:
    """The tensors of a checkpoint file (prefix removed) and how they were stored."""

    state: dict[str, Tensor]
    prefix: str  # "module." or ""
    wrapper: str | None = None  # "state_dict" when the tensors were wrapped
    ignored: list[str] = field(default_factory=list)  # other entries beside the wrapped dict


@dataclass(frozen=True)
class ImportReport:
    """What was imported (written as ``import_report.json`` in the model folder)."""

    source: str
    sha256: str
    tensors: int
    parameters: int
    key_prefix: str
    unwrapped_from: str | None
    ignored_entries: list[str]
    dtypes: list[str]
    vocab_sha256: str
    config: ModelConfig
    initialised: dict[str, str]  # model parameters the checkpoint lacks -> how they were set

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "tensors": self.tensors,
            "parameters": self.parameters,
            "key_prefix": self.key_prefix,
            "unwrapped_from": self.unwrapped_from,
            "ignored_entries": self.ignored_entries,
            "dtypes": self.dtypes,
            "vocab_sha256": self.vocab_sha256,
            "config": self.config.to_dict(),
            "initialised": self.initialised,
        }


def import_reference(
    checkpoint: Path, vocab_file: Path, out: Path, *, context_length: int = 100
) -> ImportReport:
    """Write ``out`` as a model folder (``RetClip.from_pretrained`` loads it) holding the
    checkpoint's weights, the BERT-Chinese tokenizer built from ``vocab_file``, the import
    report and lineage. Raises :class:`ReferenceImportError` (a ``ValueError``) naming the file
    and the reason when the checkpoint or vocabulary does not fit; then nothing is written."""
    checkpoint, vocab_file, out = Path(checkpoint), Path(vocab_file), Path(out)
    loaded = read_checkpoint(checkpoint)
    source = str(checkpoint)
    config = derive_config(loaded.state, context_length, source)
    check_layout(loaded.state, reference_layout(config), source, loaded.prefix)
    with tempfile.TemporaryDirectory() as scratch:
        tokenizer = _tokenizer(vocab_file, config, checkpoint, Path(scratch) / "tokenizer")
        model = RetClip(config)
        model.load_state_dict(to_model_state(loaded.state, model, source))
        report = ImportReport(
            source=portable_path(checkpoint),
            sha256=sha256_file(checkpoint),
            tensors=len(loaded.state),
            parameters=sum(v.numel() for v in loaded.state.values()),
            key_prefix=loaded.prefix,
            unwrapped_from=loaded.wrapper,
            ignored_entries=loaded.ignored,
            dtypes=sorted({str(v.dtype).removeprefix("torch.") for v in loaded.state.values()}),
            vocab_sha256=sha256_file(vocab_file),
            config=config,
            initialised=dict(INITIALISED),
        )
        with staged_output(out) as folder:
            model.save_pretrained(folder, tokenizer_dir=tokenizer)
            write_json(folder / REPORT_FILE, report.to_dict())
            write_lineage(
                folder,
                STAGE,
                [describe_input(checkpoint, "checkpoint"), describe_input(vocab_file, "vocab")],
                {STAGE: {"context_length": context_length}},
                extra_files={checkpoint.name: report.sha256, vocab_file.name: report.vocab_sha256},
            )
    return report


def read_checkpoint(path: Path) -> Checkpoint:
    """The tensors of a checkpoint file, loaded with ``weights_only=True``; a file that is not
    a state dict (or a ``{"state_dict": ...}`` wrapper) raises :class:`ReferenceImportError`."""
    path = Path(path)
    if not path.is_file():
        raise ReferenceImportError(f"{path}: no such file")
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for a file it cannot or will not read
        raise ReferenceImportError(
            f"{path}: not a checkpoint torch loads with weights_only=True "
            f"(truncated, corrupt, or holding objects other than tensors): {_load_failure(exc)}"
        ) from exc
    wrapper, ignored = None, []
    if isinstance(raw, dict) and isinstance(raw.get(WRAPPER), dict):
        wrapper, ignored = WRAPPER, sorted(str(k) for k in raw if k != WRAPPER)
        raw = raw[WRAPPER]
    if not isinstance(raw, dict):
        raise ReferenceImportError(
            f"{path}: holds a {type(raw).__name__}, not a state dict (names -> tensors)"
        )
    if not raw:
        raise ReferenceImportError(f"{path}: the state dict is empty")
    odd = [repr(k) for k, v in raw.items() if not (isinstance(k, str) and isinstance(v, Tensor))]
    if odd:
        raise ReferenceImportError(
            f"{path}: not a state dict: {len(odd)} entries are not name -> tensor, e.g. "
            + ", ".join(odd[:5])
        )
    prefixed = [k for k in raw if k.startswith(PREFIX)]
    if prefixed and len(prefixed) != len(raw):
        plain = sorted(k for k in raw if not k.startswith(PREFIX))
        raise ReferenceImportError(
            f"{path}: some keys start with {PREFIX!r} and {len(plain)} do not, e.g. "
            + ", ".join(plain[:5])
        )
    prefix = PREFIX if prefixed else ""
    state = {k.removeprefix(prefix): v for k, v in raw.items()}
    return Checkpoint(state, prefix, wrapper, ignored)


def _tokenizer(vocab_file: Path, config: ModelConfig, checkpoint: Path, out: Path) -> Path:
    """The BERT-Chinese tokenizer folder; its ids must cover exactly the word embeddings."""
    params = TokenizerParams(
        kind="bert-chinese", vocab_file=str(vocab_file), context_length=config.context_length
    )
    folder = from_vocab(vocab_file, params, out)
    tokens = load_backend(folder).get_vocab_size(with_added_tokens=True)
    if tokens != config.text.vocab_size:
        raise ReferenceImportError(
            f"{vocab_file} gives {tokens} token ids but {checkpoint} has "
            f"{config.text.vocab_size} word embeddings; use the vocabulary it was trained with"
        )
    return folder


def _load_failure(exc: Exception) -> str:
    """torch's reason in one line; for a refused object, the refusal without torch's advice to
    load untrusted files with ``weights_only=False``."""
    text = str(exc)
    refused = re.search(r"WeightsUnpickler error:\s*(.+?)(?:\. Please|\n\n|$)", text, re.S)
    reason = refused.group(1) if refused else (text.strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {' '.join(reason.split())[:200]}"
