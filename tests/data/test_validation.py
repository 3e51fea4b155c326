"""Every bad case the validate stage must survive, with rows in = kept + quarantined."""

import csv
import io
import os

import pytest
from PIL import Image, ImageFilter

from retclip.config import ValidateParams
from retclip.data.manifest import read_manifest
from retclip.data.validation import validate_manifest
from tests.data.fundus_files import fundus, png_bomb, save, sixteen_bit_png

REPORT = "OD: disc sharp, C/D 0.3. OS: normal. Impression: no abnormality."


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    """A raw folder holding one row per bad case (and some good rows)."""
    root = tmp_path_factory.mktemp("validation")
    raw = root / "raw"
    outside = root / "outside"
    img = raw / "images"
    for i in range(13):
        save(img / f"good{i}.jpg", fundus(seed=i, side="left" if i % 2 else "right"))
    (img / "zero.jpg").write_bytes(b"")
    (img / "text.jpg").write_text("not an image\n")
    (img / "trunc.jpg").write_bytes((img / "good0.jpg").read_bytes()[:2500])
    (img / "bomb.png").write_bytes(png_bomb())
    save(img / "cmyk.jpg", fundus(seed=20), mode="CMYK")
    save(img / "grey.jpg", fundus(seed=21), mode="L")
    (img / "deep.png").write_bytes(sixteen_bit_png(fundus(seed=22)))
    save(img / "rgba.png", fundus(seed=23), "PNG", mode="RGBA")
    save(img / "palette.png", fundus(seed=24), "PNG", mode="P")
    save(img / "small.jpg", fundus((200, 150), seed=25))
    save(img / "wide.jpg", fundus((960, 300), seed=26, fov_scale=1.0))
    save(img / "dark.jpg", fundus(seed=27, exposure=0.07))
    Image.fromarray(fundus(seed=28)).filter(ImageFilter.GaussianBlur(12)).save(img / "blur.jpg")
    (img / "copy.jpg").write_bytes((img / "good7.jpg").read_bytes())
    save(outside / "secret.jpg", fundus(seed=29))
    os.symlink(outside / "secret.jpg", img / "link.jpg")
    os.symlink(img / "loop_b.jpg", img / "loop_a.jpg")
    os.symlink(img / "loop_a.jpg", img / "loop_b.jpg")
    rows = [
        ("P01", "images/good0.jpg", "images/good1.jpg", REPORT, ""),  # valid
        ("P02", "", "images/good2.jpg", REPORT, ""),  # one eye: valid
        ("P03", "images/zero.jpg", "images/good3.jpg", REPORT, ""),  # keeps right eye
        ("P04", "images/text.jpg", "images/trunc.jpg", REPORT, ""),  # no usable eye
        ("P05", "images/good4.jpg", "", REPORT, ""),
        ("P05", "images/good5.jpg", "", REPORT, ""),  # duplicate id (both rows)
        ("bad id!", "images/good6.jpg", "", REPORT, ""),
        ("P07", "/etc/passwd", "images/good12.jpg", REPORT, ""),  # absolute path, keeps right
        ("P08", "../outside/secret.jpg", "", REPORT, ""),  # traversal
        ("P09", "images/link.jpg", "", REPORT, ""),  # symlink out of the folder
        ("P10", "images/absent.jpg", "", REPORT, ""),
        ("P11", "images/bomb.png", "", REPORT, ""),
        ("P12", "images/cmyk.jpg", "images/grey.jpg", REPORT, ""),  # usable: converted
        ("P13", "images/deep.png", "images/rgba.png", REPORT, ""),  # usable: converted
        ("P14", "images/palette.png", "", REPORT, ""),  # usable
        ("P15", "images/small.jpg", "", REPORT, ""),
        ("P16", "images/wide.jpg", "", REPORT, ""),
        ("P17", "images/dark.jpg", "", REPORT, ""),
        ("P18", "images/blur.jpg", "", REPORT, ""),
        ("P19", "images/good7.jpg", "images/copy.jpg", REPORT, ""),  # duplicate image
        ("P20", "", "", REPORT, ""),  # no eye
        ("P21", "images/good8.jpg", "", "   ", ""),  # empty report
        ("P22", "images/good9.jpg", "", "x" * 20000, ""),  # report too long
        ("P23", "images/good10.jpg", "", REPORT, "7"),  # label out of set
        ("P25", "images/\x00evil.jpg", "", REPORT, ""),  # control character in the name
        ("P26", "images/loop_a.jpg", "", REPORT, ""),  # symbolic link loop
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["patient_id", "left_image", "right_image", "report", "dr_grade", "ward"])
    for row in rows:
        writer.writerow([*row, "W1"])
    data = buffer.getvalue().encode("utf-8")
    data += b"P24,images/good11.jpg,,bad \xff bytes report text,,W1\n"  # non-UTF-8 report
    (raw / "patients.csv").write_bytes(data)
    manifest = read_manifest(raw)
    return validate_manifest(
        manifest,
        raw,
        ValidateParams(max_image_pixels=50_000_000, min_short_side=200),
        workers=2,
        progress=False,
    )


