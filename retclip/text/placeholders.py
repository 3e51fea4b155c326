"""The PHI types and the placeholders that replace them in cleaned text.

Shared by the scrubber, which writes the placeholders, and the tokenizer, which keeps each one
a single token; a module of its own so the tokenizer does not load the PHI patterns.
"""

from __future__ import annotations

PHI_TYPES = (
    "NAME",
    "PHONE",
    "ID",
    "MRN",
    "DATE",
    "ADDRESS",
    "EMAIL",
    "URL",
    "AGE",
    "ACCOUNT",
    "HEALTH_PLAN",
    "LICENSE",
    "VEHICLE",
    "DEVICE",
    "IP",
    "HANDLE",
    "BIOMETRIC",
)
"""HIPAA Safe Harbor's identifiers as the scrubber names them: towns and smaller places are
``ADDRESS``; fax numbers ``PHONE``; national ids and passports ``ID``; any other unique code
``ID``; a birth year that reveals an age over 89 ``DATE``."""
PLACEHOLDERS = {kind: f"[{kind}]" for kind in PHI_TYPES}
