import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from retclip.data.images import (
    ImageError,
    crop_to_fov,
    decode,
    find_fov,
    inspect_image,
    measure,
    read_bytes,
    to_rgb8,
)
from tests.data.fundus_files import fundus, png_bomb, save, sixteen_bit_png

LIMIT = 200_000_000


def jpeg(pixels, quality=90) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def expected_circle(size, fov_scale=1.0, center_dx=0.0, center_dy=0.0):
    w, h = size
    r = fov_scale * h / 2
    return w / 2 + center_dx * r, h / 2 + center_dy * r, r


@pytest.mark.parametrize(
    "camera",
    [
        {"fov_scale": 1.0},
        {"fov_scale": 1.18},  # clipped top and bottom
        {"fov_scale": 0.8, "center_dx": 0.1, "center_dy": -0.05},  # black borders, off centre
        {"fov_scale": 0.9, "notch": True, "notch_angle": 0.0},
        {"fov_scale": 1.1, "notch": True, "notch_angle": 3.14},
        {"fov_scale": 0.95, "light_gradient": 0.6, "light_angle": 1.0, "vignetting": 0.7},
        {"fov_scale": 1.0, "exposure": 0.45},
    ],
)
def test_field_of_view_is_found(camera):
    size = (640, 480)
    img = Image.fromarray(fundus(size, seed=3, **camera))
    fov = find_fov(img)
    cx, cy, r = expected_circle(
        size, camera["fov_scale"], camera.get("center_dx", 0), camera.get("center_dy", 0)
    )
    assert fov is not None
    assert abs(fov.cx - cx) < 0.03 * r and abs(fov.cy - cy) < 0.03 * r
    assert abs(fov.radius - r) < 0.03 * r


def test_text_burnt_into_the_border_does_not_move_the_circle():
    img = Image.fromarray(fundus((640, 480), fov_scale=0.85))
    draw = ImageDraw.Draw(img)
    draw.text((5, 5), "2023-04-05 OD 45deg", fill=(255, 255, 255))
    draw.rectangle((600, 440, 635, 475), fill=(200, 200, 200))
    fov = find_fov(img)
    cx, _, r = expected_circle((640, 480), 0.85)
    assert fov is not None and abs(fov.radius - r) < 0.03 * r and abs(fov.cx - cx) < 0.03 * r


def test_a_photograph_cropped_inside_its_field_is_the_whole_frame():
    img = Image.fromarray(fundus((640, 480), fov_scale=1.6))
    inner = img.crop((160, 120, 480, 360))
    fov = find_fov(inner)
    assert fov is not None and fov.fraction == 1.0
    assert (fov.cx, fov.cy, fov.radius) == (160, 120, 160)


@pytest.mark.parametrize("kind", ["noise", "document", "black", "white"])
def test_pictures_that_are_not_fundus_photographs(kind):
    rng = np.random.default_rng(0)
    if kind == "noise":
        pixels = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    elif kind == "document":
        pixels = np.full((240, 320, 3), 250, np.uint8)
        pixels[20:220:12, 20:300] = 0
    elif kind == "black":
        pixels = np.zeros((240, 320, 3), np.uint8)
    else:
        pixels = np.full((240, 320, 3), 255, np.uint8)
    assert find_fov(Image.fromarray(pixels)) is None


def test_crop_is_square_centred_and_padded_black():
    img = Image.fromarray(fundus((640, 480), fov_scale=1.15))
    fov = find_fov(img)
    crop = np.asarray(crop_to_fov(img, fov, 256))
    assert crop.shape == (256, 256, 3)
    assert crop[:3, 100:156].max() < 10 and crop[-3:, 100:156].max() < 10  # padded rows
    assert crop[128, 128].sum() > 100


@pytest.mark.parametrize("mode", ["L", "CMYK", "RGBA", "P", "LA", "1", "I", "F"])
def test_every_mode_becomes_8_bit_rgb(mode):
    image = Image.fromarray(fundus()).convert(mode)
    rgb = to_rgb8(image)
    assert rgb.mode == "RGB" and rgb.size == (320, 240)


