"""`dg dev` on 127.0.0.1 in its own process group, stopped with everything it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from retclip.seaweed import free_port
from tests.conftest import REPO

START_TIMEOUT_S = 180


def wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            urllib.request.urlopen(f"{url}/server_info", timeout=2)
            return
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"dg dev exited ({server.returncode}); see {log}") from None
            if time.monotonic() > deadline:
                message = f"dg dev did not serve in {START_TIMEOUT_S} s; see {log}"
                raise TimeoutError(message) from None
            time.sleep(1)


def stop(server: subprocess.Popen) -> None:
    """SIGTERM to the whole group (webserver, daemon, code server, runs), SIGKILL if it hangs."""
    for sig, grace in ((signal.SIGTERM, 60), (signal.SIGKILL, 10)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def dg_dev(project_root: Path, dagster_home: Path, log: Path) -> Iterator[str]:
    """Serve this repository's code location against ``project_root``; yields the UI's URL."""
    port = free_port()
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "DAGSTER_HOME": str(dagster_home),
        "RETCLIP_PROJECT_ROOT": str(project_root),
        "HF_HUB_OFFLINE": "1",
    }
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [str(Path(bin_dir, "dg")), "dev", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, server, log)
        yield url
    finally:
        stop(server)
