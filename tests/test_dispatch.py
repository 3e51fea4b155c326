"""The same bytes on another machine: the pipeline rerun under other CPU kernels.

A machine with other CPU features makes torch (ATen, oneDNN, MKL), NumPy, OpenBLAS and
libjpeg-turbo pick other kernels. The environment variables below make each library pick other
kernels on this machine too, so one run here stands in for a run on another machine. Every stage
up to one evaluation task runs through the CLI under both, and every file must be identical.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from retclip.config import SynthParams
from retclip.data.synth.clinic import generate_clinic
from retclip.dispatch import OPT_OUT, PINNED, cpu_flags, pin_kernels, pinnable
from tests.conftest import tree_digest

ANOTHER_MACHINE = {
    "ATEN_CPU_CAPABILITY": "default",  # torch's scalar kernels instead of AVX2
    "ONEDNN_MAX_CPU_ISA": "SSE41",  # convolutions without AVX
    "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
    "OPENBLAS_CORETYPE": "Prescott",  # NumPy's and SciPy's BLAS: another kernel family
    "OPENBLAS_NUM_THREADS": "2",
    "NPY_DISABLE_CPU_FEATURES": "X86_V3",  # NumPy without its AVX2 loops
    "JSIMD_FORCENONE": "1",  # libjpeg-turbo without SIMD
}
TASK = "dr"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A small clinic to pre-train on, a held-out one to evaluate on, and the stages' settings."""
    root = tmp_path_factory.mktemp("dispatch")
    generate_clinic(
        root / "raw",
        SynthParams(patients=24, seed=11, image_size=(256, 192), dirty_rate=0.3, workers=1),
        progress=False,
    )
    generate_clinic(
        root / "held_out",
        SynthParams(patients=40, seed=5, image_size=(256, 192), dirty_rate=0.0, workers=1),
        progress=False,
    )
    params = {
        "validate": {"min_short_side": 128, "workers": 1},
        "preprocess": {"size": 96, "shard_size": 8, "workers": 1},
        "tokenizer": {"vocab_size": 300, "context_length": 32},
        "pretrain": {
            "image_size": 64,
            "embed_dim": 32,
            "batch_size": 8,
            "max_steps": 2,
            "text_mlm_steps": 2,
            "workers": 0,
        },
        "evaluate": {
            "seeds": [0],
            "bootstrap": 20,
            "workers": 1,
            "baselines": ["random_init"],
            "tasks": [
                {
                    "name": TASK,
                    "adapter": "synthetic",
                    "path": str(root / "held_out"),
                    "type": "ordinal",
                    "label": "dr_grade",
                    "protocols": ["linear_probe", "zero_shot"],
                }
            ],
        },
    }
    (root / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    return root


def run_pipeline(
    project: Path, name: str, env: dict[str, str], stages: str = "all", logs: dict | None = None
) -> Path:
    """The stages through ``python -m retclip``, each in a fresh process, as dvc.yaml runs them.

    Every run works in a folder of its own under the same relative paths, as two machines would.
    ``logs`` takes each stage's standard output and error.
    """
    raw, params, cwd = project / "raw", project / "params.yaml", project / name
    cwd.mkdir(exist_ok=True)
    commands = {
        "validate": ["--raw", raw, "--out", "validate"],
        "preprocess": ["--raw", raw, "--manifest", "validate", "--out", "preprocess"],
        "clean-reports": ["--manifest", "validate", "--out", "clean_reports"],
        "tokenizer": ["--reports", "clean_reports", "--out", "tokenizer"],
        "pretrain": [
            *("--images", "preprocess", "--reports", "clean_reports"),
            *("--tokenizer", "tokenizer", "--out", "pretrain"),
        ],
        "evaluate": ["--model", "pretrain", "--task", TASK, "--out", "evaluate"],
    }
    for stage in list(commands) if stages == "all" else [stages]:
        done = subprocess.run(
            [sys.executable, "-m", "retclip", stage, *commands[stage], "--params", params],
            cwd=cwd,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{stage}: {done.stderr[-2000:]}"
        if logs is not None:
            logs[stage] = done.stdout + done.stderr
    return cwd


def digests(out: Path) -> dict[str, str]:
    """sha256 of every file but the run's own records: run.json (time, git commit) and
    metrics.jsonl (wall-clock throughput); neither is versioned."""
    return {
        k: v
        for k, v in tree_digest(out).items()
        if Path(k).name not in ("run.json", "metrics.jsonl")
    }


@pytest.fixture(scope="module")
def here(project) -> Path:
    return run_pipeline(project, "here", {})


@pytest.mark.skipif(not pinnable(cpu_flags(), os.uname().machine), reason="needs AVX2 and FMA")
def test_every_output_is_the_same_on_another_machine(project, here):
    other = run_pipeline(project, "other", ANOTHER_MACHINE)
    ours, theirs = digests(here), digests(other)
    assert len(ours) > 20 and "evaluate/predictions.parquet" in ours
    assert ours.keys() == theirs.keys()
    assert [k for k in ours if ours[k] != theirs[k]] == []


@pytest.mark.skipif(not pinnable(cpu_flags(), os.uname().machine), reason="needs AVX2 and FMA")
def test_without_pinned_kernels_the_other_machine_differs(project, here):
    """The stand-in machine is a real one: left to choose, the libraries change the evaluation."""
    shutil.copytree(here / "pretrain", project / "native" / "pretrain")
    other = run_pipeline(project, "native", {**ANOTHER_MACHINE, OPT_OUT: "1"}, "evaluate")
    here_eval = tree_digest(here / "evaluate")
    other_eval = tree_digest(other / "evaluate")
    assert here_eval["predictions.parquet"] != other_eval["predictions.parquet"]


@pytest.mark.skipif(not pinnable(cpu_flags(), os.uname().machine), reason="needs AVX2 and FMA")
def test_every_matrix_product_of_pretraining_runs_the_vendor_neutral_kernel(project, here):
    """MKL keeps its COMPATIBLE branch identical on Intel and AMD; an AVX2 branch it honours on
    Intel only (on AMD its verbose log says ``CNR:AUTO``: its own kernels). oneDNN's primitives
    run its AVX2 kernels, never wider ones. Logging changes nothing: the weights equal the run
    without it."""
    run = project / "verbose"
    run.mkdir()
    for folder in ("preprocess", "clean_reports", "tokenizer"):
        shutil.copytree(here / folder, run / folder)
    logs: dict[str, str] = {}
    run_pipeline(project, "verbose", {"MKL_VERBOSE": "1", "ONEDNN_VERBOSE": "1"}, "pretrain", logs)
    log = logs["pretrain"]
    modes = re.findall(r"^MKL_VERBOSE [SD]GEMM\S*\(.*? CNR:(\S+)", log, re.MULTILINE)
    assert len(modes) > 100
    assert set(modes) == {"COMPATIBLE,STRICT"}
    onednn = re.findall(r"^onednn_verbose,.*?primitive,exec,cpu,(\w+),([^,]+),", log, re.MULTILINE)
    assert "info,cpu,isa:Intel AVX2\n" in log and onednn  # the image tower's convolutions
    assert [impl for _, impl in onednn if "512" in impl or "amx" in impl] == []
    assert digests(run / "pretrain") == digests(here / "pretrain")


def test_pinning_overrides_other_kernel_choices(monkeypatch):
    monkeypatch.setattr("retclip.dispatch.pinnable", lambda flags, machine: True)
    environ = {
        "NPY_DISABLE_CPU_FEATURES": "X86_V3",
        "NPY_ENABLE_CPU_FEATURES": "AVX512F",  # NumPy refuses to start with both set
        "ATEN_CPU_CAPABILITY": "default",
        "OPENBLAS_NUM_THREADS": "4",
        "A": "b",
    }
    assert pin_kernels(environ) == "avx2"
    assert environ == {**PINNED, "A": "b"}


def test_no_pinning_without_avx2_or_when_asked_but_blas_on_one_thread(monkeypatch):
    environ = {OPT_OUT: "1"}
    assert pin_kernels(environ).startswith("native")
    assert environ == {OPT_OUT: "1", "OPENBLAS_NUM_THREADS": "1"}
    monkeypatch.setattr("retclip.dispatch.pinnable", lambda flags, machine: False)
    environ = {"OPENBLAS_NUM_THREADS": "3"}  # asked for: kept
    assert "outputs may differ" in pin_kernels(environ)
    assert environ == {"OPENBLAS_NUM_THREADS": "3"}


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 fma\n\nflags\t: other\n")
    assert cpu_flags(cpuinfo) == {"fpu", "sse2", "avx2", "fma"}
    assert pinnable({"avx2", "fma"}, "x86_64") and not pinnable({"avx2"}, "x86_64")
    assert cpu_flags(tmp_path / "absent") == set()
