"""One function per pipeline stage: ``(inputs, output folder, parameters) -> result``.

This is the spine of retclip. The CLI, ``dvc.yaml`` and the Dagster assets are thin faces over
these functions, so every runner does exactly the same work.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Literal

import pandas as pd

from retclip.config import Params, params_to_dict
from retclip.data.manifest import read_manifest
from retclip.data.preprocess import preprocess_dataset, write_sample_sheet
from retclip.data.synth.clinic import ClinicSummary, generate_clinic
from retclip.data.validation import ValidationOutcome, validate_manifest
from retclip.lineage import describe_input, sha256_file, write_lineage
from retclip.storage import staged_output, write_json
from retclip.text.clean import CleanResult
from retclip.text.clean import clean_reports as clean_manifest_reports
from retclip.text.leak_scan import scan_for_phi
from retclip.text.phi_recall import measure_recall
from retclip.text.tokenizer import build_tokenizer


def synth(out: Path, params: Params, progress: bool = True) -> ClinicSummary:
    """Write the synthetic clinic (raw data in the manifest contract) to ``out``."""
    return generate_clinic(Path(out), params.synth, progress=progress)


def validate(raw: Path, out: Path, params: Params, progress: bool = True) -> ValidationOutcome:
    """Validate ``raw`` and write manifest, quarantine, image statistics and GX results."""
    raw = Path(raw)
    manifest = read_manifest(raw)
    settings = params.validate_
    outcome = validate_manifest(manifest, raw, settings, settings.workers, progress)
    with staged_output(Path(out)) as folder:
        outcome.valid.to_parquet(folder / "manifest.parquet", index=False)
        outcome.quarantine.to_parquet(folder / "quarantine.parquet", index=False)
        outcome.images.to_parquet(folder / "image_stats.parquet", index=False)
        write_json(folder / "validation.json", outcome.summary)
        write_lineage(
            folder,
            "validate",
            [describe_input(raw, "raw")],
            {"validate": params_to_dict(params)["validate"]},
            extra_files={manifest.path.name: sha256_file(manifest.path)},
        )
    return outcome


def preprocess(raw: Path, manifest: Path, out: Path, params: Params, progress: bool = True) -> dict:
    """Crop and resize every valid eye into tar shards, with per-image statistics."""
    raw, manifest = Path(raw), Path(manifest)
    table = pd.read_parquet(manifest / "manifest.parquet")
    with staged_output(Path(out)) as folder:
        summary = preprocess_dataset(
            table, raw, folder, params.preprocess, params.validate_.max_image_pixels, progress
        )
        write_json(folder / "shards.json", summary)
        write_sample_sheet(folder)
        write_lineage(
            folder,
            "preprocess",
            [describe_input(raw, "raw"), describe_input(manifest, "manifest")],
            {"preprocess": params_to_dict(params)["preprocess"]},
        )
    return summary


def clean_reports(manifest: Path, out: Path, params: Params, progress: bool = True) -> CleanResult:
    """Normalise, scrub PHI and split every valid patient's report; quarantine what is unusable."""
    manifest = Path(manifest)
    table = pd.read_parquet(manifest / "manifest.parquet")
    result = clean_manifest_reports(table, params.clean_reports, progress)
    audit = {
        **result.audit,
        "leak_scan": scan_for_phi(result.reports, table),
        "safe_harbor_recall": measure_recall(params.clean_reports),
    }
    with staged_output(Path(out)) as folder:
        result.reports.to_parquet(folder / "reports.parquet", index=False)
        result.quarantine.to_parquet(folder / "quarantine.parquet", index=False)
        write_json(folder / "phi_audit.json", audit)
        write_lineage(
            folder,
            "clean_reports",
            [describe_input(manifest, "manifest")],
            {"clean_reports": params_to_dict(params)["clean_reports"]},
        )
    return CleanResult(result.reports, result.quarantine, audit)


