"""One set of CPU math kernels on every x86-64 machine, so versioned outputs match byte for byte.

torch (ATen, oneDNN, MKL), NumPy and OpenBLAS each pick their kernels from the CPU they run on:
an AVX-512 machine sums, normalises and multiplies in another order than an AVX2 one, and the
last bits of every float differ (evaluation amplifies them into other probe probabilities). The
choice is made once, from environment variables read when each library loads, so this module
sets them when ``retclip`` is imported, before any of those libraries is:

* on a CPU with AVX2 and FMA (every x86-64 server and laptop since 2015), every library is held
  at the AVX2 level (NumPy without its AVX-512 loops), and OpenBLAS on one thread (its threaded
  sums depend on the count); settings of these variables made elsewhere are overridden;
* MKL's matrix products run its ``COMPATIBLE`` branch: its AVX2 branch is honoured on Intel
  CPUs only (on an AMD one MKL reports ``CNR:AUTO`` and picks its own kernels), and the
  compatible branch is the one MKL keeps identical on Intel and AMD. It costs the demo's
  pre-training step about 3% (``benchmarks/kernel_cost.py``). oneDNN (torch's convolutions)
  stays at its AVX2 kernels: without it the demo's ResNet steps run about 2.5x slower, and
  some of its blockings follow the L2 cache's size (docs/reproducibility.md: what stays open);
* elsewhere (no AVX2, or not x86-64) nothing is pinned, and :func:`kernel_dispatch` says so.

``RETCLIP_NATIVE_KERNELS=1`` turns the pinning off, for speed experiments. torch's thread count
also changes results; the stages fix it themselves (``pretrain.cpu_threads``).
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

OPT_OUT = "RETCLIP_NATIVE_KERNELS"
PINNED = {
    "ATEN_CPU_CAPABILITY": "avx2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "MKL_CBWR": "COMPATIBLE,STRICT",
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    "OPENBLAS_CORETYPE": "Haswell",
    "OPENBLAS_NUM_THREADS": "1",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4",  # NumPy's AVX-512 group; the AVX2 one stays on
}
LIBRARIES = ("torch", "numpy")


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The instruction-set flags of the first CPU, empty where /proc/cpuinfo is not readable."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


def pinnable(flags: set[str], machine: str) -> bool:
    return machine in ("x86_64", "AMD64") and {"avx2", "fma"} <= flags


def pin_kernels(environ: dict[str, str] | os._Environ = os.environ) -> str:
    """Set the kernel choice in ``environ``; returns what was decided (see the module docstring).

    OpenBLAS runs on one thread in every case unless told otherwise: retclip's processes share
    the cores by themselves (loader workers, image pools), and a threaded BLAS call on a busy core
    is many times slower than on one thread."""
    environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if environ.get(OPT_OUT) == "1":
        return f"native ({OPT_OUT}=1)"
    if not pinnable(cpu_flags(), platform.machine()):
        return f"native (no AVX2 and FMA on this {platform.machine()} CPU: outputs may differ)"
    environ.update(PINNED)
    environ.pop("NPY_ENABLE_CPU_FEATURES", None)  # NumPy refuses it beside the disable list
    return "avx2"


def kernel_dispatch() -> dict[str, str]:
    """What lineage records: the decision, the kernels it means for matrix products and
    convolutions, and whether a math library loaded before it."""
    early = [name for name in LIBRARIES if name in _LOADED_BEFORE]
    pinned = (
        {"mkl": os.environ["MKL_CBWR"], "onednn": os.environ["ONEDNN_MAX_CPU_ISA"]}
        if DECISION == "avx2"
        else {}
    )
    return {
        "kernels": DECISION,
        **pinned,
        **({"loaded_before_pinning": ",".join(early)} if early else {}),
    }


_LOADED_BEFORE = {name for name in LIBRARIES if name in sys.modules}
DECISION = pin_kernels()
