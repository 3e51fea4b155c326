# ruff: noqa: RUF001
"""Detectors for the Safe Harbor identifiers that ``phi.py``'s first detectors do not look for.

HIPAA's Safe Harbor method lists eighteen kinds of identifier; China's personal-information
rules name the same things in their own forms (车牌, 微信号, 医保卡号, 银行卡号, 乡镇). The
detectors here cover what the label-and-shape detectors of ``phi.py`` leave: vehicle plates and
VINs, device serials and workstation names, bank and billing accounts, health-plan numbers,
licences and certificates, biometric template ids, social handles, IP addresses, towns and
smaller places in free text, names written with no label or title, and birth years that give
away an age over 89. Towns and unlabelled names are told from ordinary words with the lists of
``gazetteers`` (maintained libraries' data); identifiers are read after their label or known by a
shape that a library checks (``ipaddress``, ``stdnum``'s IBAN and Luhn checks).

Each detector returns ``(type, start, end)`` spans into the aligned report text, like those of
``phi.py``, which merges them with the rest.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from stdnum import iban, luhn

from retclip.text import gazetteers
from retclip.text import phi_patterns as p
from retclip.text.trie import trie_pattern

_Span = tuple[str, int, int]

# --- identifiers after a label -----------------------------------------------------------------

_CODE_LABELS = {
    "VEHICLE": (
        "车牌号码 车牌号 车牌 号牌号码 号牌 车辆识别代号 车辆识别码 车架号 车辆号牌",
        "licence plate|license plate|number plate|registration plate|plate number|plate no|"
        "plate|plates|vehicle registration|vehicle reg|car reg|reg no|reg. no|registration no|"
        "tag number|car tag|tag|VIN|vehicle identification number|chassis number|chassis no",
    ),
    "DEVICE": (
        "设备序列号 仪器序列号 序列号 设备编号 仪器编号 机身号 出厂编号 主机编号 工作站 设备号 "
        "设备ID 终端号 终端编号 资产编号 资产标签 主机名 计算机名",
        "serial number|serial no|serial|s/n|sn|device id|device serial|device identifier|"
        "asset tag|asset no|asset number|workstation|work station|host|hostname|host name|"
        "station name|ae title|imei|udi|unique device identifier|terminal id|machine id|"
        "mac address|device",
    ),
    "ACCOUNT": (
        "银行卡号 银行账号 银行账户 开户行账号 开户账号 收款账号 结算账号 对公账号 账号 账户 "
        "缴费账号 信用卡号 储蓄卡号 借记卡号 卡号",
        "account number|account no|account|acct|acct no|a/c|bank account|billing account|"
        "billing number|billing id|patient account|guarantor account|iban|sort code|card number|"
        "credit card|debit card|routing number|bsb",
    ),
    "HEALTH_PLAN": (
        "医保卡号 社保卡号 医保号 医保个人编号 医保编号 医保账号 社会保障卡号 社会保障号 社保号 "
        "新农合证号 新农合卡号 新农合号 参保号 参保编号 保单号 保险单号 商业保险号 医疗保险号",
        "medicare|medicare number|medicare no|medicaid|medicaid id|mbi|hicn|beneficiary|"
        "beneficiary id|beneficiary number|member id|member number|member no|subscriber|"
        "subscriber id|subscriber number|policy|policy number|policy no|group number|group no|"
        "health plan|health plan id|plan id|insurance id|insurance number|insurance no|"
        "insurer id|health card|health card number|chip id",
    ),
    "LICENSE": (
        "驾驶证号 驾驶证 驾照号 驾照 医师资格证书编号 医师资格证号 医师资格证 资格证书编号 "
        "资格证号 执业证书编码 执业证书编号 执业证书号 执业证号 执业证 护士执业证书编号 "
        "证书编号 证书号 执业医师证号",
        "driver's license|driver license|drivers license|driver's licence|driving licence|"
        "driving license|licence number|license number|licence no|license no|licence|license|"
        "dl|dl#|dea|dea number|dea no|npi|npi number|gmc|gmc number|gmc no|nmc|nmc pin|"
        "state license|medical license|medical licence|certificate number|certificate no|"
        "cert no|cert number|registration number|ahpra|ahpra number|board certification",
    ),
    "BIOMETRIC": (
        "指纹模板编号 指纹模板 指纹编号 指纹ID 指纹 虹膜模板编号 虹膜模板 虹膜编码 虹膜ID "
        "人脸识别编号 人脸识别ID 人脸识别 人脸ID 人脸模板 面部识别 掌静脉ID 掌静脉编号 掌静脉 "
        "声纹ID 声纹编号 声纹 生物特征编号 生物识别编号",
        "fingerprint template|fingerprint id|fingerprint|iris template|iris code|iris id|"
        "iris scan id|face template|face id|faceprint|facial recognition id|facial recognition|"
        "face recognition id|face recognition|palm vein|palm-vein|palm vein id|voiceprint|"
        "voice print|voiceprint id|biometric id|biometric template|biometric",
    ),
    "HANDLE": (
        "微信号 微信ID 微信 wx号 QQ号 QQ 微博号 微博 抖音号 抖音 钉钉号 钉钉",
        "wechat id|wechat|weixin|telegram|twitter|instagram|ig|snapchat|skype|line id|"
        "facebook|tiktok|x handle|handle|username|user name|qq",
    ),
}
_BRIDGE = (
    r"(?:[ \t\x00]*(?:(?i:id\b|no\.|no\b|number\b|num\b|code\b|hash\b|template\b)|#|号码|号|编号"
    r"|编码|代号|码))*"
    r"(?:[ \t\x00]*[(（][^()（）\n]{1,24}[)）])?"
    r"(?:[ \t\x00]*(?:[:：=#]|-|—|(?i:is|was|reads|of|on file)\b|为|是))?"
    r"[ \t\x00]*(?:\n[ \t\x00]*)?"
)


def _label_scan() -> re.Pattern[str]:
    groups = []
    for kind, (zh, en) in _CODE_LABELS.items():
        zh_words = trie_pattern(zh.split())
        en_words = trie_pattern(en.split("|"))
        groups.append(f"(?P<{kind}>{zh_words}|(?<![A-Za-z])(?i:{en_words})(?![A-Za-z]))")
    return re.compile(f"(?:{'|'.join(groups)}){_BRIDGE}")


_LABEL_SCAN = _label_scan()
_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领港澳"
_CODE_FIRST = re.compile(
    rf"[{_PLATE_PROVINCES}]?[·• -]?[A-Za-z0-9@(](?:[A-Za-z0-9_@()+]|[.\-/:#·•](?=[A-Za-z0-9(]))*"
)
_CODE_NEXT = re.compile(r"[ ·•\-–][A-Za-z0-9][A-Za-z0-9_\-]*")
_EYE_WORDS = frozenset(("OD", "OS", "OU", "RE", "LE", "BE"))
_CODE_TRAIL = ".-/:#·•_"


def _code_end(text: str, position: int) -> int | None:
    """End of an identifier at ``position``: a first group, then more groups joined by a space,
    a dot or a dash where they hold a digit or are short capitals ("GB29 NWBK 6016")."""
    m = _CODE_FIRST.match(text, position)
    if not m:
        return None
    end = m.end()
    while nxt := _CODE_NEXT.match(text, end):
        group = nxt.group()[1:]
        if group in _EYE_WORDS or not (
            any(c.isdigit() for c in group) or _capitals_in_code(text, group, nxt.end())
        ):
            break
        end = nxt.end()
    while end > position and text[end - 1] in _CODE_TRAIL:
        end -= 1
    if text[position:end].count("(") < text[position:end].count(")"):
        end -= 1
    return end


_DIGIT_GROUP_NEXT = re.compile(r"[ -][A-Za-z0-9]*\d")


def _capitals_in_code(text: str, group: str, end: int) -> bool:
    """A group of capitals inside an identifier ("GB29 NWBK 6016") or closing a British plate
    ("AB12 CDE"), not a word after it ("7ABC123 IP ...")."""
    if not (group.isalpha() and group.isupper() and len(group) <= 5):
        return False
    if _DIGIT_GROUP_NEXT.match(text, end):
        return True
    return len(group) == 3 and not text[end : end + 2].strip(" ").isalpha()


def _labelled_codes(text: str) -> list[_Span]:
    spans = []
    for m in _LABEL_SCAN.finditer(text):
        kind = m.lastgroup
        end = _code_end(text, m.end())
        if end is None or end - m.end() < 3:
            continue
        value = text[m.end() : end]
        if kind != "HANDLE" and not any(c.isdigit() for c in value):
            continue
        spans.append((kind, m.end(), end))
    return spans


# --- identifiers known by their shape ----------------------------------------------------------

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?::\d{{1,5}})?(?![\d]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])\[?[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%\w+)?\]?(?::\d+)?")
_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?|wxid_[\w-]+")
_MBI = re.compile(
    r"(?<![A-Za-z0-9])[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]"
    r"[AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]{2}\d{2}(?![A-Za-z0-9])"
)
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_CARD = re.compile(r"(?<![\d-])\d{4}(?:[ -]?\d{4}){2,3}(?:[ -]?\d{1,3})?(?![\d-])")
_CN_PLATE = re.compile(
    rf"[{_PLATE_PROVINCES}][ ]?[A-HJ-NP-Z][·• -]?(?=[A-HJ-NP-Z0-9]*\d)[A-HJ-NP-Z0-9]{{5,6}}"
    r"(?![A-Za-z0-9])"
)
_VIN = re.compile(
    r"(?<![A-Za-z0-9])(?=[A-HJ-NPR-Z0-9]*\d)(?=[A-HJ-NPR-Z0-9]*[A-HJ-NPR-Z])[A-HJ-NPR-Z0-9]{17}"
    r"(?![A-Za-z0-9])"
)
_UUID = re.compile(r"(?<![0-9A-Fa-f-])[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\b")
_HEX = re.compile(r"(?<![\w-])(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{16,}\b")


def _ip_addresses(text: str) -> list[_Span]:
    spans = []
    if "." in text:
        spans += [("IP", *m.span()) for m in _IPV4.finditer(text)]
    if text.count(":") >= 2:
        for m in _IPV6.finditer(text):
            if m.group().count(":") >= 2 and _is_ipv6(m.group()):
                spans.append(("IP", *m.span()))
    return spans


def _is_ipv6(value: str) -> bool:
    address = value.lstrip("[")
    if "]" in address:
        address = address[: address.index("]")]
    address = address.split("%")[0]
    try:
        ipaddress.IPv6Address(address)
    except ValueError:
        return False
    return True


def _shaped_codes(text: str) -> list[_Span]:
    spans = []
    if "@" in text or "wxid_" in text:
        spans += [("HANDLE", *m.span()) for m in _HANDLE.finditer(text)]
    spans += [("HEALTH_PLAN", *m.span()) for m in _MBI.finditer(text)]
    spans += [("ACCOUNT", *m.span()) for m in _IBAN.finditer(text) if iban.is_valid(m.group())]
    spans += [
        ("ACCOUNT", *m.span())
        for m in _CARD.finditer(text)
        if luhn.is_valid(re.sub(r"\D", "", m.group()))
    ]
    if not text.isascii():
        spans += [("VEHICLE", *m.span()) for m in _CN_PLATE.finditer(text)]
    spans += [("VEHICLE", *m.span()) for m in _VIN.finditer(text)]
    spans += [("ID", *m.span()) for m in _UUID.finditer(text)]
    spans += [("ID", *m.span()) for m in _HEX.finditer(text)]
    return spans


# --- birth years and ages over 89 ----------------------------------------------------------

_YEAR = r"(?:18|19|20)\d{2}"
_BIRTH_YEAR = re.compile(
    rf"(?i:\bborn(?: in)?|\bb\.|\bbirth ?(?:year|yr)|\byear of birth|\byob)[ :：]*(?P<y1>{_YEAR})\b"
    rf"|(?<!\d)(?P<y2>{_YEAR})[ ]?年?[ ]?(?:出生|生人|生(?=[，,。；;）)\s]|$))"
    rf"|生于[ ]?(?P<y3>{_YEAR})"
    r"|(?P<y4>[一二三四五六七八九〇零]{4})年(?:出生|生)"
)
_AGE_NUMBER = rf"(?<![\d.])(?:9\d|1[0-4]\d)(?!\d|\.\d)|{p._ZH_AGE_WORDS}|{p._EN_AGE_WORDS}\b"
_AGE_BEFORE_UNIT = re.compile(
    rf"(?P<age>{_AGE_NUMBER})(?=[ -]?(?:岁|周岁|歲|(?i:years?\b|yrs?\b|yo\b|y/o|y\.o\.)))"
)
_AGE_AFTER_WORD = re.compile(
    rf"(?:(?i:\baged?|\bnow|\bturned|\bturning|\bnonagenarian)[ :]*|现年?|今年|已经?|享年|高龄)"
    rf"(?P<age>{_AGE_NUMBER})(?![ ]?(?:%|(?i:letters|mmhg|mm|um|μm|mg|ml|degrees)\b))"
)


def _old_ages(text: str) -> list[_Span]:
    """Birth years (written out, they give the age away) and ages over 89 in free text."""
    spans = []
    for m in _BIRTH_YEAR.finditer(text):
        group = m.lastgroup or "y1"
        spans.append(("DATE", *m.span(group)))
    for pattern in (_AGE_BEFORE_UNIT, _AGE_AFTER_WORD):
        spans += [("AGE", *m.span("age")) for m in pattern.finditer(text)]
    return spans


# --- towns and smaller places ------------------------------------------------------------------

_ZH_TOWN_SUFFIX = "镇|乡|街道|村|社区|嘎查|苏木|屯|组|管理区|开发区|新区|农场"
_ZH_CUES = (
    "来自|家住|住在|住于|居住在|居住于|居住|居于|现居|现住|户籍|籍贯|老家|原籍|出生于|转自|迁至"
    "|搬到|搬至|搬去|返回|回到|前往|常住|定居|转诊自|从"
)
_ZH_CUE_PLACE = re.compile(
    rf"(?:{_ZH_CUES})[ ]?(?:在|于|为|是)?[ ]?(?P<place>[{p.CJK}]{{1,10}}?"
    rf"(?:省|自治区|市|州|盟|地区|县|区|旗|{_ZH_TOWN_SUFFIX}))"
)
_ZH_TOWN_AFTER = re.compile(rf"[{p.CJK}]{{1,6}}?(?:{_ZH_TOWN_SUFFIX})")


def _zh_place_pattern() -> re.Pattern[str]:
    _, places = gazetteers.zh_divisions()
    return re.compile(trie_pattern(sorted(places)))


def _zh_places(text: str) -> list[_Span]:
    """Chinese divisions below the province (cpca's list), the townships and villages written
    after them, and any place ending in a division word after a word of residence or origin;
    the province itself is kept."""
    provinces, _ = gazetteers.zh_divisions()
    spans = []
    for m in _zh_place_regex().finditer(text):
        end = m.end()
        town = _ZH_TOWN_AFTER.match(text, end)
        spans.append(("ADDRESS", m.start(), town.end() if town else end))
    for m in _ZH_CUE_PLACE.finditer(text):
        start, end = m.span("place")
        for province in _leading(provinces, text, start, end):
            start += len(province)
        if end - start >= 2:
            spans.append(("ADDRESS", start, end))
    return spans


_DIVISION_ENDS = frozenset("市县区旗州盟镇乡村道屯")
_ZH_CUE_AT = re.compile(rf"(?:{_ZH_CUES})[ ]?(?:在|于|为|是)?[ ]?")


def without_province(text: str, span: _Span) -> _Span:
    """A Chinese place named down to a division ("家住河南省周口市郸城县") without the words of
    residence and the province it starts with: Safe Harbor keeps the state, and the words identify
    no one. A postal address (a road and a number) stays whole, as a letter's address block."""
    kind, start, end = span
    if text[start : start + 1].isascii() or text[end - 1] not in _DIVISION_ENDS:
        return span
    cue = _ZH_CUE_AT.match(text, start, end)
    position = cue.end() if cue else start
    provinces, _ = gazetteers.zh_divisions()
    for province in _leading(provinces, text, position, end):
        position += len(province)
    return (kind, position, end) if end - position >= 2 else span


def _leading(provinces: frozenset[str], text: str, start: int, end: int) -> list[str]:
    for length in (5, 4, 3, 2):
        name = text[start : start + length]
        if start + length <= end and name in provinces:
            rest = text[start + length : start + length + 1]
            return [name + rest] if rest == "省" else [name]
    return []


_zh_place_cache: list[re.Pattern[str]] = []


def _zh_place_regex() -> re.Pattern[str]:
    if not _zh_place_cache:
        _zh_place_cache.append(_zh_place_pattern())
    return _zh_place_cache[0]


_REGIONS = sorted(
    p.words(
        "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
        "NM "
        "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR ON QC BC AB MB SK NS NB NL "
        "PE NT YT NU NSW VIC QLD TAS ACT"
    ),
    key=len,
    reverse=True,
)
_REGION_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|"
    "Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|"
    "Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|"
    "New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|"
    "Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|"
    "West Virginia|Wisconsin|Wyoming|Ontario|Quebec|British Columbia|Alberta|Manitoba|"
    "Saskatchewan|Nova Scotia|New Brunswick|Newfoundland|England|Scotland|Wales|Northern Ireland|"
    "Ireland|Queensland|Victoria|Tasmania|New South Wales|Canada|USA|UK|Australia|China|India|"
    "Germany|France|Italy|Spain|Mexico|Brazil|Japan|Korea|Philippines|Vietnam|Poland|Nigeria|"
    "Pakistan|Bangladesh|Kenya|Ghana|Jamaica|Portugal|Netherlands|Greece|Turkey|Iran|Egypt"
)
_CAP_WORD = r"[A-Z][a-zà-ÿ'’.-]*[a-zà-ÿ]"
_CAP_WORDS = (
    rf"(?<![A-Za-z]){_CAP_WORD}(?:[ -](?:(?:upon|on|under|de|la|le|of|the)[ -])?{_CAP_WORD}){{0,3}}"
)
_EN_PLACE_BEFORE_REGION = re.compile(
    rf"(?P<place>{_CAP_WORDS}),[ ]?(?:{'|'.join(_REGIONS)}|{_REGION_NAMES})\b"
)
_EN_CUES = (
    "in|from|to|at|near|of|outside|around|towards|toward|via|between|and|into|nearby|"
    "lives in|living in|resident of|native of|moved to|moved from|relocated to|relocated from|"
    "referred from|transferred from|travelled from|traveled from|originally from|based in|"
    "grew up in|born in|visiting from|back to|home to|returned to|returning to|trip to|"
    "commutes from|drives from|drive from|flew to|flew in from"
)
_EN_CUE_PLACE = re.compile(rf"(?<![A-Za-z])(?:{_EN_CUES}) (?P<place>{_CAP_WORDS})")
_EN_COUNTY = re.compile(
    r"(?:[A-Z][a-z'.-]+ ){1,3}(?:County|Parish|Borough|Township|Shire|District|Co\.)(?![a-z])"
)
NOT_PLACES = p.words(
    "Stargardt Coats Best Vogt Koyanagi Harada Behçet Behcet Goldmann Humphrey Snellen Amsler "
    "Bruch Bruch's Leber Eales Purtscher Terson Sjogren Sjögren Graves Marfan Stickler Usher "
    "Topcon Zeiss Optos Canon Nidek Spectralis Cirrus Optovue Icare Tono Perkins Haag Streit "
    "Heidelberg Moorfields Wills Bascom Palmer Kellogg Wilmer Jules Stein Casey Eye Retina "
    "Clinic Hospital Health Medical Centre Center Unit Department Service Practice Surgery "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April "
    "May June July August September October November December Christmas Easter Diabetic "
    "Ophthalmology Optometry Optometrist Casualty Emergency University College Institute "
    "Royal General Memorial Regional Community District Trust Foundation The A An OCT VA IOP"
)


