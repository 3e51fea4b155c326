"""Pre-training speed: patients/s, peak memory, model FLOPs per step and MFU; loader images/s.

Rows, each a full optimiser step (forward, tripartite loss, backward, AdamW) on random inputs:

- ``tiny`` and ``tiny-cnn`` (the demo's) on the CPU, fp32: retclip's step (one image-tower pass
  over the eyes of both sides, fused attention), eager and with compiled blocks
  (``pretrain.compile``); for ``tiny-cnn`` also with the text tower locked, as the demo trains;
  against the naive baseline measured in the same run (a separate forward per eye and per text
  level, eager attention, fp32). CPU rows run in a fresh process each, so the peak resident
  memory is the row's own. Timed steps follow warm-up steps, so compiling is not timed.
- ``paper`` on the CPU (``--cpu-presets paper``), fp32: retclip's step on the reference's work
  (one report for all three levels, context 100) and with per-eye texts, against the public
  reference implementation's step (its model built from its configuration, its loss and AdamW),
  also measured with malloc keeping freed memory as retclip's trainer does
  (:mod:`retclip.train.allocator`), so the table shows what that setting alone is worth.
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
import math
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
import torch.nn.functional as F
from report_corpus import synthetic_reports
from torch import Tensor, nn
from torch.utils.flop_counter import FlopCounterMode

from retclip.config import SynthParams, load_params
from retclip.data.preprocess import EyeJob, process_eye
from retclip.data.shards import ShardWriter
from retclip.data.synth.clinic import generate_clinic
from retclip.model import RetClip, RetClipOutput, TripartiteLoss, preset
from retclip.model.config import LEVELS
from retclip.text.clean import clean_batch
from retclip.text.tokenizer import build_tokenizer, encode
from retclip.train.allocator import keep_freed_memory
from retclip.train.data import PatientIndex, PatientStream, make_loader
from retclip.train.optim import build_optimizer

CONTEXT = 100  # tokens per text, the reference's training length
VOCAB = {"tiny": 8000, "tiny-cnn": 8000, "paper": 21128}
MATRIX_PRODUCTS = {"aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm"}
"""The operators whose share of a profiled CPU step bounds how fast the step can get."""
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
    one_report: bool = False  # one full-context text for all three levels (the reference's work)
    reference: bool = False  # the reference implementation's model, loss and optimiser
    # malloc keeps freed memory, as retclip's trainer sets it on CPU (not the baselines' default)
    keep_memory: bool = True


# The public reference implementation's configuration (ViT-B-16.json and
# RoBERTa-wwm-ext-base-chinese.json): what its training step builds.
REFERENCE_IMAGE = {"size": 224, "patch": 16, "width": 768, "layers": 12, "heads": 12}
REFERENCE_TEXT = {
    "vocab": 21128,
    "hidden": 768,
    "layers": 12,
    "heads": 12,
    "ffn": 3072,
    "positions": 512,
    "dropout": 0.1,
}
REFERENCE_EMBED = 512


class ReferenceBlock(nn.Module):
    """OpenAI-CLIP's pre-norm block on ``[L, N, D]`` (sequence first), ``nn.MultiheadAttention``
    and QuickGELU written out, as the reference builds its image tower."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, heads)
        self.c_fc, self.c_proj = nn.Linear(width, 4 * width), nn.Linear(4 * width, width)

    def forward(self, x: Tensor) -> Tensor:
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        h = self.c_fc(self.ln_2(x))
        return x + self.c_proj(h * torch.sigmoid(1.702 * h))


