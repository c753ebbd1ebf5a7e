"""The vectorised prediction path gives exactly what the straightforward per-comment algorithms give.

Each reference below is the simple implementation (one comment, one theme or one token at a time) that the fast
code replaced; the fast code must agree with it exactly."""

import json
import random
import sys

import numpy as np
import pandas as pd
import pytest

from npsthemes.preprocessing import (
    _BULLETS,
    _NON_LETTERS,
    _SENT_PUNCT,
    CONTRAST_WORDS,
    DocBatch,
    TextPreprocessor,
    _words,
    normalize_text,
)

_ATOMS = [
    "it",
    "'s",
    "it's",
    "a.m.",
    "a",
    ".",
    "m",
    "10",
    "a.m",
    "°",
    "c",
    "c.",
    "°c",
    ":",
    ")",
    ":)",
    "(",
    "-",
    "+",
    "•",
    "mutta",
    "men",
    "but",
    "!",
    "?",
    "...",
    "e.g.",
    "e",
    "g",
    "i.e",
    "i",
    "t.ex.",
    "t",
    "ex",
    "esim.",
    "jne.",
    "o.s.v.",
    "bl.a.",
    "let",
    "'S",
    "Let's",
    "u.s.",
    "vs.",
    "hyvä",
    "Bra",
    "http://x.fi",
    "a@b.fi",
    "12,5",
    "%",
    "/",
    "|",
    ";",
    "’s",
    "don't",
    "n't",
    "Mr.",
    "St.",
    "'",
    '"',
    "<3",
    ":-)",
    "8)",
    "(:",
    "o.O",
    "I",
    "'d",
    "d",
    "id",
    "Σ",
    "ΑΣ",
    "İ",
]
_SEPARATORS = [" ", " ", " ", "", "\n", "  ", "\t", "\xa0", "\u3000"]


def _tricky_texts(n: int, seed: int = 0) -> list[str]:
    """Texts made of abbreviations, contractions, emoticons and punctuation, with all kinds of whitespace:
    where spaCy's special cases may straddle a space."""
    rng = random.Random(seed)
    texts = [
        "",
        " ",
        "-",
        "  - ",
        "it 's",
        "IT 'S fine",
        "at 10 a.m. ok",
        "°c .",
        "i .",
        "e. g.",
        "a .m.",
        "c\n) :)u.s.\ni",
        "i 'd say",
        ": ) ok",
        "Palvelu oli hyvä. Hinta kallis!!! mutta ok",
        "+ nopea - kallis",
    ]
    for _ in range(n):
        texts.append("".join(rng.choice(_ATOMS) + rng.choice(_SEPARATORS) for _ in range(rng.randint(1, 12))))
    return texts


def _corpus_texts() -> list[tuple[str, str]]:
    from npsthemes.datasets import training_corpus_path

    with open(training_corpus_path(), encoding="utf-8") as fh:
        return [(r["text"], r["language"]) for r in map(json.loads, fh)]


def _reference_docs(pre: TextPreprocessor, texts, langs):
    """Per text: spaCy's tokenizer on the whole text, then the sentencizer's rule and the clause splitting, token
    by token."""
    from spacy.attrs import ORTH

    out = []
    for text, lang in zip(texts, langs):
        nlp = pre._pipeline(lang)
        tokens, lemmas, clauses = [], [], []
        start, after_punct = 0, False
        for orth in nlp.tokenizer(normalize_text(text)).to_array(ORTH).tolist():
            surface = nlp.vocab.strings[orth]
            if not surface.strip():
                continue
            kind = 2 if surface in _BULLETS else 1 if surface in CONTRAST_WORDS.get(lang, ()) else 0
            is_punct = surface in _SENT_PUNCT
            sent_start = after_punct and not is_punct
            after_punct = is_punct or (after_punct and not sent_start)
            if (sent_start or kind) and len(tokens) > start:
                clauses.append((start, len(tokens)))
                start = len(tokens)
            if kind == 2:
                continue
            tokens.append(surface)
            lemmas.append(pre.lemma(surface, lang))
        if len(tokens) > start:
            clauses.append((start, len(tokens)))
        out.append((tokens, lemmas, clauses))
    return out


def test_pieces_are_tokenised_like_whole_texts():
    """spaCy tokenises each whitespace-separated piece on its own, except for special cases that straddle a space
    ("i 'd", ": )"): the preprocessor's piece cache must give the whole-text tokens, clauses and lemmas."""
    corpus = _corpus_texts()[:1500]
    tricky = _tricky_texts(3000)
    texts = [t for t, _ in corpus] + tricky
    langs = [lang for _, lang in corpus] + [("fi", "sv", "en")[i % 3] for i in range(len(tricky))]
    pre = TextPreprocessor()
    want = _reference_docs(TextPreprocessor(), texts, langs)
    for batch in (slice(0, len(texts)), slice(0, 700), slice(700, len(texts))):  # cold, then warm caches
        docs = pre.process(texts[batch], langs[batch])
        got = [(d.tokens, d.lemmas, d.clauses) for d in docs]
        assert got == want[batch]
        assert [(d.text, d.lang) for d in docs] == list(zip(texts[batch], langs[batch]))


