"""Unicode, markup, whitespace and punctuation normalisation of report text.

Cleaning happens in two steps so that PHI offsets stay exact. :func:`align` keeps the text's
length (every change is one character for one character, and removed markup becomes filler
characters), so a PHI span found in its output is a span of the original report. :func:`tidy`
then does everything that changes length, after PHI has been replaced.
"""

from __future__ import annotations

import html
import re
import unicodedata

from retclip.text.memo import remember

FILLER = "\x00"
"""Stands in for removed characters until :func:`tidy` deletes it; never in a final text."""

# Blocks whose compatibility forms (full-width ASCII, ideographic space, CJK compatibility
# ideographs, unit squares, roman numerals ...) mean the same as their NFKC form.
_COMPATIBILITY_BLOCKS = (
    (0x00A0, 0x00FF),
    (0x2000, 0x206F),
    (0x2100, 0x218F),
    (0x2E80, 0x2FDF),
    (0x3000, 0x303F),
    (0x3300, 0x33FF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE6F),
    (0xFF00, 0xFFEF),
)
# NFKC would change the meaning of these: superscripts and fractions ("mm²" is not "mm2"),
# circled list numbers, ordinal indicators (often typed for a degree sign) and spacing accents.
_MEANING_CATEGORIES = {"No", "Lm", "Sk"}
_MEANING_CHARACTERS = {"ª", "º"}
_ZERO_WIDTH = "\u00ad\u200b\u200c\u200d\u2060\ufeff"


def _compatibility_tables() -> tuple[dict[int, str], dict[int, str]]:
    """NFKC foldings that keep the meaning, split into one-for-one and longer replacements."""
    single: dict[int, str] = {}
    longer: dict[int, str] = {}
    for first, last in _COMPATIBILITY_BLOCKS:
        for code in range(first, last + 1):
            char = chr(code)
            folded = unicodedata.normalize("NFKC", char)
            if (
                folded == char
                or unicodedata.category(char) in _MEANING_CATEGORIES
                or char in _MEANING_CHARACTERS
                or any(unicodedata.combining(c) for c in folded)
                or (any(c.isdigit() for c in folded) and not char.isdigit())
            ):
                continue
            (single if len(folded) == 1 else longer)[code] = folded
    for code in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)):
        single[code] = FILLER
    single.update({ord("\t"): " ", ord("\n"): "\n", ord("\r"): "\n", 0x0B: "\n", 0x0C: "\n"})
    single.update({ord(c): FILLER for c in _ZERO_WIDTH})
    single.update({0x2028: "\n", 0x2029: "\n"})
    return single, longer


_ONE_FOR_ONE, _LONGER = _compatibility_tables()
FOLDS = {chr(code): char for code, char in _ONE_FOR_ONE.items() if char != chr(code)}
"""The characters :func:`align` changes, each to the one it stands for; a fold's result is never
folded again, so the folds can be made one character at a time in any order."""
_TO_FOLD = re.compile("[" + "".join(map(re.escape, sorted(FOLDS))) + "]")

_BLOCK_TAGS = "br|p|div|li|tr|table|ul|ol|h[1-6]|hr"
_MARKUP = re.compile(
    r"<(?P<close>/?)(?P<tag>[a-zA-Z][a-zA-Z0-9]*)\b[^<>\n]{0,200}>"
    r"|<!--.{0,500}?-->"
    r"|&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,9});",
    re.DOTALL,
)
_BLOCK = re.compile(rf"(?:{_BLOCK_TAGS})$", re.IGNORECASE)


_FILLED: dict[str, str] = {}
"""Replacements of markup already seen (reports repeat the same few tags and entities)."""


def _markup_to_filler(match: re.Match[str]) -> str:
    found = match.group()
    filled = _FILLED.get(found)
    return remember(_FILLED, found, _fill(match)) if filled is None else filled


def _fill(match: re.Match[str]) -> str:
    """A tag becomes filler (a line break for block tags); an entity becomes its character."""
    found = match.group()
    if found.startswith("&"):
        char = html.unescape(found)
        if len(char) != 1:
            return found
        return char + FILLER * (len(found) - 1)
    tag = match.group("tag")
    if tag and _BLOCK.match(tag):
        return "\n" + FILLER * (len(found) - 1)
    return FILLER * len(found)


