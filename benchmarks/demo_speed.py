"""``make demo``'s wall time before and after, measured in one sitting on one machine.

"Before" and "after" are two commits (``--base``, ``--after``: HEAD), each checked out as a git
worktree in the work folder (uncommitted changes are not measured); both run with this
checkout's ``.venv``, their own code first on ``PYTHONPATH``. Two modes:

* ``--mode pretrain`` (default): the part of the demo that changed. The stages up to the
  tokenizer run once ("after"'s code); then each side runs both pre-trainings as its
  ``make demo`` does: before, one after the other (``in_process``), each warming up the text
  tower itself; after, side by side (``make demo``'s multiprocess launch, 2 at a time), one
  warm-up shared through its cache. ``--set`` shortens them (``pretrain.epochs``,
  ``pretrain.text_mlm_steps``) when the whole run does not fit the time there is.
* ``--mode demo``: ``make -o setup demo`` in each tree with its own ``outputs/``,
  ``.dagster_home`` and the same ``data/raw``, timed per step of the Makefile recipe.

    .venv/bin/python benchmarks/demo_speed.py [--base c7452d0] [--after HEAD] [--mode demo]
        [--patients 400] [--set pretrain.epochs=4 ...] [--work /tmp/demo_speed] [--keep]

Prints one table: each stage's seconds on each side and the ratio after / before.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
PY = str(REPO / ".venv" / "bin" / "python")
UPSTREAM = (  # the stages pre-training reads, as dvc.yaml runs them
    ("synth", "synth --out data/raw"),
    ("validate", "validate --raw data/raw --out outputs/validate"),
    (
        "preprocess",
        "preprocess --raw data/raw --manifest outputs/validate --out outputs/preprocess",
    ),
    ("clean_reports", "clean-reports --manifest outputs/validate --out outputs/clean_reports"),
    ("tokenizer", "tokenizer --reports outputs/clean_reports --out outputs/tokenizer"),
)
PATIENT_ONLY = ["--set", "pretrain.lambda_left=0", "--set", "pretrain.lambda_right=0"]


def pretrain_args(out: str, overrides: list[str]) -> list[str]:
    """The pre-training command of dvc.yaml (and of the Dagster asset)."""
    return [
        "pretrain",
        "--images", "outputs/preprocess",
        "--reports", "outputs/clean_reports",
        "--tokenizer", "outputs/tokenizer",
        "--out", out,
        "--params", "params.yaml",
        *overrides,
    ]  # fmt: skip


def retclip(tree: Path, args: list[str], cwd: Path) -> subprocess.Popen:
    """``python -m retclip`` with ``tree``'s code, output to a log file beside the project."""
    env = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
    log = cwd / f"{args[0]}-{args[args.index('--out') + 1].replace('/', '_')}.log"
    with open(log, "ab") as stream:  # the child keeps its own handle
        return subprocess.Popen(
            [PY, "-m", "retclip", *args], cwd=cwd, env=env, stdout=stream, stderr=stream
        )


def wait(*processes: subprocess.Popen) -> float:
    """Seconds until every process ended; a failure stops the benchmark."""
    start = time.perf_counter()
    for process in processes:
        if process.wait() != 0:
            raise SystemExit(f"demo_speed: {process.args} failed; see the logs in the project")
    return time.perf_counter() - start


def prepare(
    base: Path, after: Path, project: Path, patients: int | None, overrides: list[str]
) -> None:
    """A project folder with params.yaml and every output up to the tokenizer."""
    project.mkdir(parents=True, exist_ok=True)
    params = yaml.safe_load((base / "params.yaml").read_text())  # the older schema: both read it
    for item in overrides:
        key, value = item.split("=", 1)
        section, name = key.split(".", 1)
        params[section][name] = yaml.safe_load(value)
    if patients:
        params["synth"]["patients"] = patients
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    for name, args in UPSTREAM:
        start = time.perf_counter()
        wait(retclip(after, [*args.split(), "--params", "params.yaml"], project))
        print(f"  {name:<14} {time.perf_counter() - start:7.1f} s (shared by both sides)")


def pretrain_mode(base: Path, after: Path, project: Path) -> list[tuple[str, float, float | None]]:
    """Both pre-trainings, as each side's ``make demo`` runs them."""
    for out in ("outputs/pretrain", "outputs/pretrain_patient_only", "outputs/.cache"):
        shutil.rmtree(project / out, ignore_errors=True)
    first = wait(retclip(base, pretrain_args("outputs/pretrain", []), project))
    second = wait(
        retclip(base, pretrain_args("outputs/pretrain_patient_only", PATIENT_ONLY), project)
    )
    before = {"pretrain": first, "pretrain_patient_only": second}
    for out in ("outputs/pretrain", "outputs/pretrain_patient_only", "outputs/.cache"):
        shutil.rmtree(project / out, ignore_errors=True)
    added = added_settings(base, after)
    both = wait(
        retclip(after, pretrain_args("outputs/pretrain", added), project),
        retclip(
            after, pretrain_args("outputs/pretrain_patient_only", [*added, *PATIENT_ONLY]), project
        ),
    )
    return [
        ("pretrain, then pretrain_patient_only", sum(before.values()), both),
        *((f"before: {k} alone", v, None) for k, v in before.items()),
    ]


