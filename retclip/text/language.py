"""Report language: Chinese, English or mixed, from the script of the words.

Chinese reports quote English abbreviations (C/D, OD, NPDR, mmHg) and English reports may carry a
Chinese name, so the decision weighs scripts instead of looking for any one character. A Chinese
character carries about as much as a short English word, hence the weight on Latin letters.
Counting works on UTF-8 bytes, which is far faster than testing characters one by one.
"""

from __future__ import annotations

import re

LANGUAGES = ("zh", "en", "mixed")
_PLACEHOLDER = re.compile(r"\[[A-Z]+\]")
_NOT_LATIN = bytes(b for b in range(256) if not chr(b).isascii() or not chr(b).isalpha())
LETTERS_PER_HANZI = 3.0
PURE_SHARE = 0.8


def detect_language(text: str) -> str | None:
    """``zh``, ``en`` or ``mixed``; None when the text has no letters of either script."""
    text = _PLACEHOLDER.sub(" ", text)
    data = text.encode("utf-8")
    # Chinese characters (and their punctuation) take three bytes in UTF-8, Latin letters one.
    hanzi = (len(data) - len(text)) / 2
    latin = len(data.translate(None, _NOT_LATIN)) / LETTERS_PER_HANZI
    if hanzi + latin == 0:
        return None
    share = hanzi / (hanzi + latin)
    if share >= PURE_SHARE:
        return "zh"
    if share <= 1 - PURE_SHARE:
        return "en"
    return "mixed"
