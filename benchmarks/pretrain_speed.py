"""Pre-training speed: patients/s, peak memory, model FLOPs per step and MFU; loader images/s.

Rows, each a full optimiser step (forward, tripartite loss, backward, AdamW) on random inputs:

- ``tiny`` and ``tiny-cnn`` (the demo's) on the CPU, fp32: retclip's step (one image-tower pass
  over the eyes of both sides, fused attention), eager and with compiled blocks
  (``pretrain.compile``); for ``tiny-cnn`` also with the text tower locked, as the demo trains;
  against the naive baseline measured in the same run (a separate forward per eye and per text
  level, eager attention, fp32). CPU rows run in a fresh process each, so the peak resident
  memory is the row's own. Timed steps follow warm-up steps, so compiling is not timed.
- ``paper`` on a GPU when there is one: bf16 autocast, eager and with compiled blocks, each with
  gradient checkpointing off and on, and the same naive fp32 baseline. Skipped, with the reason,
  on a machine without CUDA.
- The training data loader: images/s decoding 512-pixel shard JPEGs to the model size, with 0
  and 4 worker processes.

Model FLOPs count the matrix products of one step without recomputation (PyTorch's FLOP counter
on a two-patient step with eager attention, scaled to the batch). MFU divides the achieved model
FLOP rate by the GPU's dense bf16 peak (H100 SXM and H200: 989 TFLOPS; H100 PCIe: 756; A100: 312;
or ``--peak-tflops``). Target (issue #5): at least 40% MFU for ``paper`` on one H100.

    .venv/bin/python benchmarks/pretrain_speed.py [--steps 20] [--tiny-batch 32] [--paper-batch 128]
        [--cpu-presets tiny,tiny-cnn]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path

import pandas as pd
import torch
from torch.utils.flop_counter import FlopCounterMode

from retclip.config import SynthParams
from retclip.data.preprocess import EyeJob, process_eye
from retclip.data.shards import ShardWriter
from retclip.data.synth.clinic import generate_clinic
from retclip.model import RetClip, RetClipOutput, TripartiteLoss, preset
from retclip.model.config import LEVELS
from retclip.train.data import PatientIndex, PatientStream, make_loader
from retclip.train.optim import build_optimizer

CONTEXT = 100  # tokens per text, the reference's training length
VOCAB = {"tiny": 8000, "tiny-cnn": 8000, "paper": 21128}
PEAK_BF16 = (("H200", 989.4e12), ("H100 PCIe", 756.5e12), ("H100", 989.4e12), ("A100", 312e12))


@dataclass(frozen=True)
class Row:
    name: str
    preset: str
    device: str
    batch: int
    naive: bool = False
    bf16: bool = False
    checkpointing: bool = False
    compile: bool = False
    lock_text: bool = False
    image_size: int | None = None  # None: the preset's
    embed_dim: int | None = None


def build(row: Row) -> RetClip:
    config = preset(
        row.preset,
        vocab_size=VOCAB[row.preset],
        context_length=CONTEXT,
        image_size=row.image_size,
        embed_dim=row.embed_dim,
    )
    if row.naive:
        config = replace(config, text=replace(config.text, attn_implementation="eager"))
    torch.manual_seed(0)
    model = RetClip(config)
    if row.naive:
        for block in getattr(model.visual, "blocks", ()):  # a ViT's; a ResNet has no attention
            block.attn.fused_attn = False
    model.bert.requires_grad_(not row.lock_text)
    model.set_grad_checkpointing(row.checkpointing)
    if row.compile:
        model.compile_blocks()  # as pretrain.compile does
    return model.to(row.device).train()


def random_batch(model: RetClip, size: int, device: str) -> dict[str, torch.Tensor]:
    side = model.config.image.image_size
    g = torch.Generator().manual_seed(0)
    mask = torch.ones(size, 3, CONTEXT, dtype=torch.long)
    mask[:, :, CONTEXT // 2 :] = 0  # half-length reports
    batch = {
        "left": torch.randn(size, 3, side, side, generator=g),
        "right": torch.randn(size, 3, side, side, generator=g),
        "has_left": torch.ones(size, dtype=torch.bool),
        "has_right": torch.ones(size, dtype=torch.bool),
        "text_ids": torch.randint(1, model.config.text.vocab_size, (size, 3, CONTEXT), generator=g)
        * mask,
        "text_mask": mask,
    }
    return {k: v.to(device) for k, v in batch.items()}


def naive_forward(model: RetClip, batch: dict[str, torch.Tensor]) -> RetClipOutput:
    """The reference's way: each eye through the image tower apart, each text level apart."""
    f_left, f_right = model.visual(batch["left"]), model.visual(batch["right"])
    images = {
        "patient": model.global_feature_mapping(torch.cat([f_left, f_right], dim=1)),
        "left": model.left_feature_mapping(f_left),
        "right": model.right_feature_mapping(f_right),
    }
    texts = {
        level: model.encode_text(batch["text_ids"][:, i], batch["text_mask"][:, i], level)
        for i, level in enumerate(LEVELS)
    }
    return RetClipOutput(
        images={k: torch.nn.functional.normalize(v, dim=-1) for k, v in images.items()},
        texts=texts,
        has_left=batch["has_left"],
        has_right=batch["has_right"],
        logit_scales=model.logit_scales(),
    )


