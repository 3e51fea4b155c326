"""Where stage outputs are written: whole folders swapped in atomically, JSON written stably.

A stage writes into a staging folder beside its output and swaps it in only when everything is
written, so a failed run never leaves a half-written output that looks complete.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from retclip.lineage import LINEAGE_FILE, RUN_FILE


class OutputError(RuntimeError):
    """The output folder cannot be (re)written safely."""


def write_json(path: Path, value: Any) -> None:
    """Pretty, deterministic JSON (keys in insertion order, UTF-8, trailing newline)."""
    path.write_text(
        json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces ``out`` as a whole.

    Refuses to replace a non-empty folder that no stage wrote (no ``lineage.json`` or
    ``run.json``; ``dvc repro`` removes the first before it reruns a stage).
    """
    out = Path(out)
    marked = (out / LINEAGE_FILE).is_file() or (out / RUN_FILE).is_file()
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not marked)):
        raise OutputError(
            f"{out} exists and was not written by a retclip stage (no {LINEAGE_FILE} or "
            f"{RUN_FILE}); choose an empty or new folder"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


class S3Store:
    """Artifact folders on S3 (AWS, MinIO or a test server) through boto3.

    Credentials come only from the environment or the instance role (boto3's default chain);
    uploads are multipart above a threshold, retried, integrity-checked by S3 (SHA-256 checksums)
    and tagged with their sha256, which downloads verify.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        max_attempts: int = 5,
        multipart_threshold_mb: int = 64,
    ):
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=Config(retries={"max_attempts": max_attempts, "mode": "standard"}),
        )
        size = multipart_threshold_mb * 1024 * 1024
        self.transfer = TransferConfig(multipart_threshold=size, multipart_chunksize=size)

    def key(self, *parts: str) -> str:
        return "/".join(p.strip("/") for p in (self.prefix, *parts) if p.strip("/"))

    def uri(self, *parts: str) -> str:
        return f"s3://{self.bucket}/{self.key(*parts)}"

    def upload_folder(self, local: Path, name: str) -> list[str]:
        """Upload every file under ``local`` to ``<prefix>/<name>/``; returns the keys."""
        from retclip.lineage import sha256_file

        keys = []
        for path in sorted(Path(local).rglob("*")):
            if not path.is_file():
                continue
            key = self.key(name, str(path.relative_to(local)))
            self.client.upload_file(
                str(path),
                self.bucket,
                key,
                Config=self.transfer,
                ExtraArgs={
                    "ChecksumAlgorithm": "SHA256",
                    "Metadata": {"sha256": sha256_file(path)},
                },
            )
            keys.append(key)
        return keys

    def list_keys(self, name: str = "") -> list[dict[str, Any]]:
        """Objects under ``<prefix>/<name>`` as ``{key, size, etag, modified}``."""
        found = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.key(name)):
            for item in page.get("Contents", []):
                found.append(
                    {
                        "key": item["Key"],
                        "size": item["Size"],
                        "etag": item["ETag"],
                        "modified": item["LastModified"].isoformat(),
                    }
                )
        return found

    def download_folder(self, name: str, local: Path) -> list[Path]:
        """Download ``<prefix>/<name>/`` into ``local``, verifying each file's sha256."""
        from retclip.lineage import sha256_file

        written = []
        base = self.key(name)
        for item in self.list_keys(name):
            relative = item["key"][len(base) :].lstrip("/")
            target = Path(local) / relative
            if not target.resolve().is_relative_to(Path(local).resolve()):
                raise OutputError(f"s3://{self.bucket}/{item['key']}: key escapes {local}")
            target.parent.mkdir(parents=True, exist_ok=True)
            self.client.download_file(self.bucket, item["key"], str(target), Config=self.transfer)
            head = self.client.head_object(Bucket=self.bucket, Key=item["key"])
            expected = head.get("Metadata", {}).get("sha256")
            if expected and sha256_file(target) != expected:
                raise OutputError(f"{target}: sha256 differs from s3://{self.bucket}/{item['key']}")
            written.append(target)
        return written

    def open_stream(self, *parts: str):
        """A streaming body (read() only), e.g. for :func:`retclip.data.shards.iter_samples`."""
        return self.client.get_object(Bucket=self.bucket, Key=self.key(*parts))["Body"]
