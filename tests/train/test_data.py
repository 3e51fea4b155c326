"""The training stream: the same patients in the same steps for any ranks and workers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from retclip.model.config import CLIP_STD
from retclip.model.preprocessing import decode_to_model_input
from retclip.train.data import (
    DataError,
    PatientIndex,
    PatientStream,
    make_loader,
    mirror_and_swap,
    model_pixels,
    to_model_inputs,
)
from tests.train.conftest import Clinic

BATCH = 8  # patients per optimiser step, all ranks together


def stream(index: PatientIndex, rank: int = 0, world: int = 1, start: int = 0, **options):
    settings = {"eye_dropout": 0.0, "flip_prob": 0.0, "image_size": 32, **options}
    stream_class = settings.pop("stream_class", PatientStream)
    stop = len(index) // BATCH * BATCH
    return stream_class(
        index,
        epoch=1,
        start=start,
        stop=stop,
        micro_batch=BATCH // world,
        rank=rank,
        world_size=world,
        seed=3,
        **settings,
    )


def steps(index: PatientIndex, world: int, workers: int, start: int = 0) -> list[list[str]]:
    """Patient ids per optimiser step, all ranks' micro-batches of a step together."""
    per_rank = [
        [
            batch["patient_id"]
            for batch in make_loader(stream(index, r, world, start), workers, 0, False)
        ]
        for r in range(world)
    ]
    return [[k for rank in per_rank for k in rank[i]] for i in range(len(per_rank[0]))]


@pytest.fixture(scope="module")
def index(clinic: Clinic) -> PatientIndex:
    return PatientIndex.load(clinic.images, clinic.train_reports)


def test_the_index_keeps_patients_with_a_report_in_shard_order(clinic, index):
    assert len(index) == len(clinic.train_reports)
    order = [k for keys in index.keys for k in keys]
    stats = pd.read_parquet(clinic.images / "images.parquet")
    wanted = set(clinic.train_reports["patient_id"])
    assert order == [k for k in stats["key"].drop_duplicates() if k in wanted]
    assert index.without_report == stats["key"].nunique() - len(wanted)


def test_ranks_and_workers_change_nothing_but_who_reads_what(index):
    reference = steps(index, world=1, workers=0)
    assert len(reference) == len(index) // BATCH
    plan = [k for _, keys, _ in index.epoch_plan(3, 1) for k in keys]
    assert reference == [plan[i : i + BATCH] for i in range(0, len(reference) * BATCH, BATCH)]
    for world, workers in ((2, 0), (2, 2), (1, 2)):
        assert steps(index, world, workers) == reference


def test_a_later_start_skips_exactly_the_consumed_steps(index):
    full = steps(index, world=2, workers=2)
    assert steps(index, world=2, workers=2, start=3 * BATCH) == full[3:]
    with pytest.raises(ValueError, match="step boundary"):
        stream(index, start=3)


def test_every_epoch_has_its_own_order(index):
    assert index.epoch_plan(3, 1) != index.epoch_plan(3, 2)
    assert index.epoch_plan(3, 1) == index.epoch_plan(3, 1)


def test_eye_dropout_removes_one_eye_of_two_never_the_only_one(index):
    samples = list(stream(index, eye_dropout=1.0))
    plain = {s["patient_id"]: s for s in stream(index)}
    for sample in samples:
        before = plain[sample["patient_id"]]
        if before["has_left"] and before["has_right"]:
            assert sample["has_left"] != sample["has_right"]
        else:
            assert (sample["has_left"], sample["has_right"]) == (
                before["has_left"],
                before["has_right"],
            )
    assert any(not (s["has_left"] and s["has_right"]) for s in samples)


def test_the_flip_mirrors_both_eyes_and_swaps_left_and_right():
    left = torch.arange(12.0).view(3, 2, 2)
    sample = {
        "left": left,
        "right": torch.zeros(3, 2, 2),
        "has_left": True,
        "has_right": False,
        "patient_text": "both",
        "left_text": "left eye finding",
        "right_text": "right eye finding",
    }
    flipped = mirror_and_swap(sample)
    assert torch.equal(flipped["right"], left.flip(-1)) and torch.equal(
        flipped["left"], sample["right"]
    )
    assert (flipped["has_left"], flipped["has_right"]) == (False, True)
    assert (flipped["left_text"], flipped["right_text"]) == (
        "right eye finding",
        "left eye finding",
    )
    assert flipped["patient_text"] == "both"
    assert torch.equal(mirror_and_swap(flipped)["left"], left)


def test_the_stream_flips_a_patient_as_a_whole(index):
    plain = {s["patient_id"]: s for s in stream(index)}
    flipped = list(stream(index, flip_prob=1.0))
    for sample in flipped:
        before = plain[sample["patient_id"]]
        assert torch.equal(sample["left"], before["right"].flip(-1))
        assert sample["left_text"] == before["right_text"]
        assert sample["has_right"] == before["has_left"]


