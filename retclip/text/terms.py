"""Rewrite abbreviations, synonyms and typos to one canonical term per concept.

"糖网", "糖尿病性视网膜病变" and "DR" name one disease; the model learns faster and zero-shot
prompts match better when the reports always use one name for it. The entries come from the
dictionaries (``retclip.text.dictionaries``).
"""

from __future__ import annotations

import re

from retclip.text.memo import remember
from retclip.text.trie import trie_pattern

_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TWINS = {"（": "（(", "(": "（(", "）": "）)", ")": "）)", "：": "：:", ":": "：:"}


class TermRewriter:
    """Rewrites every dictionary key in a text to its canonical term, in one regex pass.

    Keys are literal: brackets and colons match in either width, all-lower-case keys in lower,
    capitalised or upper case, and a key never matches inside a Latin word or number. In a
    mixed-language report, ``beside_chinese`` gives the term for a key written next to Chinese
    ("右眼DME" becomes "右眼糖尿病黄斑水肿", "OD: DME" becomes "OD: diabetic macular edema").
    """

    def __init__(self, terms: dict[str, str], beside_chinese: dict[str, str] | None = None):
        self._values = _table(terms)
        self._beside_chinese = _table(beside_chinese or {})
        words = sorted(
            self._values.keys() | self._beside_chinese.keys(), key=lambda k: (-len(k), k)
        )
        self._pattern = re.compile(trie_pattern(words)) if words else None
        # Without ``beside_chinese`` a rewrite reads nothing past its line (no key holds a line
        # break), so each line is rewritten once and remembered: reports repeat their lines.
        self._by_line = not self._beside_chinese and not any("\n" in word for word in words)
        self._lines: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        if not self._by_line:
            return self._pattern.sub(self._replacement, text)
        return "\n".join(map(self._rewrite_line, text.split("\n")))

    def _rewrite_line(self, line: str) -> str:
        rewritten = self._lines.get(line)
        if rewritten is None:
            rewritten = remember(self._lines, line, self._pattern.sub(self._replacement, line))
        return rewritten

    def _replacement(self, match: re.Match[str]) -> str:
        found, text, start, end = match.group(), match.string, match.start(), match.end()
        if _joins(found[0], text[start - 1 : start]) or _joins(found[-1], text[end : end + 1]):
            return found
        key = " ".join(found.split()) if " " in found else found
        table = self._values
        if key in self._beside_chinese and (
            _CJK.match(text[:start].rstrip()[-1:]) or _CJK.match(text[end:].lstrip()[:1])
        ):
            table = self._beside_chinese
        value, any_case = table[key]
        if any_case and found[:1].isupper() and value[:1].islower():
            return value[:1].upper() + value[1:]
        return value


def _table(terms: dict[str, str]) -> dict[str, tuple[str, bool]]:
    """Every written form of every key, with its final term and whether case is free."""
    table: dict[str, tuple[str, bool]] = {}
    for key in terms:
        value, any_case = _resolve(terms, terms[key]), key.isascii() and key == key.lower()
        for form in _forms(key):
            table.setdefault(form, (value, any_case))
    return table


def _joins(edge: str, neighbour: str) -> bool:
    """Whether ``neighbour`` continues the word that ``edge`` ends: letter beside letter (or a
    placeholder's bracket), digit beside digit. "CDR0.5" is a match, "XDR" and "[DR]" are not."""
    if not (neighbour and edge.isascii() and neighbour.isascii()):
        return False
    if edge.isalpha():
        return neighbour.isalpha() or neighbour in "[]"
    return edge.isdigit() and neighbour.isdigit()


def _forms(key: str) -> set[str]:
    forms = {""}
    for char in key:
        twins = _TWINS.get(char, char)
        forms = {form + twin for form in forms for twin in twins}
    if key.isascii() and key == key.lower():
        forms |= {f.capitalize() for f in forms} | {f.upper() for f in forms}
    return forms


def _resolve(terms: dict[str, str], value: str) -> str:
    """Follow chains (a typo whose fix has a canonical synonym) to the final term."""
    for _ in range(len(terms)):
        if terms.get(value, value) == value:
            break
        value = terms[value]
    return value
