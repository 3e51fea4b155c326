# ruff: noqa: RUF001
"""Towns, counties, districts, townships and villages written in running text.

Safe Harbor removes every geographic subdivision smaller than a state: the street and the
postcode (``phi.py``'s address detectors) but also the town a patient comes from ("来自浙江省
绍兴市", "Lives in Dayton, OH"), which no shape gives away. The places are known from data that
libraries keep (``gazetteers``: cpca's Chinese divisions, GeoNames' towns). The province, state
or country is kept, as Safe Harbor allows.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from retclip.text import gazetteers
from retclip.text import phi_patterns as p
from retclip.text.trie import trie_pattern

_Span = tuple[str, int, int]

# --- Chinese -----------------------------------------------------------------------------------

_ZH_TOWN_SUFFIX = "管理区|开发区|街道|社区|嘎查|苏木|新区|农场|镇|乡|村|屯|组"
_ZH_STRONG_CUES = (
    "来自|家住|住在|住于|居住在|居住于|居住|居于|现居|现住|户籍|籍贯|老家|原籍|出生于|转自|迁至"
    "|搬到|搬至|搬去|搬回|返回|回到|前往|常住地|常住|定居|转诊自|迁居"
)
"""Words of residence and origin: the place after one may be any name that ends in a
division word."""
_ZH_STRONG = frozenset(_ZH_STRONG_CUES.split("|"))
_ZH_CUE = re.compile(
    rf"(?P<cue>{_ZH_STRONG_CUES}|往返|从|自|由|在|到|回)[ ]?(?:在|于|为|是|地)?[ ]?[:]?[ ]?"
)
"""Those and the prepositions of place: the gazetteer decides what follows them. The words
stand in one alternation of literals, so that ``re`` skips to their first characters; which
kind of cue matched is looked up after."""
_ZH_CUE_PLACE = re.compile(
    rf"(?:{_ZH_STRONG_CUES})[ ]?(?:在|于|为|是)?[ ]?[:]?[ ]?(?P<place>[{p.CJK}]{{1,10}}?"
    rf"(?:省|自治区|市|州|盟|地区|县|区|旗|{_ZH_TOWN_SUFFIX}))"
)
_ZH_WORK_OR_CARE = "打工|务工|工作|上班|首诊|就诊|转诊|转来|求治"
_ZH_PLACE_SLOTS = (
    re.compile(
        rf"(?:{_ZH_STRONG_CUES})[ ]?[:]?[ ]?(?P<place>[{p.CJK}]{{2,7}}?)"
        rf"(?=[，,。；;（(]|{_ZH_WORK_OR_CARE})"
    ),
    re.compile(rf"[在于自从](?P<place>[{p.CJK}]{{2,7}}?)(?={_ZH_WORK_OR_CARE})"),
    re.compile(rf"[\n。；;](?P<place>[{p.CJK}]{{2,4}})(?=人[，,])"),
)
"""A place in the slot a sentence keeps for one: after a word of residence up to the comma
("现居光谷，"), before the work or care done there ("在三里屯打工", "于兴坪镇首诊"), or
opening a line or a sentence as someone's origin ("江北嘴人，退休教师"). Three scans, each led
by a literal or a class, so that ``re`` skips to where one can start."""
_ZH_TOWNS_AFTER = re.compile(
    rf"(?:[{p.CJK}]{{0,4}}?[市县区]|[{p.CJK}]{{0,6}}?(?:{_ZH_TOWN_SUFFIX})(?![市县区]))"
    r"{1,3}"
)
"""Smaller divisions written after a place: a county, a township, a village ("周口市郸城县
汲冢镇王庄村"; not the "市" of a hospital's name)."""
_ZH_TOWN_AT = re.compile(rf"[{p.CJK}]{{1,6}}?(?:{_ZH_TOWN_SUFFIX})")
_PLACE_BEFORE = re.compile(
    "中医院|人民医院|第[一二三四五六七八九]人民医院|医院|卫生院|眼科医院|妇幼保健院|当地|人氏|籍"
)
"""What follows a place named without its division word: a hospital's name ("遵化中医院"),
"当地" ("因温岭当地无眼底激光设备"), origin ("温岭人氏")."""
_GENERIC_DIVISIONS = frozenset(("城区", "市辖区", "郊区", "矿区", "新区"))
_DIVISION_ENDS = frozenset("市县区旗州盟镇乡村道屯")
_SUFFIXED = re.compile("[市县区旗州盟]")


class _ZhGazetteer(NamedTuple):
    suffixed: frozenset[str]
    """Divisions that end in a division word (绍兴市, 郸城县): looked up from that word back."""
    short_scan: re.Pattern[str]
    """Prefecture-level cities written without "市" (绍兴, 六安): found anywhere."""
    short_names: frozenset[str]
    """Every division without its division word (昌平, 扶沟): found after a word of place or a
    province, where the gazetteer, not the context alone, decides."""
    provinces: re.Pattern[str]
    longest: int
    """Characters in the longest suffixed division, and one."""


@cache
def _zh_gazetteer() -> _ZhGazetteer:
    provinces, divisions = gazetteers.zh_divisions()
    places = divisions - _GENERIC_DIVISIONS
    suffixed = frozenset(place for place in places if _SUFFIXED.match(place[-1]))
    short = {place[:-1] for place in suffixed if len(place) >= 3} | (places - suffixed)
    return _ZhGazetteer(
        suffixed,
        re.compile(trie_pattern(sorted(places - suffixed))),
        frozenset(short - provinces),
        re.compile(trie_pattern(sorted(provinces))),
        max(map(len, suffixed)) + 1,
    )


def zh_places(text: str) -> list[_Span]:
    """Chinese divisions below the province (cpca's list) with the townships and villages written
    after them; after a word of place or a province, also a division written without its
    division word ("常住地：扶沟", "广东省南山") or a township ("广东省常平镇")."""
    gazetteer = _zh_gazetteer()
    found = [m.span() for m in gazetteer.short_scan.finditer(text)]
    for m in _SUFFIXED.finditer(text):
        end = m.end()
        for length in range(min(end, gazetteer.longest), 1, -1):
            if text[end - length : end] in gazetteer.suffixed:
                found.append((end - length, end))
                break
    for m in _PLACE_BEFORE.finditer(text):
        for length in range(min(4, m.start()), 1, -1):
            name = text[m.start() - length : m.start()]
            if (
                name in gazetteer.short_names
                or (name[-1:] in "市县区" and name[:-1] in gazetteer.short_names)
                or _ZH_TOWN_AT.fullmatch(name)
            ):
                found.append((m.start() - length, m.start()))
                break
    provinces = gazetteers.zh_divisions()[0]
    contexts = [(m.end(), m.group("cue") in _ZH_STRONG) for m in _ZH_CUE.finditer(text)]
    contexts += [(m.start(), True) for m in gazetteer.provinces.finditer(text)]
    for position, strong in contexts:
        position += _province_length(provinces, text, position, len(text))
        for length in (4, 3, 2):
            if text[position : position + length] in gazetteer.short_names:
                found.append((position, position + length))
                break
        else:  # a township after a province or a word of residence (not after "在", "从")
            town = _ZH_TOWN_AT.match(text, position) if strong else None
            if town and town.start() < town.end() - 1:
                found.append(town.span())
    for m in (m for slot in _ZH_PLACE_SLOTS for m in slot.finditer(text)):
        start, end = m.span("place")
        start += _province_length(provinces, text, start, end)
        if end - start >= 2 and not _common_word(text[start:end], text[start : end + 1]):
            found.append((start, end))
    spans = []
    for start, end in found:
        towns = _ZH_TOWNS_AFTER.match(text, end)
        spans.append(("ADDRESS", start, towns.end() if towns else end))
    for m in _ZH_CUE_PLACE.finditer(text):
        start, end = m.span("place")
        start += _province_length(provinces, text, start, end)
        if end - start >= 2:
            spans.append(("ADDRESS", start, end))
    return spans


def _common_word(*candidates: str) -> bool:
    """Whether one of the strings is a common word of jieba's dictionary (used a thousand
    times or more) that is not a place: "现居老家，" names no town, "现居光谷，" does."""
    words, places = gazetteers.zh_words(), gazetteers.zh_place_words()
    return any(words.get(c, 0) >= 1000 and c not in places for c in candidates)


def without_province(text: str, span: _Span) -> _Span:
    """A Chinese place named down to a division ("家住河南省周口市郸城县") without the words of
    residence and the province it starts with: Safe Harbor keeps the state, and the words identify
    no one. A postal address (a road and a number) stays whole, as a letter's address block."""
    kind, start, end = span
    if text[start : start + 1].isascii() or text[end - 1] not in _DIVISION_ENDS:
        return span
    provinces = gazetteers.zh_divisions()[0]
    cue = _ZH_CUE.match(text, start, end)
    position = start
    strong = cue is not None and cue.group("cue") in _ZH_STRONG
    if cue and (strong or _province_length(provinces, text, cue.end(), end)):
        position = cue.end()  # "家住...", "自北京市...", but 自贡市 and 从化区 are places
    inside = _zh_gazetteer().provinces.search(text, position, min(end, position + 8))
    if inside and inside.start() > position:  # "参保地为广东省深圳市...": the words before go too
        position = inside.start()
    for back in range(min(position, 3) + 1):  # a province the span begins inside ("宁|夏回族")
        length = _province_length(provinces, text, position - back, end)
        if length > back:
            position += length - back
            break
    return (kind, position, end) if end - position >= 2 else span


def _province_length(provinces: frozenset[str], text: str, start: int, end: int) -> int:
    """Length of the province name (with "省" where written) at ``start``, or 0."""
    for length in (8, 7, 6, 5, 4, 3, 2):
        if start + length <= end and text[start : start + length] in provinces:
            following = text[start + length : start + length + 1]
            if following == "市":
                return 0  # 吉林市 is a city of 吉林省
            return length + (following == "省")
    return 0


# --- English -----------------------------------------------------------------------------------

_REGIONS = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
    "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR ON QC BC AB MB SK NS NB NL PE "
    "NT YT NU NSW VIC QLD TAS ACT "
    "Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia "
    "Hawaii Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts "
    "Michigan Minnesota Mississippi Missouri Montana Nebraska Nevada New_Hampshire New_Jersey "
    "New_Mexico New_York North_Carolina North_Dakota Ohio Oklahoma Oregon Pennsylvania "
    "Rhode_Island South_Carolina South_Dakota Tennessee Texas Utah Vermont Virginia Washington "
    "West_Virginia Wisconsin Wyoming Ontario Quebec British_Columbia Alberta Manitoba "
    "Saskatchewan Nova_Scotia New_Brunswick Newfoundland England Scotland Wales Northern_Ireland "
    "Ireland Queensland Victoria Tasmania New_South_Wales Canada USA UK U.K. U.S. Australia "
    "China India Germany France Italy Spain Mexico Brazil Japan Korea Philippines Vietnam Poland "
    "Nigeria Pakistan Bangladesh Kenya Ghana Jamaica Portugal Netherlands Greece Turkey Iran "
    "Egypt Cumbria Yorkshire Lancashire Kent Essex Surrey Devon Cornwall Norfolk Suffolk "
    "Hong_Kong Macau Macao Singapore Taiwan Malaysia New_Zealand"
)
REGION_NAMES = frozenset(r.replace("_", " ") for r in _REGIONS.split())
"""States, provinces, counties of Britain and countries: kept (Safe Harbor allows the state),
and never a person's name ("Red Deer, Alberta")."""
_REGION_AFTER = re.compile(
    ",[ ]?(?:"
    + "|".join(map(re.escape, sorted(REGION_NAMES, key=len, reverse=True)))
    + r")(?![A-Za-z])"
)
_CAP_WORD = r"[A-Z][A-Za-zà-ÿ'’.-]*[A-Za-zà-ÿ]"
_CAP_WORDS = rf"{_CAP_WORD}(?:[ -](?:(?:upon|on|under|de|la|le|of|the)[ -])?{_CAP_WORD}){{0,3}}"
_CAP_RUN_BEFORE = re.compile(rf"(?<![A-Za-z]){_CAP_WORDS}$")
_CAP_RUN = re.compile(_CAP_WORDS)
_CUE_WORDS = p.words(
    "in from to at near of outside around towards toward via between and into nearby the"
)
_CUE_BEFORE_CAPITAL = re.compile(trie_pattern(sorted(_CUE_WORDS)) + r"(?= [A-Z][A-Za-zà-ÿ])")
"""A word of place before a capitalised word: the words as a prefix tree, so that ``re`` skips
to their first letters; that a space stands before the cue is checked after."""
_CAPITALS_CUES = p.words("in from to at near outside")
_EN_COUNTY = re.compile(
    r"(?:[A-Z][a-z'.-]+ ){1,3}(?:County|Parish|Borough|Township|Shire|District|Co\.)(?![a-z])"
)
_COUNTY_WORDS = ("County", "Parish", "Borough", "Township", "Shire", "District", "Co.")
NOT_PLACES = p.CLINICAL_PROPER_NAMES | p.words(
    "Eye Retina Clinic Hospital Health Medical Centre Center Unit Department Service Practice "
    "Surgery Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March "
    "April May June July August September October November December Christmas Easter Diabetic "
    "Ophthalmology Optometry Optometrist Casualty Emergency University College Institute Royal "
    "General Memorial Regional Community District Trust Foundation The A An OCT VA IOP"
)
_MAKER_AFTER = ("Spectralis", "Engineering", "HRA")


