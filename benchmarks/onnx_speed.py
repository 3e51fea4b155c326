"""ONNX inference speed on the CPU: onnxruntime (fp32 and int8) against PyTorch eager.

For each preset (random weights, built from config), the image and text graphs are exported
as ``retclip export`` writes them and timed on the same inputs as the same computation in
PyTorch eager (the modules that were exported, under ``torch.inference_mode``), measured in the
same run: latency at batch 1 (one eye; one text) and throughput at batch 32 (16 patients with
both eyes; 32 texts of the full context length). Both runtimes use their default thread pools,
or ``--threads N`` each (on a machine that other jobs share, 1 thread keeps PyTorch's OpenMP pool
from spinning against them, which would flatter onnxruntime). Target (issue #7): onnxruntime at
least 1.3x PyTorch at batch 1.

    .venv/bin/python benchmarks/onnx_speed.py [--presets tiny,paper] [--repeats 20] [--threads N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from retclip.export.graphs import ImageGraph, TextGraph, export_graphs
from retclip.export.layout import GRAPHS, INT8_GRAPHS
from retclip.export.quantize import quantize_graphs
from retclip.export.runtime import ImageRunner, TextRunner, pack_eyes
from retclip.model import RetClip, preset

CONTEXT = 100
VOCAB = {"tiny": 8000, "paper": 21128}
TARGET = 1.3
RUNS = {("paper", 1): 3, ("paper", 32): 1}  # seconds per run on a few cores: a few suffice


def timed(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median seconds per run after one warm-up each; the runtimes take turns, so a machine
    whose load changes during the measurement slows them alike."""
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def inputs(model: RetClip, batch: int, seed: int = 0) -> dict[str, tuple[np.ndarray, ...]]:
    """Image graph inputs for ``batch`` eyes (one eye, or patients with both) and ``batch``
    full-length texts."""
    rng = np.random.default_rng(seed)
    size = model.config.image.image_size
    patients = max(1, batch // 2)
    eyes = rng.standard_normal((patients, 3, size, size), dtype=np.float32)
    has_right = np.full(patients, batch > 1)
    image = pack_eyes(eyes, eyes, np.ones(patients, bool), has_right)
    ids = rng.integers(5, model.config.text.vocab_size, (batch, CONTEXT))
    return {"image": image, "text": (ids, np.ones_like(ids))}


def bench(name: str, repeats: int, threads: int) -> list[tuple]:
    config = preset(name, vocab_size=VOCAB[name], context_length=CONTEXT)
    torch.manual_seed(0)
    model = RetClip(config).eval()
    eager = {"image": ImageGraph(model).eval(), "text": TextGraph(model).eval()}
    rows = []
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        folder = Path(tmp)
        start = time.perf_counter()
        export_graphs(model, folder, opset=18)
        quantize_graphs(folder)
        print(f"{name}: exported and quantised in {time.perf_counter() - start:.0f} s")
        runners = {
            precision: {
                "image": ImageRunner(folder / graphs["image"], threads),
                "text": TextRunner(folder / graphs["text"], threads),
            }
            for precision, graphs in (("fp32", GRAPHS), ("int8", INT8_GRAPHS))
        }
        for batch in (1, 32):
            count = RUNS.get((name, batch), repeats if batch == 1 else max(1, repeats // 10))
            for graph, feeds in inputs(model, batch).items():
                tensors = tuple(torch.from_numpy(a) for a in feeds)
                with torch.inference_mode():
                    t = timed(
                        {
                            "torch": lambda: eager[graph](*tensors),  # noqa: B023
                            "fp32": lambda: runners["fp32"][graph](*feeds),  # noqa: B023
                            "int8": lambda: runners["int8"][graph](*feeds),  # noqa: B023
                        },
                        count,
                    )
                rows.append((name, graph, batch, t["torch"], t["fp32"], t["int8"]))
    return rows


def cell(seconds: float, batch: int) -> str:
    rate = f" ({batch / seconds:,.0f}/s)" if batch > 1 else ""
    return f"{seconds * 1e3:.1f}{rate}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="tiny,paper")
    parser.add_argument("--repeats", type=int, default=20, help="timed runs of tiny at batch 1")
    parser.add_argument("--threads", type=int, default=0, help="threads each; 0: defaults")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    pools = f"{args.threads} threads" if args.threads else "its default threads"
    rows = [
        row for name in args.presets.split(",") for row in bench(name, args.repeats, args.threads)
    ]
    print(
        f"\nCPU; torch {torch.__version__} with {torch.get_num_threads()} threads, onnxruntime "
        f"{ort.__version__} with {pools}; median ms per batch (items/s at batch 32)"
    )
    header = ("preset", "graph", "batch", "PyTorch eager", "ORT fp32", "speed-up", "ORT int8")
    print(
        f"{header[0]:<7}{header[1]:<6}{header[2]:>6}{header[3]:>20}{header[4]:>20}"
        f"{header[5]:>10}{header[6]:>20}{header[5]:>10}"
    )
    met = True
    for name, graph, batch, t_torch, t_fp32, t_int8 in rows:
        print(
            f"{name:<7}{graph:<6}{batch:>6}{cell(t_torch, batch):>20}{cell(t_fp32, batch):>20}"
            f"{t_torch / t_fp32:>9.2f}x{cell(t_int8, batch):>20}{t_torch / t_int8:>9.2f}x"
        )
        if batch == 1:
            met &= t_torch / t_fp32 >= TARGET
    print(f"target (ORT fp32 >= {TARGET}x PyTorch at batch 1): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
