"""Find protected health information (PHI) in report text and replace it with typed placeholders.

Detection is rule-based (no network model): values announced by a label ("姓名：", "MRN:",
"Dr."), values whose shape gives them away (ID numbers, phones, dates, e-mails, addresses),
and later mentions of a name already found. Spans are offsets into the text given, which is
the output of :func:`retclip.text.normalize.align` and so has the offsets of the raw report.
Values never leave this module except as placeholders and counts.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import NamedTuple

from retclip.text import gazetteers, safe_harbor
from retclip.text import phi_patterns as p
from retclip.text.phone import phone_spans
from retclip.text.placeholders import PHI_TYPES, PLACEHOLDERS

__all__ = [
    "PHI_TYPES",
    "PLACEHOLDERS",
    "PhiSpan",
    "count_by_type",
    "find_phi",
    "find_phi_batch",
    "scrub",
]


class PhiSpan(NamedTuple):
    """One PHI value: its type and code-point offsets ``[start, end)``."""

    type: str
    start: int
    end: int


_Span = tuple[str, int, int]
"""A span while detectors run: a plain tuple, cheaper to make than a :class:`PhiSpan`."""


_MATCH_START = re.Match.start
"""Matches of several scans that together do the work of one are taken in order of position."""

# What the scans need of each detector, looked up once (by the name of a number pattern's group).
_NUMBER_DETECTORS = {f"n{i}": (d.type, d.check, d.prefix) for i, d in enumerate(p.NUMBER_LED)}
_OTHER_SCANS = tuple((d.type, pattern, d.gate, d.check) for d, pattern in p.OTHER_SCANS)


def find_phi(text: str) -> list[PhiSpan]:
    """Every PHI span of ``text``, overlapping finds merged, in order of position."""
    return find_phi_batch([text])[0]


def find_phi_batch(texts: Sequence[str]) -> list[list[PhiSpan]]:
    """:func:`find_phi` of each text, one detector at a time over the whole batch.

    Each detector's patterns and code then stay in the CPU's caches while it runs: about a sixth
    faster than taking the texts one by one through every detector (``benchmarks/
    clean_reports_speed.py --stages`` times the stage). A text's spans come out the same either
    way: each text meets the detectors in the same order.
    """
    found: list[list[_Span]] = [[] for _ in texts]
    for detect in _DETECTORS:
        for spans, text in zip(found, texts, strict=True):
            spans += detect(text)
    for spans, text in zip(found, texts, strict=True):
        spans += phone_spans(text, spans)
    tidied = [_tidy(text, spans) for text, spans in zip(texts, found, strict=True)]
    for spans, text in zip(tidied, texts, strict=True):
        spans += _repeated_names(text, spans)
    return [_whole_values(text, _merge(spans)) for text, spans in zip(texts, tidied, strict=True)]


def scrub(text: str, spans: Iterable[PhiSpan]) -> str:
    """Replace each span (sorted and apart, as :func:`find_phi` returns) by its placeholder."""
    pieces, position = [], 0
    for span in spans:
        pieces += [text[position : span.start], PLACEHOLDERS[span.type]]
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces)


def count_by_type(spans: Iterable[PhiSpan]) -> dict[str, int]:
    """Number of spans of every PHI type (zero included), for the audit."""
    counts = dict.fromkeys(PHI_TYPES, 0)
    for span in spans:
        counts[span.type] += 1
    return counts


# --- detectors ---------------------------------------------------------------------------------


def _number_led(text: str) -> list[_Span]:
    """Values that begin with a digit: one scan tries every pattern of ``NUMBER_LED``."""
    spans = []
    for m in (p.ASCII_NUMBER_SCAN if text.isascii() else p.NUMBER_SCAN).finditer(text):
        kind, check, prefix = _NUMBER_DETECTORS[m.lastgroup]
        if check is None or check(m):
            start, end = m.span()
            if prefix is not None:
                before = prefix.search(text, max(0, start - 8), start)
                start = before.start() if before else start
            spans.append((kind, start, end))
    return spans


def _other_values(text: str) -> list[_Span]:
    """Values that begin otherwise: a scan each, where its gate lets it run."""
    spans = []
    for kind, pattern, gate, check in _OTHER_SCANS:
        if gate is not None and not gate(text):
            continue
        if check is None:
            spans += [(kind, *m.span()) for m in pattern.finditer(text)]
        else:
            spans += [(kind, *m.span()) for m in pattern.finditer(text) if check(m)]
    return spans


def _grown_anchors(text: str) -> list[_Span]:
    """Chinese addresses, web addresses and e-mail with its "@" written out: find the tail,
    grow it to the left."""
    anchors = [_DOMAIN_ANCHOR]
    if p.email_at_gate(text):
        anchors.append(_EMAIL_AT_ANCHOR)
    if "#" in text:
        anchors.append(_EMAIL_HASH_ANCHOR)
    if "://" in text:
        anchors.append(_SCHEME_ANCHOR)
    if not text.isascii():
        anchors += [
            (anchor, grow, "ADDRESS")
            for anchor, grow, gate in p.ZH_ADDRESS_ANCHORS
            if any(map(text.__contains__, gate))
        ]
    spans = []
    reverse, length = "", len(text)
    for anchor, grow, kind in anchors:
        for m in anchor.finditer(text):
            reverse = reverse or text[::-1]
            before = grow.match(reverse, length - m.start())
            if before:
                spans.append((kind, length - before.end(), m.end()))
    return spans


_DOMAIN_ANCHOR = (*p.DOMAIN_ANCHOR, "URL")
_EMAIL_AT_ANCHOR = (*p.EMAIL_AT_ANCHOR, "EMAIL")
_EMAIL_HASH_ANCHOR = (*p.EMAIL_HASH_ANCHOR, "EMAIL")
_SCHEME_ANCHOR = (*p.SCHEME_ANCHOR, "URL")


def _with_units(text: str, span: _Span) -> _Span:
    """An address grown over the flat, floor or building written before it."""
    kind, start, end = span
    if text[start - 2 : start] not in (", ", ",\n") and text[start - 1 : start] != "\n":
        return span  # units are written before an address, apart by a comma or a line break
    units = p.UNITS_BEFORE.search(text, max(0, start - 80), start)
    return (kind, units.start(), end) if units else span


def _postcode_addresses(text: str) -> list[_Span]:
    """An address that ends in a postcode: its line up to the label before it, and the address
    lines above (up to four), which may be written without commas."""
    spans = []
    tails = [m for tail in p.POSTCODE_TAILS for m in tail.finditer(text)]
    for m in sorted(tails, key=_MATCH_START):
        form = m.lastgroup
        if form is None:  # ", 1016 EB Amsterdam", ", 13561 Berlin": whole
            start = m.start() + 1
        else:
            head = p.POSTCODE_HEADS[form].search(text, max(0, m.start() - 24), m.start())
            if not head:
                continue
            start = head.start()
        position = start
        for line_number in range(5):
            line_start = text.rfind("\n", 0, position) + 1
            label = p.ADDRESS_STOP.match(text, line_start, position)
            if label:
                # the postcode's line from its label on; a line above from a markup break or an
                # address label on (another label there is another field)
                if line_number == 0 or text[label.end() - 1] == "\x00":
                    start = label.end()
                elif address_label := p.ADDRESS_LABEL.search(text, line_start, position):
                    start = address_label.end()
                break
            line = text[line_start:position].strip()
            if line and not p.ADDRESS_LINE.match(line):
                break
            start = line_start
            previous = text[text.rfind("\n", 0, line_start - 1) + 1 : max(0, line_start - 1)]
            if line_start == 0 or not previous.strip(" \t\x00"):
                break  # a blank line ends the address
            position = line_start - 1
        spans.append(("ADDRESS", start, m.end()))
    return spans


def _labelled_values(text: str) -> list[_Span]:
    """Values after a label ("姓名：", "MRN:", "signed by"), read by the label's type."""
    spans = []
    matches = (p.ASCII_LABEL if text.isascii() else p.LABEL).finditer(text)
    if p.lower_label_gate(text):
        matches = [*matches, *p.LOWER_LABEL.finditer(text)]
    for m in matches:
        label, number, colon = m.group("label", "number", "colon")
        kind, latin, need_colon = _LABELS.get(label) or _label_info(label)
        if latin:
            start, end = m.start(), m.end("label")
            if (
                (start and text[start - 1] in _LATIN_LETTERS)
                or text[end : end + 1] in _LATIN_LETTERS
                or (need_colon and colon is None and number is None)
            ):
                continue  # a number word announces a value as a colon does ("CHI number 1906")
        # "病案号 No.5202304": a number word written onto the value is part of it
        if kind == "ADDRESS" and (
            text.endswith(_NETWORK_WORDS, 0, m.start()) or _IP_START.match(text, m.end())
        ):
            continue  # "终端地址 10.2.3.4", "分配地址183...": a machine's address, not a home's
        glued = number and colon is None and text[m.end("number") : m.end("number") + 1].isalnum()
        position = m.start("number") if glued else m.end()
        end = _VALUE_READERS[kind](text, position, colon is not None or number is not None)
        if end is not None and end > position and not _label_word(text, kind, position, end):
            spans.append((kind, position, end))
    named = p.LOWER_CASE_LABEL.finditer(text)
    if p.RELATIVE_GATE(text):
        named = [*named, *p.RELATIVE_LABEL.finditer(text)]
    for m in named:
        if not _letter_at(text, m.start() - 1) and not _clinical_name_at(text, m.end()):
            spans += [
                s for s in _value_span("NAME", text, m.end(), False) if not _label_word(text, *s)
            ]
    return spans


