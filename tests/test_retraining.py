"""Retraining on your own labels (issue 12's friction list): theme ids checked at training time, other score
scales, languages without lexicon support and forced themes said out loud, evaluation that refuses a model
without the labels' themes, the main training parameters on the command line, and predictions written out."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_harness import run_cli

from npsthemes.errors import DataError, LabelError
from npsthemes.labelled import load_labelled, parse_labels
from npsthemes.loading import parse_score_scale, parse_scores


def _labels_file(tmp_path, small_labelled, n=120, name="labels.jsonl"):
    path = tmp_path / name
    small_labelled.data.head(n)[["id", "text", "score", "language", "labels"]].assign(
        labels=lambda d: d["labels"].map(lambda labs: ";".join(f"{t}:{p}" for t, p in labs.items()))
    ).to_json(path, orient="records", lines=True, force_ascii=False)
    return path


@pytest.mark.parametrize("bad", ["FOOD#QUALITY", "food quality", "Staff (attitude)"])
def test_a_theme_id_with_characters_ids_cannot_have_is_refused_at_loading(bad):
    with pytest.raises(LabelError, match="has characters a theme id can't have") as info:
        load_labelled(pd.DataFrame({"text": ["nice food"], "labels": [f"{bad}:positive"]}))
    msg = str(info.value)
    slug = {"FOOD#QUALITY": "food_quality", "food quality": "food_quality", "Staff (attitude)": "staff_attitude"}[bad]
    assert "row 1" in msg and "column 'labels'" in msg and f"for example {slug!r}" in msg
    assert "\n" not in msg


def test_other_score_scales_map_onto_0_10_and_are_checked():
    scores, why = parse_scores(["1", "5", "3", 2, "6", "x"], parse_score_scale("5-1"))
    assert scores[:4].tolist() == [10.0, 0.0, 5.0, 7.5] and np.isnan(scores[4:]).all()
    assert why.tolist() == ["", "", "", "", "score is outside 5-1", "score is not a number"]
    assert parse_score_scale("0-10") is None and parse_score_scale("1-5") == (1, 5)
    for bad in ("1to5", "3-3", "five-one"):
        with pytest.raises(DataError, match="score scale"):
            parse_score_scale(bad)
    data = load_labelled(
        pd.DataFrame({"text": ["great", "awful"], "labels": ["", ""], "score": [5, 1]}), score_scale="1-5"
    )
    assert data.data["score"].tolist() == [10.0, 0.0]
    with pytest.raises(LabelError, match="expected a whole number 1-5, got 7"):
        load_labelled(pd.DataFrame({"text": ["x"], "labels": [""], "score": [7]}), score_scale="1-5")


def test_training_says_what_a_language_without_lexicon_gets_and_when_themes_are_forced():
    from npsthemes import train_model

    texts = [
        "la comida muy buena",
        "servicio lento y caro",
        "el camarero muy amable",
        "precio alto",
        "muy rapido",
        "comida fria",
    ] * 4
    labels = ["food:positive", "speed:negative;price:negative", "staff:positive", "price:negative"]
    labels += ["speed:positive", "food:negative"]
    df = pd.DataFrame({"text": texts, "labels": labels * 4, "language": "es"})
    with pytest.warns(UserWarning) as record:
        model = train_model(df, params={"threshold_tuner__cv": 0})
    said = " | ".join(str(w.message) for w in record)
    assert "language es gets n-gram features" in said and "no sentiment lexicon" in said
    assert "every training comment has a theme" in said and "--min-themes 0" in said
    assert model.classifier.min_themes_ == 1


def test_evaluate_without_the_labels_themes_exits_1_and_predictions_are_written(tmp_path, small_labelled):
    labels = _labels_file(tmp_path, small_labelled, n=40)
    other = tmp_path / "other.csv"
    pd.DataFrame({"text": ["good food", "slow kitchen"], "labels": ["food:positive", "kitchen:negative"]}).to_csv(
        other, index=False
    )
    code, out, err = run_cli(["evaluate", other])
    assert code == 1 and "none of the labelled themes (food, kitchen)" in err and "--model" in err
    pred = tmp_path / "pred.csv"
    code, out, err = run_cli(["evaluate", labels, "--predictions", pred])
    assert code == 0, err
    table = pd.read_csv(pred, keep_default_na=False)
    assert len(table) == 40 and list(table.columns) == [
        "id",
        "text",
        "language",
        "gold",
        "predicted",
        "missed",
        "extra",
        "polarity_of_gold",
    ]
    row = table.iloc[0]
    gold, predicted = set(row["gold"].split(";")) - {""}, set(row["predicted"].split(";")) - {""}
    assert {x for x in row["missed"].split(";") if x} == {g.split(":")[0] for g in gold} - {
        p.split(":")[0] for p in predicted
    }
    code, out, err = run_cli(["evaluate", labels, "--predictions", labels])
    assert code != 0 and "refusing to overwrite" in err


def test_train_cli_takes_the_main_parameters_and_a_score_scale(tmp_path, small_labelled):
    labels = _labels_file(tmp_path, small_labelled, n=120)
    code, out, err = run_cli(
        [
            "train",
            labels,
            "--out",
            tmp_path / "m",
            "--C",
            "2.5",
            "--threshold-objective",
            "theme_f1",
            "--min-themes",
            "0",
            "--languages",
            "fi,sv,en",
        ]
    )
    assert code == 0, err
    params = json.loads((tmp_path / "m" / "manifest.json").read_text(encoding="utf-8"))["params"]
    assert params["theme_detector__C"] == 2.5 and params["threshold_tuner__objective"] == "theme_f1"
    assert params["min_themes"] == 0 and params["text__languages"] == ["fi", "sv", "en"]
    # NHS-style 1 (very good) ... 5 (very poor) scores
    fft = tmp_path / "fft.csv"
    d = small_labelled.data.head(60)
    pd.DataFrame(
        {
            "text": d["text"],
            "labels": [";".join(f"{t}:{p}" for t, p in x.items()) for x in d["labels"]],
            "score": (5 - (d["score"].fillna(5) // 2.5)).clip(1, 5).astype(int),
        }
    ).to_csv(fft, index=False)
    code, out, err = run_cli(["train", fft, "--out", tmp_path / "m2", "--score-scale", "5-1"])
    assert code == 0, err
    code, out, err = run_cli(["train", fft, "--out", tmp_path / "m3", "--score-scale", "1-4"])
    assert code != 0 and "expected a whole number 1-4, got '5'" in err and "Traceback" not in err
    code, out, err = run_cli(["train", fft, "--out", tmp_path / "m4", "--score-scale", "1to5"])
    assert code != 0 and "expected WORST-BEST" in err


# ------------------------------------------------------------------ adding to a base corpus, merging, weights


def _frame(rows):
    return pd.DataFrame(rows, columns=["text", "labels", "score"])


BASE = _frame(
    [
        ("nobody answers the phone", "availability:negative", 2),
        ("kukaan ei vastaa puhelimeen", "availability:negative", 3),
        ("quick reply from support", "availability:positive", 9),
        ("too expensive for what it is", "price:negative", 4),
        ("liian kallis", "price:negative", 5),
        ("fair price", "price:positive", 9),
        ("ok", "", 8),
        ("great value, cheap", "price:positive", 10),
    ]
    * 2
)
OWN = _frame(
    [
        ("no signal at the cottage", "network:negative", 3),
        ("coverage is great everywhere", "network:positive", 10),
        ("signal drops every evening", "network:negative", 2),
        ("4g works fine on the train", "network:positive", 9),
    ]
    * 2
)


def test_merge_replaces_earlier_rows_by_id_or_text_and_keeps_weights():
    from npsthemes.labelled import merge_labelled

    a = load_labelled(
        pd.DataFrame(
            {"id": ["1", "2", "3"], "text": ["Slow!", "nice staff", "ok"], "labels": ["speed:negative", "", ""]}
        )
    )
    b = load_labelled(
        pd.DataFrame(
            {
                "id": ["2", "9"],
                "text": ["kind staff", "slow"],
                "labels": ["personal_service:positive", "speed:negative"],
            }
        )
    )
    m = merge_labelled(a, b, weights=[1, 3])
    assert m.data["text"].tolist() == ["ok", "kind staff", "slow"]  # id 2 replaced by id, "Slow!" by its text
    assert m.data["weight"].tolist() == [1.0, 3.0, 3.0]
    assert m.data["labels"].tolist()[1] == {"personal_service": "positive"}
    with pytest.raises(LabelError, match="positive number"):
        merge_labelled(a, b, weights=[1, 0])


def test_training_adds_to_a_base_corpus_with_new_themes_and_weights(tmp_path):
    from npsthemes import train_model

    params = {"threshold_tuner__cv": 0}
    model = train_model(OWN, base=BASE, own_weight=3.0, params=params)
    assert sorted(map(str, model.classifier.classes_)) == ["availability", "network", "price"]
    td = model.manifest["training_data"]
    assert td["n"] == len(BASE) + len(OWN)  # copies within one set stay; no own text is in the base
    assert td["base"]["n"] == len(BASE) and td["base"]["own_weight"] == 3.0
    tags = model.tag(pd.DataFrame({"text": ["no signal again", "nobody answers the phone"], "score": [2, 2]}))
    assert [t["theme"] for t in tags[0]["themes"]] == ["network"]
    assert [t["theme"] for t in tags[1]["themes"]] == ["availability"]
    # base=None: your labels only
    with pytest.raises(DataError, match="every training comment has the only theme 'network'"):
        train_model(OWN, base=None, params=params)
    mine = pd.concat([OWN, _frame([("thanks", "", 9), ("meh", "", 5)])], ignore_index=True)
    only = train_model(mine, base=None, params=params)
    assert list(map(str, only.classifier.classes_)) == ["network"] and "base" not in only.manifest["training_data"]
    # auto: no base without a taxonomy holding the default themes
    auto = train_model(mine, params=params)
    assert "base" not in auto.manifest["training_data"]


def test_sample_weights_change_the_fit_and_equal_weights_do_not():
    from npsthemes import ThemeClassifier

    data = pd.concat([BASE, OWN], ignore_index=True)
    X, y = data[["text", "score"]], data["labels"]
    plain = ThemeClassifier.default(threshold_tuner__cv=2).fit(X, y)
    same = ThemeClassifier.default(threshold_tuner__cv=2).fit(X, y, sample_weight=np.full(len(data), 2.0))
    heavy = ThemeClassifier.default(threshold_tuner__cv=2).fit(
        X, y, sample_weight=np.r_[np.ones(len(BASE)), np.full(len(OWN), 10.0)]
    )
    assert np.array_equal(plain.predict_proba(X), same.predict_proba(X))
    net = list(plain.classes_).index("network")
    own_rows = np.arange(len(BASE), len(data))
    pos = np.array([lab.startswith("network") for lab in data["labels"]])[own_rows]
    # heavier own rows fit them more closely
    assert (
        np.abs(heavy.predict_proba(X)[own_rows, net] - pos).mean()
        < np.abs(plain.predict_proba(X)[own_rows, net] - pos).mean()
    )
    with pytest.raises(DataError, match="positive numbers"):
        ThemeClassifier.default().fit(X, y, sample_weight=np.zeros(len(data)))


def test_train_cli_merges_several_files_and_takes_base_and_weight(tmp_path):
    old, fixed, base = tmp_path / "old.csv", tmp_path / "fixed.csv", tmp_path / "base.csv"
    OWN.to_csv(old, index=False)
    _frame([("no signal at the cottage", "network:negative;price:negative", 3)]).to_csv(fixed, index=False)
    BASE.to_csv(base, index=False)
    code, out, err = run_cli(
        ["train", old, fixed, "--base", base, "--own-weight", "2", "--out", tmp_path / "m", "--min-themes", "0"]
    )
    assert code == 0, err
    assert "of which 16 from base.csv" in out
    td = json.loads((tmp_path / "m" / "manifest.json").read_text(encoding="utf-8"))["training_data"]
    assert td["source"] == "old.csv + fixed.csv" and td["base"]["own_weight"] == 2.0
    code, out, err = run_cli(["train", old, "--base", "default", "--out", tmp_path / "m2", "--taxonomy", "nope.json"])
    assert code != 0 and "Traceback" not in err


# ------------------------------------------------------------------ comparing models, learning curves


def test_paired_bootstrap_of_a_difference():
    from npsthemes.stats import paired_bootstrap_ratio

    rng = np.random.default_rng(1)
    a = rng.integers(0, 2, 400)
    b = np.where(rng.random(400) < 0.3, 1, a)  # b fixes some of a's misses: never worse on a unit
    r = paired_bootstrap_ratio(a, np.ones(400), b, np.ones(400), n_boot=1000)
    assert r["difference"] == pytest.approx(b.mean() - a.mean())
    assert 0 < r["low"] <= r["difference"] <= r["high"] and r["share_b_better"] > 0.99
    same = paired_bootstrap_ratio(a, np.ones(400), a, np.ones(400), n_boot=200)
    assert same["low"] == same["high"] == 0.0
    with pytest.raises(ValueError, match="one value per unit"):
        paired_bootstrap_ratio([1], [1], [1, 2], [1, 1])


def test_compare_models_api_and_cli(tmp_path, small_labelled, small_model):
    from npsthemes import compare_models

    held = small_labelled.data.iloc[300:420]
    res = compare_models(None, small_model, held, n_boot=300)
    assert res["n"] == 120 and res["b"]["micro_f1"] == pytest.approx(res["micro_f1"]["b"])
    d = res["micro_f1"]
    assert d["low"] <= d["difference"] <= d["high"]
    assert res["micro_f1"]["a"] == pytest.approx(res["a"]["micro_f1"])
    path = tmp_path / "held.jsonl"
    held.assign(labels=[";".join(f"{t}:{p}" for t, p in x.items()) for x in held["labels"]])[
        ["text", "score", "language", "labels"]
    ].to_json(path, orient="records", lines=True, force_ascii=False)
    code, out, err = run_cli(["compare", "default", "default", path, "--n-boot", "200"])
    assert code == 0, err
    assert "no measured difference" in out and "B - A" in out
    code, out, err = run_cli(["compare", "default", "default", path, "--format", "json", "--n-boot", "200"])
    assert json.loads(out)["micro_f1"]["difference"] == 0.0
    code, out, err = run_cli(["compare", "default", tmp_path / "missing", path])
    assert code != 0 and "Traceback" not in err


def test_compare_models_on_chosen_themes_ignores_the_others(small_labelled):
    from npsthemes import compare_models

    held = small_labelled.data.iloc[300:420]
    full = compare_models(None, None, held, n_boot=100)
    one = compare_models(None, None, held, n_boot=100, themes=["price"])
    pairs = sum("price" in labs for labs in held["labels"])
    assert one["themes"] == ["price"] and one["micro_f1"]["difference"] == 0.0
    # over one theme the figure is that theme's F1, not the all-themes micro F1
    assert pairs > 0 and one["micro_f1"]["a"] == pytest.approx(full["a"]["per_theme"]["price"]["f1"])
    with pytest.raises(DataError, match="neither model has 'parking'"):
        compare_models(None, None, held, themes=["parking"])


def test_learning_curve_trains_on_growing_samples():
    from npsthemes import learning_curve

    pool = pd.concat([OWN, _frame([("signal ok", "network:positive", 8), ("no 4g", "network:negative", 1)] * 4)])
    test = _frame([("no signal here", "network:negative", 2), ("coverage fine", "network:positive", 9)] * 3)
    curve = learning_curve(pool, test, sizes=(0, 8, 16), repeats=2, base=BASE, params={"threshold_tuner__cv": 0})
    assert curve["n_labels"].tolist() == [0, 8, 16] and curve["runs"].tolist() == [1, 2, 2]
    assert (curve["low"] <= curve["micro_f1"]).all() and (curve["micro_f1"] <= curve["high"]).all()
    assert curve["micro_f1"].iloc[0] == 0.0 and curve["micro_f1"].iloc[-1] > 0.5  # the base has no network theme
    with pytest.raises(DataError, match="sizes must be"):
        learning_curve(pool, test, sizes=(10_000,), base=BASE)


def test_auto_base_is_the_shipped_corpus_only_for_a_taxonomy_with_every_default_theme():
    from npsthemes.datasets import training_corpus_path
    from npsthemes.taxonomy import default_taxonomy, taxonomy_from_themes
    from npsthemes.training import _base_kind

    full = default_taxonomy()
    extended = taxonomy_from_themes(list(full.ids) + ["network"])
    assert _base_kind("auto", ["mine.csv"], full) == "default"
    assert _base_kind("auto", ["mine.csv"], extended) == "default"
    assert _base_kind("auto", ["mine.csv"], taxonomy_from_themes(["price", "network"])) is None
    assert _base_kind("auto", ["mine.csv"], None) is None
    assert _base_kind("auto", [training_corpus_path()], full) is None  # rebuilding the default model
    assert _base_kind("none", ["mine.csv"], full) is None and _base_kind(None, [], full) is None
    with pytest.raises(DataError, match="shipped corpus itself"):
        _base_kind("default", [training_corpus_path()], full)


# ------------------------------------------------------------------ what to label next, likely label errors


def test_suggest_for_labeling_picks_uncertain_spread_unique_comments(small_model, tmp_path):
    from npsthemes.adaptation import suggest_for_labeling
    from npsthemes.datasets import sample_survey_path

    survey = sample_survey_path()
    for strategy in ("uncertainty", "hybrid", "diverse", "random"):
        s = suggest_for_labeling(small_model, survey, 15, strategy=strategy)
        assert len(s) == 15 and s["text"].str.lower().is_unique
        assert set(s["language"]) == {"fi", "sv", "en"}  # spread across the survey's languages
        assert s["uncertainty"].between(0, 1).all()
        assert (s["labels"] == s["model_labels"]).all()
    s = suggest_for_labeling(small_model, survey, 15, strategy="uncertainty")
    assert s["uncertainty"].is_monotonic_decreasing or s["uncertainty"].iloc[0] >= s["uncertainty"].median()
    # the file trains directly, and what is already labelled is left out
    path = tmp_path / "to_label.csv"
    s.to_csv(path, index=False)
    assert len(load_labelled(path)) == 15
    again = suggest_for_labeling(small_model, survey, 15, exclude=path)
    assert not set(again["text"]) & set(s["text"])
    with pytest.raises(DataError, match="strategy"):
        suggest_for_labeling(small_model, survey, 5, strategy="nonsense")


def test_hybrid_strategy_mixes_uncertain_and_random_picks(small_model):
    from npsthemes.adaptation import suggest_for_labeling
    from npsthemes.datasets import sample_survey_path

    survey = sample_survey_path()
    unc = suggest_for_labeling(small_model, survey, 20, strategy="uncertainty")
    rnd = suggest_for_labeling(small_model, survey, 20, strategy="random")
    hyb = suggest_for_labeling(small_model, survey, 20, strategy="hybrid")
    assert hyb["uncertainty"].mean() < unc["uncertainty"].mean()  # not only the most uncertain
    assert hyb["uncertainty"].mean() > rnd["uncertainty"].mean() - 0.05
    assert set(hyb["text"]) & set(unc["text"]) and set(hyb["text"]) - set(unc["text"])


def test_suggest_xlsx_has_a_dropdown_per_theme_and_trains_as_it_is(small_model, tmp_path):
    from openpyxl import load_workbook

    from npsthemes.adaptation import suggest_for_labeling, write_suggestions
    from npsthemes.datasets import sample_survey_path

    s = suggest_for_labeling(small_model, sample_survey_path(), 12)
    s.loc[0, "text"] = "=cmd|' /C calc'!A0 bad"
    path = tmp_path / "to_label.xlsx"
    themes = [str(t) for t in small_model.classes_]
    write_suggestions(s, path, themes=themes)
    ws = load_workbook(path).active
    header = [c.value for c in ws[1]]
    assert [h for h in header if h.startswith("theme:")] == [f"theme:{t}" for t in themes] and "labels" not in header
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"positive,negative"' and dv.type == "list"
    assert not str(ws.cell(2, header.index("text") + 1).value).startswith("=")
    # a person sets one cell, the file loads as labelled data with the pre-filled predictions plus the change
    col = header.index(f"theme:{themes[0]}") + 1
    ws.cell(3, col).value = "negative"
    ws.parent.save(path)
    data = load_labelled(path)
    assert len(data) == 12
    assert data.y[1].get(themes[0]) == "negative"
    assert data.y[2] == parse_labels(s.loc[2, "labels"])
    # a polarity typed by hand that is not one is an error naming the row
    ws.cell(4, col).value = "postive"
    ws.parent.save(path)
    with pytest.raises(LabelError, match="row 4: .*bad polarity 'postive'"):
        load_labelled(path)


def test_suggest_cli_writes_a_guarded_file_and_refuses_the_input(tmp_path):
    out = tmp_path / "s.csv"
    code, text, err = run_cli(["suggest", "--sample", "--n", "10", "--out", out])
    assert code == 0, err
    assert "10 comments to label" in text
    assert len(pd.read_csv(out)) == 10
    evil = tmp_path / "evil.csv"
    pd.DataFrame({"score": [1, 2, 9], "comment": ["=HYPERLINK(1)", "slow service", "great staff"]}).to_csv(
        evil, index=False
    )
    code, text, err = run_cli(["suggest", evil, "--n", "3", "--out", tmp_path / "e.csv"])
    assert code == 0, err
    assert "'=HYPERLINK" in (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    code, text, err = run_cli(["suggest", evil, "--n", "3", "--out", evil])
    assert code != 0 and "refusing to overwrite" in err


def test_find_label_issues_ranks_corrupted_labels_first():
    from npsthemes.adaptation import find_label_issues
    from npsthemes.datasets import load_training_corpus

    d = load_training_corpus("train").sample(300, random_state=1).reset_index(drop=True)
    d = d[d["labels"] != ""].reset_index(drop=True)
    flipped = d.index[:15]
    swap = {"positive": "negative", "negative": "positive"}
    d.loc[flipped, "labels"] = [
        ";".join(f"{p.split(':')[0]}:{swap[p.split(':')[1]]}" for p in lab.split(";"))
        for lab in d.loc[flipped, "labels"]
    ]
    issues = find_label_issues(d[["id", "text", "score", "language", "labels"]], k=3, params={"threshold_tuner__cv": 0})
    assert set(issues["issue"]) <= {"missing", "extra", "polarity"}
    assert issues["confidence"].is_monotonic_decreasing and (issues["confidence"] >= 0.6).all()
    pol_issues = issues[issues["issue"] == "polarity"]
    bad_ids = d.loc[flipped, "id"]
    assert bad_ids.isin(pol_issues["id"]).mean() >= 0.8  # most flipped rows are found
    # and the most confident polarity issues are corrupted rows far above their base rate
    assert pol_issues.head(20)["id"].isin(bad_ids).mean() > 3 * len(flipped) / len(d)
    pol = pol_issues.iloc[0]
    assert pol["suggested"] in pol["suggested_labels"]


def test_find_label_issues_finds_added_and_dropped_themes():
    from npsthemes.adaptation import find_label_issues
    from npsthemes.datasets import load_training_corpus

    d = load_training_corpus("train").sample(600, random_state=1).reset_index(drop=True)
    d = d[d["labels"] != ""].reset_index(drop=True)
    from npsthemes.taxonomy import default_taxonomy

    themes = default_taxonomy().ids
    rng = np.random.default_rng(0)
    lost, added = d.index[:15], d.index[15:30]
    d.loc[lost, "labels"] = ""  # a person forgot the themes
    wrong = []
    for lab in d.loc[added, "labels"]:  # a person ticked a theme the comment doesn't mention
        have = {p.split(":")[0] for p in lab.split(";")}
        wrong.append(lab + f";{rng.choice([t for t in themes if t not in have])}:negative")
    d.loc[added, "labels"] = wrong
    issues = find_label_issues(d[["id", "text", "score", "language", "labels"]], k=3, params={"threshold_tuner__cv": 2})
    # measured: 0.8 of the added themes and 0.4 of the dropped ones are found (a 400-comment model per fold)
    extra, missing = issues[issues["issue"] == "extra"], issues[issues["issue"] == "missing"]
    assert d.loc[added, "id"].isin(extra["id"]).mean() >= 0.6
    assert d.loc[lost, "id"].isin(missing["id"]).mean() >= 0.25
    # confident learning's per-theme thresholds: far fewer questioned labels than theme labels
    assert len(extra) < 0.5 * sum(len(lab.split(";")) for lab in d["labels"] if lab)


def test_cli_label_issues(tmp_path):
    from npsthemes.datasets import load_training_corpus

    d = load_training_corpus("train").sample(80, random_state=2)[["id", "text", "score", "language", "labels"]]
    src = tmp_path / "labels.csv"
    d.to_csv(src, index=False)
    out = tmp_path / "issues.csv"
    code, stdout, err = run_cli(["label-issues", str(src), "--k", "2", "--out", str(out)])
    assert code == 0, err
    assert "suspected label problems" in stdout
    table = pd.read_csv(out)
    assert list(table.columns)[:4] == ["id", "text", "labels", "issue"] and table["id"].isin(d["id"]).all()
    code, stdout, err = run_cli(["label-issues", str(src), "--out", str(src)])
    assert code != 0 and len(err.strip().splitlines()) == 1


def test_suggest_weighs_only_the_chosen_themes(small_model):
    from npsthemes.adaptation import suggest_for_labeling
    from npsthemes.datasets import sample_survey_path

    s = suggest_for_labeling(small_model, sample_survey_path(), 10, themes=["price", "speed"])
    assert set(s["uncertain_theme"]) <= {"price", "speed"} and len(s) == 10
    with pytest.raises(DataError, match="themes: expected some of the model's themes"):
        suggest_for_labeling(small_model, sample_survey_path(), 10, themes=["parking"])


def test_weight_column_loads_merges_and_comes_from_suggest(small_model, tmp_path):
    from npsthemes.adaptation import suggest_for_labeling
    from npsthemes.labelled import merge_labelled

    df = pd.DataFrame(
        {"text": ["slow", "fast", "rude"], "labels": ["speed:negative", "speed:positive", ""], "weight": [3, "", "2,5"]}
    )
    data = load_labelled(df)
    assert data.data["weight"].tolist() == [3.0, 1.0, 2.5]
    csv = tmp_path / "weights.csv"
    df.to_csv(csv, index=False)  # an empty cell reads back as NaN: the default weight, as in the frame
    assert load_labelled(csv).data["weight"].tolist() == [3.0, 1.0, 2.5]
    merged = merge_labelled(data, weights=[2.0])
    assert merged.data["weight"].tolist() == [6.0, 2.0, 5.0]
    for bad in (0, -1, "many", True):
        with pytest.raises(LabelError, match=r"row 1: column 'weight': expected a positive number"):
            load_labelled(df.assign(weight=[bad, 1, 1]))
    # suggest shows a repeated text once, with how many comments it stands for
    others = ["engineer never came", "great app", "bill too high", "rude driver", "quick reply", "web site broken"]
    texts = ["Did not answer"] * 7 + ["did not answer."] + others
    s = suggest_for_labeling(small_model, texts, 7, strategy="random")
    counts = dict(zip(s["text"].str.lower().str.strip("."), s["weight"]))
    assert len(s) == 7 and counts.get("did not answer") == 8 and s["weight"].sum() == 14
    path = tmp_path / "batch.csv"
    s.to_csv(path, index=False)
    assert load_labelled(path).data["weight"].sum() == 14
