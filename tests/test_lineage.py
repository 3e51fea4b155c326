import json

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
    assert b["code"]["commit"] is None or len(b["code"]["commit"]) == 40
