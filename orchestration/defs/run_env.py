"""Make the Dagster run id visible to the library, which records it in ``run.json``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def dagster_run(run_id: str) -> Iterator[None]:
    previous = os.environ.get("DAGSTER_RUN_ID")
    os.environ["DAGSTER_RUN_ID"] = run_id
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("DAGSTER_RUN_ID", None)
        else:
            os.environ["DAGSTER_RUN_ID"] = previous