def tokenizer(reports: Path, out: Path, params: Params) -> Path:
    """Train the WordPiece tokenizer on the cleaned reports, or build it from a vocabulary."""
    reports = Path(reports)
    table = pd.read_parquet(reports / "reports.parquet")
    texts = [t for column in ("patient_text", "left_text", "right_text") for t in table[column]]
    with staged_output(Path(out)) as folder:
        build_tokenizer(texts, params.tokenizer, folder)
        extra = {}
        if params.tokenizer.kind == "bert-chinese" and params.tokenizer.vocab_file:
            extra = {
                Path(params.tokenizer.vocab_file).name: sha256_file(
                    Path(params.tokenizer.vocab_file)
                )
            }
        write_lineage(
            folder,
            "tokenizer",
            [describe_input(reports, "reports")],
            {"tokenizer": params_to_dict(params)["tokenizer"]},
            extra_files=extra,
        )
    return Path(out)


def pretrain(
    images: Path,
    reports: Path,
    tokenizer: Path,
    out: Path,
    params: Params,
    resume: bool | Literal["auto"] = False,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
):
    """Pre-train RET-CLIP on the shards and cleaned reports; writes model/, metrics, loss.png.

    Not staged: checkpoints must survive a crash so that ``resume`` can continue. ``resume=True``
    continues the checkpoints in ``out`` and refuses those of another lineage (other inputs,
    code or parameters); ``"auto"`` (Dagster's retries) continues them when they are of this
    lineage and starts afresh otherwise. Under torchrun every rank calls this and only rank 0
    writes. ``progress`` shows bars; ``log`` takes progress lines (see
    :func:`retclip.train.train`).
    """
    import functools
    import os

    from retclip.text.tokenizer import MASK, encode, load_backend
    from retclip.train import train
    from retclip.train.checkpoint import write_identity
    from retclip.train.loop import CHECKPOINT_DIR, METRICS_FILE
    from retclip.train.metrics import read_metrics

    images, reports, tokenizer, out = Path(images), Path(reports), Path(tokenizer), Path(out)
    identity = training_identity(images, reports, tokenizer, params)
    resume = continues_checkpoints(out, identity, resume)
    main = os.environ.get("RANK", "0") == "0"
    if not resume and out.exists() and main:
        _replace_previous_run(out)
    if main:
        write_identity(out / CHECKPOINT_DIR, identity)
    backend = load_backend(tokenizer)
    text_encoder = functools.partial(
        encode, backend, context_length=params.tokenizer.context_length
    )
    table = pd.read_parquet(reports / "reports.parquet")
    result = train(
        images,
        table,
        text_encoder,
        backend.get_vocab_size(),
        out,
        params.pretrain,
        tokenizer_dir=tokenizer,
        resume=resume,
        progress=progress,
        mask_token_id=backend.token_to_id(MASK),
        log=log,
    )
    if main:
        losses = [row["loss"] for row in read_metrics(out / METRICS_FILE)]  # the whole run's
        write_json(
            out / "train_summary.json",
            {
                "steps": result.steps,
                "total_steps": result.total_steps,
                "patients": result.patients,
                "without_report": result.without_report,
                "first_loss": losses[0] if losses else None,
                "last_loss": losses[-1] if losses else None,
                "text_mlm_loss": result.text_mlm_loss,
            },
        )
        write_lineage(
            out,
            "pretrain",
            [
                describe_input(images, "images"),
                describe_input(reports, "reports"),
                describe_input(tokenizer, "tokenizer"),
            ],
            {
                "pretrain": params_to_dict(params)["pretrain"],
                "context_length": params.tokenizer.context_length,
            },
            seeds={"seed": params.pretrain.seed},
            device="cuda" if _cuda() else "cpu",
            exclude=("checkpoints", "metrics.jsonl"),
        )
    return result


def eval_clinic(out: Path, params: Params, progress: bool = True) -> ClinicSummary:
    """A second, clean synthetic clinic (another seed) that pre-training never sees: the demo's
    downstream tasks are scored on it, as the paper scores on other data sets."""
    clinic = params.evaluate.clinic
    settings = params.synth.model_copy(
        update={"patients": clinic.patients, "seed": clinic.seed, "dirty_rate": 0.0}
    )
    with staged_output(Path(out)) as folder:
        summary = generate_clinic(folder, settings, progress=progress)
        write_lineage(
            folder,
            "eval_clinic",
            [],
            {"synth": settings.model_dump(mode="json")},
            seeds={"seed": clinic.seed},
        )
    return replace(summary, out=Path(out))


