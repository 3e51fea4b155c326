"""What the vendor-neutral kernels cost: the demo's pre-training step under three kernel choices.

Issue 33: MKL's AVX2 branch is honoured on Intel CPUs only, so versioned runs now take MKL's
``COMPATIBLE`` branch, the one MKL keeps the same on Intel and AMD (``retclip.dispatch``).
Rows, each in fresh processes taking turns (the kernel choice is read when the libraries
load), best round of each:

- ``native``: every library picks its own kernels (``RETCLIP_NATIVE_KERNELS=1``): the baseline;
- ``before``: the pinning before issue 33 (MKL asked for its AVX2 branch);
- ``now``: the pinning of versioned runs (MKL ``COMPATIBLE,STRICT``);
- ``no-onednn``: ``now`` with torch's oneDNN off (convolutions through ATen's im2col and MKL),
  the way to keep oneDNN's cache-dependent blockings out, and what it would cost.

Steps are the demo's (``tiny-cnn``, batch 32, one torch thread as each of the demo's two
pre-trainings runs), with the text tower locked as the demo trains and unlocked (what the text
warm-up's matrix products cost).

    .venv/bin/python benchmarks/kernel_cost.py [--steps 8] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from retclip.dispatch import PINNED

BEFORE = {**PINNED, "MKL_CBWR": "AVX2,STRICT"}
"""The pinning before issue 33."""
SETTINGS = {
    "native": {"RETCLIP_NATIVE_KERNELS": "1"},
    "before": {"RETCLIP_NATIVE_KERNELS": "1", **BEFORE},
    "now": PINNED,
    "no-onednn": PINNED,
}
"""The environment of each setting's processes, set before any library loads."""
ROWS = {"text locked (the demo's step)": True, "text unlocked": False}


def child(setting: str, steps: int) -> None:
    """One setting's rows in this process; prints patients/s per row as JSON."""
    import torch
    from pretrain_speed import Row, measure

    from retclip.dispatch import kernel_dispatch

    rates = {}
    with torch.backends.mkldnn.flags(enabled=setting != "no-onednn"):
        for name, locked in ROWS.items():
            row = Row(name, "tiny-cnn", "cpu", 32, lock_text=locked)
            rates[name] = measure(row, steps, warmup=2, threads=1)["patients_per_s"]
    kernels = {**kernel_dispatch(), "onednn_used": str(setting != "no-onednn")}
    print(json.dumps({"rates": rates, "kernels": kernels}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=8, help="timed steps per row")
    parser.add_argument("--rounds", type=int, default=2, help="turns of the three settings")
    parser.add_argument("--child", choices=list(SETTINGS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.steps)
        return
    best: dict[str, dict[str, float]] = {name: {} for name in SETTINGS}
    kernels = {}
    for _ in range(args.rounds):
        for name, env in SETTINGS.items():
            done = subprocess.run(
                [sys.executable, __file__, "--child", name, "--steps", str(args.steps)],
                env={**os.environ, **env},
                cwd=Path(__file__).parent,
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(done.stdout.splitlines()[-1])
            kernels[name] = result["kernels"]
            for row, rate in result["rates"].items():
                best[name][row] = max(best[name].get(row, 0.0), rate)
    print(f"tiny-cnn pre-training step, batch 32, 1 thread; best of {args.rounds} rounds")
    print(f"{'kernels':<8} {'row':<32} {'patients/s':>10} {'vs native':>10}  choice")
    for name in SETTINGS:
        for row in ROWS:
            ratio = best[name][row] / best["native"][row]
            choice = ", ".join(f"{k}={v}" for k, v in kernels[name].items())
            print(f"{name:<8} {row:<32} {best[name][row]:>10.1f} {ratio:>9.2f}x  {choice}")


if __name__ == "__main__":
    main()
