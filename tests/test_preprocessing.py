from npsthemes.preprocessing import LanguageDetector, TextPreprocessor, normalize_text


def test_normalize_urls_emails_numbers():
    pre = TextPreprocessor(("en",))
    (doc,) = pre.process(["Mail me at Anna.K@firma.fi or see https://x.fi/a?b=1, invoice 12345 paid"], ["en"])
    assert "EMAIL" in doc.lemmas and "URL" in doc.lemmas and "NUM" in doc.lemmas
    assert normalize_text("ABC") == "abc"


def test_clause_split_on_contrast_words_in_three_languages():
    pre = TextPreprocessor()
    docs = pre.process(
        [
            "Palvelu oli nopeaa mutta portaali on tosi kankea",
            "Snabbt svar men dyrt",
            "Friendly staff, but the portal keeps crashing. Will stay anyway",
            "+ nopea - kallis",
        ],
        ["fi", "sv", "en", "fi"],
    )
    assert docs[0].clause_surface_texts() == ["palvelu oli nopeaa", "mutta portaali on tosi kankea"]
    assert docs[1].clause_surface_texts() == ["snabbt svar", "men dyrt"]
    assert docs[2].clause_surface_texts() == ["friendly staff ,", "but the portal keeps crashing .", "will stay anyway"]
    assert docs[3].clause_surface_texts() == ["nopea", "kallis"]


def test_lemmas_and_cache():
    pre = TextPreprocessor(("fi", "sv"))
    (d1,) = pre.process(["laskut tulivat"], ["fi"])
    assert d1.lemmas[0] == "lasku"
    (d2,) = pre.process(["fakturorna"], ["sv"])
    assert d2.lemmas[0] == "faktura"
    assert ("fi", "laskut") in pre._lemma_cache


def test_empty_and_punctuation_only():
    pre = TextPreprocessor()
    docs = pre.process(["", "-", "  "], ["fi", "fi", "en"])
    assert [d.tokens for d in docs] == [[], [], []]
    assert docs[0].clause_lemma_texts() == [""]


def test_language_detector_falls_back_on_short_or_ambiguous():
    texts = [
        "Tosi hyvää palvelua ja nopeaa",
        "Asiakaspalvelu vastasi heti",
        "Ei toiminut ollenkaan",
        "Mycket bra och snabbt",
        "Krångligt att logga in",
        "Det fungerar inte alls",
        "Very good and quick service",
        "Could not log in at all",
        "Nobody answered the phone",
    ] * 3
    langs = ["fi"] * 3 + ["sv"] * 3 + ["en"] * 3
    det = LanguageDetector().fit(texts, langs * 3)
    assert det.detect(["Palvelu toimi hyvin", "Det var krångligt", "Nobody called me back"]) == ["fi", "sv", "en"]
    # too short to tell: the batch's majority language among confident predictions
    assert det.detect(["ok", "Palvelu toimi hyvin", "Asiakaspalvelu oli ystävällinen"])[0] == "fi"
    assert det.detect(["-"], fallback="sv") == ["sv"]


def test_token_tfidf_equals_sklearn_transform(small_model):
    """The cached-token transform gives the fitted TfidfVectorizer's result (features.py)."""
    import numpy as np

    from npsthemes.features import TokenTfidf

    texts = [
        "Palvelu oli nopeaa mutta portaali on tosi kankea",
        "Snabbt svar men dyrt!! 100 kr",
        "ok",
        "",
        "kankea kankea portaali, portaali",
    ]
    docs = small_model.preprocessor_.process(texts, ["fi", "sv", "en", "en", "fi"])
    for vec, get in (
        (small_model.vectorizer_.block("word").vectorizer_, lambda d: d.lemmas),
        (small_model.vectorizer_.block("char").vectorizer_, lambda d: d.tokens),
    ):
        want = vec.transform([" ".join(get(d)) for d in docs]).toarray()
        fast = TokenTfidf(vec)
        got = fast.transform([get(d) for d in docs]).toarray()
        assert np.abs(want - got).max() < 1e-6
        again = fast.transform([get(d) for d in docs]).toarray()  # from the warm cache
        assert np.abs(want - again).max() < 1e-6


def test_token_tfidf_word_ngram_ranges_equal_sklearn():
    """Word n-gram ranges other than (1, 2) (trigrams, bigrams only) match TfidfVectorizer.transform too."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from npsthemes.features import TokenTfidf

    train = [
        "the portal is slow",
        "the portal is fine",
        "slow slow portal is slow",
        "is the portal slow",
        "fine fine",
        "the portal is slow again",
    ]
    test = [d.split() for d in ["the portal is slow", "portal is slow the portal is", "", "is", "slow portal is"]]
    for ngram_range in ((1, 3), (2, 3), (2, 2), (1, 4)):
        vec = TfidfVectorizer(
            analyzer="word",
            tokenizer=str.split,
            token_pattern=None,
            lowercase=False,
            ngram_range=ngram_range,
            sublinear_tf=True,
        ).fit(train)
        want = vec.transform([" ".join(d) for d in test]).toarray()
        fast = TokenTfidf(vec)
        for _ in range(2):  # cold, then warm caches
            assert np.abs(fast.transform(test).toarray() - want).max() < 1e-6, ngram_range


def test_nb_log_ratios_by_hand():
    """Presence counts (not TF-IDF values) per class, add-one smoothing, each class's counts normalised."""
    import numpy as np
    import scipy.sparse as sp

    from npsthemes.features import nb_log_ratios

    X = sp.csr_matrix(np.array([[0.5, 0.0, 2.0], [0.3, 0.0, 0.0], [0.0, 1.0, 0.7]]))
    y = np.array([1, 1, 0])
    pos = np.array([2, 0, 1]) + 1.0  # feature present in how many positive rows, + alpha
    neg = np.array([0, 1, 1]) + 1.0
    expected = np.log(pos / pos.sum()) - np.log(neg / neg.sum())
    np.testing.assert_allclose(nb_log_ratios(X, y)[:, 0], expected)
    both = nb_log_ratios(X, np.column_stack([y, 1 - y]))
    np.testing.assert_allclose(both[:, 1], -expected)  # the other class's ratios are the negation
    assert both.shape == (3, 2)
