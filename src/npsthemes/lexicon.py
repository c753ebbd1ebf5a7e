"""Sentiment-lexicon features for the polarity model.

A lexicon maps words to a valence from -4 (very negative) to +4 (very positive). For each clause (and each
whole comment) the positive and negative valence sums, with a simple negation rule (a word within three tokens
after a negation word in the same clause has its valence flipped and damped, as VADER does), become three dense
features: ``tanh(pos / 4)``, ``tanh(neg / 4)``, ``tanh((pos - neg) / 4)``. They tell the polarity model about
sentiment words its training data never showed it ("disappointing", "surkea", "toppen").

Lexicons:

- English: VADER's lexicon (``vader_lexicon.txt`` of the PyPI package ``vaderSentiment``, MIT licence; Hutto &
  Gilbert 2014), surface forms.
- Finnish and Swedish: ``data/lexicon_fi.tsv`` and ``data/lexicon_sv.tsv``, written for this project (lemmas as
  simplemma gives them; see the files' headers).

A fitted model keeps its lexicons inside (so its behaviour does not change when a package is upgraded).
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

import numpy as np

from ._sync import synchronized
from .features import token_values

__all__ = ["NEGATIONS", "WISH_MARKERS", "SentimentLexicon", "load_lexicon"]

#: Negation words (surface forms, lower case); spaCy splits "isn't" into "is" + "n't".
NEGATIONS: dict[str, frozenset[str]] = {
    "en": frozenset(
        {
            "not",
            "no",
            "never",
            "n't",
            "nt",
            "nothing",
            "nobody",
            "none",
            "nor",
            "neither",
            "without",
            "hardly",
            "cannot",
            "dont",
            "didnt",
            "doesnt",
            "isnt",
            "wasnt",
            "wont",
            "cant",
            "aint",
        }
    ),
    "fi": frozenset({"ei", "en", "et", "emme", "ette", "eivät", "eikä", "enkä", "etkä", "ilman", "tuskin"}),
    "sv": frozenset({"inte", "ej", "aldrig", "ingen", "inget", "inga", "utan", "knappast", "icke"}),
}
#: Wish and conditional markers (prefixes of lower-cased surface forms): "would be nice if it was cheaper", "could be
#: better", "toivoisin nopeampaa", "kunpa joku vastaisi", "önskar bättre info", "ni borde svara". A wish is
#: criticism: positive words after a marker in the same row count as negated, and the number of markers in a row
#: is a fourth feature. Two-word markers: the first word exactly, the second as a prefix ("would recommend" is
#: not a wish).
WISH_MARKERS: dict[str, tuple[str, ...]] = {
    "en": (
        "wish",
        "should",
        "hope",
        "hopefully",
        "please",
        "pls",
        "plz",
        "improve",
        "needs",
        "if only",
        "would be",
        "would like",
        "would love",
        "would prefer",
        "would have",
        "wouldve",
        "could be",
        "could do",
        "could have",
        "couldve",
        "could use",
        "might be",
    ),
    "fi": (
        "toivois",
        "toivon",
        "toivottavasti",
        "toive",
        "kunpa",
        "kunhan",
        "pitäis",
        "pitäs",
        "voisi",
        "vois",
        "olisi",
        "olis",
        "saisi",
        "sais",
        "parann",
        "kehitettävä",
        "kaipais",
        "kaipaisi",
    ),
    "sv": (
        "önska",
        "önskvär",
        "borde",
        "bör",
        "hoppas",
        "vore",
        "förbättr",
        "saknar",
        "gärna",
        "skulle vara",
        "skulle vilja",
        "skulle kunna",
        "kunde vara",
        "kunde ha",
    ),
}
_NEGATION_SCOPE = 3
_NEGATION_SCALE = -0.74  # VADER's N_SCALAR
_SCALE = 4.0


def load_lexicon(lang: str) -> tuple[dict[str, float], str]:
    """The shipped lexicon of a language: ``({word: valence}, key)`` where key is ``"surface"`` or ``"lemma"``;
    an empty dict for a language without one."""
    if lang == "en":
        try:
            text = (resources.files("vaderSentiment") / "vader_lexicon.txt").read_text(encoding="utf-8")
        except ModuleNotFoundError:  # pragma: no cover - a declared dependency
            return {}, "surface"
        out = {}
        for line in text.splitlines():
            parts = line.split("\t")
            word = parts[0].lower()
            if len(parts) >= 2 and word and " " not in word and word not in NEGATIONS["en"]:
                out[word] = float(parts[1])  # negation words act through the scope rule, not as valences
        return out, "surface"
    path = resources.files("npsthemes") / "data" / f"lexicon_{lang}.tsv"
    if not path.is_file():
        return {}, "lemma"
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, value = line.split("\t")
            out[word] = float(value)
    return out, "lemma"


class SentimentLexicon:
    """Per-language valence lexicons and negation words, scored over the classifier's token-id streams.

    Token ids index the token tables of the classifier's feature transforms (``TokenTfidf``): lemma ids for
    lemma-keyed lexicons, surface ids for surface-keyed ones and for negation words. Per-table valence arrays
    are extended lazily as new tokens appear, so scoring is a few array operations per batch.
    """

    def __init__(self, languages: Sequence[str], wishes: bool = True):
        self.languages = tuple(languages)
        self.lexicons = {lang: load_lexicon(lang) for lang in self.languages}
        self.wishes = wishes
        self._arrays: dict = {}  # (lang, what) -> (token table, values); see features.token_values

    @property
    def n_features(self) -> int:
        return 4 if self.wishes else 3

    def __getstate__(self) -> dict:
        return {"languages": self.languages, "lexicons": self.lexicons, "wishes": self.wishes}

    def __setstate__(self, state: dict) -> None:
        self.languages, self.lexicons, self._arrays = state["languages"], state["lexicons"], {}
        self.wishes = state.get("wishes", False)  # models saved before the wish markers keep three features

    def _values(self, lang: str, what: str, tokens: list[str]) -> np.ndarray:
        """Valence (what="valence") or negation flag (what="negation") of every token of a token table."""
        if what == "valence":
            lex = self.lexicons.get(lang, ({}, "surface"))[0]
            return token_values(self._arrays, (lang, what), tokens, lambda t: lex.get(t, 0.0), np.float64)
        if what == "wish":
            marks = tuple(m for m in WISH_MARKERS.get(lang, ()) if " " not in m)
            return token_values(self._arrays, (lang, what), tokens, lambda t: t.startswith(marks), bool)
        if what in ("wish1", "wish2"):  # first and second words of the two-word markers
            pairs = [m.split(" ", 1) for m in WISH_MARKERS.get(lang, ()) if " " in m]
            if what == "wish1":
                firsts = {a for a, _ in pairs}
                return token_values(self._arrays, (lang, what), tokens, lambda t: t in firsts, bool)
            seconds = tuple(b for _, b in pairs)
            return token_values(self._arrays, (lang, what), tokens, lambda t: t.startswith(seconds), bool)
        neg = NEGATIONS.get(lang, frozenset())
        return token_values(self._arrays, (lang, what), tokens, lambda t: t in neg, bool)

    @synchronized
    def features(
        self,
        lang_index: np.ndarray,
        surface_ids: np.ndarray,
        surface_tokens: list[str],
        lemma_ids: np.ndarray,
        lemma_tokens: list[str],
        row_of_token: np.ndarray,
        n_rows: int,
    ) -> np.ndarray:
        """Dense (n_rows, 3) features of rows of tokens (4 with ``wishes``: the wish-marker count, squashed).
        ``lang_index[k]`` is the position in ``languages`` of token k's language, ``row_of_token[k]`` the row
        (clause or comment) it belongs to, in order; negation does not cross rows. Returns ``tanh(pos / 4)``,
        ``tanh(neg / 4)`` and ``tanh((pos - neg) / 4)``. Thread-safe (the per-table values grow under this
        object's lock)."""
        valence = np.zeros(len(surface_ids))
        negator = np.zeros(len(surface_ids), dtype=bool)
        wisher = np.zeros(len(surface_ids), dtype=bool)
        first, second = np.zeros_like(wisher), np.zeros_like(wisher)
        for code, lang in enumerate(self.languages):
            mask = lang_index == code
            if not mask.any():
                continue
            lex_key = self.lexicons.get(lang, ({}, "surface"))[1]
            ids, tokens = (lemma_ids, lemma_tokens) if lex_key == "lemma" else (surface_ids, surface_tokens)
            valence[mask] = self._values(lang, "valence", tokens)[ids[mask]]
            negator[mask] = self._values(lang, "negation", surface_tokens)[surface_ids[mask]]
            if self.wishes:
                ids = surface_ids[mask]
                wisher[mask] = self._values(lang, "wish", surface_tokens)[ids]
                first[mask] = self._values(lang, "wish1", surface_tokens)[ids]
                second[mask] = self._values(lang, "wish2", surface_tokens)[ids]
        negated = np.zeros(len(valence), dtype=bool)
        for shift in range(1, _NEGATION_SCOPE + 1):
            if len(valence) > shift:
                negated[shift:] |= negator[:-shift] & (row_of_token[shift:] == row_of_token[:-shift])
        if len(wisher) > 1:  # a two-word marker: its first word within the row of the second
            wisher[:-1] |= first[:-1] & second[1:] & (row_of_token[:-1] == row_of_token[1:])
        if self.wishes and wisher.any():  # positive words after a wish marker in the same row: wished for, not had
            pos_k = np.arange(len(wisher))
            last = np.maximum.accumulate(np.where(wisher, pos_k, -1))
            wished = (last >= 0) & (last < pos_k) & (row_of_token[np.maximum(last, 0)] == row_of_token)
            negated |= wished & (valence > 0)
        valence = np.where(negated, valence * _NEGATION_SCALE, valence)
        pos = np.bincount(row_of_token, weights=np.clip(valence, 0, None), minlength=n_rows)
        neg = np.bincount(row_of_token, weights=np.clip(-valence, 0, None), minlength=n_rows)
        cols: list[np.ndarray] = [pos, neg, pos - neg]
        if self.wishes:
            cols.append(np.bincount(row_of_token, weights=wisher.astype(float), minlength=n_rows) * _SCALE / 2)
        return np.tanh(np.column_stack(cols) / _SCALE).astype(np.float32)
