"""The reference RET-CLIP forward pass, written independently of retclip from the format facts
in ``shared/reference/README.md``: plain torch ops on the raw state dict (keys without
``module.``), explicit attention, no timm and no transformers.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

HEAD_SIZE = 64  # ViT-B/16 and BERT-base: 768 wide, 12 heads
CLIP_EPS, BERT_EPS = 1e-5, 1e-12
State = dict[str, Tensor]


def embeddings(
    state: State, left: Tensor, right: Tensor, ids: Tensor, mask: Tensor
) -> dict[str, Tensor]:
    """The six L2-normalised embeddings: images of both eyes ``[B, 3, S, S]``, texts ``[N, L]``."""
    f_left, f_right = image_features(state, left), image_features(state, right)
    cls = text_cls(state, ids, mask)
    raw = {
        "image_patient": torch.cat([f_left, f_right], 1) @ state["global_feature_mapping.weight"].T,
        "image_left": f_left @ state["left_feature_mapping.weight"].T,
        "image_right": f_right @ state["right_feature_mapping.weight"].T,
        "text_patient": _text_head(state, "text_projection", cls),
        "text_left": _text_head(state, "text_projection_left", cls),
        "text_right": _text_head(state, "text_projection_right", cls),
    }
    return {name: F.normalize(x, dim=-1) for name, x in raw.items()}


def image_features(state: State, images: Tensor) -> Tensor:
    """OpenAI-CLIP ViT: patches + class token + positions, pre-norm blocks, ln_post, @ proj."""
    conv = state["visual.conv1.weight"]
    x = F.conv2d(images, conv, stride=conv.shape[-1]).flatten(2).transpose(1, 2)
    cls = state["visual.class_embedding"].expand(x.shape[0], 1, -1)
    x = torch.cat([cls, x], 1) + state["visual.positional_embedding"]
    x = _norm(state, "visual.ln_pre", x, CLIP_EPS)
    for i in range(_blocks(state, "visual.transformer.resblocks.")):
        p = f"visual.transformer.resblocks.{i}."
        h = _norm(state, p + "ln_1", x, CLIP_EPS)
        x = x + _attention(
            h,
            state[p + "attn.in_proj_weight"],
            state[p + "attn.in_proj_bias"],
            state[p + "attn.out_proj.weight"],
            state[p + "attn.out_proj.bias"],
        )
        h = _linear(state, p + "mlp.c_fc", _norm(state, p + "ln_2", x, CLIP_EPS))
        x = x + _linear(state, p + "mlp.c_proj", h * torch.sigmoid(1.702 * h))
    return _norm(state, "visual.ln_post", x[:, 0], CLIP_EPS) @ state["visual.proj"]


def text_cls(state: State, ids: Tensor, mask: Tensor) -> Tensor:
    """BERT (post-norm, erf GELU, token type 0): last hidden state of ``[CLS]``."""
    e = "bert.embeddings."
    x = (
        state[e + "word_embeddings.weight"][ids]
        + state[e + "position_embeddings.weight"][: ids.shape[1]]
        + state[e + "token_type_embeddings.weight"][0]
    )
    x = _norm(state, e + "LayerNorm", x, BERT_EPS)
    for i in range(_blocks(state, "bert.encoder.layer.")):
        p = f"bert.encoder.layer.{i}."
        q, k, v = (p + f"attention.self.{n}" for n in ("query", "key", "value"))
        a = _attention(
            x,
            torch.cat([state[q + ".weight"], state[k + ".weight"], state[v + ".weight"]]),
            torch.cat([state[q + ".bias"], state[k + ".bias"], state[v + ".bias"]]),
            state[p + "attention.output.dense.weight"],
            state[p + "attention.output.dense.bias"],
            mask.bool(),
        )
        x = _norm(state, p + "attention.output.LayerNorm", x + a, BERT_EPS)
        h = F.gelu(_linear(state, p + "intermediate.dense", x))
        x = _norm(
            state, p + "output.LayerNorm", x + _linear(state, p + "output.dense", h), BERT_EPS
        )
    return x[:, 0]


def _attention(
    x: Tensor, in_w: Tensor, in_b: Tensor, out_w: Tensor, out_b: Tensor, keep: Tensor | None = None
) -> Tensor:
    batch, length, width = x.shape
    heads = width // HEAD_SIZE
    q, k, v = (
        t.reshape(batch, length, heads, HEAD_SIZE).transpose(1, 2)
        for t in (x @ in_w.T + in_b).split(width, dim=-1)
    )
    scores = q @ k.transpose(-1, -2) / math.sqrt(HEAD_SIZE)
    if keep is not None:
        scores = scores.masked_fill(~keep[:, None, None, :], float("-inf"))
    out = (scores.softmax(-1) @ v).transpose(1, 2).reshape(batch, length, width)
    return out @ out_w.T + out_b


def _text_head(state: State, name: str, x: Tensor) -> Tensor:
    return _linear(state, f"{name}.2", torch.relu(_linear(state, f"{name}.0", x)))


def _linear(state: State, name: str, x: Tensor) -> Tensor:
    return x @ state[f"{name}.weight"].T + state[f"{name}.bias"]


def _norm(state: State, name: str, x: Tensor, eps: float) -> Tensor:
    return F.layer_norm(x, x.shape[-1:], state[f"{name}.weight"], state[f"{name}.bias"], eps)


def _blocks(state: State, prefix: str) -> int:
    return len({k[len(prefix) :].split(".")[0] for k in state if k.startswith(prefix)})
