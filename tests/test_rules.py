"""Theme rules in the taxonomy: validation, matching (lemmas, prefixes, compounds, phrases, `not` terms), the
rule feature block in a trained model, and a rules-only model without training data."""

import numpy as np
import pandas as pd
import pytest

from npsthemes import ThemeClassifier
from npsthemes.errors import TaxonomyError
from npsthemes.stages import RuleBlock, TextAnalyzer
from npsthemes.taxonomy import Taxonomy, default_taxonomy

RULES = {
    "availability": {
        "fi": {"terms": ["jono", "vastata puhelimeen", "tavoit*"], "not": ["kenttä"]},
        "en": {"terms": ["on hold", "queue", "call back"], "not": ["signal"]},
    },
    "price": {"fi": {"terms": ["hinta", "kallis"]}, "sv": {"terms": ["pris", "dyr"]}, "en": {"terms": ["pric*"]}},
}


def _batch(texts, langs):
    return TextAnalyzer(languages=("fi", "sv", "en")).fit_transform(pd.DataFrame({"text": texts, "language": langs}))


def test_rules_match_lemmas_prefixes_compounds_phrases_and_not_terms():
    texts = [
        "Asiakaspalvelun puhelinjono oli pitkä",
        "kukaan ei vastannut puhelimeen",
        "hinnat nousi taas",
        "on hold for an hour",
        "no signal and a queue",
        "Kundtjänstens priser är dyra",
        "ok",
        "pricey!",
    ]
    b = _batch(texts, ["fi", "fi", "fi", "en", "en", "sv", "en", "en"])
    block = RuleBlock(RULES).fit(b)
    assert block.themes_ == ["availability", "price"]
    got = block.transform(b).toarray().tolist()
    assert got == [[1, 0], [1, 0], [0, 1], [1, 0], [0, 0], [0, 1], [0, 0], [0, 1]]
    # compound head ("jono" in "puhelinjono"), phrase (vastata + puhelimeen), `not` cancels ("signal")
    words = block.matched_words(b, np.array([[0, 0], [1, 0], [3, 0], [5, 1]]), ["availability", "price"])
    assert words == ["puhelinjono", "vastannut puhelimeen", "on hold", "priser"]
    clauses = block.transform_clauses(b, *b.docs.clause_bounds(), None)
    assert clauses.shape == (b.docs.clause_bounds()[0].size - 1, 2)


@pytest.mark.parametrize(
    ("rules", "match"),
    [
        ("queue", "must map languages"),
        ({"english": {"terms": ["queue"]}}, "language 'english'"),
        ({"en": {"terms": "queue"}}, "must be a list of texts"),
        ({"en": {"terms": ["qu*eue"]}}, "is not a word"),
        ({"en": {"terms": ["q*"]}}, "at least 3 letters"),
        ({"en": {"terms": ["queue"], "but": ["x"]}}, "'terms' and optionally 'not'"),
    ],
)
def test_an_invalid_rule_is_a_clear_error(rules, match):
    d = default_taxonomy().to_dict()
    d["themes"][1]["rules"] = rules
    with pytest.raises(TaxonomyError, match=match) as info:
        Taxonomy.from_dict(d, source="my_taxonomy.json")
    assert "my_taxonomy.json: theme 'availability'" in str(info.value) and "\n" not in str(info.value)


def _taxonomy_with_rules():
    d = default_taxonomy().to_dict()
    for t in d["themes"]:
        t.pop("rules", None)
        if t["id"] in RULES:
            t["rules"] = RULES[t["id"]]
    return Taxonomy.from_dict(d)


def _taxonomy_without_rules():
    d = default_taxonomy().to_dict()
    for t in d["themes"]:
        t.pop("rules", None)
    return Taxonomy.from_dict(d)


def test_rules_round_trip_in_the_taxonomy_file():
    tax = _taxonomy_with_rules()
    again = Taxonomy.from_dict(tax.to_dict())
    assert again.rules() == tax.rules()
    assert again.rules()["availability"]["en"]["not"] == ["signal"]


def test_rules_only_model_tags_without_training_data(tmp_path):
    from npsthemes import Model, load_model

    tax = _taxonomy_with_rules()
    clf = ThemeClassifier.from_rules(tax)
    X = pd.DataFrame(
        {
            "text": [
                "Kukaan ei vastannut puhelimeen ja hinta on liian kallis",
                "no signal at home",
                "great prices, love it",
                "-",
            ],
            "score": [2, 3, 10, 9],
        }
    )
    tags = clf.tag(X)
    assert [sorted(t["theme"] for t in r["themes"]) for r in tags] == [["availability", "price"], [], ["price"], []]
    assert tags[0]["language"] == "fi" and tags[0]["themes"][0]["evidence"]
    price = next(t for t in tags[2]["themes"] if t["theme"] == "price")
    assert price["polarity"] == "positive" and price["evidence"] == ["prices"]
    assert clf.predict(X).shape == (4, len(tax.ids))
    # it saves and loads like a trained model
    model = Model(
        classifier=clf,
        taxonomy=tax,
        manifest={
            "name": "rules",
            "taxonomy": tax.to_dict(),
            "themes": tax.ids,
            "training_data": {"source": "-", "n": 0},
        },
    )
    model.save(tmp_path / "m")
    assert load_model(tmp_path / "m").tag(X) == tags
    with pytest.raises(Exception, match="no rules"):
        ThemeClassifier.from_rules(_taxonomy_without_rules())


