"""The detectors for HIPAA Safe Harbor's identifiers beyond those ``phi.py`` reads itself.

Safe Harbor lists eighteen kinds of identifier, and China's personal-information rules name the
same things in their own forms. ``phi.py`` finds values after a label and by shape (names,
telephones, national ids, record numbers, dates, addresses, e-mail, web addresses, ages); the
modules gathered here find the rest: codes (``identifiers``: plates, devices, accounts, health
plans, licences, biometric ids, handles, IP addresses), ages over 89 and birth years in running
text (``ages``), towns and smaller places (``places``) and names with no label (``person_names``).
Each detector returns ``(type, start, end)`` spans into the aligned report text.
"""

from __future__ import annotations

from collections.abc import Callable

from retclip.text.ages import old_ages
from retclip.text.identifiers import (
    CODE_LABEL_WORDS,
    GLUED_LABELS,
    labelled_codes,
    prose_plates,
    shaped_codes,
)
from retclip.text.person_names import NOT_NAMES, en_unlabelled_names, zh_unlabelled_names
from retclip.text.places import en_places, without_province, zh_places

__all__ = [
    "CODE_LABEL_WORDS",
    "DETECTORS",
    "EN_DETECTORS",
    "GLUED_LABELS",
    "NOT_NAMES",
    "ZH_DETECTORS",
    "without_province",
]

Detector = Callable[[str], list[tuple[str, int, int]]]

DETECTORS: tuple[Detector, ...] = (labelled_codes, shaped_codes, prose_plates, old_ages)
"""Detectors that run on every report."""
ZH_DETECTORS: tuple[Detector, ...] = (zh_places, zh_unlabelled_names)
"""Detectors for text that holds Chinese characters."""
EN_DETECTORS: tuple[Detector, ...] = (en_places, en_unlabelled_names)
"""Detectors for text that holds a capitalised Latin word."""
