"""Telephone and fax numbers in any written form, judged by libphonenumber's metadata.

The common national shapes (Chinese mobiles and landlines, North American numbers) are found by
the fast patterns of :mod:`retclip.text.phi_patterns`. This pass finds every other run of digit
groups that no detector has claimed ("+44 (0)20 7946 0958", "07700 900123", "(0755)8832 1177",
"010.6512.3456 ext. 205") and decides with the ``phonenumbers`` package (Google's
libphonenumber metadata): a number written after a phone label ("tel", "Ph.", "fax", "电话",
"传真") is a phone whatever its shape; an international number must be a possible number for
its country code; a national number must be valid in one of :data:`REGIONS`. Parsing costs
about 50 us, so only candidates with digits left over by the other detectors are parsed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers

REGIONS = ("CN", "US", "GB")
"""Where a number written without a country code is tried: the clinics of the languages that
reports come in (Chinese and English)."""

MIN_DIGITS, MAX_DIGITS = 7, 15  # a subscriber number; E.164's longest number

_EXTENSION = (
    r"(?:[ ,]{0,2}(?:[Ee]xt(?:ension|n)?|EXT|[Xx])\.?[ ]?|[ ]?(?:转|分机)[ ]?[:：]?[ ]?|-)"
    r"\d{1,5}(?!\d)"
)


def _candidate(digit: str) -> re.Pattern[str]:
    return re.compile(
        # "+", "(", or a digit that starts a token or follows a label written without a space;
        # one character class first (not an alternation), so the scan skips what cannot start
        # a number, and a digit after an ASCII digit fails at once (most digits are inside one)
        rf"[+({digit}](?<![0-9]\d)(?:(?<=\+)[ ]?\d|(?<=\()\+?\d"
        r"|(?<=\d)(?:(?<![A-Za-z0-9_+,/-]\d)(?<!\d\.\d)|(?<=[Tt]el\d|TEL\d|[Ff]ax\d|FAX\d)))"
        # five characters of a number ahead, tested in one step before the slow repeat; the end
        # is not a decimal, not a time
        r"(?=[\d ()./-]{5})(?:[\d ().-]|/(?=\d)){5,24}(?<=\d)(?!\d|\.\d|[:%])"
        rf"(?P<extension>{_EXTENSION})?"
    )


CANDIDATE = _candidate(r"\d")
ASCII_CANDIDATE = _candidate("0-9")
"""For ASCII text, where ``\\d`` is ``[0-9]``: a class of plain characters is tested with a bitmap,
a Unicode category by a lookup per character (a third of the scan)."""
# Words that announce a phone number, right before it ("tel", "Ph. no.:", "mob", "T:", "电话：").
# Only numbers are looked up, so any word that may come before a phone number will do.
LABEL_BEFORE = re.compile(
    r"(?:(?<![A-Za-z])(?i:tel(?:ephone)?|ph(?:one)?|mob(?:ile)?|cell(?:phone)?|fax|call|ring"
    r"|contact(?:ed)?|hotline|pager|bleep|line|landline|work|home|office|switchboard|reception"
    r"|reached|on|at|via|appointments?|bookings?|enquiries)"
    r"\.?(?:[ ]?(?i:no|number|#|is|on|at)\.?)?"
    r"|(?<![A-Za-z])[TFMHW][ ]?[:：]"
    r"|电话|电 话|手机|手 机|座机|传 真|固话|宅电|传真|联系方式|联系|号码|拨打|请拨|致电|来电"
    r"|热线|预约|咨询)"
    r"(?:号码?)?[ \t\x00]*(?:[:：#]|-(?= ))?[ \t\x00]*(?:\+|\()?$"
)
_LABEL_REACH = 24  # characters before a number searched for its label


def phone_spans(text: str, found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """PHONE spans for the numbers in ``text`` that ``found`` (other detectors' spans) leaves
    with digits uncovered."""
    spans = []
    covered: bytearray | None = None  # 1 where another detector's span lies; made when needed
    for m in (ASCII_CANDIDATE if text.isascii() else CANDIDATE).finditer(text):
        start, end = m.span()
        if _inside_one(found, start, end):
            continue  # inside one detector's span: most candidates, known without the map
        if covered is None:
            covered = bytearray(len(text))
            for _, s, e in found:
                covered[s:e] = b"\x01" * (e - s)
        if 0 not in covered[start:end] or not any(
            not covered[i] and (text[i].isdigit() or text[i] == "+") for i in range(start, end)
        ):
            continue  # claimed already: a date, a record number, a phone of the fast patterns
        number = text[start : m.start("extension") if m.group("extension") else end]
        if _is_phone(number, _labelled(text, start)):
            spans.append(("PHONE", start, end))
    return spans


def _inside_one(spans: list[tuple[str, int, int]], start: int, end: int) -> bool:
    for _, span_start, span_end in spans:  # noqa: SIM110 (a loop: no generator to make)
        if span_start <= start and end <= span_end:
            return True
    return False


def _is_phone(number: str, labelled: bool) -> bool:
    if len(re.findall(r"\d", number)) > MAX_DIGITS:
        number = re.sub(r"-\d{1,5}$", "", number)  # "010-65123456-205": an extension
    groups = re.findall(r"\d+", number)
    digits = "".join(groups)
    international = number.lstrip("(").startswith(("+", "00"))
    if international and digits.startswith("00"):
        digits = digits[2:]
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS or number.count("(") != number.count(")"):
        return False
    if labelled:
        return True
    if "/" in number:
        return False  # "030/8608 3410" only after a label: dates and ratios are written so
    if international:
        # possible rather than valid: the numbers set aside for fiction ("+44 7700 900123")
        # are not assigned, yet a real one is written the same way
        plus = "+" + number.lstrip("(+0 ") if number.startswith("00") else number
        return _parsed(plus, None, phonenumbers.is_possible_number)
    if any(len(g) == 1 for g in groups[1:]):
        return False  # "0.8 0.6 0.5 0.4": single digits between separators are not phones
    return any(_parsed(number, region, phonenumbers.is_valid_number) for region in REGIONS)


def _parsed(
    number: str, region: str | None, test: Callable[[phonenumbers.PhoneNumber], bool]
) -> bool:
    try:
        return test(phonenumbers.parse(number, region))
    except phonenumbers.NumberParseException:
        return False


def _labelled(text: str, start: int) -> bool:
    return LABEL_BEFORE.search(text, max(0, start - _LABEL_REACH), start) is not None