class ReferenceVisual(nn.Module):
    """The reference's ViT: patches, class token, positions, ``ln_pre``, blocks over
    ``[L, N, D]``, ``ln_post`` on the class token, ``@ proj``."""

    def __init__(self, size: int, patch: int, width: int, layers: int, heads: int, embed: int):
        super().__init__()
        scale = width**-0.5
        self.conv1 = nn.Conv2d(3, width, patch, stride=patch, bias=False)
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(
            scale * torch.randn((size // patch) ** 2 + 1, width)
        )
        self.ln_pre, self.ln_post = nn.LayerNorm(width), nn.LayerNorm(width)
        self.blocks = nn.Sequential(*[ReferenceBlock(width, heads) for _ in range(layers)])
        self.proj = nn.Parameter(scale * torch.randn(width, embed))

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv1(x).flatten(2).permute(0, 2, 1)
        cls = self.class_embedding + torch.zeros(x.shape[0], 1, x.shape[-1])
        x = self.ln_pre(torch.cat([cls, x], dim=1) + self.positional_embedding)
        x = self.blocks(x.permute(1, 0, 2)).permute(1, 0, 2)
        return self.ln_post(x[:, 0, :]) @ self.proj


class ReferenceBertLayer(nn.Module):
    """The reference's BERT layer: separate q, k, v, explicit scores with an additive mask,
    softmax, dropout on the probabilities, erf GELU written out, post-norm."""

    def __init__(self, hidden: int, heads: int, ffn: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.query, self.key = nn.Linear(hidden, hidden), nn.Linear(hidden, hidden)
        self.value, self.dense = nn.Linear(hidden, hidden), nn.Linear(hidden, hidden)
        self.intermediate, self.output = nn.Linear(hidden, ffn), nn.Linear(ffn, hidden)
        self.ln_1, self.ln_2 = nn.LayerNorm(hidden, eps=1e-12), nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        batch, length, hidden = x.shape
        size = hidden // self.heads

        def split(t: Tensor) -> Tensor:
            return t.view(batch, length, self.heads, size).permute(0, 2, 1, 3)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(size) + mask
        probs = self.dropout(torch.softmax(scores, dim=-1))
        context = (probs @ v).permute(0, 2, 1, 3).contiguous().view(batch, length, hidden)
        x = self.ln_1(x + self.dropout(self.dense(context)))
        h = self.intermediate(x)
        h = h * 0.5 * (1.0 + torch.erf(h / math.sqrt(2.0)))
        return self.ln_2(x + self.dropout(self.output(h)))


class ReferenceBert(nn.Module):
    """Word, position and token-type embeddings, LayerNorm, dropout, the layers; the mask
    ``(1 - mask) * -10000`` added to every score."""

    def __init__(
        self,
        vocab: int,
        hidden: int,
        layers: int,
        heads: int,
        ffn: int,
        positions: int,
        dropout: float,
    ):
        super().__init__()
        self.words, self.positions = nn.Embedding(vocab, hidden), nn.Embedding(positions, hidden)
        self.types = nn.Embedding(2, hidden)
        self.ln, self.dropout = nn.LayerNorm(hidden, eps=1e-12), nn.Dropout(dropout)
        self.layers = nn.ModuleList(
            ReferenceBertLayer(hidden, heads, ffn, dropout) for _ in range(layers)
        )
        for module in self.modules():
            if isinstance(module, nn.Linear | nn.Embedding):
                nn.init.normal_(module.weight, std=0.02)

    def forward(self, ids: Tensor, mask: Tensor) -> Tensor:
        positions = torch.arange(ids.shape[1]).expand_as(ids)
        x = self.words(ids) + self.positions(positions) + self.types(torch.zeros_like(ids))
        x = self.dropout(self.ln(x))
        additive = (1.0 - mask[:, None, None, :].float()) * -10000.0
        for layer in self.layers:
            x = layer(x, additive)
        return x


class ReferenceClip(nn.Module):
    """The reference's model and forward: each eye through the image tower apart, the report
    once through the text tower, its ``[CLS]`` through the three heads."""

    def __init__(self):
        super().__init__()
        embed, hidden = REFERENCE_EMBED, REFERENCE_TEXT["hidden"]
        self.visual = ReferenceVisual(**REFERENCE_IMAGE, embed=embed)
        self.bert = ReferenceBert(**REFERENCE_TEXT)
        self.heads = nn.ModuleList(
            nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, embed))
            for _ in LEVELS
        )
        self.global_feature_mapping = nn.Linear(2 * embed, embed, bias=False)
        self.left_feature_mapping = nn.Linear(embed, embed, bias=False)
        self.right_feature_mapping = nn.Linear(embed, embed, bias=False)
        self.logit_scales = nn.Parameter(torch.full((3,), math.log(90.0)))

    def forward(self, left: Tensor, right: Tensor, ids: Tensor) -> Tensor:
        """The tripartite loss of one batch (the reference's ``get_loss``)."""
        f_left, f_right = self.visual(left), self.visual(right)
        images = (
            self.global_feature_mapping(torch.cat([f_left, f_right], dim=1)),
            self.left_feature_mapping(f_left),
            self.right_feature_mapping(f_right),
        )
        cls = self.bert(ids, ids.ne(0))[:, 0, :]
        labels = torch.arange(ids.shape[0])
        total = torch.zeros(())
        for image, head, scale in zip(images, self.heads, self.logit_scales.exp(), strict=True):
            image, text = image / image.norm(dim=-1, keepdim=True), head(cls)
            text = text / text.norm(dim=-1, keepdim=True)
            total = (
                total
                + (
                    F.cross_entropy(scale * image @ text.t(), labels)
                    + F.cross_entropy(scale * text @ image.t(), labels)
                )
                / 2
            )
        return total


def reference_optimizer(model: ReferenceClip) -> torch.optim.AdamW:
    """The reference's AdamW: PyTorch's defaults (a loop over the tensors on a CPU), no weight
    decay on 1-D tensors (norms, biases, logit scales)."""
    params = list(model.parameters())
    groups = [
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": 0.001},
    ]
    return torch.optim.AdamW(groups, lr=1e-5, betas=(0.9, 0.98), eps=1e-6)


def build(row: Row) -> RetClip | ReferenceClip:
    torch.manual_seed(0)
    if row.reference:
        return ReferenceClip().to(row.device).train()
    config = preset(
        row.preset,
        vocab_size=VOCAB[row.preset],
        context_length=CONTEXT,
        image_size=row.image_size,
        embed_dim=row.embed_dim,
    )
    if row.naive:
        config = replace(config, text=replace(config.text, attn_implementation="eager"))
    model = RetClip(config)
    if row.naive:
        for block in getattr(model.visual, "blocks", ()):  # a ViT's; a ResNet has no attention
            block.attn.fused_attn = False
    model.bert.requires_grad_(not row.lock_text)
    model.set_grad_checkpointing(row.checkpointing)
    if row.compile:
        model.compile_blocks()  # as pretrain.compile does
    return model.to(row.device).train()


def model_and_batch(row: Row, size: int) -> tuple[RetClip | ReferenceClip, dict[str, Tensor]]:
    """The row's model and batch; a locked text tower encodes the batch's texts once, as the
    training loop encodes its training texts, and every step looks them up."""
    model, batch = build(row), random_batch(row, size)
    if row.lock_text:
        length = batch["text_ids"].shape[-1]
        model.lock_text_tower(
            batch["text_ids"].reshape(-1, length), batch["text_mask"].reshape(-1, length)
        )
    return model, batch


def random_batch(row: Row, size: int) -> dict[str, Tensor]:
    """Random eyes and texts: per eye, three different half-context texts per patient; with
    ``one_report``, one text filling the context for all three levels (the reference's input)."""
    side = row.image_size or (224 if row.reference else preset(row.preset).image.image_size)
    vocab = REFERENCE_TEXT["vocab"] if row.reference else VOCAB[row.preset]
    g = torch.Generator().manual_seed(0)
    left = torch.randn(size, 3, side, side, generator=g)
    right = torch.randn(size, 3, side, side, generator=g)
    if row.reference or row.one_report:
        ids = torch.randint(1, vocab, (size, 1, CONTEXT), generator=g).expand(-1, 3, -1)
        mask = torch.ones_like(ids)
    else:
        mask = torch.ones(size, 3, CONTEXT, dtype=torch.long)
        mask[:, :, CONTEXT // 2 :] = 0  # half-length reports
        ids = torch.randint(1, vocab, (size, 3, CONTEXT), generator=g) * mask
    batch = {
        "left": left,
        "right": right,
        "has_left": torch.ones(size, dtype=torch.bool),
        "has_right": torch.ones(size, dtype=torch.bool),
        "text_ids": ids.contiguous(),
        "text_mask": mask.contiguous(),
    }
    return {k: v.to(row.device) for k, v in batch.items()}


def naive_forward(model: RetClip, batch: dict[str, Tensor]) -> RetClipOutput:
    """The plain way: each eye through the image tower apart, each text level apart, every
    text at the full context length."""
    f_left, f_right = model.visual(batch["left"]), model.visual(batch["right"])
    images = {
        "patient": model.global_feature_mapping(torch.cat([f_left, f_right], dim=1)),
        "left": model.left_feature_mapping(f_left),
        "right": model.right_feature_mapping(f_right),
    }
    heads = {"patient": model.text_projection, "left": model.text_projection_left}
    heads["right"] = model.text_projection_right
    texts = {}
    for i, level in enumerate(LEVELS):
        ids, mask = batch["text_ids"][:, i], batch["text_mask"][:, i]
        cls = model.bert(input_ids=ids, attention_mask=mask).last_hidden_state[:, 0]
        texts[level] = F.normalize(heads[level](cls), dim=-1)
    return RetClipOutput(
        images={k: F.normalize(v, dim=-1) for k, v in images.items()},
        texts=texts,
        has_left=batch["has_left"],
        has_right=batch["has_right"],
        logit_scales=model.logit_scales(),
    )


def step(model, loss_fn, optimizer, batch, row: Row) -> None:
    if row.reference:
        loss = model(batch["left"], batch["right"], batch["text_ids"][:, 0])
    else:
        autocast = torch.autocast(row.device, dtype=torch.bfloat16) if row.bf16 else nullcontext()
        with autocast:
            out = naive_forward(model, batch) if row.naive else model(**batch)
        loss = loss_fn(out).total
    loss.backward()
    if optimizer is not None:
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)


def flops_per_patient(row: Row, size: int = 2) -> float:
    """Model FLOPs of one training step per patient (forward and backward, no recompute): the
    row's own computation (its text deduplication and trimming) on its own inputs."""
    row = replace(row, compile=False, checkpointing=False, bf16=False)
    model, batch = model_and_batch(row, size)
    with FlopCounterMode(display=False) as counter:
        step(model, TripartiteLoss(), None, batch, row)
    return counter.get_total_flops() / size


def measure_gpu(row: Row, steps: int) -> tuple[Row, dict[str, float]]:
    """Like :func:`measure`; a batch that does not fit is halved until it does."""
    while True:
        try:
            return row, measure(row, steps)
        except torch.OutOfMemoryError:
            torch.cuda.empty_cache()
            print(f"  {row.name}: out of memory at batch {row.batch}, halving it")
            row = replace(row, batch=row.batch // 2, name=f"{row.name} (batch {row.batch // 2})")


def measure(
    row: Row, steps: int, warmup: int = 3, threads: int | None = None, profile: bool = False
) -> dict[str, float | str]:
    """Patients/s, peak memory (GPU: allocated; CPU: resident set of this process), model FLOPs
    per patient and, with ``profile``, the profiler's table of one more step."""
    if threads:
        torch.set_num_threads(threads)
    if row.keep_memory and row.device == "cpu":
        keep_freed_memory()
    model, batch = model_and_batch(row, row.batch)
    if row.reference:
        optimizer = reference_optimizer(model)
    else:
        optimizer = build_optimizer(model, 1e-5, 0.001, (0.9, 0.98), 1e-6)
    loss_fn = TripartiteLoss()
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
    result = {"patients_per_s": row.batch / seconds, "step_s": seconds, "peak_gib": peak}
    if profile:
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            step(model, loss_fn, optimizer, batch, row)
        averages = prof.key_averages()
        result["profile"] = averages.table(sort_by="self_cpu_time_total", row_limit=18)
        total = sum(a.self_cpu_time_total for a in averages)
        gemm = sum(a.self_cpu_time_total for a in averages if a.key in MATRIX_PRODUCTS)
        result["matmul_share"] = gemm / total
    del model, optimizer, batch
    if row.device == "cuda":
        torch.cuda.empty_cache()
    result["flops"] = flops_per_patient(replace(row, device=row.device))
    return result


def measure_in_fresh_process(
    row: Row, steps: int, warmup: int, threads: int, profile: bool
) -> dict[str, float | str]:
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(measure, row, steps, warmup, threads, profile).result()


def peak_flops(override_tflops: float | None) -> tuple[float | None, str]:
    if override_tflops:
        return override_tflops * 1e12, f"{override_tflops:g} TFLOPS (--peak-tflops)"
    name = torch.cuda.get_device_name()
    for key, value in PEAK_BF16:
        if key in name:
            return value, f"{value / 1e12:.0f} TFLOPS dense bf16 ({key})"
    return None, f"unknown for {name}: pass --peak-tflops"


def run_rows(title: str, rows: list[Row], peak: float | None, timer) -> int:
    """Measure the baseline (the last row) first, then print every row as soon as it is done.

    A row that fails (a compile error on an unfamiliar GPU, say) is printed with its error and
    the others still run: a GPU lease is too short to lose them all. Returns the failures.
    """
    print(f"\n{title}")
    print(
        f"{'row':<56} {'patients/s':>10} {'step s':>7} {'peak GiB':>8} {'GFLOP/pt':>8} "
        f"{'TFLOPS':>7} {'MFU':>6}"
    )
    base, failures, profiles, bounds = None, 0, [], []
    for i, row in enumerate([rows[-1], *rows[:-1]]):
        try:
            row, result = timer(row)
        except Exception as exc:  # reported in the table and counted in the exit code
            failures += 1
            reason = (str(exc).strip().splitlines() or [""])[0][:200]
            print(f"{row.name:<56} FAILED: {type(exc).__name__}: {reason}", flush=True)
            continue
        base = result["patients_per_s"] if i == 0 else base
        achieved = result["flops"] * result["patients_per_s"]
        mfu = f"{achieved / peak:.1%}" if peak else "n/a"
        ratio = f"{result['patients_per_s'] / base:.2f}x" if base else "n/a"
        print(
            f"{row.name:<56} {result['patients_per_s']:>10.2f} {result['step_s']:>7.3f} "
            f"{result['peak_gib']:>8.2f} {result['flops'] / 1e9:>8.1f} {achieved / 1e12:>7.3f} "
            f"{mfu:>6}  {ratio}",
            flush=True,
        )
        if "profile" in result:
            profiles.append((row.name, result["profile"]))
            bounds.append((row.name, result["step_s"], result["matmul_share"]))
    if bounds and base:
        base_step = bounds[0][1]
        print(
            "\nmatrix products (mm, addmm, bmm) in the profiled step, and the ratio to the "
            "baseline's step that a row would reach if nothing else in it took any time:"
        )
        for name, step_s, share in bounds:
            bound = base_step / (share * step_s)
            print(f"{name:<56} {share:>6.1%} of its step  at most {bound:.2f}x")
    for name, table in profiles:
        print(f"\nprofile of one step, {name} (operators by self CPU time):\n{table}")
    return failures


def write_shards(folder: Path, patients: int, per_shard: int = 64) -> Path:
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
    writer = ShardWriter(out / "shards", per_shard)
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


def tower_flops(bert: torch.nn.Module, length: int) -> float:
    """FLOPs of one text of ``length`` tokens through the text tower, forward and backward."""
    ids = torch.ones(1, length, dtype=torch.long)
    with FlopCounterMode(display=False) as counter:
        bert(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state[
            :, 0
        ].sum().backward()
    return counter.get_total_flops()


def text_flops_per_patient(name: str, batches: list[tuple[Tensor, Tensor]]) -> tuple[float, float]:
    """Text-tower FLOPs per patient: three passes at the full context, and retclip's pass (each
    distinct text once, trimmed to the batch's longest text), averaged over ``batches``.

    A text's FLOPs are ``a L + b L^2`` (the linear layers, then attention), so two lengths
    measure them exactly."""
    config = preset(name, vocab_size=VOCAB[name], context_length=CONTEXT)
    bert = RetClip(config).bert
    one, two = tower_flops(bert, 1), tower_flops(bert, 2)
    b = (two - 2 * one) / 2
    a = one - b

    def cost(length: int) -> float:
        return a * length + b * length * length

    patients = before = after = 0.0
    for ids, mask in batches:
        size = ids.shape[0]
        flat = torch.cat([ids.flatten(0, 1), mask.flatten(0, 1)], dim=1)
        distinct = torch.unique(flat, dim=0).shape[0]
        longest = int(mask.sum(-1).max())
        patients += size
        before += 3 * size * cost(ids.shape[-1])
        after += distinct * cost(longest)
    return before / patients, after / patients


def demo_tokens(patients: int) -> tuple[Tensor, Tensor]:
    """The demo's texts ``[N, 3, 100]``: synthetic reports (params.yaml's language mix and
    noise), cleaned and split as clean_reports does (an eye without its own text takes the
    patient's, as training does), tokenised by a WordPiece trained on them."""
    params = load_params("params.yaml")
    texts = [
        (r.patient_text, r.left_text or r.patient_text, r.right_text or r.patient_text)
        for r in clean_batch(synthetic_reports(patients, 0), params.clean_reports)
        if r.quarantine_reason is None
    ]
    flat = [t for row in texts for t in row]
    with tempfile.TemporaryDirectory() as tmp:
        ids, mask = encode(build_tokenizer(flat, params.tokenizer, Path(tmp)), flat, CONTEXT)
    return torch.from_numpy(ids).view(-1, 3, CONTEXT), torch.from_numpy(mask).view(-1, 3, CONTEXT)


def report_text_flops(patients: int, batch_sizes: tuple[int, ...]) -> None:
    ids, mask = demo_tokens(patients)
    print(f"\ntext tower GFLOP per patient per step (forward + backward), {len(ids)} demo reports")
    print(
        f"{'preset':<9} {'batch':>5} {'3 passes at 100':>16} {'distinct, trimmed':>18} {'ratio':>6}"
    )
    for size in batch_sizes:
        count = len(ids) // size * size
        batches = list(zip(ids[:count].split(size), mask[:count].split(size), strict=True))
        for name in ("tiny-cnn", "paper"):
            before, after = text_flops_per_patient(name, batches)
            ratio = f"{before / after:.2f}x"
            print(f"{name:<9} {size:>5} {before / 1e9:>16.2f} {after / 1e9:>18.2f} {ratio:>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed steps per row")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (compiling)")
    parser.add_argument("--tiny-batch", type=int, default=32, help="the batch of the CPU rows")
    parser.add_argument(
        "--cpu-presets", default="tiny,tiny-cnn", help="presets of the CPU rows (and paper)"
    )
    parser.add_argument("--threads", type=int, default=2, help="torch threads of the CPU rows")
    parser.add_argument("--profile", action="store_true", help="profile a step of every CPU row")
    parser.add_argument("--paper-batch", type=int, default=256, help="the paper's batch")
    parser.add_argument("--loader-patients", type=int, default=256)
    parser.add_argument("--demo-reports", type=int, default=400, help="0: no text FLOP table")
    parser.add_argument("--peak-tflops", type=float, help="dense bf16 peak of the GPU")
    parser.add_argument("--skip-cpu", action="store_true", help="GPU rows and loader only")
    parser.add_argument("--skip-loader", action="store_true", help="no data loader table")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    print(f"torch {torch.__version__}, {args.threads} CPU threads for the CPU rows")

    def timer(row: Row) -> tuple[Row, dict]:
        return row, measure_in_fresh_process(
            row, args.steps, args.warmup, args.threads, args.profile
        )

    failures = 0
    for name in [] if args.skip_cpu else args.cpu_presets.split(","):
        b = args.tiny_batch
        if name == "paper":
            rows = [
                Row(
                    "paper cpu fp32, retclip, the reference's work: one report",
                    name,
                    "cpu",
                    b,
                    one_report=True,
                ),
                Row("paper cpu fp32, retclip, per-eye texts (the default)", name, "cpu", b),
                Row(
                    "paper cpu fp32, the reference's step, malloc kept",
                    name,
                    "cpu",
                    b,
                    reference=True,
                ),
                Row(
                    "paper cpu fp32, the reference's step: BASELINE",
                    name,
                    "cpu",
                    b,
                    reference=True,
                    keep_memory=False,
                ),
            ]
        else:
            rows = [
                Row(f"{name} cpu fp32, retclip (one tower pass, SDPA)", name, "cpu", b),
                Row(f"{name} cpu fp32, retclip, compiled blocks", name, "cpu", b, compile=True),
            ]
            if name == "tiny-cnn":
                rows.append(
                    Row(
                        f"{name} cpu fp32, retclip, text tower locked",
                        name,
                        "cpu",
                        b,
                        lock_text=True,
                    )
                )
            rows.append(
                Row(
                    f"{name} cpu fp32, naive per eye, eager: BASELINE",
                    name,
                    "cpu",
                    b,
                    naive=True,
                    keep_memory=False,
                )
            )
        title = f"{name} on CPU, batch {b} (peak: resident set)"
        failures += run_rows(title, rows, None, timer)

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
        title = "paper on GPU (peak: max allocated)"
        failures += run_rows(title, rows, peak, lambda row: measure_gpu(row, args.steps))
    else:
        print("\npaper on GPU: skipped, CUDA is not available on this machine")

    if args.demo_reports:
        report_text_flops(args.demo_reports, (args.tiny_batch, 32))
    if not args.skip_loader:
        with tempfile.TemporaryDirectory() as tmp:
            images = write_shards(Path(tmp), args.loader_patients)
            print(f"\ndata loader: {args.loader_patients} patients of 512-px JPEG eyes -> input")
            print(f"{'workers':>7} {'size':>5} {'images/s':>9}")
            for size in (224,):
                for workers in (0, 4):
                    speed = loader_speed(images, args.loader_patients, workers, size)
                    print(f"{workers:>7} {size:>5} {speed:>9.1f}")
    if failures:
        raise SystemExit(f"{failures} row(s) failed: see FAILED above")


if __name__ == "__main__":
    main()
