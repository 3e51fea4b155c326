"""Progress lines for logs that are no terminal: throttled, with rate and ETA, or nowhere."""

from __future__ import annotations

import io

import pytest

from retclip.pipes import ProgressLog, format_duration, progress_writer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_lines_come_first_then_every_interval_then_last_with_rate_and_eta():
    clock, lines = Clock(), []
    report = ProgressLog(
        lines.append, "pretrain", 10, rate_unit="patients", per_step=32, every_s=15, clock=clock
    )
    for step in range(1, 11):
        clock.now += 4  # 4 s a step: 8 patients/s
        report.update(step, loss="1.2345")
    assert lines == [
        "pretrain: step 1/10 (10%), loss 1.2345, 8.0 patients/s, ETA 36s",
        "pretrain: step 5/10 (50%), loss 1.2345, 8.0 patients/s, ETA 20s",
        "pretrain: step 9/10 (90%), loss 1.2345, 8.0 patients/s, ETA 4s",
        "pretrain: step 10/10 (100%), loss 1.2345, 8.0 patients/s, done",
    ]


def test_a_resumed_loop_counts_its_rate_from_where_it_started():
    clock, lines = Clock(), []
    report = ProgressLog(lines.append, "pretrain", 100, initial=90, clock=clock)
    clock.now += 2
    report.update(91)
    assert lines == ["pretrain: step 91/100 (91%), 0.5 steps/s, ETA 18s"]


def test_without_a_writer_nothing_is_reported():
    ProgressLog(None, "pretrain", 3).update(1)  # no error, nowhere to write


@pytest.mark.parametrize(
    ("seconds", "text"), [(None, "?"), (42.4, "42s"), (185, "3m 05s"), (3720, "1h 02m")]
)
def test_durations_read_at_a_glance(seconds, text):
    assert format_duration(seconds) == text


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class PipesLog:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, line: str) -> None:
        self.lines.append(line)


def test_lines_go_to_pipes_or_to_stderr_when_it_is_no_terminal(monkeypatch, capsys):
    pipes = type("Pipes", (), {"log": PipesLog()})()
    progress_writer(pipes)("through pipes")
    assert pipes.log.lines == ["through pipes"]
    progress_writer(None)("to a log file")
    assert capsys.readouterr().err == "to a log file\n"
    monkeypatch.setattr("sys.stderr", Terminal())
    assert progress_writer(None) is None  # a terminal gets the progress bar instead
