"""The shipped default model: it loads, tags the sample survey, and retraining it from the shipped corpus
reproduces the held-out metrics recorded in its manifest."""

import pytest

from npsthemes import inspect_model, tag_survey, train_model
from npsthemes.datasets import load_sample_survey, load_training_corpus, training_corpus_path


def test_corpus_meets_its_spec():
    df = load_training_corpus()
    assert len(df) >= 2400
    assert (df.groupby("language").size() >= 800).all()
    labels = df["labels"].map(lambda s: [x for x in s.split(";") if x])
    assert (labels.map(len) >= 2).mean() >= 0.25
    assert (labels.map(len) == 0).mean() >= 0.10
    from collections import Counter

    counts = Counter(x for ls in labels for x in ls)
    from npsthemes import default_taxonomy

    for theme in default_taxonomy().ids:
        assert counts[f"{theme}:positive"] >= 80 and counts[f"{theme}:negative"] >= 80, theme
    test = df[df["split"] == "test"]
    part = df["id"].str.rsplit("-", n=1).str[0]
    fresh = part.str.endswith("_e")  # the fresh parts are held out whole (written after the theme rules)
    assert fresh.sum() >= 500 and (df.loc[fresh, "split"] == "test").all()
    for name, g in df[~fresh].groupby(part[~fresh]):  # every other part: a seeded 20 % held out
        assert abs((g["split"] == "test").mean() - 0.2) < 0.02, name
    # at least seven service domains besides credit management, each in all three languages
    domains = df.groupby(["domain", "language"]).size().unstack()
    others = domains.drop(index="credit_management")
    assert len(others) >= 7 and (others.fillna(0) >= 60).all().all(), domains
    words = df["text"].str.split().str.len()
    multi = part.str.contains("_m")
    assert words[multi].median() <= 8 and (words[multi] < 6).mean() >= 0.3
    # no held-out comment repeats a training comment (very short answers such as "ok" or "-" recur, as in
    # real surveys)
    overlap = set(test["text"]) & set(df[df["split"] == "train"]["text"])
    assert all(len(t) <= 12 for t in overlap), overlap


def test_default_model_tags_the_sample_survey(default_model):
    tagged = tag_survey(load_sample_survey(), default_model)
    r = tagged.responses
    assert len(r) == load_sample_survey().n
    commented = r[r["comment"].str.strip() != ""]
    assert (commented["n_themes"] > 0).mean() > 0.6
    assert set(commented["language"]) == {"fi", "sv", "en"}
    assert (r.loc[r["comment"] == "", "n_themes"] == 0).all()
    assert set(tagged.mentions["polarity"]) == {"positive", "negative"}


@pytest.mark.slow
def test_retraining_reproduces_manifest_metrics():
    manifest = inspect_model()
    model = train_model(training_corpus_path(), taxonomy=_default_tax(), name="default")
    got = model.metrics["heldout"]
    want = manifest["metrics"]["heldout"]
    assert got["n"] == want["n"]
    for key in ("micro_f1", "macro_f1", "polarity_accuracy", "coverage"):
        assert got[key] == pytest.approx(want[key], abs=0.01), key


def _default_tax():
    from npsthemes import default_taxonomy

    return default_taxonomy()