def align(text: str) -> str:
    """Normalise without changing the length: markup, control characters, compatibility forms.

    The result has the same length as ``text`` and character ``i`` comes from character ``i``
    of the input, so spans found in it index the original report.
    """
    if "<" in text or "&" in text:
        text = _MARKUP.sub(_markup_to_filler, text)
    # A report holds a few kinds of characters to fold ("：", "，", an ideographic space): a
    # replace for each is faster than ``str.translate``, which looks up every character.
    for char in set(_TO_FOLD.findall(text)):
        text = text.replace(char, FOLDS[char])
    return text


_REPEATED = re.compile(r"([。，,;；:：!！?\uff1f、])\1+")
_DOUBLE_STOP = re.compile(r"\.(?<!\.\.)\.(?!\.)")
_NEEDS_LONGER = re.compile("[" + "".join(map(chr, sorted(_LONGER))) + "]")


def tidy(text: str) -> str:
    """Everything that changes length: fillers out, compatibility forms, spaces, repeats.

    Lines are kept (they carry the report's structure); blank lines, runs of spaces and a stray
    "&" at either end of a line (an "&amp;" left by an export) go, and a doubled punctuation
    mark ("。。", "..") becomes one.
    """
    text = text.replace(FILLER, "").replace("\t", " ")
    if not text.isascii() and _NEEDS_LONGER.search(text):  # every form to fold is non-ASCII
        text = text.translate(_LONGER)
    while "  " in text:  # a run of n spaces is one after log2(n) rounds, faster than a regex
        text = text.replace("  ", " ")
    text = "\n".join(line for line in (raw.strip(" &") for raw in text.split("\n")) if line)
    if _REPEATED.search(text):  # a template substitution costs a call into Python regardless
        text = _REPEATED.sub(r"\1", text)
    return _DOUBLE_STOP.sub(".", text)


_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HALF = ",:;!?()"
_FULL = "，：；！\uff1f（）"
_NUMBER_SEPARATORS = re.compile(r"[，：](?<=\d[，：])(?=\d)")
_ZH_FULL_STOP = re.compile(rf"\.(?<=[{_CJK}）)]\.)(?![0-9A-Za-z])")
# spaces before or after a full-width mark; led by the space, which is rarer than the marks
_FULL_MARKS = "[，。：；！\uff1f（）、]"
_SPACES_BY_MARK = re.compile(rf" (?:(?<={_FULL_MARKS} ) *| *(?={_FULL_MARKS}))")
_AFTER_CHINESE = re.compile(rf"[,:;!?()](?<=[{_CJK}][,:;!?()])")
_AFTER_LATIN = re.compile(r"[。、，：；（）](?<=[A-Za-z0-9][。、，：；（）])")
_EN_SPACING = re.compile(r"([,;:])(?=[A-Za-z])")


def _swap(text: str, old: str, new: str) -> str:
    """Replace each character of ``old`` by the one of ``new`` at its place. A few
    ``str.replace`` calls beat ``str.translate`` here, which pays for every character it
    does not map."""
    for a, b in zip(old, new, strict=True):
        if a in text:
            text = text.replace(a, b)
    return text


def canonical_punctuation(text: str, lang: str) -> str:
    """One form of each punctuation mark per language: full-width in Chinese, ASCII in English.

    Decimal points and number separators ("0.3", "1,000", "10:30") are never touched. In a
    mixed report a mark takes the form of the script it follows.
    """
    if lang == "zh":
        text = _swap(text, _HALF, _FULL)
        text = _NUMBER_SEPARATORS.sub(lambda m: _swap(m.group(), _FULL, _HALF), text)
        text = _ZH_FULL_STOP.sub("。", text)
        return _SPACES_BY_MARK.sub("", text)
    if lang == "en":
        text = _swap(text, "。、" + _FULL, ".," + _HALF)
        # a template substitution costs a call into Python even when nothing matches
        return _EN_SPACING.sub(r"\1 ", text) if _EN_SPACING.search(text) else text
    text = _AFTER_CHINESE.sub(lambda m: _swap(m.group(), _HALF, _FULL), text)
    return _AFTER_LATIN.sub(lambda m: _swap(m.group(), "。、" + _FULL, ".," + _HALF), text)
