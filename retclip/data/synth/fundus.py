"""Render a colour fundus photograph from an :class:`EyeSpec`.

Determinism rule: pixel values are computed only with operations that are exact or correctly
rounded on every CPU (+, -, *, /, sqrt, comparisons), with Pillow's integer drawing and filters, and
with lookup tables built from Python's scalar math. Vectorised transcendental functions (numpy's
exp/sin/pow) have CPU-specific SIMD paths and would make the bytes depend on the machine.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from retclip.data.synth.findings import EyeSpec

Colour = tuple[float, float, float]

VEIN: Colour = (0.40, 0.06, 0.05)
ARTERY: Colour = (0.66, 0.15, 0.08)
REFLEX: Colour = (0.95, 0.62, 0.45)
HAEMORRHAGE: Colour = (0.42, 0.03, 0.03)
EXUDATE: Colour = (0.98, 0.90, 0.45)
COTTON_WOOL: Colour = (0.96, 0.92, 0.84)
PALE: Colour = (0.96, 0.80, 0.60)
PIGMENT: Colour = (0.22, 0.10, 0.05)
DISC: Colour = (0.98, 0.76, 0.52)
CUP: Colour = (1.00, 0.94, 0.78)
HAZE: Colour = (0.80, 0.74, 0.62)


class _Canvas:
    """Pixel geometry of one photograph: field-of-view circle in image coordinates."""

    def __init__(self, width: int, height: int, spec: EyeSpec):
        cam = spec.camera
        self.width, self.height = width, height
        self.radius = cam.fov_scale * height / 2.0
        self.cx = width / 2.0 + cam.center_dx * self.radius
        self.cy = height / 2.0 + cam.center_dy * self.radius

    def to_px(self, u: float, v: float) -> tuple[float, float]:
        return self.cx + u * self.radius, self.cy + v * self.radius

    def box(self, u: float, v: float, reach: float) -> tuple[int, int, int, int] | None:
        """Pixel box (x0, y0, x1, y1) around a disc of ``reach`` units, clipped to the image."""
        x, y = self.to_px(u, v)
        r = reach * self.radius
        x0, y0 = max(0, int(x - r)), max(0, int(y - r))
        x1, y1 = min(self.width, int(x + r) + 2), min(self.height, int(y + r) + 2)
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def _smooth_noise(rng: np.random.Generator, grid: tuple[int, int], size: tuple[int, int]):
    """Band-limited noise in [0, 1]: a small random grid, bicubic-upsampled by Pillow."""
    cells = rng.random((grid[1], grid[0]), dtype=np.float32)
    return np.asarray(Image.fromarray(cells, "F").resize(size, Image.Resampling.BICUBIC))


def _blend(img: np.ndarray, mask: np.ndarray, colour: Colour, strength: float = 1.0) -> None:
    """In place: ``img = img * (1 - a) + colour * a`` with ``a = mask * strength``."""
    alpha = (mask * strength)[..., None]
    img *= 1.0 - alpha
    img += alpha * np.asarray(colour, dtype=np.float32)


def _bump(canvas: _Canvas, box, u: float, v: float, ru: float, rv: float) -> np.ndarray:
    """Smooth elliptical bump (1 at the centre, 0 beyond the radii) over a pixel box."""
    x0, y0, x1, y1 = box
    cx, cy = canvas.to_px(u, v)
    dx = (np.arange(x0, x1, dtype=np.float32) - cx) / (ru * canvas.radius)
    dy = (np.arange(y0, y1, dtype=np.float32) - cy) / (rv * canvas.radius)
    d2 = dx[None, :] ** 2 + dy[:, None] ** 2
    t = np.clip(1.0 - d2, 0.0, 1.0)
    return t * t


def _soft_disc(canvas: _Canvas, box, u: float, v: float, ru: float, rv: float, edge: float):
    """Flat-topped ellipse with a soft rim ``edge`` units wide (for the disc and cup)."""
    x0, y0, x1, y1 = box
    cx, cy = canvas.to_px(u, v)
    dx = (np.arange(x0, x1, dtype=np.float32) - cx) / (ru * canvas.radius)
    dy = (np.arange(y0, y1, dtype=np.float32) - cy) / (rv * canvas.radius)
    dist = np.sqrt(dx[None, :] ** 2 + dy[:, None] ** 2)
    return np.clip((1.0 - dist) * (ru / edge), 0.0, 1.0)


class _Masks:
    """Greyscale layers drawn with Pillow, blurred, then composited over the retina."""

    names = ("vein", "artery", "reflex", "red", "yellow", "white", "pale", "pigment")

    def __init__(self, canvas: _Canvas):
        self.canvas = canvas
        size = (canvas.width, canvas.height)
        self.images = {name: Image.new("L", size, 0) for name in self.names}
        self.draw = {name: ImageDraw.Draw(im) for name, im in self.images.items()}

    def dot(self, layer: str, u: float, v: float, radius: float, value: int = 255) -> None:
        x, y = self.canvas.to_px(u, v)
        r = max(radius * self.canvas.radius, 0.6)
        self.draw[layer].ellipse((x - r, y - r, x + r, y + r), fill=value)

    def ellipse(self, layer: str, u: float, v: float, ru: float, rv: float, value: int = 255):
        x, y = self.canvas.to_px(u, v)
        rx, ry = max(ru * self.canvas.radius, 0.6), max(rv * self.canvas.radius, 0.6)
        self.draw[layer].ellipse((x - rx, y - ry, x + rx, y + ry), fill=value)

    def flame(self, u: float, v: float, angle: float, length: float, width: float) -> None:
        """A tapered, feathered streak along the nerve fibres (flame haemorrhage)."""
        steps = 6
        dx, dy = math.cos(angle) * length / steps, math.sin(angle) * length / steps
        for i in range(steps):
            taper = 1.0 - i / steps
            self.dot("red", u + dx * i, v + dy * i, width * 0.5 * taper, 220)

    def polyline(self, layer: str, points: list[tuple[float, float]], widths: list[float]):
        """Variable-width line: runs of equal integer width drawn with round joints."""
        px = [self.canvas.to_px(u, v) for u, v in points]
        widths_px = [w * self.canvas.radius for w in widths]
        start = 0
        for i in range(1, len(px) + 1):
            w_here = _pen(widths_px[start])
            if i < len(px) and _pen(widths_px[i]) == w_here:
                continue
            run = px[start : min(i + 1, len(px))]
            if len(run) >= 2:
                width, value = w_here
                self.draw[layer].line(run, fill=value, width=width, joint="curve")
            start = i

    def composite(self, img: np.ndarray, blur_px: float) -> None:
        """Blur each layer and blend it into ``img``, only inside the layer's bounding box."""
        plan = (
            ("pale", PALE, 0.85, 2.5),
            ("pigment", PIGMENT, 0.8, 1.0),
            ("vein", VEIN, 0.9, 1.0),
            ("artery", ARTERY, 0.85, 1.0),
            ("reflex", REFLEX, 0.35, 0.8),
            ("red", HAEMORRHAGE, 0.95, 1.0),
            ("yellow", EXUDATE, 0.9, 1.2),
            ("white", COTTON_WOOL, 0.75, 4.0),
        )
        for name, colour, strength, blur_factor in plan:
            image = self.images[name]
            bbox = image.getbbox()
            if bbox is None:
                continue
            blurred = image.filter(ImageFilter.GaussianBlur(max(0.5, blur_px * blur_factor)))
            bbox = blurred.getbbox()
            if bbox is None:
                continue
            x0, y0, x1, y1 = bbox
            mask = np.asarray(blurred.crop(bbox), dtype=np.float32) * (1.0 / 255.0)
            _blend(img[y0:y1, x0:x1], mask, colour, strength)


