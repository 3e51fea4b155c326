"""RET-CLIP: one image tower shared by both eyes, one text tower, three heads on each side.

Module names follow the released checkpoint (``visual``, ``bert``, ``text_projection*``,
``*_feature_mapping``, ``logit_scale*``) so that importing it is a key rename; ``missing_eye`` is
ours: a learned image feature that stands in for an absent eye, so that a one-eye patient still
has a patient embedding.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from timm.models import checkpoint_seq
from timm.models.vision_transformer import Block, VisionTransformer
from torch import Tensor, nn
from transformers import BertModel
from transformers.masking_utils import create_bidirectional_mask
from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS
from transformers.models.bert.modeling_bert import (
    BertLayer,
    BertSelfAttention,
    eager_attention_forward,
)

from retclip.lineage import LINEAGE_FILE, RUN_FILE
from retclip.model.config import LEVELS, Level, ModelConfig, Side
from retclip.model.encoders import (
    build_image_tower,
    build_text_tower,
    load_image_weights,
    load_text_weights,
    text_head,
)
from retclip.model.locked_text import LockedTextStates
from retclip.model.weights import check_state_dict

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
NOT_COPIED = {LINEAGE_FILE, RUN_FILE}  # the tokenizer stage's records describe its own folder


@dataclass
class RetClipOutput:
    """Everything the tripartite loss needs for one batch; embeddings are L2-normalised fp32."""

    images: dict[str, Tensor]  # level -> [B, E]
    texts: dict[str, Tensor]  # level -> [B, E]
    has_left: Tensor  # bool [B]
    has_right: Tensor  # bool [B]
    logit_scales: dict[str, Tensor]  # level -> scalar multiplier exp(logit_scale)


class RetClip(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        embed, hidden = config.embed_dim, config.text.hidden_size
        self.visual = build_image_tower(config.image, embed)
        self.bert = build_text_tower(config.text)
        self.text_projection = text_head(hidden, embed)
        self.text_projection_left = text_head(hidden, embed)
        self.text_projection_right = text_head(hidden, embed)
        self.left_feature_mapping = nn.Linear(embed, embed, bias=False)
        self.right_feature_mapping = nn.Linear(embed, embed, bias=False)
        self.global_feature_mapping = nn.Linear(2 * embed, embed, bias=False)
        init = torch.tensor(config.logit_scale_init)
        self.logit_scale = nn.Parameter(init.clone())
        self.logit_scale_left = nn.Parameter(init.clone())
        self.logit_scale_right = nn.Parameter(init.clone())
        # rows: left, right; the image tower's output has unit-variance entries at init
        self.missing_eye = nn.Parameter(torch.randn(2, embed))
        self._locked_text: LockedTextStates | None = None  # lock_text_tower; not saved

    # -- encoders -----------------------------------------------------------------------------

    def encode_eye(self, images: Tensor, side: Side) -> Tensor:
        """Eye-level embeddings ``[B, E]`` of one side's photographs ``[B, 3, S, S]``."""
        mapping = self.left_feature_mapping if side == "left" else self.right_feature_mapping
        return _normalise(mapping(self.image_features(images)))

    def encode_patient(
        self,
        left: Tensor | None,
        right: Tensor | None,
        has_left: Tensor | None = None,
        has_right: Tensor | None = None,
    ) -> Tensor:
        """Patient embeddings from both eyes; an eye that is ``None`` or masked out is missing."""
        has_left, has_right = _presence(left, right, has_left, has_right)
        f_left, f_right = self._eye_features(left, right, has_left, has_right)
        return _normalise(self.global_feature_mapping(torch.cat([f_left, f_right], dim=1)))

    def encode_text(self, token_ids: Tensor, attention_mask: Tensor, level: Level) -> Tensor:
        """Text embeddings ``[N, E]`` through the head of ``level`` (patient, left or right)."""
        return _normalise(self._text_heads()[level](self._cls(token_ids, attention_mask)))

    def forward(
        self,
        left: Tensor,
        right: Tensor,
        has_left: Tensor,
        has_right: Tensor,
        text_ids: Tensor,
        text_mask: Tensor,
    ) -> RetClipOutput:
        """One training batch: images ``[B, 3, S, S]`` per side (any content where absent),
        presence ``[B]``, texts ``[B, 3, L]`` in level order (patient, left, right)."""
        f_left, f_right = self._eye_features(left, right, has_left, has_right)
        images = {
            "patient": self.global_feature_mapping(torch.cat([f_left, f_right], dim=1)),
            "left": self.left_feature_mapping(f_left),
            "right": self.right_feature_mapping(f_right),
        }
        batch, levels, length = text_ids.shape
        cls = self._distinct_cls(
            text_ids.transpose(0, 1).reshape(levels * batch, length),
            text_mask.transpose(0, 1).reshape(levels * batch, length),
        )
        heads = self._text_heads()
        texts = {level: heads[level](x) for level, x in zip(LEVELS, cls.chunk(levels), strict=True)}
        return RetClipOutput(
            images={k: _normalise(v) for k, v in images.items()},
            texts={k: _normalise(v) for k, v in texts.items()},
            has_left=has_left,
            has_right=has_right,
            logit_scales=self.logit_scales(),
        )

    def _eye_features(
        self, left: Tensor | None, right: Tensor | None, has_left: Tensor, has_right: Tensor
    ) -> tuple[Tensor, Tensor]:
        """Image-tower features of both sides in one pass over the present eyes only."""
        present = [x[m] for x, m in ((left, has_left), (right, has_right)) if x is not None]
        counts = [int(has_left.sum()), int(has_right.sum())]
        f_left, f_right = self.image_features(torch.cat(present)).split(counts)
        return self._fill_missing(f_left, has_left, 0), self._fill_missing(f_right, has_right, 1)

    def image_features(self, images: Tensor) -> Tensor:
        """The image tower's output ``self.visual(images)``, with less work for a ViT: only the
        class token is read, so the last block computes keys and values for every token but
        queries, attention output, norm and MLP for the class token alone (about a fourteenth of the
        ViT-B/16 tower's work saved, the result the same up to float rounding)."""
        tower = self.visual
        if not _reads_class_token(tower):
            return tower(images)
        x = tower.norm_pre(tower.patch_drop(tower._pos_embed(tower.patch_embed(images))))
        body = tower.blocks[:-1]
        if tower.grad_checkpointing and torch.is_grad_enabled():
            x = checkpoint_seq(body, x)
        else:
            x = body(x)
        return tower.forward_head(tower.norm(_class_token_block(tower.blocks[-1], x)))

    def _fill_missing(self, features: Tensor, present: Tensor, row: int) -> Tensor:
        fill = self.missing_eye[row].to(features.dtype).expand(present.shape[0], -1)
        return fill.masked_scatter(present[:, None], features)

    def _distinct_cls(self, token_ids: Tensor, attention_mask: Tensor) -> Tensor:
        """``[CLS]`` states of texts ``[N, L]``, each distinct text through the tower once.

        A report without laterality gives the same text to both eyes and often to the patient:
        encoded once, its duplicates are gathered back (and their gradients summed into it), as
        the reference encodes one report for all three heads. In training, duplicates share one
        dropout draw, as the reference's three heads do.
        """
        if self._locked_text is not None:
            return self._cls(token_ids, attention_mask)
        first, inverse = _distinct_rows(torch.cat([token_ids, attention_mask], dim=1))
        if first.shape[0] == token_ids.shape[0]:
            return self._cls(token_ids, attention_mask)
        return self._cls(token_ids[first], attention_mask[first])[inverse]

    def _cls(self, token_ids: Tensor, attention_mask: Tensor) -> Tensor:
        """Last hidden state of ``[CLS]``: looked up for the texts of a locked tower
        (:meth:`lock_text_tower`), else computed by :meth:`_tower_cls`."""
        if self._locked_text is None:
            return self._tower_cls(token_ids, attention_mask)
        states = self._locked_text.lookup(token_ids, attention_mask)
        if states is not None:
            return states
        with torch.no_grad():  # a text outside the table: the locked tower as it is
            return self._tower_cls(token_ids, attention_mask)

    def _tower_cls(self, token_ids: Tensor, attention_mask: Tensor) -> Tensor:
        """:meth:`class_states` with the columns that no text attends to cut off first.

        Padding at the end is masked out of every key and sits after every position that is
        read, so the tower's work follows the longest text in the batch, not the context length.
        """
        length = _attended_length(attention_mask)
        return self.class_states(token_ids[:, :length], attention_mask[:, :length])

    def class_states(self, token_ids: Tensor, attention_mask: Tensor) -> Tensor:
        """Last hidden state of ``[CLS]`` ``[N, H]`` of texts ``[N, L]``, at their full width.

        Only ``[CLS]`` is read, so the last layer computes keys and values for every position
        but queries, attention output and feed-forward for ``[CLS]`` alone (about a fourteenth
        of the BERT-base tower's work saved, the result the same up to float rounding). No
        data-dependent trimming (that is :meth:`_tower_cls`), so the ONNX text graph exports it.
        """
        bert = self.bert
        if not _reads_class_state(bert):
            return bert(input_ids=token_ids, attention_mask=attention_mask).last_hidden_state[:, 0]
        x = bert.embeddings(input_ids=token_ids)
        mask = create_bidirectional_mask(
            config=bert.config, inputs_embeds=x, attention_mask=attention_mask
        )
        for layer in bert.encoder.layer[:-1]:  # a checkpointing layer checkpoints itself
            x = layer(x, mask)
        return _class_token_layer(bert.encoder.layer[-1], x, mask)[:, 0]

    def _text_heads(self) -> dict[str, nn.Module]:
        return {
            "patient": self.text_projection,
            "left": self.text_projection_left,
            "right": self.text_projection_right,
        }

    # -- training helpers ---------------------------------------------------------------------

    def logit_scales(self) -> dict[str, Tensor]:
        raw = (self.logit_scale, self.logit_scale_left, self.logit_scale_right)
        return {level: value.exp() for level, value in zip(LEVELS, raw, strict=True)}

    @torch.no_grad()
    def clamp_logit_scales(self) -> None:
        """Keep every temperature in ``[1, exp(logit_scale_max)]`` (the reference, every step)."""
        for value in (self.logit_scale, self.logit_scale_left, self.logit_scale_right):
            value.clamp_(0.0, self.config.logit_scale_max)

    def lock_text_tower(self, token_ids: Tensor, attention_mask: Tensor) -> None:
        """Freeze the text tower (LiT; its three heads still train) in inference mode (no
        dropout), and encode the texts ``token_ids`` once: the training texts, so that no step
        runs the tower again (:class:`LockedTextStates`)."""
        self.bert.requires_grad_(False)
        self.bert.eval()
        self._locked_text = LockedTextStates(self._tower_cls, token_ids, attention_mask)

    def train(self, mode: bool = True) -> RetClip:
        """``nn.Module.train``; a locked text tower stays in inference mode."""
        super().train(mode)
        if self._locked_text is not None:
            self.bert.eval()
        return self

    def set_grad_checkpointing(self, enable: bool = True) -> None:
        self.visual.set_grad_checkpointing(enable)
        if enable:
            self.bert.activation_checkpointing_enable()
        else:
            self.bert.activation_checkpointing_disable()

    def compile_blocks(self) -> None:
        """Compile each repeated block of both towers in place (PyTorch's regional compilation).

        Eager mode runs a block's norms, activation (QuickGELU alone is three kernels) and
        residual adds as separate memory-bound kernels; compiled, they fuse. Identical blocks
        share one compiled graph, so compiling costs about one block's time, and parameter
        names, checkpoints and gradient checkpointing are unchanged. A ResNet's stages differ in
        width, so its tower is compiled whole: one graph instead of one per stage.
        """
        vit = self.config.image.architecture == "vit"
        for module in [*(self.visual.blocks if vit else [self.visual]), *self.bert.encoder.layer]:
            module.compile()

    def no_weight_decay(self) -> set[str]:
        """Norms, biases, logit scales and token-like embeddings (the reference's groups: its
        1-D class embedding is excluded, its 2-D positional embedding is not)."""
        tokens = {"visual.cls_token", "missing_eye"}
        return {n for n, p in self.named_parameters() if p.ndim < 2 or n in tokens}

    def load_tower_weights(self, image: Path | None = None, text: Path | None = None) -> None:
        """Start a tower from local weights (timm or OpenAI-CLIP image, Hugging Face BERT)."""
        if image is not None:
            load_image_weights(self.visual, Path(image))
        if text is not None:
            load_text_weights(self.bert, Path(text))

    # -- folders ------------------------------------------------------------------------------

    def save_pretrained(self, folder: Path, tokenizer_dir: Path | None = None) -> None:
        """Write ``config.json``, ``model.safetensors`` and the tokenizer's files (if given)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if tokenizer_dir is not None:
            for path in sorted(Path(tokenizer_dir).iterdir()):
                if path.name in (CONFIG_FILE, WEIGHTS_FILE):
                    raise ValueError(f"{path}: a tokenizer file may not be named {path.name}")
                if path.is_file() and path.name not in NOT_COPIED:
                    shutil.copyfile(path, folder / path.name)
        save_weights(self, folder / WEIGHTS_FILE)
        text = json.dumps(self.config.to_dict(), indent=2) + "\n"
        (folder / CONFIG_FILE).write_text(text, encoding="utf-8")

    @classmethod
    def from_pretrained(cls, folder: Path, map_location: str | torch.device = "cpu") -> RetClip:
        """Rebuild from ``config.json`` (no network) and load the weights strictly."""
        folder = Path(folder)
        config = ModelConfig.from_dict(json.loads((folder / CONFIG_FILE).read_text("utf-8")))
        model = cls(config)
        load_weights(model, folder / WEIGHTS_FILE)
        return model.to(map_location).eval()


def model_folder(path: Path) -> Path:
    """The model folder itself, or the ``model/`` inside a pretrain stage's folder."""
    path = Path(path)
    for candidate in (path, path / "model"):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    raise ValueError(f"{path}: not a model folder (no {CONFIG_FILE} in it or in {path / 'model'})")


