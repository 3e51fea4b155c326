"""Every stage output Dagster writes becomes a DVC version: committed, and pushed when a remote
is set, so that ``dvc status`` after a Dagster run is clean and ``dvc.lock`` says what changed.

Assets of stages that write the DVC workspace run one at a time (pool ``dvc_workspace``); the two
pre-trainings finish side by side, and dvc waits for the repository lock (``--wait-for-lock``).
"""

import time

import dagster as dg

from orchestration.defs.resources import DvcCommand, RetclipProject


def record_in_dvc(
    context: dg.AssetExecutionContext, project: RetclipProject, dvc: DvcCommand, stage: str
) -> dict[str, dg.MetadataValue]:
    """``dvc commit --force <stage>`` (and ``dvc push <stage>``); the md5 of each output."""
    repo = dvc.repo(project.path())
    if not repo.is_project():
        return {"dvc": dg.MetadataValue.text(f"not recorded: {project.path()} has no dvc.yaml")}
    started = time.monotonic()
    hashes = repo.commit(stage)
    committed = time.monotonic()
    said = f"dvc: {stage} committed in {committed - started:.1f} s"
    if dvc.remote:
        repo.push(stage, dvc.remote)
        said += f", pushed to {dvc.remote} in {time.monotonic() - committed:.1f} s"
    context.log.info(said)
    schema = dg.TableSchema(
        columns=[dg.TableColumn("output", "string"), dg.TableColumn("md5", "string")]
    )
    rows = [dg.TableRecord({"output": path, "md5": md5}) for path, md5 in sorted(hashes.items())]
    return {
        "dvc_stage": dg.MetadataValue.text(stage),
        "dvc_md5": dg.MetadataValue.table(rows, schema=schema),
        "dvc_remote": dg.MetadataValue.text(dvc.remote or "none (RETCLIP_DVC_REMOTE unset)"),
    }
