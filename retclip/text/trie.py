"""Fast regular expressions for long lists of literal words.

Python's ``re`` tries the alternatives of ``a|b|c`` one after another at every position. Shaped
as a prefix tree, the same alternation tests only the words that start with the character at
hand, and ``re`` can skip characters that start no word at all. Labels, dictionary terms and
laterality markers all use it.
"""

from __future__ import annotations

import re


def trie_pattern(words: list[str]) -> str:
    """A regex matching any of ``words``, the longest where several match; a space in a word
    matches any run of spaces ("Patient  name")."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [_literal(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def _literal(char: str) -> str:
    return r"[ \t\x00]+" if char == " " else re.escape(char)