def _en_places(text: str) -> list[_Span]:
    """Towns and counties in English: before a state or country ("Dayton, OH"), after a word of
    place ("moved here from Leeds") where GeoNames knows them, and "... County"."""
    spans = []
    known = None
    for m in _EN_PLACE_BEFORE_REGION.finditer(text):
        known = known or gazetteers.world_places()
        span = _known_suffix(m.group("place"), m.start("place"), known)
        if span:
            spans.append(("ADDRESS", *span))
    for m in _EN_CUE_PLACE.finditer(text):
        known = known or gazetteers.world_places()
        span = _known_prefix(text, m.start("place"), m.group("place"), known)
        if span:
            spans.append(("ADDRESS", *span))
    spans += [("ADDRESS", *m.span()) for m in _EN_COUNTY.finditer(text)]
    return spans


def _known_suffix(phrase: str, start: int, known: frozenset[str]) -> tuple[int, int] | None:
    """The longest run of the phrase's last words that GeoNames knows as a place ("Dayton"
    in "Lives in Dayton, OH"; "Bar Harbor")."""
    words = phrase.split(" ")
    end = start + len(phrase)
    for count in range(len(words), 0, -1):
        candidate = " ".join(words[-count:])
        if candidate in known and words[-count] not in NOT_PLACES:
            return end - len(candidate), end
    return None


