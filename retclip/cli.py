"""``retclip <stage>``: a thin command line over :mod:`retclip.pipeline`.

Option names are part of the product (dvc.yaml and Dagster call them), so every stage is declared
here in one table with its contract options, and each has one handler.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from retclip import __version__
from retclip.errors import ConfigError

if TYPE_CHECKING:
    from retclip.config import Params

# Stages that read no parameters: `predict` must run with onnxruntime, tokenizers, Pillow and
# numpy only, so it neither loads params.yaml (pydantic) nor anything that imports torch.
WITHOUT_PARAMS = {"predict"}

EXIT_USAGE = 2

# stage -> (help, options as (flags, kwargs))
Option = tuple[tuple[str, ...], dict]
STAGES: dict[str, tuple[str, list[Option]]] = {
    "synth": (
        "write the synthetic clinic: paired fundus photographs, noisy reports, ground truth",
        [
            (("--out",), {"type": Path, "required": True, "help": "raw data folder to (re)write"}),
            (("--patients",), {"type": int, "help": "number of manifest rows"}),
            (("--seed",), {"type": int, "help": "same seed, same bytes"}),
            (("--image-size",), {"help": "WIDTHxHEIGHT, e.g. 3888x2592"}),
            (("--lang",), {"choices": ["zh", "en", "mixed"], "help": "report language"}),
            (("--dirty-rate",), {"type": float, "help": "share of rows with a defect, 0..1"}),
            (("--workers",), {"type": int, "help": "render processes"}),
        ],
    ),
    "validate": (
        "validate the raw manifest and images (Great Expectations), quarantine bad rows",
        [
            (
                ("--raw",),
                {
                    "type": Path,
                    "required": True,
                    "help": "raw data folder holding patients.csv or patients.parquet",
                },
            ),
            (
                ("--out",),
                {
                    "type": Path,
                    "required": True,
                    "help": "writes manifest.parquet, quarantine.parquet, "
                    "image_stats.parquet, validation.json, lineage.json",
                },
            ),
            (("--workers",), {"type": int, "help": "image-inspection processes"}),
        ],
    ),
    "preprocess": (
        "crop the field of view, resize, and write training shards",
        [
            (("--raw",), {"type": Path, "required": True, "help": "raw data folder"}),
            (
                ("--manifest",),
                {"type": Path, "required": True, "help": "the validate stage's output folder"},
            ),
            (
                ("--out",),
                {
                    "type": Path,
                    "required": True,
                    "help": "writes shards/shard-*.tar, images.parquet, shards.json, lineage.json",
                },
            ),
            (("--size",), {"type": int, "help": "output side in pixels; the paper uses 512"}),
            (("--workers",), {"type": int, "help": "crop-and-resize processes"}),
        ],
    ),
    "clean-reports": (
        "normalise reports, scrub PHI, split into left, right and patient texts",
        [
            (
                ("--manifest",),
                {"type": Path, "required": True, "help": "the validate stage's output folder"},
            ),
            (
                ("--out",),
                {
                    "type": Path,
                    "required": True,
                    "help": "writes reports.parquet, quarantine.parquet, phi_audit.json, "
                    "lineage.json",
                },
            ),
        ],
    ),
    "tokenizer": (
        "build the text tokenizer from the cleaned reports",
        [
            (
                ("--reports",),
                {"type": Path, "required": True, "help": "the clean-reports stage's output folder"},
            ),
            (
                ("--out",),
                {
                    "type": Path,
                    "required": True,
                    "help": "a Hugging Face tokenizer folder (AutoTokenizer loads it)",
                },
            ),
            (
                ("--vocab-file",),
                {
                    "help": "build from this BERT vocab.txt "
                    "(sets tokenizer.vocab_file and tokenizer.kind=bert-chinese)"
                },
            ),
        ],
    ),
    "pretrain": (
        "pre-train RET-CLIP with the tripartite loss",
        [
            (
                ("--images",),
                {"type": Path, "required": True, "help": "the preprocess stage's output folder"},
            ),
            (
                ("--reports",),
                {"type": Path, "required": True, "help": "the clean-reports stage's output folder"},
            ),
            (
                ("--tokenizer",),
                {"type": Path, "required": True, "help": "the tokenizer stage's output folder"},
            ),
            (
                ("--out",),
                {
                    "type": Path,
                    "required": True,
                    "help": "writes model/, checkpoints/, metrics.jsonl, loss.png, lineage.json",
                },
            ),
            (
                ("--resume",),
                {
                    "nargs": "?",
                    "const": "exact",
                    "choices": ["exact", "auto"],
                    "help": "continue exactly from the last checkpoint in --out, refusing one of "
                    "other inputs, code or parameters; --resume=auto starts afresh instead "
                    "(what Dagster's retries pass)",
                },
            ),
            (
                ("--preset",),
                {
                    "choices": ["tiny", "tiny-cnn", "paper"],
                    "help": "model: tiny (a small ViT), tiny-cnn (a ResNet image tower), paper "
                    "(ViT-B/16 + BERT-base Chinese); a null pretrain.image_size or "
                    "pretrain.embed_dim takes the preset's",
                },
            ),
        ],
    ),
    "eval-clinic": (
        "write a held-out synthetic clinic (evaluate.clinic) for the demo's downstream tasks",
        [
            (
                ("--out",),
                {"type": Path, "required": True, "help": "folder to (re)write, with lineage.json"},
            ),
        ],
    ),
    "evaluate": (
        "evaluate a model on one downstream task (linear probe, fine-tune, zero-shot, "
        "retrieval, baselines)",
        [
            (
                ("--model",),
                {"type": Path, "required": True, "help": "the pretrain stage's folder"},
            ),
            (("--task",), {"required": True, "help": "a task name from evaluate.tasks"}),
            (
                ("--out",),
                {
                    "type": Path,
                    "required": True,
                    "help": "writes metrics.json, table.md, roc.png, predictions.parquet, "
                    "lineage.json",
                },
            ),
            (
                ("--patient-only-model",),
                {
                    "type": Path,
                    "help": "the ablation pre-trained with the patient-level term alone",
                },
            ),
        ],
    ),
    "export": (
        "export the image and text towers to ONNX, verify parity, write the model card",
        [
            (
                ("--model",),
                {"type": Path, "required": True, "help": "the pretrain stage's folder"},
            ),
            (
                ("--out",),
                {
                    "type": Path,
                    "required": True,
                    "help": "writes image.onnx, text.onnx (+ .data), export.json, the tokenizer, "
                    "prompts.json, parity.json, model_card.md, lineage.json",
                },
            ),
            (
                ("--evaluations",),
                {
                    "type": Path,
                    "help": "evaluation outputs (outputs/evaluate) for the card and task prompts",
                },
            ),
        ],
    ),
    "predict": (
        "zero-shot prediction with the ONNX export (onnxruntime, no torch)",
        [
            (("--model",), {"type": Path, "required": True, "help": "the export folder"}),
            (("--left",), {"type": Path, "help": "photograph of the left eye"}),
            (("--right",), {"type": Path, "help": "photograph of the right eye"}),
            (("--labels",), {"help": 'comma-separated labels, e.g. "normal,glaucoma"'}),
            (("--task",), {"help": "a task whose prompts the export carries"}),
        ],
    ),
    "lineage": (
        "walk from an output back to the raw data version",
        [
            (("path",), {"type": Path, "help": "an output folder or any file inside one"}),
            (("--json",), {"action": "store_true", "help": "print the chain as JSON"}),
        ],
    ),
    "import-reference": (
        "convert the authors' released RET-CLIP checkpoint into a model folder",
        [
            (
                ("checkpoint",),
                {"type": Path, "help": "the released state dict (loaded with weights_only)"},
            ),
            (
                ("--out",),
                {
                    "type": Path,
                    "required": True,
                    "help": "model folder to write (RetClip.from_pretrained loads it)",
                },
            ),
            (
                ("--vocab",),
                {
                    "type": Path,
                    "help": "the text encoder's vocab.txt (default: tokenizer.vocab_file)",
                },
            ),
        ],
    ),
}


# Stage flags that are shorthands for parameters (argparse dest -> params key): they win over
# params.yaml and --set, and, being parameters, reach lineage.json with the stage's section.
# tests/test_cli_flags.py fails for any optional flag that reaches neither the parameters nor
# the stage's call, so a flag cannot be accepted and then dropped.
FLAG_PARAMS: dict[str, dict[str, str]] = {
    "synth": {
        "patients": "synth.patients",
        "seed": "synth.seed",
        "image_size": "synth.image_size",
        "lang": "synth.lang",
        "dirty_rate": "synth.dirty_rate",
        "workers": "synth.workers",
    },
    "validate": {"workers": "validate.workers"},
    "preprocess": {"size": "preprocess.size", "workers": "preprocess.workers"},
    "pretrain": {"preset": "pretrain.preset"},
}


def _dest(flags: tuple[str, ...]) -> str:
    """argparse's attribute for an option (``--image-size`` -> ``image_size``)."""
    return flags[0].lstrip("-").replace("-", "_")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="retclip",
        description="RET-CLIP pipeline stages. Every stage reads params.yaml (--params) "
        "and accepts repeatable --set section.key=value overrides.",
    )
    parser.add_argument("--version", action="version", version=f"retclip {__version__}")
    sub = parser.add_subparsers(dest="stage", metavar="STAGE", required=True)
    for name, (help_text, options) in STAGES.items():
        stage = sub.add_parser(name, help=help_text, description=help_text)
        shorthands = FLAG_PARAMS.get(name, {})
        for flags, kwargs in options:
            if _dest(flags) in shorthands:  # the help names the parameter the flag sets
                kwargs = {**kwargs, "help": f"{kwargs['help']} (sets {shorthands[_dest(flags)]})"}
            stage.add_argument(*flags, **kwargs)
        if name in WITHOUT_PARAMS:
            continue
        stage.add_argument(
            "--params",
            type=Path,
            default=None,
            help="parameters file (default: params.yaml if present)",
        )
        stage.add_argument(
            "--set",
            dest="overrides",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="override one parameter, e.g. synth.seed=7",
        )
    return parser


