"""Report to Dagster when a stage was launched through Dagster Pipes; otherwise do nothing.

Only the ``dagster-pipes`` protocol package is used (no Dagster framework), and only when the
launching process set ``DAGSTER_PIPES_CONTEXT``, so the CLI behaves the same everywhere else.
Long stages report progress as throttled lines (:class:`ProgressLog`): through Pipes they reach
Dagster's run log (and the terminal of ``dg launch``); a progress bar would reach neither.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

PROGRESS_EVERY_S = 15.0  # often enough to see a run move, rarely enough to keep the log readable


@contextmanager
def pipes_session() -> Iterator[Any | None]:
    """Yield an open Pipes context when launched by Dagster Pipes, else ``None``; in a
    distributed run only rank 0 reports (one materialization, one progress log)."""
    if "DAGSTER_PIPES_CONTEXT" not in os.environ or os.environ.get("RANK", "0") != "0":
        yield None
        return
    from dagster_pipes import open_dagster_pipes

    with open_dagster_pipes() as pipes:
        os.environ.setdefault("DAGSTER_RUN_ID", pipes.run_id or "")
        yield pipes


def progress_writer(pipes: Any | None) -> Callable[[str], None] | None:
    """Where progress lines go: Dagster's run log under Pipes, stderr when it is not a terminal
    (``dvc repro`` into a log file), nowhere in a terminal (the progress bar shows it there)."""
    if pipes is not None:
        return pipes.log.info
    if sys.stderr.isatty():
        return None
    return lambda line: print(line, file=sys.stderr, flush=True)


class ProgressLog:
    """Progress of a loop of ``total`` steps as lines: the first and the last update, and one
    every ``every_s`` seconds in between, each with the rate since the start and an ETA.
    With ``write`` ``None`` it reports nothing, so loops call it unconditionally."""

    def __init__(
        self,
        write: Callable[[str], None] | None,
        name: str,
        total: int,
        initial: int = 0,
        rate_unit: str = "steps",
        per_step: int = 1,
        every_s: float = PROGRESS_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.write, self.name, self.total = write, name, total
        self.initial, self.rate_unit, self.per_step = initial, rate_unit, per_step
        self.every_s, self.clock = every_s, clock
        self.started = self.clock()
        self.last: float | None = None

    def update(self, done: int, **fields: str) -> None:
        """``done`` steps of ``total`` are done; ``fields`` (already formatted) join the line."""
        if self.write is None:
            return
        now = self.clock()
        due = self.last is None or now - self.last >= self.every_s or done >= self.total
        if not due:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-9)
        steps_per_s = (done - self.initial) / elapsed
        rate = steps_per_s * self.per_step
        eta = (self.total - done) / steps_per_s if steps_per_s > 0 else None
        parts = [
            f"{self.name}: step {done}/{self.total} ({100 * done / max(self.total, 1):.0f}%)",
            *(f"{key} {value}" for key, value in fields.items()),
            f"{rate:.1f} {self.rate_unit}/s",
            "done" if done >= self.total else f"ETA {format_duration(eta)}",
        ]
        self.write(", ".join(parts))


def format_duration(seconds: float | None) -> str:
    """``1h 02m``, ``3m 05s`` or ``42s``; ``?`` before the rate is known."""
    if seconds is None:
        return "?"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"
