"""Validate the raw data with two Great Expectations suites and quarantine what fails.

Suite ``manifest`` checks the table (ids, eyes, paths, reports, labels); suite ``images`` checks
per-image statistics (the file resolves inside the raw folder, decodes fully, size, aspect ratio,
field of view, brightness, sharpness, no exact duplicate). Every failing row comes back from GX's
unexpected-index list with a reason code; nothing is decided twice or dropped silently:
rows in = valid patients + quarantined patients, and a bad eye of a valid patient is recorded too.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig
from tqdm import tqdm

from retclip.config import ValidateParams
from retclip.data.images import ImageError, inspect_image
from retclip.data.manifest import REQUIRED_COLUMNS, Manifest

SIDES = ("left", "right")
PATIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
ABSOLUTE_PATH = r"^(?:[/\\]|[A-Za-z]:)"
CONTROL_CHARACTER = r"[\x00-\x1f\x7f]"
PARENT_STEP = r"(?:^|[/\\])\.\.(?:[/\\]|$)"
LABEL_SETS = {
    "dr_grade": ["0", "1", "2", "3", "4"],
    "referable_dr": ["0", "1"],
    "glaucoma": ["0", "1", "2"],
    "amd": ["0", "1", "2"],
    "cataract": ["0", "1"],
    "myopia": ["0", "1"],
    "hypertensive": ["0", "1"],
}


@dataclass(frozen=True)
class Check:
    """One expectation and what its failure means for a row."""

    code: str  # reason code; "" takes the failing value itself as the code
    scope: str  # "patient"; the image it concerns ("left_image", "right_image", "eye"); "warning"
    expectation: gxe.Expectation
    explain: Callable[[dict], str]  # failing row -> the problem, in words, without PHI


@dataclass
class ValidationOutcome:
    """The split of the manifest, and GX's results summarised per expectation."""

    valid: pd.DataFrame
    quarantine: pd.DataFrame
    images: pd.DataFrame
    summary: dict[str, Any]
    failures: dict[str, int] = field(default_factory=dict)


def _manifest_checks(params: ValidateParams, columns: Iterable[str]) -> list[Check]:
    lo, hi = params.report_length
    checks = [
        Check(
            "duplicate_id",
            "patient",
            gxe.ExpectColumnValuesToBeUnique(column="patient_id"),
            lambda r: f"patient_id {r['patient_id']!r} appears in more than one row",
        ),
        Check(
            "bad_patient_id",
            "patient",
            gxe.ExpectColumnValuesToMatchRegex(column="patient_id", regex=PATIENT_ID_PATTERN),
            lambda r: f"patient_id {r['patient_id'][:80]!r} does not match {PATIENT_ID_PATTERN}",
        ),
        Check(
            "no_eye",
            "patient",
            gxe.ExpectColumnValuesToBeBetween(column="n_eyes", min_value=1, max_value=2),
            lambda r: "neither left_image nor right_image is given",
        ),
        Check(
            "report_length",
            "patient",
            gxe.ExpectColumnValuesToBeBetween(column="report_chars", min_value=lo, max_value=hi),
            lambda r: f"report has {r['report_chars']} characters, outside {lo}..{hi}",
        ),
        Check(
            "report_encoding",
            "patient",
            gxe.ExpectColumnValuesToBeInSet(column="report_decodable", value_set=[True]),
            lambda r: "report holds bytes that are neither UTF-8 nor GBK",
        ),
    ]
    for side in SIDES:
        column = f"{side}_image"
        checks += [
            Check(
                "path_absolute",
                column,
                gxe.ExpectColumnValuesToNotMatchRegex(column=column, regex=ABSOLUTE_PATH),
                lambda r, c=column: (
                    f"{r[c]}: absolute path; paths must be relative to the raw folder"
                ),
            ),
            Check(
                "path_invalid",
                column,
                gxe.ExpectColumnValuesToNotMatchRegex(column=column, regex=CONTROL_CHARACTER),
                lambda r, c=column: f"{r[c]!r}: control characters in a file name",
            ),
            Check(
                "path_traversal",
                column,
                gxe.ExpectColumnValuesToNotMatchRegex(column=column, regex=PARENT_STEP),
                lambda r, c=column: f"{r[c]}: '..' leaves the raw folder",
            ),
        ]
    for label, values in LABEL_SETS.items():
        if label in columns:
            checks.append(
                Check(
                    "label_value",
                    "patient",
                    gxe.ExpectColumnValuesToBeInSet(column=label, value_set=[*values, ""]),
                    lambda r, c=label: f"label {c}={r[c]!r} is not one of {LABEL_SETS[c]}",
                )
            )
    return checks


