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

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain
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


def _lookup(sorted_keys: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each query: whether it is in ``sorted_keys``, and where (``searchsorted``; valid where found)."""
    at = np.searchsorted(sorted_keys, q)
    if not len(sorted_keys):
        return np.zeros(len(q), dtype=bool), at
    return sorted_keys[np.minimum(at, len(sorted_keys) - 1)] == q, at


@dataclass
class _Index:
    """Derived lookup tables of a fitted :class:`RuleBlock` (see ``RuleBlock._term_index``)."""

    langs: dict[str, tuple[dict, dict, dict, dict, dict]]
    lengths: np.ndarray  # words per multi-word term
    codes: np.ndarray  # theme column * 2 + is_not, per multi-word term
    kmax: int


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
        return drop_derived(self.__dict__, ("_code_cache", "_index", "_hit_cache"))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array([f"rule:{t}" for t in self.themes_], dtype=object)

    # ------------------------------------------------------------------ matching
    def _term_index(self) -> _Index:
        """Lookup tables derived from ``compiled_`` (not saved with the model): per language the prefix terms by
        prefix, and the multi-word terms numbered, with their first and later words by exact word and by
        prefix."""
        idx = self.__dict__.get("_index")
        if idx is not None:
            return idx
        lengths: list[int] = []
        codes: list[int] = []
        langs: dict[str, tuple[dict, dict, dict, dict, dict]] = {}
        for lang, c in self.compiled_.items():
            prefixes: dict[str, set[int]] = {}
            for prefix, code in c.prefixes:
                prefixes.setdefault(prefix, set()).add(code)
            start_exact: dict[str, list[int]] = {}
            start_prefix: dict[str, list[int]] = {}
            cont_exact: dict[str, list[tuple[int, int]]] = {}
            cont_prefix: dict[str, list[tuple[int, int]]] = {}
            for entries in c.multi.values():
                for words, code in entries:
                    m = len(lengths)
                    lengths.append(len(words))
                    codes.append(code)
                    for k, w in enumerate(words):
                        if k == 0:
                            (start_prefix if w.endswith("*") else start_exact).setdefault(w.rstrip("*"), []).append(m)
                        else:
                            (cont_prefix if w.endswith("*") else cont_exact).setdefault(w.rstrip("*"), []).append(
                                (m, k)
                            )
            langs[lang] = (
                {k: tuple(v) for k, v in prefixes.items()},
                start_exact,
                start_prefix,
                cont_exact,
                cont_prefix,
            )
        kmax = max(lengths, default=1) + 1
        idx = self._index = _Index(langs, np.asarray(lengths, dtype=np.int64), np.asarray(codes, dtype=np.int64), kmax)
        return idx

    @staticmethod
    def _by_prefix(table: dict, form: str) -> list:
        """The values of ``table`` (prefix -> values) for every prefix of ``form``."""
        out: list = []
        for n in range(1, len(form) + 1):
            got = table.get(form[:n])
            if got:
                out.extend(got)
        return out

    def _token_codes(self, lang: str, surface: str, lemma: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple]:
        """What a token matches: the one-word term codes (exact, prefix, compound head), the multi-word terms it
        may start, and the (term, word position) keys of the later words of multi-word terms it matches."""
        c = self.compiled_.get(lang)
        if c is None:
            return (), (), ()
        index = self._term_index()
        prefixes, start_exact, start_prefix, cont_exact, cont_prefix = index.langs[lang]
        kmax = index.kmax
        forms = (lemma, surface) if lemma != surface else (lemma,)
        codes: set[int] = set()
        starts: set[int] = set()
        conts: set[int] = set()
        for f in forms:
            codes |= c.exact.get(f, set())
            if c.heads and len(f) > _MIN_COMPOUND_HEAD:
                for k in range(1, len(f) - _MIN_COMPOUND_HEAD + 1):
                    hit = c.heads.get(f[k:])
                    if hit:
                        codes |= hit
            if prefixes:
                codes.update(self._by_prefix(prefixes, f))
            starts.update(start_exact.get(f, ()))
            if start_prefix:
                starts.update(self._by_prefix(start_prefix, f))
            conts.update(m * kmax + k for m, k in cont_exact.get(f, ()))
            if cont_prefix:
                conts.update(m * kmax + k for m, k in self._by_prefix(cont_prefix, f))
        return tuple(sorted(codes)), tuple(sorted(starts)), tuple(sorted(conts))

    def _codes(self, vocab: Any) -> list[tuple[tuple[int, ...], tuple[int, ...], tuple]]:
        """Per vocabulary token: what it matches (:meth:`_token_codes`; grown as the vocabulary grows, under this
        block's lock)."""
        with lock_of(self):
            cached = self.__dict__.get("_code_cache")
            codes = cached[1] if cached is not None and cached[0] is vocab else []
            for t in range(len(codes), len(vocab.surface)):
                codes.append(self._token_codes(vocab.lang[t], vocab.surface[t], vocab.lemma[t]))
            self._code_cache = (vocab, codes)
            return codes

    @staticmethod
    def _expand(per_token: list[tuple], part: int, uniq: list[int], inv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position, value) pairs for every value of every position's token, from part ``part`` of the
        per-vocabulary-token tuples of the batch's distinct tokens ``uniq``."""
        vals = [per_token[t][part] for t in uniq]
        lens = np.fromiter(map(len, vals), dtype=np.int64, count=len(vals))
        ptr = np.concatenate([[0], np.cumsum(lens)])
        flat = np.fromiter(chain.from_iterable(vals), dtype=np.int64, count=int(ptr[-1]))
        per_pos = lens[inv]
        pos = np.repeat(np.arange(len(inv)), per_pos)
        within = np.arange(len(pos)) - np.repeat(np.cumsum(per_pos) - per_pos, per_pos)
        return pos, flat[ptr[inv][pos] + within]

    def _position_hits(self, batch: Batch) -> tuple[np.ndarray, ...]:
        """(token position, theme column, is a `not` term, number of tokens) of every hit, ordered by position
        (one-word terms first); kept for the last two batches seen (weakly), since a tag call asks for the
        comments, the clauses and the matched words of the same batch."""
        docs = batch.docs
        with lock_of(self):
            for ref, cached in self.__dict__.get("_hit_cache", ()):
                if ref() is docs:
                    return cached
        vocab = docs.vocab
        per_token = self._codes(vocab)
        ids = np.asarray(docs.token_ids, dtype=np.int64)
        n = len(ids)
        uniq_a, inv = np.unique(ids, return_inverse=True)
        uniq = uniq_a.tolist()
        pos1, code1 = self._expand(per_token, 0, uniq, inv) if n else (np.zeros(0, np.int64),) * 2
        out_pos, out_code, out_len = [pos1], [code1], [np.ones(len(pos1), dtype=np.int64)]
        idx = self._term_index()
        if n and len(idx.lengths):
            s_pos, s_m = self._expand(per_token, 1, uniq, inv)
            if len(s_pos):
                c_pos, c_key = self._expand(per_token, 2, uniq, inv)
                width = np.int64(len(idx.lengths) * idx.kmax)
                have = np.sort(c_pos * width + c_key)
                length = idx.lengths[s_m]
                end = s_pos + length
                clause_bounds = docs.clause_bounds()[0]
                clause_of = np.repeat(np.arange(len(clause_bounds) - 1), np.diff(clause_bounds))
                ok = end <= n
                ok[ok] = clause_of[end[ok] - 1] == clause_of[s_pos[ok]]
                for k in range(1, int(length.max())):
                    need = np.flatnonzero(ok & (length > k))
                    if not len(need):
                        break
                    found, _ = _lookup(have, (s_pos[need] + k) * width + s_m[need] * idx.kmax + k)
                    ok[need[~found]] = False
                out_pos.append(s_pos[ok])
                out_code.append(idx.codes[s_m[ok]])
                out_len.append(length[ok])
        pos_a, code_a, len_a = (np.concatenate(x).astype(np.int64) for x in (out_pos, out_code, out_len))
        order = np.lexsort((len_a > 1, pos_a))  # by position; at one position one-word terms first (stable)
        pos_a, code_a, len_a = pos_a[order], code_a[order], len_a[order]
        result = (pos_a, code_a >> 1, (code_a & 1).astype(bool), len_a)
        with lock_of(self):  # the last two batches (a tag call also matches a subset of its comments' clauses)
            live = [(ref, got) for ref, got in self.__dict__.get("_hit_cache", ()) if ref() is not None]
            self._hit_cache = (live[-1:] + [(weakref.ref(docs), result)])[-2:]
        return result

    def hits(self, batch: Batch, rows: str = "comments") -> tuple[np.ndarray, ...]:
        """Every rule hit: (row, theme column, token position, is a `not` term, number of tokens) arrays, where
        rows are comments or clauses (``rows="clauses"``, numbered as ``DocBatch.clause_bounds``). Terms are
        matched with array operations over the batch's distinct tokens; a multi-word term must lie within one
        clause."""
        if not hasattr(self, "compiled_"):
            raise NotFittedError("this RuleBlock is not fitted yet")
        pos, col, neg, length = self._position_hits(batch)
        docs = batch.docs
        bounds = docs.clause_bounds()[0] if rows == "clauses" else docs.doc_ptr
        row_of = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
        return row_of[pos].astype(np.int64), col, pos, neg, length

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
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        width = np.int64(max(len(self.themes_), 1))
        key = row * width + col
        cancelled = np.unique(key[neg])
        live = ~neg & ~np.isin(key, cancelled)
        first_key, first_at = np.unique(key[live], return_index=True)  # hits are in position order: the first
        first_pos, first_len = pos[live][first_at], length[live][first_at]
        col_of = {t: k for k, t in enumerate(self.themes_)}
        pair_col = np.array([col_of.get(t, -1) for t in theme_ids], dtype=np.int64)[pairs[:, 1]]
        q = pairs[:, 0] * width + pair_col
        out = [""] * len(pairs)
        found, at = _lookup(first_key, q)
        found &= pair_col >= 0
        surface = batch.docs.vocab.surface
        ids = batch.docs.token_ids
        for k in np.flatnonzero(found).tolist():
            p0, n = int(first_pos[at[k]]), int(first_len[at[k]])
            out[k] = " ".join(surface[int(t)] for t in ids[p0 : p0 + n])
        return out
