"""The model's architecture as plain values, and the two presets.

``config.json`` in a model folder is exactly :meth:`ModelConfig.to_dict`, so a saved model can be
rebuilt without the parameters file that trained it (and without network access).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
LEVELS = ("patient", "left", "right")
Level = Literal["patient", "left", "right"]
Side = Literal["left", "right"]
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ImageTowerConfig:
    """A timm model built from a registered architecture name, with its sizes overridden.

    The default is the released checkpoint's layout: OpenAI-CLIP ViT-B/16 (class token, pre-norm,
    QuickGELU, no fc-norm); ``tiny`` shrinks the same architecture. ``resnet`` is a timm ResNet
    whose last stage has ``width`` channels (each earlier stage half the next) and GroupNorm
    (batch statistics would break the equality of ranks and accumulation); ``patch_size``,
    ``depth``, ``heads`` and ``mlp_ratio`` are the ViT's only.
    """

    timm_name: str = "vit_base_patch16_clip_quickgelu_224"
    architecture: Literal["vit", "resnet"] = "vit"
    image_size: int = 224
    patch_size: int = 16
    width: int = 768
    depth: int = 12
    heads: int = 12
    mlp_ratio: float = 4.0

    def __post_init__(self) -> None:
        if self.architecture == "resnet":
            if self.width % 16:
                raise ValueError(f"resnet width {self.width} is not a multiple of 16")
            return
        if self.image_size % self.patch_size:
            raise ValueError(
                f"image_size {self.image_size} is not a multiple of patch_size {self.patch_size}"
            )
        if self.width % self.heads:
            raise ValueError(f"image width {self.width} is not divisible by {self.heads} heads")


@dataclass(frozen=True)
class TextTowerConfig:
    """A Hugging Face ``BertModel`` (no pooler); the default is BERT-base Chinese."""

    vocab_size: int = 21128
    hidden_size: int = 768
    layers: int = 12
    heads: int = 12
    intermediate_size: int = 3072
    max_positions: int = 512
    dropout: float = 0.1
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0
    attn_implementation: Literal["sdpa", "eager"] = "sdpa"

    def __post_init__(self) -> None:
        if self.hidden_size % self.heads:
            raise ValueError(f"text hidden {self.hidden_size} is not divisible by {self.heads}")


@dataclass(frozen=True)
class ModelConfig:
    preset: str
    embed_dim: int = 512
    image: ImageTowerConfig = field(default_factory=ImageTowerConfig)
    text: TextTowerConfig = field(default_factory=TextTowerConfig)
    context_length: int = 100
    logit_scale_init: float = math.log(90.0)
    logit_scale_max: float = math.log(100.0)
    image_mean: tuple[float, float, float] = CLIP_MEAN
    image_std: tuple[float, float, float] = CLIP_STD
    local_contrast: bool = False  # inputs high-passed (preprocessing.local_contrast_filter)

    def __post_init__(self) -> None:
        if self.context_length > self.text.max_positions:
            raise ValueError(
                f"context length {self.context_length} exceeds the text tower's "
                f"{self.text.max_positions} positions"
            )

    def to_dict(self) -> dict[str, Any]:
        return {"format_version": FORMAT_VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ModelConfig:
        raw = dict(raw)
        version = raw.pop("format_version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise ValueError(f"model config format {version} is not {FORMAT_VERSION}")
        image = ImageTowerConfig(**raw.pop("image"))
        text = TextTowerConfig(**raw.pop("text"))
        for key in ("image_mean", "image_std"):
            raw[key] = tuple(raw[key])
        return cls(image=image, text=text, **raw)


TINY = ModelConfig(
    preset="tiny",
    embed_dim=128,
    image=ImageTowerConfig(image_size=96, width=128, depth=4, heads=4),
    text=TextTowerConfig(
        vocab_size=8000, hidden_size=128, layers=2, heads=4, intermediate_size=512, dropout=0.0
    ),
)
# The demo's: at a few hundred patients trained from scratch, a ViT does not resolve the optic
# cup (README, "Evaluation"); a small CNN does.
TINY_CNN = replace(
    TINY,
    preset="tiny-cnn",
    image=ImageTowerConfig(timm_name="resnet10t", architecture="resnet", image_size=96, width=256),
)
PAPER = ModelConfig(preset="paper")
PRESETS = {"tiny": TINY, "tiny-cnn": TINY_CNN, "paper": PAPER}


def preset(
    name: str,
    *,
    vocab_size: int | None = None,
    context_length: int | None = None,
    image_size: int | None = None,
    embed_dim: int | None = None,
    logit_scale_init: float | None = None,
    logit_scale_max: float | None = None,
    local_contrast: bool = False,
) -> ModelConfig:
    """A preset with the values a run must set (the tokenizer's vocabulary) or may override."""
    if name not in PRESETS:
        raise ValueError(f"unknown model preset {name!r}; expected one of {sorted(PRESETS)}")
    config = PRESETS[name]
    image = replace(config.image, image_size=image_size or config.image.image_size)
    text = replace(config.text, vocab_size=vocab_size or config.text.vocab_size)
    return replace(
        config,
        image=image,
        text=text,
        embed_dim=embed_dim or config.embed_dim,
        context_length=context_length or config.context_length,
        logit_scale_init=config.logit_scale_init if logit_scale_init is None else logit_scale_init,
        logit_scale_max=config.logit_scale_max if logit_scale_max is None else logit_scale_max,
        local_contrast=local_contrast,
    )