def _image_checks(params: ValidateParams) -> list[Check]:
    lo, hi = params.brightness_range
    return [
        Check(
            "path_escapes",
            "eye",
            gxe.ExpectColumnValuesToBeInSet(column="inside_raw", value_set=[True]),
            lambda r: (
                f"{r['path']}: resolves outside the raw folder (a symbolic link) "
                "or cannot be resolved"
            ),
        ),
        Check(
            "",
            "eye",
            gxe.ExpectColumnValuesToBeInSet(column="image_error", value_set=[""]),
            lambda r: r["image_message"],
        ),
        Check(
            "too_small",
            "eye",
            gxe.ExpectColumnValuesToBeBetween(column="short_side", min_value=params.min_short_side),
            lambda r: (
                f"{r['path']}: short side {r['short_side']:.0f} px is below {params.min_short_side}"
            ),
        ),
        Check(
            "aspect_ratio",
            "eye",
            gxe.ExpectColumnValuesToBeBetween(
                column="aspect_ratio", max_value=params.max_aspect_ratio
            ),
            lambda r: (
                f"{r['path']}: aspect ratio {r['aspect_ratio']:.2f} is over "
                f"{params.max_aspect_ratio}"
            ),
        ),
        Check(
            "fov_too_small",
            "eye",
            gxe.ExpectColumnValuesToBeBetween(
                column="fov_fraction", min_value=params.min_fov_fraction
            ),
            lambda r: (
                f"{r['path']}: field of view covers {r['fov_fraction']:.0%} of the "
                f"image, below {params.min_fov_fraction:.0%}"
            ),
        ),
        Check(
            "brightness",
            "eye",
            gxe.ExpectColumnValuesToBeBetween(column="brightness", min_value=lo, max_value=hi),
            lambda r: f"{r['path']}: mean brightness {r['brightness']:.0f} is outside {lo}..{hi}",
        ),
        Check(
            "blurry",
            "eye",
            gxe.ExpectColumnValuesToBeBetween(column="sharpness", min_value=params.min_sharpness),
            lambda r: (
                f"{r['path']}: sharpness {r['sharpness']:.2f} is below {params.min_sharpness}"
            ),
        ),
        Check(
            "laterality_suspect",
            "warning",
            gxe.ExpectColumnValuesToBeInSet(
                column="disc_side_agrees", value_set=[True], mostly=0.9
            ),
            lambda r: (
                f"{r['path']}: the optic disc is on the temporal side for a {r['side']} eye "
                "(mirrored or mislabelled?)"
            ),
        ),
        Check(
            "duplicate_image",
            "eye",
            gxe.ExpectColumnValuesToBeUnique(column="sha256"),
            lambda r: (
                f"{r['path']}: the same file (sha256 {r['sha256'][:12]}…) is used more than once"
            ),
        ),
    ]


def _run_suite(context, name: str, frame: pd.DataFrame, checks: list[Check]):
    """Run one suite; returns (per-expectation summary, {key: [(code, scope, message)]})."""
    source = context.data_sources.add_pandas(name)
    batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
    suite = context.suites.add(gx.ExpectationSuite(name=name))
    plans = {suite.add_expectation(check.expectation).id: check for check in checks}
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{name}_validation", data=batch, suite=suite)
    )
    result = definition.run(
        batch_parameters={"dataframe": frame},
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["key"]},
    )
    rows = frame.set_index("key", drop=False)
    summary, failures = [], {}
    for outcome in result.results:
        plan = plans[outcome.expectation_config.id]
        stats = outcome.result or {}
        summary.append(
            {
                "expectation": outcome.expectation_config.type,
                "column": outcome.expectation_config.kwargs.get("column"),
                "reason": plan.code or "image_error",
                "success": bool(outcome.success),
                "element_count": stats.get("element_count"),
                "unexpected_count": stats.get("unexpected_count", 0),
                "unexpected_percent": stats.get("unexpected_percent"),
            }
        )
        for hit in stats.get("unexpected_index_list") or []:
            row = rows.loc[hit["key"]].to_dict()
            code = plan.code or str(hit.get(plan.expectation.column, "image_error"))
            failures.setdefault(hit["key"], []).append((code, plan.scope, plan.explain(row)))
    return {"success": bool(result.success), "expectations": summary}, failures


def _table(manifest: Manifest) -> pd.DataFrame:
    frame = manifest.frame.copy()
    frame.insert(0, "key", range(len(frame)))
    frame["n_eyes"] = (frame["left_image"].str.strip() != "").astype(int) + (
        frame["right_image"].str.strip() != ""
    ).astype(int)
    frame["report_chars"] = frame["report"].str.strip().str.len()
    undecodable = set(manifest.undecodable_rows)
    frame["report_decodable"] = [i not in undecodable for i in range(len(frame))]
    return frame


