"""The PHI types and the placeholders that replace them in cleaned text.

Shared by the scrubber, which writes the placeholders, and the tokenizer, which keeps each one
a single token; a module of its own so the tokenizer does not load the PHI patterns.
"""

from __future__ import annotations

PHI_TYPES = ("NAME", "PHONE", "ID", "MRN", "DATE", "ADDRESS", "EMAIL", "URL", "AGE")
PLACEHOLDERS = {kind: f"[{kind}]" for kind in PHI_TYPES}
