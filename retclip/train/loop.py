"""RET-CLIP pre-training, readable top to bottom (in the manner of nanoGPT's ``train.py``).

One process per device; ``torchrun`` starts several (see :mod:`retclip.train.distributed`). The
global batch of a step is ``params.batch_size`` patients, split over ranks and accumulation steps;
accumulation recomputes each micro-batch with every other micro-batch's embeddings as negatives
(GradCache, like open_clip's ``accum_freq``), so the loss and gradients are those of the whole
batch at once. On CPU the run is deterministic: the same inputs and seed give the same weights.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd
import torch
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm

from retclip.config import PretrainParams
from retclip.model.config import LEVELS, preset
from retclip.model.loss import LossOutput, TripartiteLoss
from retclip.model.retclip import RetClip, RetClipOutput
from retclip.pipes import ProgressLog
from retclip.train.allocator import keep_freed_memory
from retclip.train.checkpoint import (
    CheckpointError,
    latest_checkpoint,
    load_checkpoint,
    save_checkpoint,
)
from retclip.train.data import (
    TEXT_COLUMNS,
    DataError,
    PatientIndex,
    PatientStream,
    TextEncoder,
    make_loader,
    to_model_inputs,
)
from retclip.train.distributed import DistEnv, distributed
from retclip.train.metrics import MetricsLog, plot_losses
from retclip.train.optim import build_optimizer, warmup_cosine
from retclip.train.text_warmup import warm_up_text_tower_once

MODEL_DIR = "model"
CHECKPOINT_DIR = "checkpoints"
METRICS_FILE = "metrics.jsonl"
LOSS_PLOT = "loss.png"
# Beside the output folder, so that runs writing into sibling folders (the demo's two
# pre-trainings) share the warmed text tower; not part of any output's version.
WARM_UP_CACHE = Path(".cache", "text_warmup")


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite; the weights were not updated with it."""


@dataclass(frozen=True)
class TrainResult:
    model_dir: Path  # self-contained: RetClip.from_pretrained(model_dir)
    steps: int  # optimiser steps done (over all invocations, when resumed)
    total_steps: int  # epochs x steps per epoch
    patients: int  # patients trained on (in the shards and in the reports table)
    without_report: int  # patients in the shards that were skipped for lack of a report
    first_loss: float | None  # of the first step this invocation ran
    last_loss: float | None
    checkpoint: Path | None
    # first and last step of the text warm-up (a resumed run: the one its checkpoint began with)
    text_mlm_loss: tuple[float, float] | None = None


def train(
    images: Path,
    reports: pd.DataFrame,
    text_encoder: TextEncoder,
    vocab_size: int,
    out: Path,
    params: PretrainParams,
    tokenizer_dir: Path | None = None,
    resume: bool = False,
    progress: bool = True,
    device: str | None = None,
    mask_token_id: int | None = None,
    log: Callable[[str], None] | None = None,
) -> TrainResult:
    """Pre-train on the preprocess output ``images`` and the cleaned ``reports`` table.

    Writes ``out/model`` (config.json, model.safetensors, the tokenizer's files),
    ``out/checkpoints``, ``out/metrics.jsonl`` and ``out/loss.png``. Under ``torchrun`` every rank
    calls this; only rank 0 writes. ``device`` forces ``"cpu"`` or ``"cuda"``.
    ``mask_token_id`` (the tokenizer's ``[MASK]``) is needed by the text warm-up only.
    ``progress`` shows progress bars; ``log`` takes progress lines (step, epoch, loss,
    patients/s, ETA) every few seconds, for a log that is no terminal (Dagster's run log).
    """
    deterministic = torch.are_deterministic_algorithms_enabled()
    threads = torch.get_num_threads()
    with distributed(device) as env:
        if env.device.type == "cpu":
            torch.use_deterministic_algorithms(True)
            torch.set_num_threads(params.cpu_threads or threads)
            keep_freed_memory()
        try:
            return _train(
                env,
                Path(images),
                reports,
                text_encoder,
                vocab_size,
                Path(out),
                params,
                tokenizer_dir,
                resume,
                progress,
                mask_token_id,
                log,
            )
        finally:
            torch.use_deterministic_algorithms(deterministic)
            torch.set_num_threads(threads)