def test_doc_batch_is_the_docs():
    texts = ["Palvelu oli nopeaa mutta portaali on tosi kankea", "", "Snabbt svar men dyrt", "-", "ok. Bra!"]
    langs = ["fi", "en", "sv", "fi", "sv"]
    pre = TextPreprocessor()
    batch = pre.process_batch(texts, langs)
    docs = pre.process(texts, langs)
    assert isinstance(batch, DocBatch) and len(batch) == len(texts)
    assert [(d.tokens, d.lemmas, d.clauses) for d in batch] == [(d.tokens, d.lemmas, d.clauses) for d in docs]
    sub = batch.take(np.array([4, 0, 1]))
    assert [d.text for d in sub] == [texts[4], texts[0], texts[1]]
    assert [d.clauses for d in sub] == [docs[4].clauses, docs[0].clauses, docs[1].clauses]
    bounds, owner = batch.clause_bounds()
    flat = [t for d in docs for t in d.tokens]
    rows = [" ".join(flat[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    want = [t for d in docs for t in (d.clause_surface_texts())]
    assert rows == want and owner.tolist() == [i for i, d in enumerate(docs) for _ in (d.clauses or [None])]


def test_language_detector_works_piece_by_piece():
    """The detector analyses each whitespace-separated piece once. That is the whole text's analysis because
    whitespace is never part of a word nor a letter, and lower-casing never looks across whitespace (the final
    sigma rule stops at it)."""
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    for ws in spaces:
        assert _words("a" + ws + "b") == ["a", "b"] and _NON_LETTERS.sub("", ws) == ""
        for a, b in (("ΑΣ", "Β"), ("Α", "ΣΒ"), ("ΑΣ", "ΣΒ"), ("İ", "x")):
            assert (a + ws + b).lower() == a.lower() + ws + b.lower()
    texts = _tricky_texts(300, seed=1) + ["ΣΑΣ ΣΑΣ", "İstanbul\u2028İİ", "x\x1cy\x1dz\x1ew\x1fv", "ΑΣ.Σ ς", ""]
    for t in texts:
        pieces = t.split()
        assert _words(t) == [w for p in pieces for w in _words(p)]
        assert len(_NON_LETTERS.sub("", t)) == sum(len(_NON_LETTERS.sub("", p)) for p in pieces)


def _theme_models(clf):
    """One scikit-learn LogisticRegression per theme with the detector's fitted coefficients (the reference
    arithmetic of the stacked one-product prediction)."""
    from sklearn.linear_model import LogisticRegression

    det = clf.theme_detector_
    models = []
    for j in range(len(clf.classes_)):
        if not det.active_[j]:
            models.append(None)
            continue
        lr = LogisticRegression()
        lr.coef_, lr.intercept_ = det.weights_[:, j][None, :].copy(), det.intercept_[j : j + 1].copy()
        lr.classes_ = np.array([0, 1])
        models.append(lr)
    return models


def test_theme_probabilities_are_the_models_own(default_model):
    clf = default_model.classifier
    texts = [t for t, _ in _corpus_texts()[:400]] + _tricky_texts(100)
    _, X = clf._analyse(texts)
    want = np.zeros((len(texts), len(clf.classes_)))
    for j, model in enumerate(_theme_models(clf)):
        if model is not None:
            want[:, j] = model.predict_proba(X)[:, 1]
    np.testing.assert_allclose(clf._theme_proba(X), want, rtol=0, atol=1e-12)


def _reference_context(clf, clause_X, owner, pairs):
    clause_p = np.zeros((clause_X.shape[0], len(clf.classes_)))
    for j, model in enumerate(_theme_models(clf)):
        if model is not None:
            clause_p[:, j] = model.predict_proba(clause_X)[:, 1]
    rows = np.arange(len(owner))
    return [int(rows[owner == i][np.argmax(clause_p[owner == i, j])]) for i, j in pairs]


def _reference_evidence(clf, docs, comment_X, pairs, top=3):
    names = clf.vectorizer_.block("word").get_feature_names_out()
    W = clf.theme_detector_.weights_[: len(names)].T
    informative = clf.explainer_.informative_
    out = []
    for i, j in pairs:
        row = comment_X[i, : len(names)].tocsr()
        contrib = row.data * W[j, row.indices]
        cand = [(-c, f) for c, f in zip(contrib, row.indices) if c > 0 and informative[f]]
        words = []
        d = docs[i]
        for _, f in sorted(cand, key=lambda x: x[0])[: top + 1]:  # stable: ties keep the matrix's order
            if len(words) >= top:
                continue
            parts = str(names[f]).split(" ")
            spans = [s for s in range(len(d.lemmas) - len(parts) + 1) if d.lemmas[s : s + len(parts)] == parts]
            if not spans:
                continue
            phrase = " ".join(d.tokens[spans[0] : spans[0] + len(parts)])
            if not any(phrase in w or w in phrase for w in words):
                words.append(phrase)
        out.append(words)
    return out


def _with_rule_words(clf, batch, pairs, ngram_words):
    """The documented merge: the words that fired the theme's rule (where the rule pushes the theme up) first,
    then the n-gram evidence that does not overlap them, at most three."""
    if not any(n == "rules" for n, _ in clf.vectorizer_.blocks_):
        return ngram_words
    block = clf.vectorizer_.block("rules")
    themes = list(map(str, clf.classes_))
    words = block.matched_words(batch, np.asarray(pairs, dtype=np.int64).reshape(-1, 2), themes)
    start = clf.explainer_.offsets_["rules"]
    out = []
    for (_i, j), w, grams in zip(pairs, words, ngram_words):
        c = block.themes_.index(themes[j]) if themes[j] in block.themes_ else None
        if w and c is not None and clf.theme_detector_.weights_[start + c, j] > 0:
            out.append(([w] + [g for g in grams if w not in g and g not in w])[:3])
        else:
            out.append(grams)
    return out


@pytest.mark.parametrize("evidence", [True, False])
def test_tag_frame_equals_the_per_comment_algorithms(default_model, evidence):
    clf = default_model.classifier
    corpus = _corpus_texts()
    texts = [t for t, _ in corpus[:300]] + [t for t, _ in corpus[-300:]] + _tricky_texts(60, seed=2) + ["", "-"]
    X = pd.DataFrame(
        {"text": texts, "score": np.where(np.arange(len(texts)) % 13 == 12, np.nan, np.arange(len(texts)) % 13)}
    )
    langs, frame = clf.tag_frame(X, evidence=evidence)
    batch, comment_X = clf._analyse(X)
    docs = list(batch.docs)  # plain Doc objects: the per-comment reference
    proba = clf._theme_proba(comment_X)
    has_words = [any(ch.isalnum() for tok in d.tokens for ch in tok) for d in docs]  # "-", "" get no theme
    pairs = []
    for i in range(len(docs)):
        above = [j for j in np.argsort(-proba[i], kind="stable") if proba[i, j] >= clf.thresholds_[j]]
        if not above and getattr(clf, "min_themes_", 0):
            above = [int(np.argmax(proba[i]))]
        pairs += [(i, j) for j in above] if has_words[i] else []
    assert not has_words[-1] and not has_words[-2]
    assert frame["row"].tolist() == [i for i, _ in pairs]
    assert frame["theme"].tolist() == [clf.classes_[j] for _, j in pairs]
    assert np.array_equal(frame["probability"].to_numpy(), np.array([proba[i, j] for i, j in pairs]))
    # only comments with a theme have their clauses analysed, all in one transform
    need = sorted({i for i, _ in pairs})
    sub = {i: k for k, i in enumerate(need)}
    sub_docs, sub_X, sub_pairs = [docs[i] for i in need], comment_X[need], [(sub[i], j) for i, j in pairs]
    sub_batch = batch.take(np.asarray(need, dtype=np.int64))
    assert [d.tokens for d in sub_batch.docs] == [d.tokens for d in sub_docs]
    clause_X, owner = clf.vectorizer_.transform_clauses(sub_batch, sub_X)
    ctx = _reference_context(clf, clause_X, owner, sub_pairs)
    first_row = np.searchsorted(owner, np.arange(len(need)))
    clause = [
        " ".join(docs[i].tokens[slice(*docs[i].clauses[c - first_row[sub[i]]])]) if docs[i].clauses else ""
        for (i, _), c in zip(pairs, ctx)
    ]
    assert frame["clause"].tolist() == clause
    pols, pprob, _ = clf._polarity_for_pairs(sub_batch, sub_X, clause_X, owner, np.asarray(sub_pairs).reshape(-1, 2))
    assert frame["polarity"].tolist() == list(pols)
    assert np.array_equal(frame["polarity_probability"].to_numpy(), pprob)
    if evidence:
        assert frame["evidence"].tolist() == [
            "; ".join(e) for e in _with_rule_words(clf, batch, pairs, _reference_evidence(clf, docs, comment_X, pairs))
        ]
    else:
        assert set(frame["evidence"]) <= {""}
    assert langs == clf.text_.languages_for(texts, None)


def test_refitting_does_not_reuse_the_first_fits_caches():
    from npsthemes import ThemeClassifier

    X1 = ["Fast and friendly", "Too expensive", "Slow handling", "Cheap and fast", "ok", "friendly staff"] * 3
    X2 = ["Kallis lasku", "Nopea palvelu", "Hidas käsittely", "Halpa ja nopea", "ok", "ystävällinen palvelu"] * 3
    y = [
        "speed:positive;personal_service:positive",
        "price:negative",
        "speed:negative",
        "price:positive;speed:positive",
        "",
        "personal_service:positive",
    ] * 3
    clf = ThemeClassifier.default(threshold_tuner__cv=0).fit(X1, y)
    clf.tag(X1)  # fills the derived caches
    clf.fit(X2, y)
    assert clf.tag(X2 + X1) == ThemeClassifier.default(threshold_tuner__cv=0).fit(X2, y).tag(X2 + X1)
