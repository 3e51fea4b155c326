import pytest

from retclip.data.version import DataVersionError, raw_data_version
from tests.conftest import REPO


def test_reads_the_md5_of_the_committed_data_dvc():
    version = raw_data_version(REPO / "data.dvc")
    assert version.endswith(".dir") and len(version) == 36


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("outs: []\n", "one output"),
        ("just text\n", "one output"),
        ("outs:\n- path: a\n", "one output"),
        ("outs: [\n", "one output"),
    ],
)
def test_bad_dvc_files_are_explained(tmp_path, text, message):
    path = tmp_path / "data.dvc"
    path.write_text(text)
    with pytest.raises(DataVersionError, match=message):
        raw_data_version(path)


def test_missing_file_is_explained(tmp_path):
    with pytest.raises(DataVersionError, match="does not exist"):
        raw_data_version(tmp_path / "data.dvc")
