"""Preprocessing speed on camera-sized JPEGs (3888x2592 -> 512), one core.

Baseline, measured in the same run: the naive path, which decodes every JPEG at full size and
then finds the field of view, crops and resizes. Ours decodes at a reduced DCT scale (Pillow
draft mode). Targets (issue #3): at least 4x the naive path and at least 25 images/s per core.

    .venv/bin/python benchmarks/preprocess_speed.py [--images 8] [--repeats 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from retclip.config import SynthParams
from retclip.data.preprocess import EyeJob, process_eye
from retclip.data.synth.clinic import generate_clinic

CAMERA = (3888, 2592)
SIZE = 512


def timed(jobs: list[EyeJob], repeats: int) -> float:
    """Best-of-``repeats`` seconds per image on one core."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for job in jobs:
            process_eye(job)
        best = min(best, (time.perf_counter() - start) / len(jobs))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        print(f"rendering {args.images} synthetic photographs at {CAMERA[0]}x{CAMERA[1]} ...")
        generate_clinic(
            raw,
            SynthParams(
                patients=(args.images + 1) // 2,
                image_size=CAMERA,
                dirty_rate=0.0,
                workers=2,
                jpeg_quality=92,
            ),
            progress=False,
        )
        files = sorted((raw / "images").glob("*.jpg"))[: args.images]
        ours = [EyeJob("p", "left", f.name, str(f), SIZE, 95, 200_000_000) for f in files]
        naive = [replace(job, draft=False) for job in ours]
        megabytes = sum(f.stat().st_size for f in files) / len(files) / 1e6
        t_naive, t_ours = timed(naive, args.repeats), timed(ours, args.repeats)
    print(
        f"\n{len(files)} JPEGs of {CAMERA[0]}x{CAMERA[1]} ({megabytes:.1f} MB each) -> "
        f"{SIZE}x{SIZE}, one core, best of {args.repeats}"
    )
    print(f"{'path':<34} {'ms/image':>9} {'images/s':>9} {'speed-up':>9}")
    print(
        f"{'baseline: full decode + crop':<34} {t_naive * 1e3:>9.1f} {1 / t_naive:>9.1f} "
        f"{1.0:>8.2f}x"
    )
    print(
        f"{'draft decode + crop (retclip)':<34} {t_ours * 1e3:>9.1f} {1 / t_ours:>9.1f} "
        f"{t_naive / t_ours:>8.2f}x"
    )
    ok = t_naive / t_ours >= 4 and 1 / t_ours >= 25
    print(f"targets (>= 4x, >= 25 images/s per core): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
