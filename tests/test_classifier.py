import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_validate

from npsthemes import ThemeClassifier
from npsthemes.errors import DataError, NotFittedError
from npsthemes.labelled import parse_labels


def test_estimator_api(small_labelled, small_model):
    clf = small_model
    assert list(clf.classes_) == sorted(clf.classes_)
    assert clf.thresholds_.shape == clf.classes_.shape
    X = small_labelled.X.head(20)
    proba = clf.predict_proba(X)
    assert proba.shape == (20, len(clf.classes_)) and ((proba >= 0) & (proba <= 1)).all()
    labels = clf.predict_labels(X)
    assert labels.shape == (20,)
    for row in labels:
        for part in filter(None, row.split(";")):
            theme, pol = part.split(":")
            assert theme in clf.classes_ and pol in clf.polarity_classes_
    ind = clf.predict(X)  # the multi-label indicator matrix over classes_
    assert ind.shape == (20, len(clf.classes_)) and set(np.unique(ind)) <= {0, 1}
    assert ((ind == 1) == (proba >= clf.thresholds_)).all()
    assert [sorted(t.split(":")[0] for t in filter(None, row.split(";"))) for row in labels] == [
        sorted(clf.classes_[ind[i] == 1]) for i in range(20)
    ]
    # plain list of strings works too
    assert clf.predict(["Hinta on ihan liian kova", "ok"]).shape == (2, len(clf.classes_))


def test_params_clone_and_not_fitted():
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError

    clf = ThemeClassifier.default(theme_detector__C=3.0, threshold_tuner__cv=0)
    assert clf.get_params()["theme_detector__C"] == 3.0
    c2 = clone(clf).set_params(theme_detector__C=5.0, vectorizer__char__ngram_range=(2, 4))
    assert c2.theme_detector.C == 5.0 and clf.theme_detector.C == 3.0
    assert c2.get_params()["vectorizer__char__ngram_range"] == (2, 4)
    assert clf.get_params()["vectorizer__char__ngram_range"] == (2, 5)
    assert not hasattr(c2, "classes_")
    with pytest.raises(NotFittedError):
        c2.predict(["x"])
    with pytest.raises(SklearnNotFittedError):  # the project's error is scikit-learn's too
        c2.predict_proba(["x"])
    # a stage left at None takes the default stage when one of its parameters is set
    bare = ThemeClassifier().set_params(theme_detector__C=2.0)
    assert bare.theme_detector.C == 2.0 and bare.vectorizer is None


def test_swapped_stage_is_used(small_labelled):
    """A stage is swappable: a vectorizer with only the character block, and a detector with other settings."""
    from npsthemes.stages import FeatureBlocks, NgramBlock, ThemeDetector

    X, y = small_labelled.X.head(120), small_labelled.y[:120]
    clf = ThemeClassifier(
        vectorizer=FeatureBlocks([("char", NgramBlock("char", (3, 4)))]),
        theme_detector=ThemeDetector(C=1.0, nb_weighting=False),
        explainer=None,
    ).set_params(threshold_tuner__cv=0, explainer__block="char")
    clf.fit(X, y)
    assert [n for n, _ in clf.vectorizer_.blocks_] == ["char"]
    assert clf.theme_detector_.C == 1.0 and clf.theme_detector_.weights_.shape[0] == clf.vectorizer_.n_features_out_
    tagged = clf.tag(X.head(10))
    assert len(tagged) == 10 and any(r["themes"] for r in tagged)


def test_fit_input_errors():
    with pytest.raises(DataError, match="rows"):
        ThemeClassifier.default().fit(["a", "b", "c", "d"], ["", ""])
    with pytest.raises(DataError, match="no theme labels"):
        ThemeClassifier.default().fit(["a", "b", "c", "d"], ["", "", "", ""])
    with pytest.raises(DataError, match="outside"):
        ThemeClassifier.default(themes=["price"]).fit(["a", "b", "c", "d"], ["speed:positive", "", "", ""])


def test_cross_validate_and_grid_search(small_labelled):
    X = small_labelled.X.head(240)
    y = pd.Series([";".join(f"{t}:{p}" for t, p in s.items()) for s in small_labelled.y[:240]])
    res = cross_validate(
        ThemeClassifier.default(threshold_tuner__cv=0), X, y, cv=KFold(3, shuffle=True, random_state=0)
    )
    assert len(res["test_score"]) == 3 and all(0.2 < s <= 1 for s in res["test_score"])
    gs = GridSearchCV(
        ThemeClassifier.default(threshold_tuner__cv=0),
        {"theme_detector__C": [1.0, 8.0]},
        cv=KFold(2, shuffle=True, random_state=0),
    )
    gs.fit(X, y)
    assert gs.best_params_["theme_detector__C"] in (1.0, 8.0) and hasattr(gs.best_estimator_, "classes_")


