"""keep_freed_memory: freed blocks stay mapped, so the next allocations fault no page in."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# A training step in miniature: ten 20 MB activations made, then all freed, five times over. The
# page faults of rounds 3 to 5 are counted: round 1 maps the blocks, round 2 may grow the heap.
ROUNDS = """
import json, resource
import torch
from retclip.train.allocator import keep_freed_memory
assert keep_freed_memory()
faults = []
for _ in range(5):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    blocks = [torch.empty(5 * 2**20).fill_(1.0) for _ in range(10)]
    del blocks
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(json.dumps(faults))
"""


def _faults() -> list[int]:
    """Page faults of each round, in a fresh process with keep_freed_memory applied."""
    done = subprocess.run(
        [sys.executable, "-c", ROUNDS], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_freed_activations_are_reused_without_faulting_pages_in_again():
    kept = _faults()
    # round 1 faults every page of the ten blocks in (4 KiB pages; fewer where transparent huge
    # pages are always on); from round 3 the blocks come back from pages already mapped (a stray
    # block may be new: less than two blocks' worth in all, where each round would fault ten).
    # glibc as it comes is no fixed baseline: its dynamic mmap threshold sometimes keeps
    # same-sized blocks too, so benchmarks/pretrain_speed.py measures the gain.
    assert kept[0] > 0, kept
    assert sum(kept[2:]) < kept[0] / 5, kept