_ZH_CODE_LABELS = tuple(w for w in safe_harbor.CODE_LABEL_WORDS if not w.isascii())


def _label_word(text: str, kind: str, start: int, end: int) -> bool:
    """Whether a name read after a label is itself a code's label ("家属微信", "Patient
    Telegram username"): the code follows, not a name."""
    value = text[start:end].lower()
    return kind == "NAME" and (
        value in safe_harbor.CODE_LABEL_WORDS
        or (not value.isascii() and value.startswith(_ZH_CODE_LABELS))
    )


def _clinical_name_at(text: str, position: int) -> bool:
    """Whether an eponym or a maker's name starts at ``position`` ("IOP by Goldmann")."""
    end = position
    while end < len(text) and (text[end].isalpha() or text[end] in "'\u2019"):
        end += 1
    return text[position:end] in p.CLINICAL_PROPER_NAMES


_IP_START = re.compile(r"[ \t]*(?:\d{1,3}\.\d{1,3}\.\d|[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{0,4}:)")
_NETWORK_WORDS = (
    "终端",
    "网络",
    "设备",
    "服务器",
    "主机",
    "IP",
    "ip",
    "MAC",
    "邮件",
    "邮箱",
    "网页",
    "网站",
    "IP ",
    "MAC ",
)


def _label_info(label: str) -> tuple[str, bool, bool]:
    """A label's type, whether it is Latin (so must stand apart from letters) and whether it
    needs a colon (a label that is also an ordinary word)."""
    kind = p.LABEL_KINDS[" ".join(label.split()) if " " in label else label]
    latin = label.isascii()
    return kind, latin, latin and label.lower() in p.NEED_COLON


