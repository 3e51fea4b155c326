"""The released RET-CLIP checkpoint's tensor layout, and its translation onto :class:`RetClip`.

Pure tensor logic, no files: :mod:`retclip.model.reference` reads and writes. Keys here carry no
``module.`` prefix; errors add back the prefix the file used, so they name the file's own keys.

The architecture is read from the tensors' shapes (widths, depths, patch and grid, vocabulary),
so a checkpoint with the same key structure but other sizes imports as well; every other tensor
must then have exactly the shape that architecture implies. The number of attention heads is not
in any shape: it is width / 64, the head size of both OpenAI CLIP and BERT.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import torch
from timm.models.vision_transformer import checkpoint_filter_fn
from torch import Tensor

from retclip.model.config import ModelConfig, preset
from retclip.model.retclip import RetClip
from retclip.model.weights import SHOWN, WeightsMismatchError, check_state_dict

HEAD_SIZE = 64
IMAGE_CHANNELS = 3
TOKEN_TYPES = 2
MISSING_EYE_RULE = (
    "zeros: the reference never saw a missing eye; a zero feature adds nothing to "
    "global_feature_mapping, so a one-eye patient's embedding is the present eye's half of it"
)
INITIALISED = {"missing_eye": MISSING_EYE_RULE}  # parameters the reference lacks -> init rule
# tensors the architecture is read from, and the number of dimensions each must have
ANCHORS = {
    "visual.conv1.weight": 4,
    "visual.positional_embedding": 2,
    "visual.proj": 2,
    "visual.transformer.resblocks.0.mlp.c_fc.weight": 2,
    "bert.embeddings.word_embeddings.weight": 2,
    "bert.embeddings.position_embeddings.weight": 2,
    "bert.encoder.layer.0.intermediate.dense.weight": 2,
}
Layout = dict[str, tuple[int, ...]]


class ReferenceImportError(ValueError):
    """The file is not a released-format RET-CLIP checkpoint; the message names file and reason."""


class ReferenceMismatchError(WeightsMismatchError, ReferenceImportError):
    """Tensors missing, left over, of the wrong shape or dtype, or not finite; the message lists
    the keys."""


def derive_config(state: dict[str, Tensor], context_length: int, source: str) -> ModelConfig:
    """The model configuration whose layout the checkpoint's anchor tensors imply.

    It is the ``paper`` preset when the sizes are the paper's, else preset ``reference``.
    """
    missing = [k for k in ANCHORS if k not in state]
    if missing:
        sample = ", ".join(sorted(state)[:5])
        raise ReferenceImportError(
            f"{source} is not a RET-CLIP checkpoint: it lacks {', '.join(missing)} "
            f"(it holds {len(state)} tensors, e.g. {sample})"
        )
    for key, ndim in ANCHORS.items():
        if state[key].ndim != ndim:
            raise ReferenceMismatchError(
                f"{source}: {key} has shape {list(state[key].shape)}; expected {ndim} dimensions"
            )
    width, _, patch, _ = state["visual.conv1.weight"].shape
    tokens = state["visual.positional_embedding"].shape[0]
    grid = math.isqrt(max(tokens - 1, 0))
    if grid < 1 or grid * grid != tokens - 1:
        raise ReferenceMismatchError(
            f"{source}: visual.positional_embedding has {tokens} rows; expected a class token "
            "plus a square grid of patches"
        )
    vocab, hidden = state["bert.embeddings.word_embeddings.weight"].shape
    for name, size in (("image width", width), ("text hidden size", hidden)):
        if size < HEAD_SIZE or size % HEAD_SIZE:
            raise ReferenceMismatchError(
                f"{source}: {name} {size} is not a positive multiple of the head size {HEAD_SIZE}"
            )
    base = preset("paper", context_length=context_length)
    image = replace(
        base.image,
        image_size=grid * patch,
        patch_size=patch,
        width=width,
        depth=_count(state, "visual.transformer.resblocks."),
        heads=width // HEAD_SIZE,
        mlp_ratio=state["visual.transformer.resblocks.0.mlp.c_fc.weight"].shape[0] / width,
    )
    text = replace(
        base.text,
        vocab_size=vocab,
        hidden_size=hidden,
        layers=_count(state, "bert.encoder.layer."),
        heads=hidden // HEAD_SIZE,
        intermediate_size=state["bert.encoder.layer.0.intermediate.dense.weight"].shape[0],
        max_positions=state["bert.embeddings.position_embeddings.weight"].shape[0],
    )
    try:
        config = replace(base, image=image, text=text, embed_dim=state["visual.proj"].shape[1])
    except ValueError as exc:
        raise ReferenceImportError(f"{source}: {exc}") from None
    return config if config == base else replace(config, preset="reference")


def reference_layout(config: ModelConfig) -> Layout:
    """Every tensor of a released-format checkpoint of ``config``: key -> shape."""
    image, text, embed = config.image, config.text, config.embed_dim
    w, h, mlp = image.width, text.hidden_size, int(image.width * image.mlp_ratio)
    grid, patch = image.image_size // image.patch_size, image.patch_size
    layout: Layout = {f"logit_scale{s}": () for s in ("", "_left", "_right")}
    layout |= {
        "visual.class_embedding": (w,),
        "visual.positional_embedding": (grid * grid + 1, w),
        "visual.proj": (w, embed),
        "visual.conv1.weight": (w, IMAGE_CHANNELS, patch, patch),
        **_norm("visual.ln_pre", w),
        **_norm("visual.ln_post", w),
    }
    for i in range(image.depth):
        block = f"visual.transformer.resblocks.{i}"
        layout |= {
            f"{block}.attn.in_proj_weight": (3 * w, w),
            f"{block}.attn.in_proj_bias": (3 * w,),
            **_linear(f"{block}.attn.out_proj", w, w),
            **_norm(f"{block}.ln_1", w),
            **_linear(f"{block}.mlp.c_fc", w, mlp),
            **_linear(f"{block}.mlp.c_proj", mlp, w),
            **_norm(f"{block}.ln_2", w),
        }
    layout |= {
        "bert.embeddings.word_embeddings.weight": (text.vocab_size, h),
        "bert.embeddings.position_embeddings.weight": (text.max_positions, h),
        "bert.embeddings.token_type_embeddings.weight": (TOKEN_TYPES, h),
        **_norm("bert.embeddings.LayerNorm", h),
    }
    for i in range(text.layers):
        layer = f"bert.encoder.layer.{i}"
        for part in ("query", "key", "value"):
            layout |= _linear(f"{layer}.attention.self.{part}", h, h)
        layout |= {
            **_linear(f"{layer}.attention.output.dense", h, h),
            **_norm(f"{layer}.attention.output.LayerNorm", h),
            **_linear(f"{layer}.intermediate.dense", h, text.intermediate_size),
            **_linear(f"{layer}.output.dense", text.intermediate_size, h),
            **_norm(f"{layer}.output.LayerNorm", h),
        }
    for head in ("text_projection", "text_projection_left", "text_projection_right"):
        layout |= {**_linear(f"{head}.0", h, h), **_linear(f"{head}.2", h, embed)}
    layout |= {
        "left_feature_mapping.weight": (embed, embed),
        "right_feature_mapping.weight": (embed, embed),
        "global_feature_mapping.weight": (embed, 2 * embed),
    }
    return layout


def check_layout(state: dict[str, Tensor], layout: Layout, source: str, prefix: str) -> None:
    """Raise :class:`ReferenceMismatchError` unless the keys and shapes are exactly ``layout``,
    every tensor is floating point and every value finite; keys are named as the file has them."""
    problems = {
        "missing keys": sorted(set(layout) - set(state)),
        "unexpected keys": sorted(set(state) - set(layout)),
        "wrong shapes": [
            f"{key}: file {list(state[key].shape)}, expected {list(layout[key])}"
            for key in sorted(set(state) & set(layout))
            if tuple(state[key].shape) != layout[key]
        ],
        "not floating point": [
            f"{key}: {value.dtype}" for key, value in state.items() if not value.is_floating_point()
        ],
    }
    if not any(problems.values()):
        problems["non-finite values"] = [k for k, v in state.items() if not _finite(v)]
    if not any(problems.values()):
        return
    lines = [f"{source} does not have the layout of a RET-CLIP checkpoint:"]
    for title, keys in problems.items():
        if keys:
            more = f" (first {SHOWN})" if len(keys) > SHOWN else ""
            lines.append(f"  {title}: {len(keys)}{more}")
            lines.extend(f"    {prefix}{key}" for key in keys[:SHOWN])
    raise ReferenceMismatchError("\n".join(lines))


def to_model_state(state: dict[str, Tensor], model: RetClip, source: str) -> dict[str, Tensor]:
    """The model's state dict: ``visual.*`` through timm's OpenAI-CLIP converter (fused
    ``in_proj`` -> ``qkv``, ``proj`` -> transposed ``head.weight`` ...), the rest by name, and
    the parameters the reference lacks initialised by the rules in :data:`INITIALISED`."""
    visual = {k: v for k, v in state.items() if k.startswith("visual.")}
    converted = checkpoint_filter_fn(visual, model.visual)
    converted.pop("head.bias")  # timm adds a zero bias; RET-CLIP's proj has none
    result = {f"visual.{k}": v for k, v in converted.items()}
    result |= {k: v for k, v in state.items() if not k.startswith("visual.")}
    result["missing_eye"] = torch.zeros_like(model.missing_eye)
    if len(result) != len(state) + len(INITIALISED):  # two source tensors became one
        raise ReferenceMismatchError(f"{source}: the image tensors do not map one to one")
    check_state_dict(model, result, source)
    return result


def _finite(value: Tensor) -> bool:
    """No NaN or infinity; min and max in one pass, far quicker than ``isfinite().all()``."""
    return value.numel() == 0 or all(bool(m.isfinite()) for m in value.aminmax())


def _count(state: dict[str, Tensor], prefix: str) -> int:
    """Number of numbered blocks under ``prefix`` (highest index + 1, so a gap is missing)."""
    found = re.compile(re.escape(prefix) + r"(\d+)\.")
    return 1 + max(int(m.group(1)) for k in state if (m := found.match(k)))


def _linear(name: str, fan_in: int, fan_out: int) -> Layout:
    return {f"{name}.weight": (fan_out, fan_in), f"{name}.bias": (fan_out,)}


def _norm(name: str, size: int) -> Layout:
    return {f"{name}.weight": (size,), f"{name}.bias": (size,)}
