"""The exported graphs in onnxruntime: numpy in, unit-norm embeddings out, no torch.

Imports only numpy, onnxruntime, tokenizers and torch-free retclip modules, so that
``retclip predict`` and any service built on an export folder run without torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from retclip.export.layout import (
    GRAPHS,
    IMAGE_INPUTS,
    IMAGE_OUTPUTS,
    INT8_GRAPHS,
    TEXT_INPUTS,
    TEXT_OUTPUTS,
    TOKENIZER_FILE,
    ExportFolderError,
    ExportInfo,
    read_info,
    read_prompts,
)
from retclip.text.tokenizer import encode


def open_session(path: Path, threads: int = 0) -> ort.InferenceSession:
    """A CPU session (``threads`` 0: onnxruntime's default pool); weights in
    ``<name>.onnx.data`` beside the graph load with it."""
    options = ort.SessionOptions()
    options.log_severity_level = 3  # warnings about unused initialisers are not for users
    options.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def pack_eyes(
    left: np.ndarray, right: np.ndarray, has_left: np.ndarray, has_right: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-side batches ``[B, 3, S, S]`` with presence ``[B]`` -> the image graph's inputs:
    the present eyes stacked, and each patient's row of each side (-1: missing)."""
    has_left, has_right = np.asarray(has_left, bool), np.asarray(has_right, bool)
    if not (has_left | has_right).all():
        raise ValueError("every patient needs at least one eye")
    rows = [left[i] for i in np.flatnonzero(has_left)] + [
        right[i] for i in np.flatnonzero(has_right)
    ]
    left_index = np.full(len(has_left), -1, dtype=np.int64)
    right_index = np.full(len(has_right), -1, dtype=np.int64)
    left_index[has_left] = np.arange(int(has_left.sum()))
    right_index[has_right] = int(has_left.sum()) + np.arange(int(has_right.sum()))
    return np.stack(rows).astype(np.float32), left_index, right_index


class ImageRunner:
    """The image graph: stacked present eyes and row indices -> level -> ``[patients, E]``."""

    def __init__(self, path: Path, threads: int = 0):
        self.session = open_session(path, threads)

    def __call__(
        self, images: np.ndarray, left_index: np.ndarray, right_index: np.ndarray
    ) -> dict[str, np.ndarray]:
        feeds = dict(zip(IMAGE_INPUTS, (images, left_index, right_index), strict=True))
        outputs = self.session.run(list(IMAGE_OUTPUTS), feeds)
        return dict(zip(IMAGE_OUTPUTS, outputs, strict=True))


class TextRunner:
    """The text graph: token ids and mask ``[texts, L]`` -> level -> ``[texts, E]``."""

    def __init__(self, path: Path, threads: int = 0):
        self.session = open_session(path, threads)

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray]:
        feeds = dict(zip(TEXT_INPUTS, (ids, mask), strict=True))
        outputs = self.session.run(list(TEXT_OUTPUTS), feeds)
        return dict(zip(TEXT_OUTPUTS, outputs, strict=True))


@dataclass
class ExportedModel:
    """An export folder opened for inference."""

    folder: Path
    info: ExportInfo
    image: ImageRunner
    text: TextRunner
    tokenizer: Tokenizer
    prompts: dict[str, dict[str, list[str]]]

    @classmethod
    def load(cls, folder: Path, int8: bool = False) -> ExportedModel:
        """Open the fp32 graphs, or the int8 ones (only if the export made them)."""
        folder = Path(folder)
        info = read_info(folder)
        if int8 and not info.int8:
            raise ExportFolderError(f"{folder}: this export has no int8 graphs")
        graphs = INT8_GRAPHS if int8 else GRAPHS
        return cls(
            folder=folder,
            info=info,
            image=ImageRunner(folder / graphs["image"]),
            text=TextRunner(folder / graphs["text"]),
            tokenizer=Tokenizer.from_file(str(folder / TOKENIZER_FILE)),
            prompts=read_prompts(folder),
        )

    def encode_texts(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Level -> ``[texts, E]`` embeddings, tokenised exactly as in training."""
        ids, mask = encode(self.tokenizer, texts, self.info.context_length)
        return self.text(ids, mask)
