# ruff: noqa: RUF001
"""Identifiers that are codes: vehicle plates and VINs, device serials and workstation names,
bank and billing accounts, health-plan numbers, licences and certificates, biometric template ids,
social handles and IP addresses (HIPAA Safe Harbor's identifiers beyond names, places and dates,
and their Chinese forms: 车牌, 医保卡号, 银行卡号, 执业证书编码, 微信号/QQ).

A code is read after its label, or known by a shape that a library can check: ``ipaddress``
for IP addresses, ``stdnum``'s IBAN and Luhn checks for accounts and cards. Labels are found
with one Aho-Corasick pass (``pyahocorasick``) over the lower-cased text, so the cost does not
grow with the number of labels.
"""

from __future__ import annotations

import ipaddress
import re
import string

import ahocorasick
from stdnum import iban, luhn

from retclip.text import phi_patterns as p

_Span = tuple[str, int, int]

_CODE_LABELS = {
    "VEHICLE": (
        "车牌号码 车牌号 车牌 号牌号码 号牌 车辆识别代号 车辆识别码 车架号 车辆号牌 车号 车辆 "
        "两地牌 牌照 领馆车辆 网约车 出租车",
        "licence plate|license plate|number plate|registration plate|plate number|plate|plates|"
        "vehicle registration|vehicle reg|car reg|reg|reg.|registration|tag number|car tag|tag|"
        "vin|vehicle identification number|chassis number|taxi|car|cab|rego|parking validated for|"
        "towed|vehicle|minibus|motorcycle|motorbike",
    ),
    "DEVICE": (
        "设备序列号 仪器序列号 序列号 设备编号 仪器编号 机身号 出厂编号 主机编号 工作站 设备号 "
        "设备ID 终端号 终端编号 资产编号 资产标签 主机名 计算机名 终端地址 网络地址 设备地址 "
        "服务器地址 主机 终端 机器码 MAC地址 设备标识",
        "serial number|serial|s/n|sn|device id|device serial|device identifier|asset tag|asset|"
        "workstation|work station|host|hostname|host name|station name|ae title|imei|udi|"
        "unique device identifier|terminal id|terminal|machine id|mac address|mac|device|"
        "computer name|pc name",
    ),
    "ACCOUNT": (
        "银行卡号 银行卡 银行账号 银行账户 开户行账号 开户账号 收款账号 结算账号 对公账号 账号 "
        "账户 缴费账号 信用卡号 信用卡 储蓄卡号 借记卡号 绑定的银行卡 尾号",
        "account number|account|acct|a/c|bank account|billing account|billing number|billing id|"
        "patient account|guarantor account|iban|sort code|card number|credit card|debit card|"
        "routing number|bsb|card ending|card",
    ),
    "HEALTH_PLAN": (
        "医保卡号 医保卡 社保卡号 社保卡 医保号 医保个人编号 医保编号 医保账号 社会保障卡号 "
        "社会保障号 社保号 新农合证号 新农合卡号 新农合号 新型农村合作医疗证号 参保号 参保编号 "
        "参保人员编号 保单号 保险单号 商业保险号 医疗保险号 医保 社保",
        "medicare|medicaid|medi-cal|cin|mbi|hicn|beneficiary|member|member id|subscriber|"
        "subscriber id|policy|policy number|group|group number|health plan|health plan id|"
        "plan id|insurance id|insurance number|insurer id|health card|health card number|"
        "chip id|nhs|ohip|bupa|insurance",
    ),
    "LICENSE": (
        "驾驶证号 驾驶证 驾照号 驾照 医师资格证书编号 医师资格证号 医师资格证 资格证书编号 "
        "资格证号 执业证书编码 执业证书编号 执业证书号 执业证号 执业证 护士执业证书编号 "
        "证书编号 证书号 执业医师证号 执业编号",
        "driver's license|driver license|drivers license|driver's licence|driver licence|"
        "drivers licence|driving licence|driving license|licence number|license number|licence|"
        "license|dl|cdl|dea|npi|gmc|goc|nmc|nmc pin|state license|medical license|"
        "medical licence|certificate number|certificate|cert|registration number|ahpra|"
        "board certification|permit",
    ),
    "BIOMETRIC": (
        "指纹模板编号 指纹模板 指纹编号 指纹ID 指纹 虹膜模板编号 虹膜模板 虹膜编码 虹膜ID "
        "人脸识别编号 人脸识别ID 人脸识别 人脸ID 人脸模板 面部识别 掌静脉ID 掌静脉编号 掌静脉 "
        "声纹ID 声纹编号 声纹 生物特征编号 生物识别编号 生物特征 虹膜身份核验 虹膜 人脸特征编号 "
        "人脸特征 掌纹模板号 掌纹模板 掌纹 生物特征登记号 步态特征",
        "fingerprint template|fingerprint|iris template|iris code|iris scan|face template|"
        "face id|faceprint|facial recognition|face recognition|palm vein|palm-vein|voiceprint|"
        "voice print|biometric|biometric template|retina scan template|enrolment|enrollment|"
        "face-recognition|face-recognition id|iriscode|iriscode id|palm print|gait",
    ),
    "HANDLE": (
        "微信号 微信ID 微信 wx号 QQ号 微博号 微博 抖音号 抖音 钉钉号 钉钉 用户名 小红书账号 "
        "小红书 快手号 快手",
        "wechat id|wechat|weixin|wx|telegram|twitter|instagram|ig|snapchat|skype|line id|"
        "facebook|tiktok|handle|username|user name|qq|whatsapp",
    ),
}
GLUED_LABELS = frozenset(("tel", "fax", "mob", "no", "id", "mrn", "sn", "ph", "dob", "ext"))
"""Labels glued to the value they announce ("TEL010 ...", "SN3AC..."): a span that starts at
the value does not grow over them."""
_BRIDGE = re.compile(
    r"(?:[ \t\x00]*(?:(?:id|no\.|no|number|num|code|hash|template)(?![a-z])|#|号码|号|编号|模板"
    r"|编码|代号|码))*"
    r"(?:[ \t\x00]*(?:[:：=#,，]|-|—|(?:is|was|reads|of|on file|ending in|ending|in the number"
    r"|the number)(?![a-z])|为|是))*"
    r"[ \t\x00]*(?:\n[ \t\x00]*)?"
)
"""What may stand between a label and its value, read on the lower-cased text: a number word,
a parenthesis, a colon or a verb."""
_PHRASE_TO_COLON = re.compile(r"(?:[a-z']+[ \t]+){0,5}[a-z']+[ \t]*[:：][ \t\x00]*")
"""Words that say whose or what for, then a colon: the value follows the colon ("WeChat of the
daughter: ...")."""
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")  # "" is not in it: the text's edges
_GENERIC_HANDLE_LABELS = frozenset(("handle",))


