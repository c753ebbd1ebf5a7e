"""Candidate themes from untagged comments: `discover_themes`, `candidates_taxonomy`, `npsthemes discover` and the
report's coverage section."""

import json

import pandas as pd
import pytest

import npsthemes
from npsthemes.discovery import discover_themes
from npsthemes.errors import DataError

# A topic the default taxonomy has no theme for (parking), written as people write, among ordinary comments.
PARKING = [
    "parking was a nightmare",
    "no parking spaces left again",
    "Parking fees are a joke",
    "couldnt find parking anywhere near",
    "the car park is always full",
    "parking, parking, parking. sort it out",
    "paid 8 quid for parking",
    "more parking please",
    "parking machine broken, write to me at jane.doe@example.com",
    "car park barrier stuck for ages",
    "parking ticket while inside",
    "disabled parking bays taken",
]
ORDINARY = [
    "very helpful staff, sorted my problem quickly",
    "the app keeps crashing",
    "too expensive for what you get",
    "waited 40 minutes on the phone",
    "friendly and knowledgeable",
    "invoice was wrong twice",
    "great service thanks",
    "the website is confusing",
    "they never called back",
    "quick delivery",
] * 2


def _frame(extra=()):
    texts = PARKING + ORDINARY + list(extra)
    scores = [3] * len(PARKING) + [9, 4] * (len(ORDINARY) // 2) + [5] * len(extra)
    return pd.DataFrame({"text": texts, "score": scores, "language": "en"})


@pytest.fixture(scope="module")
def candidates():
    return discover_themes(_frame(), n_candidates=5, min_size=4)


def test_a_missing_topic_becomes_a_candidate(candidates):
    assert len(candidates) >= 1
    parking = candidates[candidates["key_phrases"].map(lambda p: "parking" in p)]
    assert len(parking) == 1, candidates[["candidate", "key_phrases"]]
    row = parking.iloc[0]
    assert row["candidate"] == "parking" and row["language"] == "en"
    assert 4 <= row["size"] <= len(PARKING)
    # every parking comment scored 3: all detractors, NPS -100, with an interval around it
    assert row["scored"] == row["size"] and row["detractor_share"] == 1.0 and row["nps"] == -100.0
    assert row["nps_low"] <= row["nps"] <= row["nps_high"]
    assert 0 < row["share"] < 1
    for ex in row["examples"]:
        assert "parking" in ex.lower() or "car park" in ex.lower()
        assert "jane.doe@example.com" not in ex
    snippet = row["snippet"]
    assert snippet["id"] == "parking" and "parking" in snippet["rules"]["en"]["terms"]


def test_topics_the_taxonomy_covers_are_not_proposed(candidates):
    phrases = {p for ps in candidates["key_phrases"] for p in ps}
    for covered in ("app", "invoice", "website", "phone", "delivery", "staff"):
        assert covered not in phrases


def test_columns_and_determinism(candidates):
    assert list(candidates.columns) == [
        "candidate",
        "language",
        "key_phrases",
        "size",
        "share",
        "scored",
        "detractor_share",
        "nps",
        "nps_low",
        "nps_high",
        "examples",
        "snippet",
    ]
    again = discover_themes(_frame(), n_candidates=5, min_size=4)
    assert again.drop(columns=["snippet"]).equals(candidates.drop(columns=["snippet"]))


def test_candidates_taxonomy_is_a_valid_taxonomy(candidates, tmp_path):
    data = npsthemes.candidates_taxonomy(candidates)
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    tax = npsthemes.load_taxonomy(path)
    assert tax.ids[: len(npsthemes.default_taxonomy().ids)] == npsthemes.default_taxonomy().ids
    assert "parking" in tax.ids and "parking" in tax.rules()["parking"]["en"]["terms"]
    only = npsthemes.candidates_taxonomy(candidates, base=False)
    assert [t["id"] for t in only["themes"]] == candidates["candidate"].tolist()


def test_nothing_to_discover_and_bad_arguments():
    empty = discover_themes(["", "  "])
    assert empty.empty and "candidate" in empty.columns
    assert discover_themes(ORDINARY[:10], min_size=4).empty  # tagged comments, no untagged topic
    with pytest.raises(DataError, match="n_candidates"):
        discover_themes(ORDINARY, n_candidates=0)
    with pytest.raises(DataError, match="min_size"):
        discover_themes(ORDINARY, min_size=1)


def test_scores_unknown_for_a_list_of_strings():
    c = discover_themes(PARKING + ORDINARY, min_size=4)
    row = c[c["candidate"] == "parking"].iloc[0]
    assert row["scored"] == 0 and pd.isna(row["nps"])


def test_cli_discover_writes_candidates_and_a_taxonomy(tmp_path):
    from cli_harness import run_cli

    df = _frame(["=HYPERLINK(parking) parking parking"])
    src = tmp_path / "survey.csv"
    df.rename(columns={"text": "comment"}).drop(columns=["language"]).to_csv(src, index=False)
    out, tax = tmp_path / "candidates.csv", tmp_path / "tax.json"
    args = ["discover", str(src), "--min-size", "4", "--out", str(out), "--taxonomy-out", str(tax)]
    code, stdout, err = run_cli(args)
    assert code == 0, err
    assert "parking [en]" in stdout and "candidate themes ->" in stdout
    table = pd.read_csv(out)
    assert "parking" in table["candidate"].tolist()
    assert not table["examples"].str.startswith("=").any()
    assert "parking" in npsthemes.load_taxonomy(tax).ids
    # every row accounted for: a bad score is rejected, written to --rejects and counted
    bad = tmp_path / "with_bad_row.csv"
    bad.write_text(src.read_text(encoding="utf-8") + "parking again,eleven\n", encoding="utf-8")
    rej = tmp_path / "rejects.csv"
    code, stdout, err = run_cli(["discover", str(bad), "--min-size", "4", "--out", str(out), "--rejects", str(rej)])
    assert code == 0, err
    assert f"{len(df) + 1} rows read, {len(df)} accepted, 1 rejected" in err
    assert pd.read_csv(rej)["comment"].tolist() == ["parking again"]
    # never over the input
    code, stdout, err = run_cli(["discover", str(src), "--out", str(src)])
    assert code != 0 and "input" in err and len(err.strip().splitlines()) == 1


def test_report_coverage_section_lists_candidates(tmp_path):
    df = _frame()
    df = pd.DataFrame({"score": df["score"], "comment": df["text"]})
    a = npsthemes.analyze(df)
    assert "parking" in a.candidate_themes["candidate"].tolist()
    summary = a.summary()
    assert summary["candidate_themes"][0]["candidate"] in a.candidate_themes["candidate"].tolist()
    a.write(tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'class="candidates"' in html and "parking" in html
    assert "jane.doe@example.com" not in html
