"""Report cleaning throughput: reports per second on one core, on synthetic-clinic reports.

Reports are written as the synthetic clinic writes them (the demo's language mix and noise; no
images rendered). Baselines measured in the same run: normalisation alone, a naive pass of a
few PHI regexes, and ``clean_report`` called once per report (every stage per report, the
garbage collector running), against which the manifest path's batching shows. Time is CPU time
of this one process, so the figure is per core even when other work shares the machine.
Target (issue #4): at least 5,000 reports/s per core.

Then the same reports are cleaned by an earlier commit (``--baseline``, by default the one before
issue #19's PHI work) and by this checkout, back to back, in fresh processes taking turns, so a
change in speed is measured under the same load; the earlier code runs from a temporary
``git worktree``. ``--baseline none`` skips it.

With ``--stages``, the time of each cleaning stage alone (``retclip.text.clean.STAGES``, run as
:func:`retclip.text.clean.clean_batch` runs them, every report through each), and the rate the
rest would allow if PHI detection took no time: what bounds the target on the machine at hand.

    .venv/bin/python benchmarks/clean_reports_speed.py [--reports 20000] [--baseline REV] [--stages]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from report_corpus import synthetic_reports

from retclip.config import CleanReportsParams
from retclip.text.clean import clean_report, clean_reports
from retclip.text.garbled import garbled_reason
from retclip.text.language import detect_language
from retclip.text.normalize import align, tidy

TARGET = 5000.0
BASELINE = "f56fac2^"
"""The commit before issue #19's PHI work (telephones and identifiers in every written form)."""
ROOT = Path(__file__).resolve().parent.parent
WARM_UP = "眼底：正常。患者王明今日复查，家住绍兴市。Fundus: normal. Harold lives in Dayton, OH."
"""A report in both languages: every detector's dictionaries (jieba's, cpca's, GeoNames') load
on first use, and a one-time load is not the per-report rate."""
NAIVE_PHI = [
    re.compile(p)
    for p in (
        r"\d{11,18}",
        r"\d{4}[-/]\d{1,2}[-/]\d{1,2}",
        r"[\w.]+@[\w.]+",
        r"https?://\S+",
        r"(?:姓名|Name)[:：]\s*\S+",
    )
]


def naive_scrub(text: str) -> str:
    for pattern in NAIVE_PHI:
        text = pattern.sub("[PHI]", text)
    return text


def cpu_seconds(work: Callable[[], object]) -> float:
    """CPU time of this process for one run: one core's worth of work.

    One run, not the best of several: cleaning remembers the lines it has read (reports repeat
    their template lines), and a second pass over the same reports would find them all.
    """
    start = time.process_time()
    work()
    return time.process_time() - start


def manifest_of(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"patient_id": [f"P{i:06d}" for i in range(len(texts))], "report": texts})


def warm_up(params: CleanReportsParams) -> None:
    """Load the dictionaries before timing: once per process, as a long run pays them."""
    clean_report(WARM_UP, params)


def clean_only(corpus: Path) -> None:
    """The child's side of the comparison: clean the reports in ``corpus`` with the ``retclip``
    first on the import path and print the CPU seconds as JSON."""
    texts = json.loads(corpus.read_text())
    params = CleanReportsParams()
    warm_up(params)
    normalise = cpu_seconds(lambda: [tidy(align(t)) for t in texts])
    clean = cpu_seconds(lambda: clean_reports(manifest_of(texts), params, progress=False))
    print(json.dumps({"normalise": normalise, "clean": clean}))


def stage_table(texts: list[str], params: CleanReportsParams) -> None:
    """CPU microseconds per report of each of :data:`retclip.text.clean.STAGES`, each run over
    all reports in turn, as :func:`retclip.text.clean.clean_batch` runs them: the reports with a
    language (an unreadable one leaves early). Run in a process of its own, so the stages that
    remember lines (align's markup, terms, boilerplate, sections) start from empty memos as in a
    real run."""
    # imported here: the comparison's child runs older commits, which have no STAGES
    from retclip.text.clean import STAGES, CleaningBatch

    texts = [
        t
        for t in texts
        if garbled_reason(t, params.min_letter_share) is None and detect_language(tidy(align(t)))
    ]
    batch = CleaningBatch.of(texts, params)
    timings: dict[str, float] = {}
    for name, stage in STAGES:
        start = time.process_time()
        stage(batch)
        timings[name] = (time.process_time() - start) / len(texts) * 1e6
    total = sum(timings.values())
    print(f"\n{'stage':<20} {'us/report':>10} {'share':>7}")
    for name, micros in timings.items():
        print(f"{name:<20} {micros:>10.1f} {micros / total:>7.1%}")
    rest = total - timings["PHI detection"]
    print(f"{'all stages':<20} {total:>10.1f}   {1e6 / total:.0f} reports/s")
    print(f"with PHI detection free: {1e6 / rest:.0f} reports/s per core")


