"""How much glaucoma signal survives the local-contrast input filter, by gain.

Glaucoma shows as a large, pale cup inside the bright optic disc. A filter that clips the disc to
white erases it. This measures, on a synthetic clinic's eyes at the tiny model's input size, how
well simple disc-brightness features (no training) separate glaucomatous eyes (C/D >= 0.7) from
the rest, as AUROC: the baseline is the unfiltered image, in the same run. A variant keeps the
signal when its AUROC stays near the baseline's. The default filter is gain 4, unclipped.

    .venv/bin/python benchmarks/local_contrast_signal.py [--clinic outputs/eval_clinic]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from tqdm import tqdm

from retclip.config import load_params
from retclip.model.config import CLIP_MEAN, CLIP_STD
from retclip.model.preprocessing import local_contrast_filter, photo_to_model_input

# (gain, clipped to 0..1 as Graham's 8-bit images are); None: the unfiltered baseline
FILTERS = (None, (2.0, True), (4.0, True), (2.0, False), (4.0, False))
BRIGHTEST = (10, 30, 60)  # features: mean green + blue of the N brightest pixels


def disc_features(pixels: np.ndarray) -> list[float]:
    """Brightness of the disc region, found as the brightest pixels of green + blue."""
    brightness = np.sort((pixels[1] + pixels[2]).ravel())[::-1]
    return [float(brightness[:n].mean()) for n in BRIGHTEST]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clinic", type=Path, default=Path("outputs/eval_clinic"))
    parser.add_argument("--size", type=int, default=96, help="model input size (tiny: 96)")
    args = parser.parse_args()
    params = load_params(Path("params.yaml"))
    eyes = pd.read_csv(args.clinic / "truth" / "eyes.csv", dtype={"image": str})
    eyes = eyes[eyes["image"].notna() & (eyes["image"] != "")]
    mean = np.asarray(CLIP_MEAN, dtype=np.float32).reshape(3, 1, 1)
    std = np.asarray(CLIP_STD, dtype=np.float32).reshape(3, 1, 1)
    photos = []
    for image in tqdm(eyes["image"], desc="eyes", unit="eye"):
        normalised = photo_to_model_input(
            args.clinic / image,
            params.preprocess.size,
            params.preprocess.jpeg_quality,
            args.size,
            params.validate_.max_image_pixels,
        )
        photos.append(normalised * std + mean)
    glaucoma = (eyes["glaucoma"].to_numpy() >= 2).astype(int)
    print(f"{len(photos)} eyes, {glaucoma.sum()} glaucomatous, at {args.size} px")
    header = " ".join(f"{'top ' + str(n):>8}" for n in BRIGHTEST)
    print(f"{'filter':<20} {header} {'best':>6} {'vs baseline':>12}")
    baseline = None
    for variant in FILTERS:
        if variant is None:
            filtered = photos
        else:
            gain, clip = variant
            filtered = [local_contrast_filter(p, gain=gain, clip=clip) for p in photos]
        features = np.asarray([disc_features(p) for p in filtered])
        aurocs = [roc_auc_score(glaucoma, features[:, i]) for i in range(features.shape[1])]
        best = max(aurocs)
        baseline = baseline or best
        name = (
            "none (baseline)"
            if variant is None
            else f"gain {gain:g}, " + ("clipped" if clip else "unclipped")
        )
        cells = " ".join(f"{a:>8.3f}" for a in aurocs)
        print(f"{name:<20} {cells} {best:>6.3f} {best - baseline:>+12.3f}")


if __name__ == "__main__":
    main()