def _pen(width_px: float) -> tuple[int, int]:
    """Pillow pen for a width in pixels: sub-pixel widths become 1 px drawn fainter."""
    if width_px >= 1.5:
        return round(width_px), 255
    return 1, max(60, min(255, round(255 * width_px)))


def _angle_towards(a: float, b: float, t: float) -> float:
    """Interpolate between two angles the short way round."""
    diff = (b - a + math.pi) % (2 * math.pi) - math.pi
    return a + diff * t


class _VesselTree:
    """A branching retinal vessel tree grown from the optic disc."""

    def __init__(self, rng: np.random.Generator, masks: _Masks, disc, fovea, spec: EyeSpec):
        self.rng, self.masks = rng, masks
        self.disc, self.fovea = disc, fovea
        self.temporal = 1.0 if fovea[0] > disc[0] else -1.0
        findings = spec.findings
        self.artery_factor = 0.62 if findings.hypertensive else 1.0
        self.beading = 0.35 if findings.dr_grade >= 3 else 0.0
        self.step = 0.02

    def grow(self) -> None:
        t = self.temporal
        main = (
            # (start heading, end heading, length, leaves towards)
            ((t * 0.25, -1.0), (t * 1.0, 0.5), 1.35),
            ((t * 0.25, 1.0), (t * 1.0, -0.5), 1.35),
            ((-t * 0.45, -1.0), (-t * 1.0, -0.35), 0.9),
            ((-t * 0.45, 1.0), (-t * 1.0, 0.35), 0.9),
        )
        for start, end, length in main:
            h0 = math.atan2(start[1], start[0])
            h1 = math.atan2(end[1], end[0])
            for kind, offset, width in (("vein", 0.10, 0.017), ("artery", -0.10, 0.013)):
                jitter = float(self.rng.normal(0, 0.08))
                self._vessel(kind, h0 + offset + jitter, h1 + jitter, length, width, depth=0)
        # small vessels running straight from the disc towards the macula
        for _ in range(int(self.rng.integers(2, 4))):
            h = math.atan2(float(self.rng.normal(0, 0.15)), t)
            kind = "artery" if self.rng.random() < 0.5 else "vein"
            self._vessel(kind, h, h, float(self.rng.uniform(0.25, 0.4)), 0.006, depth=2)

    def _vessel(self, kind, h0, h1, length, width, depth, start=None) -> None:
        rng = self.rng
        u, v = start if start is not None else self.disc
        if start is None:  # leave from the disc rim, not its centre
            u += math.cos(h0) * 0.04
            v += math.sin(h0) * 0.04
        points, widths = [(u, v)], []
        steps = max(2, int(length / self.step))
        heading = h0
        next_branch = float(rng.uniform(0.12, 0.25))
        travelled = 0.0
        drift = 0.0
        factor = self.artery_factor if kind == "artery" else 1.0
        for i in range(steps):
            frac = i / steps
            drift += float(rng.normal(0, 0.06))
            drift *= 0.85
            target = _angle_towards(h0, h1, frac * frac * (3 - 2 * frac))
            heading = target + drift
            u += math.cos(heading) * self.step
            v += math.sin(heading) * self.step
            travelled += self.step
            w = width * factor * (1.0 - 0.55 * frac)
            if kind == "vein" and self.beading:
                w *= 1.0 + self.beading * max(0.0, math.sin(travelled * 60.0))
            points.append((u, v))
            widths.append(w)
            if u * u + v * v > 1.05:
                break
            fu, fv = u - self.fovea[0], v - self.fovea[1]
            if fu * fu + fv * fv < 0.012:  # foveal avascular zone
                break
            if depth < 3 and travelled >= next_branch:
                next_branch = travelled + float(rng.uniform(0.12, 0.3))
                side = 1.0 if rng.random() < 0.5 else -1.0
                child_h = heading + side * float(rng.uniform(0.45, 1.0))
                child_len = float(rng.uniform(0.2, 0.55)) * (0.8**depth)
                self._vessel(
                    kind,
                    child_h,
                    child_h + side * float(rng.normal(0, 0.3)),
                    child_len,
                    w * 0.7,
                    depth + 1,
                    start=(u, v),
                )
        widths.append(widths[-1] if widths else width)
        self.masks.polyline(kind, points, widths)
        if kind == "artery" and depth <= 1:
            reflex_w = [w * (0.45 if self.artery_factor < 1 else 0.3) for w in widths]
            self.masks.polyline("reflex", points, reflex_w)


