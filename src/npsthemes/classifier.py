"""`ThemeClassifier`: a scikit-learn estimator that tags comments with themes, each with a polarity.

Stages (each inspectable after ``fit``):

1. Language: the comment's language (given in the input, or detected by a character n-gram model trained on
   the training data's languages).
2. Preprocessing: spaCy blank tokeniser + sentencizer, simplemma lemmas, clause splitting at contrast words.
3. Theme detection: word 1-2-gram TF-IDF over lemmas + character 2-5-gram TF-IDF over the lower-cased text
   (+ optional sentence embeddings), one logistic regression per theme on the n-grams scaled by that theme's
   Naive Bayes log-count ratios (``nb_weighting``), with a per-theme decision threshold tuned by
   cross-validation on the training data only.
4. Polarity: for each detected theme, the clause of the comment that mentions the theme most strongly gives the
   context; a logistic regression over [clause n-grams, theme] predicts the polarity from the text, and the NPS
   category of the score enters only as a weak prior (``score_weight``). The score is a prior, not the answer:
   a promoter can still criticise a theme. (Chosen by cross-validation on the training split: adding the whole
   comment's n-grams or a stronger prior made polarity follow the score and get score/text disagreements wrong.)

Inputs ``X``: a sequence of strings, or a DataFrame with a ``text`` column and optional ``score`` (0-10) and
``language`` columns. Targets ``y``: one label set per comment, as ``"theme:polarity;theme:polarity"`` strings,
dicts ``{theme: polarity}`` or lists of ``(theme, polarity)`` pairs. ``predict`` returns label strings in the
same ``theme:polarity`` format; ``predict_proba`` the theme probabilities with columns ``classes_``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import KFold

from .errors import DataError, MissingDependencyError, NotFittedError
from .features import TokenTfidf, nb_log_ratios, token_values
from .labelled import parse_labels
from .lexicon import SentimentLexicon
from .preprocessing import Doc, DocBatch, LanguageDetector, TextPreprocessor, _ranges

__all__ = ["ThemeClassifier", "theme_metrics"]

_CATS = ("promoter", "passive", "detractor")


def _as_inputs(X: Any) -> tuple[list[str], np.ndarray, list[str | None] | None]:
    """Split X into texts, scores (float, NaN when unknown) and languages (or None)."""
    if isinstance(X, pd.DataFrame):
        if "text" not in X:
            raise DataError(f"X needs a 'text' column; got columns {list(X.columns)}")
        texts = X["text"].fillna("").astype(str).tolist()
        scores = (pd.to_numeric(X["score"], errors="coerce").to_numpy(dtype=float) if "score" in X
                  else np.full(len(X), np.nan))
        langs = None
        if "language" in X:
            langs = [None if (v is None or (isinstance(v, float) and np.isnan(v)) or v == "") else str(v)
                     for v in X["language"].tolist()]
        return texts, scores, langs
    if isinstance(X, str):
        raise DataError("X must be a sequence of texts, not a single string")
    texts = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in list(X)]
    return texts, np.full(len(texts), np.nan), None


def _as_label_sets(y: Any) -> list[dict[str, str]]:
    if isinstance(y, pd.Series):
        y = y.tolist()
    try:
        return [parse_labels(v) for v in y]
    except ValueError as exc:
        raise DataError(f"y: {exc}") from exc


def _category_index(scores: np.ndarray) -> np.ndarray:
    """0 promoter, 1 passive, 2 detractor, 3 unknown score."""
    scores = np.asarray(scores, dtype=float)
    out = np.full(len(scores), 3)
    known = ~np.isnan(scores)
    out[known & (scores >= 9)] = 0
    out[known & (scores >= 7) & (scores < 9)] = 1
    out[known & (scores < 7)] = 2
    return out


_THRESHOLD_GRID = np.arange(0.1, 0.91, 0.025)


def tune_thresholds(proba: np.ndarray, Y: np.ndarray, objective: str = "micro_f1") -> np.ndarray:
    """Per-theme decision thresholds from out-of-fold probabilities ``proba`` and gold indicators ``Y``.

    ``"theme_f1"``: each theme's threshold maximises that theme's F1. ``"micro_f1"``: start there, then
    coordinate ascent (three passes over the themes) on the micro F1 over all (comment, theme) pairs, which
    also weighs a weak theme's false positives against the other themes' hits. Ties take the median of the
    best grid points. Themes with fewer than 3 positives keep 0.5.
    """
    if objective not in ("theme_f1", "micro_f1"):
        raise ValueError(f"threshold objective must be 'theme_f1' or 'micro_f1', got {objective!r}")
    Y = np.asarray(Y, dtype=bool)
    grid = _THRESHOLD_GRID
    thresholds = np.full(Y.shape[1], 0.5)
    tunable = [j for j in range(Y.shape[1]) if Y[:, j].sum() >= 3]
    # per grid point and theme: predicted positives and true positives
    above = proba[:, None, :] >= grid[None, :, None]  # (n, grid, themes)
    n_pred = above.sum(axis=0)
    n_tp = (above & Y[:, None, :]).sum(axis=0)
    n_gold = Y.sum(axis=0)

    def best(scores: np.ndarray) -> float:
        top = np.flatnonzero(np.isclose(scores, scores.max()))
        return float(np.median(grid[top]))

    for j in tunable:
        thresholds[j] = best(2 * n_tp[:, j] / np.maximum(n_pred[:, j] + n_gold[j], 1))
    if objective == "micro_f1" and tunable:
        for _ in range(3):
            for j in tunable:
                current = proba >= thresholds
                pred, tp = current.sum(axis=0), (current & Y).sum(axis=0)
                other_pred, other_tp = pred.sum() - pred[j], tp.sum() - tp[j]
                micro = 2 * (other_tp + n_tp[:, j]) / np.maximum(other_pred + n_pred[:, j] + n_gold.sum(), 1)
                now = 2 * tp.sum() / max(pred.sum() + n_gold.sum(), 1)
                if micro.max() > now + 1e-12:  # never worse than the current (possibly off-grid) threshold
                    thresholds[j] = best(micro)
    return thresholds


def theme_metrics(
    y_true: Sequence[dict[str, str]], y_pred: Sequence[dict[str, str]], classes: Sequence[str]
) -> dict[str, Any]:
    """Micro/macro precision, recall and F1 over (comment, theme) pairs, per theme, and coverage."""
    classes = [str(c) for c in classes]
    per_theme = {}
    tp_all = fp_all = fn_all = 0
    for t in classes:
        tp = sum(1 for a, b in zip(y_true, y_pred) if t in a and t in b)
        fp = sum(1 for a, b in zip(y_true, y_pred) if t not in a and t in b)
        fn = sum(1 for a, b in zip(y_true, y_pred) if t in a and t not in b)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per_theme[t] = {"precision": p, "recall": r, "f1": f, "support": tp + fn}
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
    mp = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    mr = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    mf = 2 * mp * mr / (mp + mr) if mp + mr else 0.0
    supported = [v["f1"] for v in per_theme.values() if v["support"] > 0]
    return {
        "n": len(y_true),
        "micro_precision": mp,
        "micro_recall": mr,
        "micro_f1": mf,
        "macro_f1": float(np.mean(supported)) if supported else 0.0,
        "coverage": float(np.mean([len(b) > 0 for b in y_pred])) if len(y_pred) else 0.0,
        "per_theme": per_theme,
    }


def empty_tag_frame() -> pd.DataFrame:
    """The frame :meth:`ThemeClassifier.tag_frame` returns when no comment gets a theme, with the column types of
    a non-empty one (text columns as object, so string operations on them work under pandas 2 and 3)."""
    return pd.DataFrame({
        "row": np.array([], dtype=np.int64), "theme": np.array([], dtype=object),
        "polarity": np.array([], dtype=object), "probability": np.array([], dtype=float),
        "polarity_probability": np.array([], dtype=float), "evidence": np.array([], dtype=object),
        "clause": np.array([], dtype=object),
    })


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label theme tagger with a polarity per theme mention.

    Parameters
    ----------
    themes : list of str or None
        Theme ids (e.g. a taxonomy's ids). None: the themes found in ``y``.
    languages : tuple of str or None
        Languages to support. None: those of the training data's ``language`` column, else fi, sv, en.
    word_ngram_range, char_ngram_range : tuple
        N-gram ranges of the word (lemma) and character TF-IDF features.
    min_df : int
        Minimum document frequency of an n-gram.
    C : float
        Inverse regularisation of the per-theme logistic regressions.
    nb_weighting : bool
        Scale the n-gram features, per theme, by their Naive Bayes log-count ratios before that theme's logistic
        regression (NBSVM-style; see :func:`npsthemes.features.nb_log_ratios`). The scaling is folded into the
        fitted coefficients, so tagging costs nothing extra. Embedding features are not scaled.
    polarity_C : float
        Inverse regularisation of the polarity model.
    class_weight : str or None
        Class weights of the per-theme models (``"balanced"`` helps rare themes).
    threshold_cv : int
        Folds for tuning the per-theme thresholds on the training data (0: threshold 0.5 for all).
    threshold_objective : str
        What the thresholds maximise on the out-of-fold probabilities: ``"micro_f1"`` (over all (comment, theme)
        pairs) or ``"theme_f1"`` (each theme's own F1). See :func:`tune_thresholds`.
    min_themes : {"auto", 0, 1}
        1: a comment with words but no theme above its threshold gets its most probable theme (for taxonomies
        with a catch-all theme, where every comment has one). 0: never. ``"auto"``: 1 if every training comment
        has at least one theme, else 0 (survey data has "ok" and "-" answers, so the default corpus gives 0).
    score_weight : float
        Weight of the NPS-category prior in the polarity decision: log p(polarity) = log p_text +
        score_weight * log p(polarity | category of the score). Kept small, so the prior only breaks near-ties
        and the clause's words decide (a promoter can still criticise a theme). 0: text only.
    embedding_model : str or None
        Path of a local sentence-transformers model whose embeddings are concatenated to the n-gram features
        (extra ``embeddings``). Nothing is downloaded: the path must exist locally.
    embedding_weight : float
        Scale of the embedding block relative to the TF-IDF blocks.
    polarity_class_weight : str or None
        Class weights of the polarity model (``"balanced"`` or None). None maximises accuracy; chosen by
        cross-validation on the training splits of the default corpus and of SemEval-2014 (where the rare
        "conflict" class made balanced weights cost two points of accuracy).
    polarity_context : str
        ``"clause"``: the polarity model sees the clause that mentions the theme; ``"clause+comment"``: also the
        whole comment (down-weighted).
    lexicon_weight : float
        Scale of the sentiment-lexicon features of the polarity model (positive and negative valence sums of
        the clause and of the comment, with negation; see lexicon.py). 0: no lexicon features.
    random_state : int
        Seed of the threshold cross-validation.

    Attributes
    ----------
    classes_ : ndarray of str
        Theme ids, the columns of ``predict_proba``.
    polarity_classes_ : ndarray of str
        Polarity labels seen in training.
    thresholds_ : ndarray of float
        Per-theme decision thresholds.
    min_themes_ : int
        The resolved ``min_themes``.
    languages_ : tuple of str
        Languages the model was trained on.

    Examples
    --------
    >>> clf = ThemeClassifier(threshold_cv=0)
    >>> X = ["Fast and friendly", "Too expensive", "Slow handling", "Cheap and fast", "ok", "friendly staff"] * 3
    >>> y = ["speed:positive;personal_service:positive", "price:negative", "speed:negative",
    ...      "price:positive;speed:positive", "", "personal_service:positive"] * 3
    >>> clf.fit(X, y).classes_.tolist()
    ['personal_service', 'price', 'speed']
    """

    def __init__(
        self,
        themes: Sequence[str] | None = None,
        languages: Sequence[str] | None = None,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 2,
        C: float = 8.0,
        nb_weighting: bool = True,
        polarity_C: float = 4.0,
        class_weight: str | None = "balanced",
        threshold_cv: int = 5,
        threshold_objective: str = "micro_f1",
        min_themes: int | str = "auto",
        score_weight: float = 0.25,
        polarity_class_weight: str | None = None,
        polarity_context: str = "clause",
        embedding_model: str | None = None,
        embedding_weight: float = 1.0,
        lexicon_weight: float = 1.0,
        random_state: int = 0,
    ):
        self.themes = themes
        self.languages = languages
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.C = C
        self.nb_weighting = nb_weighting
        self.polarity_C = polarity_C
        self.class_weight = class_weight
        self.threshold_cv = threshold_cv
        self.threshold_objective = threshold_objective
        self.min_themes = min_themes
        self.score_weight = score_weight
        self.polarity_class_weight = polarity_class_weight
        self.polarity_context = polarity_context
        self.embedding_model = embedding_model
        self.embedding_weight = embedding_weight
        self.lexicon_weight = lexicon_weight
        self.random_state = random_state

    # ------------------------------------------------------------------ internals
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.multi_output = True
        tags.non_deterministic = False
        return tags

    def _check_fitted(self) -> None:
        if not hasattr(self, "theme_models_"):
            raise NotFittedError("this ThemeClassifier is not fitted yet; call fit(X, y) or load a model")

    def _embedder(self):
        if self.embedding_model is None:
            return None
        model = getattr(self, "_embedder_obj", None)
        if model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise MissingDependencyError(
                    "the embeddings stage needs sentence-transformers: pip install 'npsthemes[embeddings]'"
                ) from exc
            import os

            if not os.path.exists(str(self.embedding_model)):
                raise DataError(f"embedding model path {self.embedding_model!r} does not exist (nothing is "
                                "downloaded; give a local sentence-transformers model directory)")
            model = SentenceTransformer(str(self.embedding_model), device="cpu")
            self._embedder_obj = model
        return model

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        for derived in ("_embedder_obj", "_fast_vectorizers", "_word_flags", "_feature_names", "_word_coef",
                        "_informative", "_feature_parts", "_theme_coef", "_evidence_of"):
            state.pop(derived, None)
        return state

    #: Parameters added after the first release, with the values that reproduce models saved before them.
    _ADDED_PARAMS = {"threshold_objective": "theme_f1", "min_themes": 0, "lexicon_weight": 0.0, "nb_weighting": False}

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for name, value in self._ADDED_PARAMS.items():  # a model pickled before these parameters existed
            self.__dict__.setdefault(name, value)

    def _languages_for(self, texts: list[str], langs: list[str | None] | None, fallback: str | None = None
                       ) -> list[str]:
        known = set(self.languages_)
        out: list[str | None] = [None] * len(texts)
        if langs is not None:
            out = [lang if lang in known else None for lang in langs]
        missing = [i for i, lang in enumerate(out) if lang is None]
        if missing:
            detected = self.language_detector_.detect([texts[i] for i in missing], fallback=fallback)
            for i, lang in zip(missing, detected):
                out[i] = lang
        return out  # type: ignore[return-value]

    def _surface(self, docs: list[Doc]) -> list[str]:
        return [" ".join(d.tokens) for d in docs]

    def _fast(self, which: str) -> TokenTfidf:
        """Cached-token transforms equal to the fitted vectorizers' ``transform`` (see features.py)."""
        fast = self.__dict__.setdefault("_fast_vectorizers", {})
        vectorizer = self.word_vectorizer_ if which == "word" else self.char_vectorizer_
        if which not in fast or fast[which].vectorizer is not vectorizer:  # none yet, or fitted again
            fast[which] = TokenTfidf(vectorizer)
        return fast[which]

    def _comment_features(self, docs: Sequence[Doc], texts: list[str]) -> sp.csr_matrix:
        word, char = self._fast("word"), self._fast("char")
        w_flat, c_flat, indptr = self._flat_ids(docs)
        blocks = [word.transform_flat(w_flat, indptr), char.transform_flat(c_flat, indptr)]
        emb = self._embedder()
        if emb is not None:
            vec = emb.encode(list(texts), batch_size=64, show_progress_bar=False, normalize_embeddings=True)
            blocks.append(sp.csr_matrix(np.asarray(vec, dtype=np.float32) * self.embedding_weight))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def _token_rows(self, vocab) -> tuple[np.ndarray, np.ndarray]:
        """For every token of the preprocessor's vocabulary (by its id): its id in the word-block cache (by lemma)
        and in the char-block cache (by surface form). Each distinct token is looked up once."""
        word, char = self._fast("word"), self._fast("char")
        fast = self.__dict__["_fast_vectorizers"]
        rows = fast.get("rows")
        if rows is None or rows[0] is not vocab or rows[1] is not word or rows[2] is not char:
            rows = fast["rows"] = [vocab, word, char, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)]
        done, n = len(rows[3]), len(vocab.surface)
        if done < n:
            rows[3] = np.concatenate([rows[3], word.token_ids(vocab.lemma[done:n])])
            rows[4] = np.concatenate([rows[4], char.token_ids(vocab.surface[done:n])])
        return rows[3], rows[4]

    def _flat_ids(self, docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Word ids, char ids (concatenated over docs) and the docs' row boundaries."""
        if isinstance(docs, DocBatch):
            tokens, indptr, vocab = docs.token_ids, docs.doc_ptr, docs.vocab
        else:
            lengths = np.fromiter((len(d.tokens) for d in docs), dtype=np.int64, count=len(docs))
            indptr = np.concatenate([[0], np.cumsum(lengths)])
            vocab = docs[0].ids.get("vocab") if len(docs) else None
            if vocab is None or any(d.ids.get("vocab") is not vocab for d in docs):  # Docs made elsewhere
                word, char = self._fast("word"), self._fast("char")
                w = [word.token_ids(d.lemmas) for d in docs]
                c = [char.token_ids(d.tokens) for d in docs]
                empty = np.zeros(0, dtype=np.int64)
                return (np.concatenate(w) if w else empty), (np.concatenate(c) if c else empty), indptr
            tokens = np.concatenate([d.ids["token"] for d in docs])
        word_rows, char_rows = self._token_rows(vocab)
        return word_rows[tokens], char_rows[tokens], indptr

    @staticmethod
    def _clause_rows(docs: Sequence[Doc], doc_ptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row boundaries of every clause in the docs' flat token ids (a comment without tokens has one empty
        clause) and the owning document of each row."""
        if isinstance(docs, DocBatch):
            return docs.clause_bounds()
        bounds, owner = [0], []
        for i, d in enumerate(docs):
            start = int(doc_ptr[i])
            if d.clauses:
                bounds.extend(start + b for _, b in d.clauses)
                owner.extend([i] * len(d.clauses))
            else:
                bounds.append(start)
                owner.append(i)
        return np.asarray(bounds, dtype=np.int64), np.asarray(owner, dtype=np.int64)

    def _lexicon_features(self, docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray]:
        """Sentiment-lexicon features (lexicon.py) of every clause (rows as in ``_clause_features``) and of every
        comment."""
        w_flat, c_flat, doc_ptr = self._flat_ids(docs)
        clause_ptr, _ = self._clause_rows(docs, doc_ptr)
        code = {lang: k for k, lang in enumerate(self.lexicon_.languages)}
        langs = docs.langs if isinstance(docs, DocBatch) else [d.lang for d in docs]
        doc_lang = np.fromiter((code.get(lang, -1) for lang in langs), dtype=np.int64, count=len(docs))
        lengths = np.diff(doc_ptr)
        lang_index = np.repeat(doc_lang, lengths)
        tables = (c_flat, self._fast("char")._tokens, w_flat, self._fast("word")._tokens)
        clause_rows = np.repeat(np.arange(len(clause_ptr) - 1), np.diff(clause_ptr))
        doc_rows = np.repeat(np.arange(len(docs)), lengths)
        return (self.lexicon_.features(lang_index, *tables, clause_rows, len(clause_ptr) - 1),
                self.lexicon_.features(lang_index, *tables, doc_rows, len(docs)))

    def _clause_features(self, docs: Sequence[Doc], comment_X: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray]:
        """Features of every clause and the owning document of each row (a comment without tokens has one
        empty clause). Clause rows reuse the comments' flat token ids: one sparse product, no re-analysis.

        All clause rows are computed in one transform, even a comment's only clause (whose row has the comment's
        values): the order of the entries within a row (and so the last bits of sums over them) can depend on the
        other rows of the transform (scipy sorts a sum of two matrices only when both are sorted)."""
        w_flat, c_flat, doc_ptr = self._flat_ids(docs)
        # clause spans are contiguous from the first token to the last (bullets are not tokens)
        indptr, owner = self._clause_rows(docs, doc_ptr)
        n_ng = len(self.word_vectorizer_.vocabulary_) + len(self.char_vectorizer_.vocabulary_)
        blocks = [self._fast("word").transform_flat(w_flat, indptr),
                  self._fast("char").transform_flat(c_flat, indptr)]
        if comment_X.shape[1] > n_ng:  # embeddings: clauses reuse their comment's embedding
            blocks.append(comment_X[owner][:, n_ng:])
        return sp.hstack(blocks, format="csr", dtype=np.float32), owner

    def _theme_coefs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The per-theme logistic regressions stacked: coefficients (features x themes), intercepts, and which
        themes have a model (derived from ``theme_models_``; not pickled)."""
        cached = self.__dict__.get("_theme_coef")
        if cached is None or cached[0] is not self.theme_models_:
            fitted = [m for m in self.theme_models_ if m is not None]
            n_features = fitted[0].coef_.shape[1] if fitted else 0
            W = np.zeros((n_features, len(self.theme_models_)))
            b = np.zeros(len(self.theme_models_))
            active = np.zeros(len(self.theme_models_), dtype=bool)
            for j, model in enumerate(self.theme_models_):
                if model is not None:
                    W[:, j], b[j], active[j] = model.coef_[0], model.intercept_[0], True
            cached = self._theme_coef = (self.theme_models_, W, b, active)
        return cached[1:]

    def _theme_proba(self, X: sp.csr_matrix) -> np.ndarray:
        """Probability of each theme (columns ``classes_``; 0 for a theme without a model). One sparse product for
        all themes; the same arithmetic as each model's ``predict_proba``: 1 / (1 + exp(-(x . coef + intercept)))."""
        W, b, active = self._theme_coefs()
        if not active.any():
            return np.zeros((X.shape[0], len(self.classes_)))
        z = X @ W
        z += b
        out = expit(z, out=z)
        out[:, ~active] = 0
        return out

    def _context(self, docs: Sequence[Doc], clause_X: sp.csr_matrix, owner: np.ndarray,
                 pairs: Sequence[tuple[int, int]]) -> np.ndarray:
        """For each (doc, theme) pair, the clause row with the highest probability of that theme (the first such
        row on ties; only comments with several clauses need the probabilities)."""
        if not len(pairs):
            return np.zeros(0, dtype=int)
        pairs_arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        doc_idx, theme_idx = pairs_arr[:, 0], pairs_arr[:, 1]
        starts = np.searchsorted(owner, np.arange(len(docs)))
        n_rows = (np.searchsorted(owner, np.arange(len(docs)), side="right") - starts)[doc_idx]
        out = starts[doc_idx]
        several = np.flatnonzero(n_rows > 1)
        if len(several):
            n_rows = n_rows[several]
            first = np.cumsum(n_rows) - n_rows
            rows = _ranges(out[several], n_rows)
            scored, row_of = np.unique(rows, return_inverse=True)
            clause_p = self._theme_proba(clause_X[scored])
            pair_of = np.repeat(np.arange(len(several)), n_rows)
            values = clause_p[row_of.ravel(), theme_idx[several][pair_of]]
            out[several] = rows[np.lexsort((rows, -values, pair_of))[first]]
        return out.astype(int)

    def _polarity_features(self, comment_X, clause_X, ctx_rows, pairs, docs) -> sp.csr_matrix:
        doc_idx = np.array([i for i, _ in pairs], dtype=int)
        theme_idx = np.array([j for _, j in pairs], dtype=int)
        theme_onehot = sp.csr_matrix(
            (np.ones(len(pairs), dtype=np.float32), (np.arange(len(pairs)), theme_idx)),
            shape=(len(pairs), len(self.classes_)),
        )
        blocks = [clause_X[ctx_rows], theme_onehot]
        if self.polarity_context == "clause+comment":
            blocks.insert(1, comment_X[doc_idx] * 0.5)
        if getattr(self, "lexicon_", None) is not None:
            clause_lex, comment_lex = self._lexicon_features(docs)
            blocks.append(sp.csr_matrix(np.hstack([clause_lex[ctx_rows], comment_lex[doc_idx]])
                                        * np.float32(self.lexicon_weight)))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def _polarity_proba(self, P: sp.csr_matrix, pair_scores: np.ndarray) -> np.ndarray:
        """Text model probabilities, nudged by the NPS category prior: log p = log p_text + w * log p(pol | cat)."""
        proba = self.polarity_model_.predict_proba(P)
        if not self.score_weight:
            return proba
        cat = _category_index(pair_scores)
        logp = np.log(np.clip(proba, 1e-9, 1)) + self.score_weight * self.polarity_prior_[cat]
        logp -= logp.max(axis=1, keepdims=True)
        out = np.exp(logp)
        return out / out.sum(axis=1, keepdims=True)

    def _prepare(self, X: Any, fallback_language: str | None = None):
        texts, scores, langs = _as_inputs(X)
        langs = self._languages_for(texts, langs, fallback_language)
        docs = self.preprocessor_.process_batch(texts, langs)
        comment_X = self._comment_features(docs, texts)
        return texts, scores, langs, docs, comment_X

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any, progress: Any = None) -> ThemeClassifier:
        """Fit theme detection, thresholds and polarity on labelled comments.

        ``progress``: optional callable ``progress(step: str)`` called at each stage (the CLI shows it).
        """
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        step = progress or (lambda s: None)
        texts, scores, langs = _as_inputs(X)
        label_sets = _as_label_sets(y)
        if len(label_sets) != len(texts):
            raise DataError(f"X has {len(texts)} rows but y has {len(label_sets)}")
        if len(texts) < 4:
            raise DataError(f"need at least 4 labelled comments to train; got {len(texts)}")
        themes = list(self.themes) if self.themes is not None else sorted({t for s in label_sets for t in s})
        unknown = sorted({t for s in label_sets for t in s} - set(themes))
        if unknown:
            raise DataError(f"y has themes outside `themes`: {', '.join(unknown)}")
        if not themes:
            raise DataError("y has no theme labels at all; nothing to learn")
        self.classes_ = np.array(themes)
        self.polarity_classes_ = np.array(sorted({p for s in label_sets for p in s.values()}))

        step("languages")
        if self.languages is not None:
            self.languages_ = tuple(self.languages)
        elif langs is not None and any(lang for lang in langs):
            self.languages_ = tuple(sorted({lang for lang in langs if lang}))
        else:
            self.languages_ = ("fi", "sv", "en")
        if langs is None or any(lang is None for lang in langs):
            import simplemma

            langs = [lang or simplemma.langdetect(t, lang=self.languages_)[0][0] if t.strip() else
                     (lang or self.languages_[0]) for t, lang in zip(texts, langs or [None] * len(texts))]
            langs = [lang if lang in self.languages_ else self.languages_[0] for lang in langs]
        self.language_detector_ = LanguageDetector().fit(texts, langs)
        self.preprocessor_ = TextPreprocessor(self.languages_)
        self.lexicon_ = SentimentLexicon(self.languages_) if self.lexicon_weight else None

        step("preprocessing")
        docs = self.preprocessor_.process(texts, langs)
        self.word_vectorizer_ = TfidfVectorizer(
            analyzer="word", tokenizer=str.split, preprocessor=None, lowercase=False, token_pattern=None,
            ngram_range=tuple(self.word_ngram_range), min_df=self.min_df, sublinear_tf=True, dtype=np.float32,
        ).fit([d.lemma_text for d in docs])
        self.char_vectorizer_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=tuple(self.char_ngram_range), min_df=self.min_df, sublinear_tf=True,
            lowercase=False, dtype=np.float32, max_features=150_000,
        ).fit(self._surface(docs))
        for vec in (self.word_vectorizer_, self.char_vectorizer_):
            vec.stop_words_ = None  # not needed after fit; keeps the model small
        step("features")
        comment_X = self._comment_features(docs, texts)
        Y = np.array([[t in s for t in themes] for s in label_sets], dtype=int)

        n_ngram = len(self.word_vectorizer_.vocabulary_) + len(self.char_vectorizer_.vocabulary_)

        def theme_models(rows: np.ndarray | slice) -> list[LogisticRegression | None]:
            """One logistic regression per theme on the given training rows (None for a theme with one class)."""
            X_rows, Y_rows = comment_X[rows], Y[rows]
            ratios = nb_log_ratios(X_rows[:, :n_ngram], Y_rows) if self.nb_weighting else None
            models: list[LogisticRegression | None] = []
            for j in range(len(themes)):
                if Y_rows[:, j].min() == Y_rows[:, j].max():
                    models.append(None)
                    continue
                lr = LogisticRegression(C=self.C, class_weight=self.class_weight, solver="liblinear", max_iter=2000)
                if ratios is None:
                    models.append(lr.fit(X_rows, Y_rows[:, j]))
                    continue
                scale = np.ones(X_rows.shape[1])
                scale[:n_ngram] = ratios[:, j]
                lr.fit(X_rows @ sp.diags(scale.astype(np.float32)), Y_rows[:, j])
                lr.coef_ = lr.coef_ * scale  # (x * scale) . w == x . (w * scale): the model takes unscaled features
                models.append(lr)
            return models

        step("themes")
        self.theme_models_ = theme_models(slice(None))

        step("thresholds")
        if self.min_themes not in ("auto", 0, 1):
            raise ValueError(f"min_themes must be 'auto', 0 or 1, got {self.min_themes!r}")
        self.min_themes_ = int(all(label_sets)) if self.min_themes == "auto" else int(self.min_themes)
        self.thresholds_ = np.full(len(themes), 0.5)
        if self.threshold_cv and self.threshold_cv >= 2 and len(texts) >= 2 * self.threshold_cv:
            oof = np.zeros(Y.shape, dtype=float)
            folds = KFold(self.threshold_cv, shuffle=True, random_state=self.random_state)
            for tr, te in folds.split(comment_X):
                for j, model in enumerate(theme_models(tr)):
                    oof[te, j] = float(Y[tr, j].max()) if model is None else model.predict_proba(comment_X[te])[:, 1]
            self.thresholds_ = tune_thresholds(oof, Y, self.threshold_objective)

        step("polarity")
        pairs, pols = [], []
        for i, s in enumerate(label_sets):
            for t, p in s.items():
                pairs.append((i, themes.index(t)))
                pols.append(p)
        clause_X, owner = self._clause_features(docs, comment_X)
        ctx = self._context(docs, clause_X, owner, pairs)
        P = self._polarity_features(comment_X, clause_X, ctx, pairs, docs)
        if len(set(pols)) >= 2:
            self.polarity_model_ = LogisticRegression(C=self.polarity_C, max_iter=3000,
                                                      class_weight=self.polarity_class_weight)
            self.polarity_model_.fit(P, pols)
            # log P(polarity | NPS category), Laplace-smoothed; the unknown-score row is flat
            cls = list(self.polarity_model_.classes_)
            cats = _category_index(scores[[i for i, _ in pairs]])
            counts = np.ones((4, len(cls)))
            for c, p in zip(cats, pols):
                counts[c, cls.index(p)] += 1
            counts[3] = 1
            self.polarity_prior_ = np.log(counts / counts.sum(axis=1, keepdims=True))
        else:
            self.polarity_model_ = None
        self.n_features_in_ = 1
        return self

    # ------------------------------------------------------------------ predict
    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each theme (columns ``classes_``) for each comment."""
        self._check_fitted()
        *_, comment_X = self._prepare(X)
        return self._theme_proba(comment_X)

    def predict_themes(self, X: Any) -> np.ndarray:
        """Binary indicator matrix (n_comments, n_themes) using the tuned thresholds (and ``min_themes_``)."""
        self._check_fitted()
        *_, docs, comment_X = self._prepare(X)
        return self._decide(self._theme_proba(comment_X), docs).astype(int)

    def _has_words(self, docs: Sequence[Doc]) -> np.ndarray:
        """Whether each comment has a token with a letter or digit (per-token flags cached like the features)."""
        _, c_flat, doc_ptr = self._flat_ids(docs)  # first: it adds the docs' new tokens to the table
        flags = token_values(self.__dict__.setdefault("_word_flags", {}), "alnum", self._fast("char")._tokens,
                             lambda tok: any(ch.isalnum() for ch in tok), bool)
        per_doc = np.bincount(np.repeat(np.arange(len(docs)), np.diff(doc_ptr)), weights=flags[c_flat],
                              minlength=len(docs))
        return per_doc > 0

    def _decide(self, proba: np.ndarray, docs: Sequence[Doc]) -> np.ndarray:
        """Themes above their thresholds, for comments with words ("-", "..." get none); with ``min_themes_`` 1,
        a comment with words but no theme above its threshold gets its most probable theme."""
        has_words = self._has_words(docs)
        chosen = (proba >= self.thresholds_) & has_words[:, None]
        if getattr(self, "min_themes_", 0):
            fill = np.flatnonzero(~chosen.any(axis=1) & has_words)
            chosen[fill, np.argmax(proba[fill], axis=1)] = True
        return chosen

    def _polarity_for_pairs(self, comment_X, clause_X, owner, docs, pairs, scores
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Polarity label and probability of each (doc, theme) pair, and the clause row that decided it."""
        if not pairs:
            return np.zeros(0, dtype=object), np.zeros(0), np.zeros(0, dtype=int)
        ctx = self._context(docs, clause_X, owner, pairs)
        if self.polarity_model_ is None:
            return (np.full(len(pairs), str(self.polarity_classes_[0]), dtype=object), np.ones(len(pairs)), ctx)
        P = self._polarity_features(comment_X, clause_X, ctx, pairs, docs)
        proba = self._polarity_proba(P, scores[[i for i, _ in pairs]])
        return self.polarity_model_.classes_.astype(object)[proba.argmax(axis=1)], proba.max(axis=1), ctx

    def _given_pairs(self, themes: Sequence[str | Sequence[str]]) -> list[tuple[int, int]]:
        """(comment, theme column) pairs of given theme ids: ``themes[i]`` is one id or a list of ids of comment
        ``i``; an id that is not one of the model's themes is an error."""
        index = {t: j for j, t in enumerate(self.classes_)}
        pairs: list[tuple[int, int]] = []
        for i, ts in enumerate(themes):
            for t in ([ts] if isinstance(ts, str) else ts):
                if t not in index:
                    raise DataError(f"theme {t!r} is not one of the model's themes: {', '.join(self.classes_)}")
                pairs.append((i, index[t]))
        return pairs

    def predict_polarity(self, X: Any, themes: Sequence[str | Sequence[str]]) -> list[Any]:
        """Polarity of given themes in given comments (SemEval subtask 4: the gold themes are given).

        ``themes[i]`` is a theme id (returns a polarity per comment) or a list of ids (returns a dict per comment).
        """
        self._check_fitted()
        texts, scores, langs, docs, comment_X = self._prepare(X)
        if len(themes) != len(texts):
            raise DataError(f"got {len(texts)} comments but {len(themes)} theme entries")
        single = all(isinstance(t, str) for t in themes)
        pairs = self._given_pairs(themes)
        clause_X, owner = self._clause_features(docs, comment_X)
        pols, _, _ = self._polarity_for_pairs(comment_X, clause_X, owner, docs, pairs, scores)
        pols = [str(p) for p in pols]
        if single:
            return pols
        out: list[dict[str, str]] = [{} for _ in texts]
        for (i, j), p in zip(pairs, pols):
            out[i][str(self.classes_[j])] = p
        return out

    def predict_with_polarity_of(self, X: Any, themes: Sequence[Sequence[str]]
                                 ) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        """For evaluation, from one pass over ``X`` (the text features, and embeddings if any, are computed
        once): the predicted ``{theme: polarity}`` of each comment (as :meth:`predict`), and the polarity of the
        given themes of each comment (as :meth:`predict_polarity` with lists of theme ids)."""
        self._check_fitted()
        texts, scores, langs, docs, comment_X = self._prepare(X)
        if len(themes) != len(texts):
            raise DataError(f"got {len(texts)} comments but {len(themes)} theme entries")
        doc_idx, theme_idx = np.nonzero(self._decide(self._theme_proba(comment_X), docs))
        pairs = list(zip(doc_idx.tolist(), theme_idx.tolist()))
        n_predicted = len(pairs)
        pairs += self._given_pairs(themes)
        clause_X, owner = self._clause_features(docs, comment_X)
        pols, _, _ = self._polarity_for_pairs(comment_X, clause_X, owner, docs, pairs, scores)
        predicted: list[dict[str, str]] = [{} for _ in texts]
        given: list[dict[str, str]] = [{} for _ in texts]
        for k, ((i, j), p) in enumerate(zip(pairs, pols)):
            (predicted if k < n_predicted else given)[i][str(self.classes_[j])] = str(p)
        return predicted, given

    def tag_frame(self, X: Any, *, evidence: bool = True, fallback_language: str | None = None
                  ) -> tuple[list[str], pd.DataFrame]:
        """Columnar tagging output: the language of each comment, and one row per (comment, theme) mention with
        ``row`` (position in X), ``theme``, ``polarity``, ``probability``, ``polarity_probability``, ``evidence``
        (``"; "``-joined words) and ``clause``, ordered by row and descending probability. Cheaper than
        :meth:`tag` for large inputs."""
        self._check_fitted()
        texts, scores, langs, docs, comment_X = self._prepare(X, fallback_language)
        proba = self._theme_proba(comment_X)
        doc_idx, theme_idx = np.nonzero(self._decide(proba, docs))
        prob = proba[doc_idx, theme_idx]
        order = np.lexsort((-prob, doc_idx))
        doc_idx, theme_idx, prob = doc_idx[order], theme_idx[order], prob[order]
        pairs = list(zip(doc_idx.tolist(), theme_idx.tolist()))
        if not pairs:
            return langs, empty_tag_frame()
        # only comments with a theme need their clauses analysed
        need = np.unique(doc_idx)
        remap = np.full(len(docs), -1)
        remap[need] = np.arange(len(need))
        sub_docs = docs.take(need) if isinstance(docs, DocBatch) else [docs[i] for i in need]
        sub_pairs = list(zip(remap[doc_idx].tolist(), theme_idx.tolist()))
        sub_X = comment_X[need]
        clause_X, owner = self._clause_features(sub_docs, sub_X)
        pols, pprob, ctx = self._polarity_for_pairs(sub_X, clause_X, owner, sub_docs, sub_pairs, scores[need])
        clause_text = self._clause_texts(sub_docs, ctx)
        ev = ["; ".join(e) for e in self._evidence(docs, comment_X, pairs)] if evidence else [""] * len(pairs)
        frame = pd.DataFrame({
            "row": doc_idx, "theme": self.classes_.astype(object)[theme_idx], "polarity": pols,
            "probability": prob, "polarity_probability": pprob, "evidence": ev, "clause": clause_text,
        })
        return langs, frame

    def tag(self, X: Any, *, evidence: bool = True, fallback_language: str | None = None) -> list[dict[str, Any]]:
        """Per comment: its language and its themes, each with polarity, probability and evidence.

        Returns a list of ``{"language": str, "themes": [{"theme", "polarity", "probability",
        "polarity_probability", "evidence": [words], "clause": str}]}`` (themes by descending probability).
        """
        langs, frame = self.tag_frame(X, evidence=evidence, fallback_language=fallback_language)
        results = [{"language": lang, "themes": []} for lang in langs]
        for r in frame.itertuples(index=False):
            results[r.row]["themes"].append({
                "theme": str(r.theme), "polarity": str(r.polarity), "probability": float(r.probability),
                "polarity_probability": float(r.polarity_probability),
                "evidence": r.evidence.split("; ") if r.evidence else [], "clause": r.clause,
            })
        return results

    def _evidence_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Feature names of the word block, its coefficients per theme, and which features may be shown as
        evidence (not only stop words, numbers or tokens shorter than 3 letters)."""
        if self.__dict__.get("_evidence_of") is not self.theme_models_:  # none yet, or fitted again
            names = self.word_vectorizer_.get_feature_names_out()
            n = len(names)
            stop = frozenset().union(*(self.preprocessor_.stop_words(lang) for lang in self.languages_))
            informative = np.array([not all(w in stop or len(w) < 3 or not w.isalpha() for w in f.split(" "))
                                    for f in names], dtype=bool)
            self._feature_names = names
            self._word_coef = np.array([m.coef_[0, :n] if m is not None else np.zeros(n) for m in self.theme_models_])
            self._informative = informative
            self._evidence_of = self.theme_models_
        return self._feature_names, self._word_coef, self._informative

    @staticmethod
    def _flat_strings(docs: Sequence[Doc], positions: np.ndarray, lemmas: bool = False) -> list[str]:
        """Tokens (or lemmas) at positions of the docs' concatenated tokens."""
        if isinstance(docs, DocBatch):
            return docs.strings(positions, lemmas=lemmas)
        flat = list(chain.from_iterable(d.lemmas if lemmas else d.tokens for d in docs))
        return [flat[p] for p in positions.tolist()]

    def _clause_texts(self, docs: Sequence[Doc], rows: np.ndarray) -> list[str]:
        """The text (tokens joined by spaces) of clause rows (numbered as by :meth:`_clause_rows`)."""
        lengths = np.fromiter((len(d.tokens) for d in docs), dtype=np.int64, count=len(docs)) \
            if not isinstance(docs, DocBatch) else None
        doc_ptr = docs.doc_ptr if lengths is None else np.concatenate([[0], np.cumsum(lengths)])
        bounds, _ = self._clause_rows(docs, doc_ptr)
        rows = np.asarray(rows, dtype=np.int64)
        starts, n = bounds[rows], bounds[rows + 1] - bounds[rows]
        words = self._flat_strings(docs, _ranges(starts, n))
        cut = np.concatenate([[0], np.cumsum(n)]).tolist()
        return [" ".join(words[a:b]) for a, b in zip(cut[:-1], cut[1:])]

    def _evidence(self, docs: Sequence[Doc], comment_X: sp.csr_matrix, pairs: Sequence[tuple[int, int]],
                  top: int = 3) -> list[tuple[str, ...]]:
        """The words and phrases (lemma n-grams shown as written) that pushed each theme up the most:
        the largest positive products of TF-IDF value and the theme model's coefficient."""
        names, W, informative = self._evidence_tables()
        n_word = len(names)
        if not len(pairs):
            return []
        pairs_arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        doc_idx, theme_idx = pairs_arr[:, 0], pairs_arr[:, 1]
        R = comment_X[:, :n_word][doc_idx]
        row = np.repeat(np.arange(len(pairs_arr)), np.diff(R.indptr))
        contrib = R.data * W[theme_idx[row], R.indices]
        ok = (contrib > 0) & informative[R.indices]
        row, feat, contrib = row[ok], R.indices[ok], contrib[ok]
        order = np.lexsort((-contrib, row))
        row, feat = row[order], feat[order]
        rank = np.arange(len(row)) - np.searchsorted(row, row)
        keep = rank < top + 1
        row, feat = row[keep], feat[keep]
        # where each candidate first occurs in its comment: its first lemma there (and the second next to it),
        # compared as ids in the word-block token cache (-1: a lemma not seen, -2: no second lemma)
        tok_id = self._fast("word")._tok_id
        feats, inv = np.unique(feat, return_inverse=True)
        lemma_ids = np.full((len(feats), 2), -2, dtype=np.int64)
        for k, name in enumerate(names[feats].tolist()):
            parts = name.split(" ")
            lemma_ids[k, 0] = tok_id.get(parts[0], -1)
            if len(parts) == 2:
                lemma_ids[k, 1] = tok_id.get(parts[1], -1)
        lemma_ids = lemma_ids[inv.ravel()]
        w_flat, _, doc_ptr = self._flat_ids(docs)
        doc = doc_idx[row]
        n_tok = doc_ptr[doc + 1] - doc_ptr[doc]
        pos = _ranges(doc_ptr[doc], n_tok)
        cand = np.repeat(np.arange(len(row)), n_tok)
        bigram = lemma_ids[cand, 1] != -2
        nxt = np.minimum(pos + 1, len(w_flat) - 1)
        hit = (w_flat[pos] == lemma_ids[cand, 0]) & (
            ~bigram | ((pos + 1 < doc_ptr[doc + 1][cand]) & (w_flat[nxt] == lemma_ids[cand, 1])))
        found, first = np.unique(cand[hit], return_index=True)
        start = pos[np.flatnonzero(hit)[first]]
        two = lemma_ids[found, 1] != -2
        phrases = self._flat_strings(docs, start)
        for k, second in zip(np.flatnonzero(two).tolist(), self._flat_strings(docs, start[two] + 1)):
            phrases[k] += " " + second
        out: list[tuple[str, ...]] = [()] * len(pairs_arr)  # tuples: no garbage-collected object per pair
        for r, phrase in zip(row[found].tolist(), phrases):
            shown = out[r]
            if len(shown) < top:
                for w in shown:  # not a part of a phrase already shown, nor containing one
                    if phrase in w or w in phrase:
                        break
                else:
                    out[r] = shown + (phrase,)
        return out

    def predict(self, X: Any) -> np.ndarray:
        """Label strings ``"theme:polarity;theme:polarity"`` (empty when no theme) for each comment."""
        tags = self.tag(X, evidence=False)
        return np.array([";".join(f"{t['theme']}:{t['polarity']}" for t in r["themes"]) for r in tags],
                        dtype=object)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Micro F1 of theme detection over (comment, theme) pairs (used by cross_validate and GridSearchCV)."""
        true = _as_label_sets(y)
        pred = [parse_labels(v) for v in self.predict(X)]
        return theme_metrics(true, pred, self.classes_)["micro_f1"]
