"""Per-language dictionaries: term rewriting (abbreviations, synonyms, typos) and boilerplate.

The built-in dictionaries are YAML files beside this module (``dictionaries/zh.yaml`` and
``en.yaml``); a site adds or overrides entries with its own files of the same shape
(``clean_reports.dictionaries`` in params.yaml), so vocabulary changes need no code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from retclip.text.boilerplate import BoilerplateFilter
from retclip.text.terms import TermRewriter

BUILT_IN = Path(__file__).with_name("dictionaries")
TERM_SECTIONS = ("abbreviations", "synonyms", "typos")
LINE_SECTIONS = ("boilerplate", "template_fields")


class DictionaryError(ValueError):
    """A dictionary file is missing or malformed; the message names the file."""


@dataclass
class Vocabulary:
    """One language's entries, merged from the built-in file and any extra files."""

    terms: dict[str, str] = field(default_factory=dict)
    boilerplate: list[str] = field(default_factory=list)
    template_fields: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Dictionaries:
    """What the cleaner needs: a term rewriter per language and one boilerplate filter."""

    rewriters: dict[str, TermRewriter]
    boilerplate: BoilerplateFilter


@lru_cache(maxsize=8)
def load_dictionaries(extra_files: tuple[str, ...] = ()) -> Dictionaries:
    """Built-in dictionaries, then each extra file in order (later entries win)."""
    vocabularies = {"zh": Vocabulary(), "en": Vocabulary()}
    for path in (BUILT_IN / "zh.yaml", BUILT_IN / "en.yaml", *map(Path, extra_files)):
        lang, sections = _read(path)
        vocabulary = vocabularies[lang]
        for name in TERM_SECTIONS:
            vocabulary.terms.update(sections.get(name) or {})
        vocabulary.boilerplate += sections.get("boilerplate") or []
        vocabulary.template_fields += sections.get("template_fields") or []
    zh, en = vocabularies["zh"], vocabularies["en"]
    rewriters = {
        "zh": TermRewriter(zh.terms),
        "en": TermRewriter(en.terms),
        "mixed": TermRewriter({**zh.terms, **en.terms}, beside_chinese=zh.terms),
    }
    boilerplate = BoilerplateFilter(
        zh.boilerplate + en.boilerplate, zh.template_fields + en.template_fields
    )
    return Dictionaries(rewriters, boilerplate)


def _read(path: Path) -> tuple[str, dict]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DictionaryError(f"dictionary {path}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise DictionaryError(f"dictionary {path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or data.get("lang") not in ("zh", "en"):
        raise DictionaryError(f"dictionary {path}: expected a mapping with lang: zh or lang: en")
    unknown = set(data) - {"lang", *TERM_SECTIONS, *LINE_SECTIONS}
    if unknown:
        raise DictionaryError(f"dictionary {path}: unknown sections {sorted(unknown)}")
    for name in TERM_SECTIONS:
        entries = data.get(name) or {}
        if not isinstance(entries, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k for k, v in entries.items()
        ):
            raise DictionaryError(f"dictionary {path}: {name} must map text to text")
    for name in LINE_SECTIONS:
        entries = data.get(name) or []
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise DictionaryError(f"dictionary {path}: {name} must be a list of patterns")
        for pattern in entries:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise DictionaryError(f"dictionary {path}: {name}: bad pattern: {exc}") from None
    return data["lang"], data
