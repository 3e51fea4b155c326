"""Recognise reports that are not readable text: mojibake and line noise.

A report decoded with the wrong code page, or a broken export full of symbols, must not reach
the tokenizer (it would teach the model noise), and scrubbing PHI from it is unreliable. Such
reports are quarantined instead. Both checks look at the raw text, before any normalisation.
"""

from __future__ import annotations

import re

# A UTF-8 lead byte shown as Latin-1/cp1252 followed by a continuation byte shown the same way:
# what "检查" becomes when UTF-8 is read as Latin-1 ("æ£\x80æ\x9f¥") or cp1252 ("æ£€æŸ¥").
_MOJIBAKE_PAIR = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
MOJIBAKE_SHARE = 0.3


def looks_like_mojibake(text: str) -> bool:
    """True when UTF-8 byte pairs rendered as Latin-1 or cp1252 make up a good part of the
    text's non-ASCII characters (one such pair is already rare in real text)."""
    if text.isascii():
        return False
    pairs = len(_MOJIBAKE_PAIR.findall(text))
    wide = len(text) - len(text.encode("ascii", "ignore"))
    return pairs > 0 and 2 * pairs >= MOJIBAKE_SHARE * wide


_ASCII_WORD = b"".join(bytes([b]) for b in range(128) if chr(b).isalnum())
_ASCII_SPACE = b" \t\n\r\x0b\x0c"
_NOT_ASCII = bytes(range(128, 256))


def letter_share(text: str) -> float:
    """Share of letters and digits among the visible characters.

    Characters beyond ASCII count as letters: scripts are letters, and the symbol noise of a
    broken export is ASCII (mojibake has its own test). Counting UTF-8 bytes keeps this fast.
    """
    data = text.encode("utf-8")
    ascii_only = data.translate(None, _NOT_ASCII)
    wide = len(text) - len(ascii_only)
    visible = len(ascii_only.translate(None, _ASCII_SPACE)) + wide
    if not visible:
        return 0.0
    words = len(ascii_only) - len(ascii_only.translate(None, _ASCII_WORD))
    return (words + wide) / visible


def garbled_reason(text: str, min_letter_share: float) -> str | None:
    """The quarantine reason code for unreadable text, or None for readable text."""
    if looks_like_mojibake(text):
        return "garbled_mojibake"
    if letter_share(text) < min_letter_share:
        return "garbled_noise"
    return None