_LABELS = {label: _label_info(label) for label in p.LABEL_KINDS}


def _value_span(kind: str, text: str, position: int, colon: bool) -> list[_Span]:
    end = _VALUE_READERS[kind](text, position, colon)
    return [(kind, position, end)] if end is not None and end > position else []


_LATIN_LETTERS = frozenset(string.ascii_letters)


def _letter_at(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index] in _LATIN_LETTERS


def _titled_names(text: str) -> list[_Span]:
    """Names after a title ("Dr. Grant Young") and Chinese names before one ("经李主任会诊")."""
    spans = []
    titles = [m for title in p.TITLES for m in title.finditer(text)]
    for m in sorted(titles, key=_MATCH_START):
        if _letter_at(text, m.start() - 1):
            continue
        end = _english_name_end(text, m.end())
        if end is not None:
            spans.append(("NAME", m.end(), end))
    if not text.isascii():
        spans += [("NAME", *m.span("name")) for m in p.ZH_TITLED_SURNAME.finditer(text)]
    return spans


def _signed_names(text: str) -> list[_Span]:
    """The name under a letter's closing ("Yours sincerely,\n\nJane Doe")."""
    if not any(map(text.__contains__, p.SIGN_OFF_WORDS)):
        return []
    spans = []
    for m in p.SIGN_OFF.finditer(text):
        end = _english_name_end(text, m.end())
        if end is not None:
            spans.append(("NAME", m.end(), end))
    return spans


