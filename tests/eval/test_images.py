"""Task photographs become model inputs as in training; unusable ones are quarantined."""

import numpy as np
import pandas as pd

from retclip.data.preprocess import EyeJob, process_eye
from retclip.eval.dataset import TaskDataset
from retclip.eval.images import ImageRecipe, load_task_images
from retclip.model.preprocessing import decode_to_model_input

RECIPE = ImageRecipe(crop_size=64, jpeg_quality=95, model_size=32, max_pixels=10**8)


def _patients(clinic, left_override=None):
    eyes = pd.read_csv(clinic / "truth" / "eyes.csv")
    first = eyes[eyes.patient_id == eyes.patient_id.iloc[0]]
    left = str(clinic / first.image.iloc[0]) if left_override is None else left_override
    right = str(clinic / first.image.iloc[1])
    samples = pd.DataFrame(
        [("a", "a", "", left, right), ("b", "b", "", left_override or left, "")],
        columns=["sample_id", "patient_id", "split", "left_image", "right_image"],
    )
    return TaskDataset("t", "binary", "patient", ["no", "yes"], samples, np.array([0, 1]))


def test_the_input_equals_what_preprocess_then_training_produce(eval_clinic):
    dataset = _patients(eval_clinic)
    images = load_task_images(dataset, RECIPE, progress=False)
    path = dataset.samples.left_image[0]
    job = EyeJob("a", "left", path, path, 64, 95, 10**8)
    expected = decode_to_model_input(process_eye(job)[0], 32)
    assert np.array_equal(images.left[0], expected)
    assert images.has_left.tolist() == [True, True] and images.has_right.tolist() == [True, False]


def test_a_corrupt_photograph_is_quarantined_and_the_patient_keeps_the_other_eye(
    eval_clinic, tmp_path
):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not really a jpeg")
    images = load_task_images(_patients(eval_clinic, str(broken)), RECIPE, progress=False)
    assert images.rows.tolist() == [0]  # patient b had only the broken eye
    assert images.has_left.tolist() == [False] and images.has_right.tolist() == [True]
    assert len(images.quarantine) == 2
    assert {q["row"] for q in images.quarantine} == {"a", "b"}
    assert all(q["file"] == str(broken) and "broken.jpg" in q["reason"] for q in images.quarantine)
