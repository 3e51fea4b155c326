"""A throw-away project folder (data/raw, params.yaml, data.dvc) for the Dagster tests."""

import shutil
from pathlib import Path

import pytest
import yaml

from orchestration.defs.resources import RetclipProject

SMALL_PARAMS = {
    "validate": {"min_short_side": 128, "workers": 1},
    "preprocess": {"size": 64, "shard_size": 8, "workers": 1},
    "pretrain": {
        "epochs": 4,
        "batch_size": 8,
        "warmup_steps": 1,
        "lr": 1e-3,
        "workers": 0,
        "image_size": 64,
        "checkpoint_every": 1000,
    },
    "synth": {"image_size": "256x192", "workers": 1},
    "evaluate": {
        "clinic": {"patients": 16},
        "seeds": [0],
        "bootstrap": 10,
        "baselines": ["random_init", "patient_only"],
        "workers": 1,
        "tasks": [  # a name the code location's partitions know (from the repository's params)
            {
                "name": "synth_referable_dr",
                "adapter": "synthetic",
                "path": "outputs/eval_clinic",
                "type": "binary",
                "label": "referable_dr",
            }
        ],
    },
}


UPSTREAM_OF_EVALUATION = [
    "validated",
    "preprocessed",
    "cleaned_reports",
    "tokenizer",
    "pretrained",
    "pretrained_patient_only",
    "eval_clinic",
]
"""Every asset an evaluation partition reads, materialized before it."""


def make_project(root: Path, clinic: Path) -> RetclipProject:
    shutil.copytree(clinic, root / "data" / "raw")
    (root / "params.yaml").write_text(yaml.safe_dump(SMALL_PARAMS))
    (root / "data.dvc").write_text(
        "outs:\n- md5: 0123456789abcdef0123456789abcdef.dir\n  path: data/raw\n"
    )
    return RetclipProject(root=str(root))


@pytest.fixture
def project(tmp_path, small_clinic) -> RetclipProject:
    return make_project(tmp_path / "project", small_clinic)
