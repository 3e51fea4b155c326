"""Helpers that write test images in the formats real archives hold (no data in the repo)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from retclip.data.synth.findings import Camera, EyeFindings, EyeSpec
from retclip.data.synth.fundus import render_eye


def fundus(size=(320, 240), seed=0, side="right", **camera) -> np.ndarray:
    spec = EyeSpec(side=side, findings=EyeFindings(), camera=Camera(**camera))
    return render_eye(spec, size, seed)


def save(path: Path, pixels: np.ndarray, fmt: str = "JPEG", mode: str | None = None, **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.fromarray(pixels)
    if mode:
        image = image.convert(mode)
    image.save(path, fmt, **kw)
    return path


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims a huge image (Pillow refuses it on open)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def sixteen_bit_png(pixels: np.ndarray) -> bytes:
    grey = (pixels.astype(np.float32) @ np.array([0.3, 0.59, 0.11])).astype(np.uint16) * 257
    buffer = io.BytesIO()
    Image.fromarray(grey).save(buffer, "PNG")
    return buffer.getvalue()