def _posterior_point(rng: np.random.Generator, fovea, spread: float) -> tuple[float, float]:
    """A point scattered around the posterior pole, kept inside the field of view."""
    while True:
        u = fovea[0] + float(rng.normal(0, spread))
        v = fovea[1] + float(rng.normal(0, spread * 0.8))
        if u * u + v * v < 0.85:
            return u, v


def _draw_lesions(rng: np.random.Generator, masks: _Masks, spec: EyeSpec, disc, fovea) -> None:
    f = spec.findings
    grade = f.dr_grade
    counts = {  # microaneurysms, haemorrhages, exudate clusters, cotton-wool spots
        0: (0, 0, 0, 0),
        1: (rng.integers(5, 14), rng.integers(0, 3), 0, 0),
        2: (rng.integers(12, 30), rng.integers(5, 14), rng.integers(1, 3), rng.integers(0, 3)),
        3: (rng.integers(20, 40), rng.integers(22, 45), rng.integers(1, 4), rng.integers(2, 6)),
        4: (rng.integers(15, 35), rng.integers(12, 30), rng.integers(1, 4), rng.integers(1, 4)),
    }[grade]
    n_ma, n_haem, n_exu, n_cws = (int(c) for c in counts)
    for _ in range(n_ma):
        u, v = _posterior_point(rng, fovea, 0.3)
        masks.dot("red", u, v, float(rng.uniform(0.004, 0.007)))
    for _ in range(n_haem):
        u, v = _posterior_point(rng, fovea, 0.45 if grade >= 3 else 0.3)
        r = float(rng.uniform(0.009, 0.022))
        masks.ellipse("red", u, v, r, r * float(rng.uniform(0.7, 1.3)), 230)
    for _ in range(n_exu):
        cu, cv = _posterior_point(rng, fovea, 0.2)
        for _ in range(int(rng.integers(6, 25))):
            masks.dot(
                "yellow",
                cu + float(rng.normal(0, 0.04)),
                cv + float(rng.normal(0, 0.04)),
                float(rng.uniform(0.003, 0.009)),
            )
    n_cws += int(rng.integers(1, 4)) if f.hypertensive else 0
    for _ in range(n_cws):
        u, v = _posterior_point(rng, disc, 0.25)
        masks.ellipse(
            "white", u, v, float(rng.uniform(0.02, 0.035)), float(rng.uniform(0.015, 0.03))
        )
    if f.hypertensive or grade == 3:  # flame haemorrhages along the nerve fibres
        for _ in range(int(rng.integers(2, 7))):
            angle = float(rng.uniform(0, 2 * math.pi))
            dist = float(rng.uniform(0.12, 0.3))
            u, v = disc[0] + math.cos(angle) * dist, disc[1] + math.sin(angle) * dist
            masks.flame(u, v, angle, float(rng.uniform(0.04, 0.07)), 0.014)
    if grade == 4:
        _draw_new_vessels(rng, masks, disc, fovea)
    if f.amd >= 1:
        for _ in range(int(rng.integers(15, 60))):
            u, v = _posterior_point(rng, fovea, 0.12)
            masks.dot("yellow", u, v, float(rng.uniform(0.006, 0.018)), int(rng.integers(120, 210)))
    if f.amd >= 2:
        r = float(rng.uniform(0.07, 0.13))
        masks.ellipse("pale", fovea[0], fovea[1], r, r * 0.85)
        for _ in range(int(rng.integers(6, 16))):
            u, v = _posterior_point(rng, fovea, 0.08)
            masks.dot("pigment", u, v, float(rng.uniform(0.006, 0.015)))


