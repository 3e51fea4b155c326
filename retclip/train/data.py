"""Stream the preprocess shards as training samples, deterministically, for any ranks and workers.

Each epoch has one global order of patients: shards in a seeded permutation, patients within a
shard in a seeded permutation. Position ``p`` of that order belongs to micro-batch ``p // B``;
micro-batch ``m`` goes to rank ``m % world_size`` and, on that rank, to DataLoader workers in turn.
So an optimiser step always consumes the same contiguous slice of the order, whatever the number
of ranks and workers, every worker reads only the shards that hold its samples, and resuming at
position ``p`` skips exactly the samples already consumed. Random choices (eye dropout, the flip)
are drawn from a generator seeded by ``(seed, epoch, position)``, so they repeat too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from PIL import Image
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from retclip.data.shards import iter_samples
from retclip.model.preprocessing import (
    FIELD_OF_VIEW_LEVEL,
    NORMALISED,
    decode_rgb,
    decode_to_model_input,
    resized_rgb,
)

SIDES = ("left", "right")
TEXT_COLUMNS = ("patient_text", "left_text", "right_text")

# texts -> (token ids [N, L] int64, attention mask [N, L] int64)
TextEncoder = Callable[[list[str]], tuple[np.ndarray, np.ndarray]]


class DataError(ValueError):
    """The shards or the reports table cannot be used for training; the message says why."""


@dataclass(frozen=True)
class PatientIndex:
    """The patients a run trains on: those in the shards that have a report, in shard order."""

    shard_folder: Path
    shards: tuple[str, ...]
    keys: tuple[tuple[str, ...], ...]  # per shard, in the order preprocess wrote them
    texts: dict[str, tuple[str, str, str]]  # patient_id -> (patient, left, right) text
    without_report: int  # patients in the shards that the reports table lacks

    def __len__(self) -> int:
        return sum(len(k) for k in self.keys)

    @classmethod
    def load(cls, images: Path, reports: pd.DataFrame) -> PatientIndex:
        """Read ``images.parquet`` of the preprocess output and join the cleaned reports."""
        images = Path(images)
        table_path = images / "images.parquet"
        if not table_path.is_file():
            raise DataError(f"{table_path} is missing: is {images} a preprocess output folder?")
        table = pd.read_parquet(table_path, columns=["shard", "key"]).drop_duplicates()
        missing = {"patient_id", *TEXT_COLUMNS} - set(reports.columns)
        if missing:
            raise DataError(f"reports table lacks column(s): {', '.join(sorted(missing))}")
        duplicated = reports["patient_id"][reports["patient_id"].duplicated()]
        if len(duplicated):
            raise DataError(f"reports table repeats patient_id {duplicated.iloc[0]!r}")
        texts = {}
        for row in reports.itertuples(index=False):
            patient = _text(row.patient_text)
            # an eye without its own text learns from the whole report (the reference's mode)
            texts[str(row.patient_id)] = (
                patient,
                _text(row.left_text) or patient,
                _text(row.right_text) or patient,
            )
        shards, keys, without = [], [], 0
        for shard, group in table.groupby("shard", sort=False):
            usable = tuple(k for k in group["key"] if k in texts)
            without += len(group) - len(usable)
            if usable:
                shards.append(str(shard))
                keys.append(usable)
        return cls(images / "shards", tuple(shards), tuple(keys), texts, without)

    def epoch_plan(self, seed: int, epoch: int) -> list[tuple[str, list[str], int]]:
        """``(shard, keys in this epoch's order, position of the first key)`` per shard."""
        plan, offset = [], 0
        for s in np.random.default_rng([seed, epoch]).permutation(len(self.shards)):
            keys = self.keys[s]
            order = np.random.default_rng([seed, epoch, int(s)]).permutation(len(keys))
            plan.append((self.shards[s], [keys[i] for i in order], offset))
            offset += len(keys)
        return plan


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def mirror_and_swap(sample: dict[str, Any]) -> dict[str, Any]:
    """The laterality-safe flip: mirror both eyes and swap left and right, images and texts.

    A mirrored right eye looks like a left eye, so the left heads keep seeing left anatomy.
    """
    out = dict(sample)
    for side, other in (("left", "right"), ("right", "left")):
        out[side] = torch.flip(sample[other], dims=[-1])
        out[f"has_{side}"] = sample[f"has_{other}"]
        out[f"{side}_text"] = sample[f"{other}_text"]
    return out


class PatientStream(IterableDataset):
    """One rank's share of one epoch from ``start`` (a position in the epoch order) to ``stop``."""

    def __init__(
        self,
        index: PatientIndex,
        *,
        epoch: int,
        start: int,
        stop: int,
        micro_batch: int,
        rank: int,
        world_size: int,
        image_size: int,
        eye_dropout: float,
        flip_prob: float,
        seed: int,
        local_contrast: bool = False,
        photometric_aug: float = 0.0,
    ):
        if start % (micro_batch * world_size):
            raise ValueError(f"start {start} is not at a step boundary")
        self.index = index
        self.epoch, self.start, self.stop = epoch, start, stop
        self.micro_batch, self.rank, self.world_size = micro_batch, rank, world_size
        self.image_size = image_size
        self.local_contrast, self.photometric_aug = local_contrast, photometric_aug
        self.eye_dropout, self.flip_prob, self.seed = eye_dropout, flip_prob, seed

    def owner(self, position: int, workers: int) -> int | None:
        """The worker of this rank that yields ``position``, or None if another rank does."""
        if not self.start <= position < self.stop:
            return None
        micro = position // self.micro_batch
        if micro % self.world_size != self.rank:
            return None
        local = (micro - self.start // self.micro_batch) // self.world_size
        return local % workers

    def __iter__(self) -> Iterator[dict[str, Any]]:
        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info else (0, 1)
        for shard, keys, offset in self.index.epoch_plan(self.seed, self.epoch):
            if offset >= self.stop or offset + len(keys) <= self.start:
                continue
            wanted = {
                key: offset + i
                for i, key in enumerate(keys)
                if self.owner(offset + i, workers) == worker
            }
            if not wanted:
                continue
            found = []
            with open(self.index.shard_folder / shard, "rb") as stream:
                for key, members in iter_samples(stream, keep=wanted.__contains__):
                    found.append((wanted[key], key, members))
            if len(found) != len(wanted):
                lost = sorted(set(wanted) - {key for _, key, _ in found})
                raise DataError(f"{shard}: patient(s) {lost[:5]} listed in images.parquet absent")
            for position, key, members in sorted(found, key=lambda item: item[0]):
                yield self.sample(position, key, members)

    def sample(self, position: int, key: str, members: dict[str, bytes]) -> dict[str, Any]:
        rng = np.random.default_rng([self.seed, self.epoch, position])
        drop, which, flip = rng.random(3)
        data = {side: members.get(f"{side}.jpg") for side in SIDES}
        if all(data.values()) and drop < self.eye_dropout:
            data[SIDES[int(which * 2)]] = None  # eye dropout trains the missing-eye embedding
        size = self.image_size
        sample: dict[str, Any] = {"patient_id": key, "position": position}
        camera = np.random.default_rng([self.seed, self.epoch, position, AUGMENT_STREAM])
        blank = torch.float32 if self.local_contrast else torch.uint8
        for side in SIDES:
            encoded = data[side]
            pixels = self.pixels(encoded, camera) if encoded else None
            sample[side] = pixels if pixels is not None else torch.zeros(3, size, size, dtype=blank)
            sample[f"has_{side}"] = pixels is not None
        texts = self.index.texts[key]
        sample.update(zip(TEXT_COLUMNS, texts, strict=True))
        return mirror_and_swap(sample) if flip < self.flip_prob else sample

    def pixels(self, encoded: bytes, rng: np.random.Generator) -> torch.Tensor:
        """One eye, ``[3, S, S]``, seen through :meth:`camera`.

        uint8, resized by :func:`resize_eye` and normalised on the device by
        :func:`model_pixels`: Pillow's resize and the float conversion were most of a worker's
        time, and floats four times the bytes to ship. With ``local_contrast`` the high-pass
        needs floats, so that eye is the float32 model input already, made as before.
        """
        camera = self.camera(rng)
        if self.local_contrast:
            return torch.from_numpy(decode_to_model_input(encoded, self.image_size, True, camera))
        image = decode_rgb(encoded, self.image_size, camera)
        return resize_eye(image, self.image_size, pillow=camera is not None)

    def camera(self, rng: np.random.Generator) -> Callable[[Image.Image], Image.Image] | None:
        """With ``photometric_aug`` each eye gets its own camera (:func:`jitter_camera`)."""
        if not self.photometric_aug:
            return None
        return partial(jitter_camera, rng=rng, strength=self.photometric_aug)


def resize_eye(image: Image.Image, size: int, pillow: bool) -> torch.Tensor:
    """uint8 ``[3, size, size]``. A square eye by torch's antialiased bicubic on 8-bit pixels
    (Pillow's kernel, a = -0.5, in SIMD integer arithmetic): four times as fast as Pillow's resize
    and within two levels of it (tests/train/test_data.py). With ``pillow`` by Pillow's resize, as
    before: a camera's random crop scales its two sides differently, where torch's result strays
    further (up to 9 levels)."""
    if pillow:
        image = resized_rgb(image, size)
    eye = torch.from_numpy(np.array(image)).permute(2, 0, 1)
    if eye.shape[1:] == (size, size):
        return eye
    return torch.nn.functional.interpolate(
        eye[None], size=(size, size), mode="bicubic", antialias=True
    )[0]


AUGMENT_STREAM = 0xA06  # a separate random stream: dropout and flip draws stay as they were


def jitter_camera(image: Image.Image, rng: np.random.Generator, strength: float) -> Image.Image:
    """Another camera for one eye: a mild random resized crop (area 0.8-1, aspect 0.9-1.1), then
    colour cast, exposure, contrast, saturation and gamma inside the field of view.

    Both eyes of a patient share one camera in the data, so without this a contrastive model
    can pair images with reports by the camera's look instead of the findings. No flip: a
    mirrored fundus would contradict the laterality-specific heads.
    """
    image = image.convert("RGB")
    width, height = image.size
    area = rng.uniform(0.8, 1.0) * width * height
    aspect = np.exp(rng.uniform(np.log(0.9), np.log(1.1)))
    crop_w = min(width, round(np.sqrt(area * aspect)))
    crop_h = min(height, round(np.sqrt(area / aspect)))
    x0 = int(rng.integers(0, width - crop_w + 1))
    y0 = int(rng.integers(0, height - crop_h + 1))
    x = np.asarray(image.crop((x0, y0, x0 + crop_w, y0 + crop_h)), dtype=np.float32) / 255.0
    inside = x.sum(-1) > FIELD_OF_VIEW_LEVEL
    if inside.sum() < 16:
        return image
    low, high = 1 - strength, 1 + strength
    x = x * rng.uniform(low, high, size=3) * rng.uniform(low, high)  # colour cast, exposure
    mean = x[inside].mean()
    x = (x - mean) * rng.uniform(low, high) + mean  # contrast
    grey = x.mean(-1, keepdims=True)
    x = (x - grey) * rng.uniform(low, high) + grey  # saturation
    x = np.clip(x, 0, 1) ** np.exp(rng.uniform(np.log(0.75), np.log(1 / 0.75)))  # gamma
    x = np.clip(x, 0, 1) * inside[..., None]
    return Image.fromarray((x * 255 + 0.5).astype(np.uint8))


def make_loader(stream: PatientStream, workers: int, seed: int, pin_memory: bool) -> DataLoader:
    """Batches of one micro-batch each; its own generator, so the global RNG is left alone."""
    return DataLoader(
        stream,
        batch_size=stream.micro_batch,
        num_workers=workers,
        pin_memory=pin_memory,
        prefetch_factor=4 if workers else None,
        generator=torch.Generator().manual_seed(seed),
    )


def to_model_inputs(
    batch: dict[str, Any], text_encoder: TextEncoder, device: torch.device
) -> dict[str, torch.Tensor]:
    """Move images to the device and tokenize the three texts of every patient in one call."""
    size = len(batch["patient_id"])
    texts = [t for column in TEXT_COLUMNS for t in batch[column]]
    ids, mask = text_encoder(texts)
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.long).view(3, size, -1).transpose(0, 1)
    mask = torch.as_tensor(np.asarray(mask), dtype=torch.long).view(3, size, -1).transpose(0, 1)
    move = {"device": device, "non_blocking": True}
    return {
        "left": model_pixels(batch["left"].to(**move), batch["has_left"].to(**move)),
        "right": model_pixels(batch["right"].to(**move), batch["has_right"].to(**move)),
        "has_left": batch["has_left"].to(**move),
        "has_right": batch["has_right"].to(**move),
        "text_ids": ids.contiguous().to(**move),
        "text_mask": mask.contiguous().to(**move),
    }


def model_pixels(eyes: torch.Tensor, present: torch.Tensor) -> torch.Tensor:
    """CLIP-normalised float32 eyes ``[N, 3, S, S]`` from the loader's uint8 ones, by look-up in
    :data:`NORMALISED`: the very numbers ``decode_to_model_input`` gives, on any device. A
    missing eye is zeros, as before; float eyes (local contrast) are model inputs already."""
    if eyes.dtype != torch.uint8:
        return eyes
    table = torch.as_tensor(NORMALISED, device=eyes.device)
    channel = torch.arange(3, device=eyes.device).view(1, 3, 1, 1) * table.shape[1]
    values = table.flatten()[eyes.long() + channel]
    return torch.where(present.view(-1, 1, 1, 1), values, 0.0)
