"""``model_card.md``: what the exported model is for, what it was made from, how well it does.

Everything in the card is read from files that travel with the model (config, lineage records,
evaluation tables, the parity verdict), so two exports of the same model give the same card, on
any machine and from any commit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retclip.export.layout import ExportError, ExportInfo
from retclip.lineage import LINEAGE_FILE
from retclip.model.config import ImageTowerConfig, ModelConfig

EVALUATION_TABLE = "table.md"

INTENDED_USE = """\
RET-CLIP embeds colour fundus photographs (CFP) and clinical report texts in one space, at eye
level (left, right) and patient level (both eyes). Intended uses:

- research on retinal images: zero-shot classification with text prompts, image-report
  retrieval, and features for linear probing or fine-tuning on labelled data;
- a starting point that a team validates on its own population before any clinical use.

It is not a medical device and does not diagnose. A prediction supports, never replaces, a
qualified reader."""

LIMITS = """\
- Inputs must be colour fundus photographs with a visible circular field of view; other images
  are refused (no field of view) or, if accepted, give meaningless scores.
- The model knows the findings, wording and languages of its training reports; prompts in
  other words or languages, and diseases the reports never mention, are guesses.
- Zero-shot probabilities are a softmax over the labels given, not calibrated risks: they
  change with the label set and say nothing about labels that were not offered.
- Image quality, cameras and populations unlike the training data lower accuracy; check the
  evaluation tables below for the data it was measured on.
- A patient with one eye gets a patient embedding through a learned missing-eye feature; its
  patient-level scores are less certain than with both eyes.
- The int8 graphs, where present, trade precision for speed; their figures below are not
  enforced."""


@dataclass(frozen=True)
class ModelRecord:
    """The lineage facts of the model folder (from the pretrain stage's records)."""

    lineage_id: str
    params_sha256: str
    code_sha256: str | None
    raw_data: dict[str, str] | None  # the data.dvc file and md5 the model stands on


def read_model_record(model_dir: Path) -> ModelRecord | None:
    """The lineage record of the folder holding the model (the model folder or its parent)."""
    for folder in (model_dir, model_dir.parent):
        path = folder / LINEAGE_FILE
        if path.is_file():
            record = json.loads(path.read_text(encoding="utf-8"))
            return ModelRecord(
                lineage_id=record["lineage_id"],
                params_sha256=record["params_sha256"],
                code_sha256=record.get("code_sha256"),
                raw_data=record.get("raw_data"),
            )
    return None


def read_evaluations(paths: Sequence[Path]) -> list[tuple[str, str]]:
    """(task, Markdown table) per evaluation output folder (its ``table.md``) or table file."""
    tables = []
    for path in map(Path, paths):
        table = path / EVALUATION_TABLE if path.is_dir() else path
        if not table.is_file():
            raise ExportError(f"{table}: evaluation table not found")
        task = path.name if path.is_dir() else path.parent.name
        tables.append((task, table.read_text(encoding="utf-8").strip()))
    return tables


def model_card(
    config: ModelConfig,
    parameters: dict[str, int],
    info: ExportInfo,
    parity: dict[str, Any],
    record: ModelRecord | None,
    evaluations: Sequence[tuple[str, str]],
) -> str:
    """The card's Markdown text."""
    sections = [
        f"# RET-CLIP model card ({config.preset} preset)",
        "## Intended use\n\n" + INTENDED_USE,
        "## Limits\n\n" + LIMITS,
        "## Training data\n\n" + _training_data(record),
        "## Parameters\n\n" + _parameters(config, parameters, info),
        "## Evaluation\n\n" + _evaluation(evaluations),
        "## ONNX export and parity\n\n" + _parity(parity),
        "## Lineage\n\n" + _lineage(record),
    ]
    return "\n\n".join(sections) + "\n"


def _training_data(record: ModelRecord | None) -> str:
    raw = record.raw_data if record else None
    if not raw:
        return "Data version: unknown (the model folder has no lineage record naming it)."
    return (
        f"Data version: `{raw['md5']}` (md5 of the raw data folder in `{raw['dvc_file']}`). "
        "`retclip lineage` on the model folder walks from it to that version."
    )


def _image_tower(image: ImageTowerConfig) -> str:
    if image.architecture == "resnet":
        return (
            f"`{image.timm_name}` (ResNet, GroupNorm), {image.image_size} px, "
            f"last stage {image.width} channels"
        )
    return (
        f"`{image.timm_name}`, {image.image_size} px, patch {image.patch_size}, "
        f"width {image.width}, depth {image.depth}, {image.heads} heads"
    )


def _parameters(config: ModelConfig, parameters: dict[str, int], info: ExportInfo) -> str:
    image, text = config.image, config.text
    rows = [
        ("image tower", _image_tower(image)),
        (
            "text tower",
            f"BERT, vocabulary {text.vocab_size}, hidden {text.hidden_size}, "
            f"{text.layers} layers, {text.heads} heads",
        ),
        ("embedding", f"{config.embed_dim} dimensions, unit norm"),
        ("context length", f"{config.context_length} tokens"),
        (
            "preprocessing",
            f"field-of-view crop at {info.preprocess_size} px, JPEG quality "
            f"{info.jpeg_quality}, bicubic resize to {info.image_size} px, "
            + ("local-contrast filter (Graham), " if info.local_contrast else "")
            + "CLIP mean/std",
        ),
        ("logit scales", ", ".join(f"{k} {v:.2f}" for k, v in info.logit_scales.items())),
    ]
    rows += [(f"parameters, {part}", f"{count:,}") for part, count in parameters.items()]
    return _table(("", "value"), rows) + (
        "\n\nThe full configuration is in `export.json` and the model folder's `config.json`."
    )


def _evaluation(evaluations: Sequence[tuple[str, str]]) -> str:
    if not evaluations:
        return "Not evaluated: no evaluation output was given to the export."
    return "\n\n".join(f"### {task}\n\n{table}" for task, table in evaluations)


def _parity(parity: dict[str, Any]) -> str:
    batches = ", ".join(map(str, parity["batch_sizes"]))
    text = (
        "onnxruntime and PyTorch embeddings (unit norm) were compared on random inputs at batch "
        f"sizes {batches}; image batches include one-eye patients. Every output was within "
        f"{parity['atol']:g} of PyTorch's (enforced: the export fails above it). The measured "
        "differences are in `parity.json` beside this card, not here: they depend on the kernels "
        "onnxruntime picks for the CPU that exported, and this card is versioned."
    )
    if "int8" in parity:
        text += " The int8 graphs' differences (dynamic quantisation) are there too, not enforced."
    return text


def _lineage(record: ModelRecord | None) -> str:
    if record is None:
        return "No lineage record: the model folder was not written by the pretrain stage."
    rows = [
        ("model lineage id", f"`{record.lineage_id}`"),
        ("parameters sha256", f"`{record.params_sha256}`"),
        ("code sha256", f"`{record.code_sha256 or 'unknown'}`"),
    ]
    return (
        _table(("", "value"), rows) + "\n\nThe git commit and time of the training run are in "
        "its `run.json` (`retclip lineage` shows them), not in this versioned card: the same "
        "inputs, code and parameters give the same card from any commit."
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines)