def _inspect(job: tuple[str, str, str, int]) -> dict[str, Any]:
    """Per-image statistics or the reason the image is unusable (runs in a worker)."""
    key, path, name, max_pixels = job
    try:
        stats = inspect_image(Path(path), max_pixels, name).to_dict()
    except ImageError as exc:
        return {"key": key, "image_error": exc.code, "image_message": str(exc)}
    stats.update(
        key=key,
        image_error="",
        image_message="",
        short_side=min(stats["width"], stats["height"]),
        aspect_ratio=max(stats["width"], stats["height"]) / min(stats["width"], stats["height"]),
    )
    return stats


def _eye_frame(table: pd.DataFrame, raw: Path, path_failures, params, workers, progress):
    """One row per referenced image; files are opened only when their path is safe."""
    root = raw.resolve()
    rows, jobs = [], []
    for record in table.itertuples(index=False):
        for side in SIDES:
            value = getattr(record, f"{side}_image").strip()
            if not value:
                continue
            key = f"{record.key}:{side}"
            entry = {
                "key": key,
                "row": record.key,
                "side": side,
                "path": value,
                "inside_raw": None,
                "image_error": None,
                "image_message": "",
            }
            if not any(s == f"{side}_image" for _, s, _ in path_failures.get(record.key, [])):
                try:
                    target = (raw / value.replace("\\", "/")).resolve()
                    entry["inside_raw"] = target.is_relative_to(root)
                except (OSError, RuntimeError, ValueError):  # symlink loop, bad name
                    entry["inside_raw"] = False
                if entry["inside_raw"]:
                    jobs.append((key, str(target), value, params.max_image_pixels))
            rows.append(entry)
    results = {}
    bar = tqdm(
        total=len(jobs), desc="validate images", unit="img", disable=not progress, leave=False
    )
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(workers) as pool:
            for result in pool.map(_inspect, jobs, chunksize=16):
                results[result["key"]] = result
                bar.update()
    else:
        for job in jobs:
            result = _inspect(job)
            results[result["key"]] = result
            bar.update()
    bar.close()
    for entry in rows:
        entry.update({k: v for k, v in results.get(entry["key"], {}).items() if k != "key"})
    frame = pd.DataFrame(rows)
    for column in (
        "short_side",
        "aspect_ratio",
        "fov_fraction",
        "brightness",
        "sharpness",
        "disc_x",
    ):
        if column not in frame:
            frame[column] = float("nan")
    frame["disc_side_agrees"] = [
        None if not abs(x) > 0.1 else (x > 0) == (side == "right")
        for x, side in zip(frame["disc_x"], frame["side"], strict=True)
    ]
    if "sha256" not in frame:
        frame["sha256"] = None
    if frame.empty:
        frame = pd.DataFrame(
            columns=[
                "key",
                "row",
                "side",
                "path",
                "inside_raw",
                "image_error",
                "image_message",
                "short_side",
                "aspect_ratio",
                "fov_fraction",
                "brightness",
                "sharpness",
                "sha256",
            ]
        )
    return frame


