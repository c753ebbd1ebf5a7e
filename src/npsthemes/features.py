"""Fast TF-IDF transforms for pre-tokenised comments.

scikit-learn's ``TfidfVectorizer`` learns the vocabulary and IDF weights (``fit``); :class:`TokenTfidf` then
transforms token lists with the same result as ``vectorizer.transform`` but without re-analysing every
document in Python: character n-grams (``char_wb``) never cross a word boundary, so each distinct token's
n-grams are computed once and cached as a row of a token x feature matrix; a document's counts are then one
sparse product (documents x tokens) @ (tokens x features). Word n-grams (lemma unigrams and bigrams) are looked
up per token id. A test checks equality with ``TfidfVectorizer.transform``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = ["TokenTfidf"]


class TokenTfidf:
    """Transform token lists with a fitted ``TfidfVectorizer`` (analyzer ``char_wb`` or ``word`` with
    ``tokenizer=str.split``), equal to ``vectorizer.transform([" ".join(tokens) ...])``."""

    def __init__(self, vectorizer: TfidfVectorizer):
        self.vectorizer = vectorizer
        self.kind = vectorizer.analyzer
        if self.kind not in ("char_wb", "word"):
            raise ValueError(f"unsupported analyzer {self.kind!r}")
        self.vocab = vectorizer.vocabulary_
        self.n_features = len(self.vocab)
        self.idf = vectorizer.idf_.astype(np.float64) if vectorizer.use_idf else None
        self.sublinear = vectorizer.sublinear_tf
        self.norm = vectorizer.norm
        self.ngram_range = vectorizer.ngram_range
        self._reset()

    def _reset(self) -> None:
        self._tok_id: dict[str, int] = {}
        self._rows: list[np.ndarray] = []  # per token: feature ids of its n-grams (with repeats)
        self._T: sp.csr_matrix | None = None
        self._T_rows = 0
        self._bigram_cache: dict[tuple[int, int], int] = {}

    def __getstate__(self) -> dict:
        return {"vectorizer": self.vectorizer}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["vectorizer"])

    def _token_features(self, token: str) -> np.ndarray:
        if self.kind == "char_wb":
            analyzer = getattr(self, "_analyzer", None)
            if analyzer is None:
                analyzer = self._analyzer = self.vectorizer.build_analyzer()
            grams = analyzer(token)
        else:
            grams = [token] if self.ngram_range[0] <= 1 else []
        vocab = self.vocab
        return np.array([vocab[g] for g in grams if g in vocab], dtype=np.int64)

    def _ids(self, tokens: Sequence[str]) -> list[int]:
        tok_id = self._tok_id
        out = []
        for t in tokens:
            i = tok_id.get(t)
            if i is None:
                i = tok_id[t] = len(self._rows)
                self._rows.append(self._token_features(t))
            out.append(i)
        return out

    def _token_matrix(self) -> sp.csr_matrix:
        if self._T is None or self._T_rows != len(self._rows):
            lengths = np.fromiter((len(r) for r in self._rows), dtype=np.int64, count=len(self._rows))
            indptr = np.concatenate([[0], np.cumsum(lengths)])
            indices = np.concatenate(self._rows) if self._rows else np.zeros(0, dtype=np.int64)
            self._T = sp.csr_matrix((np.ones(len(indices)), indices, indptr),
                                    shape=(len(self._rows), self.n_features))
            self._T.sum_duplicates()
            self._T_rows = len(self._rows)
        return self._T

    def token_ids(self, tokens: Sequence[str]) -> list[int]:
        """Cache ids of tokens (to pass to :meth:`transform` for slices of the same documents)."""
        return self._ids(tokens)

    def transform(self, docs: Sequence[Sequence[str]], ids: Sequence[list[int]] | None = None) -> sp.csr_matrix:
        """TF-IDF rows of token lists; ``ids`` (from :meth:`token_ids`) saves looking the tokens up again."""
        if ids is None and len(self._rows) > 2_000_000:  # bound the cache on endless streams of new tokens
            self._reset()
        doc_ids = list(ids) if ids is not None else [self._ids(tokens) for tokens in docs]
        lengths = np.fromiter((len(d) for d in doc_ids), dtype=np.int64, count=len(doc_ids))
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        indices = np.fromiter((i for d in doc_ids for i in d), dtype=np.int64, count=int(lengths.sum()))
        T = self._token_matrix()
        D = sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(doc_ids), T.shape[0]))
        X = (D @ T).tocsr()  # a product has no duplicate entries
        if self.kind == "word" and self.ngram_range[1] >= 2:
            X = X + self._bigrams(docs, doc_ids)
        if self.sublinear:
            np.log(X.data, out=X.data)
            X.data += 1
        if self.idf is not None:
            X.data *= self.idf[X.indices]
        if self.norm == "l2":
            sq = np.zeros(X.shape[0])
            nz = np.diff(X.indptr) > 0
            sq[nz] = np.sqrt(np.add.reduceat(X.data ** 2, X.indptr[:-1][nz]))
            sq[sq == 0] = 1
            X.data /= np.repeat(sq, np.diff(X.indptr))
        X.data = X.data.astype(np.float32)
        return sp.csr_matrix((X.data, X.indices, X.indptr), shape=X.shape)

    def _bigrams(self, docs: Sequence[Sequence[str]], doc_ids: list[list[int]]) -> sp.csr_matrix:
        cache = self._bigram_cache
        vocab = self.vocab
        rows, cols = [], []
        for r, (tokens, ids) in enumerate(zip(docs, doc_ids)):
            for k in range(len(ids) - 1):
                key = (ids[k], ids[k + 1])
                f = cache.get(key)
                if f is None:
                    f = cache[key] = vocab.get(tokens[k] + " " + tokens[k + 1], -1)
                if f >= 0:
                    rows.append(r)
                    cols.append(f)
        return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(docs), self.n_features))
