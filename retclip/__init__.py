"""retclip: pre-train, evaluate, ship and audit RET-CLIP retinal vision-language models."""

__version__ = "0.1.0"
