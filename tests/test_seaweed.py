"""`make s3-up` / `make s3-down`: a real S3 server found again by its state file, stopped by pid."""

import json
import os
from pathlib import Path

import pytest

from retclip import seaweed

pytestmark = pytest.mark.s3  # starts a server of its own; `make test-s3` runs it


def test_up_serves_a_bucket_with_the_written_credentials_and_down_stops_it(tmp_path):
    state = tmp_path / ".s3"
    server = seaweed.up(state, bucket="retclip")
    try:
        recorded = json.loads((state / "server.json").read_text())
        assert (
            recorded["pid"] == server.pid and oct((state / "env.sh").stat().st_mode)[-3:] == "600"
        )
        exports = dict(
            line.removeprefix("export ").split("=", 1)
            for line in (state / "env.sh").read_text().splitlines()
        )
        assert exports["RETCLIP_S3_ENDPOINT_URL"] == server.endpoint
        client = seaweed.SeaweedServer(
            exports["RETCLIP_S3_ENDPOINT_URL"],
            exports["AWS_ACCESS_KEY_ID"],
            exports["AWS_SECRET_ACCESS_KEY"],
            server.pid,
            server.folder,
        ).client()
        client.put_object(Bucket=exports["RETCLIP_S3_BUCKET"], Key="a/b.txt", Body=b"kept")
        assert client.get_object(Bucket="retclip", Key="a/b.txt")["Body"].read() == b"kept"
        with pytest.raises(seaweed.SeaweedError, match="make s3-down"):
            seaweed.up(state, bucket="retclip")
    finally:
        seaweed.down(state)
    assert not Path(f"/proc/{server.pid}").exists()  # stopped and reaped
    assert not state.exists() and not Path(server.folder).exists()


def test_down_without_a_server_does_nothing(tmp_path):
    seaweed.down(tmp_path / ".s3")
    assert not (tmp_path / ".s3").exists()


def test_the_weed_binary_comes_with_the_environment():
    assert os.access(seaweed.weed_executable(), os.X_OK)