def test_sixteen_bit_and_transparent_images_are_usable(tmp_path):
    pixels = fundus()
    path = tmp_path / "deep.png"
    path.write_bytes(sixteen_bit_png(pixels))
    stats = inspect_image(path, LIMIT)
    assert stats.mode == "I;16" and stats.fov_fraction > 0.3
    rgba = np.dstack([pixels, np.full(pixels.shape[:2], 255, np.uint8)])
    rgba[:10, :10, 3] = 0
    save(tmp_path / "alpha.png", rgba, "PNG")
    assert inspect_image(tmp_path / "alpha.png", LIMIT).mode == "RGBA"
    save(tmp_path / "cmyk.jpg", pixels, "JPEG", mode="CMYK")
    assert inspect_image(tmp_path / "cmyk.jpg", LIMIT).mode == "CMYK"
    palette = Image.fromarray(pixels).convert("P", palette=Image.Palette.ADAPTIVE)
    palette.info["transparency"] = 0
    palette.save(tmp_path / "palette.png")
    assert inspect_image(tmp_path / "palette.png", LIMIT).brightness > 20


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b"This is a text file, not a photograph.\n", "not_an_image"),
        (None, "truncated"),
        (png_bomb(), "too_many_pixels"),
    ],
)
def test_broken_files_give_a_reason_naming_the_file(tmp_path, content, code):
    path = tmp_path / "eye.jpg"
    path.write_bytes(jpeg(fundus())[:3000] if content is None else content)
    with pytest.raises(ImageError) as caught:
        inspect_image(path, LIMIT, name="images/eye.jpg")
    assert caught.value.code == code
    assert "images/eye.jpg" in str(caught.value)


def test_pixel_limit_is_ours_to_set(tmp_path):
    data = jpeg(fundus((1600, 1200)))
    with pytest.raises(ImageError, match="1,000,000-pixel limit"):
        decode(data, "big.jpg", max_pixels=1_000_000)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ImageError) as caught:
        read_bytes(tmp_path / "absent.jpg")
    assert caught.value.code == "file_missing"
    with pytest.raises(ImageError) as caught:
        read_bytes(tmp_path)
    assert caught.value.code == "not_a_file"


def test_draft_decoding_is_smaller_and_still_catches_truncation():
    data = jpeg(fundus((2592, 1944), fov_scale=1.1), quality=92)
    decoded = decode(data, "camera.jpg", LIMIT, min_side=602)
    assert decoded.scale == 0.5 and decoded.source_size == (2592, 1944)
    fov = find_fov(decoded.image)
    assert abs(fov.scaled(1 / decoded.scale).radius - 1.1 * 972) < 0.03 * 1069
    with pytest.raises(ImageError) as caught:
        decode(data[: len(data) // 2], "camera.jpg", LIMIT, min_side=602)
    assert caught.value.code == "truncated"


def test_statistics_separate_dark_and_blurred_photographs(tmp_path):
    normal = inspect_image(save(tmp_path / "n.jpg", fundus()), LIMIT)
    dark = inspect_image(save(tmp_path / "d.jpg", fundus(exposure=0.15)), LIMIT)
    blurred = Image.fromarray(fundus()).filter(ImageFilter.GaussianBlur(6))
    blurred.save(tmp_path / "b.jpg")
    soft = inspect_image(tmp_path / "b.jpg", LIMIT)
    assert dark.brightness < 0.3 * normal.brightness
    assert soft.sharpness < 0.1 * normal.sharpness
    assert normal.width == 320 and normal.height == 240 and len(normal.sha256) == 64


def test_disc_position_tells_the_eye():
    for side, sign in (("right", 1), ("left", -1)):
        img = Image.fromarray(fundus(seed=5, side=side))
        _, _, disc_x = measure(crop_to_fov(img, find_fov(img), 256))
        assert disc_x * sign > 0.3
