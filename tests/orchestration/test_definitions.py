import dagster as dg

from orchestration.definitions import defs
from retclip.data.version import raw_data_version
from tests.conftest import REPO


def test_raw_data_is_observed_with_the_version_in_data_dvc(monkeypatch):
    monkeypatch.setenv("RETCLIP_PROJECT_ROOT", str(REPO))
    definitions = defs()
    job = definitions.resolve_implicit_global_asset_job_def()
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance, asset_selection=[dg.AssetKey("raw_data")]
        )
        assert result.success
        observations = result.asset_observations_for_node("raw_data")
    version = raw_data_version(REPO / "data.dvc")
    assert observations[0].tags["dagster/data_version"] == version
    assert observations[0].metadata["dvc_md5"].value == version
