"""What is wrong with an eye, and how the camera saw it: the inputs of the renderer.

Kept apart from the renderer so that reports, labels and pixels are all derived from one record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Side = Literal["left", "right"]

DR_GRADE_NAMES = ("none", "mild NPDR", "moderate NPDR", "severe NPDR", "PDR")


@dataclass(frozen=True)
class EyeFindings:
    """Clinical state of one eye; every field is visible in the rendered image."""

    dr_grade: int = 0  # 0 none .. 4 proliferative (ICDR)
    cdr: float = 0.3  # vertical cup-to-disc ratio
    amd: int = 0  # 0 none, 1 drusen (early/intermediate), 2 late (pigment, atrophy)
    cataract: float = 0.0  # 0 clear .. 1 dense haze
    myopia: float = 0.0  # 0 none .. 1 marked tessellation with peripapillary atrophy
    hypertensive: int = 0  # 0 none, 1 hypertensive retinopathy

    @property
    def glaucoma(self) -> int:
        """0 normal, 1 suspect, 2 glaucomatous cupping (three classes, as PAPILA)."""
        if self.cdr >= 0.7:
            return 2
        return 1 if self.cdr >= 0.55 else 0

    @property
    def labels(self) -> dict[str, int | float]:
        """The per-eye labels written to the ground truth."""
        return {
            "dr_grade": self.dr_grade,
            "referable_dr": int(self.dr_grade >= 2),
            "cdr": round(self.cdr, 2),
            "glaucoma": self.glaucoma,
            "amd": self.amd,
            "cataract": int(self.cataract >= 0.3),
            "myopia": int(self.myopia >= 0.4),
            "hypertensive": self.hypertensive,
        }

    @property
    def any_disease(self) -> bool:
        labels = self.labels
        return bool(
            labels["dr_grade"]
            or labels["glaucoma"] == 2
            or labels["amd"]
            or labels["cataract"]
            or labels["myopia"]
            or labels["hypertensive"]
        )


@dataclass(frozen=True)
class Camera:
    """Acquisition conditions: framing, optics and exposure of one photograph."""

    fov_scale: float = 1.0  # circle radius / half the image height; > 1 clips top and bottom
    center_dx: float = 0.0  # circle centre offset, fraction of the radius
    center_dy: float = 0.0
    notch: bool = False  # small rectangular notch on the rim, as some cameras mark
    notch_angle: float = 0.0  # radians
    cast: tuple[float, float, float] = (1.0, 1.0, 1.0)  # per-channel gain
    exposure: float = 1.0
    vignetting: float = 0.3
    light_gradient: float = 0.1  # strength of uneven illumination
    light_angle: float = 0.0
    gamma: float = 1.0
    noise: float = 2.0  # sensor noise, in 8-bit levels
    mirrored: bool = False


@dataclass(frozen=True)
class EyeSpec:
    """Everything the renderer needs for one photograph."""

    side: Side
    findings: EyeFindings
    camera: Camera
    pigmentation: float = 0.5  # 0 blond fundus .. 1 heavily pigmented
    age: int = 50
