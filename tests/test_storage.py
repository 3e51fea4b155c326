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