def test_custom_theme_set_and_four_polarities():
    X = [
        "food was great",
        "awful food",
        "service slow",
        "service friendly",
        "ok food and slow service",
        "food fine I guess",
        "the staff were kind",
        "prices high",
    ] * 4
    y = [
        "food:positive",
        "food:negative",
        "service:negative",
        "service:positive",
        "food:neutral;service:negative",
        "food:neutral",
        "service:positive",
        "price:negative",
    ] * 4
    clf = ThemeClassifier.default(threshold_tuner__cv=2).fit(X, y)
    assert list(clf.classes_) == ["food", "price", "service"]
    assert list(clf.polarity_classes_) == ["negative", "neutral", "positive"]
    assert clf.predict_polarity(["awful food"], ["food"]) == ["negative"]


def test_polarity_of_given_theme_and_tag_output(default_model):
    clf = default_model.classifier
    texts = pd.DataFrame(
        {
            "text": [
                "Todella osaava ja ystävällinen asiakasneuvoja, mutta verkkopalvelu on kankea ja hidas käyttää.",
                "Portalen är smidig men era avgifter är alldeles för höga",
                "Great people, but the online portal is a nightmare",
            ],
            "score": [9, 7, 10],
        }
    )
    pols = clf.predict_polarity(
        texts, [["competence", "web_interface"], ["web_interface", "price"], ["personal_service", "web_interface"]]
    )
    assert pols[0] == {"competence": "positive", "web_interface": "negative"}
    assert pols[1] == {"web_interface": "positive", "price": "negative"}
    # a promoter (10) can still criticise a theme: polarity comes from the clause
    assert pols[2] == {"personal_service": "positive", "web_interface": "negative"}
    tags = clf.tag(texts)
    first = {t["theme"]: t for t in tags[0]["themes"]}
    assert tags[0]["language"] == "fi" and tags[1]["language"] == "sv" and tags[2]["language"] == "en"
    assert first["web_interface"]["polarity"] == "negative"
    assert any("verkkopalvelu" in e for e in first["web_interface"]["evidence"])
    assert "verkkopalvelu" in first["web_interface"]["clause"]
    assert 0.0 <= first["web_interface"]["probability"] <= 1.0


def test_no_theme_for_empty_or_meaningless(default_model):
    tags = default_model.classifier.tag(["-", "ok", "ei kommentoitavaa", "n/a", "Inget att tillägga"])
    assert [len(t["themes"]) for t in tags] == [0, 0, 0, 0, 0]


def _micro_f1(pred, Y):
    import numpy as np

    tp = (pred & Y).sum()
    return 2 * tp / max(pred.sum() + Y.sum(), 1) if isinstance(pred, np.ndarray) else 0.0


def test_tune_thresholds_micro_objective_never_loses_to_per_theme():
    """Coordinate ascent on micro F1 starts from the per-theme optimum and never lowers micro F1 on the data
    it tunes on; a noisy theme gets a stricter threshold."""
    import numpy as np

    from npsthemes.classifier import tune_thresholds

    for seed in range(15):
        rng = np.random.default_rng(seed)
        Y = rng.random((300, 4)) < [0.4, 0.3, 0.2, 0.05]
        noise = [0.15, 0.3, 0.45, 0.5]  # theme 3 is nearly random
        proba = np.clip(Y * 0.6 + 0.2 + rng.normal(0, noise, Y.shape), 0, 1)
        per_theme = tune_thresholds(proba, Y, "theme_f1")
        micro = tune_thresholds(proba, Y, "micro_f1")
        assert ((micro >= 0.1) & (micro <= 0.9)).all()
        assert _micro_f1(proba >= micro, Y) >= _micro_f1(proba >= per_theme, Y) - 1e-12
    with pytest.raises(ValueError, match="objective"):
        tune_thresholds(proba, Y, "accuracy")


def test_min_themes_auto():
    """'auto': when every training comment has a theme, a comment with words always gets one (its most
    probable); a comment without words never does. Training data with theme-less comments resolves to 0."""
    X = ["Fast and friendly", "Too expensive", "Slow handling", "Cheap and fast", "friendly staff", "pricey"] * 3
    y = [
        "speed:positive;personal_service:positive",
        "price:negative",
        "speed:negative",
        "price:positive;speed:positive",
        "personal_service:positive",
        "price:negative",
    ] * 3
    clf = ThemeClassifier.default(threshold_tuner__cv=0).fit(X, y)
    assert clf.min_themes_ == 1
    tagged = clf.tag(["zzz qqq", "-", "Fast and friendly"])
    assert len(tagged[0]["themes"]) == 1 and tagged[1]["themes"] == [] and tagged[2]["themes"]
    assert clf.predict(["zzz qqq", "-"]).sum(axis=1).tolist() == [1, 0]
    y_with_empty = y[:-1] + [""]
    assert ThemeClassifier.default(threshold_tuner__cv=0).fit(X, y_with_empty).min_themes_ == 0
    assert ThemeClassifier.default(threshold_tuner__cv=0, min_themes=1).fit(X, y_with_empty).min_themes_ == 1
    with pytest.raises(ValueError, match="min_themes"):
        ThemeClassifier.default(threshold_tuner__cv=0, min_themes=2).fit(X, y)