def _known_prefix(
    text: str, start: int, phrase: str, known: frozenset[str]
) -> tuple[int, int] | None:
    """The longest run of the phrase's first words that GeoNames knows as a place."""
    words = phrase.split(" ")
    if words[0] in NOT_PLACES:
        return None
    for count in range(len(words), 0, -1):
        candidate = " ".join(words[:count])
        if candidate in known or candidate.rstrip(".") in known:
            end = start + len(candidate.rstrip("."))
            nxt = text[end + 1 : end + 12]
            if nxt.startswith(("Spectralis", "Engineering", "HRA")):
                return None
            return start, end
    return None


# --- names written with no label or title ------------------------------------------------------

_EN_NAME_WORD = re.compile(r"(?<![A-Za-z'’-])[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)?(?![A-Za-z])")
_EN_SURNAME = re.compile(
    r" (?:(?:Mc|Mac|O'|O’|De|Van|Von|van|von|de|da|di|le|la) ?)?[A-Z][a-z]+"
    r"(?:['’-][A-Z]?[a-z]+)?(?![A-Za-z])"
)
_PERSON_VERBS = p.words(
    "returns returned reports reported presents presented states stated denies denied notes "
    "noted says said feels felt complains complained came comes attended attends was is has "
    "had will would lives lived works worked drives drove asked agreed consented declined "
    "understands understood wishes wanted wants prefers remains continues needs brought "
    "called phoned rang missed arrived uses used takes took stopped started admits describes "
    "described mentions mentioned tells told thinks reads saw sees recalls remembers lost "
    "walked walks can cannot could may might should does did who and or himself herself "
    "accompanied attends returned"
)
_PERSON_BEFORE = p.words(
    "with by to for and told asked called saw see thank thanks dear son daughter wife husband "
    "mother father brother sister friend carer caregiver partner grandson granddaughter niece "
    "nephew neighbour neighbor patient pt cousin aunt uncle widow widower colleague spoke "
    "informed advised reassured examined"
)
NOT_NAMES = p.words(
    "Iris Lens Disc Cornea Macula Fovea Pupil Sclera Vision Fundus Retina Vitreous Optic The "
    "Will May Mark Grace Hope Faith Joy Dawn Early Moderate Severe Mild Stable Plan Review "
    "Clinic Patient Right Left Both Eye Eyes Best Coats Stargardt Goldmann Humphrey Snellen "
    "Amsler Bruch Behcet Behçet Vogt Harada Koyanagi Leber Topcon Zeiss Optos Heidelberg "
    "Spectralis Amber Ruby Pearl Jade Olive Gray Grey Summer Autumn Winter Spring Sunny Sonny "
    "Bill Pat Sue Guy Eve Ada Dale Glen Rich Bud Will Chase Hunter Page Miles Rod Ray Sol Art "
    "Van Don Dan Ben Max Jan June April August Monday Tuesday Wednesday Thursday Friday "
    "Saturday Sunday Christian Royal Major General Lane Park Hill Street Road Avenue Drive "
    "Court Way Close House Hospital Health Care Centre Center Today Tomorrow Please Thank "
    "Dear Also Then Next Last Note Notes Impression Findings History Diagnosis Assessment "
    "Signed Reviewed Report Reports Visit Follow Return Repeat Refer Referral Continue Start "
    "Stop Consider Discussed Advised Given Seen Lucentis Eylea Avastin Ozurdex Vabysmo"
)


