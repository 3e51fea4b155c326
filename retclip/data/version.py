"""The raw data version: the md5 that ``data.dvc`` records for ``data/raw``.

Lineage, the demo and the Dagster source asset all name the data by this one value.
"""

from __future__ import annotations

from pathlib import Path

import yaml


class DataVersionError(ValueError):
    """``data.dvc`` is missing or is not a DVC file with exactly one output."""


def raw_data_version(dvc_file: Path | str) -> str:
    """Return the md5 (``<hex>.dir`` for a folder) recorded in a ``.dvc`` file."""
    path = Path(dvc_file)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        outs = document["outs"]
        (out,) = outs
        return str(out["md5"])
    except FileNotFoundError:
        raise DataVersionError(
            f"{path} does not exist: track the raw data with `dvc add`"
        ) from None
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise DataVersionError(f"{path} is not a DVC file with one output: {exc}") from None
