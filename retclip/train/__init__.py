"""Pre-training: the loop, its data stream, checkpoints and distributed helpers."""

from retclip.train.data import TextEncoder
from retclip.train.loop import NonFiniteLossError, TrainResult, train

__all__ = ["NonFiniteLossError", "TextEncoder", "TrainResult", "train"]