def _label_automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for kind, (zh, en) in _CODE_LABELS.items():
        for label in zh.split():
            automaton.add_word(label.lower(), (kind, label.lower(), False))
        for label in en.split("|"):
            automaton.add_word(label, (kind, label, True))
    automaton.make_automaton()
    return automaton


_LABELS = _label_automaton()
_PLATE_PROVINCES = (
    "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领港澳滇黔蜀秦陇"
)
_CODE_FIRST = re.compile(
    rf"[{_PLATE_PROVINCES}]?[·• -]?[A-Za-z0-9@(](?:[A-Za-z0-9_@()+]|[.\-/:#·•](?=[A-Za-z0-9(]))*"
)
_CODE_NEXT = re.compile(r"[ ·•\-–][A-Za-z0-9][A-Za-z0-9_\-]*")
_DIGIT_GROUP_NEXT = re.compile(r"[ -][A-Za-z0-9]*\d")
_EYE_WORDS = frozenset(("OD", "OS", "OU", "RE", "LE", "BE"))
_CODE_TRAIL = ".-/:#·•_"


def labelled_codes(text: str) -> list[_Span]:
    """Identifiers after their label: "车牌号：浙D·12345", "S/N 3AC41B7729", "MBI: ..."."""
    lower = _lower(text)
    spans = []
    for last, (kind, label, latin) in _LABELS.iter_long(lower):
        start, end = last + 1 - len(label), last + 1
        if latin and (
            lower[start - 1 : start] in _ASCII_LETTERS or lower[end : end + 1] in _ASCII_LETTERS
        ):
            continue
        position = _BRIDGE.match(lower, end).end()
        phrase = _PHRASE_TO_COLON.match(lower, position)
        if phrase and not _names_a_label(phrase.group()):
            position = phrase.end()  # "Skype ID for the interpreter call: ..."
        value = _value_at(text, position, kind, label)
        if value is None and text[position : position + 1] in "(（":
            close = min(
                (i for i in (text.find(")", position), text.find("）", position)) if i > 0),
                default=-1,
            )
            value = _value_at(text, position + 1, kind, label)
            if value is None and 0 < close - position <= 30:
                value = _value_at(text, _BRIDGE.match(lower, close + 1).end(), kind, label)
        if value is not None:
            spans.append((kind, *value))
    return spans