def en_places(text: str) -> list[_Span]:
    """Towns and counties in English that GeoNames knows: before a state or country ("Dayton,
    OH"), after a word of place ("moved here from Leeds"), and "... County"."""
    spans = []
    for m in _REGION_AFTER.finditer(text):
        run = _CAP_RUN_BEFORE.search(text, max(0, m.start() - 60), m.start())
        if run:
            span = _known_suffix(run.group(), run.start())
            if span is None and m.group().lstrip(", ") in _COUNTRIES_AND_STATES:
                span = _unknown_place(run.group(), run.start())  # "Pasir Ris, Singapore"
            if span:
                spans.append(("ADDRESS", *span))
    for m in _CUE_BEFORE_CAPITAL.finditer(text):
        if m.start() and text[m.start() - 1] != " ":
            continue  # "within", "Toronto": the end of a longer word
        cue, space = m.group(), m.end()
        run = _CAP_RUN.match(text, space + 1)
        if not run or (run.group().split(" ")[0].isupper() and cue not in _CAPITALS_CUES):
            continue  # "drusen and IRMA": capitals are an abbreviation unless a place is meant
        span = _known_prefix(text, run.start(), run.group())
        if span is None and _strong_cue_before(text, space):
            span = _unknown_place(run.group(), run.start())
        if span:
            spans.append(("ADDRESS", *span))
    resident = "resident" in text or "native" in text or "-based" in text or " local" in text
    for m in _RESIDENT.finditer(text) if resident else ():
        span = _known_suffix(m.group("place"), m.start("place"))
        if span:
            spans.append(("ADDRESS", *span))
    if any(word in text for word in _COUNTY_WORDS):
        spans += [("ADDRESS", *m.span()) for m in _EN_COUNTY.finditer(text)]
    return spans


