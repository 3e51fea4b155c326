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


def _disc(cup_to_disc: float) -> np.ndarray:
    """:func:`_fundus` with an optic disc (radius 6) whose pale cup has ``cup_to_disc`` of it."""
    pixels = _fundus()
    distance = np.hypot(*(np.mgrid[:64, :64] - np.array([32, 18])[:, None, None]))
    pixels[:, distance < 6] = np.array([0.98, 0.76, 0.52], np.float32)[:, None]  # rim
    pixels[:, distance < 6 * cup_to_disc] = np.array([1.0, 0.94, 0.78], np.float32)[:, None]
    return pixels


def test_the_cup_inside_the_bright_disc_survives_unless_clipped():
    """Glaucoma is graded by the pale cup inside the bright disc. Clipped to 0..1 (Graham's
    8-bit output) part of the disc is white whatever the cup; unclipped, those pixels differ."""
    inside_disc = np.hypot(*(np.mgrid[:64, :64] - np.array([32, 18])[:, None, None])) < 6

    def disc(cup_to_disc: float, clip: bool) -> np.ndarray:
        options = {"clip": True} if clip else {}  # the default does not clip
        return local_contrast_filter(_disc(cup_to_disc), **options)[1:, inside_disc]

    white = (disc(0.3, clip=True) >= 1.0) & (disc(0.8, clip=True) >= 1.0)
    assert white.mean() > 0.15  # clipped: part of the disc is white for both cups ...
    assert np.abs(disc(0.8, clip=False) - disc(0.3, clip=False))[white].mean() > 0.1  # ... not


def test_outside_the_field_of_view_stays_black_and_the_switch_is_off_by_default():
    filtered = local_contrast_filter(_fundus())
    assert filtered[:, 0, 0].max() == 0
    image = Image.fromarray((_fundus().transpose(1, 2, 0) * 255).astype(np.uint8))
    assert not np.allclose(to_model_input(image, 64), to_model_input(image, 64, True))