# make's shell for a timed run: each recipe line's seconds and text go to $DEMO_SPEED_TIMES
TIMED_SHELL = r"""#!/bin/sh
start=$(date +%s.%N)
/bin/sh "$@"
status=$?
command=$(printf '%s' "$2" | tr '\n' ' ')
printf '%s %s\t%s\n' "$start" "$(date +%s.%N)" "$command" >> "$DEMO_SPEED_TIMES"
exit $status
"""
STEPS = (  # a recipe line's words -> its name in the table
    ("demo prepare", "data/raw (synth or check)"),
    ("not key:evaluation", "stages before evaluation"),  # after: up to the pre-trainings
    ("key:pretrained or key:pretrained_patient_only", "pre-trainings"),
    ("--partition", "evaluation (every task)"),
    ("--assets exported", "export"),
    ("demo summary", "summary"),
)


def added_settings(base: Path, after: Path) -> list[str]:
    """``--set`` for each pre-training setting that "after"'s params.yaml has and "before"'s
    lacks (the project's params.yaml is "before"'s, which both sides can read)."""
    old, new = (yaml.safe_load((t / "params.yaml").read_text())["pretrain"] for t in (base, after))
    pairs = (f"pretrain.{key}={json.dumps(new[key])}" for key in sorted(new.keys() - old.keys()))
    return [arg for pair in pairs for arg in ("--set", pair)]


def demo_mode(base: Path, after: Path, work: Path) -> list[tuple[str, float, float | None]]:
    """``make -o setup demo`` in each tree (this checkout's environments linked in), timed per
    recipe line and as a whole; the same data/raw (this checkout's, when it has one) for both."""
    shell = work / "timed-sh"
    shell.write_text(TIMED_SHELL)
    shell.chmod(0o755)
    seconds, steps = {}, {}
    for side, tree in (("before", base), ("after", after)):
        for venv in (".venv", ".venv-dvc"):
            (tree / venv).symlink_to(REPO / venv)
        if (REPO / "data" / "raw").is_dir():
            shutil.copytree(REPO / "data" / "raw", tree / "data" / "raw")
        times = work / f"{side}-steps.txt"
        env = {**os.environ, "PYTHONPATH": str(tree), "DEMO_SPEED_TIMES": str(times)}
        start = time.perf_counter()
        command = ["make", "-o", "setup", "demo", f"SHELL={shell}"]
        subprocess.run(command, cwd=tree, env=env, check=True)
        seconds[side] = time.perf_counter() - start
        steps[side] = recipe_steps(times)
    names = list(dict.fromkeys([*steps["before"], *steps["after"]]))
    rows = [
        (f"{side}: {n}", steps[side][n], None) for side in steps for n in names if n in steps[side]
    ]
    return [*rows, ("make demo", seconds["before"], seconds["after"])]


def recipe_steps(times: Path) -> dict[str, float]:
    """Seconds per named step from the timed shell's lines (``start end<TAB>command``)."""
    steps: dict[str, float] = {}
    for line in times.read_text().splitlines():
        span, _, command = line.partition("\t")
        start, end = (float(x) for x in span.split())
        name = next((n for words, n in STEPS if words in command), None)
        if name is None and end - start < 1:
            continue  # the recipe's set-up lines (mkdir, cp)
        name = name or command.strip()[:50]
        steps[name] = steps.get(name, 0.0) + end - start
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="c7452d0", help="the commit measured as 'before'")
    parser.add_argument("--after", default="HEAD", help="the commit measured as 'after'")
    parser.add_argument("--mode", choices=("pretrain", "demo"), default="pretrain")
    parser.add_argument("--patients", type=int, help="synth.patients (default: params.yaml's)")
    parser.add_argument("--set", action="append", default=[], help="section.key=value")
    parser.add_argument("--work", type=Path, default=Path("/tmp/demo_speed"))
    parser.add_argument("--keep", action="store_true", help="keep both worktrees and outputs")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    base, after = args.work / "before", args.work / "after"
    for tree, commit in ((base, args.base), (after, args.after)):
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), commit], cwd=REPO, check=True
        )
    try:
        if args.mode == "pretrain":
            prepare(base, after, args.work / "project", args.patients, args.set)
            rows = pretrain_mode(base, after, args.work / "project")
        else:
            rows = demo_mode(base, after, args.work)
    finally:
        for tree in () if args.keep else (base, after):
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, check=False
            )
    print(f"\n{args.mode}: before = {args.base}, after = {args.after}; {os.cpu_count()} cores")
    if args.set or args.patients:
        print(f"settings changed from params.yaml: {args.set} patients={args.patients}")
    print("| stage | before (s) | after (s) | after / before |\n|---|---|---|---|")
    for name, before, after in rows:
        cells = ("-", "-") if after is None else (f"{after:.1f}", f"{after / before:.2f}")
        print(f"| {name} | {before:.1f} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    sys.exit(main())
