"""WebDataset-style tar shards: one sample per patient, streamable from disk or S3.

A sample is the members ``<key>.left.jpg``, ``<key>.right.jpg`` (either may be absent) and
``<key>.json``, stored consecutively. Member headers carry no time or owner, so the same samples
give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

SHARD_PATTERN = "shard-{:06d}.tar"


@dataclass(frozen=True)
class ShardInfo:
    name: str
    samples: int
    bytes: int
    sha256: str


class ShardWriter:
    """Write samples into numbered shards of at most ``samples_per_shard`` samples each."""

    def __init__(self, folder: Path, samples_per_shard: int):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.samples_per_shard = samples_per_shard
        self.shards: list[ShardInfo] = []
        self._tar: tarfile.TarFile | None = None
        self._count = 0

    def write(self, key: str, members: dict[str, bytes]) -> str:
        """Add one sample (``extension -> bytes``); returns the shard it went to."""
        if "." in key or "/" in key:
            raise ValueError(f"sample key {key!r} must not contain '.' or '/'")
        if self._tar is not None and self._count >= self.samples_per_shard:
            self._finish()
        if self._tar is None:
            path = self.folder / SHARD_PATTERN.format(len(self.shards))
            self._tar = tarfile.open(path, "w", format=tarfile.USTAR_FORMAT)  # noqa: SIM115
            self._count = 0
        for extension, data in members.items():
            info = tarfile.TarInfo(f"{key}.{extension}")
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            self._tar.addfile(info, io.BytesIO(data))
        self._count += 1
        return Path(self._tar.name).name

    def _finish(self) -> None:
        assert self._tar is not None
        path = Path(self._tar.name)
        self._tar.close()
        data = path.read_bytes()
        self.shards.append(
            ShardInfo(path.name, self._count, len(data), hashlib.sha256(data).hexdigest())
        )
        self._tar = None

    def close(self) -> list[ShardInfo]:
        if self._tar is not None:
            self._finish()
        return self.shards


def iter_samples(
    stream: BinaryIO, keep: Callable[[str], bool] | None = None
) -> Iterator[tuple[str, dict[str, bytes]]]:
    """Yield ``(key, {extension: bytes})`` from a shard read as a stream (file or S3 body).

    With ``keep`` only the samples whose key it accepts; from a seekable file the others' data is
    skipped, not read, so each of a rank's DataLoader workers reads only its share of a shard.
    """
    key, members = None, {}
    seekable = getattr(stream, "seekable", None)  # an S3 body may have read() alone
    mode = "r:" if seekable and seekable() else "r|"
    with tarfile.open(fileobj=stream, mode=mode) as tar:
        for info in tar:
            name_key, _, extension = info.name.partition(".")
            if not info.isfile() or (keep is not None and not keep(name_key)):
                continue
            if key is not None and name_key != key:
                yield key, members
                members = {}
            key = name_key
            handle = tar.extractfile(info)
            members[extension] = handle.read() if handle else b""
    if key is not None:
        yield key, members
