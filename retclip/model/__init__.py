"""The RET-CLIP model: encoders, the module with its save/load API, and the tripartite loss."""

from retclip.model.config import ModelConfig, preset
from retclip.model.loss import TripartiteLoss
from retclip.model.retclip import RetClip, RetClipOutput

__all__ = ["ModelConfig", "RetClip", "RetClipOutput", "TripartiteLoss", "preset"]
