"""Stage 6, explanations: the words and phrases that made the detector give a comment a theme
(:class:`Explainer`).

The evidence of a (comment, theme) pair is the lemma n-grams of the word block with the largest positive products
of TF-IDF value and the theme's coefficient, shown as written in the comment (the surface form of the first
occurrence) and never only stop words, numbers or tokens shorter than 3 letters.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from .._sync import drop_derived, lock_of
from ..errors import NotFittedError
from ..preprocessing import _ranges
from .text import Batch

__all__ = ["Explainer"]


class Explainer(BaseEstimator):
    """Evidence words of theme mentions.

    Parameters
    ----------
    top : int
        At most this many words or phrases per mention.
    block : str
        The name of the feature block whose n-grams are shown (a lemma n-gram block).

    ``fit(vectorizer, detector, stop_words)`` records which of the block's features may be shown.
    """

    def __init__(self, top: int = 3, block: str = "word"):
        self.top = top
        self.block = block

    def fit(self, vectorizer: Any, detector: Any, stop_words: frozenset[str]) -> Explainer:
        """Record which of the n-gram block's features may be shown (none when the vectorizer has no such block,
        as a rules-only model has not)."""
        names = vectorizer.block(self.block).get_feature_names_out() if self._has(vectorizer, self.block) else []
        stop = stop_words
        self.informative_ = np.array(
            [not all(w in stop or len(w) < 3 or not w.isalpha() for w in f.split(" ")) for f in names], dtype=bool
        )
        self.offsets_ = {}
        start = 0
        for name, b in vectorizer.blocks_:
            self.offsets_[name] = start
            start += b.n_features_out_
        self.offset_ = self.offsets_.get(self.block, 0)
        return self

    @staticmethod
    def _has(vectorizer: Any, name: str) -> bool:
        return any(n == name for n, _ in vectorizer.blocks_)

    def _rule_words(
        self, batch: Batch, pairs: np.ndarray, vectorizer: Any, detector: Any, theme_ids: list[str] | None
    ) -> list[str]:
        """The rule words of each pair, where the theme's rule pushed the theme up (its weight for the theme is
        positive); '' elsewhere."""
        if theme_ids is None or not self._has(vectorizer, "rules"):
            return [""] * len(pairs)
        block = vectorizer.block("rules")
        words = block.matched_words(batch, pairs, theme_ids)
        col_of = {t: k for k, t in enumerate(block.themes_)}
        start = self.offsets_["rules"]
        out = []
        for (_, j), w in zip(pairs.tolist(), words):
            c = col_of.get(theme_ids[j])
            out.append(w if w and c is not None and detector.weights_[start + c, j] > 0 else "")
        return out

    def __getstate__(self) -> dict:
        return drop_derived(self.__dict__, ("_names",))

    def _feature_names(self, block: Any) -> np.ndarray:
        with lock_of(self):
            names = self.__dict__.get("_names")
            if names is None or names[0] is not block.vectorizer_:
                names = self._names = (block.vectorizer_, block.get_feature_names_out())
            return names[1]

    def explain(
        self,
        batch: Batch,
        comment_X: sp.csr_matrix,
        pairs: np.ndarray,
        vectorizer: Any,
        detector: Any,
        theme_ids: list[str] | None = None,
    ) -> list[tuple[str, ...]]:
        """Evidence of each (comment, theme) pair: a tuple of at most ``top`` words or phrases: the words that
        fired the theme's rule first (when the vectorizer has a ``rules`` block), then the n-grams."""
        if not hasattr(self, "informative_"):
            raise NotFittedError("this Explainer is not fitted yet")
        if not len(pairs):
            return []
        rule_words = self._rule_words(batch, pairs, vectorizer, detector, theme_ids)
        if self._has(vectorizer, self.block):
            ngrams = self._ngram_evidence(batch, comment_X, pairs, vectorizer, detector)
        else:
            ngrams = [()] * len(pairs)
        if not any(rule_words):
            return ngrams
        out = []
        for word, grams in zip(rule_words, ngrams):
            if not word:
                out.append(grams)
                continue
            rest = tuple(g for g in grams if word not in g and g not in word)
            out.append(((word,) + rest)[: self.top])
        return out

    def _ngram_evidence(
        self, batch: Batch, comment_X: sp.csr_matrix, pairs: np.ndarray, vectorizer: Any, detector: Any
    ) -> list[tuple[str, ...]]:
        top = self.top
        block = vectorizer.block(self.block)
        names = self._feature_names(block)
        n_word = len(names)
        informative = self.informative_
        W = detector.weights_[self.offset_ : self.offset_ + n_word]  # (features, themes)
        doc_idx, theme_idx = pairs[:, 0], pairs[:, 1]
        R = comment_X[:, self.offset_ : self.offset_ + n_word][doc_idx]
        row = np.repeat(np.arange(len(pairs)), np.diff(R.indptr))
        contrib = R.data * W[R.indices, theme_idx[row]]
        ok = (contrib > 0) & informative[R.indices]
        row, feat, contrib = row[ok], R.indices[ok], contrib[ok]
        order = np.lexsort((-contrib, row))
        row, feat = row[order], feat[order]
        rank = np.arange(len(row)) - np.searchsorted(row, row)
        keep = rank < top + 1
        row, feat = row[keep], feat[keep]
        # where each candidate first occurs in its comment: its first lemma there (and the second next to it),
        # compared as ids in the word block's token cache (-1: a lemma not seen, -2: no second lemma)
        w_flat = block.flat_ids(batch)
        fast = block.fast()
        feats, inv = np.unique(feat, return_inverse=True)
        lemma_ids = np.full((len(feats), 2), -2, dtype=np.int64)
        with lock_of(fast):
            tok_id = fast._tok_id
            for k, name in enumerate(names[feats].tolist()):
                parts = name.split(" ")
                lemma_ids[k, 0] = tok_id.get(parts[0], -1)
                if len(parts) == 2:
                    lemma_ids[k, 1] = tok_id.get(parts[1], -1)
        lemma_ids = lemma_ids[inv.ravel()]
        docs = batch.docs
        doc_ptr = docs.doc_ptr
        doc = doc_idx[row]
        n_tok = doc_ptr[doc + 1] - doc_ptr[doc]
        pos = _ranges(doc_ptr[doc], n_tok)
        cand = np.repeat(np.arange(len(row)), n_tok)
        bigram = lemma_ids[cand, 1] != -2
        nxt = np.minimum(pos + 1, len(w_flat) - 1)
        hit = (w_flat[pos] == lemma_ids[cand, 0]) & (
            ~bigram | ((pos + 1 < doc_ptr[doc + 1][cand]) & (w_flat[nxt] == lemma_ids[cand, 1]))
        )
        found, first = np.unique(cand[hit], return_index=True)
        start = pos[np.flatnonzero(hit)[first]]
        two = lemma_ids[found, 1] != -2
        phrases = docs.strings(start)
        for k, second in zip(np.flatnonzero(two).tolist(), docs.strings(start[two] + 1)):
            phrases[k] += " " + second
        out: list[tuple[str, ...]] = [()] * len(pairs)  # tuples: no garbage-collected object per pair
        for r, phrase in zip(row[found].tolist(), phrases):
            shown = out[r]
            if len(shown) < top:
                for w in shown:  # not a part of a phrase already shown, nor containing one
                    if phrase in w or w in phrase:
                        break
                else:
                    out[r] = shown + (phrase,)
        return out
