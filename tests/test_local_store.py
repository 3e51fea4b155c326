"""Releases in a local folder: copied whole, the record written after, the last one read back."""

import json

import pytest

from retclip.local_store import LocalStore
from retclip.storage import StoreError


def test_publish_copies_the_folder_and_the_last_release_is_read_back(tmp_path):
    folder = tmp_path / "export"
    (folder / "model").mkdir(parents=True)
    (folder / "image.onnx").write_bytes(b"onnx")
    (folder / "model" / "config.json").write_text("{}")
    store = LocalStore(tmp_path / "releases")
    assert store.last_release() is None
    store.publish(folder, "export/first", {"metrics": {"scores": {"task": 0.8}}})
    where = store.publish(folder, "export/second", {"metrics": {"scores": {"task": 0.9}}})
    (folder / "image.onnx").write_bytes(b"changed after the release")
    last = store.last_release()
    assert where == str(tmp_path / "releases" / "releases" / "export" / "second.json")
    assert last["name"] == "export/second" and last["metrics"]["scores"] == {"task": 0.9}
    assert sorted(last["files"]) == ["image.onnx", "model/config.json"]
    copied = tmp_path / "releases" / "objects" / "export" / "second" / "image.onnx"
    assert copied.read_bytes() == b"onnx"


def test_an_unreadable_last_release_is_one_sentence(tmp_path):
    store = LocalStore(tmp_path)
    (tmp_path / "releases").mkdir()
    (tmp_path / "releases" / "latest.json").write_text(json.dumps({"name": "export/gone"}))
    with pytest.raises(StoreError, match="names a missing release 'export/gone'"):
        store.last_release()
    (tmp_path / "releases" / "latest.json").write_text("{oops")
    with pytest.raises(StoreError, match="cannot be read as JSON"):
        store.last_release()
