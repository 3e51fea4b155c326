"""Image to model input: the optional local-contrast filter keeps lesions, drops the camera."""

import numpy as np
from PIL import Image

from retclip.model.preprocessing import local_contrast_filter, to_model_input


def _fundus(offset: float = 0.0) -> np.ndarray:
    """A disc-shaped field of view with one small bright spot, ``[3, 64, 64]`` in 0..1."""
    yy, xx = np.mgrid[:64, :64]
    inside = (yy - 32) ** 2 + (xx - 32) ** 2 < 28**2
    pixels = np.zeros((3, 64, 64), np.float32)
    pixels[:, inside] = np.array([0.6, 0.3, 0.15], np.float32)[:, None] + offset
    pixels[:, 30:33, 40:43] += 0.2  # an exudate-like spot
    return pixels


def test_a_camera_offset_vanishes_and_the_lesion_stays():
    base, brighter = local_contrast_filter(_fundus()), local_contrast_filter(_fundus(0.1))
    assert np.abs(base - brighter)[:, 20:44, 20:44].max() < 0.02
    spot, background = base[:, 31, 41], base[:, 32, 25]
    assert (spot - background).min() > 0.3


def test_outside_the_field_of_view_stays_black_and_the_switch_is_off_by_default():
    filtered = local_contrast_filter(_fundus())
    assert filtered[:, 0, 0].max() == 0
    image = Image.fromarray((_fundus().transpose(1, 2, 0) * 255).astype(np.uint8))
    assert not np.allclose(to_model_input(image, 64), to_model_input(image, 64, True))
