"""What an export folder holds, and ``export.json``: everything prediction needs besides graphs.

Shared by the torch side that writes the folder and the torch-free side that reads it, so this
module imports neither torch nor onnxruntime.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
INFO_FILE = "export.json"
PROMPTS_FILE = "prompts.json"
PARITY_FILE = "parity.json"
MODEL_CARD_FILE = "model_card.md"
TOKENIZER_FILE = "tokenizer.json"
TOKENIZER_FILES = (TOKENIZER_FILE, "tokenizer_config.json", "vocab.txt")
GRAPHS = {"image": "image.onnx", "text": "text.onnx"}
INT8_GRAPHS = {"image": "image.int8.onnx", "text": "text.int8.onnx"}

# The graphs' signatures; batch axes are dynamic, image size and text length are fixed.
IMAGE_INPUTS = ("images", "left_index", "right_index")
IMAGE_OUTPUTS = ("left", "right", "patient")
TEXT_INPUTS = ("input_ids", "attention_mask")
TEXT_OUTPUTS = ("patient", "left", "right")
SIGNATURES = {
    "image": {
        "inputs": {
            "images": "float32 [eyes, 3, S, S]: every present eye of the batch, model input",
            "left_index": "int64 [patients]: row of `images` holding the left eye, -1 if none",
            "right_index": "int64 [patients]: row of `images` holding the right eye, -1 if none",
        },
        "outputs": {
            "left": "float32 [patients, E]: unit-norm left-eye embedding",
            "right": "float32 [patients, E]: unit-norm right-eye embedding",
            "patient": "float32 [patients, E]: unit-norm patient embedding (a missing eye "
            "uses the learned missing-eye feature)",
        },
    },
    "text": {
        "inputs": {
            "input_ids": "int64 [texts, L]: [CLS] tokens [SEP], zero-padded",
            "attention_mask": "int64 [texts, L]: 1 where input_ids is not [PAD]",
        },
        "outputs": {
            level: f"float32 [texts, E]: unit-norm embedding through the {level} text head"
            for level in TEXT_OUTPUTS
        },
    },
}


class ExportError(ValueError):
    """A model folder, its prompts or its evaluation tables cannot be exported; names which."""


class ExportFolderError(ValueError):
    """An export folder is incomplete or from another format version; the message names it."""


@dataclass(frozen=True)
class ExportInfo:
    """How to feed the graphs: preprocessing exactly as training, text length, logit scales."""

    preset: str
    embed_dim: int
    image_size: int  # the model's input side
    image_mean: tuple[float, float, float]  # for readers outside retclip, which normalises
    image_std: tuple[float, float, float]  # through decode_to_model_input, as training does
    preprocess_size: int  # side of the field-of-view crop the training shards hold
    jpeg_quality: int  # quality the training shards were encoded at
    max_pixels: int  # decompression-bomb guard, as validation applies it
    local_contrast: bool  # high-pass the fundus before normalising (Graham), as training did
    context_length: int
    logit_scales: dict[str, float]  # level -> multiplier exp(logit_scale)
    opset: int
    int8: bool  # whether image.int8.onnx and text.int8.onnx are present

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            **asdict(self),
            "graphs": GRAPHS,
            "int8_graphs": INT8_GRAPHS if self.int8 else {},
            "signatures": SIGNATURES,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any], name: str) -> ExportInfo:
        version = raw.get("format_version")
        if version != FORMAT_VERSION:
            raise ExportFolderError(f"{name}: export format {version} is not {FORMAT_VERSION}")
        fields = {k: raw[k] for k in cls.__dataclass_fields__}
        for key in ("image_mean", "image_std"):
            fields[key] = tuple(fields[key])
        return cls(**fields)


def read_info(folder: Path) -> ExportInfo:
    """``export.json`` of an export folder, checked for the files prediction opens."""
    folder = Path(folder)
    path = folder / INFO_FILE
    if not path.is_file():
        raise ExportFolderError(f"{folder}: not an export folder (no {INFO_FILE})")
    info = ExportInfo.from_dict(json.loads(path.read_text(encoding="utf-8")), str(path))
    needed = [*GRAPHS.values(), TOKENIZER_FILE, *(INT8_GRAPHS.values() if info.int8 else ())]
    missing = [name for name in needed if not (folder / name).is_file()]
    if missing:
        raise ExportFolderError(f"{folder}: export folder lacks {', '.join(missing)}")
    return info


def read_prompts(folder: Path) -> dict[str, dict[str, list[str]]]:
    """Task name -> class name -> prompt texts; empty when the export has no ``prompts.json``."""
    path = Path(folder) / PROMPTS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