def step(model, loss_fn, optimizer, batch, row: Row) -> None:
    autocast = torch.autocast(row.device, dtype=torch.bfloat16) if row.bf16 else nullcontext()
    with autocast:
        out = naive_forward(model, batch) if row.naive else model(**batch)
    loss_fn(out).total.backward()
    if optimizer is not None:
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)


def flops_per_patient(preset_name: str) -> float:
    """Model FLOPs of one training step per patient (forward and backward, no recompute)."""
    row = Row("flops", preset_name, "cpu", 2, naive=True)
    model = build(row)
    with FlopCounterMode(display=False) as counter:
        step(model, TripartiteLoss(), None, random_batch(model, 2, "cpu"), row)
    return counter.get_total_flops() / 2


def measure_gpu(row: Row, steps: int) -> tuple[Row, dict[str, float]]:
    """Like :func:`measure`; a batch that does not fit is halved until it does."""
    while True:
        try:
            return row, measure(row, steps)
        except torch.OutOfMemoryError:
            torch.cuda.empty_cache()
            print(f"  {row.name}: out of memory at batch {row.batch}, halving it")
            row = replace(row, batch=row.batch // 2, name=f"{row.name} (batch {row.batch // 2})")


def measure(row: Row, steps: int, warmup: int = 3) -> dict[str, float]:
    """Patients/s and peak memory (GPU: allocated; CPU: resident set of this process)."""
    model = build(row)
    optimizer = build_optimizer(model, 1e-5, 0.001, (0.9, 0.98), 1e-6, fused=row.device == "cuda")
    loss_fn, batch = TripartiteLoss(), random_batch(model, row.batch, row.device)
    sync = torch.cuda.synchronize if row.device == "cuda" else (lambda: None)
    for _ in range(warmup):
        step(model, loss_fn, optimizer, batch, row)
    if row.device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    sync()
    start = time.perf_counter()
    for _ in range(steps):
        step(model, loss_fn, optimizer, batch, row)
    sync()
    seconds = (time.perf_counter() - start) / steps
    if row.device == "cuda":
        peak = torch.cuda.max_memory_allocated() / 2**30
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    del model, optimizer, batch
    if row.device == "cuda":
        torch.cuda.empty_cache()
    return {"patients_per_s": row.batch / seconds, "step_s": seconds, "peak_gib": peak}


def measure_in_fresh_process(row: Row, steps: int) -> dict[str, float]:
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(measure, row, steps).result()


def peak_flops(override_tflops: float | None) -> tuple[float | None, str]:
    if override_tflops:
        return override_tflops * 1e12, f"{override_tflops:g} TFLOPS (--peak-tflops)"
    name = torch.cuda.get_device_name()
    for key, value in PEAK_BF16:
        if key in name:
            return value, f"{value / 1e12:.0f} TFLOPS dense bf16 ({key})"
    return None, f"unknown for {name}: pass --peak-tflops"


def run_rows(title: str, rows: list[Row], flops: float, peak: float | None, timer) -> int:
    """Measure the baseline (the last row) first, then print every row as soon as it is done.

    A row that fails (a compile error on an unfamiliar GPU, say) is printed with its error and
    the others still run: a GPU lease is too short to lose them all. Returns the failures.
    """
    print(f"\n{title}")
    print(
        f"model FLOPs per step: {flops * rows[0].batch / 1e12:.3f} TFLOP ({rows[0].batch} patients)"
    )
    print(f"{'row':<52} {'patients/s':>10} {'step s':>7} {'peak GiB':>8} {'TFLOPS':>7} {'MFU':>6}")
    base, failures = None, 0
    for i, row in enumerate([rows[-1], *rows[:-1]]):
        try:
            row, result = timer(row)
        except Exception as exc:  # reported in the table and counted in the exit code
            failures += 1
            reason = (str(exc).strip().splitlines() or [""])[0][:200]
            print(f"{row.name:<52} FAILED: {type(exc).__name__}: {reason}", flush=True)
            continue
        base = result["patients_per_s"] if i == 0 else base
        achieved = flops * result["patients_per_s"]
        mfu = f"{achieved / peak:.1%}" if peak else "n/a"
        ratio = f"{result['patients_per_s'] / base:.2f}x" if base else "n/a"
        print(
            f"{row.name:<52} {result['patients_per_s']:>10.1f} {result['step_s']:>7.3f} "
            f"{result['peak_gib']:>8.2f} {achieved / 1e12:>7.2f} {mfu:>6}  {ratio}",
            flush=True,
        )
    return failures


def write_shards(folder: Path, patients: int) -> Path:
    """512-pixel preprocessed eyes (rendered fundus photographs) in shards, as preprocess does."""
    raw = folder / "raw"
    generate_clinic(
        raw, SynthParams(patients=4, image_size=(768, 576), dirty_rate=0.0), progress=False
    )
    eyes = []
    for path in sorted((raw / "images").glob("*.jpg")):
        job = EyeJob("p", "left", path.name, str(path), 512, 95, 200_000_000)
        eyes.append(process_eye(job)[0])
    out = folder / "images"
    writer = ShardWriter(out / "shards", 64)
    rows = []
    for i in range(patients):
        key = f"P{i:05d}"
        shard = writer.write(
            key, {"left.jpg": eyes[i % len(eyes)], "right.jpg": eyes[-1 - i % len(eyes)]}
        )
        rows.append({"shard": shard, "key": key})
    writer.close()
    pd.DataFrame(rows).to_parquet(out / "images.parquet")
    return out


def loader_speed(images: Path, patients: int, workers: int, size: int) -> float:
    """Eye images per second through the training stream and DataLoader."""
    texts = pd.DataFrame(
        {"patient_id": [f"P{i:05d}" for i in range(patients)], "patient_text": "report"}
    ).assign(left_text="left", right_text="right")
    index = PatientIndex.load(images, texts)
    stream = PatientStream(
        index,
        epoch=0,
        start=0,
        stop=patients,
        micro_batch=16,
        rank=0,
        world_size=1,
        image_size=size,
        eye_dropout=0.0,
        flip_prob=0.0,
        seed=0,
    )
    start = time.perf_counter()
    count = sum(2 * len(batch["patient_id"]) for batch in make_loader(stream, workers, 0, False))
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed steps per row")
    parser.add_argument("--tiny-batch", type=int, default=32)
    parser.add_argument("--cpu-presets", default="tiny,tiny-cnn", help="presets of the CPU rows")
    parser.add_argument("--paper-batch", type=int, default=256, help="the paper's batch")
    parser.add_argument("--loader-patients", type=int, default=256)
    parser.add_argument("--peak-tflops", type=float, help="dense bf16 peak of the GPU")
    parser.add_argument("--skip-cpu", action="store_true", help="GPU rows and loader only")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads")

    timer = lambda row: (row, measure_in_fresh_process(row, args.steps))  # noqa: E731
    failures = 0
    for name in [] if args.skip_cpu else args.cpu_presets.split(","):
        b = args.tiny_batch
        rows = [
            Row(f"{name} cpu fp32, retclip (one tower pass, SDPA)", name, "cpu", b),
            Row(f"{name} cpu fp32, retclip, compiled blocks", name, "cpu", b, compile=True),
        ]
        if name == "tiny-cnn":
            rows.append(
                Row(f"{name} cpu fp32, retclip, text tower locked", name, "cpu", b, lock_text=True)
            )
        rows.append(
            Row(f"{name} cpu fp32, naive per eye, eager: BASELINE", name, "cpu", b, naive=True)
        )
        title = f"{name} on CPU (peak: resident set)"
        failures += run_rows(title, rows, flops_per_patient(name), None, timer)

    if torch.cuda.is_available():
        peak, described = peak_flops(args.peak_tflops)
        print(f"\nGPU: {torch.cuda.get_device_name()}; peak assumed: {described}")
        b = args.paper_batch
        rows = [
            Row(
                f"paper cuda bf16, {'compiled blocks' if compiled else 'eager'}, "
                f"checkpointing {'on' if checkpointing else 'off'}",
                "paper",
                "cuda",
                b,
                bf16=True,
                checkpointing=checkpointing,
                compile=compiled,
            )
            for compiled in (False, True)
            for checkpointing in (False, True)
        ]
        rows.append(
            Row("paper cuda fp32, naive per eye, eager: BASELINE", "paper", "cuda", b, naive=True)
        )
        timer = lambda row: measure_gpu(row, args.steps)  # noqa: E731
        title = "paper on GPU (peak: max allocated)"
        failures += run_rows(title, rows, flops_per_patient("paper"), peak, timer)
    else:
        print("\npaper on GPU: skipped, CUDA is not available on this machine")

    with tempfile.TemporaryDirectory() as tmp:
        images = write_shards(Path(tmp), args.loader_patients)
        print(f"\ndata loader: {args.loader_patients} patients of 512-px JPEG eyes -> model input")
        print(f"{'workers':>7} {'size':>5} {'images/s':>9}")
        for size in (224,):
            for workers in (0, 4):
                speed = loader_speed(images, args.loader_patients, workers, size)
                print(f"{workers:>7} {size:>5} {speed:>9.1f}")
    if failures:
        raise SystemExit(f"{failures} row(s) failed: see FAILED above")


if __name__ == "__main__":
    main()
