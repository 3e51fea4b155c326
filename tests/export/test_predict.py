"""Torch-free prediction from an export folder: preprocessing as training, scores, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from retclip.data.preprocess import EyeJob, process_eye
from retclip.export.layout import ExportFolderError
from retclip.export.predict import PredictError, label_prompts, load_eye, predict
from retclip.export.runtime import ExportedModel
from retclip.model import RetClip
from retclip.model.preprocessing import decode_to_model_input
from retclip.text.tokenizer import encode
from tests.conftest import REPO
from tests.export.conftest import IMAGE, MAX_PIXELS, PREPROCESS, PROMPTS, QUALITY

LABELS = ["cataract", "clear lens", "白内障"]

# Run in a fresh interpreter in which torch, transformers, timm and pydantic cannot be imported.
TORCH_FREE = """
import json, sys
from importlib.abc import MetaPathFinder

class Blocked(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"torch", "transformers", "timm", "pydantic"}:
            raise ImportError(f"prediction imported {name}")

sys.meta_path.insert(0, Blocked())
from retclip.export.predict import predict
result = predict(sys.argv[1], sys.argv[2], sys.argv[3], labels=sys.argv[4].split(","))
assert "torch" not in sys.modules
print(json.dumps(result))
"""
# The same through the command line: `retclip predict` loads no parameters either.
TORCH_FREE_CLI = (
    TORCH_FREE.split("from retclip.export.predict")[0]
    + """
from retclip.cli import main
code = main(["predict", "--model", sys.argv[1], "--left", sys.argv[2], "--right", sys.argv[3],
             "--labels", sys.argv[4]])
assert "torch" not in sys.modules
sys.exit(code)
"""
)


@pytest.fixture(scope="module")
def exported_model(export_dir) -> ExportedModel:
    return ExportedModel.load(export_dir)


@pytest.mark.parametrize("script", [TORCH_FREE, TORCH_FREE_CLI], ids=["library", "cli"])
def test_prediction_imports_no_torch(export_dir, eyes, script):
    arguments = [str(export_dir), str(eyes["left"]), str(eyes["right"]), ",".join(LABELS)]
    done = subprocess.run(
        [sys.executable, "-c", script, *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["labels"] == LABELS and set(result["eyes"]) == {"left", "right"}


def test_an_eye_is_prepared_exactly_as_the_training_shards_were(exported_model, eyes):
    job = EyeJob("p", "left", "left.jpg", str(eyes["left"]), PREPROCESS, QUALITY, MAX_PIXELS)
    shard_member, _ = process_eye(job)
    expected = decode_to_model_input(shard_member, IMAGE)
    np.testing.assert_array_equal(load_eye(eyes["left"], exported_model.info), expected)


def test_two_eyes_give_eye_and_patient_scores_equal_to_pytorch(exported_model, eyes, pretrain_dir):
    result = predict(exported_model, eyes["left"], eyes["right"], labels=LABELS)
    assert set(result) == {"model", "task", "labels", "eyes", "patient"}
    model = RetClip.from_pretrained(pretrain_dir / "model")
    prompts = label_prompts(LABELS)
    texts = [t for label in LABELS for t in prompts[label]]
    ids, mask = (torch.from_numpy(a) for a in encode(pretrain_dir / "model", texts, 16))
    pixels = {s: torch.from_numpy(load_eye(eyes[s], exported_model.info))[None] for s in eyes}
    with torch.no_grad():
        images = {s: model.encode_eye(pixels[s], s)[0] for s in eyes}
        images["patient"] = model.encode_patient(pixels["left"], pixels["right"])[0]
        scales = model.logit_scales()
        for level, image in images.items():
            text = model.encode_text(ids, mask, level).reshape(len(LABELS), 2, -1).mean(1)
            text = text / text.norm(dim=-1, keepdim=True)
            expected = (scales[level] * text @ image).softmax(0).numpy()
            scored = result["patient"] if level == "patient" else result["eyes"][level]
            actual = np.array([scored["probabilities"][label] for label in LABELS])
            np.testing.assert_allclose(actual, expected, atol=1e-5)
            assert scored["prediction"] == LABELS[int(np.argmax(actual))]
    assert result["eyes"]["left"]["image"] == str(eyes["left"])


def test_one_eye_is_scored_at_its_own_level_only(exported_model, eyes):
    result = predict(exported_model, right=eyes["right"], task="cataract")
    assert result["task"] == "cataract" and result["labels"] == list(PROMPTS["cataract"])
    assert set(result["eyes"]) == {"right"} and "patient" not in result
    assert sum(result["eyes"]["right"]["probabilities"].values()) == pytest.approx(1, abs=1e-5)
    left_only = predict(exported_model, left=eyes["right"], task="cataract")
    assert left_only["eyes"]["left"] != result["eyes"]["right"]  # the left head, not the right


def test_the_int8_graphs_score_close_to_the_fp32_ones(exported_model, export_dir, eyes):
    fp32 = predict(exported_model, eyes["left"], eyes["right"], labels=LABELS)
    int8 = predict(
        ExportedModel.load(export_dir, int8=True), eyes["left"], eyes["right"], labels=LABELS
    )
    for label in LABELS:
        expected = fp32["patient"]["probabilities"][label]
        assert int8["patient"]["probabilities"][label] == pytest.approx(expected, abs=0.05)


def test_labels_get_prompts_in_their_own_language():
    prompts = label_prompts([" drusen ", "玻璃膜疣"])
    assert prompts == {
        "drusen": ["drusen", "a fundus photograph showing drusen"],
        "玻璃膜疣": ["玻璃膜疣", "眼底照片显示玻璃膜疣"],
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"labels": ["a"]}, "at least two"),
        ({"labels": ["a", "a"]}, "repeat"),
        ({"labels": ["a", "b"], "task": "cataract"}, "either labels or a task"),
        ({}, "either labels or a task"),
        ({"task": "glaucoma"}, r"no prompts for task 'glaucoma' \(tasks: cataract\)"),
    ],
)
def test_labels_and_tasks_are_checked(exported_model, eyes, kwargs, message):
    with pytest.raises(PredictError, match=message):
        predict(exported_model, eyes["left"], **kwargs)


def test_no_eye_is_an_error(exported_model):
    with pytest.raises(PredictError, match="at least one eye"):
        predict(exported_model, labels=LABELS)


def _truncated(path: Path, source: Path) -> None:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("name", "write", "reason"),
    [
        ("missing.jpg", None, "does not exist"),
        ("noise.jpg", lambda p, s: p.write_bytes(bytes(range(256)) * 8), "not an image"),
        ("half.jpg", _truncated, "cannot be decoded"),
        ("notes.txt", lambda p, s: p.write_text("visual acuity 6/6\n"), "not an image"),
        ("black.png", lambda p, s: Image.new("RGB", (320, 240)).save(p), "no circular fundus"),
    ],
)
def test_a_bad_image_is_named_with_its_reason(exported_model, eyes, tmp_path, name, write, reason):
    path = tmp_path / name
    if write is not None:
        write(path, eyes["left"])
    with pytest.raises(PredictError, match=reason) as error:
        predict(exported_model, eyes["left"], path, labels=LABELS)
    assert str(path) in str(error.value)


def test_an_incomplete_export_folder_is_refused(export_dir, tmp_path):
    for name in ("export.json", "text.onnx", "tokenizer.json"):
        (tmp_path / name).write_bytes((export_dir / name).read_bytes())
    with pytest.raises(ExportFolderError, match=r"lacks image\.onnx"):
        ExportedModel.load(tmp_path)
