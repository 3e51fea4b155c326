"""Decode fundus photographs, find the field of view, crop and measure: numpy and Pillow only.

Validation, preprocessing and the torch-free ``retclip predict`` path share this module, so an
image is read exactly the same way for training and for inference. Nothing here imports torch.
Every statistic is computed in integers or exact fractions (no BLAS, LAPACK or SIMD reduction),
so the same photograph gives the same numbers, and the same crop, on any CPU.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps

ANALYSIS_SIZE = 256  # statistics are measured on the field of view resized to this side
DETECTION_SIZE = 256  # the field of view is found on an image this long
LUMA_MILLI = np.array([299, 587, 114], dtype=np.int64)  # Rec. 601 luma, in thousandths
FOV_SHARE_OF_SHORT_SIDE = 0.85  # a field of view spans at least this much of the short side


class ImageError(Exception):
    """An image cannot be used; ``code`` is a stable reason code, the message names the file."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class FieldOfView:
    """The circular field of view, in pixels of the image it was found in."""

    cx: float
    cy: float
    radius: float
    fraction: float  # share of the image area inside the circle

    def scaled(self, factor: float) -> FieldOfView:
        return FieldOfView(self.cx * factor, self.cy * factor, self.radius * factor, self.fraction)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """Square around the circle (x0, y0, x1, y1); may reach outside the image."""
        return (
            self.cx - self.radius,
            self.cy - self.radius,
            self.cx + self.radius,
            self.cy + self.radius,
        )


@dataclass(frozen=True)
class ImageStats:
    """What validation records about one photograph (all sizes in source pixels)."""

    width: int
    height: int
    mode: str
    bytes: int
    sha256: str
    fov_cx: float
    fov_cy: float
    fov_radius: float
    fov_fraction: float
    brightness: float  # mean 8-bit luminance inside the field of view
    sharpness: float  # variance of the Laplacian inside the field of view, at ANALYSIS_SIZE
    disc_x: float  # brightest region's offset from the centre, in radii (-1 left .. 1 right)

    def to_dict(self) -> dict:
        return asdict(self)


def read_bytes(path: Path, name: str | None = None) -> bytes:
    name = name or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageError("file_missing", f"{name}: file does not exist") from None
    except IsADirectoryError:
        raise ImageError("not_a_file", f"{name}: is a folder, not an image file") from None
    except OSError as exc:
        raise ImageError("unreadable", f"{name}: cannot be read ({exc.strerror})") from None
    if not data:
        raise ImageError("empty_file", f"{name}: file is empty (0 bytes)")
    return data


@dataclass(frozen=True)
class Decoded:
    """An image as 8-bit RGB, with what it was before conversion and draft decoding."""

    image: Image.Image
    scale: float  # decoded width / stored width (< 1 after JPEG draft decoding)
    source_mode: str
    source_size: tuple[int, int]


