"""Blocking checks on the data: what goes downstream must be fit to train on."""

import json

import dagster as dg
import pandas as pd

from orchestration.defs.metadata import counts_table
from orchestration.defs.resources import RetclipProject


@dg.asset_check(
    asset="validated",
    blocking=True,
    description="Every kept row and eye meets every GX expectation.",
)
def kept_data_meet_expectations(project: RetclipProject) -> dg.AssetCheckResult:
    summary = json.loads((project.output("validate") / "validation.json").read_text())
    failed = [
        f"{suite}: {e['reason']} ({e['unexpected_count']})"
        for suite, result in summary["kept_suites"].items()
        for e in result["expectations"]
        if not e["success"] and e["reason"] != "laterality_suspect"
    ]
    return dg.AssetCheckResult(
        passed=summary["kept_success"],
        description="Failed on kept data: " + "; ".join(failed) if failed else None,
        metadata={"failed_expectations": ", ".join(failed) or "none"},
    )


@dg.asset_check(
    asset="validated",
    blocking=True,
    description="The share of quarantined patients is at most validate.max_quarantine_rate.",
)
def quarantine_rate_within_limit(project: RetclipProject) -> dg.AssetCheckResult:
    summary = json.loads((project.output("validate") / "validation.json").read_text())
    limit = project.params().validate_.max_quarantine_rate
    rate = summary["quarantined_patients"] / max(1, summary["rows_in"])
    top = sorted(summary["reasons"].items(), key=lambda item: -item[1])[:3]
    reason = (
        f"{summary['quarantined_patients']} of {summary['rows_in']} patients quarantined "
        f"({rate:.0%}; the limit is {limit:.0%}); most frequent reasons: "
        + ", ".join(f"{code} ({count})" for code, count in top)
    )
    return dg.AssetCheckResult(
        passed=rate <= limit,
        severity=dg.AssetCheckSeverity.ERROR,
        description=reason,
        metadata={
            "reason": reason,  # the run page shows metadata, not the description
            "quarantine_rate": round(rate, 4),
            "limit": limit,
            "reasons": counts_table(summary["reasons"]),
        },
    )


@dg.asset_check(
    asset="preprocessed", blocking=True, description="Every valid eye is in a shard, exactly once."
)
def every_valid_eye_preprocessed(project: RetclipProject) -> dg.AssetCheckResult:
    valid = pd.read_parquet(project.output("validate") / "manifest.parquet")
    stats = pd.read_parquet(project.output("preprocess") / "images.parquet")
    expected = {
        (r["patient_id"], side)
        for r in valid.to_dict("records")
        for side in ("left", "right")
        if r[f"{side}_image"]
    }
    found = list(zip(stats["patient_id"], stats["side"], strict=True))
    missing, duplicated = expected - set(found), len(found) - len(set(found))
    return dg.AssetCheckResult(
        passed=not missing and not duplicated,
        metadata={
            "expected": len(expected),
            "found": len(found),
            "missing": len(missing),
            "duplicated": duplicated,
        },
    )
