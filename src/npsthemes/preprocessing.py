"""Text preprocessing for Finnish, Swedish and English survey comments.

- Tokenisation with spaCy's blank pipelines (``spacy.blank("fi"/"sv"/"en")``; nothing is downloaded) and
  sentence splitting by the rule of spaCy's ``sentencizer`` (its punctuation list, applied to the token
  sequence, which is several times faster than running the pipe).
- Each distinct whitespace-separated piece of text is tokenised once and each distinct token analysed once
  (kind, lemma): the same words repeat in survey data. A batch is then assembled with array operations into a
  :class:`DocBatch` (no Python object per comment); :meth:`TextPreprocessor.process` gives :class:`Doc` objects.
- Lemmas from ``simplemma``, cached per (language, token).
- Lower-casing; URLs, e-mail addresses and numbers normalised to ``URL``, ``EMAIL`` and ``NUM``.
- Clause splitting at sentence ends and before contrast words ("mutta", "vaikka", "men", "fast", "but",
  "although", ...), so that one comment can praise one theme and criticise another.
- Language detection per comment limited to the configured languages (:class:`LanguageDetector`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from typing import Any

import numpy as np

from ._sync import drop_derived, synchronized

__all__ = ["Doc", "DocBatch", "TextPreprocessor", "LanguageDetector", "CONTRAST_WORDS", "normalize_text"]

#: Words that start a new clause: one comment can praise one thing and criticise another.
CONTRAST_WORDS: dict[str, frozenset[str]] = {
    "fi": frozenset(
        {
            "mutta",
            "mut",
            "mutku",
            "vaikka",
            "kuitenkin",
            "toisaalta",
            "paitsi",
            "silti",
            "joskin",
            "vaan",
            "valitettavasti",
            "harmi",
            "harmillisesti",
            "miinuksena",
            "plussana",
        }
    ),
    "sv": frozenset({"men", "fast", "dock", "däremot", "förutom", "trots", "tyvärr", "annars"}),
    "en": frozenset(
        {"but", "although", "though", "however", "except", "whereas", "unfortunately", "otherwise", "apart", "sadly"}
    ),
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
    # internal: "token", the ids of the tokens in the preprocessor's vocabulary "vocab"; feature-cache ids
    ids: dict = field(default_factory=dict, repr=False)

    @property
    def lemma_text(self) -> str:
        return " ".join(self.lemmas)

    def clause_lemma_texts(self) -> list[str]:
        return [" ".join(self.lemmas[a:b]) for a, b in self.clauses] or [""]

    def clause_surface_texts(self) -> list[str]:
        return [" ".join(self.tokens[a:b]) for a, b in self.clauses] or [""]


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The integers ``starts[i], ..., starts[i] + lengths[i] - 1`` for each ``i``, concatenated."""
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()), dtype=np.int64)


def _grown(array: np.ndarray | None, values: list, dtype) -> np.ndarray:
    """``values`` (a list that only grows) as an array, reusing ``array``, an earlier conversion of it: only the
    new entries are converted."""
    done = 0 if array is None else len(array)
    if array is not None and done == len(values):
        return array
    tail = np.asarray(values[done:], dtype=dtype)
    return tail if array is None else np.concatenate([array, tail])