def decode(data: bytes, name: str, max_pixels: int, min_side: int | None = None) -> Decoded:
    """Fully decode an image to 8-bit RGB.

    With ``min_side`` a JPEG is decoded at the smallest DCT scale (1/2, 1/4, 1/8) whose short
    side still covers it, which is several times faster for camera-sized files. The whole file is
    still decoded, so truncation is detected.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageError(
                    "too_many_pixels",
                    f"{name}: {width}x{height} is over the "
                    f"{max_pixels:,}-pixel limit (decompression bomb guard)",
                )
            scale = 1.0
            if min_side and image.format == "JPEG":
                image.draft("RGB", _draft_request(width, height, min_side))
                scale = image.size[0] / width
            image.load()
            mode = image.mode
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(
            "too_many_pixels", f"{name}: too many pixels (decompression bomb guard)"
        ) from None
    except Image.UnidentifiedImageError:
        raise ImageError("not_an_image", f"{name}: not an image file Pillow can read") from None
    except (OSError, SyntaxError, ValueError) as exc:
        code = "truncated" if "truncated" in str(exc) else "decode_error"
        raise ImageError(code, f"{name}: cannot be decoded ({exc})") from None
    return Decoded(to_rgb8(ImageOps.exif_transpose(image)), scale, mode, (width, height))


def _draft_request(width: int, height: int, min_side: int) -> tuple[int, int]:
    """Size to ask JPEG draft mode for: the short side must stay at least ``min_side``."""
    short = min(width, height)
    factor = 1
    while factor < 8 and short / (factor * 2) >= min_side:
        factor *= 2
    return width // factor, height // factor


def to_rgb8(image: Image.Image) -> Image.Image:
    """8-bit RGB from any mode: CMYK, greyscale, 16-bit, float, palette, with or without alpha."""
    mode = image.mode
    if mode == "RGB":
        return image
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = float(values.max()) if values.size else 0.0
        scale = 255.0 / top if top > 255 else 1.0
        grey = np.clip(values * scale + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(grey, "L").convert("RGB")
    if mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "La", "RGBa", "PA"):
        rgba = image.convert("RGBA")
        black = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        return Image.alpha_composite(black, rgba).convert("RGB")
    return image.convert("RGB")


def find_fov(rgb: Image.Image) -> FieldOfView | None:
    """Fit the field-of-view circle; ``None`` when the image shows no plausible one.

    Works on the image's left/right (and top/bottom) mask edges with a robust circle fit, so a
    field clipped top and bottom, a notch, black borders, stray text and uneven light still give
    the circle; the fit must agree with the bright area for the result to count.
    """
    width, height = rgb.size
    factor = min(1.0, DETECTION_SIZE / max(width, height))
    small = (
        rgb.resize(
            (max(8, round(width * factor)), max(8, round(height * factor))), Image.Resampling.BOX
        )
        if factor < 1
        else rgb
    )
    level = np.asarray(small, dtype=np.uint8).max(axis=2)
    threshold = max(12.0, 0.12 * float(np.percentile(level, 98)))
    mask_image = Image.fromarray(((level > threshold) * 255).astype(np.uint8), "L")
    mask_image = mask_image.filter(ImageFilter.MinFilter(3)).filter(ImageFilter.MaxFilter(3))
    mask = np.asarray(mask_image) > 0
    h, w = mask.shape
    points = _edge_points(mask)
    if mask.mean() > 0.97 and len(points) < 12:
        return _full_frame(np.asarray(small, dtype=np.int64), width, height)
    if len(points) < 12:
        return None
    fit = _robust_circle(points)
    if fit is None:
        return None
    cx, cy, r = fit
    if not (0.2 * min(h, w) <= r <= 0.8 * max(h, w)) or not (0 <= cx < w and 0 <= cy < h):
        return None
    ys, xs = np.mgrid[0:h, 0:w]
    inside = (xs + 0.5 - cx) ** 2 + (ys + 0.5 - cy) ** 2 <= r * r
    circle_area = int(inside.sum())
    if circle_area == 0:
        return None
    covered = float((mask & inside).sum()) / circle_area
    spill = float((mask & ~inside).sum()) / max(1, int(mask.sum()))
    if covered < 0.75 or spill > 0.1:
        return None
    return FieldOfView(cx / factor, cy / factor, r / factor, circle_area / float(h * w))


def _full_frame(rgb: np.ndarray, width: int, height: int) -> FieldOfView | None:
    """A photograph already cropped inside its field of view: the frame is the field.

    Accepted only when it looks like a fundus (red-dominant, textured); a blank or grey frame is
    not one.
    """
    red, green, blue = (int(rgb[..., c].sum()) for c in range(3))
    if not (red > Fraction(115, 100) * blue and red >= green and _variance(rgb[..., 0]) > 16):
        return None
    return FieldOfView(width / 2, height / 2, max(width, height) / 2, 1.0)


def _edge_points(mask: np.ndarray) -> np.ndarray:
    """Left/right edges of every row and top/bottom edges of every column, off the frame."""
    h, w = mask.shape
    points = []
    rows = np.flatnonzero(mask.any(axis=1))
    for y in rows:
        xs = np.flatnonzero(mask[y])
        if xs[0] > 0:
            points.append((xs[0], y + 0.5))
        if xs[-1] < w - 1:
            points.append((xs[-1] + 1.0, y + 0.5))
    cols = np.flatnonzero(mask.any(axis=0))
    for x in cols:
        ys = np.flatnonzero(mask[:, x])
        if ys[0] > 0:
            points.append((x + 0.5, ys[0]))
        if ys[-1] < h - 1:
            points.append((x + 0.5, ys[-1] + 1.0))
    return np.asarray(points, dtype=np.float64)


def _robust_circle(points: np.ndarray) -> tuple[float, float, float] | None:
    """Algebraic circle fit, refitted on inliers so notches and stray marks do not pull it."""
    keep = np.ones(len(points), dtype=bool)
    fit = None
    for _ in range(4):
        if keep.sum() < 12:
            return None
        fit = _circle_through(points[keep])
        if fit is None:
            return None
        dx, dy = points[:, 0] - fit[0], points[:, 1] - fit[1]
        residual = np.abs(np.sqrt(dx * dx + dy * dy) - fit[2])
        limit = max(1.5, 3.0 * float(np.median(residual[keep])))
        keep = residual <= limit
    if keep.mean() < 0.6:
        return None
    return fit


def _circle_through(points: np.ndarray) -> tuple[float, float, float] | None:
    """Kasa's least-squares circle, solved exactly: the normal equations in integers (edge
    points lie on the half-pixel grid) and Cramer's rule in fractions, rounded once at the end.
    LAPACK's solvers would round differently with each CPU's BLAS kernels."""
    x, y = (np.rint(points[:, k] * 2).astype(np.int64) for k in range(2))  # doubled: integers
    z = x * x + y * y
    sx, sy, sxx, syy, sxy = (int(v.sum()) for v in (x, y, x * x, y * y, x * y))
    n = len(x)
    matrix = [[sxx, sxy, sx], [sxy, syy, sy], [sx, sy, n]]
    target = [-int((x * z).sum()), -int((y * z).sum()), -int(z.sum())]
    det = _det3(matrix)
    if det == 0:
        return None
    columns = [
        [[*r[:k], t, *r[k + 1 :]] for r, t in zip(matrix, target, strict=True)] for k in (0, 1, 2)
    ]
    a, b, c = (Fraction(_det3(m), det) for m in columns)
    cx, cy = -a / 2, -b / 2
    r2 = cx * cx + cy * cy - c
    if r2 <= 0:
        return None
    return float(cx / 2), float(cy / 2), math.sqrt(float(r2)) / 2  # back to pixel units


def _det3(m: list[list[int]]) -> int:
    return (
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    )


def _variance(values: np.ndarray) -> Fraction:
    """The population variance of integers, exactly."""
    n = values.size
    total, squares = int(values.sum(dtype=np.int64)), int((values.astype(np.int64) ** 2).sum())
    return Fraction(n * squares - total * total, n * n)


def crop_to_fov(rgb: Image.Image, fov: FieldOfView, size: int) -> Image.Image:
    """Square crop around the circle (black where it leaves the frame), resized to ``size``."""
    x0, y0, x1, y1 = (round(v) for v in fov.box)
    square = rgb.crop((x0, y0, x1, y1))  # Pillow pads outside the image with black
    return square.resize((size, size), Image.Resampling.BICUBIC)


@dataclass(frozen=True)
class FundusCrop:
    """A photograph cut down to its field of view, as training sees it."""

    decoded: Decoded
    fov: FieldOfView  # in decoded pixels
    image: Image.Image  # square, ``size`` x ``size``

    def jpeg(self, quality: int) -> bytes:
        buffer = io.BytesIO()
        self.image.save(buffer, "JPEG", quality=quality)
        return buffer.getvalue()


def crop_fundus(
    data: bytes, name: str, size: int, max_pixels: int, draft: bool = True
) -> FundusCrop:
    """Decode, find the field of view and crop it to a ``size`` square: the one path from a
    photograph to a training image, shared by preprocessing, evaluation and ``retclip predict``.

    Raises :class:`ImageError` naming ``name`` when the file is unreadable or shows no fundus.
    """
    min_side = math.ceil(size / FOV_SHARE_OF_SHORT_SIDE) if draft else None
    decoded = decode(data, name, max_pixels, min_side=min_side)
    fov = find_fov(decoded.image)
    if fov is None:
        raise ImageError("no_fov", f"{name}: no circular fundus field of view was found")
    return FundusCrop(decoded, fov, crop_to_fov(decoded.image, fov, size))


def measure(crop: Image.Image) -> tuple[float, float, float]:
    """(brightness, sharpness, disc_x) of a field-of-view crop, inside the circle."""
    small = crop.resize((ANALYSIS_SIZE, ANALYSIS_SIZE), Image.Resampling.BILINEAR)
    luma = (np.asarray(small, dtype=np.int64) * LUMA_MILLI).sum(axis=2)  # exact, in thousandths
    n = ANALYSIS_SIZE
    ys, xs = np.mgrid[0:n, 0:n]
    d2 = ((xs + 0.5) / n - 0.5) ** 2 + ((ys + 0.5) / n - 0.5) ** 2
    inside = d2 <= 0.45**2
    brightness = int(luma[inside].sum()) / (1000 * int(inside.sum()))
    lap = 4 * luma[1:-1, 1:-1] - luma[:-2, 1:-1] - luma[2:, 1:-1] - luma[1:-1, :-2] - luma[1:-1, 2:]
    sharpness = float(_variance(lap[(d2 <= 0.4**2)[1:-1, 1:-1]]) / 1_000_000)
    blurred = np.asarray(
        Image.fromarray((luma // 1000).astype(np.uint8), "L").filter(ImageFilter.BoxBlur(n // 32)),
        dtype=np.uint8,
    )
    blurred = np.where(inside, blurred, 0)
    _, x = np.unravel_index(int(np.argmax(blurred)), blurred.shape)
    disc_x = float(((x + 0.5) / n - 0.5) / 0.5)
    return brightness, sharpness, disc_x


def inspect_image(path: Path, max_pixels: int, name: str | None = None) -> ImageStats:
    """Decode fully, find the field of view and measure; raises :class:`ImageError`.

    ``name`` is how messages refer to the file (the manifest's relative path, by default the path).
    """
    name = name or str(path)
    data = read_bytes(path, name)
    decoded = decode(data, name, max_pixels, min_side=ANALYSIS_SIZE * 2)
    image, scale = decoded.image, decoded.scale
    fov = find_fov(image)
    width, height = decoded.source_size
    if fov is None:
        level = float(np.percentile(np.asarray(image, dtype=np.uint8).max(axis=2), 98))
        if level < 40:
            raise ImageError(
                "too_dark", f"{name}: underexposed, brightest pixels at {level:.0f}/255"
            )
        raise ImageError("no_fov", f"{name}: no circular fundus field of view was found")
    brightness, sharpness, disc_x = measure(crop_to_fov(image, fov, ANALYSIS_SIZE))
    full = fov.scaled(1 / scale)
    return ImageStats(
        width=width,
        height=height,
        mode=decoded.source_mode,
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        fov_cx=round(full.cx, 2),
        fov_cy=round(full.cy, 2),
        fov_radius=round(full.radius, 2),
        fov_fraction=round(full.fraction, 4),
        brightness=round(brightness, 3),
        sharpness=round(sharpness, 3),
        disc_x=round(disc_x, 3),
    )