CODE_LABEL_WORDS = frozenset(
    label.lower() for zh, en in _CODE_LABELS.values() for label in (*zh.split(), *en.split("|"))
)
"""Every code's label: a label is never a value ("Twitter handle @x", "家属微信")."""
_COLON_LABELS = (
    CODE_LABEL_WORDS
    | GLUED_LABELS
    | {label.lower() for label in p.LABEL_KINDS}
    | {"ip", "ipv4", "ipv6", "url", "ref", "no"}
)


def _names_a_label(phrase: str) -> bool:
    """Whether a phrase holds a label of its own ("assessor quoted VIN:"): the value after its
    colon is that label's."""
    words = phrase.rstrip(" \t\x00:：").split()
    return any(
        " ".join(words[i : i + n]) in _COLON_LABELS
        for n in (1, 2, 3)
        for i in range(len(words) - n + 1)
    )


def _lower(text: str) -> str:
    """``text`` lower-cased with every offset kept (a few characters lengthen when lowered)."""
    lower = text.lower()
    if len(lower) != len(text):
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lower


def _value_at(text: str, position: int, kind: str, label: str) -> tuple[int, int] | None:
    """The identifier at ``position`` if it is one: three characters or more, with a digit, or
    capitals only ("DESKTOP-CWGSQTB"); a handle as written, after a generic label with a digit,
    "_", "@" or "." in it."""
    end = _code_end(text, position)
    if end is None or end - position < 3:
        return None
    value = text[position:end]
    first = value.split(" ")[0]
    if first.lower() in CODE_LABEL_WORDS:  # "GOC registration 01-72507": a second label
        following = _BRIDGE.match(_lower(text), position + len(first)).end()
        return _value_at(text, following, kind, label) if following > position else None
    if value.startswith("(") and value.endswith(")") and value.count("(") == 1:
        position, end, value = position + 1, end - 1, value[1:-1]  # "微信（lili_88）"
        if end - position < 3:
            return None
    if kind == "HANDLE":
        if label in _GENERIC_HANDLE_LABELS and not any(c in value for c in "0123456789_@."):
            return None
    elif not any(c.isdigit() for c in value) and not (value.isupper() and len(value) >= 6):
        return None
    return position, end


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
            any(c.isdigit() for c in group)
            or _capitals_in_code(text, group, nxt.end(), text[position:end])
        ):
            break
        end = nxt.end()
    while end > position and text[end - 1] in _CODE_TRAIL:
        end -= 1
    if text[position:end].count("(") < text[position:end].count(")"):
        end -= 1
    return end


def _capitals_in_code(text: str, group: str, end: int, so_far: str) -> bool:
    """A group of letters inside an identifier ("GB29 NWBK 6016") or closing a plate ("AB12 CDE",
    "EZ 32 AU", "z15 dpe" as typed), not a word after it ("7ABC123 IP ...", "52242 was")."""
    if not (group.isalpha() and len(group) <= 5):
        return False
    if group.islower():  # a plate typed in lower case: its first group is too
        return len(group) == 3 and so_far.islower()
    if not group.isupper():
        return False
    return len(group) <= 3 or bool(_DIGIT_GROUP_NEXT.match(text, end))


# --- identifiers known by their shape ----------------------------------------------------------
# Each scan starts with a character class, the lookbehind after it, so that ``re`` can skip to
# the characters that start a value instead of trying every position.