def _expand(ptr: np.ndarray, values: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate the runs ``values[ptr[i]:ptr[i + 1]]`` of the ``ids`` in order; also return each run's length."""
    lengths = ptr[ids + 1] - ptr[ids]
    return values[_ranges(ptr[ids], lengths)], lengths


class _Straddle:
    """Which special cases of a spaCy tokenizer may straddle a space.

    spaCy's tokenizer splits a text at whitespace and tokenises each piece on its own (affix rules and special
    cases), then looks for the special cases ("it's", "a.m.", ":)", ...) once more in the whole token sequence
    with a matcher, and a match there may straddle a single space ("i 'd", ": )"): it is not replaced (its text
    has a space) but it keeps overlapping matches inside the pieces from being applied. So a text's tokens are
    those of its pieces unless some special case ``s`` (compared lower-cased) is ``x + y`` or ``x + B + ...``
    with ``x`` a suffix of piece ``A`` and ``y`` a prefix of the next piece ``B`` that start or end at a token
    boundary. The boundaries before the matcher ran are unknown; they are those of the final tokens except
    inside a run of tokens that spells a special case (where the matcher may have merged or split tokens), so
    every position inside such a run counts as a boundary: the test errs on the safe side.
    """

    def __init__(self, rules: Sequence[str]):
        self.rules = frozenset(rules)
        self.prefixes = frozenset(r[:k] for r in rules for k in range(1, len(r)))
        self.suffixes = frozenset(r[k:] for r in rules for k in range(1, len(r)))
        self.inner = frozenset(r[i:k] for r in rules for i in range(1, len(r)) for k in range(i + 1, len(r)))

    def ends(self, tokens: list[str]) -> tuple[list[str], list[str], str]:
        """For a piece's tokens (lower-cased): its suffixes that may start a straddling special case, its prefixes
        that may end one, and its text."""
        text = "".join(tokens)
        starts = [0]
        for t in tokens:
            starts.append(starts[-1] + len(t))
        cut_set = set(starts)
        for i in range(len(tokens)):
            for k in range(i + 1, len(tokens) + 1):
                if text[starts[i] : starts[k]] in self.rules:
                    cut_set.update(range(starts[i], starts[k]))
        cuts = sorted(cut_set)
        heads = [text[k:] for k in cuts if 0 <= k < len(text) and text[k:] in self.prefixes]
        tails = [text[:k] for k in cuts if k > 0 and text[:k] in self.suffixes]
        return heads, tails, text

    def straddles(self, a: tuple[list[str], list[str], str], b: tuple[list[str], list[str], str]) -> bool:
        """Whether a special case may straddle the space between pieces with :meth:`ends` ``a`` and ``b``."""
        return any(x + y in self.rules for x in a[0] for y in b[1]) or any(x + b[2] in self.prefixes for x in a[0])


class _Vocab:
    """The distinct tokens and whitespace-separated pieces ("chunks") a :class:`TextPreprocessor` has seen.

    Token ids index ``surface``, ``lemma``, ``kind`` (0 word, 1 contrast word, 2 bullet/separator) and ``punct``
    (sentence-final punctuation by the sentencizer's rule). Chunk ``c`` of a language is made of the tokens
    ``tokens[ptr[c]:ptr[c + 1]]`` (whitespace tokens dropped); ``edge[c]`` says whether a special case of the
    tokenizer that straddles a space may end in it (bit 1) or start in it (bit 2), and ``ends[c]`` (for those
    chunks only) is :meth:`_Straddle.ends` of its tokens.
    """

    def __init__(self) -> None:
        self.token_of: dict[tuple[str, int], int] = {}
        self.surface: list[str] = []
        self.lemma: list[str] = []
        self.kind: list[int] = []
        self.punct: list[bool] = []
        self.lang: list[str] = []  # the language the token was read in (a token id is per language)
        self.chunk_of: dict[str, dict[str, int]] = {}
        self.ptr: list[int] = [0]
        self.tokens: list[int] = []
        self.edge: list[int] = []
        self.ends: dict[int, tuple[list[str], list[str], str]] = {}
        self._arrays: tuple = (None,) * 5
        self.alnum: list[bool] = []  # whether the token has a letter or a digit
        self._alnum: np.ndarray | None = None

    def alnum_flags(self) -> np.ndarray:
        """``alnum`` as an array (the list only grows; each entry is written once, with its token)."""
        self._alnum = flags = _grown(self._alnum, self.alnum, bool)
        return flags

    def arrays(self) -> tuple[np.ndarray, ...]:
        """``ptr``, ``tokens``, ``edge``, ``kind`` and ``punct`` as arrays (brought up to date after new entries)."""
        lists: tuple[list, ...] = (self.ptr, self.tokens, self.edge, self.kind, self.punct)
        dtypes = (np.int64, np.int64, np.int8, np.int8, bool)
        self._arrays = tuple(_grown(a, v, t) for a, v, t in zip(self._arrays, lists, dtypes))
        return self._arrays


class TextPreprocessor:
    """Tokenise, lemmatise and split comments into clauses, per language.

    Each distinct whitespace-separated piece of text is tokenised once (spaCy tokenises the pieces of a text
    independently) and each distinct token analysed once; a batch is then assembled with array operations.

    Parameters
    ----------
    languages:
        Languages to support (spaCy blank pipelines and simplemma lemmas are used for each).
    """

    #: The caches of distinct tokens and chunks are emptied when they grow past these sizes.
    max_tokens = 1_000_000
    max_chunks = 2_000_000

    def __init__(self, languages: Sequence[str] = ("fi", "sv", "en")):
        self.languages = tuple(languages)
        self._nlp: dict[str, object] = {}
        self._lemma_cache: dict[tuple[str, str], str] = {}
        self._stop: dict[str, frozenset[str]] = {}
        self._straddle: dict[str, _Straddle | None] = {}
        self._vocab = _Vocab()
        self._lemmatizer: Any = None

    def use_lemma_tables(self, tables: Any) -> None:
        """Lemmatise with simplemma's strategies over these dictionaries (a :class:`~npsthemes.lemmas.LemmaTables`,
        the ones a model directory carries; None: simplemma's own). Set before the first lemma: the cache of
        lemmas is emptied."""
        self._lemmatizer = tables.lemmatizer() if tables is not None else None
        self._lemma_cache.clear()
        self._vocab = _Vocab()

    def __getstate__(self) -> dict:
        # spaCy pipelines and caches are rebuilt after loading
        return {"languages": self.languages}

    def __setstate__(self, state: dict) -> None:
        TextPreprocessor.__init__(self, state["languages"])

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
                if self._lemmatizer is not None:
                    lem = self._lemmatizer.lemmatize(token, lang).lower()
                else:
                    import simplemma

                    lem = simplemma.lemmatize(token, lang=lang).lower()
            except (ValueError, KeyError):
                lem = token
        if len(self._lemma_cache) < 500_000:
            self._lemma_cache[key] = lem
        return lem

    def _straddle_sets(self, lang: str) -> _Straddle | None:
        """The special cases of the language's tokenizer that may straddle whitespace (None: tokenise whole texts,
        for a tokenizer that is not spaCy's or special cases with inner whitespace)."""
        if lang not in self._straddle:
            from spacy.tokenizer import Tokenizer

            tokenizer = self._pipeline(lang).tokenizer
            rules = [rule.lower() for rule in tokenizer.rules if rule.strip()]
            ok = type(tokenizer) is Tokenizer and not any(c.isspace() for rule in rules for c in rule)
            self._straddle[lang] = _Straddle(rules) if ok else None
        return self._straddle[lang]

    def _token_id(self, lang: str, text: str, orth: int) -> int:
        vocab = self._vocab
        key = (lang, orth)
        tid = vocab.token_of.get(key)
        if tid is None:
            if not text.strip():
                kind = 3  # whitespace: never stored in a chunk
            elif text in _BULLETS:
                kind = 2
            elif text in CONTRAST_WORDS.get(lang, ()):
                kind = 1
            else:
                kind = 0
            lemma = self.lemma(text, lang)
            tid = len(vocab.surface)
            # readers outside this object's lock (the blocks' token caches) take len(surface) as the number of
            # complete tokens: every other table gets the token first and surface last
            vocab.lemma.append(lemma)
            vocab.kind.append(kind)
            vocab.punct.append(text in _SENT_PUNCT)
            vocab.alnum.append(any(ch.isalnum() for ch in text))
            vocab.lang.append(lang)
            vocab.surface.append(text)
            vocab.token_of[key] = tid
        return tid

    def _add_chunk(self, lang: str, text: str) -> int:
        """Tokenise ``text`` (a whitespace-free piece, or a whole text) with spaCy and add it to the chunk table."""
        from spacy.attrs import ORTH

        vocab = self._vocab
        nlp = self._pipeline(lang)
        sdoc = nlp.tokenizer(text)
        strings = nlp.vocab.strings
        ids = [self._token_id(lang, strings[orth], orth) for orth in sdoc.to_array(ORTH).tolist()]
        cid = vocab.chunk_of.setdefault(lang, {})[text] = len(vocab.edge)
        straddle = self._straddle_sets(lang)
        edge = 0
        if straddle is not None:
            ends = straddle.ends([vocab.surface[t].lower() for t in ids])
            if ends[0] or ends[1]:
                vocab.ends[cid] = ends
                edge = 2 * bool(ends[0]) + bool(ends[1] or ends[2] in straddle.inner)
        vocab.tokens.extend(t for t in ids if vocab.kind[t] != 3)
        vocab.ptr.append(len(vocab.tokens))
        vocab.edge.append(edge)
        return cid

    def _chunk_ids(self, lang: str, pieces: list[list[str]]) -> np.ndarray:
        """Chunk ids of the concatenated ``pieces`` (new chunks are tokenised and added)."""
        chunk_of = self._vocab.chunk_of.setdefault(lang, {})
        flat = list(chain.from_iterable(pieces))
        ids = np.fromiter(map(chunk_of.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
        for k in np.flatnonzero(ids < 0).tolist():
            cid = chunk_of.get(flat[k])  # the same new chunk may occur twice
            ids[k] = self._add_chunk(lang, flat[k]) if cid is None else cid
        return ids

    def _tokenize(self, lang: str, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids of normalised texts (flat, without whitespace tokens) and each text's bounds."""
        straddle = self._straddle_sets(lang)
        pieces = [t.split() for t in texts] if straddle is not None else [[t] for t in texts]
        ids = self._chunk_ids(lang, pieces)
        n_pieces = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        if straddle is not None:
            # a space where a special case may straddle two pieces: tokenise that text whole
            first = np.cumsum(n_pieces) - n_pieces
            edge = self._vocab.arrays()[2][ids]
            maybe = (edge[:-1] & 2).astype(bool) & (edge[1:] & 1).astype(bool)
            gaps = first[1:] - 1  # not a space inside a text but the gap between two texts
            maybe[gaps[(gaps >= 0) & (gaps < len(maybe))]] = False
            ends = self._vocab.ends
            risky = [
                j
                for j in np.flatnonzero(maybe).tolist()
                if straddle.straddles(ends[int(ids[j])], ends[int(ids[j + 1])])
            ]
            if risky:
                for i in np.unique(np.searchsorted(first, risky, side="right") - 1).tolist():
                    pieces[i] = [texts[i]]
                ids = self._chunk_ids(lang, pieces)
                n_pieces = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        ptr, tokens = self._vocab.arrays()[:2]
        flat, lengths = _expand(ptr, tokens, ids)
        bounds = np.concatenate([[0], np.cumsum(lengths)])[np.concatenate([[0], np.cumsum(n_pieces)])]
        return flat, bounds

    def process(self, texts: Sequence[str], langs: Sequence[str]) -> list[Doc]:
        """Preprocess ``texts`` whose languages are given (one per text)."""
        return list(self.process_batch(texts, langs))

    @synchronized
    def process_batch(self, texts: Sequence[str], langs: Sequence[str]) -> DocBatch:
        """Preprocess ``texts`` whose languages are given (one per text) into a :class:`DocBatch`: the same
        documents as :meth:`process`, as flat arrays (no Python object per document). Thread-safe: the shared
        vocabulary grows under this object's lock (a batch keeps the vocabulary it was made with)."""
        if len(self._vocab.surface) > self.max_tokens or len(self._vocab.edge) > self.max_chunks:
            self._vocab = _Vocab()
        vocab = self._vocab
        texts, langs = list(texts), list(langs)
        by_lang: dict[str, list[int]] = {}
        for i, lang in enumerate(langs):
            by_lang.setdefault(lang, []).append(i)
        order: list[int] = []
        parts = []
        for lang, idx in by_lang.items():
            tok, bounds = self._tokenize(lang, [normalize_text(texts[i]) for i in idx])
            kind, punct = vocab.arrays()[3:]
            kind, punct = kind[tok], punct[tok]
            # the sentencizer's rule: a sentence starts at the first non-punctuation token after punctuation;
            # a clause also starts at a contrast word or a bullet (bullets are not kept as tokens)
            after_punct = np.zeros(len(tok), dtype=bool)
            after_punct[1:] = punct[:-1]
            after_punct[bounds[:-1][bounds[:-1] < len(tok)]] = False
            cut = (after_punct & ~punct) | (kind != 0)
            keep = kind != 2
            kept_before = np.concatenate([[0], np.cumsum(keep)])
            doc_ptr = kept_before[bounds]
            # clause bounds: each text's start and end and every cut, in kept-token positions (no empty clauses)
            cuts = np.unique(np.concatenate([doc_ptr, kept_before[:-1][cut]]))
            owner = np.searchsorted(doc_ptr, cuts[:-1], side="right") - 1
            clause_ptr = np.searchsorted(owner, np.arange(len(idx) + 1))
            order.extend(idx)
            parts.append((tok[keep], doc_ptr, cuts[1:] - doc_ptr[owner], clause_ptr))
        batch = DocBatch.concatenate([texts[i] for i in order], [langs[i] for i in order], vocab, parts)
        if order != list(range(len(texts))):
            batch = batch.take(np.argsort(np.asarray(order, dtype=np.int64), kind="stable"))
        return batch


class DocBatch(Sequence):
    """Preprocessed comments as flat arrays (what :class:`~npsthemes.classifier.ThemeClassifier` reads when it
    predicts); indexing gives :class:`Doc` objects, built on demand.

    ``token_ids``: the ids, in the preprocessor's vocabulary, of every document's tokens, concatenated; document
    ``i`` has ``token_ids[doc_ptr[i]:doc_ptr[i + 1]]``. ``clause_ends``: the end of each clause relative to its
    document's start (clauses are contiguous and cover the document's tokens); document ``i`` has
    ``clause_ends[clause_ptr[i]:clause_ptr[i + 1]]`` (none when it has no tokens).
    """

    def __init__(
        self,
        texts: list[str],
        langs: list[str],
        vocab: _Vocab,
        token_ids: np.ndarray,
        doc_ptr: np.ndarray,
        clause_ends: np.ndarray,
        clause_ptr: np.ndarray,
    ):
        self.texts = texts
        self.langs = langs
        self.vocab = vocab
        self.token_ids = token_ids
        self.doc_ptr = doc_ptr
        self.clause_ends = clause_ends
        self.clause_ptr = clause_ptr

    @classmethod
    def concatenate(cls, texts: list[str], langs: list[str], vocab: _Vocab, parts: list[tuple]) -> DocBatch:
        """One batch from parts ``(token_ids, doc_ptr, clause_ends, clause_ptr)`` of consecutive documents."""
        zero, empty = np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64)
        tokens, doc_ptr, ends, clause_ptr = [empty], [zero], [empty], [zero]
        for tok, dp, ce, cp in parts:
            tokens.append(tok)
            doc_ptr.append(dp[1:] + doc_ptr[-1][-1])
            ends.append(ce)
            clause_ptr.append(cp[1:] + clause_ptr[-1][-1])
        return cls(
            texts,
            langs,
            vocab,
            np.concatenate(tokens),
            np.concatenate(doc_ptr),
            np.concatenate(ends),
            np.concatenate(clause_ptr),
        )

    def take(self, idx: np.ndarray) -> DocBatch:
        """The documents ``idx`` (positions), in that order."""
        idx = np.asarray(idx, dtype=np.int64)
        tokens, n_tokens = _expand(self.doc_ptr, self.token_ids, idx)
        ends, n_clauses = _expand(self.clause_ptr, self.clause_ends, idx)
        il = idx.tolist()
        return DocBatch(
            [self.texts[i] for i in il],
            [self.langs[i] for i in il],
            self.vocab,
            tokens,
            np.concatenate([[0], np.cumsum(n_tokens)]),
            ends,
            np.concatenate([[0], np.cumsum(n_clauses)]),
        )

    def __len__(self) -> int:
        return len(self.texts)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"document {i} of {len(self)}")
        a, b = int(self.doc_ptr[i]), int(self.doc_ptr[i + 1])
        ids = self.token_ids[a:b]
        surface, lemma = self.vocab.surface, self.vocab.lemma
        tl = ids.tolist()
        ends = self.clause_ends[self.clause_ptr[i] : self.clause_ptr[i + 1]].tolist()
        return Doc(
            self.texts[i],
            self.langs[i],
            [surface[t] for t in tl],
            [lemma[t] for t in tl],
            list(zip([0] + ends[:-1], ends)),
            {"token": ids, "vocab": self.vocab},
        )

    def clause_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Row boundaries of every clause in the flat token arrays (a document without tokens gets one empty
        clause) and the document of each clause row."""
        n = len(self)
        n_clauses = np.diff(self.clause_ptr)
        rows = np.maximum(n_clauses, 1)
        owner = np.repeat(np.arange(n), rows)
        ends = np.repeat(self.doc_ptr[:-1], rows)  # documents without clauses: an empty clause at their start
        has = np.repeat(n_clauses > 0, rows)
        ends[has] += self.clause_ends
        return np.concatenate([[0], ends]).astype(np.int64), owner

    def strings(self, positions: np.ndarray, lemmas: bool = False) -> list[str]:
        """The tokens (or lemmas) at positions of the flat token array."""
        table = self.vocab.lemma if lemmas else self.vocab.surface
        return [table[t] for t in self.token_ids[positions].tolist()]


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
        self.vectorizer_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 4), min_df=2, sublinear_tf=True, lowercase=True, dtype=np.float32
        )
        X = self.vectorizer_.fit_transform([" ".join(_words(t)) for t in texts])
        self.model_ = MultinomialNB(alpha=self.alpha).fit(X, langs)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if self.model_ is None:
            return np.ones((len(texts), 1))
        return self._predict(list(texts))[0]

    #: The caches of distinct words and whitespace-separated pieces are emptied past this size.
    max_cache = 2_000_000

    @synchronized
    def _predict(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Language probabilities of texts and their numbers of letters.

        A text's words (:func:`_words`) are those of its whitespace-separated pieces (whitespace is neither a
        letter nor part of a word, and lower-casing a piece is lower-casing it in its text), so each distinct piece
        is analysed once: its word ids in the n-gram cache and its number of letters. Thread-safe (the piece
        caches grow under this object's lock).
        """
        from .features import TokenTfidf

        fast = self.__dict__.get("_fast")
        if (
            fast is None
            or fast.vectorizer is not self.vectorizer_
            or len(fast._rows) > self.max_cache
            or len(self._piece_letters) > self.max_cache
        ):
            fast = self._fast = TokenTfidf(self.vectorizer_)
            self._piece_of: dict[str, int] = {}
            self._piece_ptr: list[int] = [0]
            self._piece_words: list[int] = []
            self._piece_letters: list[int] = []
            self._piece_arrays: tuple = (None,) * 3
        piece_of = self._piece_of
        pieces = [t.split() for t in texts]
        flat = list(chain.from_iterable(pieces))
        ids = np.fromiter(map(piece_of.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
        for k in np.flatnonzero(ids < 0).tolist():
            piece = flat[k]
            pid = piece_of.get(piece)
            if pid is None:
                pid = piece_of[piece] = len(self._piece_letters)
                self._piece_words.extend(fast.token_ids(_words(piece)).tolist())
                self._piece_ptr.append(len(self._piece_words))
                self._piece_letters.append(len(_NON_LETTERS.sub("", piece)))
            ids[k] = pid
        ptr, piece_words, piece_letters = self._piece_arrays = tuple(
            _grown(a, v, np.int64)
            for a, v in zip(self._piece_arrays, (self._piece_ptr, self._piece_words, self._piece_letters))
        )
        words, n_words = _expand(ptr, piece_words, ids)
        n_pieces = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        piece_bounds = np.concatenate([[0], np.cumsum(n_pieces)])
        word_bounds = np.concatenate([[0], np.cumsum(n_words)])[piece_bounds]
        letters = np.concatenate([[0], np.cumsum(piece_letters[ids])])
        X = fast.transform_flat(words, word_bounds)
        assert self.model_ is not None  # callers handle the one-language model
        return self.model_.predict_proba(X), letters[piece_bounds[1:]] - letters[piece_bounds[:-1]]

    def __getstate__(self) -> dict:
        return drop_derived(
            self.__dict__, ("_fast", "_piece_of", "_piece_ptr", "_piece_words", "_piece_letters", "_piece_arrays")
        )

    def detect(self, texts: Sequence[str], fallback: str | None = None) -> list[str]:
        texts = list(texts)
        if not texts:
            return []
        if self.model_ is None:
            return [str(self.classes_[0])] * len(texts)
        proba, letters = self._predict(texts)
        best = proba.argmax(axis=1)
        conf = proba.max(axis=1)
        confident = (letters >= self.min_letters) & (conf >= self.min_confidence)
        if fallback is None:
            if confident.any():
                vals, cnt = np.unique(best[confident], return_counts=True)
                fallback = str(self.classes_[vals[np.argmax(cnt)]])
            else:
                fallback = self.majority_
        labels = [str(c) for c in self.classes_]
        return [labels[b] if ok else fallback for b, ok in zip(best.tolist(), confident.tolist())]
