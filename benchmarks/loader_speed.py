"""Training loader speed and memory: today's loader against the one before issue 34, in one run.

Each loader streams 512-pixel shard JPEGs (rendered fundus photographs, preprocessed and sharded
as the preprocess stage does, ``preprocess.shard_size`` patients a shard) through
``PatientStream`` and the DataLoader with ``pretrain.workers`` worker processes, at a parameters
file's ``pretrain`` settings (``configs/paper.yaml`` by default: 224-pixel inputs, its
augmentation, micro-batches of ``batch_size``). Every run is a fresh process.

- eyes/s per core: eyes delivered per CPU-second of the worker processes (user + system), so the
  figure is one core's rate whatever else shares the machine; median over ``--rounds`` rounds,
  the two loaders taking turns.
- peak RSS: the largest resident set of one worker process, and of the main process, for
  ``--small`` and ``--patients`` patients.

The loader before issue 34 (``before``) is today's stream with its old ``pixels``: Pillow's
bicubic resize, then CLIP-normalised float32 made in the worker.

    .venv/bin/python benchmarks/loader_speed.py [--params configs/paper.yaml] [--patients 4000]
        [--small 400] [--rounds 3] [--set pretrain.workers=8 ...]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from pretrain_speed import write_shards
from tqdm import tqdm

from retclip.config import load_params
from retclip.model.preprocessing import decode_to_model_input
from retclip.train.data import TEXT_COLUMNS, PatientIndex, PatientStream, make_loader

LOADERS = ("before", "after")


class StreamBefore(PatientStream):
    """The stream before issue 34: float32 model inputs made in the worker with Pillow."""

    def pixels(self, encoded: bytes, rng: np.random.Generator) -> torch.Tensor:
        return torch.from_numpy(
            decode_to_model_input(encoded, self.image_size, self.local_contrast, self.camera(rng))
        )


def reports(patients: int) -> pd.DataFrame:
    """One short text per level: the loader only carries them."""
    ids = [f"P{i:05d}" for i in range(patients)]
    return pd.DataFrame({"patient_id": ids} | {c: "report" for c in TEXT_COLUMNS})


def measure(loader: str, images: Path, patients: int, params_file: str, overrides: list[str]):
    """Run one loader over one epoch in this process; its figures as a dict."""
    torch.set_num_threads(1)
    params = load_params(params_file, overrides).pretrain
    stream_class = StreamBefore if loader == "before" else PatientStream
    stream = stream_class(
        PatientIndex.load(images, reports(patients)),
        epoch=0,
        start=0,
        stop=patients // params.batch_size * params.batch_size,
        micro_batch=params.batch_size,
        rank=0,
        world_size=1,
        image_size=params.image_size,
        local_contrast=params.local_contrast,
        photometric_aug=params.photometric_aug,
        eye_dropout=params.eye_dropout,
        flip_prob=params.flip_swap_prob,
        seed=params.seed,
    )
    start = time.perf_counter()
    eyes = sum(
        int(batch["has_left"].sum() + batch["has_right"].sum())
        for batch in make_loader(stream, params.workers, params.seed, False)
    )
    wall = time.perf_counter() - start
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers, joined at the end
    return {
        "eyes": eyes,
        "wall_s": wall,
        "worker_cpu_s": workers.ru_utime + workers.ru_stime,
        "worker_rss_mb": workers.ru_maxrss / 1024,
        "main_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def in_fresh_process(loader: str, images: Path, patients: int, args: argparse.Namespace) -> dict:
    command = [sys.executable, __file__, "--params", args.params, "--measure", loader]
    command += ["--images", str(images), "--patients", str(patients)]
    command += [f"--set={item}" for item in args.set]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="configs/paper.yaml", help="its pretrain section")
    parser.add_argument("--patients", type=int, default=4000, help="the speed runs' patients")
    parser.add_argument("--small", type=int, default=400, help="patients of the memory run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--measure", choices=LOADERS, help=argparse.SUPPRESS)
    parser.add_argument("--images", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    if args.measure:
        print(json.dumps(measure(args.measure, args.images, args.patients, args.params, args.set)))
        return
    params = load_params(args.params, args.set)
    with tempfile.TemporaryDirectory() as tmp:
        images = {
            n: write_shards(Path(tmp) / str(n), n, params.preprocess.shard_size)
            for n in (args.small, args.patients)
        }
        runs = [(loader, args.patients) for _ in range(args.rounds) for loader in LOADERS]
        runs += [(loader, args.small) for loader in LOADERS]
        results: dict[tuple[str, int], list[dict]] = {}
        for loader, n in tqdm(runs, desc="loader runs", unit="run"):
            results.setdefault((loader, n), []).append(in_fresh_process(loader, images[n], n, args))
    report(results, params.pretrain, args)


def report(results: dict[tuple[str, int], list[dict]], pretrain, args: argparse.Namespace) -> None:
    def per_core(loader: str) -> float:
        return statistics.median(
            r["eyes"] / r["worker_cpu_s"] for r in results[(loader, args.patients)]
        )

    def wall(loader: str) -> float:
        return statistics.median(r["eyes"] / r["wall_s"] for r in results[(loader, args.patients)])

    base = per_core("before")
    print(
        f"\n{args.params}: {pretrain.image_size}-pixel inputs, workers {pretrain.workers}, "
        f"micro-batch {pretrain.batch_size}, photometric_aug {pretrain.photometric_aug}, "
        f"local_contrast {pretrain.local_contrast}, eye_dropout {pretrain.eye_dropout}, "
        f"flip {pretrain.flip_swap_prob}; {args.patients} patients, median of {args.rounds}"
    )
    print(f"{'loader':<36} {'eyes/s per core':>15} {'ratio':>6} {'eyes/s (wall)':>13}")
    for loader, name in zip(LOADERS, ("before issue 34: BASELINE", "after issue 34"), strict=True):
        rate = per_core(loader)
        print(f"{name:<36} {rate:>15.0f} {rate / base:>5.2f}x {wall(loader):>13.0f}")
    print(f"\n{'peak RSS, MB':<36} {'patients':>8} {'one worker':>11} {'main':>8}")
    for loader in LOADERS:
        for n in (args.small, args.patients):
            r = max(results[(loader, n)], key=lambda r: r["worker_rss_mb"])
            print(f"{loader:<36} {n:>8} {r['worker_rss_mb']:>11.0f} {r['main_rss_mb']:>8.0f}")
    print(f"\nloader eyes/s per core: {per_core('after'):.0f} (today's loader: {base:.0f})")


if __name__ == "__main__":
    main()