def _en_unlabelled_names(text: str) -> list[_Span]:
    """A given name (gender-guesser's list) with a capitalised surname after it, or alone where
    a person's verb follows it ("Harold reports") or a person's word comes before it."""
    names = gazetteers.given_names()
    spans = []
    for m in _EN_NAME_WORD.finditer(text):
        word = m.group()
        if word not in names or word in NOT_NAMES or word.upper() == word:
            continue
        start, end = m.span()
        surname = _EN_SURNAME.match(text, end)
        family = surname.group().strip() if surname else ""
        if family and family not in NOT_NAMES and family not in NOT_PLACES:
            end = surname.end()
            spans.append(("NAME", start, end))
            continue
        after = text[end : end + 16].lstrip(" ").split(" ", 1)[0].rstrip(".,;:")
        before = text[max(0, start - 16) : start].rstrip(" ,").rsplit(" ", 1)[-1].lower()
        person = after.lower() in _PERSON_VERBS or after.startswith(("'s", "’s"))
        if person or before in _PERSON_BEFORE:
            spans.append(("NAME", start, end))
    return spans


_ZH_PERSON_CUES = p.words(
    "患者 病人 家属 陪同 其子 其女 儿子 女儿 丈夫 妻子 老伴 患儿 联系人 监护人 同事 朋友 邻居 "
    "之子 之女 与 和 由 及 同 请 嘱 告知 通知 转告 叮嘱 其夫 其妻 母亲 父亲 孙子 孙女 外孙 "
    "爱人 家人 护工 保姆 先生 女士"
)
_ZH_BOUNDARY = frozenset("\n。！？!?；;，,：:、 \t（(“\"'）)》【】[]")
_ZH_FOLLOW_CHARS = frozenset(
    "诉因于在的和与及、，。；：:,.（( 是有已曾自经来去说称今昨前近本该之也都\n男女将要想需对向从"
    "被把"
)
_ZH_GIVEN_STOPS = p.ZH_NAME_STOPS | frozenset(
    "未见无不可均较为有在于是了着过也都又还并但而或即其此该各每另所被把将对向从以由请需应须宜"
    "建议继续定期随访观察术后前中内外上下侧部区度级期型性样状"
)
_ZH_SURNAME_SCAN = re.compile(f"[{''.join(sorted(p.ZH_SURNAMES))}]")


