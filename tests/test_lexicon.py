"""Sentiment-lexicon features (lexicon.py)."""

import numpy as np
import pytest

from npsthemes.lexicon import NEGATIONS, SentimentLexicon, load_lexicon


@pytest.mark.parametrize("lang", ["en", "fi", "sv"])
def test_shipped_lexicons_are_well_formed(lang):
    lex, key = load_lexicon(lang)
    assert len(lex) > 300
    assert key == ("surface" if lang == "en" else "lemma")
    values = np.array(list(lex.values()))
    assert ((values >= -4) & (values <= 4)).all() and (values > 0).any() and (values < 0).any()
    assert not set(lex) & NEGATIONS[lang]  # negation words are handled by the scope rule, not as valences


def test_lexicon_files_have_no_duplicate_keys():
    from importlib import resources

    for lang in ("fi", "sv"):
        lines = (resources.files("npsthemes") / "data" / f"lexicon_{lang}.tsv").read_text("utf-8").splitlines()
        keys = [line.split("\t")[0] for line in lines if line and not line.startswith("#")]
        assert len(keys) == len(set(keys)) and all(k == k.lower() for k in keys)


def _score(lexicon, tokens, lemmas, lang="en"):
    """Features of one row, using one token table per side like the classifier does."""
    surface_table, lemma_table = list(dict.fromkeys(tokens)), list(dict.fromkeys(lemmas))
    s_ids = np.array([surface_table.index(t) for t in tokens])
    l_ids = np.array([lemma_table.index(t) for t in lemmas])
    code = lexicon.languages.index(lang)
    rows = np.zeros(len(tokens), dtype=np.int64)
    return lexicon.features(np.full(len(tokens), code), s_ids, surface_table, l_ids, lemma_table, rows, 1)[0]


def test_negation_flips_and_damps_within_scope():
    lexicon = SentimentLexicon(("fi", "sv", "en"))
    pos, neg, net = _score(lexicon, ["good"], ["good"])[:3]
    assert pos > 0 and neg == 0 and net > 0
    pos, neg, net = _score(lexicon, ["not", "very", "good"], ["not", "very", "good"])[:3]
    assert pos == 0 and neg > 0 and net < 0
    far = _score(lexicon, ["not", "a", "b", "c", "good"], ["not", "a", "b", "c", "good"])
    assert far[0] > 0  # outside the three-token scope
    assert _score(lexicon, ["ei", "hyvä"], ["ei", "hyvä"], "fi")[2] < 0 < _score(lexicon, ["hyvä"], ["hyvä"], "fi")[2]
    assert _score(lexicon, ["inte", "bra"], ["inte", "bra"], "sv")[2] < 0 < _score(lexicon, ["bra"], ["bra"], "sv")[2]
    # a language's lexicon does not score another language's words
    assert _score(lexicon, ["good"], ["good"], "fi").tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize(
    "lang, wish, plain",
    [
        ("en", "would be nice if cheaper", "nice and cheap"),
        ("en", "could be better", "better than before"),
        ("fi", "toivoisin hyvä palvelu", "hyvä palvelu"),  # (lemmas: the fi/sv lexicons are lemma-keyed)
        ("fi", "kunpa olis hyvä", "on hyvä"),
        ("sv", "önskar bra info", "bra info"),
        ("sv", "skulle vara bra med svar", "bra svar"),
    ],
)
def test_a_wish_is_criticism(lang, wish, plain):
    """Positive words after a wish or conditional marker count as negated, and the marker is a fourth feature."""
    lexicon = SentimentLexicon(("fi", "sv", "en"))
    w = _score(lexicon, wish.split(), wish.split(), lang)
    p = _score(lexicon, plain.split(), plain.split(), lang)
    assert w[3] > 0 and p[3] == 0
    assert w[2] < 0 < p[2]


def test_would_recommend_is_not_a_wish():
    lexicon = SentimentLexicon(("en",))
    feats = _score(lexicon, ["would", "recommend", "great"], ["would", "recommend", "great"])
    assert feats[3] == 0 and feats[2] > 0


def test_a_lexicon_saved_before_the_wish_markers_keeps_three_features():
    lexicon = SentimentLexicon(("en",))
    state = lexicon.__getstate__()
    del state["wishes"]
    old = SentimentLexicon.__new__(SentimentLexicon)
    old.__setstate__(state)
    assert old.n_features == 3 and len(_score(old, ["could", "be", "better"], ["could", "be", "better"])) == 3


def test_negation_does_not_cross_rows():
    lexicon = SentimentLexicon(("en",))
    table = ["not", "good"]
    feats = lexicon.features(
        np.zeros(2, dtype=np.int64), np.array([0, 1]), table, np.array([0, 1]), table, np.array([0, 1]), 2
    )
    assert feats[1, 0] > 0 and feats[1, 1] == 0


def test_lexicon_weight_zero_means_no_lexicon(small_labelled):
    from npsthemes import ThemeClassifier

    X, y = small_labelled.X.head(120), small_labelled.y[:120]
    off = ThemeClassifier.default(threshold_tuner__cv=0, polarity__lexicon_weight=0).fit(X, y)
    on = ThemeClassifier.default(threshold_tuner__cv=0).fit(X, y)
    assert off.lexicon_ is None and on.lexicon_ is not None
    # clause and comment: three valence features and the wish-marker count each
    extra = on.polarity_.n_features_in_ - off.polarity_.n_features_in_
    assert extra == 2 * on.lexicon_.n_features == 8
