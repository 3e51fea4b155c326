"""Masked-language-model warm-up of the text tower on the pre-training reports.

The paper's text tower starts from a pre-trained Chinese RoBERTa. A tower trained from scratch
(the demo: no model hub) starts blank, and contrastive training then keeps only the findings the
image tower already matches: on the synthetic clinic it dropped glaucoma although every
glaucomatous eye's text names it. A short BERT-style MLM phase on the same reports gives the
tower what a pre-trained one brings: an embedding in which every finding the reports name is
already present. The head is BERT's own (``BertOnlyMLMHead``, decoder tied to the word
embeddings) and is discarded afterwards; as in fairseq's RoBERTa it runs on the predicted
positions only (a 15% share of the words): the vocabulary-wide decoder over every position was
most of the warm-up's time.

Both demo pre-trainings (``pretrain`` and ``pretrain_patient_only``) warm up the same tower on
the same reports, so :func:`warm_up_text_tower_once` keeps the warmed tower in a cache keyed by
everything the result depends on; a file lock makes two concurrent runs compute it once. The
warm-up leaves the caller's random state as it found it, so a run that reuses the tower goes on
exactly as one that computed it.
"""

from __future__ import annotations

import fcntl
import hashlib
import inspect
import json
import math
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import transformers
from safetensors.torch import load_file, save_file
from torch.nn import functional
from tqdm import tqdm
from transformers import BertModel
from transformers.models.bert.modeling_bert import BertOnlyMLMHead

from retclip.dispatch import kernel_dispatch
from retclip.pipes import ProgressLog
from retclip.train.optim import warmup_cosine

MASK_SHARE = 0.15  # BERT's: of the word tokens, this share is predicted ...
KEEP_SHARE, RANDOM_SHARE = 0.1, 0.1  # ... of those, kept as they are / replaced by another word
BATCH_SIZE = 64
WEIGHT_DECAY = 0.01  # BERT's
WARMUP_SHARE = 0.05  # of the steps, with a linear rise of the learning rate; cosine after
IGNORE = -100  # cross-entropy's ignore_index