def _flag_overrides(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The stage flags given, as ``(key=value, flag as typed)``: the flag names a bad value."""
    if args.stage == "tokenizer" and args.vocab_file:  # a vocabulary file means that kind
        given = f"--vocab-file {args.vocab_file}"
        return [
            ("tokenizer.kind=bert-chinese", given),
            (f"tokenizer.vocab_file={_yaml_value(args.vocab_file)}", given),
        ]
    return [
        (f"{key}={_yaml_value(value)}", f"--{dest.replace('_', '-')} {value}")
        for dest, key in FLAG_PARAMS.get(args.stage, {}).items()
        if (value := getattr(args, dest)) is not None
    ]


def _yaml_value(value: object) -> str:
    """Overrides are parsed as YAML: quote text (a JSON string is a YAML one) so that a path
    such as ``no`` or ``a: b`` stays the text the user typed."""
    return json.dumps(value) if isinstance(value, str) else str(value)


def _synth(args: argparse.Namespace, params: Params) -> int:
    from retclip import pipeline

    summary = pipeline.synth(args.out, params)
    width, height = params.synth.image_size
    print(f"synthetic clinic written to {summary.out}/")
    print(f"  patients.csv        {summary.patients} rows ({_counts(summary.languages)})")
    print(
        f"  images/             {summary.images} JPEG files, {width}x{height}, "
        f"{summary.bytes / 1e6:.1f} MB"
    )
    print(f"  defects injected    {sum(summary.defects.values())} rows: {_counts(summary.defects)}")
    print(
        "  truth/              eyes.csv, patients.csv, phi_spans.jsonl (evaluation and tests only)"
    )
    return 0


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"


def _validate(args: argparse.Namespace, params: Params) -> int:
    from retclip import pipeline

    outcome = pipeline.validate(args.raw, args.out, params)
    s = outcome.summary
    print(f"validation written to {args.out}/ ({s['source']}, {s['encoding']})")
    print(f"  rows in             {s['rows_in']}")
    print(f"  valid patients      {s['valid_patients']} ({s['one_eye_patients']} with one eye)")
    print(
        f"  quarantined         {s['quarantined_patients']} patients, {s['quarantined_eyes']} eyes"
    )
    print(f"  reasons             {_counts(s['reasons'])}")
    return 0


def _preprocess(args: argparse.Namespace, params: Params) -> int:
    from retclip import pipeline

    summary = pipeline.preprocess(args.raw, args.manifest, args.out, params)
    shards = summary["shards"]
    print(f"preprocessed images written to {args.out}/")
    print(
        f"  shards/             {len(shards)} tar shards, {summary['patients']} patients, "
        f"{summary['images']} images at {summary['size']}x{summary['size']}"
    )
    print("  images.parquet      per-image statistics and crop boxes")
    return 0


def _clean_reports(args: argparse.Namespace, params: Params) -> int:
    from retclip import pipeline

    result = pipeline.clean_reports(args.manifest, args.out, params)
    audit = result.audit
    print(f"cleaned reports written to {args.out}/")
    print(f"  rows in             {audit['rows_in']}")
    print(f"  reports kept        {audit['reports']} ({_counts(audit['languages'])})")
    print(f"  quarantined         {audit['quarantined']}: {_counts(audit['quarantine_reasons'])}")
    print(f"  PHI replaced        {audit['phi_total']}: {_counts(audit['phi_counts'])}")
    print(f"  PHI left (scan)     {audit['leak_scan']['leaks']}")
    return 0


def _tokenizer(args: argparse.Namespace, params: Params) -> int:
    from retclip import pipeline
    from retclip.text.tokenizer import load_backend

    folder = pipeline.tokenizer(args.reports, args.out, params)
    size = load_backend(folder).get_vocab_size()
    print(
        f"tokenizer written to {folder}/ ({params.tokenizer.kind}, {size} tokens, "
        f"context length {params.tokenizer.context_length})"
    )
    return 0


def _pretrain(args: argparse.Namespace, params: Params) -> int:
    from retclip import pipeline
    from retclip.pipes import pipes_session, progress_writer

    with pipes_session() as pipes:
        result = pipeline.pretrain(
            args.images,
            args.reports,
            args.tokenizer,
            args.out,
            params,
            resume={None: False, "exact": True, "auto": "auto"}[args.resume],
            progress=pipes is None and sys.stderr.isatty(),
            log=progress_writer(pipes),
        )
        if pipes is not None:  # rank 0 of a distributed run: the others write no summary
            summary = json.loads((args.out / "train_summary.json").read_text(encoding="utf-8"))
            lineage_id = json.loads((args.out / "lineage.json").read_text())["lineage_id"]
            pipes.report_asset_materialization(metadata=summary, data_version=lineage_id)
    print(f"model written to {result.model_dir}/ (RetClip.from_pretrained loads it)")
    print(
        f"  steps               {result.steps} of {result.total_steps}, {result.patients} patients"
    )
    print(f"  loss                {result.first_loss} -> {result.last_loss}")
    return 0


def _eval_clinic(args: argparse.Namespace, params: Params) -> int:
    from retclip import pipeline

    summary = pipeline.eval_clinic(args.out, params)
    print(
        f"held-out clinic written to {summary.out}/: {summary.patients} patients, "
        f"{summary.images} images (seed {params.evaluate.clinic.seed})"
    )
    return 0


def _evaluate(args: argparse.Namespace, params: Params) -> int:
    from retclip import pipeline

    pipeline.evaluate(args.model, args.task, args.out, params, args.patient_only_model)
    print(f"evaluation written to {args.out}/")
    print((args.out / "table.md").read_text(encoding="utf-8"))
    return 0


def _lineage(args: argparse.Namespace, params: Params) -> int:
    from retclip.lineage import trace

    nodes = trace(args.path)
    intact = all(not n["modified_files"] and not n.get("broken_inputs") for n in nodes)
    if args.json:
        print(json.dumps(nodes, indent=2))
        return 0 if intact else 1
    for depth, node in enumerate(nodes):
        git = node["git"] or {}
        commit = (git.get("commit") or "unknown")[:12] + (" (dirty)" if git.get("dirty") else "")
        state = (
            "files match their sha256"
            if not node["modified_files"]
            else "MODIFIED: " + ", ".join(node["modified_files"])
        )
        print(f"{'  ' * depth}{node['stage']}  {node['folder']}  lineage {node['lineage_id']}")
        print(
            f"{'  ' * depth}  commit {commit}, params {node['params_sha256'][:12]}, "
            f"code {str(node['code_sha256'])[:12]}, dagster run {node['dagster_run_id'] or '-'}"
        )
        print(f"{'  ' * depth}  {state}")
        for broken in node.get("broken_inputs", []):
            print(f"{'  ' * depth}  BROKEN: input {broken} was rewritten since")
    raw = next((n["raw_data"] for n in nodes if n["raw_data"]), None)
    if raw:
        print(f"raw data  md5 {raw['md5']}  ({raw['dvc_file']})")
    else:
        print("raw data  version unknown (no .dvc file tracks it)")
    return 0 if intact else 1


def _export(args: argparse.Namespace, params: Params) -> int:
    from retclip import pipeline

    summary = pipeline.export(args.model, args.out, params, args.evaluations)
    worst = summary["parity"]["fp32"]
    print(f"ONNX export written to {args.out}/ (model_card.md, parity.json)")
    print(f"  parity              max |onnxruntime - torch| = {worst:.2e} (fp32)")
    return 0


def _predict(args: argparse.Namespace, params: None) -> int:
    from retclip.export.predict import predict

    labels = args.labels.split(",") if args.labels else None
    result = predict(args.model, args.left, args.right, labels=labels, task=args.task)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _import_reference(args: argparse.Namespace, params: Params) -> int:
    from retclip import pipeline

    vocab = args.vocab or params.tokenizer.vocab_file
    if not vocab:
        raise ConfigError("import-reference needs --vocab (or tokenizer.vocab_file)")
    report = pipeline.import_reference(args.checkpoint, Path(vocab), args.out, params)
    print(f"model written to {args.out}/ (RetClip.from_pretrained loads it)")
    print(f"  tensors             {report.tensors} ({report.parameters:,} parameters)")
    for name, rule in report.initialised.items():
        print(f"  not in the source   {name}: {rule}")
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace, Params | None], int]] = {
    "synth": _synth,
    "validate": _validate,
    "preprocess": _preprocess,
    "clean-reports": _clean_reports,
    "tokenizer": _tokenizer,
    "pretrain": _pretrain,
    "eval-clinic": _eval_clinic,
    "evaluate": _evaluate,
    "export": _export,
    "predict": _predict,
    "lineage": _lineage,
    "import-reference": _import_reference,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.stage in WITHOUT_PARAMS:
            return HANDLERS[args.stage](args, None)
        from retclip.config import load_params

        flags = _flag_overrides(args)
        params = load_params(
            args.params,
            [*args.overrides, *(assignment for assignment, _ in flags)],
            [*(f"--set {a}" for a in args.overrides), *(given for _, given in flags)],
        )
        return HANDLERS[args.stage](args, params)
    except ConfigError as exc:
        print(f"retclip {args.stage}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:  # unusable input: a manifest without required columns, ...
        print(f"retclip {args.stage}: {exc}", file=sys.stderr)
        return 1
    except RuntimeError as exc:
        print(f"retclip {args.stage}: {exc}", file=sys.stderr)
        return 1
