"""Pre-training loop speed: the whole training loop against the model step alone, in one run.

The loop is ``retclip.train.train`` as the pretrain stage runs it: the loader's worker processes
decode 512-pixel shard JPEGs to the model size, each batch's three texts are tokenized, then the
step and the metrics. Its patients/s is the median over steps after the first three, read from
its ``metrics.jsonl``. The step alone (the baseline) is ``pretrain_speed.py``'s measurement of the
same model and settings on random tensors already on the device. The gap is what feeding the step
costs: on a GPU it says whether ``pretrain.workers`` keep up with it.

Settings are a parameters file's ``pretrain`` section (the demo's ``params.yaml`` by default, or
``configs/paper.yaml``), run for ``--steps`` steps with no text warm-up. Reports are made of
finding phrases (no patient data); the tokenizer is a WordPiece trained on them.

    .venv/bin/python benchmarks/pretrain_loop_speed.py [--params configs/paper.yaml]
        [--steps 20] [--device cpu|cuda] [--set pretrain.workers=8 ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from pretrain_speed import CONTEXT, VOCAB, Row, measure, write_shards

from retclip.config import PretrainParams, TokenizerParams, load_params
from retclip.text.tokenizer import encode, load_backend, train_wordpiece
from retclip.train import train
from retclip.train.data import TEXT_COLUMNS

SETTLING_STEPS = 3  # the first steps start workers, compile and warm caches: not counted
PHRASES = (
    "双眼视盘边界清",
    "杯盘比约0.3",
    "杯盘比约0.7，盘沿变窄",
    "黄斑中心凹反光可见",
    "后极部散在微血管瘤及点状出血",
    "可见硬性渗出",
    "视网膜血管走行正常",
    "晶状体混浊，眼底窥不清",
    "豹纹状眼底",
    "视网膜未见明显出血渗出",
)


def synthetic_reports(patients: int, seed: int = 0) -> pd.DataFrame:
    """A patient text and one text per eye, each three to six finding phrases."""
    rng = np.random.default_rng(seed)

    def text() -> str:
        return "，".join(rng.choice(PHRASES, size=rng.integers(3, 7))) + "。"

    ids = {"patient_id": [f"P{i:05d}" for i in range(patients)]}
    return pd.DataFrame(ids | {c: [text() for _ in range(patients)] for c in TEXT_COLUMNS})


def loop_speed(params: PretrainParams, steps: int, device: str, folder: Path) -> float:
    """Median patients/s of the training loop after its settling steps."""
    patients = params.batch_size * steps
    images = write_shards(folder, patients)
    reports = synthetic_reports(patients)
    texts = pd.concat([reports[c] for c in TEXT_COLUMNS])
    tokenizer = train_wordpiece(texts, TokenizerParams(), folder / "tokenizer")
    encoder = partial(encode, load_backend(tokenizer), context_length=CONTEXT)
    run = folder / "run"
    train(
        images,
        reports,
        encoder,
        VOCAB[params.preset],  # the step alone's vocabulary: the same model
        run,
        params.model_copy(update={"epochs": 1, "max_steps": None, "text_mlm_steps": 0}),
        device=device,
    )
    rates = [json.loads(line)["patients_per_s"] for line in (run / "metrics.jsonl").open()]
    return statistics.median(rates[SETTLING_STEPS:])


def step_speed(params: PretrainParams, steps: int, device: str) -> float:
    """Patients/s of the step alone on random tensors (pretrain_speed.py's measurement)."""
    row = Row(
        "step alone",
        params.preset,
        device,
        params.batch_size,
        bf16=params.uses_bf16(device),
        checkpointing=params.grad_checkpointing,
        compile=params.compile,
        lock_text=params.lock_text,
        image_size=params.image_size,
        embed_dim=params.embed_dim,
    )
    if device == "cpu" and params.cpu_threads:
        torch.set_num_threads(params.cpu_threads)  # as the loop runs
    return measure(row, steps, warmup=SETTLING_STEPS)["patients_per_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params.yaml", help="its pretrain section is used")
    parser.add_argument("--steps", type=int, default=20, help="training steps, settling included")
    parser.add_argument(
        "--device", choices=("cpu", "cuda"), default=None, help="default: cuda if present"
    )
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    if args.steps <= SETTLING_STEPS:
        parser.error(f"--steps must exceed the {SETTLING_STEPS} settling steps")
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    params = load_params(args.params, args.set).pretrain
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    with tempfile.TemporaryDirectory() as tmp:
        loop = loop_speed(params, args.steps, device, Path(tmp))
    step = step_speed(params, args.steps - SETTLING_STEPS, device)
    print(
        f"\n{args.params} pretrain on {device}: preset {params.preset}, batch {params.batch_size}, "
        f"workers {params.workers}, compile {params.compile}, "
        f"checkpointing {params.grad_checkpointing}, lock_text {params.lock_text}"
    )
    print(f"{'row':<40} {'patients/s':>10}")
    print(f"{'step alone, random tensors: BASELINE':<40} {step:>10.1f}")
    print(f"{'training loop (loader, tokenizer, step)':<40} {loop:>10.1f}  {loop / step:.2f}x")


if __name__ == "__main__":
    main()