def _draw_new_vessels(rng: np.random.Generator, masks: _Masks, disc, fovea) -> None:
    """Fine, tortuous new vessels at the disc (NVD) or elsewhere (NVE), often with bleeding."""
    centre = disc if rng.random() < 0.5 else _posterior_point(rng, fovea, 0.4)
    for _ in range(int(rng.integers(12, 25))):
        u = centre[0] + float(rng.normal(0, 0.04))
        v = centre[1] + float(rng.normal(0, 0.04))
        heading = float(rng.uniform(0, 2 * math.pi))
        points = [(u, v)]
        for _ in range(int(rng.integers(5, 10))):
            heading += float(rng.normal(0, 0.9))
            u += math.cos(heading) * 0.012
            v += math.sin(heading) * 0.012
            points.append((u, v))
        masks.polyline("vein", points, [0.004] * len(points))
    if rng.random() < 0.4:  # pre-retinal (boat-shaped) haemorrhage
        u, v = _posterior_point(rng, fovea, 0.35)
        masks.ellipse("red", u, v, float(rng.uniform(0.05, 0.09)), float(rng.uniform(0.03, 0.05)))


def _retina(rng: np.random.Generator, canvas: _Canvas, spec: EyeSpec) -> np.ndarray:
    """Background colour with choroidal texture, tessellation and macular pigment."""
    w, h = canvas.width, canvas.height
    p = spec.pigmentation
    base = np.asarray([0.88 - 0.26 * p, 0.46 - 0.2 * p, 0.22 - 0.12 * p], dtype=np.float32)
    texture = _smooth_noise(rng, (9, 7), (w, h))
    fine = _smooth_noise(rng, (48, 36), (w, h))
    shade = 0.88 + 0.16 * texture + 0.06 * fine
    myopia = spec.findings.myopia
    if myopia > 0:
        # choroidal vessels show through a thin RPE: orange bands, dark gaps between them
        ridges = _smooth_noise(rng, (34, 26), (w, h))
        stripes = np.clip(1.0 - np.abs(ridges - 0.5) * 5.0, 0.0, 1.0)
        shade = shade * (1.0 - 0.32 * myopia) + stripes * (0.24 * myopia)
    img = shade[..., None] * base
    return img.astype(np.float32, copy=False)


