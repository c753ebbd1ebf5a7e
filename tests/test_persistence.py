import json
import shutil

import numpy as np
import pytest

from npsthemes import Model, inspect_model, load_model
from npsthemes.errors import ModelIntegrityError, ModelVersionError
from npsthemes.persistence import default_model_path
from npsthemes.taxonomy import taxonomy_from_themes


@pytest.fixture
def saved(tmp_path, small_model):
    model = Model(
        classifier=small_model,
        taxonomy=taxonomy_from_themes(list(small_model.classes_)),
        manifest={
            "name": "t",
            "model_version": "0.1",
            "taxonomy": taxonomy_from_themes(list(small_model.classes_)).to_dict(),
            "themes": list(map(str, small_model.classes_)),
            "training_data": {"source": "x", "n": 1, "sha256": "0" * 64},
        },
    )
    path = tmp_path / "model"
    model.save(path)
    return path


def test_roundtrip_same_predictions(saved, small_model, small_labelled):
    loaded = load_model(saved)
    X = small_labelled.X.head(30)
    assert np.allclose(loaded.classifier.predict_proba(X), small_model.predict_proba(X))
    assert np.array_equal(loaded.classifier.predict(X), small_model.predict(X))
    assert list(loaded.classifier.predict_labels(X)) == list(small_model.predict_labels(X))
    m = json.loads((saved / "manifest.json").read_text())
    assert m["format_version"] == 2 and set(m["files"]) == {"model.joblib", "MODEL_CARD.md"}
    for key in ("npsthemes", "scikit-learn", "spacy", "simplemma"):
        assert key in m["versions"]
    assert (saved / "MODEL_CARD.md").read_text().startswith("# Model card: t 0.1")


def test_resave_replaces_cleanly(saved, small_model):
    model = load_model(saved)
    model.save(saved)
    assert sorted(p.name for p in saved.iterdir()) == ["MODEL_CARD.md", "manifest.json", "model.joblib"]
    assert not any(p.name.startswith(".") for p in saved.parent.iterdir())


def test_tampered_truncated_missing(saved, tmp_path):
    bad = tmp_path / "tampered"
    shutil.copytree(saved, bad)
    data = bytearray((bad / "model.joblib").read_bytes())
    data[100] ^= 0xFF
    (bad / "model.joblib").write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        load_model(bad)
    trunc = tmp_path / "truncated"
    shutil.copytree(saved, trunc)
    (trunc / "model.joblib").write_bytes((saved / "model.joblib").read_bytes()[:1000])
    with pytest.raises(ModelIntegrityError, match="truncated"):
        load_model(trunc)
    missing = tmp_path / "missing"
    shutil.copytree(saved, missing)
    (missing / "MODEL_CARD.md").unlink()
    with pytest.raises(ModelIntegrityError, match="missing"):
        load_model(missing)
    with pytest.raises(ModelIntegrityError, match="not a model directory"):
        load_model(tmp_path)


def test_hash_checked_before_unpickling(saved, tmp_path, monkeypatch):
    bad = tmp_path / "b"
    shutil.copytree(saved, bad)
    (bad / "model.joblib").write_bytes(b"not a pickle at all")
    import joblib

    def boom(*a, **k):  # pragma: no cover - must never be reached
        raise AssertionError("unpickled a file whose hash does not match")

    monkeypatch.setattr(joblib, "load", boom)
    with pytest.raises(ModelIntegrityError):
        load_model(bad)
    # inspect never unpickles
    assert inspect_model(saved)["name"] == "t"


def test_incompatible_versions(saved):
    m = json.loads((saved / "manifest.json").read_text())
    m["versions"]["scikit-learn"] = "0.24.2"
    (saved / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(ModelVersionError, match="scikit-learn 0.24.2"):
        load_model(saved)
    m["format_version"] = 99
    (saved / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(ModelVersionError, match="format version"):
        load_model(saved)
    (saved / "manifest.json").write_text("{oops")
    with pytest.raises(ModelIntegrityError, match="not valid JSON"):
        load_model(saved)


def test_default_model_is_shipped_and_documented():
    path = default_model_path()
    m = inspect_model(path)
    assert m["name"] == "default"
    from npsthemes import default_taxonomy

    assert m["themes"] == default_taxonomy().ids
    assert "heldout" in m["metrics"] and "independent" in m["metrics"]
    assert sum(f["bytes"] for f in m["files"].values()) < 50 * 2**20
    card = (path / "MODEL_CARD.md").read_text()
    assert "Held-out evaluation" in card and "synthetic" in card
