"""Typed parameters for every stage, read from ``params.yaml``.

One file drives three runners (the CLI, ``dvc repro`` and Dagster), so a typo must fail loudly:
every model forbids unknown keys, and errors name the offending key path.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from retclip.errors import ConfigError

__all__ = ["ConfigError", "Params", "load_params"]

DEFAULT_PARAMS = Path("params.yaml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


_SIZE_PATTERN = re.compile(r"^\s*(\d+)\s*[xX]\s*(\d+)\s*$")


def parse_image_size(value: Any) -> tuple[int, int]:
    """Accept ``"640x480"`` or ``[640, 480]`` and return ``(width, height)``."""
    if isinstance(value, str):
        match = _SIZE_PATTERN.match(value)
        if not match:
            raise ValueError(f"expected WIDTHxHEIGHT such as 640x480, got {value!r}")
        width, height = int(match.group(1)), int(match.group(2))
    elif isinstance(value, list | tuple) and len(value) == 2:
        width, height = (int(v) for v in value)
    else:
        raise ValueError(f"expected WIDTHxHEIGHT such as 640x480, got {value!r}")
    if not (64 <= width <= 8192 and 64 <= height <= 8192):
        raise ValueError(f"image size {width}x{height} is outside 64..8192 pixels per side")
    return width, height


Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class SynthParams(_Section):
    """The synthetic clinic: how many patients, how they look, how dirty the data is."""

    patients: int = Field(400, ge=1, le=1_000_000)
    seed: int = Field(2024, ge=0)
    image_size: tuple[int, int] = (512, 384)
    lang: Literal["zh", "en", "mixed"] = "mixed"
    zh_share: Fraction = 0.5
    dirty_rate: Fraction = 0.08
    mirror_rate: Fraction = 0.0
    jpeg_quality: int = Field(90, ge=50, le=100)
    workers: int = Field(2, ge=1, le=64)

    @field_validator("image_size", mode="before")
    @classmethod
    def _size(cls, value: Any) -> tuple[int, int]:
        return parse_image_size(value)


class ValidateParams(_Section):
    """Thresholds for the manifest and per-image expectations."""

    min_short_side: int = Field(256, ge=16)
    max_aspect_ratio: float = Field(2.0, ge=1.0)
    min_fov_fraction: Fraction = 0.25
    brightness_range: tuple[float, float] = (15.0, 220.0)
    min_sharpness: float = Field(2.0, ge=0.0)
    report_length: tuple[int, int] = (10, 10_000)
    max_quarantine_rate: Fraction = 0.2
    max_image_pixels: int = Field(200_000_000, ge=1_000_000)
    workers: int = Field(2, ge=1, le=64)


class PreprocessParams(_Section):
    """Field-of-view crop and resize; the paper pre-resizes to 512 and trains at 224."""

    size: int = Field(256, ge=32, le=2048)
    shard_size: int = Field(256, ge=1)
    jpeg_quality: int = Field(95, ge=50, le=100)
    workers: int = Field(2, ge=1, le=64)


class CleanReportsParams(_Section):
    """Report normalisation, PHI scrubbing and section splitting."""

    languages: list[Literal["zh", "en"]] = ["zh", "en"]
    abbreviations: bool = True
    boilerplate: bool = True
    dictionaries: list[str] = []
    min_chars: int = Field(4, ge=0)
    min_letter_share: Fraction = 0.5
    workers: int = Field(1, ge=1, le=64)


class TokenizerParams(_Section):
    """Which vocabulary encodes the reports, and how long a text may be."""

    kind: Literal["bert-chinese", "wordpiece"] = "wordpiece"
    vocab_file: str | None = None
    vocab_size: int = Field(8000, ge=100)
    min_frequency: int = Field(2, ge=1)
    context_length: int = Field(100, ge=8, le=512)
    lowercase: bool = True


class PretrainParams(_Section):
    """Model preset, tripartite loss weights and the optimiser schedule.

    ``batch_size`` is the global batch of one optimiser step (all ranks and accumulation steps
    together): it sets the negatives, so the loss does not depend on how the batch is split.
    """

    preset: Literal["tiny", "tiny-cnn", "paper"] = "tiny"
    image_size: int | None = Field(None, ge=32)  # None: the preset's (tiny 96, paper 224)
    embed_dim: int | None = Field(None, ge=8)  # None: the preset's (tiny 128, paper 512)
    image_weights: str | None = None  # local timm or OpenAI-CLIP image tower weights
    text_weights: str | None = None  # local Hugging Face BERT weights (file or folder)
    text_mlm_steps: int = Field(0, ge=0)  # masked-LM warm-up of the text tower on the reports
    text_mlm_threads: int | None = Field(None, ge=1)  # its torch threads on CPU; None: cpu_threads
    lock_text: bool = False  # the text tower (not its heads) is frozen in contrastive training
    epochs: int = Field(3, ge=1)
    max_steps: int | None = Field(None, ge=1)  # stop early; the schedule still spans `epochs`
    batch_size: int = Field(32, ge=2)
    accum_freq: int = Field(1, ge=1)
    lr: float = Field(1e-4, gt=0)
    weight_decay: float = Field(0.001, ge=0)
    betas: tuple[float, float] = (0.9, 0.98)
    eps: float = Field(1e-6, gt=0)
    warmup_steps: int = Field(10, ge=0)
    lambda_patient: float = Field(1.0, ge=0)
    lambda_left: float = Field(1.0, ge=0)
    lambda_right: float = Field(1.0, ge=0)
    logit_scale_init: float = 4.4998096703302650  # ln 90, the reference's value
    logit_scale_max: float = 4.6051701859880914  # ln 100
    precision: Literal["auto", "fp32", "bf16"] = "auto"
    grad_checkpointing: bool = False
    compile: bool = False  # torch.compile each tower block (RetClip.compile_blocks)
    eye_dropout: Fraction = 0.1
    flip_swap_prob: Fraction = 0.0
    local_contrast: bool = False
    photometric_aug: float = Field(0.0, ge=0.0, lt=1.0)
    checkpoint_every: int = Field(100, ge=1)
    keep_checkpoints: int = Field(2, ge=1)
    workers: int = Field(1, ge=0)
    cpu_threads: int | None = Field(None, ge=1)  # torch threads on CPU; None: torch's default
    seed: int = Field(0, ge=0)

    def uses_bf16(self, device_type: str) -> bool:
        """Whether the step autocasts to bf16 on ``device_type`` (``auto``: on CUDA only)."""
        return self.precision == "bf16" or (self.precision == "auto" and device_type == "cuda")


class TaskParams(_Section):
    """One downstream task: where its labelled data lives and how it is scored."""

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    adapter: str
    path: str
    type: Literal["binary", "multiclass", "multilabel", "ordinal"]
    level: Literal["eye", "patient"] = "eye"
    label: str | None = None
    protocols: list[Literal["linear_probe", "finetune", "zero_shot", "retrieval"]] = [
        "linear_probe",
        "zero_shot",
    ]


class EvalClinicParams(_Section):
    """A second synthetic clinic, of patients pre-training never saw, for the demo's tasks."""

    patients: int = Field(300, ge=10)
    seed: int = Field(7, ge=0)


