import csv
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from retclip.config import SynthParams
from retclip.data.synth.clinic import DEFECTS, MANIFEST_COLUMNS, SynthError, generate_clinic
from tests.conftest import tree_digest


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_same_seed_same_bytes_whatever_the_workers(tmp_path, small_clinic, small_params):
    again = tmp_path / "again"
    generate_clinic(again, small_params.model_copy(update={"workers": 2}), progress=False)
    assert tree_digest(again) == tree_digest(small_clinic)


def test_other_seed_other_bytes(tmp_path, small_clinic, small_params):
    other = tmp_path / "other"
    generate_clinic(other, small_params.model_copy(update={"seed": 12}), progress=False)
    a, b = tree_digest(small_clinic), tree_digest(other)
    assert a["patients.csv"] != b["patients.csv"]
    shared = [k for k in a if k.startswith("images/") and k in b]
    assert shared and all(a[k] != b[k] for k in shared)


def test_a_smaller_clinic_is_a_prefix(tmp_path, small_clinic, small_params):
    part = tmp_path / "part"
    generate_clinic(part, small_params.model_copy(update={"patients": 5}), progress=False)
    assert rows(part / "patients.csv") == rows(small_clinic / "patients.csv")[:5]


def test_manifest_follows_the_contract(small_clinic, small_params):
    manifest = rows(small_clinic / "patients.csv")
    assert len(manifest) == small_params.patients
    assert tuple(manifest[0]) == MANIFEST_COLUMNS
    truth = {int(r["row"]): r for r in rows(small_clinic / "truth" / "patients.csv")}
    for i, row in enumerate(manifest):
        defect = truth[i]["defect"]
        for column in ("left_image", "right_image"):
            path = row[column]
            if defect == "path_escape" and truth[i]["defect_side"] == column.split("_")[0]:
                assert path.startswith(("../", "/"))
            elif path:
                assert path.startswith("images/") and ".." not in path
        assert row["left_image"] or row["right_image"]
        assert row["sex"] in ("M", "F") and 18 <= int(row["age"]) <= 97


def test_every_defect_is_real_on_disk(small_clinic):
    manifest = rows(small_clinic / "patients.csv")
    truth = rows(small_clinic / "truth" / "patients.csv")
    seen = set()
    for i, t in enumerate(truth):
        defect, side = t["defect"], t["defect_side"]
        if not defect:
            continue
        seen.add(defect)
        row = manifest[i]
        path = row[f"{side}_image"] if side else ""
        file = small_clinic / path if path else None
        if defect == "missing_image":
            assert not file.exists()
        elif defect == "zero_byte_image":
            assert file.stat().st_size == 0
        elif defect in ("truncated_image", "not_an_image"):
            with pytest.raises(OSError):
                Image.open(file).load()
        elif defect == "underexposed_image":
            assert max(Image.open(file).convert("L").getextrema()) < 40
        elif defect == "empty_report":
            assert row["report"].strip() in ("", "N/A")
        elif defect == "one_eye":
            assert bool(row["left_image"]) != bool(row["right_image"])
        elif defect == "duplicate_id":
            assert [r["patient_id"] for r in manifest].count(row["patient_id"]) >= 2
    assert len(seen) >= 5  # half the rows are dirty in this fixture
    assert seen <= set(DEFECTS)


def test_clean_images_decode(small_clinic):
    for eye in rows(small_clinic / "truth" / "eyes.csv"):
        if not eye["defect"]:
            with Image.open(small_clinic / eye["image"]) as im:
                im.load()
                assert im.size == (256, 192) and im.mode == "RGB"


def test_phi_spans_index_the_manifest_reports(small_clinic):
    manifest = rows(small_clinic / "patients.csv")
    lines = (small_clinic / "truth" / "phi_spans.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(manifest)
    names = 0
    for line in lines:
        entry = json.loads(line)
        text = manifest[entry["row"]]["report"]
        for span in entry["spans"]:
            assert 0 <= span["start"] < span["end"] <= len(text)
            names += span["type"] == "NAME"
    assert names >= len(manifest) // 2


def test_ground_truth_labels_and_languages(small_clinic):
    eyes = rows(small_clinic / "truth" / "eyes.csv")
    assert {e["side"] for e in eyes} == {"left", "right"}
    for e in eyes:
        assert 0 <= int(e["dr_grade"]) <= 4
        assert int(e["referable_dr"]) == int(int(e["dr_grade"]) >= 2)
        assert int(e["glaucoma"]) in (0, 1, 2)
    langs = {r["lang"] for r in rows(small_clinic / "truth" / "patients.csv")}
    assert langs == {"zh", "en"}
    settings = json.loads((small_clinic / "synth.json").read_text())
    assert settings["params"]["seed"] == 11


def test_manifest_survives_a_pandas_round_trip(small_clinic):
    import pandas as pd

    raw = (small_clinic / "patients.csv").read_bytes()
    frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
    assert list(frame["report"]) == [r["report"] for r in rows(small_clinic / "patients.csv")]


def test_a_file_in_the_way_is_an_error(tmp_path):
    target = tmp_path / "raw"
    target.write_text("not a folder")
    with pytest.raises(SynthError, match="not a folder"):
        generate_clinic(target, SynthParams(patients=1, workers=1), progress=False)


def test_language_choice_is_respected(tmp_path):
    out = tmp_path / "zh"
    generate_clinic(
        out, SynthParams(patients=6, lang="zh", workers=1, image_size=(128, 96)), progress=False
    )
    assert {r["lang"] for r in rows(out / "truth" / "patients.csv")} == {"zh"}