def _names_before_sex(text: str) -> list[_Span]:
    """A name right before the patient's sex or age ("Rose White, 92F", "王明，男，65岁"),
    and that age when it is over 89."""
    spans = []
    for m in p.EN_SEX_AFTER_NAME.finditer(text):
        name = p.NAME_EN_BEFORE.search(text, max(0, m.start() - 40), m.start())
        if name and not _letter_at(text, name.start() - 1):
            start = name.start()
            for word in name.group().split():
                if word.lower().rstrip(".") not in p.NAME_STOPWORDS:
                    break
                start = text.index(word, start) + len(word)
            if start < name.end():
                spans.append(("NAME", start, name.end()))
        age = p.AGE_IN_SEX.search(text, m.start(), m.end())
        if age and 90 <= int(age.group()) <= 149:
            spans.append(("AGE", age.start(), age.end()))
    if not text.isascii():
        for m in p.ZH_SEX_AFTER_NAME.finditer(text):
            start = m.start()
            while start > 0 and m.start() - start < 4 and p.CJK_CHAR.match(text, start - 1):
                start -= 1
            if m.start() - start >= 2 and (
                text[start] in p.ZH_SURNAMES or text[start : start + 2] in p.ZH_COMPOUND_SURNAMES
            ):
                spans.append(("NAME", start, m.start()))
    return spans


def _repeated_names(text: str, spans: list[_Span]) -> list[_Span]:
    """Other mentions of a name found once; short Chinese names only where a word can start."""
    found = {text[start:end] for kind, start, end in spans if kind == "NAME"}
    names = {name for name in found if not name.isascii() or " " in name}
    names |= {  # a Latin name's words alone: "Zhiqiang Hall attended ...; Zhiqiang is ..."
        word for name in found if name.isascii() for word in name.split() if _repeatable_word(word)
    }
    repeats = []
    for name in names:
        chinese = bool(p.CJK_CHAR.match(name))
        if len(name) < 2:
            continue
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            before = text[start - 1 : start]
            after = text[end : end + 1]
            if chinese:
                keep = len(name) >= 3 or not p.CJK_CHAR.match(before)
            else:
                keep = not (before.isalnum() or after.isalnum())
            if keep:
                repeats.append(("NAME", start, end))
            start = text.find(name, end)
    return repeats


def _safe_harbor(text: str) -> list[_Span]:
    """The other Safe Harbor identifiers (``safe_harbor``): codes, places and unlabelled names,
    the place and name detectors only where the text holds their script."""
    spans = []
    for detect in safe_harbor.DETECTORS:
        spans += detect(text)
    if not text.isascii():
        for detect in safe_harbor.ZH_DETECTORS:
            spans += detect(text)
    if _HAS_LATIN_WORD(text):
        for detect in safe_harbor.EN_DETECTORS:
            spans += detect(text)
    return spans


_HAS_LATIN_WORD = re.compile("[A-Z][a-z]").search


def _repeatable_word(word: str) -> bool:
    """A word of a Latin name that names the person alone too: three letters or more, written
    capitalised or (as the name was) in lower case, and neither a title nor a word that is also
    clinical ("Hope", "Iris")."""
    return (
        len(word) >= 3
        and word.isalpha()
        and (word[0].isupper() or word.islower())
        and word.lower() not in p.NAME_STOPWORDS
        and word.capitalize() not in safe_harbor.NOT_NAMES
    )


_DETECTORS: tuple[Callable[[str], list[_Span]], ...] = (
    _safe_harbor,
    _number_led,
    _other_values,
    _grown_anchors,
    _postcode_addresses,
    _labelled_values,
    _titled_names,
    _signed_names,
    _names_before_sex,
)
"""The detectors in the order their spans are listed (where two merged spans are as long,
the first one's type is kept); telephones then look at what these left over."""


# --- values after a label ----------------------------------------------------------------------


def _name_value(text: str, position: int, colon: bool) -> int | None:
    chinese = _chinese_name_end(text, position, colon)
    if chinese is not None:
        return chinese
    end = _english_name_end(text, position)
    single_word = end is not None and " " not in text[position:end]
    if end is not None and (colon or single_word) and text[end : end + 1] in (",", "/"):
        # "Name: Smith, John", "Surname/First name: SMITH/John": the given names follow.
        after = _english_name_end(text, end + 1 + (text[end + 1 : end + 2] == " "))
        end = after if after is not None else end
    return end