def save_weights(model: nn.Module, path: Path) -> None:
    """safetensors, written beside and renamed into place, so a reader never sees half a file."""
    state = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    partial = path.with_name(path.name + ".partial")
    save_file(state, str(partial), metadata={"format": "pt"})
    os.replace(partial, path)


def load_weights(model: nn.Module, path: Path) -> None:
    """Load safetensors weights; another configuration's weights raise an error naming keys."""
    state = load_file(str(path))
    check_state_dict(model, state, str(path))
    model.load_state_dict(state)


def _reads_class_token(tower: nn.Module) -> bool:
    """Whether ``tower`` is a timm ViT whose output is its class token after a plain last block
    (not pooled over tokens): then the last block need only compute that token."""
    return (
        isinstance(tower, VisionTransformer)
        and tower.attn_pool is None
        and tower.global_pool == "token"
        and tower.cls_token is not None
        and isinstance(tower.fc_norm, nn.Identity)
        and type(tower.blocks[-1]) is Block
    )


def _class_token_block(block: Block, x: Tensor) -> Tensor:
    """timm's pre-norm ViT block ``[B, N, C] -> [B, 1, C]`` for the class token (the first)."""
    attn = block.attn
    h = block.norm1(x)
    batch, tokens, width = h.shape
    q_weight, kv_weight = attn.qkv.weight.split([width, 2 * width])
    q_bias, kv_bias = (
        (None, None) if attn.qkv.bias is None else attn.qkv.bias.split([width, 2 * width])
    )
    q = F.linear(h[:, :1], q_weight, q_bias).view(batch, 1, attn.num_heads, -1).transpose(1, 2)
    kv = F.linear(h, kv_weight, kv_bias).view(batch, tokens, 2, attn.num_heads, -1)
    k, v = kv.permute(2, 0, 3, 1, 4).unbind(0)
    q, k = attn.q_norm(q), attn.k_norm(k)
    dropout = attn.attn_drop.p if attn.training else 0.0
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout, scale=attn.scale)
    out = attn.proj_drop(attn.proj(attn.norm(out.transpose(1, 2).reshape(batch, 1, width))))
    cls = x[:, :1] + block.drop_path1(block.ls1(out))
    return cls + block.drop_path2(block.ls2(block.mlp(block.norm2(cls))))


