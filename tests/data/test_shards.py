import io

import pytest

from retclip.data.shards import ShardWriter, iter_samples


def write_samples(folder, count, per_shard):
    writer = ShardWriter(folder, per_shard)
    for i in range(count):
        members = {"left.jpg": bytes([i]) * 10, "json": b"{}"}
        if i % 2:
            members["right.jpg"] = bytes([i]) * 5
        writer.write(f"P{i:03d}", members)
    return writer.close()


class Stream(io.RawIOBase):  # like an S3 body: read() only
    def __init__(self, data):
        self.data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buffer):
        chunk = self.data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_round_trip_and_rollover(tmp_path):
    shards = write_samples(tmp_path, 5, 2)
    assert [s.samples for s in shards] == [2, 2, 1]
    read = []
    for shard in shards:
        with open(tmp_path / shard.name, "rb") as fh:
            read += list(iter_samples(fh))
    assert [k for k, _ in read] == [f"P{i:03d}" for i in range(5)]
    assert read[1][1] == {"left.jpg": b"\x01" * 10, "json": b"{}", "right.jpg": b"\x01" * 5}
    assert "right.jpg" not in read[0][1]


def test_same_samples_same_bytes(tmp_path):
    a = write_samples(tmp_path / "a", 3, 10)
    b = write_samples(tmp_path / "b", 3, 10)
    assert a[0].sha256 == b[0].sha256
    assert (tmp_path / "a" / a[0].name).read_bytes() == (tmp_path / "b" / b[0].name).read_bytes()


def test_reads_from_a_non_seekable_stream(tmp_path):
    shards = write_samples(tmp_path, 3, 10)

    stream = Stream((tmp_path / shards[0].name).read_bytes())
    assert len(list(iter_samples(io.BufferedReader(stream)))) == 3


@pytest.mark.parametrize("key", ["a.b", "a/b"])
def test_keys_with_separators_are_refused(tmp_path, key):
    with pytest.raises(ValueError, match="must not contain"):
        ShardWriter(tmp_path, 2).write(key, {"json": b"{}"})


def test_keep_yields_only_the_wanted_samples_seekable_or_not(tmp_path):
    shards = write_samples(tmp_path, 5, 10)
    data = (tmp_path / shards[0].name).read_bytes()
    wanted = {"P001", "P004"}
    for stream in (io.BytesIO(data), io.BufferedReader(Stream(data))):
        read = dict(iter_samples(stream, keep=wanted.__contains__))
        assert sorted(read) == sorted(wanted)
        assert read["P001"]["right.jpg"] == b"\x01" * 5
