"""Stage 5, polarity: is a theme mention positive or negative (:class:`PolarityModel`).

For each (comment, theme) pair the composite picks the clause of the comment that gives the theme the highest
probability (:func:`context_rows`) and builds the features (:func:`polarity_features`): that clause's n-grams, the
theme (one-hot), and the sentiment-lexicon features of the clause and of the comment (valence sums with
negation; :mod:`npsthemes.lexicon`). :class:`PolarityModel` is a numeric classifier on those features: a logistic
regression whose text probabilities are nudged by the NPS category of the score as a weak prior,
``log p = log p_text + score_weight * log p(polarity | category)``. The score is a prior, not the answer: a
promoter can still criticise a theme.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ..preprocessing import _ranges

__all__ = ["PolarityModel", "context_rows", "polarity_features"]

N_CATEGORY_CODES = 4  # promoter, passive, detractor, unknown score (stats.category_codes)


class PolarityModel(ClassifierMixin, BaseEstimator):
    """Logistic regression over clause features with the NPS category as a weak prior.

    Parameters
    ----------
    C : float
        Inverse regularisation.
    class_weight : str or None
        ``"balanced"`` or None (None maximises accuracy; chosen by cross-validation on the training splits of the
        default corpus and of SemEval-2014).
    score_weight : float
        Weight of the prior (0: text only).
    context : {"clause", "clause+comment"}
        What the composite gives this stage: the clause that mentions the theme, or also the whole comment
        (down-weighted by 0.5).
    lexicon_weight : float
        Scale of the sentiment-lexicon features the composite gives this stage (0: none).
    max_iter : int

    ``fit(X, y, categories=None)`` and ``predict_proba(X, categories=None)`` take the NPS category code of each
    row (:func:`npsthemes.stats.category_codes`: 0 promoter, 1 passive, 2 detractor, 3 unknown); without them
    the prior is flat.
    """

    def __init__(
        self,
        C: float = 4.0,
        class_weight: str | None = None,
        score_weight: float = 0.25,
        context: str = "clause",
        lexicon_weight: float = 1.0,
        max_iter: int = 3000,
    ):
        self.C = C
        self.class_weight = class_weight
        self.score_weight = score_weight
        self.context = context
        self.lexicon_weight = lexicon_weight
        self.max_iter = max_iter

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def fit(self, X: Any, y: Any, categories: Any = None, sample_weight: Any = None) -> PolarityModel:
        from sklearn.linear_model import LogisticRegression

        if self.context not in ("clause", "clause+comment"):
            raise ValueError(f"context must be 'clause' or 'clause+comment', got {self.context!r}")
        self.model_ = LogisticRegression(C=self.C, max_iter=self.max_iter, class_weight=self.class_weight)
        self.model_.fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        self.n_features_in_ = self.model_.n_features_in_
        self.n_iter_ = self.model_.n_iter_
        cls = list(self.classes_)
        counts = np.ones((N_CATEGORY_CODES, len(cls)))
        if categories is not None:  # log P(polarity | NPS category), Laplace-smoothed; the unknown row is flat
            for c, p in zip(np.asarray(categories).tolist(), np.asarray(y).tolist()):
                counts[c, cls.index(p)] += 1
        counts[N_CATEGORY_CODES - 1] = 1
        self.prior_ = np.log(counts / counts.sum(axis=1, keepdims=True))
        return self

    def predict_proba(self, X: Any, categories: Any = None) -> np.ndarray:
        check_is_fitted(self, "model_")
        proba = self.model_.predict_proba(X)
        if not self.score_weight:
            return proba
        cat = (
            np.full(proba.shape[0], N_CATEGORY_CODES - 1)
            if categories is None
            else np.asarray(categories, dtype=np.int64)
        )
        logp = np.log(np.clip(proba, 1e-9, 1)) + self.score_weight * self.prior_[cat]
        logp -= logp.max(axis=1, keepdims=True)
        out = np.exp(logp)
        return out / out.sum(axis=1, keepdims=True)

    def predict(self, X: Any, categories: Any = None) -> np.ndarray:
        proba = self.predict_proba(X, categories)
        return self.classes_[np.argmax(proba, axis=1)]


def context_rows(n_docs: int, owner: np.ndarray, pairs: np.ndarray, clause_proba: Any) -> np.ndarray:
    """For each (doc, theme) pair, the clause row with the highest probability of that theme (the first such row
    on ties; ``clause_proba(rows)`` gives the theme probabilities of clause rows, needed only for comments with
    several clauses)."""
    if not len(pairs):
        return np.zeros(0, dtype=int)
    doc_idx, theme_idx = pairs[:, 0], pairs[:, 1]
    starts = np.searchsorted(owner, np.arange(n_docs))
    n_rows = (np.searchsorted(owner, np.arange(n_docs), side="right") - starts)[doc_idx]
    out = starts[doc_idx]
    several = np.flatnonzero(n_rows > 1)
    if len(several):
        n_rows = n_rows[several]
        first = np.cumsum(n_rows) - n_rows
        rows = _ranges(out[several], n_rows)
        scored, row_of = np.unique(rows, return_inverse=True)
        clause_p = clause_proba(scored)
        pair_of = np.repeat(np.arange(len(several)), n_rows)
        values = clause_p[row_of.ravel(), theme_idx[several][pair_of]]
        out[several] = rows[np.lexsort((rows, -values, pair_of))[first]]
    return out.astype(int)


def polarity_features(
    clause_X: sp.csr_matrix,
    comment_X: sp.csr_matrix,
    ctx: np.ndarray,
    pairs: np.ndarray,
    n_themes: int,
    lexicon: tuple[np.ndarray, np.ndarray] | None,
    context: str,
    lexicon_weight: float,
) -> sp.csr_matrix:
    """[context clause features, (comment features * 0.5), theme one-hot, lexicon features * weight] per pair;
    ``lexicon`` is (clause rows, comment rows) of the lexicon features, or None. The lexicon part is [clause and
    comment wish-marker columns (when the lexicon has them), clause valence (3), comment valence (3)]."""
    doc_idx, theme_idx = pairs[:, 0], pairs[:, 1]
    theme_onehot = sp.csr_matrix(
        (np.ones(len(pairs), dtype=np.float32), (np.arange(len(pairs)), theme_idx)), shape=(len(pairs), n_themes)
    )
    blocks: list[Any] = [clause_X[ctx], theme_onehot]
    if context == "clause+comment":
        blocks.insert(1, comment_X[doc_idx] * 0.5)
    if lexicon is not None:
        clause_lex, comment_lex = lexicon
        clause_lex, comment_lex = clause_lex[ctx], comment_lex[doc_idx]
        # extra columns (the wish markers) first, so that the last six are always the valence features
        cols = [clause_lex[:, 3:], comment_lex[:, 3:], clause_lex[:, :3], comment_lex[:, :3]]
        blocks.append(sp.csr_matrix(np.hstack(cols) * np.float32(lexicon_weight)))
    return sp.hstack(blocks, format="csr", dtype=np.float32)


def pair_array(pairs: Sequence[tuple[int, int]] | np.ndarray) -> np.ndarray:
    """(comment, theme) pairs as an (n, 2) int array."""
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)


class RulePolarity(ClassifierMixin, BaseEstimator):
    """Polarity without training data (a rules-only model): the sentiment lexicon of the clause, then of the
    whole comment (valence sums with negation; :mod:`npsthemes.lexicon`), and where the text says nothing the
    score (9-10 positive, else negative), as the score-only rule does.

    It reads the lexicon features the composite appends to the polarity input (its last six columns: clause and
    comment ``tanh(pos/4)``, ``tanh(neg/4)``, ``tanh((pos - neg)/4)``, and before them the clause's wish-marker
    column, weighted by ``wish_weight``: a wish is criticism), so ``lexicon_weight`` must not be 0.
    ``fit`` only records the classes (``negative``, ``positive``).
    """

    def __init__(
        self,
        clause_weight: float = 4.0,
        comment_weight: float = 2.0,
        score_weight: float = 0.5,
        context: str = "clause",
        lexicon_weight: float = 1.0,
        wish_weight: float = 3.0,
    ):
        self.clause_weight = clause_weight
        self.comment_weight = comment_weight
        self.score_weight = score_weight
        self.context = context
        self.lexicon_weight = lexicon_weight
        self.wish_weight = wish_weight

    def fit(self, X: Any = None, y: Any = None, categories: Any = None) -> RulePolarity:
        self.classes_ = np.array(["negative", "positive"])
        return self

    def predict_proba(self, X: Any, categories: Any = None) -> np.ndarray:
        check_is_fitted(self, "classes_")
        if not self.lexicon_weight:
            raise ValueError("RulePolarity reads the lexicon features: lexicon_weight must not be 0")
        lex = np.asarray(X[:, -6:].todense() if sp.issparse(X) else X[:, -6:], dtype=float) / self.lexicon_weight
        z = self.clause_weight * lex[:, 2] + self.comment_weight * lex[:, 5]
        wish_weight = getattr(self, "wish_weight", 0.0)  # models saved before the wish markers
        if wish_weight and X.shape[1] >= 8:
            wish = np.asarray(X[:, -8].todense() if sp.issparse(X) else X[:, -8], dtype=float).ravel()
            z = z - wish_weight * wish / self.lexicon_weight
        if categories is not None:
            cat = np.asarray(categories, dtype=np.int64)
            z = z + self.score_weight * np.select([cat == 0, cat == 3], [1.0, 0.0], -1.0)
        pos = 1 / (1 + np.exp(-z))
        return np.column_stack([1 - pos, pos])

    def predict(self, X: Any, categories: Any = None) -> np.ndarray:
        proba = self.predict_proba(X, categories)
        return self.classes_[np.argmax(proba, axis=1)]
