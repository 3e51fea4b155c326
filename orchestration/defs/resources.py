"""Resources: where the project lives, where artifacts go, the dvc command.

Configured from the environment, never from files in the repository: credentials for S3 come
from boto3's default chain (environment or instance role).
"""

import os
import shlex
import sys
from pathlib import Path
from typing import Any, Literal

import dagster as dg
from dagster_aws.s3 import S3Resource

from retclip.config import Params, load_params
from retclip.dvc_repo import DvcRepo
from retclip.local_store import LocalStore
from retclip.storage import S3Store


def default_root() -> str:
    """$RETCLIP_PROJECT_ROOT, else the checkout this code location was loaded from."""
    return os.environ.get("RETCLIP_PROJECT_ROOT", str(Path(__file__).resolve().parents[2]))


class RetclipProject(dg.ConfigurableResource):
    """The project folder: data/raw, outputs/ and the parameters file, as the CLI sees them."""

    root: str = default_root()
    params_file: str = "params.yaml"

    def path(self, *parts: str) -> Path:
        return Path(self.root, *parts)

    @property
    def raw(self) -> Path:
        return self.path("data", "raw")

    def output(self, stage: str) -> Path:
        return self.path("outputs", stage)

    def params(self) -> Params:
        return load_params(self.path(self.params_file))


class ArtifactStore(S3Resource):
    """Where releases are published: a local folder (``local_dir``) or S3 (any endpoint).

    An ``S3Resource`` of dagster-aws (endpoint, region, retries; credentials from boto3's default
    chain) with the bucket and prefix that releases go to. Both keep the same layout: the files
    under ``objects/``, each release's record under ``releases/``, ``releases/latest.json`` last.
    """

    kind: Literal["local", "s3"] = "local"
    bucket: str = ""
    prefix: str = "retclip"
    local_dir: str = os.environ.get("RETCLIP_RELEASE_DIR", str(Path(default_root(), "releases")))

    def s3(self) -> S3Store:
        if self.kind != "s3" or not self.bucket:
            raise ValueError("ArtifactStore: S3 is not configured (kind=s3 and a bucket)")
        return S3Store(self.get_client(), self.bucket, self.prefix)

    def releases(self) -> S3Store | LocalStore:
        return LocalStore(Path(self.local_dir)) if self.kind == "local" else self.s3()

    def publish(self, folder: Path, name: str, record: dict[str, Any] | None = None) -> str:
        """Publish an output folder with its record; returns where the record is (a path or the
        release's pointer on S3, written after every file; see :meth:`S3Store.publish`)."""
        return self.releases().publish(folder, name, record)

    def last_release(self) -> dict[str, Any] | None:
        """The record of the last published release (``None`` before the first)."""
        return self.releases().last_release()


class DvcCommand(dg.ConfigurableResource):
    """The dvc executable of the separate dvc environment (DESIGN.md section 9), and the remote
    that every recorded output is pushed to: ``$RETCLIP_DVC_REMOTE`` (a remote name of
    ``.dvc/config``, e.g. ``s3``); empty: outputs are committed to the local cache only."""

    executable: str = os.environ.get("DVC_BIN", str(Path(default_root(), ".venv-dvc/bin/dvc")))
    remote: str = os.environ.get("RETCLIP_DVC_REMOTE", "")

    def repo(self, root: Path) -> DvcRepo:
        return DvcRepo(root, self.executable)


def store_from_environment() -> ArtifactStore:
    """RETCLIP_ARTIFACT_STORE=s3 with RETCLIP_S3_BUCKET (and optionally _PREFIX, _ENDPOINT_URL)."""
    return ArtifactStore(
        kind="s3" if os.environ.get("RETCLIP_ARTIFACT_STORE") == "s3" else "local",
        bucket=os.environ.get("RETCLIP_S3_BUCKET", ""),
        prefix=os.environ.get("RETCLIP_S3_PREFIX", "retclip"),
        endpoint_url=os.environ.get("RETCLIP_S3_ENDPOINT_URL") or None,
        region_name=os.environ.get("AWS_DEFAULT_REGION") or None,
    )


class TrainingLauncher(dg.ConfigurableResource):
    """How pre-training runs: ``subprocess`` (this machine; ``torchrun`` when
    ``nproc_per_node`` > 1), ``slurm`` (one job of ``nodes`` x ``nproc_per_node`` processes,
    ``orchestration/defs/slurm.py``) or ``k8s`` (a pod from ``image`` with retclip installed and
    the project's outputs on a shared volume or S3, through ``PipesK8sClient``)."""

    mode: Literal["subprocess", "slurm", "k8s"] = "subprocess"
    nproc_per_node: int = 1
    nodes: int = 1
    gpus_per_node: int = 0
    partition: str = ""
    account: str = ""
    time_limit: str = ""
    sbatch_flags: str = ""
    """More ``sbatch`` flags as one would type them ("--qos=high --constraint=a100")."""
    image: str = ""
    namespace: str = "default"

    def command(self, args: list[str]) -> list[str]:
        if self.nproc_per_node > 1:
            return ["torchrun", f"--nproc_per_node={self.nproc_per_node}", "-m", "retclip", *args]
        return [sys.executable, "-m", "retclip", *args]

    def launch(self, context: dg.AssetExecutionContext, args: list[str], cwd: Path, name: str):
        if self.mode == "slurm":
            from orchestration.defs.slurm import PipesSlurmClient, SlurmJobSpec

            spec = SlurmJobSpec(
                nodes=self.nodes,
                processes_per_node=self.nproc_per_node,
                gpus_per_node=self.gpus_per_node,
                partition=self.partition,
                account=self.account,
                time_limit=self.time_limit,
                extra_flags=tuple(shlex.split(self.sbatch_flags)),
            )
            return PipesSlurmClient(spec).run(context=context, args=args, cwd=cwd, name=name)
        if self.mode == "k8s":
            from dagster_k8s import PipesK8sClient

            return PipesK8sClient().run(
                context=context,
                image=self.image,
                command=self.command(args),
                namespace=self.namespace,
            )
        return dg.PipesSubprocessClient(cwd=str(cwd)).run(
            context=context, command=self.command(args)
        )


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "project": RetclipProject(),
            "store": store_from_environment(),
            "dvc": DvcCommand(),
            "launcher": TrainingLauncher(),
        }
    )
