"""One process per device, started by ``torchrun`` (or alone): which rank am I, on which device.

``torchrun`` sets ``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``, ``MASTER_ADDR`` and ``MASTER_PORT``;
without them the run is a single process and nothing is initialised. NCCL on GPUs, gloo on CPUs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class DistEnv:
    rank: int
    local_rank: int
    world_size: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def barrier(self) -> None:
        if self.world_size > 1:
            dist.barrier()

    def mean(self, value: torch.Tensor) -> torch.Tensor:
        """The mean of a (detached) tensor over ranks."""
        value = value.detach().clone()
        if self.world_size > 1:
            dist.all_reduce(value)
            value /= self.world_size
        return value

    def gather_objects(self, value: Any) -> list[Any]:
        """Every rank's ``value``, in rank order (e.g. each rank's RNG state)."""
        if self.world_size == 1:
            return [value]
        out: list[Any] = [None] * self.world_size
        dist.all_gather_object(out, value)
        return out


@contextmanager
def distributed(device: str | None = None) -> Iterator[DistEnv]:
    """Join the process group ``torchrun`` describes (if any) and leave it at the end.

    ``device`` forces ``"cpu"`` or ``"cuda"``; by default a GPU is used when there is one.
    A process group that the caller already initialised is used as is and left open.
    """
    use_cuda = torch.cuda.is_available() if device is None else device.startswith("cuda")
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    world = int(os.environ.get("WORLD_SIZE", 1))
    if use_cuda:
        torch.cuda.set_device(local_rank)
    created = False
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(
            backend="nccl" if use_cuda else "gloo",
            device_id=torch.device("cuda", local_rank) if use_cuda else None,
        )
        created = True
    rank = dist.get_rank() if dist.is_initialized() else 0
    world = dist.get_world_size() if dist.is_initialized() else 1
    env = DistEnv(
        rank=rank,
        local_rank=local_rank,
        world_size=world,
        device=torch.device("cuda", local_rank) if use_cuda else torch.device("cpu"),
    )
    try:
        yield env
    finally:
        if created:
            dist.destroy_process_group()
