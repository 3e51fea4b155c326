"""Keep freed memory mapped during CPU training, so a step does not fault its pages in again.

A CPU training step allocates gigabytes of activations and frees them in the backward pass.
glibc's ``malloc`` gives large freed blocks back to the kernel (``munmap``, or trimming the top
of the heap), so the next step faults every page in afresh; on a virtual machine a fault costs
microseconds: the reference's step on a 2-core Xeon ran 7-13% slower with the storm
(``benchmarks/pretrain_speed.py`` measures the steps with and without). Telling ``malloc`` never
to trim and to serve blocks up to its largest threshold from the heap keeps the pages mapped: the
resident set stays at the peak that the first step reaches anyway. Numbers are unchanged.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

# mallopt(3) parameters, from glibc's malloc.h
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 2**20
"""glibc's largest allowed threshold on 64-bit systems: blocks above it are still mapped apart."""
TOP_PAD = 256 * 2**20
"""Extra heap grown at a time, so that a step's first allocations ask the kernel less often."""


@functools.cache
def keep_freed_memory() -> bool:
    """Set glibc's ``malloc`` to keep freed memory for reuse (once per process); ``False`` where
    the C library is not glibc (musl, macOS), which is then left as it is."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name)
    if not hasattr(libc, "mallopt") or not hasattr(libc, "gnu_get_libc_version"):
        return False
    # -1 disables trimming (mallopt(3)); each call returns 1 on success
    settings = ((_M_TRIM_THRESHOLD, -1), (_M_MMAP_THRESHOLD, MMAP_THRESHOLD), (_M_TOP_PAD, TOP_PAD))
    return all(libc.mallopt(parameter, value) == 1 for parameter, value in settings)
