import json
from pathlib import Path

import pytest

from retclip.lineage import canonical_hash, describe_input, locate_raw_data, write_lineage
from tests.conftest import REPO


def test_raw_data_version_is_found_from_data_dvc():
    found = locate_raw_data(REPO / "data" / "raw")
    assert found["dvc_file"].endswith("data.dvc") and found["md5"].endswith(".dir")


def test_lineage_chain_and_stable_record(tmp_path):
    first = tmp_path / "a"
    first.mkdir()
    (first / "x.txt").write_text("x")
    a = write_lineage(first, "stage_a", [describe_input(REPO / "data" / "raw", "raw")], {"k": 1})
    second = tmp_path / "b"
    second.mkdir()
    (second / "y.txt").write_text("y")
    b = write_lineage(
        second, "stage_b", [describe_input(first, "upstream")], {"k": 2}, seeds={"seed": 3}
    )
    assert b["inputs"][0]["lineage_id"] == a["lineage_id"]
    assert b["raw_data"] == a["raw_data"] and b["raw_data"]["md5"].endswith(".dir")
    assert set(a["files"]) == {"x.txt"} and b["seeds"] == {"seed": 3}
    assert b["params_sha256"] == canonical_hash({"k": 2})
    again = write_lineage(
        second, "stage_b", [describe_input(first, "upstream")], {"k": 2}, seeds={"seed": 3}
    )
    assert again == json.loads((second / "lineage.json").read_text()) == b
    assert len(b["code_sha256"]) == 64
    run = json.loads((second / "run.json").read_text())
    assert run["lineage_id"] == b["lineage_id"] and "run.json" not in b["files"]
    assert run["git"]["commit"] is None or len(run["git"]["commit"]) == 40


def test_paths_are_recorded_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "up").mkdir()
    assert describe_input(tmp_path / "up", "x")["path"] == "up"
    assert describe_input(Path("/"), "x")["path"] == "/"


def test_trace_detects_a_rewritten_upstream(tmp_path):
    from retclip.lineage import LineageError, trace

    up, down = tmp_path / "up", tmp_path / "down"
    for folder in (up, down):
        folder.mkdir()
        (folder / "f.txt").write_text(folder.name)
    write_lineage(up, "a", [], {})
    write_lineage(down, "b", [describe_input(up, "in")], {})
    assert [n["stage"] for n in trace(down / "f.txt")] == ["b", "a"]
    (up / "f.txt").write_text("changed")
    write_lineage(up, "a", [], {})
    assert trace(down)[0]["broken_inputs"] == [describe_input(up, "in")["path"]]
    with pytest.raises(LineageError, match=r"no lineage\.json"):
        trace(tmp_path)
