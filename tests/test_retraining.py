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
from npsthemes.labelled import load_labelled
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
