"""Split a cleaned report into left-eye, right-eye and patient-level texts.

RET-CLIP contrasts each eye's image with text about that eye, so the findings and impressions
that a laterality marker (右眼/左眼/双眼, OD/OS/OU, right/left/both eyes) introduces go to that
eye; both-eye text goes to both. A marker holds for the rest of its line, and for the lines
below it when it stands alone at the end of its line (a block heading such as "右眼：").
Text that no marker claims (a recommendation, a report that describes "the fundus") concerns
the patient, so every text gets it. A report with no marker at all gives its full text to
all three, as the reference does. The patient text is always the whole report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retclip.text.memo import remember
from retclip.text.trie import trie_pattern

_MARKERS = {
    "right": ("右眼", "OD", "right eye"),
    "left": ("左眼", "OS", "left eye"),
    "both": ("双眼", "两眼", "双侧", "OU", "both eyes", "bilateral", "bilaterally"),
}
SIDE_OF = {
    form: side
    for side, words in _MARKERS.items()
    for word in words
    for form in ((word, word.capitalize(), word.upper()) if word.islower() else (word,))
}
_GLOSS = "|".join(sorted(SIDE_OF, key=len, reverse=True))
# A marker, optionally glossed in brackets ("右眼（OD）", "OD (right eye)"), and its colon.
MARKER = re.compile(
    rf"(?P<word>{trie_pattern(list(SIDE_OF))})(?:\s*[（(]\s*(?:{_GLOSS})\s*[)）])?(?:\s*[:：])?"
)
_IMPRESSION = r"诊断意见|诊断|印象|结论|(?i:impressions?|diagnos[ie]s|conclusions?|assessment)"
HEADING = re.compile(
    rf"(?:[-*•·] ?)?(?:(?P<impression>{_IMPRESSION})"
    r"|检查所见|眼底所见|所见|建议|处理|意见|视力|眼压"
    r"|(?i:findings|recommendations?|plan|comments?|history|b?cva|va|iop))\s*[:：]\s*"
)
_MARKER_ENDS_LINE = re.compile(rf"(?:{MARKER.pattern})\s*$")
IMPRESSION_LINE = re.compile(rf"^(?:[-*•·] ?)?(?:{_IMPRESSION})\s*[:：]", re.MULTILINE)
_SENTENCE_END = re.compile(r"[。！\uff1f!?]+|\.(?=\s|$)")
_SEPARATORS = " \t,，;；:：、"
_BULLETS = "-*•·"
_TRAILING = re.compile(r"[\s.。,，;；:：、)）!！?\uff1f]*$")


@dataclass(frozen=True)
class Sections:
    """The three texts of one report and what the splitter found."""

    left: str
    right: str
    patient: str
    has_left: bool
    has_right: bool
    has_both: bool
    has_impression: bool
    no_laterality: bool


Part = tuple[str | None, str]
"""A piece of one line and the eye it belongs to (None: no marker claims it)."""


def split_sections(text: str) -> Sections:
    """Split a cleaned report (one finding or heading per line) into its three texts."""
    if not MARKER.search(text):
        has_impression = IMPRESSION_LINE.search(text) is not None
        return Sections(text, text, text, False, False, False, has_impression, True)
    left: list[str] = []
    right: list[str] = []
    found: set[str] = set()
    has_impression = False
    eye: str | None = None
    pending = ""  # a heading alone on its line ("建议：") labels the next line
    for line in text.split("\n"):
        read = _READ.get((line, eye)) or remember(_READ, (line, eye), _read_line(line, eye))
        heading, alone, impression, sides, left_piece, right_piece, eye = read
        label = pending if heading is None else heading
        pending = heading if alone else ""
        has_impression = has_impression or impression
        if sides:
            found.update(sides)
        if left_piece:
            left.append(_labelled(label, left_piece) if label else left_piece)
        if right_piece:
            right.append(_labelled(label, right_piece) if label else right_piece)
    if not found:
        return Sections(text, text, text, False, False, False, has_impression, True)
    return Sections(
        left="\n".join(left),
        right="\n".join(right),
        patient=text,
        has_left="left" in found,
        has_right="right" in found,
        has_both="both" in found,
        has_impression=has_impression,
        no_laterality=False,
    )


_READ: dict[tuple[str, str | None], tuple] = {}


def _read_line(
    line: str, eye: str | None
) -> tuple[str | None, bool, bool, frozenset[str], str, str, str | None]:
    """One line read with the eye in force before it: its heading (None without one), whether
    the heading is alone on the line, whether it is an impression, the eyes its markers name,
    its text for the left eye and for the right (each eye's own pieces, both-eye pieces and
    unclaimed pieces) and the eye in force after it. Depends on nothing else, so a line seen
    before is not read again."""
    heading = HEADING.match(line)
    label, alone, impression, body_start = None, False, False, 0
    if heading:
        eye, label, body_start = None, line[: heading.end()], heading.end()
        alone = heading.end() == len(line)
        impression = heading.group("impression") is not None
    parts: list[Part] = []
    if MARKER.search(line, body_start):
        for sentence_start, sentence_end in _sentences(line, body_start):
            eye = _split_sentence(line, sentence_start, sentence_end, eye, parts)
        if not _MARKER_ENDS_LINE.search(line):
            eye = None  # only a marker alone at the end of its line heads the next lines
    else:
        _add(parts, eye, line[body_start:])
    sides = frozenset(side for side, _ in parts if side is not None)
    left, right = _pieces(parts, ("left", "both")), _pieces(parts, ("right", "both"))
    return label, alone, impression, sides, left, right, eye


def _sentences(line: str, start: int) -> list[tuple[int, int]]:
    spans = []
    for end in _SENTENCE_END.finditer(line, start):
        spans.append((start, end.end()))
        start = end.end()
    if start < len(line):
        spans.append((start, len(line)))
    return spans


def _split_sentence(line: str, start: int, end: int, eye: str | None, parts: list[Part]):
    """Give each piece of one sentence to the eye whose marker leads it (or trails it)."""
    position = start
    for marker in MARKER.finditer(line, start, end):
        word = marker.group("word")
        if word.isascii() and _inside_word(line, marker.start(), marker.end("word")):
            continue
        side = SIDE_OF[word]
        before = line[position : marker.start()]
        if before.strip(_SEPARATORS) and _TRAILING.match(line, marker.end(), end):
            _add(parts, side, before.rstrip() + line[marker.end() : end].strip())
            return side
        if _leads(line, position, marker.start()):
            _add(parts, eye, before)
            eye, position = side, marker.end()
    _add(parts, eye, line[position:end])
    return eye


def _inside_word(line: str, start: int, end: int) -> bool:
    """ "OD" in "ODE" or "POD" is not a marker."""
    return line[start - 1 : start].isalpha() or line[end : end + 1].isalpha()


def _leads(line: str, position: int, start: int) -> bool:
    """A marker starts a new piece at the start of a sentence, after a separator or after a
    value ("OD 20/20 OS 20/40"); inside a phrase ("右眼较左眼重") it is only a mention."""
    before = line[position:start]
    if not before.strip(_SEPARATORS + _BULLETS):
        return True
    stripped = before.rstrip()
    return stripped[-1] in _SEPARATORS + "(（" or (
        len(stripped) < len(before) and (stripped[-1].isdigit() or stripped[-1] in ")）")
    )


def _add(parts: list[Part], side: str | None, text: str) -> None:
    text = text.strip(_SEPARATORS)
    if text:
        parts.append((side, text))


def _pieces(parts: list[Part], sides: tuple[str, ...]) -> str:
    """One eye's text of a line: its own pieces, both-eye pieces and unclaimed pieces."""
    return " ".join(text for side, text in parts if side is None or side in sides)


def _labelled(label: str, text: str) -> str:
    label = label.rstrip()
    return f"{label} {text}" if label.endswith(":") else label + text
