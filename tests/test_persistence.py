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
    tables = {f"lemmas_{lang}.marisa" for lang in small_model.languages_}
    assert m["format_version"] == 2 and set(m["files"]) == {"model.joblib", "MODEL_CARD.md", *tables}
    for key in ("npsthemes", "scikit-learn", "spacy", "simplemma"):
        assert key in m["versions"]
    assert (saved / "MODEL_CARD.md").read_text().startswith("# Model card: t 0.1")


def test_resave_replaces_cleanly(saved, small_model):
    model = load_model(saved)
    model.save(saved, lemma_tables=False)
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


def test_format_1_model_is_refused_with_a_clear_error(saved):
    """Models saved before the classifier was a composite of stages (format 1) name the fix: retrain."""
    m = json.loads((saved / "manifest.json").read_text())
    m["format_version"] = 1
    (saved / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(ModelVersionError, match=r"format version 1 .*retrain it with `npsthemes train`"):
        load_model(saved)


def test_other_spacy_or_simplemma_version_warns_but_loads(saved, small_labelled):
    from npsthemes.errors import ModelVersionWarning

    m = json.loads((saved / "manifest.json").read_text())
    m["versions"]["spacy"] = "3.7.0"
    m["versions"]["simplemma"] = "0.9.1"
    (saved / "manifest.json").write_text(json.dumps(m))
    with pytest.warns(ModelVersionWarning) as record:
        model = load_model(saved)
    messages = [str(w.message) for w in record]
    assert any("spacy 3.7.0" in s for s in messages) and any("simplemma 0.9.1" in s for s in messages)
    assert len(model.tag(small_labelled.X.head(3))) == 3
    # the command line shows it as one warning line, not a source location
    from cli_harness import run_cli

    survey = saved.parent / "s.csv"
    survey.write_text("score,comment\n9,Hyvä palvelu\n", encoding="utf-8")
    code, _, err = run_cli(["tag", survey, "--model", saved, "--out", saved.parent / "tags.csv"])
    assert code == 0
    lines = [x for x in err.splitlines() if "spacy 3.7.0" in x]
    assert lines and all(x.startswith("warning: ") for x in lines) and "warnings.warn" not in err


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("themes", "price", "'themes' must be a list"),
        ("taxonomy", [1], "'taxonomy' must be an object"),
        ("versions", "1.0", "'versions' must be an object"),
        ("files", {"model.joblib": {"sha256": 5, "bytes": 1}}, "needs 'sha256'"),
    ],
)
def test_manifest_is_validated_before_anything_is_read(saved, field, value, match):
    m = json.loads((saved / "manifest.json").read_text())
    m[field] = value
    (saved / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(ModelIntegrityError, match=match):
        load_model(saved)


def test_manifest_dataclass_reads_the_saved_manifest(saved, small_model):
    from npsthemes.persistence import Manifest, inspect_model

    mf = Manifest.from_dict(inspect_model(saved), saved)
    assert mf.format_version == 2 and mf.themes == tuple(map(str, small_model.classes_))
    assert {"model.joblib", "MODEL_CARD.md"} <= set(mf.files) and mf.files["model.joblib"].bytes > 0
    assert mf.versions["scikit-learn"] and mf.name == "t"


# ---------------------------------------------------------------- lemma dictionaries shipped with a model


def test_saved_model_lemmatises_from_its_own_tables_like_simplemma(saved, small_labelled, monkeypatch):
    """The lemma files are listed with their hashes, the loaded model reads its lemmas from them (simplemma's
    dictionaries are never decoded), and every lemma is the one simplemma gives, for seen and unseen words."""
    import simplemma

    m = json.loads((saved / "manifest.json").read_text())
    tables = sorted(name for name in m["files"] if name.startswith("lemmas_"))
    assert tables and all((saved / name).stat().st_size == m["files"][name]["bytes"] for name in tables)
    words = {
        "fi": ["palvelusta", "asiakaspalvelijalle", "laskuistanne", "odottamaan", "ystävällisiä", "kissoillekin"],
        "sv": ["handläggarna", "fakturorna", "väntade", "kundtjänsten", "trevligaste", "hundarnas"],
        "en": ["waited", "invoices", "friendlier", "running", "mice", "better"],
    }
    expected = {lang: [simplemma.lemmatize(w, lang=lang).lower() for w in ws] for lang, ws in words.items()}
    import npsthemes.lemmas as lemmas

    def refuse(*args, **kwargs):
        raise AssertionError("simplemma's own dictionaries were read")

    monkeypatch.setattr(lemmas, "simplemma_dictionaries", refuse)
    loaded = load_model(saved)
    pre = loaded.classifier.preprocessor_
    for lang, ws in words.items():
        if lang in loaded.classifier.languages_:
            assert [pre.lemma(w, lang) for w in ws] == expected[lang]
    assert loaded.classifier.predict(small_labelled.X.head(20)).shape[0] == 20


def test_model_without_lemma_tables_loads_and_predicts_the_same(tmp_path, saved, small_labelled):
    plain = load_model(saved)
    plain.save(tmp_path / "plain", lemma_tables=False)
    m = json.loads((tmp_path / "plain" / "manifest.json").read_text())
    assert set(m["files"]) == {"model.joblib", "MODEL_CARD.md"}
    X = small_labelled.X.head(40)
    a, b = load_model(tmp_path / "plain").classifier, load_model(saved).classifier
    assert list(a.predict_labels(X)) == list(b.predict_labels(X))


def test_tampered_lemma_table_is_refused(saved, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(saved, bad)
    name = next(p.name for p in bad.iterdir() if p.name.startswith("lemmas_"))
    data = bytearray((bad / name).read_bytes())
    data[-10] ^= 0xFF
    (bad / name).write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        load_model(bad)


def test_shipped_default_model_carries_its_lemma_tables():
    m = inspect_model()
    assert {"lemmas_fi.marisa", "lemmas_sv.marisa", "lemmas_en.marisa"} <= set(m["files"])
