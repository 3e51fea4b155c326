"""The RET-CLIP model: encoders, the module with its save/load API, and the tripartite loss.

The names below load on first use (PEP 562): ``retclip.model.config`` and
``retclip.model.preprocessing`` are numpy-only, and the onnxruntime prediction path imports
them without pulling in torch.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from retclip.model.config import ModelConfig, preset
    from retclip.model.loss import TripartiteLoss
    from retclip.model.retclip import RetClip, RetClipOutput

_HOMES = {
    "ModelConfig": "retclip.model.config",
    "RetClip": "retclip.model.retclip",
    "RetClipOutput": "retclip.model.retclip",
    "TripartiteLoss": "retclip.model.loss",
    "preset": "retclip.model.config",
}
__all__ = ["ModelConfig", "RetClip", "RetClipOutput", "TripartiteLoss", "preset"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
