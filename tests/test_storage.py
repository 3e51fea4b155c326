import hashlib
import json
from pathlib import Path

import pytest

from retclip.seaweed import free_port
from retclip.storage import OutputError, S3Store, StoreError, staged_output


def test_output_is_swapped_in_whole(tmp_path):
    out = tmp_path / "out"
    with staged_output(out) as folder:
        (folder / "a.txt").write_text("1")
        (folder / "lineage.json").write_text("{}")
    with staged_output(out) as folder:
        (folder / "b.txt").write_text("2")
        (folder / "lineage.json").write_text("{}")
    assert sorted(p.name for p in out.iterdir()) == ["b.txt", "lineage.json"]


def test_failure_keeps_the_previous_output(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "lineage.json").write_text("{}")
    with pytest.raises(RuntimeError), staged_output(out) as folder:
        (folder / "half.txt").write_text("")
        raise RuntimeError("stage failed")
    assert [p.name for p in out.iterdir()] == ["lineage.json"]
    assert not list(tmp_path.glob(".out.staging*"))


def test_refuses_a_folder_no_stage_wrote(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with (
        pytest.raises(OutputError, match="not written by a retclip stage"),
        staged_output(tmp_path),
    ):
        pass


def store_for(s3, bucket: str, **kwargs):
    from retclip.storage import S3Store

    return S3Store(s3.client(), bucket, **kwargs)


def test_s3_round_trip_with_checksums(s3, bucket, tmp_path):
    from retclip.data.shards import ShardWriter, iter_samples

    store = store_for(s3, bucket, prefix="runs/1", multipart_threshold_mb=5)
    source = tmp_path / "out"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "big.bin").write_bytes(bytes(range(256)) * 30_000)  # 7.7 MB: multipart
    writer = ShardWriter(source / "shards", 10)
    writer.write("P1", {"json": b"{}", "left.jpg": b"jpeg"})
    writer.close()
    keys = store.upload_folder(source, "preprocess")
    assert sorted(keys) == [
        "runs/1/preprocess/shards/shard-000000.tar",
        "runs/1/preprocess/sub/big.bin",
    ]
    copy = tmp_path / "copy"
    store.download_folder("preprocess", copy)
    assert (copy / "sub" / "big.bin").read_bytes() == (source / "sub" / "big.bin").read_bytes()
    body = store.open_stream("preprocess", "shards", "shard-000000.tar")
    assert [k for k, _ in iter_samples(body)] == ["P1"]
    assert store.uri("preprocess") == f"s3://{bucket}/runs/1/preprocess"


def test_s3_download_detects_a_changed_object(s3, bucket, tmp_path):
    store = store_for(s3, bucket)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f.txt").write_text("one")
    store.upload_folder(tmp_path / "a", "x")
    store.client.put_object(
        Bucket=bucket, Key="x/f.txt", Body=b"two", Metadata={"sha256": "0" * 64}
    )
    with pytest.raises(OutputError, match="sha256 differs"):
        store.download_folder("x", tmp_path / "b")


def release_folder(root: Path) -> Path:
    (root / "model").mkdir(parents=True)
    for name in ("image.onnx", "text.onnx", "model/config.json"):
        (root / name).write_text(name * 100)
    return root


def test_publish_writes_the_pointer_after_every_file(s3, bucket, tmp_path):
    store = store_for(s3, bucket, prefix="retclip")
    folder = release_folder(tmp_path / "export")
    uri = store.publish(folder, "export/abc123")
    assert uri == f"s3://{bucket}/retclip/releases/export/abc123.json"
    body = store.client.get_object(Bucket=bucket, Key="retclip/releases/export/abc123.json")
    pointer = json.loads(body["Body"].read())
    assert sorted(pointer["files"]) == ["image.onnx", "model/config.json", "text.onnx"]
    for name, entry in pointer["files"].items():
        got = store.client.get_object(Bucket=bucket, Key=entry["key"])["Body"].read()
        assert got == (folder / name).read_bytes()
        assert hashlib.sha256(got).hexdigest() == entry["sha256"]


def test_a_failed_upload_leaves_nothing_under_releases(s3, bucket, tmp_path):
    """The fault is a connection dropped at the second upload, injected in the client through
    botocore's event hooks: the real server cannot be told to fail one request."""
    from botocore.exceptions import ConnectionClosedError

    store = store_for(s3, bucket, prefix="retclip")
    calls = []

    def drop_the_second_upload(**kwargs):
        calls.append(kwargs)
        if len(calls) >= 2:  # and every retry of it
            raise ConnectionClosedError(endpoint_url=s3.endpoint)

    store.client.meta.events.register("before-send.s3.PutObject", drop_the_second_upload)
    with pytest.raises(StoreError, match="failed"):
        store.publish(release_folder(tmp_path / "export"), "export/abc123")
    assert store.list_keys("releases") == []
    assert len(store.list_keys("objects")) == 1  # the first file, never pointed at


def test_bad_credentials_are_one_sentence(s3, bucket, tmp_path):
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3.endpoint,
        aws_access_key_id=s3.access_key,
        aws_secret_access_key="not-the-secret",
        region_name="us-east-1",
    )
    with pytest.raises(StoreError) as caught:
        S3Store(client, bucket).publish(release_folder(tmp_path / "export"), "export/x")
    assert str(caught.value) == (
        f"S3 refused the credentials for bucket '{bucket}' at {s3.endpoint} (403): check "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    )


def test_a_missing_bucket_is_one_sentence(s3, tmp_path):
    store = store_for(s3, "no-such-bucket")
    with pytest.raises(StoreError) as caught:
        store.publish(release_folder(tmp_path / "export"), "export/x")
    assert str(caught.value) == (
        f"bucket 'no-such-bucket' at {s3.endpoint} does not exist: create it, or set another bucket"
    )
    assert "no-such-bucket" not in [b["Name"] for b in s3.client().list_buckets()["Buckets"]]


def test_an_unreachable_endpoint_is_one_sentence(tmp_path):
    import boto3
    from botocore.config import Config

    endpoint = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="k",
        aws_secret_access_key="s",
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}),
    )
    with pytest.raises(StoreError) as caught:
        S3Store(client, "retclip").publish(release_folder(tmp_path / "export"), "export/x")
    assert str(caught.value) == (
        f"cannot reach the S3 endpoint {endpoint}: is the server running and the URL right?"
    )


def test_the_last_release_is_read_back_with_its_record(s3, bucket, tmp_path):
    store = store_for(s3, bucket, prefix="retclip")
    assert store.last_release() is None  # nothing published yet
    folder = release_folder(tmp_path / "export")
    store.publish(folder, "export/first", {"metrics": {"scores": {"task": 0.8}}})
    store.publish(folder, "export/second", {"metrics": {"scores": {"task": 0.9}}})
    last = store.last_release()
    assert last["name"] == "export/second" and last["metrics"]["scores"] == {"task": 0.9}
    assert sorted(last["files"]) == ["image.onnx", "model/config.json", "text.onnx"]


def test_an_unreadable_last_release_is_one_sentence(s3, bucket):
    store = store_for(s3, bucket, prefix="retclip")
    store.put_json(store.key("releases", "latest.json"), {"name": "export/gone"})
    with pytest.raises(StoreError, match="names a missing release"):
        store.last_release()
    store.client.put_object(Bucket=bucket, Key="retclip/releases/latest.json", Body=b"{oops")
    with pytest.raises(StoreError, match="is not JSON"):
        store.last_release()