_TOKEN = re.compile(
    r"[A-Za-z0-9](?<![A-Za-z0-9._@-].)(?=[A-Za-z0-9_.:-]*\d)"
    r"(?:[A-Za-z0-9]|::?(?=[A-Za-z0-9])|[-._](?=[A-Za-z0-9])){5,}"
)
"""A run of seven letters, digits and inner separators with a digit among them: every IP
address, MAC, UUID, MBI, VIN, host name and hexadecimal template id is one, so one scan finds
them all, then each run is told by its shape."""
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?")
_MBI = re.compile(
    r"[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?"
    r"[AC-HJKMNP-RT-Y]{2}\d{2}"
)
_UUID = re.compile(r"[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}")
_MAC = re.compile(r"[0-9A-Fa-f]{2}(?:([:-])[0-9A-Fa-f]{2})(?:\1[0-9A-Fa-f]{2}){4}")
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
_WINDOWS_PREFIXES = ("DESKTOP-", "LAPTOP-", "WIN-", "PC-", "WS-")
_WINDOWS_HOST = re.compile(r"(?:DESKTOP|LAPTOP|WIN|PC|WS)-[A-Z0-9]{5,}(?![A-Za-z0-9])")
_HANDLE = re.compile(
    r"@(?<![A-Za-z0-9_.@]@)(?:[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?"
    r"|[\w-]{1,14})|wxid_[\w-]+|live:\.?cid\.[0-9a-f]+"
)
_DOTTED_HANDLE = re.compile(r"[a-z](?<![\w.@/-].)[a-z0-9]+(?:[._][a-z0-9]+){1,3}(?![\w@/-]|\.\w)")
_INNER_SEPARATOR = re.compile(r"[._](?<=[a-z0-9]{2}[._])(?=[a-z0-9])")
"""A dot or underscore inside a word, two letters or digits before it: a dotted handle's first
separator ("ab.c"). ``re`` skips to the dots, where the handle's scan tries every letter."""
_LOWER_ALNUM = frozenset(string.ascii_lowercase + string.digits)
_NOT_BEFORE_HANDLE = re.compile(r"[\w.@/-]")
_NOT_HANDLE_ENDS = p.words("jpg jpeg png pdf dcm tif tiff txt csv xml htm html com org net gov edu")
_IBAN = re.compile(
    r"[A-Z](?<![A-Za-z0-9][A-Z])[A-Z]\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"
)
_CARD = re.compile(
    r"\d(?<![\d-]\d)\d{3}(?:(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?|[ -]?\d{6}[ -]?\d{5})(?![\d-])"
)
"""Card numbers of 15 (4-6-5) to 19 digits; only those that pass the Luhn check count."""
_CN_PLATE = re.compile(
    rf"[{_PLATE_PROVINCES}][ ]?[A-HJ-NP-Z][·• -]?(?=[A-HJ-NP-Z0-9]*\d)[A-HJ-NP-Z0-9]{{4,6}}"
    r"[领学港澳警挂使试超]?(?![A-Za-z0-9])"
)
_SEPARATORS_OUT = str.maketrans("", "", "-:._")
_WORD_GROUPS = p.words(
    "year years old month months week weeks day days hour hours min minute minutes line lines "
    "fold step time times dose point item letter letters disc field clock o up to in"
)


def shaped_codes(text: str) -> list[_Span]:
    """Codes that need no label: IP addresses, MACs, UUIDs, Medicare MBIs, VINs, host names and
    any other code (one scan), handles, valid IBANs and card numbers, Chinese plates."""
    spans = []
    for m in _TOKEN.finditer(text):
        start, token = m.start(), m.group()
        label, colon, rest = token.partition(":")
        if colon and label.isalpha() and not rest.startswith(":") and not _MAC.fullmatch(token):
            token = rest  # "IP:10.61.73.214": a label's colon; "IC:4417-2093-K": the code's own
            start += len(label) + 1 if _label_before_colon(label) else 0
        kind = _token_kind(token)
        if kind is not None:
            spans.append((kind, start, m.end()))
    if "-" in text and any(name in text for name in _WINDOWS_PREFIXES):
        spans += [("DEVICE", *m.span()) for m in _WINDOWS_HOST.finditer(text)]
    if "@" in text or "wxid_" in text or "live:" in text:
        spans += [("HANDLE", *m.span()) for m in _HANDLE.finditer(text)]
    if _may_hold_dotted_handle(text):
        spans += [
            ("HANDLE", *m.span()) for m in _DOTTED_HANDLE.finditer(text) if _handle(m.group())
        ]
    spans += [("ACCOUNT", *m.span()) for m in _IBAN.finditer(text) if iban.is_valid(m.group())]
    spans += [
        ("ACCOUNT", *m.span())
        for m in _CARD.finditer(text)
        if luhn.is_valid(re.sub(r"\D", "", m.group()))
    ]
    if not text.isascii():
        spans += [("VEHICLE", *m.span()) for m in _CN_PLATE.finditer(text)]
    return spans


