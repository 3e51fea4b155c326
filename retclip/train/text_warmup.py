"""Masked-language-model warm-up of the text tower on the pre-training reports.

The paper's text tower starts from a pre-trained Chinese RoBERTa. A tower trained from scratch
(the demo: no model hub) starts blank, and contrastive training then keeps only the findings the
image tower already matches: on the synthetic clinic it dropped glaucoma although every
glaucomatous eye's text names it. A short BERT-style MLM phase on the same reports gives the
tower what a pre-trained one brings: an embedding in which every finding the reports name is
already present. The head is BERT's own (``BertOnlyMLMHead``, decoder tied to the word
embeddings) and is discarded afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from torch.nn import functional
from tqdm import tqdm
from transformers import BertModel
from transformers.models.bert.modeling_bert import BertOnlyMLMHead

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
    Deterministic for a seed on CPU. ``progress`` shows a bar; ``log`` takes progress lines."""
    vocab_size = bert.config.vocab_size
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
        hidden = bert(input_ids=inputs.to(device), attention_mask=mask.to(device))
        logits = head(hidden.last_hidden_state)
        loss = functional.cross_entropy(
            logits.view(-1, vocab_size), labels.to(device).view(-1), ignore_index=IGNORE
        )
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
    return losses


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