@contextmanager
def _torch_threads(count: int | None) -> Iterator[None]:
    """torch's CPU threads set to ``count`` inside the block (``None``: left as they are)."""
    before = torch.get_num_threads()
    torch.set_num_threads(count or before)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _train(
    env: DistEnv,
    images: Path,
    reports: pd.DataFrame,
    text_encoder: TextEncoder,
    vocab_size: int,
    out: Path,
    params: PretrainParams,
    tokenizer_dir: Path | None,
    resume: bool,
    progress: bool,
    mask_token_id: int | None,
    log: Callable[[str], None] | None,
) -> TrainResult:
    # -- data: the global batch is split over ranks and accumulation steps ----------------------
    index = PatientIndex.load(images, reports)
    splits = env.world_size * params.accum_freq
    if params.batch_size % splits:
        raise ValueError(
            f"pretrain.batch_size {params.batch_size} is not divisible by "
            f"{env.world_size} rank(s) x accum_freq {params.accum_freq}"
        )
    micro_batch = params.batch_size // splits
    steps_per_epoch = len(index) // params.batch_size
    if steps_per_epoch == 0:
        raise DataError(
            f"{len(index)} patients with a report is less than one batch of {params.batch_size}"
        )
    total_steps = params.epochs * steps_per_epoch
    stop_at = min(total_steps, params.max_steps or total_steps)
    context_length = int(torch.as_tensor(text_encoder(["probe"])[0]).shape[1])
    log = log if env.is_main else None

    # -- model, optimiser, schedule ------------------------------------------------------------
    config = preset(
        params.preset,
        vocab_size=vocab_size,
        context_length=context_length,
        image_size=params.image_size,
        embed_dim=params.embed_dim,
        logit_scale_init=params.logit_scale_init,
        logit_scale_max=params.logit_scale_max,
        local_contrast=params.local_contrast,
    )
    torch.manual_seed(params.seed)  # the same initial weights on every rank
    model = RetClip(config)
    model.load_tower_weights(image=params.image_weights, text=params.text_weights)
    model.to(env.device)
    checkpoints = out / CHECKPOINT_DIR
    last_checkpoint = latest_checkpoint(checkpoints)
    mlm_losses = []
    # A checkpoint holds the warmed tower. Every rank warms up alike (same seed, same texts).
    if params.text_mlm_steps and last_checkpoint is None:
        if mask_token_id is None:
            raise ValueError("pretrain.text_mlm_steps needs the tokenizer's [MASK] token id")
        texts = [text for column in TEXT_COLUMNS for text in reports[column].dropna() if text]
        cpu = env.device.type == "cpu"
        with _torch_threads(params.text_mlm_threads if cpu else None):
            mlm_losses = warm_up_text_tower_once(
                model.bert,
                texts,
                text_encoder,
                mask_token_id,
                params.text_mlm_steps,
                params.lr,
                params.seed,
                out.parent / WARM_UP_CACHE,
                progress and env.is_main,
                log,
            )
    model.bert.requires_grad_(not params.lock_text)
    model.set_grad_checkpointing(params.grad_checkpointing)
    if params.compile:
        model.compile_blocks()
    cuda = env.device.type == "cuda"
    optimizer = build_optimizer(model, params.lr, params.weight_decay, params.betas, params.eps)
    scheduler = warmup_cosine(optimizer, params.warmup_steps, total_steps)
    bf16 = params.uses_bf16(env.device.type)
    autocast = partial(torch.autocast, env.device.type, dtype=torch.bfloat16, enabled=bf16)
    loss_fn = TripartiteLoss(
        {
            "patient": params.lambda_patient,
            "left": params.lambda_left,
            "right": params.lambda_right,
        },
        rank=env.rank,
        world_size=env.world_size,
    )

    # -- resume: weights, optimiser, schedule, RNG and data position ---------------------------
    run_params = params.model_dump(mode="json")
    step = 0
    if last_checkpoint is not None and not resume:
        raise CheckpointError(
            f"{checkpoints} holds a run already; resume it or choose another output folder"
        )
    if last_checkpoint is not None:
        state = load_checkpoint(last_checkpoint, model, run_params)
        if state["patients"] != len(index):
            raise CheckpointError(
                f"{last_checkpoint} trained on {state['patients']} patients, "
                f"the data now has {len(index)}; cannot resume exactly"
            )
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step = state["step"]
        mlm_losses = list(state.get("text_mlm_loss") or [])  # the warm-up this run began with
        _set_rng_state(state["rng"][env.rank % len(state["rng"])], env.device)
    else:
        torch.manual_seed(params.seed + env.rank)  # per-rank randomness (dropout)
    if params.lock_text:  # after a resume's weights are in: the table holds their states
        ids, mask = text_encoder([text for triple in index.texts.values() for text in triple])
        model.lock_text_tower(
            torch.as_tensor(ids, dtype=torch.long, device=env.device),
            torch.as_tensor(mask, dtype=torch.long, device=env.device),
        )
        del ids, mask

    ddp = (
        DistributedDataParallel(
            model,
            device_ids=[env.local_rank] if cuda else None,
            forward_sync_buffers=False,
            gradient_as_bucket_view=True,
        )
        if env.world_size > 1
        else model
    )

    def checkpoint() -> Path:
        rng = env.gather_objects(_rng_state(env.device))
        path = checkpoints / f"step-{step:08d}"
        if env.is_main:
            epoch, consumed = divmod(step, steps_per_epoch)
            state = {
                "step": step,
                "epoch": epoch,
                "position": consumed * params.batch_size,  # patients consumed in this epoch
                "patients": len(index),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "rng": rng,
                "params": run_params,
                "text_mlm_loss": [mlm_losses[0], mlm_losses[-1]] if mlm_losses else None,
            }
            save_checkpoint(checkpoints, model, config.to_dict(), state, params.keep_checkpoints)
        env.barrier()
        return path

    # -- the loop ------------------------------------------------------------------------------
    out.mkdir(parents=True, exist_ok=True)
    metrics = (
        MetricsLog(out / METRICS_FILE, step if last_checkpoint else None) if env.is_main else None
    )
    bar = tqdm(
        total=total_steps,
        initial=step,
        desc="pretrain",
        unit="step",
        disable=not (progress and env.is_main),
    )
    report = ProgressLog(
        log, "pretrain", stop_at, initial=step, rate_unit="patients", per_step=params.batch_size
    )
    if log is not None and step < stop_at:
        log(
            f"pretrain: {stop_at - step} steps to go ({params.epochs} epochs of "
            f"{steps_per_epoch} steps, batch {params.batch_size}, {len(index)} patients)"
        )
    first_loss = last_loss = None
    try:
        while step < stop_at:
            epoch, consumed = divmod(step, steps_per_epoch)
            stream = PatientStream(
                index,
                epoch=epoch,
                start=consumed * params.batch_size,
                stop=steps_per_epoch * params.batch_size,
                micro_batch=micro_batch,
                rank=env.rank,
                world_size=env.world_size,
                image_size=config.image.image_size,
                local_contrast=config.local_contrast,
                photometric_aug=params.photometric_aug,
                eye_dropout=params.eye_dropout,
                flip_prob=params.flip_swap_prob,
                seed=params.seed,
            )
            batches = iter(make_loader(stream, params.workers, params.seed + epoch, cuda))
            for _ in range(consumed, steps_per_epoch):
                if step >= stop_at:
                    break
                tic = time.perf_counter()
                micro_batches = [
                    to_model_inputs(next(batches), text_encoder, env.device)
                    for _ in range(params.accum_freq)
                ]
                optimizer.zero_grad(set_to_none=True)
                losses = forward_backward(ddp, loss_fn, micro_batches, autocast)
                values = env.mean(torch.stack([losses.total, *losses.levels.values()])).tolist()
                if not all(math.isfinite(v) for v in values):
                    raise NonFiniteLossError(
                        f"the loss is {values[0]} at step {step + 1} (patient {values[1]}, "
                        f"left {values[2]}, right {values[3]}); the weights were not updated. "
                        f"Last good checkpoint: {last_checkpoint or 'none written yet'}"
                    )
                optimizer.step()
                scheduler.step()
                model.clamp_logit_scales()
                step += 1
                elapsed = time.perf_counter() - tic
                first_loss = values[0] if first_loss is None else first_loss
                last_loss = values[0]
                if metrics is not None:
                    scales = {f"logit_scale_{k}": v.item() for k, v in model.logit_scales().items()}
                    metrics.write(
                        {
                            "step": step,
                            "epoch": epoch,
                            "loss": values[0],
                            **{f"loss_{k}": v for k, v in zip(LEVELS, values[1:], strict=True)},
                            **scales,
                            "lr": optimizer.param_groups[0]["lr"],
                            "patients_per_s": params.batch_size / elapsed,
                        }
                    )
                bar.update()
                bar.set_postfix(loss=f"{values[0]:.3f}")
                report.update(step, epoch=f"{epoch + 1}/{params.epochs}", loss=f"{values[0]:.4f}")
                if step % params.checkpoint_every == 0:
                    last_checkpoint = checkpoint()
            del batches  # stops the epoch's worker processes
    finally:
        bar.close()
        if metrics is not None:
            metrics.close()

    # -- the end: a last checkpoint, the self-contained model folder, the loss curve -----------
    if last_checkpoint is None or last_checkpoint.name != f"step-{step:08d}":
        last_checkpoint = checkpoint()
    model_dir = out / MODEL_DIR
    if env.is_main:
        model.save_pretrained(model_dir, tokenizer_dir)
        plot_losses(out / METRICS_FILE, out / LOSS_PLOT)
    env.barrier()
    return TrainResult(
        model_dir=model_dir,
        steps=step,
        total_steps=total_steps,
        patients=len(index),
        without_report=index.without_report,
        first_loss=first_loss,
        last_loss=last_loss,
        checkpoint=last_checkpoint,
        text_mlm_loss=(mlm_losses[0], mlm_losses[-1]) if mlm_losses else None,
    )


