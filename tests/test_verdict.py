"""The verdict's sentences come from the numbers (pure functions over the analysis's tables), and partial periods
are recognised from the dates."""

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from npsthemes.stats import partial_periods
from npsthemes.verdict import concentration, fmt_number, verdict_sentences


def _label(theme):
    return {"speed": "Speed", "price": "Price"}.get(theme, theme)


def _themes(**over):
    row = {
        "theme": "speed",
        "mentions": 120,
        "positive": 20,
        "negative": 100,
        "points_at_stake": 11.2,
        "points_at_stake_ci_low": 9.9,
        "points_at_stake_ci_high": 12.7,
        "impact_positive": 1.0,
        "impact_positive_ci_low": 0.2,
        "impact_positive_ci_high": 1.9,
    }
    row.update(over)
    return pd.DataFrame([row])


def _segments(phone_neg, web_neg, c=100):
    return pd.DataFrame(
        {
            "column": ["journey", "journey"],
            "segment": ["Equipment Received", "Billing"],
            "theme": ["speed", "speed"],
            "commenting": [c, c],
            "negative": [phone_neg, web_neg],
        }
    )


def _trend(change, significant, p):
    return pd.DataFrame(
        {
            "period": ["2026-10", "2026-11"],
            "n": [200, 180],
            "nps": [30.0, 30.0 + change],
            "change": [math.nan, change],
            "change_p": [math.nan, p],
            "change_significant": [False, significant],
        }
    )


def test_fix_first_with_interval_n_and_where_it_is_concentrated():
    t = _themes()
    out = verdict_sentences(t, t.iloc[:0], t, _segments(60, 10), _trend(-12.3, True, 0.01), 900, _label)
    assert len(out) == 4
    fix, where, keep, change = out
    assert fix.startswith("Fix Speed first") and "11.2" in fix and "9.9 to 12.7" in fix and "100 of the 900" in fix
    assert "journey “Equipment Received”" in where and "60\u00a0%" in where and "10\u00a0%" in where
    assert keep.startswith("No theme is a clear strength")
    assert change.startswith("NPS fell significantly") and "-12.3" in change and "n\u00a0=\u00a0200" in change


def test_no_concentration_claimed_when_the_interval_overlaps_the_rest():
    assert concentration(_segments(14, 10), "speed", min_n=30) is None
    assert concentration(_segments(60, 10, c=20), "speed", min_n=30) is None  # too few to compare
    hit = concentration(_segments(60, 10), "speed", min_n=30)
    assert hit["segment"] == "Equipment Received" and hit["lo"] > hit["rest"] == 0.1


def test_keep_and_steady_and_partial_period_in_finnish_and_swedish():
    t = _themes(theme="price", points_at_stake=0.5, impact_positive=6.0, impact_positive_ci_low=4.5)
    none = t.iloc[:0]
    fi = verdict_sentences(t, t, none, pd.DataFrame(), _trend(2.0, False, 0.6), 500, _label, "fi", partial={"2026-11"})
    assert fi[0].startswith("Mikään teema ei vielä erotu")  # nothing to fix: says so, with the most criticised
    assert fi[1].startswith("Säilytä teema Price") and "6,0" in fi[1] and "4,5" in fi[1]
    assert "ei muuttunut merkitsevästi" in fi[2] and "+2,0" in fi[2] and "2026-11 on vajaa" in fi[2]
    sv = verdict_sentences(t, t, none, pd.DataFrame(), pd.DataFrame(), 500, _label, "sv")
    assert len(sv) == 2 and sv[1].startswith("Behåll Price")


def test_nothing_criticised():
    t = _themes(negative=0)
    out = verdict_sentences(t, t.iloc[:0], t.iloc[:0], pd.DataFrame(), pd.DataFrame(), 10, _label)
    assert out[0].startswith("No theme is a clear development area: no comment")


def test_fmt_number():
    assert fmt_number(-3.26, "fi", 1, True) == "−3,3" and fmt_number(-3.26, "sv") == "−3,3"
    assert fmt_number(3.0, "en", 1, True) == "+3.0"
    assert fmt_number(float("nan")) == "–" and fmt_number(None, "sv") == "–"


def test_partial_periods_first_and_last():
    d = pd.Series(pd.to_datetime(["2025-12-02", "2026-01-15", "2026-11-30"]))
    assert partial_periods(d, "month") == {"2025-12"}
    assert partial_periods(d, "quarter") == {"2025Q4", "2026Q4"}
    assert partial_periods(pd.Series(pd.to_datetime(["2026-01-01 08:00", "2026-03-31 17:00"])), "quarter") == set()
    assert partial_periods(pd.Series([pd.NaT]), "month") == set()


@settings(max_examples=50, deadline=None)
@given(st.dates(min_value=pd.Timestamp("2000-01-01").date(), max_value=pd.Timestamp("2030-12-31").date()))
def test_property_a_whole_month_is_never_partial(day):
    start = pd.Timestamp(day).to_period("M").start_time
    end = pd.Timestamp(day).to_period("M").end_time.normalize()
    assert partial_periods(pd.Series([start, end]), "month") == set()
    if pd.Timestamp(day) > start:
        assert partial_periods(pd.Series([pd.Timestamp(day), end]), "month") == {start.strftime("%Y-%m")}
