"""Text preprocessing for Finnish, Swedish and English survey comments.

- Tokenisation with spaCy's blank pipelines (``spacy.blank("fi"/"sv"/"en")``; nothing is downloaded) and
  sentence splitting by the rule of spaCy's ``sentencizer`` (its punctuation list, applied while the tokens
  are read, which is several times faster than running the pipe).
- Lemmas from ``simplemma``, cached per (language, token): the same words repeat in survey data.
- Lower-casing; URLs, e-mail addresses and numbers normalised to ``URL``, ``EMAIL`` and ``NUM``.
- Clause splitting at sentence ends and before contrast words ("mutta", "vaikka", "men", "fast", "but",
  "although", ...), so that one comment can praise one theme and criticise another.
- Language detection per comment limited to the configured languages (:class:`LanguageDetector`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Doc", "TextPreprocessor", "LanguageDetector", "CONTRAST_WORDS", "normalize_text"]

#: Words that start a new clause: one comment can praise one thing and criticise another.
CONTRAST_WORDS: dict[str, frozenset[str]] = {
    "fi": frozenset({"mutta", "mut", "mutku", "vaikka", "kuitenkin", "toisaalta", "paitsi", "silti", "joskin",
                     "vaan", "valitettavasti", "harmi", "harmillisesti", "miinuksena", "plussana"}),
    "sv": frozenset({"men", "fast", "dock", "däremot", "förutom", "trots", "tyvärr", "annars"}),
    "en": frozenset({"but", "although", "though", "however", "except", "whereas", "unfortunately",
                     "otherwise", "apart", "sadly"}),
}
_SENT_PUNCT = frozenset(__import__("spacy.pipeline", fromlist=["Sentencizer"]).Sentencizer.default_punct_chars)
_BULLETS = {"+", "-", "–", "•", "*", ";", "|", "/"}

_URL = re.compile(r"(https?://\S+|www\.\S+)", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_NUM = re.compile(r"^[+-]?\d[\d\s.,:/%-]*$")
_WORD = re.compile(r"\w", re.U)
_NON_LETTERS = re.compile(r"[\W\d_]+", re.U)


_WORDS = re.compile(r"[^\W\d_]+", re.U)


def _words(text: str) -> list[str]:
    """Lower-cased runs of letters: the language detector's tokens (punctuation and digits say nothing about
    the language, and dropping them keeps the per-token cache small)."""
    return _WORDS.findall(text.lower())


def normalize_text(text: str) -> str:
    """Lower-case and replace URLs and e-mail addresses by placeholders."""
    if "http" in text or "www." in text or "WWW." in text:
        text = _URL.sub(" URL ", text)
    if "@" in text:
        text = _EMAIL.sub(" EMAIL ", text)
    return text.lower()


@dataclass
class Doc:
    """A preprocessed comment: tokens (lower-case surface forms), lemmas, and clause spans (token offsets)."""

    text: str
    lang: str
    tokens: list[str] = field(default_factory=list)
    lemmas: list[str] = field(default_factory=list)
    clauses: list[tuple[int, int]] = field(default_factory=list)
    ids: dict = field(default_factory=dict, repr=False)  # feature-cache ids per vectorizer (internal)

    @property
    def lemma_text(self) -> str:
        return " ".join(self.lemmas)

    def clause_lemma_texts(self) -> list[str]:
        return [" ".join(self.lemmas[a:b]) for a, b in self.clauses] or [""]

    def clause_surface_texts(self) -> list[str]:
        return [" ".join(self.tokens[a:b]) for a, b in self.clauses] or [""]


class TextPreprocessor:
    """Tokenise, lemmatise and split comments into clauses, per language.

    Parameters
    ----------
    languages:
        Languages to support (spaCy blank pipelines and simplemma lemmas are used for each).
    """

    def __init__(self, languages: Sequence[str] = ("fi", "sv", "en")):
        self.languages = tuple(languages)
        self._nlp: dict[str, object] = {}
        self._lemma_cache: dict[tuple[str, str], str] = {}
        self._stop: dict[str, frozenset[str]] = {}
        self._token_cache: dict[str, dict[int, tuple[str, str, int]]] = {}

    def __getstate__(self) -> dict:
        # spaCy pipelines and caches are rebuilt after loading
        return {"languages": self.languages}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["languages"])

    def _pipeline(self, lang: str):
        nlp = self._nlp.get(lang)
        if nlp is None:
            import spacy

            try:
                nlp = spacy.blank(lang)
            except Exception:  # an unsupported language code: fall back to the multi-language tokenizer
                nlp = spacy.blank("xx")
            self._nlp[lang] = nlp
        return nlp

    def stop_words(self, lang: str) -> frozenset[str]:
        """spaCy's stop-word list of the language (empty for unknown languages)."""
        stop = self._stop.get(lang)
        if stop is None:
            stop = self._stop[lang] = frozenset(getattr(self._pipeline(lang).Defaults, "stop_words", ()) or ())
        return stop

    def lemma(self, token: str, lang: str) -> str:
        key = (lang, token)
        cached = self._lemma_cache.get(key)
        if cached is not None:
            return cached
        if not _WORD.search(token):
            lem = token
        elif _NUM.match(token):
            lem = "NUM"
        elif token in ("url", "email"):
            lem = token.upper()
        else:
            try:
                import simplemma

                lem = simplemma.lemmatize(token, lang=lang).lower()
            except (ValueError, KeyError):
                lem = token
        if len(self._lemma_cache) < 500_000:
            self._lemma_cache[key] = lem
        return lem

    def _token_info(self, lang: str, nlp, orth: int) -> tuple[str, str, int]:
        """(surface, lemma, kind) of a token hash; kind 0 word, 1 contrast word, 2 bullet/separator, 3 space."""
        cache = self._token_cache.setdefault(lang, {})
        info = cache.get(orth)
        if info is None:
            text = nlp.vocab.strings[orth]
            if not text.strip():
                kind = 3
            elif text in _BULLETS:
                kind = 2
            elif text in CONTRAST_WORDS.get(lang, ()):
                kind = 1
            else:
                kind = 0
            info = (text, self.lemma(text, lang), kind)
            if len(cache) < 1_000_000:
                cache[orth] = info
        return info

    def process(self, texts: Sequence[str], langs: Sequence[str]) -> list[Doc]:
        """Preprocess ``texts`` whose languages are given (one per text)."""
        from spacy.attrs import ORTH

        docs: list[Doc | None] = [None] * len(texts)
        by_lang: dict[str, list[int]] = {}
        for i, lang in enumerate(langs):
            by_lang.setdefault(lang, []).append(i)
        for lang, idx in by_lang.items():
            nlp = self._pipeline(lang)
            normed = (normalize_text(texts[i]) for i in idx)
            for i, sdoc in zip(idx, nlp.tokenizer.pipe(normed, batch_size=2000)):
                tokens: list[str] = []
                lemmas: list[str] = []
                clauses: list[tuple[int, int]] = []
                start = 0
                after_punct = False
                cache = self._token_cache.setdefault(lang, {})
                for orth in sdoc.to_array(ORTH).tolist():
                    info = cache.get(orth)
                    surface, lem, kind = info if info is not None else self._token_info(lang, nlp, orth)
                    if kind == 3:
                        continue
                    # the sentencizer's rule: a sentence starts at the first non-punctuation token after one
                    is_punct = surface in _SENT_PUNCT
                    sent_start = after_punct and not is_punct
                    after_punct = is_punct or (after_punct and not sent_start)
                    if (sent_start or kind) and len(tokens) > start:
                        clauses.append((start, len(tokens)))
                        start = len(tokens)
                    if kind == 2:
                        continue
                    tokens.append(surface)
                    lemmas.append(lem)
                if len(tokens) > start:
                    clauses.append((start, len(tokens)))
                docs[i] = Doc(texts[i], lang, tokens, lemmas, clauses)
        return docs  # type: ignore[return-value]


