"""Report to Dagster when a stage was launched through Dagster Pipes; otherwise do nothing.

Only the ``dagster-pipes`` protocol package is used (no Dagster framework), and only when the
launching process set ``DAGSTER_PIPES_CONTEXT``, so the CLI behaves the same everywhere else.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def pipes_session() -> Iterator[Any | None]:
    """Yield an open Pipes context when launched by Dagster Pipes, else ``None``."""
    if "DAGSTER_PIPES_CONTEXT" not in os.environ:
        yield None
        return
    from dagster_pipes import open_dagster_pipes

    with open_dagster_pipes() as pipes:
        os.environ.setdefault("DAGSTER_RUN_ID", pipes.run_id or "")
        yield pipes
