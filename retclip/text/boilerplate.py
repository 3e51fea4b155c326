"""Drop report lines without clinical content: titles, signatures, disclaimers, header fields.

Such lines are the same in every report of a site, so they teach the model nothing and waste the
text encoder's short context (100 tokens). The patterns come from the dictionaries
(``retclip.text.dictionaries``), so a site can describe its own templates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retclip.text.memo import remember


class BoilerplateFilter:
    """Drops report lines that carry no clinical content.

    A line goes when a boilerplate pattern finds it (titles, signatures, disclaimers), or when it
    is made only of template fields, PHI placeholders and punctuation (a header such as
    "姓名：[NAME] 性别：女 年龄：63岁").
    """

    def __init__(self, boilerplate: Sequence[str], template_fields: Sequence[str]):
        anchored = [p for p in boilerplate if p.startswith("^")]
        floating = [p for p in boilerplate if not p.startswith("^")]
        self._starts = _compile_any(anchored)
        self._anywhere = _compile_any(floating, re.MULTILINE)
        # Possessive, so a line with content fails at once instead of backtracking.
        pieces = [r"\[[A-Z]+\]", *(f"(?:{f})" for f in template_fields), r"[^\w\[]", "_"]
        self._template = re.compile(f"(?>(?:{'|'.join(pieces)})*)")
        # Verdicts of lines already seen: reports of one site repeat most of their lines.
        self._verdicts: dict[str, bool] = {}

    def __call__(self, text: str) -> str:
        lines = text.split("\n")
        dropped = set()
        if self._anywhere is not None:
            for m in self._anywhere.finditer(text):
                dropped.add(text.count("\n", 0, m.start()))
        return "\n".join(
            line for number, line in enumerate(lines) if number not in dropped and self._keeps(line)
        )

    def _keeps(self, line: str) -> bool:
        keeps = self._verdicts.get(line)
        if keeps is None:
            keeps = not (self._starts is not None and self._starts.match(line)) and (
                self._template.fullmatch(line) is None
            )
            remember(self._verdicts, line, keeps)
        return keeps


def _compile_any(patterns: Sequence[str], flags: int = 0) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)
