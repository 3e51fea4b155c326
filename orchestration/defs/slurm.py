"""Pre-training as one Slurm job, reporting back through Dagster Pipes.

``sbatch`` submits a script that starts one ``torchrun`` per node (``srun``, one task per node)
with a static rendezvous taken from the job's environment: the first node's address, a port
derived from the job id, ``--node_rank`` from ``SLURM_NODEID``, so that ranks are numbered as on
one machine and the weights equal a one-process run. Pipes' context and messages go through files
in the project folder, which a cluster shares with its nodes (as it shares the outputs); rank 0
alone reports (``retclip.pipes``). The job's state is read with ``scontrol`` (no accounting
database needed); a job that ends in any state but ``COMPLETED`` fails the asset with that state
and the tail of its log; a Dagster run terminated while the job runs cancels it (``scancel``).

Not ``dagster-slurm``: it ships each run's environment with pixi over SSH to an edge node,
where a shared file system with the project's environment already is what clusters of hospitals
and universities offer; see the README's "Pre-training on a Slurm cluster".
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

FINISHED_OK = "COMPLETED"
STILL_GOING = frozenset(
    ("PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING")
)
LOG_TAIL_LINES = 20


class SlurmJobError(RuntimeError):
    """A Slurm command failed (``sbatch`` refused the job, ``scontrol`` cannot be reached)."""


@dataclass(frozen=True)
class SlurmJobSpec:
    """What the job asks of the cluster (every field settable from the Launchpad)."""

    nodes: int = 1
    processes_per_node: int = 1
    gpus_per_node: int = 0
    partition: str = ""
    account: str = ""
    time_limit: str = ""
    extra_flags: tuple[str, ...] = ()

    def sbatch_flags(self, name: str, log: Path) -> list[str]:
        flags = [
            "--parsable",
            f"--job-name={name}",
            f"--nodes={self.nodes}",
            "--ntasks-per-node=1",
            f"--cpus-per-task={self.processes_per_node}",
            f"--output={log}",
            "--export=ALL",
        ]
        if self.gpus_per_node:
            flags.append(f"--gpus-per-node={self.gpus_per_node}")
        flags += [f"--{key}={value}" for key, value in self._optional() if value]
        return [*flags, *self.extra_flags]

    def _optional(self) -> list[tuple[str, str]]:
        return [("partition", self.partition), ("account", self.account), ("time", self.time_limit)]


def job_script(spec: SlurmJobSpec, args: Sequence[str], cwd: Path) -> str:
    """The batch script: ``srun`` one task per node, each a ``torchrun`` of ``retclip <args>``
    (or ``retclip`` alone on one node with one process)."""
    python = shlex.quote(sys.executable)
    retclip = " ".join(shlex.quote(a) for a in args)
    if spec.nodes == 1 and spec.processes_per_node == 1:
        launch = f"{python} -m retclip {retclip}"
    else:
        launch = (
            f"{python} -m torch.distributed.run --nnodes={spec.nodes} "
            f"--nproc_per_node={spec.processes_per_node} --node_rank=$SLURM_NODEID "
            "--master_addr=$MASTER_ADDR --master_port=$MASTER_PORT "
            f"-m retclip {retclip}"
        )
    return "\n".join(
        [
            "#!/bin/bash",
            "set -euo pipefail",
            f"cd {shlex.quote(str(cwd))}",
            # the first node's address (node names need not resolve), a port from the job id
            'first=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)',
            "export MASTER_ADDR=$(scontrol show node \"$first\" | grep -o 'NodeAddr=[^ ]*' "
            "| cut -d= -f2)",
            "export MASTER_PORT=$((20000 + SLURM_JOB_ID % 20000))",
            f"srun --ntasks-per-node=1 --kill-on-bad-exit=1 bash -c {shlex.quote(launch)}",
            "",
        ]
    )


class PipesSlurmClient(dg.PipesClient):
    """Submit a job, follow it until it ends, report its Pipes messages; cancel it when the
    Dagster run is terminated."""

    def __init__(self, spec: SlurmJobSpec, poll_s: float = 2.0):
        self.spec, self.poll_s = spec, poll_s

    @classmethod
    def _is_dagster_maintained(cls) -> bool:
        return False

    def run(  # type: ignore[override]
        self,
        *,
        context: dg.AssetExecutionContext,
        args: Sequence[str],
        cwd: Path,
        name: str,
        env: Mapping[str, str] | None = None,
    ) -> dg.PipesClientCompletedInvocation:
        folder = Path(cwd) / ".pipes" / f"{context.run.run_id}-{name}"
        folder.mkdir(parents=True, exist_ok=True)
        script, log = folder / "job.sh", folder / "slurm.log"
        script.write_text(job_script(self.spec, args, Path(cwd)))
        with dg.open_pipes_session(
            context=context,
            context_injector=dg.PipesFileContextInjector(str(folder / "context.json")),
            message_reader=dg.PipesFileMessageReader(str(folder / "messages.jsonl")),
        ) as session:
            job_env = {**os.environ, **(env or {}), **session.get_bootstrap_env_vars()}
            job_id = _slurm(["sbatch", *self.spec.sbatch_flags(name, log), str(script)], job_env)
            job_id = job_id.strip().split(";")[0]
            context.log.info(
                f"slurm: job {job_id} submitted ({self.spec.nodes} node(s)), log {log}"
            )
            try:
                state, exit_code = self._wait(job_id, job_env)
            except BaseException:  # the run was terminated (or this process is going down)
                context.log.info(f"slurm: cancelling job {job_id}")
                cancel(job_id, job_env)
                raise
            if state != FINISHED_OK:
                raise dg.Failure(
                    description=f"Slurm job {job_id} ended {state} (exit code {exit_code})",
                    metadata={"slurm_job": job_id, "slurm_state": state, "log_tail": _tail(log)},
                )
            context.log.info(f"slurm: job {job_id} {state}")
        return dg.PipesClientCompletedInvocation(session, metadata={"slurm_job": job_id})

    def _wait(self, job_id: str, env: Mapping[str, str]) -> tuple[str, str]:
        while True:
            state, exit_code = job_state(job_id, env)
            if state not in STILL_GOING:
                return state, exit_code
            time.sleep(self.poll_s)


def job_state(job_id: str, env: Mapping[str, str]) -> tuple[str, str]:
    """A job's state and exit code from ``scontrol show job`` (kept ``MinJobAge`` after it
    ends)."""
    fields = dict(
        item.split("=", 1)
        for item in _slurm(["scontrol", "-o", "show", "job", job_id], env).split()
        if "=" in item
    )
    return fields.get("JobState", "UNKNOWN"), fields.get("ExitCode", "?")


def cancel(job_id: str, env: Mapping[str, str], timeout: float = 60.0) -> None:
    """``scancel`` the job and wait until ``squeue`` no longer lists it (a job that has just
    ended makes ``scancel`` complain: nothing is left to cancel then)."""
    _slurm(["scancel", job_id], env, check=False)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _slurm(["squeue", "-h", "-j", job_id], env, check=False).strip():
            return
        time.sleep(0.5)


def _slurm(argv: list[str], env: Mapping[str, str], check: bool = True) -> str:
    done = subprocess.run(argv, env=dict(env), capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise SlurmJobError(f"{' '.join(argv[:2])} failed: {done.stderr.strip()}")
    return done.stdout


def _tail(log: Path) -> str:
    if not log.is_file():
        return "(no log written)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:])