def _anatomy(rng: np.random.Generator, canvas: _Canvas, img: np.ndarray, spec: EyeSpec):
    """Macula, optic disc and cup, peripapillary atrophy. Returns (disc, fovea) in units."""
    side_sign = 1.0 if spec.side == "right" else -1.0  # the right eye's disc lies on the right
    fovea = (float(rng.normal(0, 0.03)), float(rng.normal(0.02, 0.03)))
    disc = (
        fovea[0] + side_sign * float(rng.uniform(0.55, 0.64)),
        fovea[1] - float(rng.uniform(0.02, 0.08)),
    )
    rd = float(rng.uniform(0.115, 0.14))  # disc radius, in FOV radii

    box = canvas.box(*fovea, 0.3)
    if box:
        x0, y0, x1, y1 = box
        m = _bump(canvas, box, *fovea, 0.28, 0.24)
        darken = np.asarray([0.22, 0.38, 0.42], dtype=np.float32)
        img[y0:y1, x0:x1] *= 1.0 - m[..., None] * darken
        if spec.age < 55:  # foveal reflex of young eyes
            glint = _bump(canvas, box, *fovea, 0.012, 0.012)
            img[y0:y1, x0:x1] += glint[..., None] * 0.25
    f = spec.findings
    if f.myopia > 0.3:  # temporal crescent of peripapillary atrophy
        temporal = -side_sign
        cu, cv = disc[0] + temporal * rd * 0.45, disc[1]
        box = canvas.box(cu, cv, rd * 1.5)
        if box:
            x0, y0, x1, y1 = box
            crescent = _soft_disc(canvas, box, cu, cv, rd * 1.25, rd * 1.1, 0.02)
            _blend(img[y0:y1, x0:x1], crescent, PALE, 0.8 * f.myopia)
    box = canvas.box(*disc, rd * 1.4)
    if box:
        x0, y0, x1, y1 = box
        halo = _bump(canvas, box, *disc, rd * 1.35, rd * 1.45)
        _blend(img[y0:y1, x0:x1], halo, (0.92, 0.55, 0.32), 0.35)
        rim = _soft_disc(canvas, box, *disc, rd, rd * 1.08, 0.02)
        _blend(img[y0:y1, x0:x1], rim, DISC, 0.92)
        cup_r = rd * f.cdr
        cup = _soft_disc(canvas, box, *disc, cup_r * 0.95, cup_r * 1.05, 0.012)
        _blend(img[y0:y1, x0:x1], cup, CUP, 0.95)
    return disc, fovea