def evaluate(
    model: Path,
    task_name: str,
    out: Path,
    params: Params,
    patient_only_model: Path | None = None,
    base: Path = Path("."),
    progress: bool = True,
) -> dict:
    """Score a pre-trained model on one downstream task with every protocol and baseline.

    ``model`` is the pretrain stage's folder (or its ``model/``); the task's data path is
    relative to ``base``. Writes metrics.json, table.md, roc.png and predictions.parquet.
    """
    import torch

    from retclip.eval import report
    from retclip.eval.adapters import load_task
    from retclip.eval.images import ImageRecipe, load_task_images
    from retclip.eval.run import evaluate_task
    from retclip.model.retclip import RetClip, model_folder

    settings = params.evaluate
    task = settings.task(task_name)
    dataset = load_task(task, Path(base))
    model_dir = model_folder(Path(model))
    models = {"retclip": RetClip.from_pretrained(model_dir)}
    if patient_only_model is not None and "patient_only" in settings.baselines:
        models["patient_only"] = RetClip.from_pretrained(model_folder(Path(patient_only_model)))
    recipe = ImageRecipe(
        crop_size=params.preprocess.size,
        jpeg_quality=params.preprocess.jpeg_quality,
        model_size=models["retclip"].config.image.image_size,
        max_pixels=params.validate_.max_image_pixels,
        local_contrast=models["retclip"].config.local_contrast,
    )
    images = load_task_images(dataset, recipe, settings.workers, progress)
    torch.manual_seed(settings.seeds[0])
    threads = torch.get_num_threads()
    torch.set_num_threads(settings.cpu_threads)
    try:
        result = evaluate_task(task, dataset, images, models, model_dir, params, progress)
    finally:
        torch.set_num_threads(threads)
    rows = report.summarise(dataset, result, settings.bootstrap)
    table = report.markdown_table(task.name, rows, result.retrieval)
    summary = {
        "task": task.model_dump(mode="json"),
        "classes": dataset.classes,
        "samples": {
            "rows_in": len(dataset) + len(dataset.quarantine),
            "kept": len(images.rows),
            "quarantined_rows": len(dataset.quarantine),
            "quarantined_images": len(images.quarantine),
            **result.split_sizes,
        },
        "results": rows,
        "retrieval": result.retrieval,
        "quarantine": dataset.quarantine + images.quarantine,
    }
    data_root = Path(base) / task.path
    inputs = [describe_input(Path(model), "model"), describe_input(data_root, "data")]
    if "patient_only" in models:
        inputs.append(describe_input(Path(patient_only_model), "patient_only_model"))
    with staged_output(Path(out)) as folder:
        write_json(folder / "metrics.json", summary)
        (folder / "table.md").write_text(table, encoding="utf-8")
        report.roc_figure(dataset, result, folder / "roc.png")
        sample_ids = dataset.samples["sample_id"].to_numpy()[images.rows]
        frame = report.predictions_frame(result, sample_ids)
        frame.to_parquet(folder / "predictions.parquet", index=False)
        evaluate_params = params_to_dict(params)["evaluate"]
        evaluate_params.pop("tasks")
        write_lineage(
            folder,
            "evaluate",
            inputs,
            {
                "task": task.model_dump(mode="json"),
                "evaluate": evaluate_params,
                "preprocess": {"size": recipe.crop_size, "jpeg_quality": recipe.jpeg_quality},
            },
            seeds={"seeds": settings.seeds},
        )
    return summary


