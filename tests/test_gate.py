"""The release gate's verdicts: a floor, no regression, parity, and bad input that holds."""

import json

import pytest

from retclip.gate import (
    GateInputError,
    floor_verdict,
    parity_verdict,
    regression_verdict,
    task_scores,
)
from retclip.lineage import write_lineage


def write_metrics(folder, task, auroc, protocol="linear_probe"):
    """The part of an evaluation's metrics.json the gate reads."""
    rows = [
        {"model": "random_init", "protocol": protocol, "metrics": {"auroc": {"mean": 0.5}}},
        {"model": "retclip", "protocol": protocol, "metrics": {"auroc": {"mean": auroc}}},
    ]
    (folder / task).mkdir(parents=True, exist_ok=True)
    (folder / task / "metrics.json").write_text(json.dumps({"results": rows}))


def test_scores_are_retclip_rows_of_the_protocol(tmp_path):
    write_metrics(tmp_path, "a", 0.9)
    write_metrics(tmp_path, "b", 0.7)
    assert task_scores(tmp_path, ["a", "b"], "linear_probe") == {"a": 0.9, "b": 0.7}


def test_a_missing_or_malformed_metrics_file_names_the_file(tmp_path):
    with pytest.raises(GateInputError, match=r"a/metrics\.json is missing"):
        task_scores(tmp_path, ["a"], "linear_probe")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "metrics.json").write_text("{not json")
    with pytest.raises(GateInputError, match="no readable retclip linear_probe auroc"):
        task_scores(tmp_path, ["a"], "linear_probe")
    write_metrics(tmp_path, "a", None)  # undefined: one class in the test set
    with pytest.raises(GateInputError, match="auroc is None, not a number"):
        task_scores(tmp_path, ["a"], "linear_probe")
    write_metrics(tmp_path, "a", 0.9, protocol="zero_shot")
    with pytest.raises(GateInputError, match="no readable"):
        task_scores(tmp_path, ["a"], "linear_probe")


def test_the_floor_names_every_task_below_it():
    assert floor_verdict({"a": 0.8, "b": 0.75}, 0.75).passed
    held = floor_verdict({"a": 0.8, "b": 0.6, "c": 0.7}, 0.75)
    assert not held.passed
    assert held.reason == "Held: AUROC below the floor of 0.750 on b 0.600, c 0.700."


def test_a_regression_beyond_the_tolerance_is_held():
    last = {"name": "export/abc", "metrics": {"scores": {"a": 0.9, "gone": 0.9}}}
    assert regression_verdict({"a": 0.86}, last, 0.05).passed
    held = regression_verdict({"a": 0.84}, last, 0.05)
    assert not held.passed
    assert "worse than the last release 'export/abc' by more than 0.050 on a 0.840" in held.reason
    assert regression_verdict({"a": 0.1}, None, 0.05).passed  # the first release
    assert not regression_verdict({"a": 0.9}, {"name": "x"}, 0.05).passed  # no scores recorded


def test_parity_holds_a_large_difference_or_a_changed_graph(tmp_path):
    (tmp_path / "image.onnx").write_bytes(b"graph")
    parity = {"atol": 1e-4, "batch_sizes": [1, 2], "fp32": {"max_abs_diff": 2e-5}}
    (tmp_path / "parity.json").write_text(json.dumps(parity))
    write_lineage(tmp_path, "export", [], {})
    assert parity_verdict(tmp_path).passed
    (tmp_path / "image.onnx").write_bytes(b"tampered")
    changed = parity_verdict(tmp_path)
    assert not changed.passed and changed.details["changed_since_export"] == ["image.onnx"]
    (tmp_path / "image.onnx").write_bytes(b"graph")
    parity["fp32"]["max_abs_diff"] = 1e-2
    (tmp_path / "parity.json").write_text(json.dumps(parity))
    assert "differs from PyTorch by 1.00e-02" in parity_verdict(tmp_path).reason
    (tmp_path / "parity.json").unlink()
    assert "no readable parity record" in parity_verdict(tmp_path).reason
