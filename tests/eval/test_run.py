"""The evaluate stage end to end on a tiny clinic: every protocol, every baseline, every file."""

import json

import numpy as np
import pandas as pd
import pytest

from retclip import pipeline
from retclip.lineage import read_lineage
from tests.eval.conftest import eval_params


@pytest.fixture(scope="module")
def dr_result(tmp_path_factory, eval_clinic, model_dir):
    out = tmp_path_factory.mktemp("evaluate") / "dr"
    params = eval_params(eval_clinic)
    summary = pipeline.evaluate(model_dir.parent, "dr", out, params, progress=False)
    return out, summary


def test_every_protocol_and_baseline_is_scored_on_the_same_test_rows(dr_result):
    out, summary = dr_result
    rows = {(r["model"], r["protocol"]): r for r in summary["results"]}
    assert set(rows) == {
        ("retclip", "linear_probe"),
        ("random_init", "linear_probe"),
        ("retclip", "finetune"),
        ("supervised", "from_scratch"),
        ("retclip", "zero_shot"),
        ("random_init", "zero_shot"),
    }
    probe = rows[("retclip", "linear_probe")]
    assert probe["seeds"] == [0, 1]
    auroc = probe["metrics"]["auroc"]
    assert len(auroc["seeds"]) == 2 and auroc["mean"] == pytest.approx(np.mean(auroc["seeds"]))
    assert set(probe["metrics"]) >= {"aupr", "balanced_accuracy", "macro_f1", "quadratic_kappa"}
    assert list(probe["per_class"]) == ["no DR", "mild NPDR", "moderate NPDR", "severe NPDR", "PDR"]
    assert all("C" in s for s in probe["selection"])
    predictions = pd.read_parquet(out / "predictions.parquet")
    test_ids = predictions.groupby(["model", "protocol", "seed"])["sample_id"].apply(frozenset)
    assert test_ids.nunique() == 1  # one held-out set for all
    counts = summary["samples"]
    assert counts["rows_in"] == counts["kept"] + counts["quarantined_rows"] == 80
    assert counts["test"] == len(next(iter(test_ids)))


def test_outputs_are_written_with_lineage(dr_result, model_dir):
    out, _summary = dr_result
    assert {p.name for p in out.iterdir()} >= {
        "metrics.json",
        "table.md",
        "roc.png",
        "predictions.parquet",
        "lineage.json",
        "run.json",
    }
    assert json.loads((out / "metrics.json").read_text())["task"]["name"] == "dr"
    table = (out / "table.md").read_text()
    assert "| RET-CLIP | linear_probe |" in table and "QW kappa" in table
    assert (out / "roc.png").read_bytes()[:4] == b"\x89PNG"
    lineage = read_lineage(out)
    assert lineage["stage"] == "evaluate"
    assert [i["role"] for i in lineage["inputs"]] == ["model", "data"]


def test_same_inputs_give_the_same_bytes(tmp_path, eval_clinic, model_dir, dr_result):
    out, _ = dr_result
    again = tmp_path / "dr"
    pipeline.evaluate(model_dir.parent, "dr", again, eval_params(eval_clinic), progress=False)
    for name in ("metrics.json", "table.md", "predictions.parquet", "roc.png"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_patient_task_with_retrieval_and_multilabel_task(tmp_path, eval_clinic, model_dir):
    params = eval_params(eval_clinic, baselines=["random_init"], seeds=[0])
    summary = pipeline.evaluate(model_dir, "any", tmp_path / "any", params, progress=False)
    assert set(summary["retrieval"]["retclip"]) == {"patient", "left", "right"}
    recall = summary["retrieval"]["retclip"]["patient"]
    assert (
        recall["pairs"] == 40 and 0 <= recall["image_to_text_r@1"] <= recall["image_to_text_r@10"]
    )
    multi = pipeline.evaluate(model_dir, "diseases", tmp_path / "multi", params, progress=False)
    zero_shot = next(r for r in multi["results"] if r["protocol"] == "zero_shot")
    assert next(iter(zero_shot["per_class"])) == "diabetic retinopathy"


def test_an_unknown_task_or_model_folder_is_a_clear_error(tmp_path, eval_clinic, model_dir):
    params = eval_params(eval_clinic)
    with pytest.raises(ValueError, match=r"no task 'nope'.*dr, diseases, any"):
        pipeline.evaluate(model_dir, "nope", tmp_path / "x", params)
    with pytest.raises(ValueError, match="not a model folder"):
        pipeline.evaluate(tmp_path, "dr", tmp_path / "x", params)
    assert not (tmp_path / "x").exists()
