"""Lemma dictionaries shipped with a model, so that the first call does not wait for simplemma's.

simplemma reads its dictionary of a language the first time it lemmatises a word of it: for Finnish that is
3.5 million entries decoded in pure Python (about 4 s, and about 500 MB of memory), for Swedish about 1 s. A model
directory can carry the dictionaries of its languages as MARISA tries (``lemmas_<lang>.marisa``, built from
simplemma's own dictionaries when the model is saved, listed with their SHA-256 in the manifest): they load in
milliseconds and take a few MB. simplemma's lemmatisation strategies then run on them unchanged, so every lemma
is the one simplemma gives with the dictionaries of the version the model was saved with; a model directory
without them uses simplemma's dictionaries as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "LEMMA_FILE",
    "lemma_file_name",
    "is_lemma_file",
    "model_lemma_files",
    "checked_tables",
    "build_lemma_table",
    "LemmaTables",
]

LEMMA_FILE = re.compile(r"lemmas_([a-z]{2,3})\.marisa")


def lemma_file_name(lang: str) -> str:
    return f"lemmas_{lang}.marisa"


def is_lemma_file(name: str) -> bool:
    return LEMMA_FILE.fullmatch(name) is not None


def model_lemma_files(model_dir: str | Path | None, files: Mapping[str, Any]) -> dict[str, tuple[Path, str]]:
    """The lemma files a model's manifest lists (``files``: name -> entry with ``sha256``): language -> (path in
    ``model_dir``, SHA-256). Empty without a directory."""
    if model_dir is None:
        return {}
    out = {}
    for name, info in files.items():
        found = LEMMA_FILE.fullmatch(name)
        if found:
            sha = info.sha256 if hasattr(info, "sha256") else info.get("sha256")
            out[found.group(1)] = (Path(model_dir) / name, str(sha))
    return out


def checked_tables(tables: Mapping[str, tuple[Path | bytes, str]]) -> LemmaTables | None:
    """:class:`LemmaTables` over lemma files (paths or their bytes) whose SHA-256 is checked first against the
    one given (a :class:`~npsthemes.errors.ModelIntegrityError` names the one that differs); None when there
    are none."""
    import hashlib

    from .errors import ModelIntegrityError

    checked: dict[str, Path | bytes] = {}
    for lang, (data, want) in tables.items():
        if isinstance(data, bytes):
            got, what = hashlib.sha256(data).hexdigest(), f"the lemma file for {lang!r}"
        else:
            from .persistence import sha256_file

            got, what = sha256_file(data), str(data)
        if got != want:
            raise ModelIntegrityError(f"{what}: does not match its SHA-256 in the manifest; refusing to load it")
        checked[lang] = data
    return LemmaTables(checked) if checked else None


@lru_cache(maxsize=1)
def simplemma_dictionaries() -> Any:
    """simplemma's own dictionary factory (the process-wide one since simplemma 2.0, which its ``lemmatize``
    shares; a new one before)."""
    try:
        from simplemma.strategies.dictionaries.dictionary_factory import DEFAULT_DICTIONARY_FACTORY
    except ImportError:  # simplemma < 2
        from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

        return DefaultDictionaryFactory()
    return DEFAULT_DICTIONARY_FACTORY


@lru_cache(maxsize=8)
def build_lemma_table(lang: str) -> bytes | None:
    """simplemma's dictionary of ``lang`` as the bytes of a MARISA trie (None: simplemma has no dictionary for
    the language). Built once per process."""
    from marisa_trie import BytesTrie

    try:
        dictionary = simplemma_dictionaries().get_dictionary(lang)
    except (ValueError, KeyError):
        return None
    trie = BytesTrie((key, value.encode("utf-8")) for key, value in dictionary.items())
    return bytes(trie.tobytes())


class _TrieMapping(Mapping):
    """A read-only ``str -> str`` view of a BytesTrie (what simplemma's strategies read a dictionary through)."""

    __slots__ = ("_trie",)

    def __init__(self, trie: Any) -> None:
        self._trie = trie

    def get(self, key: Any, default: Any = None) -> Any:
        value = self._trie.get(key)
        return value[0].decode("utf-8") if value else default

    def __getitem__(self, key: str) -> str:
        value = self._trie.get(key)
        if not value:
            raise KeyError(key)
        return str(value[0].decode("utf-8"))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._trie

    def __iter__(self) -> Iterator[str]:
        return iter(self._trie.keys())

    def __len__(self) -> int:
        return len(self._trie)


class LemmaTables:
    """simplemma's ``DictionaryFactory`` protocol over a model's lemma files (other languages: simplemma's own
    dictionaries). ``lemmatizer()`` gives a ``simplemma.Lemmatizer`` that uses them."""

    def __init__(self, paths: Mapping[str, Path | bytes]):
        """``paths``: language -> a lemma file, or its bytes."""
        self.paths = dict(paths)
        self._loaded: dict[str, Mapping[str, str]] = {}

    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        found = self._loaded.get(lang)
        if found is None:
            path = self.paths.get(lang)
            if path is None:
                found = simplemma_dictionaries().get_dictionary(lang)
            else:
                from marisa_trie import BytesTrie

                trie = BytesTrie()
                found = _TrieMapping(trie.frombytes(path) if isinstance(path, bytes) else trie.load(str(path)))
            self._loaded[lang] = found
        return found

    def lemmatizer(self) -> Any:
        from simplemma import Lemmatizer
        from simplemma.strategies import DefaultStrategy

        return Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=self))
