"""A real Slurm cluster on this machine: munge, ``slurmctld`` and N ``slurmd`` nodes on 127.0.0.1.

For the tests of ``launcher.mode: slurm`` and for trying it (``make slurm-up`` /
``make slurm-down``). Debian's ``slurm-wlm`` and ``munge`` packages; ``make slurm-up`` installs
them with apt when they are missing. Everything the cluster needs lives in one folder: its own
munge key and socket, ``slurm.conf`` (nodes ``n1``... each a ``slurmd -N nK`` on a free port, one
CPU each, so ``srun -N2 -n2`` puts one task on each), state, spool and logs. Commands find it
through ``SLURM_CONF``; every daemon is stopped by its process id.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from retclip.seaweed import free_ports

STATE_FILE = "cluster.json"
PACKAGES = ("slurm-wlm", "munge")
DAEMONS = ("munged", "slurmctld", "slurmd")


class SlurmClusterError(RuntimeError):
    """The cluster could not be started or stopped."""


@dataclass(frozen=True)
class SlurmCluster:
    """A running cluster: its folder (``slurm.conf`` inside), node names and daemon pids."""

    folder: str
    nodes: tuple[str, ...]
    pids: dict[str, int] = field(default_factory=dict)

    @property
    def conf(self) -> str:
        return str(Path(self.folder) / "slurm.conf")

    def environment(self) -> dict[str, str]:
        """What ``sbatch``, ``squeue``, ``scontrol`` and ``scancel`` need to find this cluster."""
        return {"SLURM_CONF": self.conf}

    def run(self, *argv: str, timeout: float = 30) -> str:
        """A Slurm command against this cluster; its stdout."""
        done = subprocess.run(
            argv,
            env={**os.environ, **self.environment()},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise SlurmClusterError(f"{' '.join(argv)} failed: {done.stderr.strip()}")
        return done.stdout


def installed() -> bool:
    return all(shutil.which(name, path=_SBIN_PATH) for name in (*DAEMONS, "sbatch", "scontrol"))


_SBIN_PATH = os.pathsep.join((os.environ.get("PATH", ""), "/usr/sbin", "/sbin"))


def install() -> None:
    """``apt-get install slurm-wlm munge`` (root, Debian) when they are missing."""
    if installed():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SlurmClusterError(
            "slurm-wlm and munge are missing: install them (Debian: apt-get install "
            "slurm-wlm munge)"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *PACKAGES]):
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)


def start(folder: Path, nodes: int = 2, timeout: float = 60.0) -> SlurmCluster:
    """Start munge, ``slurmctld`` and ``nodes`` ``slurmd`` in ``folder``; return when every
    node is idle."""
    folder = Path(folder)
    for sub in ("state", "spool", "log", "munge"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(folder / "munge", 0o700)
    names = tuple(f"n{i + 1}" for i in range(nodes))
    controller_port, *node_ports = free_ports(1 + nodes)
    _write_munge_key(folder / "munge" / "munge.key")
    (folder / "slurm.conf").write_text(_slurm_conf(folder, controller_port, names, node_ports))
    pids: dict[str, int] = {}
    cluster = SlurmCluster(str(folder), names, pids)
    try:
        pids["munged"] = _daemon(
            folder,
            "munged",
            [
                _sbin("munged"),
                "--force",
                f"--key-file={folder / 'munge' / 'munge.key'}",
                f"--socket={folder / 'munge' / 'munge.socket'}",
                f"--pid-file={folder / 'munge' / 'munged.pid'}",
                f"--log-file={folder / 'log' / 'munged.log'}",
                f"--seed-file={folder / 'munge' / 'munged.seed'}",
            ],
            pid_file=folder / "munge" / "munged.pid",
        )
        pids["slurmctld"] = _daemon(
            folder,
            "slurmctld",
            [_sbin("slurmctld"), "-D", "-i", "-f", cluster.conf],
        )
        for name in names:
            pids[f"slurmd-{name}"] = _daemon(
                folder, f"slurmd-{name}", [_sbin("slurmd"), "-D", "-N", name, "-f", cluster.conf]
            )
        _wait_idle(cluster, timeout)
    except BaseException:
        stop(cluster)
        raise
    return cluster


def _sbin(name: str) -> str:
    found = shutil.which(name, path=_SBIN_PATH)
    if not found:
        raise SlurmClusterError(
            f"{name} not found: run `make slurm-up` (installs slurm-wlm, munge)"
        )
    return found


def _write_munge_key(path: Path) -> None:
    """A key for this cluster alone (munged wants it owned by its user and readable by no one
    else)."""
    path.write_bytes(os.urandom(1024))
    os.chmod(path, 0o400)


def _slurm_conf(
    folder: Path, controller_port: int, names: tuple[str, ...], ports: list[int]
) -> str:
    host = socket.gethostname()
    lines = [
        "ClusterName=retclip",
        f"SlurmctldHost={host}(127.0.0.1)",
        f"SlurmctldPort={controller_port}",
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        "CredType=cred/munge",
        f"AuthInfo=socket={folder / 'munge' / 'munge.socket'}",
        f"StateSaveLocation={folder / 'state'}",
        f"SlurmdSpoolDir={folder / 'spool'}/%n",
        f"SlurmctldPidFile={folder / 'slurmctld.pid'}",
        f"SlurmdPidFile={folder / 'spool'}/slurmd.%n.pid",
        f"SlurmctldLogFile={folder / 'log' / 'slurmctld.log'}",
        f"SlurmdLogFile={folder / 'log'}/slurmd.%n.log",
        # no cgroups in a container: processes tracked by their parent ids, tasks not bound
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "MpiDefault=none",
        "ReturnToService=2",
        "SchedulerType=sched/backfill",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_CPU",
        "AccountingStorageType=accounting_storage/none",
        "JobAcctGatherType=jobacct_gather/none",
        "JobCompType=jobcomp/none",
        # finished jobs stay in scontrol for ten minutes: their state is read from there
        "MinJobAge=600",
        "KillWait=5",
    ]
    lines += [
        f"NodeName={name} NodeHostname={host} NodeAddr=127.0.0.1 Port={port} CPUs=1 State=UNKNOWN"
        for name, port in zip(names, ports, strict=True)
    ]
    lines.append(
        f"PartitionName=debug Nodes={','.join(names)} Default=YES MaxTime=INFINITE State=UP"
    )
    return "\n".join(lines) + "\n"


def _daemon(folder: Path, name: str, argv: list[str], pid_file: Path | None = None) -> int:
    """Start a daemon in the foreground of its own process (its pid is then ours to stop), or
    one that forks and writes ``pid_file``."""
    log = (folder / "log" / f"{name}.out").open("ab")
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    if pid_file is None:
        return process.pid
    process.wait(timeout=30)
    if process.returncode != 0:
        raise SlurmClusterError(f"{name} did not start: {_tail(folder / 'log' / f'{name}.out')}")
    return int(pid_file.read_text().split()[0])


def _wait_idle(cluster: SlurmCluster, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    said = ""
    while time.monotonic() < deadline:
        try:
            said = cluster.run("sinfo", "-h", "-N", "-o", "%N %t")
        except (SlurmClusterError, subprocess.TimeoutExpired) as exc:
            said = str(exc)
        states = dict(line.split() for line in said.splitlines() if len(line.split()) == 2)
        if set(cluster.nodes) <= states.keys() and all(states[n] == "idle" for n in cluster.nodes):
            return
        time.sleep(0.5)
    logs = Path(cluster.folder) / "log"
    raise SlurmClusterError(
        f"nodes not idle after {timeout:.0f} s ({said.strip()}); slurmctld log: "
        f"{_tail(logs / 'slurmctld.log')}"
    )


def _tail(path: Path, lines: int = 5) -> str:
    if not path.is_file():
        return "(no log)"
    return " | ".join(path.read_text(errors="replace").splitlines()[-lines:])


def stop(cluster: SlurmCluster, grace: float = 10.0) -> None:
    """Stop every daemon by its pid (nodes first, munge last): SIGTERM, then SIGKILL."""
    for _, pid in sorted(cluster.pids.items(), key=lambda item: -DAEMONS.index(_kind(item[0]))):
        _terminate(pid, grace)


def _kind(name: str) -> str:
    return name.split("-")[0]


def _terminate(pid: int, grace: float) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        return reaped == 0
    except ChildProcessError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        status = Path(f"/proc/{pid}/stat")
        return not (status.is_file() and status.read_text().split()[2] == "Z")


def up(state: Path, nodes: int = 2) -> SlurmCluster:
    """``make slurm-up``: install when missing, start a cluster under the system's tmp, and
    write ``<state>/cluster.json`` and ``<state>/env.sh`` (``SLURM_CONF``) to find it again."""
    if (state / STATE_FILE).is_file():
        raise SlurmClusterError(f"{state / STATE_FILE} exists: run `make slurm-down` first")
    install()
    cluster = start(Path(tempfile.mkdtemp(prefix="retclip-slurm-")), nodes)
    state.mkdir(parents=True, exist_ok=True)
    (state / STATE_FILE).write_text(json.dumps(asdict(cluster), indent=2) + "\n")
    (state / "env.sh").write_text(f"export SLURM_CONF={cluster.conf}\n")
    return cluster


def down(state: Path) -> None:
    """``make slurm-down``: cancel what is left, stop the daemons, delete the cluster's folder."""
    path = state / STATE_FILE
    if not path.is_file():
        return
    saved = json.loads(path.read_text())
    cluster = SlurmCluster(saved["folder"], tuple(saved["nodes"]), saved["pids"])
    stop(cluster)
    shutil.rmtree(cluster.folder, ignore_errors=True)
    shutil.rmtree(state)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    state = Path(".slurm")
    if args[:1] == ["up"]:
        cluster = up(state, nodes=int(args[1]) if len(args) > 1 else 2)
        print(f"Slurm cluster up: nodes {', '.join(cluster.nodes)} (daemons {cluster.pids})")
        print(f"its configuration: . {state}/env.sh   (SLURM_CONF={cluster.conf})")
    elif args[:1] == ["down"]:
        down(state)
    else:
        raise SystemExit("usage: python -m retclip.slurm_cluster up [NODES] | down")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
