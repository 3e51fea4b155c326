"""Where stage outputs are written: whole folders swapped in atomically, JSON written stably,
and published to S3 (a release pointer written after its files).

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


class StoreError(RuntimeError):
    """S3 cannot be used as configured; the message says why in one sentence."""


def explain_s3_error(exc: Exception, bucket: str, endpoint: str) -> str:
    """One sentence for what botocore raised: credentials, endpoint or bucket."""
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

    where = f"bucket {bucket!r} at {endpoint}"
    if isinstance(exc, NoCredentialsError):
        return (
            f"no S3 credentials for {where}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "in the environment"
        )
    if isinstance(exc, EndpointConnectionError):
        return f"cannot reach the S3 endpoint {endpoint}: is the server running and the URL right?"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in CREDENTIAL_ERRORS or status == 403:
            return (
                f"S3 refused the credentials for {where} ({code or status}): check "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        if code in ("NoSuchBucket", "404") or status == 404:
            return f"{where} does not exist: create it, or set another bucket"
        return f"S3 request to {where} failed ({code}): {error.get('Message', exc)}"
    return f"S3 request to {where} failed: {exc}"


CREDENTIAL_ERRORS = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "403"}
RELEASES = "releases"
OBJECTS = "objects"
LATEST_RELEASE = "latest.json"


class S3Store:
    """Artifact folders on S3 (AWS, MinIO, SeaweedFS) through a boto3 client.

    The client comes from the caller (in Dagster, ``dagster_aws``'s ``S3Resource``), so
    credentials come only from the environment or the instance role; uploads are multipart above
    a threshold, integrity-checked by S3 (SHA-256 checksums) and tagged with their sha256, which
    downloads verify.
    """

    def __init__(self, client, bucket: str, prefix: str = "", multipart_threshold_mb: int = 64):
        from boto3.s3.transfer import TransferConfig

        self.client, self.bucket, self.prefix = client, bucket, prefix.strip("/")
        size = multipart_threshold_mb * 1024 * 1024
        self.transfer = TransferConfig(multipart_threshold=size, multipart_chunksize=size)

    def key(self, *parts: str) -> str:
        return "/".join(p.strip("/") for p in (self.prefix, *parts) if p.strip("/"))

    def uri(self, *parts: str) -> str:
        return f"s3://{self.bucket}/{self.key(*parts)}"

    @contextmanager
    def explained(self) -> Iterator[None]:
        """Turn botocore's errors into a :class:`StoreError` of one sentence."""
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except (BotoCoreError, ClientError, Boto3Error) as exc:
            message = explain_s3_error(exc, self.bucket, self.client.meta.endpoint_url)
            raise StoreError(message) from exc

    def check(self) -> None:
        """Fail early, in one sentence, on bad credentials, no endpoint or no bucket."""
        with self.explained():
            self.client.head_bucket(Bucket=self.bucket)

    def publish(self, local: Path, name: str, record: dict[str, Any] | None = None) -> str:
        """Upload a folder, then write its release pointer; returns the pointer's URI.

        The files go under ``<prefix>/objects/<name>/``, then the pointer (every file's key and
        sha256, with ``record`` merged in: metrics, gate, who forced it) to
        ``<prefix>/releases/<name>.json``, and last ``<prefix>/releases/latest.json`` naming it.
        A failed upload leaves nothing new under ``releases/``: a reader never sees a
        half-written release, and the gate compares with the last complete one.
        """
        from retclip.lineage import sha256_file

        self.check()
        with self.explained():
            keys = self.upload_folder(local, f"{OBJECTS}/{name}")
            files = {
                str(path.relative_to(local)): {"key": key, "sha256": sha256_file(path)}
                for path, key in zip(_files(local), keys, strict=True)
            }
            pointer = self.key(RELEASES, f"{name}.json")
            self.put_json(pointer, {**(record or {}), "name": name, "files": files})
            self.put_json(self.key(RELEASES, LATEST_RELEASE), {"name": name})
        return f"s3://{self.bucket}/{pointer}"

    def put_json(self, key: str, value: dict[str, Any]) -> None:
        body = json.dumps(value, indent=2, ensure_ascii=False).encode()
        self.client.put_object(Bucket=self.bucket, Key=key, Body=body, ChecksumAlgorithm="SHA256")

    def last_release(self) -> dict[str, Any] | None:
        """The record of the last published release, or ``None`` when none was published.

        Raises :class:`StoreError` (one sentence) when the store cannot be read or a record is
        not JSON: the gate then holds rather than compare with nothing.
        """
        latest = self._get_json(self.key(RELEASES, LATEST_RELEASE))
        if latest is None:
            return None
        name = latest.get("name") if isinstance(latest, dict) else None
        if not isinstance(name, str):
            raise StoreError(f"{self.uri(RELEASES, LATEST_RELEASE)} names no release")
        record = self._get_json(self.key(RELEASES, f"{name}.json"))
        if record is None:
            raise StoreError(f"{self.uri(RELEASES, LATEST_RELEASE)} names a missing release")
        return record

    def _get_json(self, key: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            with self.explained():
                try:
                    body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
                except ClientError as exc:
                    if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                        return None
                    raise
            return json.loads(body)
        except ValueError as exc:
            raise StoreError(f"s3://{self.bucket}/{key} is not JSON: {exc}") from exc

    def upload_folder(self, local: Path, name: str) -> list[str]:
        """Upload every file under ``local`` to ``<prefix>/<name>/``; returns the keys."""
        from retclip.lineage import sha256_file

        keys = []
        for path in _files(local):
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


def _files(folder: Path) -> list[Path]:
    return [path for path in sorted(Path(folder).rglob("*")) if path.is_file()]
