"""Errors shared across the package, in a module without dependencies so that the torch-free
``retclip predict`` path can name them without importing the parameter models (pydantic)."""


class ConfigError(ValueError):
    """Raised when a parameters file or an override is invalid; the message names the key."""