class EvaluateParams(_Section):
    """Downstream tasks and the protocol settings shared by all of them."""

    tasks: list[TaskParams] = []
    clinic: EvalClinicParams = EvalClinicParams()
    seeds: list[int] = Field([0, 1, 2], min_length=1)
    bootstrap: int = Field(1000, ge=0)
    test_share: float = Field(0.2, gt=0, lt=0.5)
    val_share: float = Field(0.2, gt=0, lt=0.5)
    features: Literal["embedding", "backbone"] = "embedding"
    finetune_epochs: int = Field(3, ge=1)
    finetune_lr_backbone: float = Field(1e-4, gt=0)
    finetune_lr_head: float = Field(1e-3, gt=0)
    baselines: list[Literal["random_init", "supervised", "patient_only"]] = [
        "random_init",
        "supervised",
        "patient_only",
    ]
    supervised_epochs: int = Field(10, ge=1)
    supervised_lr: float = Field(1e-3, gt=0)
    workers: int = Field(2, ge=1)
    cpu_threads: int = Field(2, ge=1)  # fixed, not one per core: threaded sums change last bits

    def task(self, name: str) -> TaskParams:
        for task in self.tasks:
            if task.name == name:
                return task
        known = ", ".join(t.name for t in self.tasks) or "none"
        raise ConfigError(f"evaluate.tasks has no task {name!r} (tasks: {known})")


class ExportParams(_Section):
    """ONNX export and the parity contract it must meet."""

    opset: int = Field(18, ge=13)
    parity_batch_sizes: list[int] = [1, 2, 7]
    parity_atol: float = Field(1e-4, gt=0)
    quantize_int8: bool = False


class ReleaseParams(_Section):
    """The gate in front of publishing (Dagster's ``released`` asset): the RET-CLIP test AUROC of
    ``protocol`` on every evaluation task, against a floor and against the last release."""

    protocol: Literal["linear_probe", "finetune", "zero_shot"] = "linear_probe"
    auroc_floor: Fraction = 0.75
    max_drop: Fraction = 0.05


