"""retclip: pre-train, evaluate, ship and audit RET-CLIP retinal vision-language models."""

# Before torch or NumPy load anywhere in the process: versioned outputs must not depend on the CPU.
from retclip import dispatch  # noqa: F401

__version__ = "0.1.0"
