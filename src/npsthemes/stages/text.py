"""Stage 1, text analysis: the language of each comment, then tokens, lemmas and clauses (a :class:`Batch`).

:class:`TextAnalyzer` is a scikit-learn transformer over comments (strings, or a DataFrame with ``text`` and
optional ``score`` and ``language`` columns). ``fit`` learns which languages the model supports and trains the
language detector on the training comments' languages; ``transform`` gives a :class:`Batch`: the texts, their
scores and languages, and a :class:`~npsthemes.preprocessing.DocBatch` (flat token arrays, no object per comment)
that every later stage reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from ..errors import DataError
from ..preprocessing import DocBatch, LanguageDetector, TextPreprocessor

__all__ = ["Batch", "TextAnalyzer", "as_inputs", "DEFAULT_LANGUAGES"]

DEFAULT_LANGUAGES = ("fi", "sv", "en")


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def as_inputs(X: Any) -> tuple[list[str], np.ndarray, list[str | None] | None]:
    """Split X into texts, scores (float, NaN when unknown) and languages (None when not given)."""
    if isinstance(X, pd.DataFrame):
        if "text" not in X:
            raise DataError(f"X needs a 'text' column; got columns {list(X.columns)}")
        texts = X["text"].fillna("").astype(str).tolist()
        scores = (
            pd.to_numeric(X["score"], errors="coerce").to_numpy(dtype=float)
            if "score" in X
            else np.full(len(X), np.nan)
        )
        langs = None
        if "language" in X:
            langs = [None if (_missing(v) or v == "") else str(v) for v in X["language"].tolist()]
        return texts, scores, langs
    if isinstance(X, str):
        raise DataError("X must be a sequence of texts, not a single string")
    texts = ["" if _missing(v) else str(v) for v in list(X)]
    return texts, np.full(len(texts), np.nan), None


@dataclass
class Batch:
    """Analysed comments: ``texts``, ``scores`` (NaN: unknown), ``langs`` and ``docs`` (a :class:`DocBatch`)."""

    texts: list[str]
    scores: np.ndarray
    langs: list[str]
    docs: DocBatch

    def __len__(self) -> int:
        return len(self.texts)

    def take(self, idx: np.ndarray) -> Batch:
        """The comments at positions ``idx``, in that order."""
        idx = np.asarray(idx, dtype=np.int64)
        il = idx.tolist()
        return Batch([self.texts[i] for i in il], self.scores[idx], [self.langs[i] for i in il], self.docs.take(idx))

    def has_words(self) -> np.ndarray:
        """Whether each comment has a token with a letter or digit ("-", "..." have none)."""
        docs = self.docs
        flags = docs.vocab.alnum_flags()[docs.token_ids]
        owner = np.repeat(np.arange(len(docs)), np.diff(docs.doc_ptr))
        return np.bincount(owner[flags], minlength=len(docs)) > 0


class TextAnalyzer(TransformerMixin, BaseEstimator):
    """Languages, tokens, lemmas and clauses of comments.

    Parameters
    ----------
    languages : sequence of str or None
        Languages to support. None: those of the training data's ``language`` column, else fi, sv and en.

    Attributes
    ----------
    languages_ : tuple of str
        The supported languages.
    language_detector_ : LanguageDetector
        Character n-gram naive Bayes detector trained on the training comments, used for every comment whose
        language is not given (or not supported). Training comments without a language are given simplemma's
        guess first, since the detector learns from known languages.
    preprocessor_ : TextPreprocessor
        spaCy tokeniser, simplemma lemmas, clause splitting.
    """

    def __init__(self, languages: Sequence[str] | None = None):
        self.languages = languages

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags

    def fit(self, X: Any, y: Any = None) -> TextAnalyzer:
        self._fit(X)
        return self

    def _fit(self, X: Any) -> Batch:
        texts, scores, langs = as_inputs(X)
        if self.languages is not None:
            self.languages_ = tuple(self.languages)
        elif langs is not None and any(lang for lang in langs):
            self.languages_ = tuple(sorted({lang for lang in langs if lang}))
        else:
            self.languages_ = DEFAULT_LANGUAGES
        if langs is None or any(lang is None for lang in langs):
            import simplemma

            langs = [
                lang or simplemma.langdetect(t, lang=self.languages_)[0][0]
                if t.strip()
                else (lang or self.languages_[0])
                for t, lang in zip(texts, langs or [None] * len(texts))
            ]
            langs = [lang if lang in self.languages_ else self.languages_[0] for lang in langs]
        known: list[str] = [str(lang) for lang in langs]
        self.language_detector_ = LanguageDetector().fit(texts, known)
        self.preprocessor_ = TextPreprocessor(self.languages_)
        return Batch(texts, scores, known, self.preprocessor_.process_batch(texts, known))

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Batch:
        """Fit, and analyse the training comments with their given languages."""
        return self._fit(X)

    def languages_for(
        self, texts: list[str], langs: Sequence[str | None] | None, fallback: str | None = None
    ) -> list[str]:
        """The given language of each text where it is a supported one, else the detected one."""
        known = set(self.languages_)
        out: list[str | None] = [None] * len(texts)
        if langs is not None:
            out = [lang if lang in known else None for lang in langs]
        missing = [i for i, lang in enumerate(out) if lang is None]
        if missing:
            detected = self.language_detector_.detect([texts[i] for i in missing], fallback=fallback)
            for i, lang in zip(missing, detected):
                out[i] = lang
        return [str(lang) for lang in out]

    def transform(self, X: Any, fallback_language: str | None = None) -> Batch:
        """Analyse comments; ``fallback_language`` is given to comments too short to tell."""
        if not hasattr(self, "preprocessor_"):
            from ..errors import NotFittedError

            raise NotFittedError("this TextAnalyzer is not fitted yet; call fit(X) first")
        texts, scores, langs = as_inputs(X)
        langs_out = self.languages_for(texts, langs, fallback_language)
        return Batch(texts, scores, langs_out, self.preprocessor_.process_batch(texts, langs_out))

    def stop_words(self) -> frozenset[str]:
        """The stop words of every supported language (spaCy's lists)."""
        return frozenset().union(*(self.preprocessor_.stop_words(lang) for lang in self.languages_))


class SimplemmaLanguages:
    """Language detection without training data (rules-only models): simplemma's detector limited to the
    supported languages. A comment too short or unclear to tell gets ``fallback``, else the most frequent
    confident language of the batch, else the first supported language."""

    def __init__(self, languages: Sequence[str], min_score: float = 0.3):
        self.languages = tuple(languages)
        self.min_score = min_score
        self.classes_ = np.array(sorted(self.languages))
        self.majority_ = self.languages[0]

    def detect(self, texts: Sequence[str], fallback: str | None = None) -> list[str]:
        import simplemma

        guesses: list[str | None] = []
        for text in texts:
            best = simplemma.langdetect(text, lang=self.languages)[0] if sum(c.isalpha() for c in text) >= 3 else None
            guesses.append(str(best[0]) if best and best[0] in self.languages and best[1] >= self.min_score else None)
        if fallback is None:
            known = [g for g in guesses if g]
            fallback = max(set(known), key=known.count) if known else self.majority_
        return [g or fallback for g in guesses]
