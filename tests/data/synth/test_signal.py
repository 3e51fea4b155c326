"""The labels are visible in the pixels: simple statistics separate diseased from normal eyes."""

from dataclasses import replace

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from retclip.data.synth.findings import EyeFindings
from retclip.data.synth.fundus import render_eye
from retclip.data.synth.patients import sample_patient

SIZE = (320, 240)


def image_statistics(img: np.ndarray) -> list[float]:
    """Sharpness, contrast, saturation and the extent of the brightest region (the cup)."""
    rgb = img.astype(np.float32)
    lum = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    fov = lum > 25
    fov[1:-1, 1:-1] &= fov[:-2, 1:-1] & fov[2:, 1:-1] & fov[1:-1, :-2] & fov[1:-1, 2:]
    inside = lum[fov]
    lap = np.abs(
        4 * lum[1:-1, 1:-1] - lum[:-2, 1:-1] - lum[2:, 1:-1] - lum[1:-1, :-2] - lum[1:-1, 2:]
    )
    sharpness = lap[fov[1:-1, 1:-1]].mean() / inside.mean()
    saturation = ((rgb.max(-1) - rgb.min(-1)) / (rgb.max(-1) + 1))[fov].mean()
    top = np.quantile(inside, 0.999)
    bright_area = (inside > 0.92 * top).mean()
    return [
        sharpness,
        inside.std() / inside.mean(),
        saturation,
        bright_area,
        np.quantile(inside, 0.99) / top,
    ]


def cohort(condition: str, patients: range) -> tuple[np.ndarray, np.ndarray]:
    """Left eyes of held-apart patients: half normal, half with ``condition``."""
    features, labels = [], []
    for i in patients:
        rng = np.random.default_rng([77, i])
        eye = sample_patient(rng, "en", 0.0).left
        diseased = i % 2 == 1
        findings = EyeFindings(cdr=float(rng.uniform(0.2, 0.45)))
        if diseased and condition == "cataract":
            findings = replace(findings, cataract=float(rng.uniform(0.4, 1.0)))
        if diseased and condition == "glaucoma":
            findings = replace(findings, cdr=float(rng.uniform(0.75, 0.9)))
        img = render_eye(replace(eye, findings=findings), SIZE, i)
        features.append(image_statistics(img))
        labels.append(int(diseased))
    return np.array(features), np.array(labels)


@pytest.mark.parametrize("condition", ["cataract", "glaucoma"])
def test_simple_classifier_separates_disease_from_normal(condition):
    x_train, y_train = cohort(condition, range(0, 120))
    x_test, y_test = cohort(condition, range(1000, 1060))  # other patients entirely
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(x_train, y_train)
    auroc = roc_auc_score(y_test, model.predict_proba(x_test)[:, 1])
    print(f"{condition}: held-out AUROC {auroc:.3f} (chance 0.5)")
    assert auroc >= 0.8
