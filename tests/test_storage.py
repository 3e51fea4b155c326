import pytest

from retclip.storage import OutputError, staged_output


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


@pytest.fixture
def s3(aws_credentials):
    from tests.moto_server import moto_s3

    with moto_s3() as endpoint:
        yield endpoint


def test_s3_round_trip_with_checksums(s3, tmp_path):
    from retclip.data.shards import ShardWriter, iter_samples
    from retclip.storage import S3Store

    store = S3Store("artifacts", prefix="runs/1", endpoint_url=s3, multipart_threshold_mb=5)
    store.client.create_bucket(Bucket="artifacts")
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
    assert store.uri("preprocess") == "s3://artifacts/runs/1/preprocess"


def test_s3_download_detects_a_changed_object(s3, tmp_path):
    from retclip.storage import S3Store

    store = S3Store("artifacts", endpoint_url=s3)
    store.client.create_bucket(Bucket="artifacts")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f.txt").write_text("one")
    store.upload_folder(tmp_path / "a", "x")
    store.client.put_object(
        Bucket="artifacts", Key="x/f.txt", Body=b"two", Metadata={"sha256": "0" * 64}
    )
    with pytest.raises(OutputError, match="sha256 differs"):
        store.download_folder("x", tmp_path / "b")