def truth_rows(raw):
    with open(raw / "truth" / "patients.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def entries(outcome, patient_id):
    q = outcome.quarantine
    return {r["scope"]: r for r in q[q["patient_id"] == patient_id].to_dict("records")}


def valid_row(outcome, patient_id):
    v = outcome.valid
    rows = v[v["patient_id"] == patient_id].to_dict("records")
    return rows[0] if rows else None


def test_rows_in_equals_kept_plus_quarantined(outcome):
    patients = (outcome.quarantine["scope"] == "patient").sum()
    assert len(outcome.valid) + patients == 27
    assert outcome.summary["rows_in"] == 27
    assert set(outcome.valid["source_row"]).isdisjoint(
        outcome.quarantine.loc[outcome.quarantine["scope"] == "patient", "source_row"]
    )


@pytest.mark.parametrize("patient_id", ["P01", "P02", "P12", "P13", "P14"])
def test_good_and_convertible_rows_are_valid(outcome, patient_id):
    row = valid_row(outcome, patient_id)
    assert row is not None and not entries(outcome, patient_id)


def test_one_bad_eye_keeps_the_good_one(outcome):
    row = valid_row(outcome, "P03")
    assert row["left_image"] == "" and row["right_image"] == "images/good3.jpg"
    record = entries(outcome, "P03")["left_image"]
    assert record["reasons"] == "empty_file"
    assert record["left_image"] == "images/zero.jpg"  # original fields unchanged
    assert "images/zero.jpg" in record["message"] and "row 3" in record["message"]
    kept = valid_row(outcome, "P07")
    assert kept["left_image"] == "" and entries(outcome, "P07")["left_image"]["reasons"] == (
        "path_absolute"
    )


@pytest.mark.parametrize(
    ("patient_id", "scope", "reason"),
    [
        ("P04", "left_image", "not_an_image"),
        ("P04", "right_image", "truncated"),
        ("P04", "patient", "no_usable_eye"),
        ("P05", "patient", "duplicate_id"),
        ("bad id!", "patient", "bad_patient_id"),
        ("P08", "left_image", "path_traversal"),
        ("P09", "left_image", "path_escapes"),
        ("P10", "left_image", "file_missing"),
        ("P11", "left_image", "too_many_pixels"),
        ("P15", "left_image", "too_small"),
        ("P16", "left_image", "aspect_ratio"),
        ("P17", "left_image", "too_dark"),
        ("P18", "left_image", "blurry"),
        ("P19", "left_image", "duplicate_image"),
        ("P19", "right_image", "duplicate_image"),
        ("P20", "patient", "no_eye"),
        ("P21", "patient", "report_length"),
        ("P22", "patient", "report_length"),
        ("P23", "patient", "label_value"),
        ("P24", "patient", "report_encoding"),
        ("P25", "left_image", "path_invalid"),
        ("P26", "left_image", "path_escapes"),
    ],
)
def test_each_bad_case_has_its_reason(outcome, patient_id, scope, reason):
    records = outcome.quarantine[
        (outcome.quarantine["patient_id"] == patient_id) & (outcome.quarantine["scope"] == scope)
    ]
    assert len(records) >= 1
    assert all(reason in r.split(";") for r in records["reasons"])
    assert valid_row(outcome, patient_id) is None or scope != "patient"


def test_messages_name_the_file_and_never_the_report(outcome):
    for record in outcome.quarantine.to_dict("records"):
        assert "patients.csv row" in record["message"]
        assert REPORT not in record["message"]
        if record["scope"] != "patient":
            path = record[record["scope"]]
            assert path in record["message"] or repr(path) in record["message"]


def test_extra_columns_travel_with_the_row(outcome):
    assert (outcome.valid["ward"] == "W1").all()
    assert (outcome.quarantine["ward"] == "W1").all()


def test_summary_counts_match_ge_results(outcome):
    suites = outcome.summary["suites"]
    assert not suites["manifest"]["success"] and not suites["images"]["success"]
    by_reason = {e["reason"]: e for e in suites["manifest"]["expectations"]}
    assert by_reason["duplicate_id"]["unexpected_count"] == 2
    assert outcome.summary["reasons"]["duplicate_id"] == 2
    images = outcome.images
    assert set(images.columns) >= {"row", "side", "path", "sha256", "fov_fraction"}


def test_clean_data_passes_every_expectation(small_clinic):
    manifest = read_manifest(small_clinic)
    clean = manifest.frame.copy()
    truth = truth_rows(small_clinic)
    keep = [i for i, t in enumerate(truth) if t["defect"] in ("", "one_eye", "garbled_report")]
    manifest.frame = clean.iloc[keep].reset_index(drop=True)
    result = validate_manifest(
        manifest, small_clinic, ValidateParams(min_short_side=128), progress=False
    )
    assert result.summary["success"], result.quarantine["message"].tolist()
    assert len(result.valid) == len(keep)


def test_synthetic_defects_are_caught(small_clinic):
    truth = truth_rows(small_clinic)
    result = validate_manifest(
        read_manifest(small_clinic),
        small_clinic,
        ValidateParams(min_short_side=128),
        progress=False,
    )
    caught = set(result.quarantine["source_row"])
    for i, t in enumerate(truth):
        if t["defect"] in ("", "one_eye", "garbled_report"):
            continue
        assert i in caught or t["defect"] == "duplicate_id", t


def test_mirrored_photographs_are_reported_not_quarantined(tmp_path):
    from retclip.config import SynthParams
    from retclip.data.synth.clinic import generate_clinic

    raw = tmp_path / "raw"
    generate_clinic(
        raw,
        SynthParams(
            patients=16, image_size=(320, 240), dirty_rate=0.0, mirror_rate=0.5, workers=1, seed=3
        ),
        progress=False,
    )
    result = validate_manifest(
        read_manifest(raw), raw, ValidateParams(min_short_side=128), progress=False
    )
    assert len(result.valid) == 16 and result.quarantine.empty
    with open(raw / "truth" / "eyes.csv", encoding="utf-8", newline="") as fh:
        mirrored = {(int(e["row"]), e["side"]) for e in csv.DictReader(fh) if e["mirrored"] == "1"}
    flagged = {(w["row"], w["side"]) for w in result.summary["warnings"]}
    assert mirrored and len(flagged & mirrored) >= 0.8 * len(mirrored)
    assert len(flagged - mirrored) <= 2
    assert not result.summary["suites"]["images"]["success"]  # more than 10% look mirrored


def test_what_is_kept_meets_every_expectation(outcome):
    assert not outcome.summary["success"]  # the raw data broke rules ...
    assert outcome.summary["kept_success"]  # ... but every kept row and eye meets them all