class LanguageDetector:
    """Language identification limited to the languages of the training data.

    A character n-gram (1-4, within word boundaries, over runs of letters) naive Bayes model. Comments too
    short or ambiguous to tell (fewer than ``min_letters`` letters, or the best probability below
    ``min_confidence``) get the fallback
    language: the one given, else the most frequent language among the confident comments of the same batch,
    else the most frequent language of the training data.
    """

    def __init__(self, min_letters: int = 3, min_confidence: float = 0.6, alpha: float = 0.05):
        self.min_letters = min_letters
        self.min_confidence = min_confidence
        self.alpha = alpha

    def fit(self, texts: Sequence[str], langs: Sequence[str]) -> LanguageDetector:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.naive_bayes import MultinomialNB

        langs = [str(x) for x in langs]
        self.classes_ = np.array(sorted(set(langs)))
        values, counts = np.unique(langs, return_counts=True)
        self.majority_ = str(values[np.argmax(counts)])
        if len(self.classes_) == 1:
            self.vectorizer_ = None
            self.model_ = None
            return self
        self.vectorizer_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), min_df=2, sublinear_tf=True,
                                           lowercase=True, dtype=np.float32)
        X = self.vectorizer_.fit_transform([" ".join(_words(t)) for t in texts])
        self.model_ = MultinomialNB(alpha=self.alpha).fit(X, langs)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if self.model_ is None:
            return np.ones((len(texts), 1))
        from .features import TokenTfidf

        fast = self.__dict__.get("_fast")
        if fast is None:
            fast = self._fast = TokenTfidf(self.vectorizer_)
        X = fast.transform([_words(t) for t in texts])
        return self.model_.predict_proba(X)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_fast", None)
        return state

    def detect(self, texts: Sequence[str], fallback: str | None = None) -> list[str]:
        texts = list(texts)
        if not texts:
            return []
        if self.model_ is None:
            return [str(self.classes_[0])] * len(texts)
        proba = self.predict_proba(texts)
        best = proba.argmax(axis=1)
        conf = proba.max(axis=1)
        letters = np.array([len(_NON_LETTERS.sub("", t)) for t in texts])
        confident = (letters >= self.min_letters) & (conf >= self.min_confidence)
        if fallback is None:
            if confident.any():
                vals, cnt = np.unique(best[confident], return_counts=True)
                fallback = str(self.classes_[vals[np.argmax(cnt)]])
            else:
                fallback = self.majority_
        return [str(self.classes_[b]) if ok else fallback for b, ok in zip(best, confident)]
