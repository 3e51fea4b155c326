"""The Dagster code location of retclip: assets over :mod:`retclip.pipeline`; nothing imports it."""
