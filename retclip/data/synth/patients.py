"""Sample a patient: demographics, systemic disease, both eyes' findings and the cameras.

Systemic conditions (diabetes, hypertension, myopia, age) drive both eyes, so a patient's eyes are
correlated but not identical, as in a real screening clinic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from retclip.data.synth import phi
from retclip.data.synth.findings import Camera, EyeFindings, EyeSpec
from retclip.data.synth.reports import Visit

SITES = {
    # site code: (circle scale range, notch probability, colour cast centre); one camera each
    "eastlake": ((1.05, 1.2), 0.6, (1.0, 0.97, 0.95)),
    "riverside": ((0.86, 0.96), 0.0, (1.02, 1.0, 1.05)),
    "hillview": ((0.95, 1.1), 0.3, (0.96, 1.03, 1.0)),
}
DR_GRADES_IF_DIABETIC = (0.3, 0.25, 0.22, 0.12, 0.11)


@dataclass(frozen=True)
class Patient:
    """One synthetic patient: the visit and the specification of each eye."""

    visit: Visit
    left: EyeSpec
    right: EyeSpec


def _clip(x: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, x))


def _eye_findings(rng: np.random.Generator, systemic: dict, age: int) -> EyeFindings:
    dr = systemic["dr_grade"]
    if dr is not None and rng.random() < 0.3:
        dr = int(_clip(dr + int(rng.choice((-1, 1))), 0, 4))
    cdr = systemic["cdr"] + float(rng.normal(0, 0.04))
    cataract = systemic["cataract"]
    if cataract and rng.random() < 0.25:
        cataract = 0.0  # one eye already operated
    return EyeFindings(
        dr_grade=dr or 0,
        cdr=round(_clip(cdr, 0.1, 0.95), 2),
        amd=systemic["amd"] if rng.random() < 0.85 else 0,
        cataract=round(_clip(cataract + float(rng.normal(0, 0.05)), 0, 1), 2) if cataract else 0.0,
        myopia=round(_clip(systemic["myopia"] + float(rng.normal(0, 0.08)), 0, 1), 2)
        if systemic["myopia"]
        else 0.0,
        hypertensive=systemic["hypertensive"],
    )


def _systemic(rng: np.random.Generator, age: int) -> dict:
    diabetic = rng.random() < 0.4
    glaucoma = rng.random() < (0.12 + 0.1 * (age > 60))
    return {
        "dr_grade": int(rng.choice(5, p=DR_GRADES_IF_DIABETIC)) if diabetic else None,
        "cdr": float(rng.uniform(0.6, 0.9)) if glaucoma else float(rng.uniform(0.2, 0.5)),
        "amd": int(rng.choice((1, 2), p=(0.7, 0.3))) if age > 55 and rng.random() < 0.25 else 0,
        "cataract": float(rng.uniform(0.3, 1.0))
        if rng.random() < (0.05 + 0.25 * (age > 65))
        else 0.0,
        "myopia": float(rng.uniform(0.4, 1.0)) if rng.random() < 0.15 else 0.0,
        "hypertensive": int(rng.random() < (0.08 + 0.1 * (age > 50))),
    }


def _camera(rng: np.random.Generator, site: str, mirrored: bool) -> Camera:
    scale, notch_p, cast = SITES[site]
    return Camera(
        fov_scale=float(rng.uniform(*scale)),
        center_dx=float(rng.normal(0, 0.03)),
        center_dy=float(rng.normal(0, 0.03)),
        notch=bool(rng.random() < notch_p),
        notch_angle=float(rng.choice((0.0, np.pi / 2, np.pi))) + float(rng.normal(0, 0.05)),
        cast=tuple(float(c * rng.uniform(0.93, 1.07)) for c in cast),
        exposure=float(rng.uniform(0.8, 1.2)),
        vignetting=float(rng.uniform(0.2, 0.55)),
        light_gradient=float(rng.uniform(0.0, 0.35)),
        light_angle=float(rng.uniform(0, 2 * np.pi)),
        gamma=float(rng.uniform(0.85, 1.2)),
        noise=float(rng.uniform(1.0, 4.0)),
        mirrored=mirrored,
    )


def sample_patient(rng: np.random.Generator, lang: str, mirror_rate: float) -> Patient:
    """Draw one patient with both eyes; the caller decides later whether an eye goes missing."""
    age = int(_clip(rng.normal(58, 16), 18, 97))
    sex = "M" if rng.random() < 0.5 else "F"
    site = list(SITES)[int(rng.integers(len(SITES)))]
    systemic = _systemic(rng, age)
    pigmentation = float(rng.beta(2, 2))
    exam = phi.random_date(rng, date(2016, 1, 1), date(2025, 12, 31))
    name = phi.zh_name(rng) if lang == "zh" else phi.en_name(rng)
    visit = Visit(lang=lang, name=name, sex=sex, age=age, exam_date=exam, site=site)
    base_camera = _camera(rng, site, mirrored=False)
    eyes = {}
    for side in ("left", "right"):
        camera = replace(
            base_camera,
            exposure=base_camera.exposure * float(rng.uniform(0.92, 1.08)),
            center_dx=float(rng.normal(0, 0.03)),
            center_dy=float(rng.normal(0, 0.03)),
            light_angle=float(rng.uniform(0, 2 * np.pi)),
            mirrored=bool(rng.random() < mirror_rate),
        )
        eyes[side] = EyeSpec(
            side=side,
            findings=_eye_findings(rng, systemic, age),
            camera=camera,
            pigmentation=_clip(pigmentation + float(rng.normal(0, 0.03)), 0, 1),
            age=age,
        )
    return Patient(visit=visit, left=eyes["left"], right=eyes["right"])