def test_model_inputs_hold_the_three_texts_in_level_order(clinic, index):
    batch = next(iter(make_loader(stream(index), 0, 0, False)))
    inputs = to_model_inputs(batch, clinic.encoder, torch.device("cpu"))
    assert inputs["left"].shape == (BATCH, 3, 32, 32)
    assert inputs["text_ids"].shape == (BATCH, 3, clinic.encoder.context_length)
    ids, _ = clinic.encoder([batch["right_text"][2]])
    assert np.array_equal(inputs["text_ids"][2, 2].numpy(), ids[0])


def test_a_bad_reports_table_is_named(clinic):
    with pytest.raises(DataError, match="lacks column"):
        PatientIndex.load(clinic.images, clinic.train_reports.drop(columns="left_text"))
    twice = pd.concat([clinic.train_reports, clinic.train_reports.head(1)])
    with pytest.raises(DataError, match="repeats patient_id"):
        PatientIndex.load(clinic.images, twice)
    with pytest.raises(DataError, match=r"images\.parquet is missing"):
        PatientIndex.load(clinic.raw, clinic.train_reports)


def test_photometric_augmentation_gives_each_eye_its_own_camera_reproducibly(index):
    def first(**options):
        return next(iter(make_loader(stream(index, **options), 0, 0, False)))

    plain, jittered = first(), first(photometric_aug=0.25)
    again = first(photometric_aug=0.25)
    assert torch.equal(jittered["left"], again["left"])  # same seed, epoch, position: same draw
    assert not torch.equal(plain["left"], jittered["left"])
    assert plain["patient_id"] == jittered["patient_id"]
    assert torch.equal(plain["has_left"], jittered["has_left"])


def test_camera_jitter_keeps_the_black_border_and_differs_between_eyes():
    from PIL import Image

    from retclip.train.data import jitter_camera

    yy, xx = np.mgrid[:64, :64]
    inside = (yy - 32) ** 2 + (xx - 32) ** 2 < 28**2
    pixels = np.zeros((64, 64, 3), np.uint8)
    pixels[inside] = (180, 90, 40)
    image = Image.fromarray(pixels)
    rng = np.random.default_rng(0)
    left, right = (np.asarray(jitter_camera(image, rng, 0.25), dtype=float) for _ in range(2))
    assert left[0, 0].sum() == right[0, 0].sum() == 0  # corners stay black
    assert abs(left[32, 32] - right[32, 32]).max() > 3  # two cameras, two colours


class StreamBefore(PatientStream):
    """The stream before issue 34: float32 model inputs made in the worker with Pillow."""

    def pixels(self, encoded, rng):
        camera = self.camera(rng)
        return torch.from_numpy(decode_to_model_input(encoded, self.image_size, False, camera))


LEVEL = 1 / 255 / min(CLIP_STD)  # one 8-bit level after normalisation, at its largest
RESIZE_TOLERANCE = 2  # torch's 8-bit bicubic against Pillow's: at most two levels a value
RESIZE_SHARE = 0.01  # and at most 1% of the values differ at all


def model_batches(index: PatientIndex, clinic: Clinic, **options) -> list[list[dict]]:
    """An epoch's micro-batches as the model receives them, today's and before issue 34's."""
    found = []
    for stream_class in (PatientStream, StreamBefore):
        loader = make_loader(stream(index, stream_class=stream_class, **options), 0, 0, False)
        cpu = torch.device("cpu")
        found.append([to_model_inputs(batch, clinic.encoder, cpu) for batch in loader])
    return found


@pytest.mark.parametrize("size", [33, 40, 48, 56, 63])
def test_the_model_sees_the_old_images_within_two_levels_after_the_resize(clinic, index, size):
    today, before = model_batches(index, clinic, image_size=size, eye_dropout=0.5, flip_prob=0.5)
    assert len(today) == len(before) == len(index) // BATCH
    for new, old in zip(today, before, strict=True):
        for side in ("left", "right"):
            assert torch.equal(new[f"has_{side}"], old[f"has_{side}"])
            assert new[side].dtype == old[side].dtype == torch.float32
            levels = (new[side] - old[side]).abs() / LEVEL
            assert levels.max() <= RESIZE_TOLERANCE + 1e-3
            assert (levels > 1e-3).float().mean() <= RESIZE_SHARE


@pytest.mark.parametrize(
    "options", [{"image_size": 64}, {"image_size": 40, "photometric_aug": 0.25}]
)
def test_without_a_resize_or_with_a_camera_the_model_sees_exactly_the_old_images(
    clinic, index, options
):
    today, before = model_batches(index, clinic, eye_dropout=0.5, flip_prob=0.5, **options)
    for new, old in zip(today, before, strict=True):
        assert torch.equal(new["left"], old["left"]) and torch.equal(new["right"], old["right"])


def test_the_loader_ships_eight_bit_eyes_and_missing_eyes_become_zeros():
    eyes = torch.full((2, 3, 4, 4), 255, dtype=torch.uint8)
    pixels = model_pixels(eyes, torch.tensor([True, False]))
    assert pixels.dtype == torch.float32
    assert torch.equal(pixels[1], torch.zeros(3, 4, 4)) and pixels[0].min() > 1
    floats = torch.randn(2, 3, 4, 4)
    assert model_pixels(floats, torch.tensor([True, True])) is floats  # local contrast