def export(model: Path, out: Path, params: Params, evaluations: Path | None = None) -> dict:
    """Export the towers to ONNX, verify parity, and write the model card.

    ``evaluations`` is the folder of evaluation outputs (``outputs/evaluate``): each configured
    task found there adds its table to the card and its class prompts to ``prompts.json``.
    Raises ``ParityError`` (nothing written) when onnxruntime and PyTorch disagree.
    """
    from retclip.eval.prompts import task_prompts
    from retclip.export.bundle import export_model
    from retclip.export.layout import PARITY_FILE

    model = Path(model)
    folders = [
        Path(evaluations) / task.name
        for task in params.evaluate.tasks
        if evaluations is not None and (Path(evaluations) / task.name / "metrics.json").is_file()
    ]
    prompts = {}
    for folder in folders:
        metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        multilabel = metrics["task"]["type"] == "multilabel"
        prompts[folder.name] = task_prompts(metrics["classes"], multilabel)
    with staged_output(Path(out)) as folder:
        summary = export_model(
            model,
            folder,
            params.export,
            preprocess_size=params.preprocess.size,
            jpeg_quality=params.preprocess.jpeg_quality,
            max_pixels=params.validate_.max_image_pixels,
            prompts=prompts,
            evaluations=folders,
        )
        write_lineage(
            folder,
            "export",
            [describe_input(model, "model"), *(describe_input(f, "evaluation") for f in folders)],
            {
                "export": params_to_dict(params)["export"],
                "preprocess": {
                    "size": params.preprocess.size,
                    "jpeg_quality": params.preprocess.jpeg_quality,
                },
                "max_image_pixels": params.validate_.max_image_pixels,
            },
            exclude=(PARITY_FILE,),  # onnxruntime's figures depend on the CPU's kernels
        )
    return summary


def import_reference(checkpoint: Path, vocab: Path, out: Path, params: Params):
    """The authors' released checkpoint as a model folder, with the BERT-Chinese tokenizer."""
    from retclip.model.reference import import_reference as convert

    return convert(
        Path(checkpoint), Path(vocab), Path(out), context_length=params.tokenizer.context_length
    )


def training_identity(images: Path, reports: Path, tokenizer: Path, params: Params) -> str:
    """What a pre-training's checkpoints belong to: the inputs' lineage ids (or the raw data
    version), the library code and the parameters a resume may not change; a hash."""
    from retclip.lineage import canonical_hash, code_sha256
    from retclip.train.checkpoint import RESUMABLE_CHANGES

    inputs = {
        role: {k: v for k, v in describe_input(path, role).items() if k != "path"}
        for role, path in (("images", images), ("reports", reports), ("tokenizer", tokenizer))
    }
    pretrain = params_to_dict(params)["pretrain"]
    fixed = {k: v for k, v in pretrain.items() if k not in RESUMABLE_CHANGES}
    return canonical_hash(
        {
            "inputs": inputs,
            "pretrain": fixed,
            "context_length": params.tokenizer.context_length,
            "code_sha256": code_sha256(),
        }
    )[:16]


def continues_checkpoints(out: Path, identity: str, resume: bool | Literal["auto"]) -> bool:
    """Whether to continue the checkpoints in ``out`` (see :func:`pretrain`'s ``resume``)."""
    from retclip.train.checkpoint import CheckpointError, latest_checkpoint, read_identity
    from retclip.train.loop import CHECKPOINT_DIR

    folder = out / CHECKPOINT_DIR
    if not resume:
        return False
    if latest_checkpoint(folder) is None:  # nothing to continue: "auto" starts afresh
        return resume is True
    recorded = read_identity(folder)
    if recorded == identity:
        return True
    if resume == "auto":
        return False
    raise CheckpointError(
        f"{folder} belongs to another lineage ({recorded or 'none recorded'}, now {identity}: "
        "other inputs, code or parameters); run without --resume to start afresh"
    )


def _replace_previous_run(out: Path) -> None:
    """A fresh run replaces the previous one; refuse to delete a folder no stage wrote."""
    import shutil

    from retclip.lineage import LINEAGE_FILE, RUN_FILE
    from retclip.storage import OutputError

    markers = (LINEAGE_FILE, RUN_FILE, "checkpoints", "metrics.jsonl")
    if any(out.iterdir()) and not any((out / m).exists() for m in markers):
        raise OutputError(f"{out} holds files no retclip stage wrote; choose an empty folder")
    shutil.rmtree(out)


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()
