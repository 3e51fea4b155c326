import pandas as pd
import pytest

from retclip.data.manifest import ManifestError, read_manifest

HEADER = "patient_id,left_image,right_image,report"


def write(tmp_path, data: bytes, name="patients.csv"):
    (tmp_path / name).write_bytes(data)
    return tmp_path


def test_utf8_with_bom_and_extra_columns(tmp_path):
    text = f"{HEADER},ward,note\nP1,a.jpg,b.jpg,左眼：正常,3,x\n"
    manifest = read_manifest(write(tmp_path, "\ufeff".encode() + text.encode("utf-8")))
    assert manifest.encoding == "utf-8-sig"
    assert list(manifest.frame.columns)[:4] == HEADER.split(",")
    assert manifest.frame.loc[0, "ward"] == "3" and manifest.frame.loc[0, "report"] == "左眼：正常"


def test_gbk_is_read(tmp_path):
    text = f"{HEADER}\nP1,a.jpg,,右眼：视盘边界清，杯盘比约0.3\n"
    manifest = read_manifest(write(tmp_path, text.encode("gbk")))
    assert manifest.encoding == "gb18030"
    assert manifest.frame.loc[0, "report"].startswith("右眼")
    assert manifest.frame.loc[0, "right_image"] == ""


def test_invalid_bytes_mark_their_row_only(tmp_path):
    data = (
        f"{HEADER}\nP1,a.jpg,,good report text\n".encode()
        + b"P2,b.jpg,,bad \xff\xfe\xfd bytes here\n"
        + "P3,c.jpg,,视盘正常\n".encode()
    )
    manifest = read_manifest(write(tmp_path, data))
    assert manifest.undecodable_rows == [1]
    assert len(manifest.frame) == 3


def test_numbers_stay_text(tmp_path):
    manifest = read_manifest(write(tmp_path, f"{HEADER},age\n007,a.jpg,,r,90\n".encode()))
    assert manifest.frame.loc[0, "patient_id"] == "007" and manifest.frame.loc[0, "age"] == "90"


def test_parquet_manifest(tmp_path):
    pd.DataFrame(
        {
            "patient_id": ["P1"],
            "left_image": ["a.jpg"],
            "right_image": [None],
            "report": ["text"],
            "age": [71],
        }
    ).to_parquet(tmp_path / "patients.parquet")
    manifest = read_manifest(tmp_path)
    assert manifest.frame.loc[0, "right_image"] == "" and manifest.frame.loc[0, "age"] == "71"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"patient_id,left_image,report\nP1,a.jpg,r\n", "required column.*right_image"),
        (b"", "empty"),
        (b"\x00\x01\x02\x03" * 50 + b'\n"unclosed', "not a readable CSV"),
    ],
)
def test_unusable_tables_stop_with_a_clear_message(tmp_path, data, message):
    with pytest.raises(ManifestError, match=message):
        read_manifest(write(tmp_path, data))


def test_no_manifest_at_all(tmp_path):
    with pytest.raises(ManifestError, match="no manifest found"):
        read_manifest(tmp_path)


def test_damaged_parquet(tmp_path):
    (tmp_path / "patients.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(ManifestError, match="unreadable Parquet"):
        read_manifest(tmp_path)