_VEHICLE_WORDS = (
    " car ",
    "car park",
    "vehicle",
    "towed",
    "parked",
    "parking",
    "drove",
    "driving",
    "driver",
    "footage",
    "motorbike",
    "motorcycle",
    "taxi",
)
_PROSE_PLATE = re.compile(
    r"\d(?<![A-Za-z0-9]\d)\d\d [a-z]{3}(?![A-Za-z0-9])"
    r"|[A-Z0-9](?<![A-Za-z0-9][A-Z0-9])[A-Z0-9]{0,3}(?: [A-Z0-9]{1,4}){0,2}(?![A-Za-z0-9]|\.\d)"
)
"""A plate's shape: up to three groups of capitals and digits ("KLM 4410", "BX 71 PQ", "ZK7",
"552 TRV"), or three digits and three letters typed in lower case ("318 kdz")."""
_GRADE_PARTS = re.compile(r"(?:OD|OS|OU|RE|LE|BE)?(?:R[0-3][AS]?|M[01]|P[0-2]?|U)+")
"""Grades of diabetic eye screening written alone or joined ("R3S", "ODM1", "R2M0P1")."""
_NOT_PLATE_WORDS = _EYE_WORDS | frozenset(("MD", "AM", "PM", "DR", "PDR", "NPDR", "DMO", "DME"))


def prose_plates(text: str) -> list[_Span]:
    """Plates written in a sentence about a vehicle, before or without a label ("the camera
    caught KLM 4410 leaving the car park", "BX71 PQR was parked in the bay"): on the lines that
    name a vehicle, a plate's shape is read as one unless its letters are a measure's."""
    lower = _lower(text)
    if not any(word in lower for word in _VEHICLE_WORDS):
        return []
    spans = []
    for line_start, line in _lines_with(lower, _VEHICLE_WORDS):
        for m in _PROSE_PLATE.finditer(text, line_start, line_start + len(line)):
            if _plate_like(m.group()):
                spans.append(("VEHICLE", *m.span()))
    return spans


def _plate_like(value: str) -> bool:
    """Letters and digits both, three to eight of them, no group that is a measure's or an
    eye's abbreviation ("IOP 21", "VA 6", "OD"), and no retinopathy grade ("R3A M1")."""
    groups = value.split(" ")
    chars = "".join(groups)
    return (
        3 <= len(chars) <= 8
        and any(c.isdigit() for c in chars)
        and any(c.isalpha() for c in chars)
        and not any(g.upper() in _NOT_PLATE_WORDS or g.upper() in _MEASURE_LABELS for g in groups)
        and not _GRADE.fullmatch(chars)
        and not _GRADE_PARTS.fullmatch(chars)
    )


def _lines_with(text: str, words: tuple[str, ...]) -> list[tuple[int, str]]:
    """The lines of ``text`` that hold one of ``words``, with where each starts."""
    lines, start = [], 0
    for line in text.split("\n"):
        if any(word in line for word in words):
            lines.append((start, line))
        start += len(line) + 1
    return lines


def _label_before_colon(word: str) -> bool:
    """Whether a word glued to a code by a colon is a label ("IP:", "SN:", "MRN:") rather than
    the code's own prefix: two or three capitals that name no label ("IC:4417-2093-K")."""
    return not (word.isupper() and len(word) <= 3) or word.lower() in _COLON_LABELS


def _token_kind(token: str) -> str | None:
    """What a run of letters, digits and separators is, if it is a code."""
    if token.translate(_SEPARATORS_OUT).isdigit() and "::" not in token and token.count(".") != 3:
        return None  # a date, a time, a number: what they are is the other detectors' call
    if ":" in token:
        if _MAC.fullmatch(token):
            return "DEVICE"
        if _IPV4.fullmatch(token):
            return "IP" if _is_ip(token.split(":")[0]) else None
        return "IP" if token.count(":") >= 2 and _is_ip(token) else None
    if "." in token and _IPV4.fullmatch(token):
        return "IP" if _is_ip(token) else None
    if token in CLINICAL_CODES or token.startswith("HLA-"):
        return None  # HLA-B27, HLA-A29: the alleles of uveitis, not a code of a person
    if "-" in token:
        if _UUID.fullmatch(token):
            return "ID"
        if _MBI.fullmatch(token):
            return "HEALTH_PLAN"
        if _MAC.fullmatch(token) or _WINDOWS_HOST.fullmatch(token) or _host_name(token):
            return "DEVICE"
        return "ID" if _unique_code(token) and not _host_phrase(token) else None  # "GS-19380"
    if _MBI.fullmatch(token):
        return "HEALTH_PLAN"
    if len(token) == 17 and _VIN.fullmatch(token) and _mixed(token):
        return "VEHICLE"
    return "ID" if _unique_code(token) else None


