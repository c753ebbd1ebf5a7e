"""Theme rules as a feature block: seed terms per theme and language, from the taxonomy (:class:`RuleBlock`).

A theme's rules (``taxonomy.json``: ``"rules": {"fi": {"terms": [...], "not": [...]}, ...}``) are matched on the
analysed comment:

- a term is one or more words; each word matches a token whose lemma or lower-cased surface form equals it;
  the words of a multi-word term must be consecutive tokens of one clause;
- a word ending with ``*`` matches any lemma or surface form starting with what precedes the ``*``;
- in Finnish and Swedish a one-word term of at least 4 letters also matches the last part of a compound
  (``palvelu`` in ``asiakaspalvelu``, ``tjänst`` in ``kundtjänsten``'s lemma ``kundtjänst``);
- ``not`` terms (the same syntax) cancel the theme's rule in a row (comment or clause) that has one: senses that
  do not count ("signal" for availability).

The block gives one column per theme with rules: 1 (times ``weight``) when a term matched in the row and no
``not`` term did. The theme detector learns how much to trust each rule from the training data; a taxonomy with
rules and no training data gives a rules-only model (:func:`npsthemes.classifier.ThemeClassifier.from_rules`).
Matches are computed once per distinct vocabulary token.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from .._sync import drop_derived, lock_of
from ..errors import NotFittedError
from ..taxonomy import _MIN_COMPOUND_HEAD, COMPOUND_LANGUAGES, check_rules
from .text import Batch

__all__ = ["RuleBlock", "check_rules", "COMPOUND_LANGUAGES"]


@dataclass
class _Compiled:
    """One language's terms: exact words, prefixes, compound heads (one-word terms), and multi-word terms by their
    first word. Values are (theme column, is a `not` term) codes: column * 2 + is_not."""

    exact: dict[str, set[int]]
    prefixes: list[tuple[str, int]]
    heads: dict[str, set[int]]
    multi: dict[str, list[tuple[tuple[str, ...], int]]]


def _word_matches(word: str, forms: tuple[str, ...]) -> bool:
    if word.endswith("*"):
        return any(f.startswith(word[:-1]) for f in forms)
    return word in forms


class RuleBlock(TransformerMixin, BaseEstimator):
    """Rule-hit features, one column per theme with rules.

    Parameters
    ----------
    rules : mapping or None
        ``{theme: {lang: {"terms": [...], "not": [...]}}}`` (what ``Taxonomy.rules()`` gives).
    weight : float
        The value of a hit.
    """

    nb_scaled = False
    uses_comment_rows = False

    def __init__(self, rules: Mapping[str, Any] | None = None, weight: float = 1.0):
        self.rules = rules
        self.weight = weight

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    def fit(self, batch: Batch | None = None, y: Any = None) -> RuleBlock:
        rules = {t: check_rules(r, t, "rules") for t, r in (self.rules or {}).items()}
        self.themes_ = [t for t, r in rules.items() if any(spec.get("terms") for spec in r.values())]
        compiled: dict[str, _Compiled] = {}
        for col, theme in enumerate(self.themes_):
            for lang, spec in rules[theme].items():
                c = compiled.setdefault(lang, _Compiled({}, [], {}, {}))
                for key, flag in (("terms", 0), ("not", 1)):
                    code = col * 2 + flag
                    for term in spec.get(key, ()):
                        words = tuple(term.split())
                        if len(words) > 1:
                            c.multi.setdefault(words[0].rstrip("*") if not words[0].endswith("*") else "*", []).append(
                                (words, code)
                            )
                        elif words[0].endswith("*"):
                            c.prefixes.append((words[0][:-1], code))
                        else:
                            c.exact.setdefault(words[0], set()).add(code)
                            if lang in COMPOUND_LANGUAGES and len(words[0]) >= _MIN_COMPOUND_HEAD:
                                c.heads.setdefault(words[0], set()).add(code)
        self.compiled_ = compiled
        self.n_features_out_ = len(self.themes_)
        return self

    def __getstate__(self) -> dict:
        return drop_derived(self.__dict__, ("_code_cache",))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array([f"rule:{t}" for t in self.themes_], dtype=object)

    # ------------------------------------------------------------------ matching
    def _token_codes(self, lang: str, surface: str, lemma: str) -> tuple[int, ...]:
        """The one-word term codes a token matches (exact, prefix, compound head)."""
        c = self.compiled_.get(lang)
        if c is None:
            return ()
        forms = (lemma, surface) if lemma != surface else (lemma,)
        codes: set[int] = set()
        for f in forms:
            codes |= c.exact.get(f, set())
            if c.heads and len(f) > _MIN_COMPOUND_HEAD:
                for k in range(1, len(f) - _MIN_COMPOUND_HEAD + 1):
                    hit = c.heads.get(f[k:])
                    if hit:
                        codes |= hit
        for prefix, code in c.prefixes:
            if any(f.startswith(prefix) for f in forms):
                codes.add(code)
        return tuple(sorted(codes))

    def _codes(self, vocab: Any) -> list[tuple[int, ...]]:
        """Per vocabulary token: the codes it matches (grown as the vocabulary grows, under this block's lock)."""
        with lock_of(self):
            cached = self.__dict__.get("_code_cache")
            codes: list[tuple[int, ...]] = cached[1] if cached is not None and cached[0] is vocab else []
            n = len(vocab.surface)
            for t in range(len(codes), n):
                codes.append(self._token_codes(vocab.lang[t], vocab.surface[t], vocab.lemma[t]))
            self._code_cache = (vocab, codes)
            return codes

    def hits(self, batch: Batch, rows: str = "comments") -> tuple[np.ndarray, ...]:
        """Every rule hit: (row, theme column, token position, is a `not` term, number of tokens) arrays, where
        rows are comments or clauses (``rows="clauses"``, numbered as ``DocBatch.clause_bounds``)."""
        if not hasattr(self, "compiled_"):
            raise NotFittedError("this RuleBlock is not fitted yet")
        docs = batch.docs
        vocab = docs.vocab
        codes = self._codes(vocab)
        ids = docs.token_ids
        clause_bounds = docs.clause_bounds()[0]
        bounds = clause_bounds if rows == "clauses" else docs.doc_ptr
        row_of = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
        clause_of = np.repeat(np.arange(len(clause_bounds) - 1), np.diff(clause_bounds))
        out_row, out_col, out_pos, out_not, out_len = [], [], [], [], []
        multi_langs = {lang for lang, c in self.compiled_.items() if c.multi}
        for pos, t in enumerate(ids.tolist()):
            for code in codes[t]:
                out_row.append(row_of[pos])
                out_col.append(code >> 1)
                out_pos.append(pos)
                out_not.append(code & 1)
                out_len.append(1)
            if multi_langs and vocab.lang[t] in multi_langs:
                c = self.compiled_[vocab.lang[t]]
                forms = (vocab.lemma[t], vocab.surface[t])
                cands = (
                    c.multi.get(forms[0], [])
                    + (c.multi.get(forms[1], []) if forms[1] != forms[0] else [])
                    + c.multi.get("*", [])
                )
                for words, code in cands:
                    end = pos + len(words)
                    if end > len(ids) or clause_of[end - 1] != clause_of[pos]:
                        continue
                    if all(
                        _word_matches(w, (vocab.lemma[ids[pos + k]], vocab.surface[ids[pos + k]]))
                        for k, w in enumerate(words)
                    ):
                        out_row.append(row_of[pos])
                        out_col.append(code >> 1)
                        out_pos.append(pos)
                        out_not.append(code & 1)
                        out_len.append(len(words))
        return (
            np.asarray(out_row, dtype=np.int64),
            np.asarray(out_col, dtype=np.int64),
            np.asarray(out_pos, dtype=np.int64),
            np.asarray(out_not, dtype=bool),
            np.asarray(out_len, dtype=np.int64),
        )

    def _matrix(self, batch: Batch, rows: str, n_rows: int) -> sp.csr_matrix:
        row, col, _, neg, _ = self.hits(batch, rows)
        hit = np.zeros((n_rows, self.n_features_out_), dtype=bool)
        cancel = np.zeros_like(hit)
        hit[row[~neg], col[~neg]] = True
        cancel[row[neg], col[neg]] = True
        return sp.csr_matrix((hit & ~cancel).astype(np.float32) * np.float32(self.weight))

    def transform(self, batch: Batch) -> sp.csr_matrix:
        return self._matrix(batch, "comments", len(batch))

    def transform_clauses(
        self, batch: Batch, clause_ptr: np.ndarray, owner: np.ndarray, comment_rows: sp.csr_matrix | None
    ) -> sp.csr_matrix:
        return self._matrix(batch, "clauses", len(clause_ptr) - 1)

    def matched_words(self, batch: Batch, pairs: np.ndarray, theme_ids: list[str]) -> list[str]:
        """For each (comment, theme column of ``theme_ids``) pair: the first words, as written, that fired the
        theme's rule in the comment ('' when none did, or a `not` term cancelled it)."""
        row, col, pos, neg, length = self.hits(batch, "comments")
        col_of = {t: k for k, t in enumerate(self.themes_)}
        cancelled = set(zip(row[neg].tolist(), col[neg].tolist()))
        first: dict[tuple[int, int], tuple[int, int]] = {}
        for r, c, p, n in zip(row[~neg].tolist(), col[~neg].tolist(), pos[~neg].tolist(), length[~neg].tolist()):
            if (r, c) not in cancelled and (r, c) not in first:
                first[(r, c)] = (p, n)
        out = []
        surface = batch.docs.vocab.surface
        ids = batch.docs.token_ids
        for i, j in pairs.tolist():
            c = col_of.get(theme_ids[j])
            hit = first.get((i, c)) if c is not None else None
            out.append("" if hit is None else " ".join(surface[int(t)] for t in ids[hit[0] : hit[0] + hit[1]]))
        return out