def _english_name_end(text: str, position: int) -> int | None:
    """End of up to four capitalised words (initials, particles: "J. van der Berg") at
    ``position``, stopping before a word that is not a name ("Sex", "Age", "Hospital")."""
    end = position
    for word_number in range(4):
        m = (p.NAME_EN_WORD if word_number else p.NAME_EN_FIRST).match(text, end)
        if not m:
            break
        word = m.group().split()[-1]
        if len(word.rstrip(".")) > 1 and word.lower().rstrip(".") in p.NAME_STOPWORDS:
            break  # "Sex", "Dr." end a name; an initial such as "M." does not
        end = m.end()
    return end if end > position else None


def _chinese_name_end(text: str, position: int, colon: bool) -> int | None:
    """End of a Chinese name at ``position``; without a colon it must start with a known surname.
    A form's padding between surname and given name ("王  芳") is part of the name."""
    if text[position : position + 1].isascii():
        return None  # neither pattern starts with an ASCII character: two searches saved
    pair = text[position : position + 2]
    if (
        not colon
        and pair not in p.ZH_COMPOUND_SURNAMES
        and gazetteers.zh_words().get(pair, 0) >= 1000
    ):
        return None  # "患者门户登录", "阅片时间": a common word, not a name, follows the label
    spaced = p.ZH_SPACED_NAME.match(text, position)
    if spaced and (colon or text[position] in p.ZH_SURNAMES):
        return spaced.end()
    run = p.ZH_NAME_RUN.match(text, position)
    if not run:
        return None
    chars = run.group()
    surname = 2 if chars[:2] in p.ZH_COMPOUND_SURNAMES else 1
    known = surname == 2 or chars[0] in p.ZH_SURNAMES
    if not known and (not colon or chars[0] in p.ZH_NAME_STOPS):
        return None
    if "·" in chars:
        return run.end()
    given = 0
    limit = 3 if len(chars) <= 4 + surname - 1 else 2
    while (
        given < limit
        and surname + given < len(chars)
        and chars[surname + given] not in p.ZH_NAME_STOPS
    ):
        given += 1
    if given == 0:
        return None
    return position + surname + given


def _pattern_value(pattern: re.Pattern[str], min_digits: int = 0) -> Callable:
    def read(text: str, position: int, colon: bool) -> int | None:
        m = pattern.match(text, position)
        if not m or sum(map(str.isdigit, m.group())) < min_digits:
            return None
        return m.end()

    def read_any(text: str, position: int, colon: bool) -> int | None:
        m = pattern.match(text, position)
        return m.end() if m else None

    return read if min_digits else read_any


_VALUE_READERS: dict[str, Callable[[str, int, bool], int | None]] = {
    "NAME": _name_value,
    "MRN": _pattern_value(p.MRN_VALUE, 3),
    "ID": _pattern_value(p.ID_VALUE, 5),
    "PHONE": _pattern_value(p.PHONE_VALUE, 7),
    "DATE": _pattern_value(p.DATE_VALUE, 4),
    "ADDRESS": _pattern_value(p.ADDRESS_VALUE),
    "AGE": _pattern_value(p.AGE_VALUE),
}


# --- tidying spans -----------------------------------------------------------------------------

_EDGE = " \t\n\x00,;:，。；：、"
_TRAILING = _EDGE + ".)"
_START = itemgetter(1)


def _tidy(text: str, spans: list[_Span]) -> list[_Span]:
    """Addresses grown over the units before them, separators trimmed, empty spans dropped."""
    tidied = []
    for span in spans:
        if span[0] == "ADDRESS":
            span = _with_units(text, span)
        if text[span[1]] in _EDGE or text[span[2] - 1] in _TRAILING:
            span = _trim(text, span)
        if span[0] == "ADDRESS" and span[2] > span[1]:
            span = safe_harbor.without_province(text, span)
        if span[2] > span[1]:
            tidied.append(span)
    return tidied


def _trim(text: str, span: _Span) -> _Span:
    """Drop separators a pattern swallowed at either end (and a sentence's full stop); called
    where ``span`` begins with an ``_EDGE`` or ends with a ``_TRAILING`` character."""
    kind, start, end = span
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and (
        text[end - 1] in _EDGE
        or (text[end - 1] in ".)" and kind in ("URL", "ADDRESS", "MRN", "PHONE"))
    ):
        end -= 1
    return (kind, start, end)


