"""Metadata a person wants to see in the UI: tables, pictures, lineage."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import dagster as dg

from retclip.lineage import LINEAGE_FILE, RUN_FILE


def counts_table(counts: dict[str, int], key: str = "reason") -> dg.MetadataValue:
    schema = dg.TableSchema(columns=[dg.TableColumn(key, "string"), dg.TableColumn("count", "int")])
    records = [dg.TableRecord({key: k, "count": int(v)}) for k, v in counts.items()]
    return dg.MetadataValue.table(records, schema=schema)


def png(path: Path, title: str) -> dg.MetadataValue:
    """A PNG shown inline in the asset's metadata (Markdown with a data URI)."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return dg.MetadataValue.md(f"**{title}**\n\n![{title}](data:image/png;base64,{data})")


def stage_result(folder: Path, metadata: dict) -> dg.MaterializeResult:
    """The materialization of a stage output: versioned by its lineage id, with the lineage.

    ``lineage.json`` and ``run.json`` are read once here for both the version and the metadata.
    """
    record = json.loads((folder / LINEAGE_FILE).read_text(encoding="utf-8"))
    run = json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
    raw = record.get("raw_data") or {}
    return dg.MaterializeResult(
        data_version=dg.DataVersion(record["lineage_id"]),
        metadata={
            **metadata,
            "lineage_id": dg.MetadataValue.text(record["lineage_id"]),
            "raw_data_md5": dg.MetadataValue.text(str(raw.get("md5"))),
            "params_sha256": dg.MetadataValue.text(record["params_sha256"]),
            "code_sha256": dg.MetadataValue.text(record["code_sha256"]),
            "git_commit": dg.MetadataValue.text(str((run.get("git") or {}).get("commit"))),
            "lineage": dg.MetadataValue.json(
                {"inputs": record["inputs"], "files": record["files"]}
            ),
            "path": dg.MetadataValue.path(str(folder)),
        },
    )