def _reads_class_state(bert: nn.Module) -> bool:
    """Whether ``bert`` is a plain ``BertModel`` encoder (no decoder, no cross-attention) whose
    last layer is the standard one with an attention whose padding mask has one row per query
    (``sdpa`` or ``eager``): then :func:`_class_token_layer` may stand in for that layer."""
    config = bert.config if isinstance(bert, BertModel) else None
    return (
        config is not None
        and not config.is_decoder
        and not config.add_cross_attention
        and config._attn_implementation in ("sdpa", "eager")
        and getattr(config, "position_embedding_type", "absolute") == "absolute"
        and len(bert.encoder.layer) > 0
        and type(bert.encoder.layer[-1]) is BertLayer
        and type(bert.encoder.layer[-1].attention.self) is BertSelfAttention
    )


def _class_token_layer(layer: BertLayer, x: Tensor, mask: Tensor | None) -> Tensor:
    """A Hugging Face ``BertLayer`` ``[B, L, H] -> [B, 1, H]`` for ``[CLS]`` (the first position),
    attending through ``mask`` (``create_bidirectional_mask``'s ``[B, 1, L, L]`` or ``None``)."""
    attn = layer.attention.self
    batch, length, _ = x.shape
    cls = x[:, :1]
    q = attn.query(cls).view(batch, 1, -1, attn.attention_head_size).transpose(1, 2)
    k = attn.key(x).view(batch, length, -1, attn.attention_head_size).transpose(1, 2)
    v = attn.value(x).view(batch, length, -1, attn.attention_head_size).transpose(1, 2)
    attend = ALL_ATTENTION_FUNCTIONS.get_interface(
        attn.config._attn_implementation, eager_attention_forward
    )
    out, _ = attend(
        attn,
        q,
        k,
        v,
        None if mask is None else mask[:, :, :1],
        dropout=attn.dropout.p if attn.training else 0.0,
        scaling=attn.scaling,
    )
    a = layer.attention.output(out.reshape(batch, 1, -1), cls)
    return layer.output(layer.intermediate(a), a)