def _zh_unlabelled_names(text: str) -> list[_Span]:
    """A surname at a clause's start or after a person's word, its given name one or two
    characters that do not form a common word (jieba's dictionary), then a word that can follow
    a name."""
    words = None
    spans = []
    for m in _ZH_SURNAME_SCAN.finditer(text):
        i = m.start()
        if spans and i < spans[-1][2]:
            continue
        if (
            i
            and text[i - 1] not in _ZH_BOUNDARY
            and not any(text[max(0, i - k) : i] in _ZH_PERSON_CUES for k in (1, 2, 3))
        ):
            continue
        words = words if words is not None else gazetteers.zh_words()
        after_person = i and text[i - 1] not in _ZH_BOUNDARY
        end = _zh_name_end(text, i, words, bool(after_person))
        if end:
            spans.append(("NAME", i, end))
    return spans


def _zh_name_end(text: str, i: int, words: dict[str, int], after_person: bool) -> int | None:
    """End of the name at ``i``; at a clause's start a word must follow it (a verb, a time:
    "陈志强今日复查"), after a person's word punctuation may ("陪同家属王丽。")."""
    surname = 2 if text[i : i + 2] in p.ZH_COMPOUND_SURNAMES else 1
    if words.get(text[i : i + 2], 0) >= 30 and surname == 1:
        return None  # 黄斑, 高度, 双眼: a common word starts here
    for given in (2, 1):
        j = i + surname + given
        name = text[i:j]
        chars = name[surname:]
        if len(chars) < given or not all(p.CJK_CHAR.match(c) for c in chars):
            continue
        if any(c in _ZH_GIVEN_STOPS for c in chars) or words.get(name, 0) >= 30:
            continue
        if j == len(text):
            return j if after_person else None
        follows = text[j] in _ZH_FOLLOW_CHARS and (after_person or text[j] not in _ZH_BOUNDARY)
        if follows or _starts_word(text, j, words):
            return j
    return None


def _starts_word(text: str, j: int, words: dict[str, int]) -> bool:
    return any(text[j : j + k] in words for k in (2, 3, 4))


DETECTORS: tuple[Callable[[str], list[_Span]], ...] = (
    _labelled_codes,
    _ip_addresses,
    _shaped_codes,
    _old_ages,
)
"""Detectors that run on every report."""

ZH_DETECTORS: tuple[Callable[[str], list[_Span]], ...] = (_zh_places, _zh_unlabelled_names)
EN_DETECTORS: tuple[Callable[[str], list[_Span]], ...] = (_en_places, _en_unlabelled_names)
"""Detectors for text that holds Chinese characters, and for text that holds Latin letters."""