def validate_manifest(
    manifest: Manifest, raw: Path, params: ValidateParams, workers: int = 1, progress: bool = True
) -> ValidationOutcome:
    """Run both suites over the manifest in ``raw`` and split it into valid and quarantined."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    table = _table(manifest)
    original = list(manifest.frame.columns)

    manifest_summary, table_failures = _run_suite(
        context, "manifest", table, _manifest_checks(params, original)
    )
    eyes = _eye_frame(table, raw, table_failures, params, workers, progress)
    images_summary, image_failures = _run_suite(context, "images", eyes, _image_checks(params))

    eye_problems: dict[tuple[int, str], list[tuple[str, str]]] = {}
    patient_problems: dict[int, list[tuple[str, str]]] = {}
    for key, problems in table_failures.items():
        for code, scope, message in problems:
            if scope == "patient":
                patient_problems.setdefault(key, []).append((code, message))
            else:
                eye_problems.setdefault((key, scope.split("_")[0]), []).append((code, message))
    warnings = []
    for key, problems in image_failures.items():
        row, side = key.split(":")
        for code, scope, message in problems:
            if scope == "warning":  # reported, never quarantined: the detector can be wrong
                warnings.append({"row": int(row), "side": side, "reason": code, "message": message})
            else:
                eye_problems.setdefault((int(row), side), []).append((code, message))

    valid_rows, quarantine_rows = [], []
    sha = {(int(r["row"]), r["side"]): r.get("sha256") for r in eyes.to_dict("records")}
    for record in table.to_dict("records"):
        key = record["key"]
        fields = {c: record[c] for c in original}
        usable = {}
        for side in SIDES:
            present = bool(record[f"{side}_image"].strip())
            problems = eye_problems.get((key, side), [])
            usable[side] = present and not problems
            if present and problems:
                quarantine_rows.append(
                    _quarantine_entry(fields, key, f"{side}_image", problems, manifest.path.name)
                )
        problems = patient_problems.get(key, [])
        if not problems and not any(usable.values()) and record["n_eyes"] > 0:
            problems = [("no_usable_eye", "no usable image: every given eye was quarantined")]
        if problems:
            quarantine_rows.append(
                _quarantine_entry(fields, key, "patient", problems, manifest.path.name)
            )
            continue
        kept = dict(fields)
        for side in SIDES:
            if not usable[side]:
                kept[f"{side}_image"] = ""
            kept[f"{side}_sha256"] = sha.get((key, side)) if usable[side] else ""
        kept["source_row"] = key
        valid_rows.append(kept)

    valid = pd.DataFrame(
        valid_rows, columns=[*original, "left_sha256", "right_sha256", "source_row"]
    )
    quarantine = pd.DataFrame(
        quarantine_rows, columns=[*original, "source_row", "scope", "reasons", "message"]
    )
    kept_summary = _validate_kept(context, table, eyes, valid, params, original)
    patients_quarantined = int((quarantine["scope"] == "patient").sum())
    if len(valid) + patients_quarantined != len(table):
        raise AssertionError(
            f"rows in ({len(table)}) != valid ({len(valid)}) + quarantined ({patients_quarantined})"
        )
    reasons = Counter(code for codes in quarantine["reasons"] for code in codes.split(";"))
    summary = {
        "source": manifest.path.name,
        "encoding": manifest.encoding,
        "rows_in": len(table),
        "valid_patients": len(valid),
        "quarantined_patients": patients_quarantined,
        "quarantined_eyes": int((quarantine["scope"] != "patient").sum()),
        "one_eye_patients": int(((valid["left_image"] == "") | (valid["right_image"] == "")).sum()),
        "reasons": dict(sorted(reasons.items())),
        "warnings": sorted(warnings, key=lambda w: (w["row"], w["side"])),
        "success": manifest_summary["success"] and images_summary["success"],
        "kept_success": kept_summary["success"],
        "suites": {"manifest": manifest_summary, "images": images_summary},
        "kept_suites": kept_summary["suites"],
        "thresholds": params.model_dump(mode="json"),
    }
    images = eyes.drop(columns=["key", "image_message"])
    return ValidationOutcome(valid, quarantine, images, summary, dict(reasons))


def _validate_kept(context, table, eyes, valid, params, original) -> dict[str, Any]:
    """Run both suites again on what was kept: every expectation must now hold (warnings aside).

    This is what the blocking Dagster check reads: the data passed downstream meet every rule.
    """
    kept_rows = table[table["key"].isin(valid["source_row"])].copy()
    blanked = valid.set_index("source_row")
    for side in SIDES:
        kept_rows[f"{side}_image"] = kept_rows["key"].map(blanked[f"{side}_image"])
    kept_rows["n_eyes"] = sum((kept_rows[f"{s}_image"] != "").astype(int) for s in SIDES)
    usable = {
        f"{r['source_row']}:{side}"
        for r in valid.to_dict("records")
        for side in SIDES
        if r[f"{side}_image"]
    }
    kept_eyes = eyes[eyes["key"].isin(usable)]
    manifest, _ = _run_suite(
        context, "manifest_kept", kept_rows, _manifest_checks(params, original)
    )
    images, _ = _run_suite(context, "images_kept", kept_eyes, _image_checks(params))
    rules = [
        e
        for suite in (manifest, images)
        for e in suite["expectations"]
        if e["reason"] != "laterality_suspect"
    ]
    return {
        "success": all(e["success"] for e in rules),
        "suites": {"manifest": manifest, "images": images},
    }


def _quarantine_entry(fields: dict, key: int, scope: str, problems, source: str) -> dict:
    codes = sorted({code for code, _ in problems})
    where = f"{source} row {key + 1} (patient_id {str(fields['patient_id'])[:64]!r})"
    detail = "; ".join(message for _, message in problems)
    return {
        **fields,
        "source_row": key,
        "scope": scope,
        "reasons": ";".join(codes),
        "message": f"{where}: {detail}",
    }


__all__ = ["REQUIRED_COLUMNS", "ValidationOutcome", "validate_manifest"]