def test_pickled_model_round_trips_without_its_caches(small_model, small_labelled):
    """Pickling keeps the fitted stages, drops the caches and locks prediction fills, and tags the same."""
    import pickle

    X = small_labelled.X.head(30)
    before = small_model.tag(X)
    blob = pickle.dumps(small_model)
    loaded = pickle.loads(blob)
    assert loaded.tag(X) == before
    assert "_lock" not in small_model.vectorizer_.block("word").__getstate__()
    assert "_fast" not in small_model.vectorizer_.block("word").__getstate__()


def test_nb_weighting_folds_the_scaling_into_the_theme_models(small_labelled):
    """With nb_weighting each theme's logistic regression is fitted on the features scaled by that theme's
    Naive Bayes log-count ratios; the stored coefficients include the scaling, so the stored model applied to the
    unscaled features gives the probabilities of the model fitted on the scaled ones."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    from npsthemes.features import nb_log_ratios

    X, y = small_labelled.X.head(200), small_labelled.y[:200]
    clf = ThemeClassifier.default(threshold_tuner__cv=0).fit(X, y)
    _, comment_X = clf._analyse(X)
    Y = np.array([[t in parse_labels(s) for t in clf.classes_] for s in y], dtype=int)
    ratios = nb_log_ratios(comment_X, Y)
    j = int(np.argmax(Y.sum(axis=0)))
    D = sp.diags(ratios[:, j].astype(np.float32))
    det = clf.theme_detector_
    ref = LogisticRegression(C=det.C, class_weight=det.class_weight, solver="liblinear", max_iter=2000)
    ref.fit(comment_X @ D, Y[:, j])
    np.testing.assert_allclose(clf.predict_proba(X)[:, j], ref.predict_proba(comment_X @ D)[:, 1], atol=1e-5)
    off = ThemeClassifier.default(threshold_tuner__cv=0, theme_detector__nb_weighting=False).fit(X, y)
    assert not np.allclose(off.predict_proba(X), clf.predict_proba(X), atol=1e-3)


def test_predict_with_polarity_of_equals_predict_and_predict_polarity(small_labelled):
    """evaluate_model's one-pass helper gives what predict and predict_polarity give separately."""
    X, y = small_labelled.X.head(160), small_labelled.y[:160]
    clf = ThemeClassifier.default(threshold_tuner__cv=0).fit(X, y)
    gold = [list(parse_labels(s)) for s in y]
    predicted, given = clf.predict_with_polarity_of(X, gold)
    assert predicted == [parse_labels(s) for s in clf.predict_labels(X)]
    assert given == clf.predict_polarity(X, gold)
    assert any(g for g in given) and any(p for p in predicted)
    with pytest.raises(DataError, match="not one of the model's themes"):
        clf.predict_with_polarity_of(X.head(1), [["nope"]])


def test_tune_thresholds_weights_count_as_copies():
    """A row of weight k counts as k copies in the threshold objective (as it does in the fit), weight 0 leaves
    it out, and no weights is the same as weights of 1."""
    import numpy as np

    from npsthemes.classifier import tune_thresholds

    for seed in range(8):
        rng = np.random.default_rng(seed)
        Y = rng.random((120, 3)) < [0.4, 0.25, 0.1]
        proba = np.clip(Y * 0.5 + 0.25 + rng.normal(0, 0.25, Y.shape), 0, 1)
        w = rng.integers(0, 4, len(Y))
        copies = np.repeat(np.arange(len(Y)), w)
        for objective in ("theme_f1", "micro_f1"):
            weighted = tune_thresholds(proba, Y, objective, sample_weight=w)
            repeated = tune_thresholds(proba[copies], Y[copies], objective)
            assert np.allclose(weighted, repeated)
            assert np.array_equal(
                tune_thresholds(proba, Y, objective), tune_thresholds(proba, Y, objective, np.ones(len(Y)))
            )
    with pytest.raises(ValueError, match="sample_weight must be 120"):
        tune_thresholds(proba, Y, "micro_f1", sample_weight=np.ones(5))
    with pytest.raises(ValueError, match="sample_weight"):
        tune_thresholds(proba, Y, "micro_f1", sample_weight=-np.ones(len(Y)))