class Params(_Section):
    """All of ``params.yaml``: one section per stage."""

    synth: SynthParams = SynthParams()
    validate_: ValidateParams = Field(ValidateParams(), alias="validate")
    preprocess: PreprocessParams = PreprocessParams()
    clean_reports: CleanReportsParams = CleanReportsParams()
    tokenizer: TokenizerParams = TokenizerParams()
    pretrain: PretrainParams = PretrainParams()
    evaluate: EvaluateParams = EvaluateParams()
    export: ExportParams = ExportParams()
    release: ReleaseParams = ReleaseParams()

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def apply_override(raw: dict[str, Any], assignment: str) -> None:
    """Apply one ``key.path=value`` override in place; the value is parsed as YAML."""
    key, sep, text = assignment.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"--set expects key=value, got {assignment!r}")
    parts = key.split(".")
    node: Any = raw
    for depth, part in enumerate(parts[:-1]):
        here = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            node = node[_list_index(part, node, here)]
        else:
            node = node.setdefault(part, {})
        if not isinstance(node, dict | list):
            raise ConfigError(f"--set {key}: {here} is a value, not a section")
    value = yaml.safe_load(text) if text.strip() else ""
    last = parts[-1]
    if isinstance(node, list):
        node[_list_index(last, node, key)] = value
    else:
        node[last] = value


def _list_index(part: str, items: list[Any], where: str) -> int:
    if not part.isdigit() or int(part) >= len(items):
        raise ConfigError(f"--set: {where} is not an index of a list of {len(items)} items")
    return int(part)


def load_params(
    path: Path | str | None = None,
    overrides: list[str] | None = None,
    sources: list[str] | None = None,
) -> Params:
    """Read a parameters file (missing sections take defaults) and apply ``--set`` overrides.

    ``sources`` names where each override came from (default ``--set key=value``; the CLI passes
    the stage flag, e.g. ``--size 512``), so that an error points at what the user typed.
    """
    if sources is not None and len(sources) != len(overrides or []):
        raise ValueError("load_params: one source per override")
    source = Path(path) if path is not None else DEFAULT_PARAMS
    raw: dict[str, Any] = {}
    if path is not None or source.exists():
        if not source.is_file():
            raise ConfigError(f"parameters file {source} does not exist")
        try:
            loaded = yaml.safe_load(source.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{source}: not valid YAML: {exc}") from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{source}: expected a mapping of sections at the top level")
        raw = loaded or {}
    given: dict[str, str] = {}
    for index, assignment in enumerate(overrides or []):
        apply_override(raw, assignment)
        key = assignment.partition("=")[0].strip()
        given[key] = sources[index] if sources is not None else f"--set {assignment}"
    return params_from_dict(raw, origin=str(source), overrides=given)


def params_from_dict(
    raw: dict[str, Any], origin: str = "parameters", overrides: dict[str, str] | None = None
) -> Params:
    """Validate a plain dict; the error lists every bad key as ``section.key: problem``.

    ``overrides`` maps each overridden key to where its value came from: a bad value that came
    from ``--set`` or a flag is blamed on that, not on the file ``origin``.
    """
    try:
        return Params.model_validate(raw)
    except ValidationError as exc:
        lines: list[tuple[str, str | None]] = []
        blamed = False
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]).replace("validate_", "validate")
            if error["type"] == "extra_forbidden":
                line = f"  {where}: unknown key"
            elif error["type"] == "value_error":
                line = f"  {where}: {error['msg'].removeprefix('Value error, ')}"
            else:
                line = f"  {where}: {error['msg']} (got {error.get('input')!r})"
            given = _override_source(where, overrides or {})
            blamed = blamed or given is not None
            lines.append((line, given))
        if not blamed:
            header = f"invalid parameters in {origin}:"
            raise ConfigError("\n".join([header, *(line for line, _ in lines)])) from None
        body = [f"{line}, from {given or origin}" for line, given in lines]
        raise ConfigError("\n".join(["invalid parameters:", *body])) from None


def _override_source(where: str, overrides: dict[str, str]) -> str | None:
    """Where the value at ``where`` came from: the override of the longest key that covers it."""
    covering = [
        key
        for key in overrides
        if key == where or where.startswith(f"{key}.") or key.startswith(f"{where}.")
    ]
    return overrides[max(covering, key=len)] if covering else None


def params_to_dict(params: Params) -> dict[str, Any]:
    """Plain, YAML-friendly dict with the file's section names (``validate``, not ``validate_``)."""
    return params.model_dump(mode="json", by_alias=True)