def _merge(spans: list[_Span]) -> list[PhiSpan]:
    """Union of overlapping spans; the merged span takes the type of its longest part."""
    merged: list[PhiSpan] = []
    if not spans:
        return merged
    spans.sort(key=_START)
    kind, start, end = spans[0]
    longest = end - start
    for part_kind, part_start, part_end in spans:
        if part_start < end:
            if part_end - part_start > longest:
                kind, longest = part_kind, part_end - part_start
            end = max(end, part_end)
        else:
            merged.append(_new_span(PhiSpan, (kind, start, end)))
            kind, start, end, longest = part_kind, part_start, part_end, part_end - part_start
    merged.append(_new_span(PhiSpan, (kind, start, end)))
    return merged


_ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)


_NOT_GROWN = frozenset(("DATE", "AGE", "NAME"))
"""A date, an age or a name ends where its detector says: a measurement may follow it."""


def _whole_values(text: str, spans: list[PhiSpan]) -> list[PhiSpan]:
    """A span that stops inside a number or code grows over the rest of it: "6222 0212 3456 789"
    with "0212 3456" found is scrubbed whole, since the digits left would still identify. A
    value goes on over letters and digits glued to it, and over groups of three characters or
    more with a digit, joined by a space or a dash, beside a span that ends or starts with a
    digit; a label glued before a value ("TEL010...") stays a label."""
    grown, changed = [], False
    for span in spans:
        if span.type in _NOT_GROWN:
            grown.append(span)
            continue
        start, end = _grown_start(text, span.start), _grown_end(text, span.end)
        changed = changed or (start, end) != (span.start, span.end)
        grown.append((span.type, start, end))
    return _merge(grown) if changed else spans


def _grown_end(text: str, end: int) -> int:
    n = len(text)
    if not (0 < end < n and text[end - 1] in _ASCII_ALNUM):
        return end
    if text[end] in _ASCII_ALNUM and (text[end].isdigit() or text[end - 1].isascii()):
        while end < n and text[end] in _ASCII_ALNUM:
            end += 1
    if not text[end - 1].isdigit():
        return end
    while end + 1 < n and text[end] in " -" and text[end + 1] in _ASCII_ALNUM:
        group_end = end + 1
        while group_end < n and text[group_end] in _ASCII_ALNUM:
            group_end += 1
        group = text[end + 1 : group_end]
        closing = (
            group_end == n
            or text[group_end] in ";,)\n"
            or (text[group_end] == "." and not text[group_end + 1 : group_end + 2].isdigit())
        )
        if not any(c.isdigit() for c in group) or (len(group) < 3 and not closing):
            break  # two digits close a value ("U99932069 01;"), not an unrelated number
        end = group_end
    return end


def _grown_start(text: str, start: int) -> int:
    if not (0 < start < len(text) and text[start] in _ASCII_ALNUM):
        return start
    if text[start - 1] in _ASCII_ALNUM and (text[start - 1].isdigit() or text[start].isascii()):
        glued = start
        while glued > 0 and text[glued - 1] in _ASCII_ALNUM:
            glued -= 1
        if text[glued:start].lower() in safe_harbor.GLUED_LABELS:
            return start
        start = glued
    if not text[start].isdigit():
        return _hyphen_group_start(text, start)
    while start > 1 and text[start - 1] in " -" and text[start - 2] in _ASCII_ALNUM:
        group_start = start - 1
        while group_start > 0 and text[group_start - 1] in _ASCII_ALNUM:
            group_start -= 1
        group = text[group_start : start - 1]
        if len(group) < 3 or not any(c.isdigit() for c in group):
            break
        start = group_start
    return start


def _hyphen_group_start(text: str, start: int) -> int:
    """A code that starts with a letter after a hyphen takes the group before it ("STEP-a41c9e"
    with "bee5de" found), unless that group is a label ("ID-", "TEL-")."""
    if not (start > 1 and text[start - 1] == "-" and text[start - 2] in _ASCII_ALNUM):
        return start
    group = start - 1
    while group > 0 and text[group - 1] in _ASCII_ALNUM:
        group -= 1
    return start if text[group : start - 1].lower() in safe_harbor.GLUED_LABELS else group


_new_span = tuple.__new__  # a PhiSpan without the keyword handling of its constructor
