"""Image to model input with numpy and Pillow only, so the onnxruntime path shares the numbers.

The reference resizes with bicubic interpolation to the model size and normalises with the OpenAI
CLIP mean and standard deviation; there is no crop (preprocessing already squared the field of
view).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from retclip.data.images import crop_fundus, read_bytes
from retclip.model.config import CLIP_MEAN, CLIP_STD

_MEAN = np.asarray(CLIP_MEAN, dtype=np.float32).reshape(3, 1, 1)
_STD = np.asarray(CLIP_STD, dtype=np.float32).reshape(3, 1, 1)


def to_model_input(image: Image.Image, size: int, local_contrast: bool = False) -> np.ndarray:
    """RGB, bicubic resize to ``size`` x ``size``, CLIP-normalised float32 ``[3, size, size]``;
    with ``local_contrast`` the fundus is first high-passed (:func:`local_contrast_filter`)."""
    pixels = np.asarray(resized_rgb(image, size), dtype=np.float32).transpose(2, 0, 1) / 255.0
    if local_contrast:
        pixels = local_contrast_filter(pixels)
    return (pixels - _MEAN) / _STD


def resized_rgb(image: Image.Image, size: int) -> Image.Image:
    """RGB, bicubic resize to ``size`` x ``size``: the 8-bit image a model input is made of."""
    image = image.convert("RGB")
    if image.size != (size, size):
        image = image.resize((size, size), Image.Resampling.BICUBIC)
    return image


NORMALISED = ((np.arange(256, dtype=np.float32) / 255.0) - _MEAN[:, 0]) / _STD[:, 0]
"""``[3, 256]``: channel ``c`` of 8-bit value ``v`` as :func:`to_model_input` normalises it,
with the same float32 operations; a look-up in it gives those very numbers on any device, so the
training loader can ship 8-bit pixels, a quarter of the bytes, and normalise on the device."""


FIELD_OF_VIEW_LEVEL = 0.08
"""A pixel whose R + G + B (each 0..1) exceeds this is inside the fundus' field of view."""


def local_contrast_filter(
    pixels: np.ndarray, sigma: float = 1 / 30, gain: float = 4.0, clip: bool = False
) -> np.ndarray:
    """Ben Graham's fundus preprocessing (Kaggle DR 2015): ``gain * (x - blur(x)) + 0.5`` inside
    the field of view, zero outside. It removes the camera's colour cast, exposure and
    vignetting, which a small contrastive model otherwise uses to recognise a patient, and keeps
    the lesions. The blur is a Gaussian of ``sigma`` times the side, normalised over the field of
    view so the black border does not darken the rim. ``pixels``: ``[3, H, W]`` in 0..1.

    Not clipped to 0..1 (``clip``), as Graham's 8-bit images are: clipping turns the whole optic
    disc white and erases the cup that grades glaucoma, and a lower gain that avoids it leaves
    the lesions too faint for the tiny model to start learning in the demo's 40 epochs.
    ``benchmarks/local_contrast_signal.py`` measures the glaucoma signal each variant keeps.
    """
    _, height, width = pixels.shape
    inside = (pixels.sum(0) > FIELD_OF_VIEW_LEVEL).astype(np.float32)
    rows, cols = _gaussian(height, height * sigma), _gaussian(width, width * sigma)

    def blur(x: np.ndarray) -> np.ndarray:
        # rows @ x @ cols.T, the matrices being symmetric: BLAS on one thread (retclip.dispatch),
        # a tenth of the time of einsum's own loops, which made the blur most of the loader's time
        return rows @ x @ cols

    local = blur(pixels * inside) / np.maximum(blur(inside), 1e-6)
    out = gain * (pixels - local) + 0.5
    if clip:
        out = np.clip(out, 0.0, 1.0)
    return (out * inside).astype(np.float32)


@functools.lru_cache(maxsize=8)
def _gaussian(n: int, sigma: float) -> np.ndarray:
    """The ``n`` x ``n`` blur matrix (symmetric, C-contiguous: BLAS takes it as it is); cached
    because every image of a run has the same size."""
    i = np.arange(n, dtype=np.float32)
    matrix = np.exp(-0.5 * ((i[:, None] - i[None, :]) / sigma) ** 2).astype(np.float32)
    matrix.setflags(write=False)  # shared by every caller
    return matrix


def decode_to_model_input(
    data: bytes,
    size: int,
    local_contrast: bool = False,
    camera: Callable[[Image.Image], Image.Image] | None = None,
) -> np.ndarray:
    """Decode encoded image bytes (e.g. a shard member) and convert them for the model.

    A JPEG is decoded at the smallest DCT scale that still covers ``size`` (Pillow's draft mode,
    as preprocessing does): a 512-pixel eye decodes at 256 for a 224 model, about twice as fast.
    ``camera`` changes the decoded photograph before it is resized (training augmentation).
    """
    return to_model_input(decode_rgb(data, size, camera), size, local_contrast)


def decode_rgb(
    data: bytes, size: int, camera: Callable[[Image.Image], Image.Image] | None = None
) -> Image.Image:
    """The RGB photograph before its resize to ``size``: draft-decoded (see
    :func:`decode_to_model_input`), then changed by ``camera``."""
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (size, size))
        return (camera(image) if camera else image).convert("RGB")  # loaded, file closed


def photo_to_model_input(
    path: Path | str,
    crop_size: int,
    jpeg_quality: int,
    model_size: int,
    max_pixels: int,
    local_contrast: bool = False,
) -> np.ndarray:
    """A raw photograph exactly as training saw it: the preprocess stage's field-of-view crop
    and shard JPEG, then the training decode. Evaluation and ``retclip predict`` both use it.

    Raises :class:`retclip.data.images.ImageError` naming ``path`` when it cannot be used.
    """
    name = str(path)
    crop = crop_fundus(read_bytes(Path(path), name), name, crop_size, max_pixels)
    return decode_to_model_input(crop.jpeg(jpeg_quality), model_size, local_contrast)
