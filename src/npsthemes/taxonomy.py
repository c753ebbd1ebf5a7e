"""Theme taxonomies: versioned JSON files with, for each theme, an id, labels in en/fi/sv, a description
and example phrases. The default taxonomy ships with the package; users may train with their own."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ._io import read_json
from .errors import InputFileNotFoundError, TaxonomyError

__all__ = ["Taxonomy", "Theme", "load_taxonomy", "default_taxonomy", "taxonomy_from_themes"]

_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-/.]*$")


_ASCII = str.maketrans({"ä": "a", "ö": "o", "å": "a", "ü": "u", "é": "e", "è": "e", "æ": "ae", "ø": "o"})


def suggested_id(text: str, fallback: str = "theme") -> str:
    """A valid theme id made from a name: lower case, Nordic letters as ASCII, other runs of characters as ``_``
    (``"Food & drink"`` -> ``"food_drink"``, ``"Ympäristö"`` -> ``"ymparisto"``); ``fallback`` when nothing is
    left."""
    return re.sub(r"[^a-z0-9_]+", "_", text.lower().translate(_ASCII)).strip("_") or fallback


def theme_id_problem(theme: str) -> str | None:
    """The one rule for theme ids: letters, digits and ``_`` (also ``-``, ``/`` and ``.`` after the first
    character). None for a valid id, else a one-line description with a suggested id."""
    if _ID.fullmatch(theme):
        return None
    slug = suggested_id(theme)
    return (
        f"theme id {theme!r} has characters a theme id can't have (expected letters, digits and _, "
        f"for example {slug!r}; a display name with any characters goes in a taxonomy's labels)"
    )


#: Languages whose one-word terms also match as the last part of a compound.
COMPOUND_LANGUAGES = frozenset({"fi", "sv", "de", "nl", "da", "no", "nb", "nn", "is", "et"})
_MIN_COMPOUND_HEAD = 4
_MIN_PREFIX = 3
_WORD = re.compile(r"^[^\W\d_](?:[\w'.&+-]*[\w])?\*?$|^\w+\*?$", re.U)


def check_rules(rules: Any, theme: str, source: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """The rules of a theme, validated: ``{lang: {"terms": (...), "not": (...)}}`` with lower-cased terms; a bad
    rule raises :class:`~npsthemes.errors.TaxonomyError` naming the theme, the language and the term."""
    if rules is None:
        return {}
    where = f"{source}: theme {theme!r}: 'rules'"
    if not isinstance(rules, Mapping):
        raise TaxonomyError(f'{where} must map languages to {{"terms": [...], "not": [...]}}; got {rules!r}'[:300])
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for lang, spec in rules.items():
        if not isinstance(lang, str) or not re.fullmatch(r"[a-z]{2,3}", lang):
            raise TaxonomyError(f"{where}: language {lang!r} must be a language code such as 'fi', 'sv', 'en'")
        if not isinstance(spec, Mapping) or set(spec) - {"terms", "not"}:
            raise TaxonomyError(
                f"{where}[{lang!r}] must be an object with 'terms' and optionally 'not'; got {spec!r}"[:300]
            )
        entry: dict[str, tuple[str, ...]] = {}
        for key in ("terms", "not"):
            terms = spec.get(key, [])
            if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
                raise TaxonomyError(f"{where}[{lang!r}][{key!r}] must be a list of texts; got {terms!r}"[:300])
            clean = []
            for term in terms:
                words = term.lower().split()
                if not words:
                    raise TaxonomyError(f"{where}[{lang!r}][{key!r}]: an empty term")
                for w in words:
                    if not _WORD.match(w) or ("*" in w[:-1]):
                        raise TaxonomyError(
                            f"{where}[{lang!r}][{key!r}]: term {term!r}: {w!r} is not a word (letters, "
                            "digits, ' - & . +; a '*' only at the end of a word)"
                        )
                    if w.endswith("*") and len(w) - 1 < _MIN_PREFIX:
                        raise TaxonomyError(
                            f"{where}[{lang!r}][{key!r}]: term {term!r}: a prefix before '*' needs at "
                            f"least {_MIN_PREFIX} letters"
                        )
                clean.append(" ".join(words))
            entry[key] = tuple(dict.fromkeys(clean))
        out[lang] = entry
    return out


@dataclass(frozen=True)
class Theme:
    id: str
    labels: dict[str, str] = field(default_factory=dict)
    description: str = ""
    examples: tuple[str, ...] = ()
    #: seed terms per language: ``{lang: {"terms": (...), "not": (...)}}`` (see :mod:`npsthemes.stages.rules`)
    rules: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.id.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Taxonomy:
    name: str
    version: str
    themes: tuple[Theme, ...]
    polarities: tuple[str, ...] = ("positive", "negative")
    description: str = ""

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def rules(self) -> dict[str, dict[str, dict[str, list[str]]]]:
        """The themes' rules, ``{theme: {lang: {"terms": [...], "not": [...]}}}`` (themes without rules left out)."""
        return {
            t.id: {lang: {k: list(v) for k, v in spec.items()} for lang, spec in t.rules.items()}
            for t in self.themes
            if t.rules
        }

    def label(self, theme_id: str, lang: str = "en") -> str:
        for t in self.themes:
            if t.id == theme_id:
                return t.label(lang)
        return theme_id

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "polarities": list(self.polarities),
            "themes": [
                {
                    "id": t.id,
                    "labels": dict(t.labels),
                    "description": t.description,
                    "examples": list(t.examples),
                    **(
                        {"rules": {lang: {k: list(v) for k, v in spec.items()} for lang, spec in t.rules.items()}}
                        if t.rules
                        else {}
                    ),
                }
                for t in self.themes
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "taxonomy") -> Taxonomy:
        if not isinstance(data, dict) or not isinstance(data.get("themes"), list) or not data["themes"]:
            raise TaxonomyError(f"{source}: expected an object with a non-empty list 'themes'")
        themes = []
        seen = set()
        for i, t in enumerate(data["themes"], 1):
            if isinstance(t, str):
                t = {"id": t}
            if not isinstance(t, dict) or not isinstance(t.get("id"), str) or not _ID.fullmatch(t["id"]):
                raise TaxonomyError(f"{source}: theme {i} needs an 'id' of letters, digits and _ ; got {t!r}")
            if t["id"] in seen:
                raise TaxonomyError(f"{source}: theme id {t['id']!r} appears twice")
            seen.add(t["id"])
            labels = t.get("labels") or {}
            if not isinstance(labels, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
            ):
                raise TaxonomyError(
                    f"{source}: theme {t['id']!r}: 'labels' must map languages to text "
                    f'({{"en": "...", "fi": "..."}}); got {labels!r}'
                )
            examples = t.get("examples") or []
            if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
                raise TaxonomyError(
                    f"{source}: theme {t['id']!r}: 'examples' must be a list of texts; got {examples!r}"
                )
            if not isinstance(t.get("description") or "", str):
                raise TaxonomyError(
                    f"{source}: theme {t['id']!r}: 'description' must be text; got {t.get('description')!r}"
                )
            themes.append(
                Theme(
                    id=t["id"],
                    labels=dict(labels),
                    description=str(t.get("description") or ""),
                    examples=tuple(examples),
                    rules=check_rules(t.get("rules"), t["id"], source),
                )
            )
        pol = data.get("polarities") or ["positive", "negative"]
        if (
            not isinstance(pol, list)
            or not pol
            or not all(isinstance(p, str) and _ID.fullmatch(p) for p in pol)
            or len(set(pol)) != len(pol)
        ):
            raise TaxonomyError(
                f"{source}: 'polarities' must be a list of distinct ids (letters, digits, _); got {pol!r}"
            )
        for key in ("name", "version", "description"):
            if data.get(key) is not None and not isinstance(data[key], (str, int, float)):
                raise TaxonomyError(f"{source}: {key!r} must be text; got {data[key]!r}")
        return cls(
            name=str(data.get("name") or Path(source).stem),
            version=str(data.get("version") or "1"),
            themes=tuple(themes),
            polarities=tuple(pol),
            description=str(data.get("description") or ""),
        )


def load_taxonomy(path: str | os.PathLike) -> Taxonomy:
    """Read a taxonomy JSON file (``{"name", "version", "themes": [{"id", "labels", ...}]}``)."""
    path = Path(path)
    if not path.exists():
        raise InputFileNotFoundError(f"{path}: taxonomy file not found")
    return Taxonomy.from_dict(read_json(path, TaxonomyError, max_bytes=50_000_000), source=str(path))


def default_taxonomy() -> Taxonomy:
    """The default taxonomy (11 themes: competence, availability, web_interface, ...)."""
    text = resources.files("npsthemes").joinpath("data/taxonomy.json").read_text(encoding="utf-8")
    return Taxonomy.from_dict(json.loads(text), source="default taxonomy")


def taxonomy_from_themes(ids: list[str], name: str = "from-labels", polarities: tuple[str, ...] = ()) -> Taxonomy:
    """A taxonomy made of the theme ids found in labelled data (labels default to the ids)."""
    default = {t.id: t for t in default_taxonomy().themes}
    themes = tuple(default.get(i, Theme(id=i)) for i in sorted(ids))
    return Taxonomy(name=name, version="1", themes=themes, polarities=tuple(polarities) or ("positive", "negative"))