def forward_backward(
    model: torch.nn.Module,
    loss_fn: TripartiteLoss,
    micro_batches: list[dict[str, torch.Tensor]],
    autocast=nullcontext,
) -> LossOutput:
    """Gradients of the loss over all micro-batches together, one micro-batch in memory at a time.

    With several micro-batches: embed all without gradients, then recompute each with gradients
    (replaying its RNG state, so dropout matches) and back-propagate the full loss through it.
    The logit scales enter the graph in the last pass only, so their gradient is counted once;
    DDP synchronises gradients on that last pass only.
    """
    if len(micro_batches) == 1:
        with autocast():
            out = model(**micro_batches[0])
        losses = loss_fn(out)
        losses.total.backward()
        return losses
    cached, states = [], []
    device = micro_batches[0]["left"].device
    with torch.no_grad():
        for batch in micro_batches:
            states.append(_rng_state(device))
            with autocast():
                cached.append(model(**batch))
    last = len(micro_batches) - 1
    for j, batch in enumerate(micro_batches):
        if isinstance(model, DistributedDataParallel):
            model.require_backward_grad_sync = j == last
        with _replay_rng(states[j], device), autocast():
            fresh = model(**batch)
        scales = fresh.logit_scales
        if j != last:
            scales = {k: v.detach() for k, v in scales.items()}
        losses = loss_fn(_concat([*cached[:j], fresh, *cached[j + 1 :]], scales))
        losses.total.backward()
    return losses


def _concat(parts: list[RetClipOutput], logit_scales: dict[str, torch.Tensor]) -> RetClipOutput:
    return RetClipOutput(
        images={k: torch.cat([p.images[k] for p in parts]) for k in LEVELS},
        texts={k: torch.cat([p.texts[k] for p in parts]) for k in LEVELS},
        has_left=torch.cat([p.has_left for p in parts]),
        has_right=torch.cat([p.has_right for p in parts]),
        logit_scales=logit_scales,
    )


def _rng_state(device: torch.device) -> dict[str, torch.Tensor | None]:
    cuda = torch.cuda.get_rng_state(device) if device.type == "cuda" else None
    return {"cpu": torch.get_rng_state(), "cuda": cuda}


def _set_rng_state(state: dict[str, torch.Tensor | None], device: torch.device) -> None:
    torch.set_rng_state(state["cpu"])
    if state["cuda"] is not None and device.type == "cuda":
        torch.cuda.set_rng_state(state["cuda"], device)


@contextmanager
def _replay_rng(state: dict[str, torch.Tensor | None], device: torch.device) -> Iterator[None]:
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        _set_rng_state(state, device)
        yield