def _camera(rng: np.random.Generator, canvas: _Canvas, img: np.ndarray, spec: EyeSpec):
    """Optics and sensor: cataract haze, light fall-off, colour cast, noise and the FOV mask."""
    cam, f = spec.camera, spec.findings
    w, h = canvas.width, canvas.height
    if f.cataract > 0:
        blur = f.cataract * canvas.radius * 0.02
        rgb = Image.fromarray(_to_uint8(img), "RGB").filter(ImageFilter.GaussianBlur(blur))
        img = np.asarray(rgb, dtype=np.float32) * (1.0 / 255.0)
        _blend(img, np.ones((h, w), dtype=np.float32), HAZE, 0.5 * f.cataract)
    u = ((np.arange(w, dtype=np.float32) - canvas.cx) / canvas.radius)[None, :]
    v = ((np.arange(h, dtype=np.float32) - canvas.cy) / canvas.radius)[:, None]
    r2 = u * u + v * v
    ca, sa = math.cos(cam.light_angle), math.sin(cam.light_angle)
    light = (1.0 - cam.vignetting * (0.55 * r2 + 0.45 * r2 * r2)) * cam.exposure
    light = light * (1.0 + cam.light_gradient * (u * ca + v * sa))
    light = np.clip(light, 0.05, 2.0)
    img = img * light[..., None] * np.asarray(cam.cast, dtype=np.float32)
    img += (rng.standard_normal((h, w), dtype=np.float32) * (cam.noise / 255.0))[..., None]
    radius_px = canvas.radius
    fov = np.clip((1.0 - np.sqrt(r2)) * radius_px / 1.5 + 0.5, 0.0, 1.0)
    if cam.notch:
        cn, sn = math.cos(cam.notch_angle), math.sin(cam.notch_angle)
        along = u * cn + v * sn
        across = -u * sn + v * cn
        fov = np.where((along > 0.93) & (np.abs(across) < 0.06), 0.0, fov)
    img *= fov[..., None]
    return img


def _to_uint8(img: np.ndarray, gamma: float = 1.0) -> np.ndarray:
    levels = np.clip(img * 255.0 + 0.5, 0.0, 255.0).astype(np.uint8)
    if gamma == 1.0:
        return levels
    lut = np.asarray([round(255.0 * (i / 255.0) ** (1.0 / gamma)) for i in range(256)], np.uint8)
    return lut[levels]


def render_eye(
    spec: EyeSpec, size: tuple[int, int], seed: int | np.random.SeedSequence
) -> np.ndarray:
    """Render one eye as an ``(H, W, 3)`` uint8 array; identical bytes for identical inputs."""
    rng = np.random.default_rng(seed)
    width, height = size
    canvas = _Canvas(width, height, spec)
    img = _retina(rng, canvas, spec)
    disc, fovea = _anatomy(rng, canvas, img, spec)
    masks = _Masks(canvas)
    _VesselTree(rng, masks, disc, fovea, spec).grow()
    _draw_lesions(rng, masks, spec, disc, fovea)
    masks.composite(img, blur_px=max(0.5, canvas.radius * 0.0025))
    img = _camera(rng, canvas, img, spec)
    out = _to_uint8(img, spec.camera.gamma)
    if spec.camera.mirrored:
        out = np.ascontiguousarray(out[:, ::-1])
    return out


def encode_jpeg(pixels: np.ndarray, quality: int) -> bytes:
    """JPEG bytes, as a fundus camera would store them (baseline, 4:2:0)."""
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, "JPEG", quality=quality, optimize=False)
    return buffer.getvalue()
