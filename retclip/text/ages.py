"""Ages over 89 and the birth years that give them away, written anywhere in a report.

Safe Harbor removes every age over 89 and every date element, the year included, that would
reveal one; a birth year does so on its own ("born 1929", "1930年出生"), so every written-out
birth year is scrubbed as a ``DATE``. Ages after a label ("Age: 93") are ``phi.py``'s; these are
the ones in running text ("now 95", "现94岁", "aged ninety-one").
"""

from __future__ import annotations

import re

from retclip.text import phi_patterns as p

_Span = tuple[str, int, int]

_YEAR = r"(?:18|19|20)\d{2}"
_EN_YEAR_WORDS = (
    rf"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:{p.EN_UNITS}))?"
    rf"|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    rf"|(?:hundred|oh)(?: and)?[- ](?:{p.EN_UNITS})"
)
_BIRTH_YEAR = re.compile(
    rf"(?:born(?: in| on)?|(?<![a-z])b\.|birth ?(?:year|yr)|year of birth|yob)[ :]*"
    rf"(?P<y1>{_YEAR})\b"
    rf"|(?<!\d)(?P<y2>{_YEAR})[ ]?年?[ ]?(?:出生|生人|生(?=[，,。；;）)\s]|$))"
    rf"|生于[ ]?(?P<y3>{_YEAR})"
    r"|(?P<y4>[一二三四五六七八九〇零]{4})年(?:出生|生)"
    rf"|born(?: in)? (?P<y7>nineteen[- ](?:{_EN_YEAR_WORDS}))"
    r"|生于[ ]?(?P<y5>[一二三四五六七八九〇零]{4})"
    r"|出生年份?[:：]?[ ]?(?P<y6>[一二三四五六七八九〇零]{4})"
)
_BIRTH_GATE = re.compile(r"born|b\.|birth|yob|生").search
# A two- or three-digit number over 89: the class first, the lookbehind after, so that the scan
# skips to the digits 9 and 1.
_OLD_NUMBER = re.compile(r"(?:9\d(?<![\d.]9\d)|1[0-4]\d(?<![\d.]1\d\d))(?!\d|\.\d)")
_OLD_WORDS = re.compile(rf"{p.ZH_AGE_WORDS}|{p.EN_AGE_WORDS}\b")
_UNIT_AFTER = re.compile(
    r"[ -]?(?:岁|周岁|歲|years?\b|yrs?\b|yo\b|y/o|y\.o\.|-year)", re.IGNORECASE
)
_WORD_BEFORE = re.compile(
    r"(?:aged?|now|at|turned|turning|nonagenarian|centenarian)[ :]*$"
    r"|(?:现年?|今年|已经?|享年|高龄)[ ]?$",
    re.IGNORECASE,
)
_NOT_AN_AGE_AFTER = re.compile(r" ?(?:%|(?:letters|mmhg|mm|um|μm|mg|ml|degrees)\b)", re.IGNORECASE)


def old_ages(text: str) -> list[_Span]:
    """Birth years, and numbers over 89 that a unit of age follows or a word of age precedes."""
    spans = []
    lower = text.lower()
    lower = lower if len(lower) == len(text) else text  # offsets must stay the report's
    births = []
    if _BIRTH_GATE(lower):
        births = [m.span(m.lastgroup or "y1") for m in _BIRTH_YEAR.finditer(lower)]
        spans += [("DATE", *span) for span in births]
    candidates = list(_OLD_NUMBER.finditer(text))
    if any(word in text for word in ("九十", "一百", "inety", "undred", "INETY", "UNDRED")):
        candidates += _OLD_WORDS.finditer(text)
    for m in candidates:
        start, end = m.span()
        near_birth = any(abs(year_start - end) <= 24 for year_start, _ in births)
        if _UNIT_AFTER.match(text, end) or (
            (near_birth or _WORD_BEFORE.search(text[max(0, start - 12) : start]))
            and not _NOT_AN_AGE_AFTER.match(text, end)
        ):
            spans.append(("AGE", start, end))
    return spans
