"""The raw data as an observable source asset, versioned by the md5 that data.dvc records."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from retclip.data.version import raw_data_version


def project_root() -> Path:
    """Where data.dvc and data/raw live: $RETCLIP_PROJECT_ROOT, else this checkout."""
    return Path(os.environ.get("RETCLIP_PROJECT_ROOT", Path(__file__).resolve().parents[2]))


@dg.observable_source_asset(
    key="raw_data",
    group_name="data",
    description="data/raw: the patient manifest and fundus photographs, tracked by data.dvc.",
)
def raw_data() -> dg.ObserveResult:
    root = project_root()
    version = raw_data_version(root / "data.dvc")
    return dg.ObserveResult(
        data_version=dg.DataVersion(version),
        metadata={"dvc_md5": version, "path": str(root / "data" / "raw")},
    )