def compare(texts: list[str], revision: str, rounds: int) -> None:
    """Clean ``texts`` with ``revision`` and with this checkout, taking turns, and print a table
    of the best round of each (fresh processes: no memo carries over between rounds)."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", revision], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    rates: dict[str, list[tuple[float, float]]] = {commit: [], "current": []}
    with tempfile.TemporaryDirectory() as folder:
        corpus, worktree = Path(folder) / "reports.json", Path(folder) / "baseline"
        corpus.write_text(json.dumps(texts))
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(worktree), commit],
            cwd=ROOT,
            check=True,
        )
        try:
            for _ in range(rounds):
                for name, root in ((commit, worktree), ("current", ROOT)):
                    child = subprocess.run(
                        [sys.executable, __file__, "--clean-only", str(corpus)],
                        env={**os.environ, "PYTHONPATH": str(root)},
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    seconds = json.loads(child.stdout.splitlines()[-1])
                    rates[name].append(
                        (len(texts) / seconds["clean"], len(texts) / seconds["normalise"])
                    )
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=True
            )
    print(
        f"\nclean_reports, {commit} (baseline) and this checkout back to back, {rounds} rounds "
        "taking turns, best round of each"
    )
    print(f"{'code':<22} {'reports/s':>10} {'every round':>26} {'normalise only/s':>17}")
    best = {}
    for name, runs in rates.items():
        best[name] = max(clean for clean, _ in runs)
        every = " ".join(f"{clean:.0f}" for clean, _ in runs)
        label = f"{name} (baseline)" if name == commit else "current checkout"
        normalise = max(n for _, n in runs)
        print(f"{label:<22} {best[name]:>10.0f} {every:>26} {normalise:>17.0f}")
    print(f"{'current / baseline':<22} {best['current'] / best[commit]:>9.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--baseline", default=BASELINE, help="commit to compare with, or none")
    parser.add_argument("--rounds", type=int, default=3, help="turns of the comparison")
    parser.add_argument("--stages", action="store_true", help="time each stage alone too")
    parser.add_argument("--clean-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stages-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.clean_only:
        clean_only(args.clean_only)
        return
    if args.stages_only:
        params = CleanReportsParams()
        warm_up(params)
        stage_table(synthetic_reports(args.reports, args.seed), params)
        return
    texts = synthetic_reports(args.reports, args.seed)
    # the per-report run gets other patients: the manifest run must not find its lines read
    others = synthetic_reports(args.reports, args.seed + 1)
    params = CleanReportsParams()
    manifest = manifest_of(texts)
    warm_up(params)
    runs = [
        ("baseline: normalise only", lambda: [tidy(align(t)) for t in texts]),
        ("baseline: naive PHI regexes", lambda: [naive_scrub(t) for t in texts]),
        ("clean_reports (manifest)", lambda: clean_reports(manifest, params, progress=False)),
        ("clean_report (one report)", lambda: [clean_report(t, params) for t in others]),
    ]
    print(
        f"{len(texts)} reports, mean {np.mean([len(t) for t in texts]):.0f} characters; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    print(f"{'run':<30} {'CPU s':>7} {'reports/s':>10} {'200k reports':>13} {'vs baseline':>12}")
    baseline = None
    rates = {}
    for name, work in runs:
        seconds = cpu_seconds(work)
        rate = len(texts) / seconds
        baseline = baseline or rate
        rates[name] = rate
        print(
            f"{name:<30} {seconds:>7.2f} {rate:>10.0f} {200_000 / rate:>12.1f}s "
            f"{rate / baseline:>11.2f}x"
        )
    rate = rates["clean_reports (manifest)"]
    verdict = "meets" if rate >= TARGET else "MISSES"
    print(f"cleaning: {rate:.0f} reports/s per core {verdict} the target of {TARGET:.0f}")
    if args.stages:
        # in a fresh process: the runs above filled the memos of the stages that remember lines
        command = [sys.executable, __file__, "--stages-only", "--reports", str(args.reports)]
        subprocess.run([*command, "--seed", str(args.seed + 2)], check=True)
    if args.baseline != "none":
        compare(texts, args.baseline, args.rounds)


if __name__ == "__main__":
    main()
