"""Synthetic clinic throughput: patients per second at the demo size and at a camera size.

Baseline: one render process, measured in the same run. Target (issue #2): at least 20
patients/s at the demo size with the demo's settings on this 2-core machine.

    .venv/bin/python benchmarks/synth_speed.py [--patients 200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from retclip.config import load_params
from retclip.data.synth.clinic import generate_clinic

TARGET = 20.0


def measure(params, patients: int, workers: int, size: tuple[int, int]) -> tuple[float, float]:
    settings = params.synth.model_copy(
        update={"patients": patients, "workers": workers, "image_size": size}
    )
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = generate_clinic(Path(tmp) / "raw", settings, progress=False)
        elapsed = time.perf_counter() - start
    return elapsed, summary.bytes / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--camera-patients", type=int, default=4)
    args = parser.parse_args()
    params = load_params("params.yaml")
    demo = params.synth.image_size
    runs = [
        ("baseline: 1 process", args.patients, 1, demo),
        (f"demo: {params.synth.workers} processes", args.patients, params.synth.workers, demo),
        (
            f"camera: {params.synth.workers} processes",
            args.camera_patients,
            params.synth.workers,
            (3888, 2592),
        ),
    ]
    print(
        f"{'run':<24} {'size':>10} {'patients':>9} {'seconds':>8} {'patients/s':>11} "
        f"{'MB':>7} {'vs baseline':>12}"
    )
    baseline = None
    for name, patients, workers, size in runs:
        elapsed, megabytes = measure(params, patients, workers, size)
        rate = patients / elapsed
        baseline = baseline or rate
        print(
            f"{name:<24} {size[0]:>5}x{size[1]:<4} {patients:>9} {elapsed:>8.2f} {rate:>11.1f} "
            f"{megabytes:>7.1f} {rate / baseline:>11.2f}x"
        )
        if name.startswith("demo"):
            verdict = "meets" if rate >= TARGET else "MISSES"
            demo_line = f"demo size: {rate:.1f} patients/s {verdict} the target of {TARGET:.0f}"
    print(demo_line)


if __name__ == "__main__":
    main()
