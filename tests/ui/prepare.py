"""The state a person finds after `make demo`, on a tiny project: every stage up to one
evaluation partition materialized (in-process) into the instance the UI serves."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import dagster as dg
import yaml

from orchestration.defs import evaluation_assets, model_assets
from orchestration.defs.resources import (
    ArtifactStore,
    DvcCommand,
    RetclipProject,
    TrainingLauncher,
)
from tests.conftest import REPO
from tests.orchestration.conftest import SMALL_PARAMS, UPSTREAM_OF_EVALUATION, make_project
from tests.orchestration.test_data_assets import ASSETS as DATA_ASSETS

TASK = "synth_referable_dr"  # the one task of SMALL_PARAMS
ASSETS = [
    *DATA_ASSETS,
    model_assets.pretrained,
    model_assets.loss_is_finite_and_fell,
    model_assets.pretrained_patient_only,
    evaluation_assets.eval_clinic,
    evaluation_assets.evaluation,
]


def ui_params() -> dict:
    """SMALL_PARAMS with a held-out clinic large enough for both classes in the test split,
    so that the AUROC table holds numbers rather than n/a (16 s more than 16 patients)."""
    params = copy.deepcopy(SMALL_PARAMS)
    params["evaluate"]["clinic"]["patients"] = 40
    return params


def make_ui_project(root: Path, clinic: Path) -> RetclipProject:
    project = make_project(root, clinic)
    project.path(project.params_file).write_text(yaml.safe_dump(ui_params()))
    return project


def make_dagster_home(home: Path) -> Path:
    """The instance settings `make ui` uses (orchestration/dagster.yaml), in a fresh folder."""
    home.mkdir(parents=True)
    shutil.copy(REPO / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    return home


def materialize_upstream(project: RetclipProject, dagster_home: Path) -> None:
    """Everything the evaluation partition needs, then the partition, recorded in the instance."""
    resources = {
        "project": project,
        "launcher": TrainingLauncher(),
        "store": ArtifactStore(),
        "dvc": DvcCommand(),
    }
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        for selection, partition in ((UPSTREAM_OF_EVALUATION, None), (["evaluation"], TASK)):
            result = dg.materialize(
                ASSETS,
                instance=instance,
                resources=resources,
                selection=selection,
                partition_key=partition,
            )
            assert result.success, f"materializing {selection} failed"