def _distinct_rows(rows: Tensor) -> tuple[Tensor, Tensor]:
    """The index of each distinct row's first occurrence, in order of appearance, and every
    row's position among them: ``rows[first][inverse]`` equals ``rows``.

    Appearance order (not ``torch.unique``'s sorted order) keeps a batch without duplicates
    exactly as it came.
    """
    _, inverse = torch.unique(rows, dim=0, return_inverse=True)
    count, positions = int(inverse.max()) + 1, torch.arange(rows.shape[0], device=rows.device)
    first = torch.full((count,), rows.shape[0], dtype=torch.long, device=rows.device)
    first = first.scatter_reduce(0, inverse, positions, reduce="amin")
    order = first.argsort()
    rank = torch.empty_like(order)
    rank[order] = torch.arange(count, device=rows.device)
    return first[order], rank[inverse]


def _attended_length(attention_mask: Tensor) -> int:
    """One past the last column any text attends to (at least 1)."""
    attended = attention_mask.any(dim=0).nonzero()
    return int(attended[-1]) + 1 if attended.numel() else 1


def _normalise(x: Tensor) -> Tensor:
    return F.normalize(x.float(), dim=-1)


def _presence(
    left: Tensor | None, right: Tensor | None, has_left: Tensor | None, has_right: Tensor | None
) -> tuple[Tensor, Tensor]:
    reference = left if left is not None else right
    if reference is None:
        raise ValueError("encode_patient needs at least one eye")
    batch, device = reference.shape[0], reference.device

    def mask(images: Tensor | None, given: Tensor | None) -> Tensor:
        if images is None:
            return torch.zeros(batch, dtype=torch.bool, device=device)
        return (
            given.bool()
            if given is not None
            else torch.ones(batch, dtype=torch.bool, device=device)
        )

    return mask(left, has_left), mask(right, has_right)
