"""The data assets materialize in-process; their checks block downstream work on bad data."""

import dagster as dg

from orchestration.defs import data_assets, data_checks, report_assets
from orchestration.defs.raw_data import raw_data
from orchestration.defs.resources import DvcCommand
from retclip.lineage import read_lineage

ASSETS = [
    raw_data,
    data_assets.validated,
    data_assets.preprocessed,
    data_checks.kept_data_meet_expectations,
    data_checks.quarantine_rate_within_limit,
    data_checks.every_valid_eye_preprocessed,
    report_assets.cleaned_reports,
    report_assets.no_phi_left_in_cleaned_reports,
    report_assets.tokenizer,
]
STAGES = ["validated", "preprocessed", "cleaned_reports", "tokenizer"]


def materialize(project):
    with dg.DagsterInstance.ephemeral() as instance:
        return dg.materialize(
            ASSETS,
            resources={"project": project, "dvc": DvcCommand()},
            instance=instance,
            selection=STAGES,
            raise_on_error=False,
        )


def test_assets_materialize_with_versions_and_metadata(project):
    result = materialize(project)
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {
        "kept_data_meet_expectations": True,
        "quarantine_rate_within_limit": True,
        "every_valid_eye_preprocessed": True,
        "no_phi_left_in_cleaned_reports": True,
    }
    events = {e.asset_key.to_user_string(): e for e in result.get_asset_materialization_events()}
    validated = events["validated"].materialization
    lineage_id = read_lineage(project.output("validate"))["lineage_id"]
    assert validated.tags["dagster/data_version"] == lineage_id
    assert validated.metadata["rows_in"].value == 24
    assert validated.metadata["raw_data_md5"].value.startswith("0123456789abcdef")
    preprocessed = events["preprocessed"].materialization
    assert "data:image/png;base64," in preprocessed.metadata["samples"].value
    assert set(events) == set(STAGES)
    cleaned = events["cleaned_reports"].materialization.metadata
    assert cleaned["phi_replaced"].value > 0
    assert len(cleaned["safe_harbor_recall_set_a"].value.records) == 11
    assert events["tokenizer"].materialization.metadata["vocab_size"].value > 14
    run = (project.output("preprocess") / "run.json").read_text()
    assert result.run_id in run


def test_half_the_images_corrupt_blocks_preprocessing(project):
    images = sorted((project.raw / "images").glob("*.jpg"))
    for image in images[::2]:
        image.write_bytes(b"corrupt")
    result = materialize(project)
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["quarantine_rate_within_limit"] is False
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialized == {"validated"}  # nothing downstream ran
    assert not project.output("preprocess").exists()


def test_phi_left_in_the_reports_fails_the_check(project):
    import pandas as pd

    from retclip import pipeline

    pipeline.validate(project.raw, project.output("validate"), project.params(), progress=False)
    pipeline.clean_reports(
        project.output("validate"),
        project.output("clean_reports"),
        project.params(),
        progress=False,
    )
    path = project.output("clean_reports") / "reports.parquet"
    reports = pd.read_parquet(path)
    reports.loc[0, "patient_text"] += " Contact: 138-1234-5678, jane.doe@example.org"
    reports.to_parquet(path, index=False)
    result = report_assets.no_phi_left_in_cleaned_reports(project=project)
    assert not result.passed
    assert result.metadata["detector_hits"].value == {"EMAIL": 1, "PHONE": 1}


def test_a_safe_harbor_leak_in_the_recall_set_fails_the_check(project):
    """The audit of the code that cleaned the reports is part of the check: a category that
    leaked in the independent recall set blocks the run even when the clinic's reports are
    clean."""
    import json

    from retclip import pipeline

    pipeline.validate(project.raw, project.output("validate"), project.params(), progress=False)
    out = project.output("clean_reports")
    pipeline.clean_reports(project.output("validate"), out, project.params(), progress=False)
    assert report_assets.no_phi_left_in_cleaned_reports(project=project).passed
    audit = json.loads((out / "phi_audit.json").read_text(encoding="utf-8"))
    audit["safe_harbor_recall"]["A"]["leaked"] = 1
    (out / "phi_audit.json").write_text(json.dumps(audit), encoding="utf-8")
    result = report_assets.no_phi_left_in_cleaned_reports(project=project)
    assert not result.passed
    assert result.metadata["safe_harbor_values_leaked"].value == 1
