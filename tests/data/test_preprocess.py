from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from retclip.config import PreprocessParams
from retclip.data.preprocess import EyeJob, PreprocessError, preprocess_dataset, process_eye
from tests.data.fundus_files import fundus, save


def test_camera_sized_jpeg_is_draft_decoded_and_cropped_to_the_circle(tmp_path):
    path = save(tmp_path / "cam.jpg", fundus((2592, 1944), seed=1, fov_scale=1.1), quality=92)
    job = EyeJob("P1", "left", "cam.jpg", str(path), 512, 95, 200_000_000)
    data, stats = process_eye(job)
    assert stats["decode_scale"] == 0.5 and not stats["upscaled"]
    r = 1.1 * 972
    assert abs(stats["fov_radius"] - r) < 0.03 * r and abs(stats["fov_cx"] - 1296) < 0.03 * r
    assert stats["crop_y0"] < 0 < stats["crop_x0"]  # clipped field: padded above and below
    image = Image.open(__import__("io").BytesIO(data))
    assert image.size == (512, 512)
    full, _ = process_eye(replace(job, draft=False))
    a = np.asarray(image, dtype=np.float32)
    b = np.asarray(Image.open(__import__("io").BytesIO(full)), dtype=np.float32)
    assert np.abs(a - b).mean() < 4  # draft decoding barely changes the result


def test_a_file_broken_after_validation_is_an_error_naming_it(tmp_path):
    (tmp_path / "bad.jpg").write_bytes(b"")
    job = EyeJob("P1", "left", "images/bad.jpg", str(tmp_path / "bad.jpg"), 64, 90, 10**8)
    with pytest.raises(PreprocessError, match=r"images/bad\.jpg.*re-run `retclip validate`"):
        process_eye(job)


@pytest.mark.parametrize("workers", [1, 2])
def test_dataset_streams_into_shards_in_manifest_order(tmp_path, workers):
    raw = tmp_path / "raw"
    for i in range(5):
        save(raw / "images" / f"{i}.jpg", fundus(seed=i))
    manifest = pd.DataFrame(
        {
            "patient_id": ["A", "B", "C"],
            "left_image": ["images/0.jpg", "", "images/3.jpg"],
            "right_image": ["images/1.jpg", "images/2.jpg", "images/4.jpg"],
        }
    )
    out = tmp_path / f"out{workers}"
    params = PreprocessParams(size=64, shard_size=2, workers=workers)
    summary = preprocess_dataset(manifest, raw, out, params, 10**8, progress=False)
    assert summary["patients"] == 3 and summary["images"] == 5
    assert [s["samples"] for s in summary["shards"]] == [2, 1]
    stats = pd.read_parquet(out / "images.parquet")
    assert list(zip(stats["key"], stats["side"], strict=True)) == [
        ("A", "left"),
        ("A", "right"),
        ("B", "right"),
        ("C", "left"),
        ("C", "right"),
    ]
    assert list(stats["shard"]) == ["shard-000000.tar"] * 3 + ["shard-000001.tar"] * 2


def test_output_does_not_depend_on_workers(tmp_path):
    raw = tmp_path / "raw"
    for i in range(4):
        save(raw / "images" / f"{i}.jpg", fundus(seed=i))
    manifest = pd.DataFrame(
        {
            "patient_id": ["A", "B"],
            "left_image": ["images/0.jpg", "images/2.jpg"],
            "right_image": ["images/1.jpg", "images/3.jpg"],
        }
    )
    digests = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        preprocess_dataset(
            manifest, raw, out, PreprocessParams(size=64, workers=workers), 10**8, progress=False
        )
        digests.append((out / "shards" / "shard-000000.tar").read_bytes())
    assert digests[0] == digests[1]
