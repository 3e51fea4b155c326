"""Crop every valid eye to its field of view, resize, and stream it into tar shards.

Large JPEGs are decoded at a reduced DCT scale (Pillow draft mode) when that still leaves enough
pixels for the output size; eyes are processed in worker processes and written in manifest order;
statistics go to Parquet in batches, so memory stays flat whatever the data set size.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from retclip.config import PreprocessParams
from retclip.data.images import ImageError, crop_fundus, measure, read_bytes
from retclip.data.shards import ShardInfo, ShardWriter

SIDES = ("left", "right")
STATS_BATCH = 1024


class PreprocessError(RuntimeError):
    """An eye that passed validation cannot be preprocessed (the file changed since?)."""


@dataclass(frozen=True)
class EyeJob:
    patient_id: str
    side: str
    source: str  # as written in the manifest, relative to the raw folder
    path: str
    size: int
    quality: int
    max_pixels: int
    draft: bool = True


def process_eye(job: EyeJob) -> tuple[bytes, dict[str, Any]]:
    """Decode, find the field of view, crop, resize and encode one eye (runs in a worker)."""
    try:
        data = read_bytes(Path(job.path), job.source)
        crop = crop_fundus(data, job.source, job.size, job.max_pixels, draft=job.draft)
    except ImageError as exc:
        raise PreprocessError(f"{exc} (it passed validation: re-run `retclip validate`)") from None
    encoded = crop.jpeg(job.quality)
    decoded = crop.decoded
    brightness, sharpness, disc_x = measure(crop.image)
    source_fov = crop.fov.scaled(1 / decoded.scale)
    x0, y0, x1, y1 = source_fov.box
    stats = {
        "patient_id": job.patient_id,
        "side": job.side,
        "source": job.source,
        "source_sha256": hashlib.sha256(data).hexdigest(),
        "source_width": decoded.source_size[0],
        "source_height": decoded.source_size[1],
        "source_mode": decoded.source_mode,
        "decode_scale": round(decoded.scale, 4),
        "fov_cx": round(source_fov.cx, 2),
        "fov_cy": round(source_fov.cy, 2),
        "fov_radius": round(source_fov.radius, 2),
        "fov_fraction": round(source_fov.fraction, 4),
        "crop_x0": round(x0, 2),
        "crop_y0": round(y0, 2),
        "crop_x1": round(x1, 2),
        "crop_y1": round(y1, 2),
        "upscaled": bool(2 * crop.fov.radius < job.size),
        "size": job.size,
        "brightness": round(brightness, 3),
        "sharpness": round(sharpness, 3),
        "disc_x": round(disc_x, 3),
        "bytes": len(encoded),
        "sha256": hashlib.sha256(encoded).hexdigest(),
    }
    return encoded, stats


def _jobs(
    manifest: pd.DataFrame, raw: Path, params: PreprocessParams, max_pixels: int
) -> Iterator[EyeJob]:
    for record in manifest.itertuples(index=False):
        for side in SIDES:
            source = str(getattr(record, f"{side}_image")).strip()
            if source:
                yield EyeJob(
                    str(record.patient_id),
                    side,
                    source,
                    str(raw / source.replace("\\", "/")),
                    params.size,
                    params.jpeg_quality,
                    max_pixels,
                )


def _sample_json(patient_id: str, eyes: dict[str, dict]) -> bytes:
    meta = {
        "patient_id": patient_id,
        "eyes": sorted(eyes),
        "crop": {
            side: [s["crop_x0"], s["crop_y0"], s["crop_x1"], s["crop_y1"]]
            for side, s in sorted(eyes.items())
        },
    }
    return json.dumps(meta, sort_keys=True).encode("utf-8")


def preprocess_dataset(
    manifest: pd.DataFrame,
    raw: Path,
    out: Path,
    params: PreprocessParams,
    max_pixels: int,
    progress: bool = True,
) -> dict[str, Any]:
    """Write ``out/shards/shard-*.tar``, ``out/images.parquet`` and ``out/shards.json``."""
    writer = ShardWriter(out / "shards", params.shard_size)
    stats_writer: pq.ParquetWriter | None = None
    batch: list[dict] = []
    total = int(
        (manifest["left_image"].str.strip() != "").sum()
        + (manifest["right_image"].str.strip() != "").sum()
    )
    bar = tqdm(total=total, desc="preprocess", unit="img", disable=not progress, leave=False)

    def flush() -> None:
        nonlocal stats_writer, batch
        if not batch:
            return
        table = pa.Table.from_pylist(batch)
        if stats_writer is None:
            stats_writer = pq.ParquetWriter(out / "images.parquet", table.schema)
        stats_writer.write_table(table)
        batch = []

    pending: tuple[str, dict[str, bytes], dict[str, dict]] | None = None
    patients = 0

    def emit(item) -> None:
        nonlocal patients
        patient_id, members, eyes = item
        members["json"] = _sample_json(patient_id, eyes)
        shard = writer.write(patient_id, members)
        for side in sorted(eyes):
            batch.append(
                {
                    **eyes[side],
                    "shard": shard,
                    "key": patient_id,
                    "member": f"{patient_id}.{side}.jpg",
                }
            )
        patients += 1
        if len(batch) >= STATS_BATCH:
            flush()

    jobs = _jobs(manifest, raw, params, max_pixels)
    with ProcessPoolExecutor(params.workers) if params.workers > 1 else _Serial() as pool:
        for encoded, stats in pool.map(process_eye, jobs, chunksize=8):
            bar.update()
            if pending is not None and pending[0] != stats["patient_id"]:
                emit(pending)
                pending = None
            if pending is None:
                pending = (stats["patient_id"], {}, {})
            pending[1][f"{stats['side']}.jpg"] = encoded
            pending[2][stats["side"]] = stats
    if pending is not None:
        emit(pending)
    bar.close()
    flush()
    if stats_writer is not None:
        stats_writer.close()
    else:  # no valid eye at all: still write the (empty) table
        pd.DataFrame(columns=["patient_id", "side", "source", "shard", "key", "member"]).to_parquet(
            out / "images.parquet", index=False
        )
    shards: list[ShardInfo] = writer.close()
    summary = {
        "patients": patients,
        "images": total,
        "size": params.size,
        "shards": [vars(s) for s in shards],
    }
    if patients != len(manifest):
        raise PreprocessError(f"wrote {patients} patients for {len(manifest)} manifest rows")
    return summary


class _Serial:
    """In-process stand-in for a process pool (one worker: no processes to start)."""

    def __enter__(self) -> _Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    @staticmethod
    def map(fn, items, chunksize: int = 1):
        return map(fn, items)


def write_sample_sheet(out: Path, count: int = 16, tile: int = 128) -> Path:
    """``out/samples.png``: the first ``count`` preprocessed eyes, for people to look at."""
    from PIL import Image

    from retclip.data.shards import iter_samples

    tiles = []
    for shard in sorted((out / "shards").glob("*.tar")):
        with open(shard, "rb") as fh:
            for _, members in iter_samples(fh):
                for side in ("left.jpg", "right.jpg"):
                    if side in members and len(tiles) < count:
                        with Image.open(io.BytesIO(members[side])) as im:
                            tiles.append(im.convert("RGB").resize((tile, tile)))
                if len(tiles) >= count:
                    break
        if len(tiles) >= count:
            break
    columns = 4
    rows = max(1, (len(tiles) + columns - 1) // columns)
    sheet = Image.new("RGB", (columns * tile, rows * tile))
    for i, image in enumerate(tiles):
        sheet.paste(image, ((i % columns) * tile, (i // columns) * tile))
    path = out / "samples.png"
    sheet.save(path)
    return path