_STRONG_CUES = (
    "lives in",
    "living in",
    "moved from",
    "moved to",
    "grew up in",
    "born in",
    "resident of",
    "native of",
    "relocated to",
    "relocated from",
    "originally from",
    "comes from",
    "came from",
    "based in",
)
_RESIDENT = re.compile(rf"(?P<place>{_CAP_WORDS})(?= resident| native|-based| local\b)")
_COUNTRIES_AND_STATES = frozenset(r for r in REGION_NAMES if len(r) > 3 and not r.isupper())


def _strong_cue_before(text: str, end: int) -> bool:
    """Whether a word of residence ("lives in", "moved from") ends at ``end``."""
    return text[max(0, end - 16) : end].rstrip().lower().endswith(_STRONG_CUES)


def _unknown_place(phrase: str, start: int) -> tuple[int, int] | None:
    """A place no gazetteer knows, where the words around it say it is one: its capitalised
    words up to the first clinical name or region."""
    words = []
    for word in phrase.split(" "):
        if word in NOT_PLACES or word in REGION_NAMES:
            break
        words.append(word)
    return (start, start + len(" ".join(words))) if words else None


def _known_suffix(phrase: str, start: int) -> tuple[int, int] | None:
    """The longest run of the phrase's last words that GeoNames knows ("Dayton" in "Lives in
    Dayton, OH"; "Bar Harbor")."""
    known = gazetteers.world_places()
    words = phrase.split(" ")
    end = start + len(phrase)
    for count in range(len(words), 0, -1):
        candidate = " ".join(words[-count:])
        title = candidate.title() if candidate.isupper() else candidate
        if title in known and words[-count] not in NOT_PLACES:
            return end - len(candidate), end
    return None


def _known_prefix(text: str, start: int, phrase: str) -> tuple[int, int] | None:
    """The longest run of the phrase's first words that GeoNames knows, unless a maker's
    product follows it ("Heidelberg Spectralis")."""
    words = phrase.split(" ")
    if words[0] in NOT_PLACES:
        return None
    known = gazetteers.world_places()
    for count in range(len(words), 0, -1):
        candidate = " ".join(words[:count]).rstrip(".")
        if candidate in known or (candidate.isupper() and candidate.title() in known):
            end = start + len(candidate)
            if text[end + 1 : end + 12].startswith(_MAKER_AFTER):
                return None
            return start, end
    return None
