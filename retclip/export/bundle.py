"""The export stage: a trained model folder in, a verified, self-contained export folder out.

The folder holds the two graphs (weights in ``.onnx.data`` beside each), optional int8 copies,
``export.json`` (preprocessing, context length, logit scales), the tokenizer files, the task
prompts, ``parity.json`` and ``model_card.md``: enough for :mod:`retclip.export.predict` to score
a photograph with nothing but the folder. The caller owns staging and ``lineage.json``, as for
every stage (:func:`retclip.pipeline` wraps this in ``staged_output``), so a parity failure
leaves no export behind.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import onnx

from retclip.config import ExportParams
from retclip.export import parity
from retclip.export.graphs import export_graphs
from retclip.export.layout import (
    INFO_FILE,
    MODEL_CARD_FILE,
    PARITY_FILE,
    PROMPTS_FILE,
    TOKENIZER_FILE,
    TOKENIZER_FILES,
    ExportError,
    ExportInfo,
)
from retclip.export.model_card import model_card, read_evaluations, read_model_record
from retclip.export.quantize import quantize_graphs
from retclip.model import RetClip
from retclip.model.config import CLIP_MEAN, CLIP_STD
from retclip.model.retclip import model_folder
from retclip.storage import write_json

Prompts = Mapping[str, Mapping[str, Sequence[str]]]


def find_model(path: Path) -> Path:
    """The model folder: ``path`` itself, or its ``model/`` (the pretrain stage's output)."""
    try:
        folder = model_folder(path)
    except ValueError as exc:
        raise ExportError(str(exc)) from None
    if not (folder / TOKENIZER_FILE).is_file():
        raise ExportError(f"{folder}: model folder has no {TOKENIZER_FILE}")
    return folder


def export_model(
    model_dir: Path,
    out: Path,
    params: ExportParams,
    *,
    preprocess_size: int,
    jpeg_quality: int,
    max_pixels: int,
    prompts: Prompts | None = None,
    evaluations: Sequence[Path] = (),
) -> dict[str, Any]:
    """Export, verify and describe the model in ``model_dir`` into the empty folder ``out``.

    ``preprocess_size``, ``jpeg_quality`` and ``max_pixels`` are the preprocess and validate
    stages' settings the training images were made with; prediction repeats them.
    ``evaluations`` are evaluation output folders (each holding ``table.md``) for the card.
    Raises :class:`~retclip.export.parity.ParityError` when onnxruntime and PyTorch disagree
    by more than ``params.parity_atol``. Returns a summary (files, parity, parameters).
    """
    model_dir, out = find_model(model_dir), Path(out)
    checked_prompts = check_prompts(prompts or {})
    tables = read_evaluations(evaluations)
    model = RetClip.from_pretrained(model_dir)
    graphs = export_graphs(model, out, params.opset)
    report: dict[str, Any] = {
        "atol": params.parity_atol,
        "batch_sizes": list(params.parity_batch_sizes),
        "image_rows": "row i has both eyes (i % 3 == 0), only the left (1), only the right (2)",
        "fp32": verify(model, graphs, params, str(model_dir)),
    }
    if params.quantize_int8:
        report["int8"] = verify(model, quantize_graphs(out), params, str(model_dir), enforced=False)
    config = model.config
    info = ExportInfo(
        preset=config.preset,
        embed_dim=config.embed_dim,
        image_size=config.image.image_size,
        image_mean=CLIP_MEAN,
        image_std=CLIP_STD,
        preprocess_size=preprocess_size,
        jpeg_quality=jpeg_quality,
        max_pixels=max_pixels,
        local_contrast=config.local_contrast,
        context_length=config.context_length,
        logit_scales={k: float(v.detach()) for k, v in model.logit_scales().items()},
        opset=params.opset,
        int8=params.quantize_int8,
    )
    for name in TOKENIZER_FILES:
        if (model_dir / name).is_file():
            shutil.copyfile(model_dir / name, out / name)
    write_json(out / INFO_FILE, info.to_dict())
    write_json(out / PROMPTS_FILE, checked_prompts)
    write_json(out / PARITY_FILE, report)
    counts = parameter_counts(model)
    card = model_card(config, counts, info, report, read_model_record(model_dir), tables)
    (out / MODEL_CARD_FILE).write_text(card, encoding="utf-8")
    return {
        "files": sorted(p.name for p in out.iterdir() if p.is_file()),
        "parity": {k: report[k]["max_abs_diff"] for k in ("fp32", "int8") if k in report},
        "parameters": counts["total"],
    }


def verify(
    model: RetClip, graphs: dict[str, Path], params: ExportParams, name: str, enforced: bool = True
) -> dict[str, Any]:
    """Full ONNX check, then parity figures at every batch size; with ``enforced``, raises
    :class:`~retclip.export.parity.ParityError` above the tolerance."""
    for path in graphs.values():
        onnx.checker.check_model(str(path), full_check=True)
    figures = parity.measure(model, graphs, params.parity_batch_sizes)
    if enforced:
        parity.enforce(figures, params.parity_atol, name)
    return {"enforced": enforced, "max_abs_diff": parity.largest(figures), "figures": figures}


def check_prompts(prompts: Prompts) -> dict[str, dict[str, list[str]]]:
    """Task -> class -> prompt texts as plain JSON; every task needs two classes with texts."""
    checked = {}
    for task, classes in prompts.items():
        if not isinstance(classes, Mapping) or len(classes) < 2:
            raise ExportError(f"prompts for task {task!r}: need at least two classes")
        checked[str(task)] = {}
        for name, texts in classes.items():
            if (
                isinstance(texts, str)
                or not texts
                or not all(isinstance(t, str) and t.strip() for t in texts)
            ):
                raise ExportError(
                    f"prompts for task {task!r}, class {name!r}: need a list of non-empty texts"
                )
            checked[str(task)][str(name)] = list(texts)
    return checked


def parameter_counts(model: RetClip) -> dict[str, int]:
    """Parameters of the image tower, the text tower, the heads and maps, and in total."""
    towers = {"image tower": model.visual, "text tower": model.bert}
    counts = {part: sum(p.numel() for p in m.parameters()) for part, m in towers.items()}
    total = sum(p.numel() for p in model.parameters())
    return {**counts, "heads, maps and scales": total - sum(counts.values()), "total": total}