def warm_up_text_tower(
    bert: BertModel,
    texts: list[str],
    encode: Callable[[list[str]], tuple[np.ndarray, np.ndarray]],
    mask_id: int,
    steps: int,
    lr: float,
    seed: int,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> list[float]:
    """Train ``bert`` in place with the MLM objective on ``texts`` (``encode`` gives the run's
    ``[CLS] ... [SEP]`` ids, zero-padded, and attention mask); returns the loss of every step.
    Deterministic for a seed on CPU; the global random state (the head's initialisation,
    dropout) is seeded from ``seed`` and restored afterwards. ``progress`` shows a bar; ``log``
    takes progress lines."""
    device = bert.device
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(seed)
        return _warm_up(bert, texts, encode, mask_id, steps, lr, seed, progress, log)


def _warm_up(
    bert: BertModel,
    texts: list[str],
    encode: Callable[[list[str]], tuple[np.ndarray, np.ndarray]],
    mask_id: int,
    steps: int,
    lr: float,
    seed: int,
    progress: bool,
    log: Callable[[str], None] | None,
) -> list[float]:
    generator = torch.Generator().manual_seed(seed)
    device = bert.device
    head = BertOnlyMLMHead(bert.config).to(device)
    head.predictions.decoder.weight = bert.embeddings.word_embeddings.weight  # tied, as BERT's
    parameters = list(bert.parameters()) + [
        p for n, p in head.named_parameters() if n != "predictions.decoder.weight"
    ]
    groups = [  # BERT's: no weight decay on norms and biases
        {"params": [p for p in parameters if p.ndim < 2], "weight_decay": 0.0},
        {"params": [p for p in parameters if p.ndim >= 2], "weight_decay": WEIGHT_DECAY},
    ]
    optimizer = torch.optim.AdamW(groups, lr=lr)
    scheduler = warmup_cosine(optimizer, max(1, round(WARMUP_SHARE * steps)), steps)
    bert.train()
    losses = []
    report = ProgressLog(log, "text warm-up (MLM)", steps, rate_unit="texts", per_step=BATCH_SIZE)
    for step in tqdm(range(steps), desc="text warm-up (MLM)", unit="step", disable=not progress):
        rows = torch.randint(len(texts), (BATCH_SIZE,), generator=generator).tolist()
        token_ids, mask = (torch.as_tensor(a).long() for a in encode([texts[i] for i in rows]))
        inputs, labels = _mask_tokens(token_ids, mask, mask_id, generator)
        inputs, labels, mask = _trim_padding(inputs, labels, mask)
        hidden = bert(input_ids=inputs.to(device), attention_mask=mask.to(device))
        picked = labels != IGNORE
        logits = head(hidden.last_hidden_state[picked.to(device)])
        loss = functional.cross_entropy(logits, labels[picked].to(device))
        if not math.isfinite(loss.item()):
            raise FloatingPointError(
                f"text warm-up: the masked-LM loss is {loss.item()} at step {step + 1} of {steps}"
            )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
        report.update(step + 1, loss=f"{losses[-1]:.4f}")
    bert.zero_grad(set_to_none=True)  # as a tower loaded from the cache: no gradients held
    return losses


def warm_up_text_tower_once(
    bert: BertModel,
    texts: list[str],
    encode: Callable[[list[str]], tuple[np.ndarray, np.ndarray]],
    mask_id: int,
    steps: int,
    lr: float,
    seed: int,
    cache: Path,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> list[float]:
    """:func:`warm_up_text_tower`, computed once per set of inputs: the warmed tower and its
    losses are kept in ``cache`` under :func:`warm_up_key`, and loaded bit for bit by any later
    (or concurrent: a file lock) run with the same key."""
    key = warm_up_key(bert, texts, encode, mask_id, steps, lr, seed)
    cache.mkdir(parents=True, exist_ok=True)
    weights, losses_file = cache / f"{key}.safetensors", cache / f"{key}.json"
    with open(cache / f"{key}.lock", "w") as lock:
        try:  # released when the file closes, or the process dies
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if log is not None:
                log("text warm-up (MLM): waiting for a concurrent run warming up the same tower")
            fcntl.flock(lock, fcntl.LOCK_EX)
        if not losses_file.is_file():  # written last: its presence means the entry is whole
            losses = warm_up_text_tower(
                bert, texts, encode, mask_id, steps, lr, seed, progress, log
            )
            _write_atomic(weights, lambda tmp: save_file(bert.state_dict(), tmp))
            _write_atomic(losses_file, lambda tmp: Path(tmp).write_text(json.dumps(losses)))
            return losses
        bert.load_state_dict(load_file(weights, device=str(bert.device)))
        bert.train()  # the state the warm-up leaves it in
    if log is not None:
        log(f"text warm-up (MLM): the tower warmed for these inputs is reused from {weights}")
    return json.loads(losses_file.read_text())


def warm_up_key(
    bert: BertModel,
    texts: list[str],
    encode: Callable[[list[str]], tuple[np.ndarray, np.ndarray]],
    mask_id: int,
    steps: int,
    lr: float,
    seed: int,
) -> str:
    """A hash of everything the warmed tower depends on: the tower's config and initial
    weights, the token ids of the texts (so the tokenizer and context length), the settings,
    this module's code and its learning-rate schedule, the library versions, the device, and
    what decides how floats round on it: the CPU kernels (:mod:`retclip.dispatch`),
    deterministic algorithms, and torch's thread count (a sum split over another number of
    threads rounds differently)."""
    digest = hashlib.sha256()
    for name, tensor in bert.state_dict().items():
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}".encode())
        digest.update(
            tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        )
    ids, mask = encode(texts)
    digest.update(np.ascontiguousarray(ids, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(mask, dtype=np.int64).tobytes())
    setting = {
        "config": bert.config.to_json_string(use_diff=False),
        "mask_id": mask_id,
        "steps": steps,
        "lr": lr,
        "seed": seed,
        "code": hashlib.sha256(
            Path(__file__).read_bytes() + inspect.getsource(warmup_cosine).encode()
        ).hexdigest(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "device": bert.device.type,
        "kernels": kernel_dispatch(),
        "deterministic": torch.are_deterministic_algorithms_enabled(),
        "threads": torch.get_num_threads(),
    }
    digest.update(json.dumps(setting, sort_keys=True).encode())
    return digest.hexdigest()[:32]


def _write_atomic(path: Path, write: Callable[[str], object]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(str(tmp))
    os.replace(tmp, path)


def _trim_padding(
    inputs: torch.Tensor, labels: torch.Tensor, attention_mask: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The columns up to the batch's longest text: padding is masked out of every key and never
    predicted, so the tower's work follows the texts, not the context length. Cut after
    :func:`_mask_tokens`, whose random draws span the full context."""
    attended = attention_mask.any(dim=0).nonzero()
    length = int(attended[-1]) + 1 if attended.numel() else 1
    return inputs[:, :length], labels[:, :length], attention_mask[:, :length]


def _mask_tokens(
    token_ids: torch.Tensor, attention_mask: torch.Tensor, mask_id: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT's corruption: of the word tokens (not ``[CLS]``, ``[SEP]`` or padding), 15% are
    predicted; of those, 80% become ``[MASK]``, 10% another word of the batch and 10% stay."""
    lengths = attention_mask.sum(dim=1, keepdim=True)
    position = torch.arange(token_ids.shape[1]).expand_as(token_ids)
    words = (position > 0) & (position < lengths - 1)
    picked = words & (torch.rand(token_ids.shape, generator=generator) < MASK_SHARE)
    labels = torch.where(picked, token_ids, IGNORE)
    roll = torch.rand(token_ids.shape, generator=generator)
    inputs = token_ids.clone()
    inputs[picked & (roll < 1 - KEEP_SHARE - RANDOM_SHARE)] = mask_id
    swap = picked & (roll >= 1 - KEEP_SHARE - RANDOM_SHARE) & (roll < 1 - KEEP_SHARE)
    if swap.any():
        pool = token_ids[words]
        inputs[swap] = pool[torch.randint(len(pool), (int(swap.sum()),), generator=generator)]
    return inputs, labels