_MEASUREMENT = re.compile(r"\d+(?:\.\d+)?[A-Za-z]{1,6}|(?P<label>[A-Za-z]{1,6})\d+(?:\.\d+)?")
"""A number with its unit or its measure's label glued on ("20mmHg", "CMT312"): clinical, not
a code. Letters before digits are a label only if they name a measure; else a plate or an id
("BJN5912")."""
_MEASURE_LABELS = frozenset(
    [
        "IOP",
        "CMT",
        "CST",
        "CRT",
        "VA",
        "BCVA",
        "UCVA",
        "MD",
        "PSD",
        "VFI",
        "AL",
        "ACD",
        "CCT",
        "RNFL",
        "GCL",
        "CDR",
        "HBA1C",
        "BP",
        "HR",
        "SPO",
        "PRP",
        "ETDRS",
        "LOGMAR",
        "HB",
        "FBG",
        "OCT",
    ]
)
_GRADE = re.compile(r"(?:OD|OS|OU|RE|LE|BE)?R\d[ABab]?M\d(?:P\d)?", re.IGNORECASE)
"""A retinopathy and maculopathy grade, with the eye it is for ("ODR3aM1")."""
CLINICAL_CODES = frozenset(("COVID19", "COVID-19", "SARS-CoV-2"))


def _is_measurement(token: str) -> bool:
    m = _MEASUREMENT.fullmatch(token)
    if not m or m.group("label") is None:
        return bool(m)
    label = m.group("label")
    return label.upper() in _MEASURE_LABELS or label.lower() in GLUED_LABELS  # "TEL010 ..."


def _unique_code(token: str) -> bool:
    """Safe Harbor's "any other unique identifying number, characteristic, or code": six
    characters or more with two digits and a letter among them ("RS0D92EFEC", "SDG853X",
    "fp_tmpl_0xfb6abc2b", "GS-19380"), unless a measurement or a clinical code."""
    core = token.replace("-", "").replace("_", "").replace(".", "")
    digits = sum(c.isdigit() for c in core)
    return (
        len(token) >= 6
        and digits >= 2
        and digits < len(core)
        and not _is_measurement(token)
        and token not in CLINICAL_CODES
        and not _GRADE.fullmatch(token)
        and not (digits == len(core) - 1 and core[-1].isalpha() and "." in token)
    )


def _may_hold_dotted_handle(text: str) -> bool:
    """Whether a dotted handle may start before a separator inside a word: the run of letters and
    digits before it starts with a letter, at the start of the text or after a character that
    is not a word's, a dot, "@", "/" or "-" (the handle scan's lookbehind)."""
    for m in _INNER_SEPARATOR.finditer(text):
        start = m.start() - 2
        while start and text[start - 1] in _LOWER_ALNUM:
            start -= 1
        if text[start].isalpha() and not (start and _NOT_BEFORE_HANDLE.match(text, start - 1)):
            return True
    return False


def _handle(value: str) -> bool:
    """A user name written with dots or underscores ("nora.okafor", "grandpa_kemal"), not a
    file name, a dose's abbreviation or a web address."""
    parts = re.split(r"[._]", value)
    return (
        len(value) >= 8
        and max(map(len, parts)) >= 4
        and parts[-1] not in _NOT_HANDLE_ENDS
        and sum(map(str.isalpha, parts)) >= 1
    )


def _is_ip(value: str) -> bool:
    """Whether ``ipaddress`` reads ``value`` as an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _mixed(value: str) -> bool:
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _host_phrase(value: str) -> bool:
    """A hyphenated phrase with a number in it ("104-year-old", "24-hour")."""
    return any(
        g.lower() in _WORD_GROUPS and not (len(g) == 1 and g.isupper())  # "KEY-55012-T"
        for g in re.split(r"[-.]", value)
    )


def _host_name(value: str) -> bool:
    """A machine's name ("OPH-WS-0231", "yk-ws-204", "fundus-cam-42.eye.local"): digits, and two
    groups of letters or more that are not words of a hyphenated phrase ("104-year-old")."""
    if not _mixed(value) or _host_phrase(value):
        return False  # a date, a decimal, a phrase ("104-year-old")
    groups = re.split(r"[-.]", value)
    lettered = [g for g in groups if any(c.isalpha() for c in g)]
    return len(lettered) >= 2 and any(g.isdigit() for g in groups)  # not "HLA-B27", "IgG4-..."
