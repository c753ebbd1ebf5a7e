import json

import pandas as pd
import pytest

from npsthemes import LabelError, default_taxonomy, load_labelled, load_taxonomy
from npsthemes.errors import TaxonomyError
from npsthemes.labelled import parse_labels

DEFAULT_IDS = [
    "competence",
    "availability",
    "web_interface",
    "communication",
    "speed",
    "personal_service",
    "price",
    "outcome",
    "reliability",
    "end_customer_experience",
    "ease",
]


def test_default_taxonomy_has_exactly_the_fixed_ids_and_labels():
    tax = default_taxonomy()
    assert tax.ids == DEFAULT_IDS
    assert tax.label("availability", "fi") == "Tavoitettavuus"
    assert tax.label("web_interface", "sv") == "Webbgränssnitt"
    assert all(t.description and t.examples and set(t.labels) == {"en", "fi", "sv"} for t in tax.themes)


def test_custom_taxonomy_and_errors(tmp_path):
    p = tmp_path / "tax.json"
    p.write_text(json.dumps({"name": "food", "version": "2", "themes": [{"id": "food"}, "service"]}))
    tax = load_taxonomy(p)
    assert tax.ids == ["food", "service"] and tax.version == "2"
    p.write_text(json.dumps({"themes": [{"id": "a"}, {"id": "a"}]}))
    with pytest.raises(TaxonomyError, match="twice"):
        load_taxonomy(p)
    p.write_text("{")
    with pytest.raises(TaxonomyError, match="JSON"):
        load_taxonomy(p)


def test_parse_labels():
    assert parse_labels("price:negative;speed:positive") == {"price": "negative", "speed": "positive"}
    assert parse_labels("") == {} and parse_labels(None) == {}
    assert parse_labels([("a", "positive")]) == {"a": "positive"}
    with pytest.raises(ValueError, match="theme:polarity"):
        parse_labels("price")
    with pytest.raises(ValueError, match="twice"):
        parse_labels("price:negative;price:positive")


def test_bad_rows_reported_with_row_numbers(tmp_path):
    p = tmp_path / "l.csv"
    pd.DataFrame(
        {
            "text": ["ok", "Too expensive", "", "Slow", "Great people", "x"],
            "labels": ["", "price:negative", "speed:negative", "speed:slowish", "staff:positive", "price"],
            "score": [8, 3, 5, 2, 10, 11],
        }
    ).to_csv(p, index=False)
    tax = default_taxonomy()
    with pytest.raises(LabelError) as ei:
        load_labelled(p, tax)
    msg = str(ei.value)
    assert "4 bad rows" in msg and "row 4: empty text with labels" in msg and "row 5: bad polarity 'slowish'" in msg
    data = load_labelled(p, tax, on_error="report")
    assert len(data) == 2 and len(data) + len(data.rejected) == 6
    reasons = dict(zip(data.rejected["source_row"], data.rejected["reason"]))
    assert "unknown theme 'staff'" in reasons[6]
    assert "theme:polarity" in reasons[7] or "0-10" in reasons[7]
    # without a taxonomy any theme id is fine, polarities must still be known ones
    data = load_labelled(p, on_error="report")
    assert "staff" in data.themes


def test_split_column_kept_and_validated(tmp_path):
    df = pd.DataFrame(
        {
            "text": ["a b", "c d", "e f"],
            "labels": ["price:negative", "", "speed:positive"],
            "split": ["train", "TEST", "validation"],
        }
    )
    data = load_labelled(df, on_error="report")
    assert data.data["split"].tolist() == ["train", "test"]
    assert "column 'split': expected train or test" in data.rejected["reason"].iloc[0]
    with pytest.raises(LabelError, match="split"):
        load_labelled(df)