def test_trained_model_uses_the_rules_block_and_shows_rule_words(small_labelled):
    X, y = small_labelled.X.head(200), small_labelled.y[:200]
    clf = ThemeClassifier.default(
        themes=default_taxonomy().ids, rules=_taxonomy_with_rules().rules(), threshold_tuner__cv=0
    ).fit(X, y)
    assert [n for n, _ in clf.vectorizer_.blocks_] == ["word", "char", "rules"]
    assert clf.theme_detector_.weights_.shape[0] == clf.vectorizer_.n_features_out_
    tagged = clf.tag(pd.DataFrame({"text": ["jonotusaika puhelimessa oli pitkä ja hinta kallis"], "language": "fi"}))
    assert tagged[0]["themes"]


def test_the_default_taxonomy_has_rules_for_every_theme_in_three_languages():
    tax = default_taxonomy()
    rules = tax.rules()
    assert set(rules) == set(tax.ids)
    for theme, per_lang in rules.items():
        assert set(per_lang) >= {"fi", "sv", "en"}, theme
        assert all(len(per_lang[lang]["terms"]) >= 20 for lang in ("fi", "sv", "en")), theme


def test_no_hit_and_no_continuation_word_are_not_errors():
    """Comments where no rule word (or no later word of a phrase) occurs: empty hits, no matched words."""
    b = _batch(["xxxxxxxx", "on", "zzz qqq"], ["en", "en", "en"])
    block = RuleBlock(RULES).fit(b)
    assert block.transform(b).nnz == 0
    pairs = np.array([[0, 0], [1, 1], [2, 0]])
    assert block.matched_words(b, pairs, ["availability", "price"]) == ["", "", ""]


def test_rules_model_api_and_cli_build_a_model_that_analyses(tmp_path, small_labelled):
    """`rules_model` / `npsthemes rules-model`: a rules-only model saved, loaded hash-checked, evaluated and used
    by `analyze`, from a taxonomy file alone."""
    import json

    from cli_harness import run_cli

    from npsthemes import load_model, rules_model

    tax = _taxonomy_with_rules()
    tax_file = tmp_path / "tax.json"
    tax_file.write_text(json.dumps(tax.to_dict()), encoding="utf-8")
    held = tmp_path / "held.jsonl"
    small_labelled.data.head(60)[["text", "score", "language", "labels"]].to_json(
        held, orient="records", lines=True, force_ascii=False
    )
    model = rules_model(tax_file, heldout=held, out=tmp_path / "m_api")
    assert model.manifest["training_data"]["n"] == 0
    assert model.metrics["heldout"]["n"] == 60
    loaded = load_model(tmp_path / "m_api")
    X = pd.DataFrame({"text": ["on hold for an hour, no call back"], "score": [2]})
    assert [t["theme"] for t in loaded.tag(X)[0]["themes"]] == ["availability"]
    assert "rules-only" in (tmp_path / "m_api" / "MODEL_CARD.md").read_text(encoding="utf-8")

    code, out, err = run_cli(["rules-model", tax_file, "--out", tmp_path / "m_cli", "--heldout", held])
    assert code == 0, err
    assert "rules-only model written" in out and "held-out evaluation" in out
    code, out, err = run_cli(["analyze", "--sample", "--model", tmp_path / "m_cli", "--out", tmp_path / "rep"])
    assert code == 0, err
    assert (tmp_path / "rep" / "report.html").exists()
    code, out, err = run_cli(["inspect", tmp_path / "m_cli"])
    assert code == 0 and "training data: none" in out
    # a taxonomy without rules is a one-line error, not a traceback, and writes nothing
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(_taxonomy_without_rules().to_dict()), encoding="utf-8")
    code, out, err = run_cli(["rules-model", bare, "--out", tmp_path / "m_bare"])
    assert code != 0 and "no rules" in err and "Traceback" not in err
    assert not (tmp_path / "m_bare").exists()


def test_cross_validation_keeps_the_rules_block(small_labelled, monkeypatch):
    """`cross_validate_model` (and so `evaluate --cv`) trains each fold with the taxonomy's rules block, as
    `train_model` does, instead of silently dropping it."""
    from npsthemes import training

    built = []
    real = training._classifier

    def spy(themes, params, rules=None):
        clf = real(themes, params, rules)
        built.append([n for n, _ in clf.vectorizer.blocks])
        return clf

    monkeypatch.setattr(training, "_classifier", spy)
    data = small_labelled.data.head(80)[["text", "score", "language", "labels"]]
    params = ThemeClassifier.default(rules=_taxonomy_with_rules().rules(), threshold_tuner__cv=0).describe_params()
    res = training.cross_validate_model(data, k=2, params=params, rules=_taxonomy_with_rules().rules())
    assert built == [["word", "char", "rules"]] * 2
    assert 0 <= res["micro_f1_mean"] <= 1
    # a described model without a rules block stays without one
    built.clear()
    plain = ThemeClassifier.default(threshold_tuner__cv=0).describe_params()
    training.cross_validate_model(data, k=2, params=plain, rules=_taxonomy_with_rules().rules())
    assert built == [["word", "char"]] * 2
