from dataclasses import replace

import numpy as np
import pytest

from retclip.data.synth.findings import Camera, EyeFindings, EyeSpec
from retclip.data.synth.fundus import encode_jpeg, render_eye


def spec(side="right", **findings) -> EyeSpec:
    return EyeSpec(side=side, findings=EyeFindings(**findings), camera=Camera())


def luminance(img: np.ndarray) -> np.ndarray:
    return img.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def disc_x(img: np.ndarray) -> float:
    """Column of the brightest 0.2% of pixels: the optic disc in a healthy eye."""
    lum = luminance(img)
    _, xs = np.nonzero(lum >= np.quantile(lum, 0.998))
    return float(xs.mean()) / img.shape[1]


def test_same_seed_same_pixels_other_seed_other_pixels():
    a = render_eye(spec(dr_grade=3), (320, 240), 5)
    b = render_eye(spec(dr_grade=3), (320, 240), 5)
    c = render_eye(spec(dr_grade=3), (320, 240), 6)
    assert a.shape == (240, 320, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert encode_jpeg(a, 90) == encode_jpeg(b, 90)


def test_outside_the_field_of_view_is_black():
    img = render_eye(replace(spec(), camera=Camera(fov_scale=0.8)), (400, 300), 1)
    assert img[:10, :10].max() <= 2 and img[-10:, -10:].max() <= 2
    assert luminance(img)[150, 200] > 60  # the centre is lit


def test_clipped_field_of_view_touches_top_and_bottom():
    img = render_eye(replace(spec(), camera=Camera(fov_scale=1.15)), (400, 300), 1)
    assert luminance(img)[0, 200] > 20 and luminance(img)[-1, 200] > 20


def test_notch_cuts_the_rim():
    plain = render_eye(replace(spec(), camera=Camera(fov_scale=0.9)), (400, 300), 2)
    notched = render_eye(replace(spec(), camera=Camera(fov_scale=0.9, notch=True)), (400, 300), 2)
    rim = (slice(145, 155), slice(327, 333))  # right edge of the circle (x 335), its axis
    assert luminance(plain)[rim].mean() > 20 > luminance(notched)[rim].mean()


@pytest.mark.parametrize(
    ("side", "mirrored", "disc_on_right"),
    [("right", False, True), ("left", False, False), ("right", True, False)],
)
def test_disc_lies_on_the_nasal_side(side, mirrored, disc_on_right):
    eye = replace(spec(side), camera=Camera(mirrored=mirrored))
    x = np.mean([disc_x(render_eye(eye, (320, 240), s)) for s in range(4)])
    assert (x > 0.5) == disc_on_right


def test_lesions_change_the_picture_where_expected():
    healthy = luminance(render_eye(spec(), (320, 240), 3))
    # same seed: same anatomy and camera; the lesions are drawn on top
    dr = luminance(render_eye(spec(dr_grade=3), (320, 240), 3))
    assert np.abs(healthy - dr).mean() > 0.3
    hazy = render_eye(spec(cataract=1.0), (320, 240), 3)
    grad = np.abs(np.diff(luminance(hazy), axis=1))[60:180, 100:220].mean()
    sharp = np.abs(np.diff(healthy, axis=1))[60:180, 100:220].mean()
    assert grad < 0.8 * sharp


def test_camera_sized_image():
    img = render_eye(spec(dr_grade=2), (2592, 1944), 0)
    assert img.shape == (1944, 2592, 3)
    assert luminance(img)[972, 1296] > 40
