import json
from datetime import datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npsthemes import (
    ColumnNotFoundError,
    DateParseError,
    EmptyInputError,
    InputFileNotFoundError,
    NoValidRowsError,
    UnsupportedFormatError,
    load_survey,
)
from npsthemes.loading import find_columns

FINNISH_EXCEL = (
    "Vastaus ID;Päivämäärä;Suositteluhalukkuus;Perustelu;Kanava;Käsittelijä\r\n"
    "1;3.1.2026;9;Nopeaa ja ystävällistä palvelua;puhelin;Anna\r\n"
    "2;15.1.2026;10,0;Hyvä;chat;Anna\r\n"
    "3;2.2.2026;11;Liian iso luku;chat;Ville\r\n"
    "4;5.2.2026;;Tyhjä arvosana;web;Ville\r\n"
    "5;7.2.2026;7,5;puolikas;web;Ville\r\n"
    "6;9.2.2026;nine;teksti;email;Anna\r\n"
    "7;10.2.2026; 3 ;;email;Anna\r\n"
)


def test_finnish_excel_csv_semicolon_decimal_comma_bom(tmp_csv):
    path = tmp_csv(FINNISH_EXCEL, encoding="utf-8-sig")
    s = load_survey(path)
    r = s.report
    assert (r.rows_read, r.rows_accepted, r.rows_rejected) == (7, 3, 4)
    assert r.rows_accepted + r.rows_rejected == r.rows_read
    assert s.responses["score"].tolist() == [9, 10, 3]
    assert r.columns["score"] == "Suositteluhalukkuus"
    assert r.columns["comment"] == "Perustelu"
    assert r.columns["agent"] == "Käsittelijä"
    # empty comment is a valid response
    assert s.responses["comment"].tolist()[-1] == ""
    assert s.responses["category"].tolist() == ["promoter", "promoter", "detractor"]
    assert s.responses["date"].iloc[0] == pd.Timestamp("2026-01-03")
    # rejected rows keep their spreadsheet row numbers (header = row 1) and a reason
    rej = s.rejected.set_index("source_row")["reason"].to_dict()
    assert set(rej) == {4, 5, 6, 7}
    assert rej[4].startswith("score is outside 0-10")
    assert rej[5].startswith("score is missing")
    assert rej[6].startswith("score is not a whole number")
    assert rej[7].startswith("score is not a number")
    assert r.reasons == {
        "score is outside 0-10": 1,
        "score is missing": 1,
        "score is not a whole number": 1,
        "score is not a number": 1,
    }


def test_cp1252_encoding_detected(tmp_csv):
    path = tmp_csv("betyg;kommentar\n9;Väldigt bra bemötande\n4;För dyrt\n", encoding="cp1252")
    s = load_survey(path)
    assert s.responses["comment"].tolist() == ["Väldigt bra bemötande", "För dyrt"]


def test_tsv_and_comma(tmp_csv):
    s = load_survey(tmp_csv("score\tcomment\n8\tok\n", name="a.tsv"))
    assert s.responses["score"].tolist() == [8]
    s = load_survey(tmp_csv('score,comment\n8,"fast, friendly"\n', name="b.csv"))
    assert s.responses["comment"].tolist() == ["fast, friendly"]


def test_long_question_headers(tmp_csv):
    text = "How likely are you to recommend us to a friend?,Why did you choose this score?\n10,Great people\n"
    s = load_survey(tmp_csv(text))
    assert s.report.columns == {
        "score": "How likely are you to recommend us to a friend?",
        "comment": "Why did you choose this score?",
    }


def test_xlsx_json_jsonl_parquet_dataframe(tmp_path):
    df = pd.DataFrame({"NPS": [9, 6, 7.0], "Kommentar": ["Bra", "Dyrt", None], "Kanal": ["chat", "web", "chat"]})
    paths = []
    p = tmp_path / "s.xlsx"
    df.to_excel(p, index=False)
    paths.append(p)
    p = tmp_path / "s.json"
    p.write_text(df.to_json(orient="records"))
    paths.append(p)
    p = tmp_path / "s.jsonl"
    p.write_text(df.to_json(orient="records", lines=True))
    paths.append(p)
    p = tmp_path / "s.parquet"
    df.to_parquet(p)
    paths.append(p)
    for src in paths + [df]:
        s = load_survey(src)
        assert s.responses["score"].tolist() == [9, 6, 7], src
        assert s.responses["comment"].tolist() == ["Bra", "Dyrt", ""], src
        assert s.responses["channel"].tolist() == ["chat", "web", "chat"], src


def test_xlsx_sheet_option(tmp_path):
    p = tmp_path / "two.xlsx"
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame({"x": [1]}).to_excel(xw, sheet_name="Info", index=False)
        pd.DataFrame({"score": [10, 0]}).to_excel(xw, sheet_name="Vastaukset", index=False)
    assert load_survey(p, sheet="Vastaukset").n == 2
    with pytest.raises(ColumnNotFoundError):
        load_survey(p)


def test_json_object_with_records(tmp_path):
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"responses": [{"score": 10, "comment": "a"}]}))
    assert load_survey(p).n == 1


def test_explicit_column_overrides(tmp_csv):
    s = load_survey(tmp_csv("q1;q2\n8;hyvä\n"), score_column="q1", comment_column="q2")
    assert s.responses[["score", "comment"]].values.tolist() == [[8, "hyvä"]]
    with pytest.raises(ColumnNotFoundError, match="'nope'"):
        load_survey(tmp_csv("q1;q2\n8;hyvä\n"), score_column="nope")


def test_errors_are_clear(tmp_path, tmp_csv):
    with pytest.raises(InputFileNotFoundError, match="file not found"):
        load_survey(tmp_path / "missing.csv")
    with pytest.raises(FileNotFoundError):  # also the builtin
        load_survey(tmp_path / "missing.csv")
    with pytest.raises(EmptyInputError, match="empty"):
        load_survey(tmp_csv("", name="empty.csv"))
    with pytest.raises(EmptyInputError, match="no rows"):
        load_survey(tmp_csv("score;comment\n", name="header.csv"))
    with pytest.raises(UnsupportedFormatError, match="unsupported format"):
        load_survey(tmp_csv("x", name="survey.docx"))
    with pytest.raises(UnsupportedFormatError, match="xlsx"):
        load_survey(tmp_csv("x", name="old.xls"))
    with pytest.raises(UnsupportedFormatError, match="not valid JSON"):
        load_survey(tmp_csv("{oops", name="bad.json"))
    with pytest.raises(UnsupportedFormatError, match="Excel"):
        load_survey(tmp_csv("not a zip", name="bad.xlsx"))
    with pytest.raises(ColumnNotFoundError) as ei:
        load_survey(tmp_csv("foo;bar\n1;2\n", name="nocol.csv"))
    msg = str(ei.value)
    assert "foo, bar" in msg and "`score_column`" in msg and "\n" not in msg
    with pytest.raises(NoValidRowsError, match=r"all 2 rows were rejected.*row 2"):
        load_survey(tmp_csv("score;comment\n11;a\nx;b\n", name="allbad.csv"))
    with pytest.raises(ValueError):  # data errors are also ValueErrors
        load_survey(tmp_csv("score;comment\n11;a\n", name="allbad2.csv"))


def test_unreadable_dates_kept_with_warning(tmp_csv):
    s = load_survey(tmp_csv("score;date\n9;2026-01-05\n8;someday\n7;\n"))
    assert s.n == 3
    assert s.responses["date"].isna().tolist() == [False, True, True]
    (w,) = [w for w in s.report.warnings if "could not be read" in w]
    assert "column 'date': 1 of 2 dates" in w and "rows 3;" in w and "'someday'" in w and "\n" not in w
    assert s.report.unreadable_dates == [{"source_row": 3, "column": "date", "value": "someday"}]
    assert s.report.n_unreadable_dates == 1 and s.report.to_dict()["n_unreadable_dates"] == 1


UK_EXPORT = (
    "CUSTOMER_ID,CUSTOMER_RESPONSE_DATE,JOURNEY,NPS_SCORE,VERBATIM,WAIT_TIME_MIN\n"
    "C1,03/11/2024 14:05,Equipment Received,3,router arrived late,12\n"
    "C2,28/11/2024 09:30,Billing,9,clear bill,3\n"
    "C3,01/12/2024 18:45,Equipment Received,6,still no engineer,40\n"
    "C4,31/02/2024 10:00,Billing,10,great,5\n"
    "C5,15/12/2024 07:00,Billing,8,,7\n"
    "C6,,Billing,7,ok,2\n"
)


def test_uk_dates_with_times_in_an_unknown_date_column(tmp_csv):
    s = load_survey(tmp_csv(UK_EXPORT, name="uk.csv"))
    assert s.report.columns["date"] == "CUSTOMER_RESPONSE_DATE"  # found by its name and values
    assert s.report.columns["score"] == "NPS_SCORE" and s.report.columns["comment"] == "VERBATIM"
    d = s.responses["date"]
    assert d.iloc[0] == pd.Timestamp("2024-11-03 14:05")  # day first: 3 November, with the time
    assert d.iloc[1] == pd.Timestamp("2024-11-28 09:30")
    assert pd.isna(d.iloc[3]) and pd.isna(d.iloc[5])  # 31 February is unreadable; an empty date is missing
    assert s.report.unreadable_dates == [
        {"source_row": 5, "column": "CUSTOMER_RESPONSE_DATE", "value": "31/02/2024 10:00"}
    ]
    assert any("detected from its name and values" in w for w in s.report.warnings)
    assert "WAIT_TIME_MIN" in s.responses.columns  # a numeric "time" column is not a date


@pytest.mark.parametrize(
    "values,expected",
    [
        (["2026-03-01T10:15:00Z", "2026-03-02T23:30:00+02:00"], ["2026-03-01 10:15", "2026-03-02 21:30"]),
        (["2026-03-01 10:15:00.123", "2026-03-02"], ["2026-03-01 10:15:00.123", "2026-03-02"]),
        (["31.12.2025", "1.1.2026 klo 9.05"], ["2025-12-31", "2026-01-01 09:05"]),
        (["12/31/2025", "01/15/2026 4:05 PM"], ["2025-12-31", "2026-01-15 16:05"]),  # month first only when clear
        (["05/04/2026", "06/04/2026"], ["2026-04-05", "2026-04-06"]),  # ambiguous: day first
    ],
)
def test_date_formats(tmp_csv, values, expected):
    text = "score;when\n" + "".join(f"9;{v}\n" for v in values)
    s = load_survey(tmp_csv(text), date_column="when")
    assert s.responses["date"].tolist() == [pd.Timestamp(e) for e in expected]


def test_a_column_of_dates_is_found_by_its_values_and_numbers_never_are(tmp_csv):
    rows = "".join(f"{9 - k % 3};{k};{10 + k}.5;2026-0{1 + k % 9}-1{k % 9} 08:00\n" for k in range(8))
    s = load_survey(tmp_csv("score;ref;amount;col7\n" + rows))
    assert s.report.columns["date"] == "col7"
    assert any("'col7' (detected from its values)" in w for w in s.report.warnings)
    s = load_survey(tmp_csv("score;ref;amount\n" + "".join(f"9;{2020 + k};{k}.5\n" for k in range(8))))
    assert "date" not in s.report.columns


def test_an_explicit_date_column_with_no_readable_date_is_an_error(tmp_csv):
    with pytest.raises(DateParseError) as ei:
        load_survey(tmp_csv("score;Answered\n9;soon\n8;later\n"), date_column="Answered")
    msg = str(ei.value)
    assert "'Answered'" in msg and "none of its 2 values" in msg and "'soon'" in msg and "row 2" in msg
    assert "31/12/2026 14:05" in msg and "\n" not in msg


@settings(max_examples=40, deadline=None)
@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31)))
def test_property_uk_dates_with_times_round_trip(when):
    when = when.replace(second=0, microsecond=0)
    other = when.replace(day=13)  # a value that only reads day first: the column is day-first
    frame = pd.DataFrame({"score": [9, 8], "date": [when.strftime("%d/%m/%Y %H:%M"), other.strftime("%d/%m/%Y %H:%M")]})
    s = load_survey(frame)
    assert s.responses["date"].tolist() == [pd.Timestamp(when), pd.Timestamp(other)]


def test_column_typos_suggest_the_close_name(tmp_csv):
    path = tmp_csv("score;comment;channel\n9;ok;web\n")
    with pytest.raises(ColumnNotFoundError, match=r"did you mean 'score'\?"):
        load_survey(path, score_column="scroe")
    s = load_survey(path)
    with pytest.raises(ColumnNotFoundError, match=r"no column 'chanel'; did you mean 'channel'\?"):
        s.resolve_column("chanel")
    with pytest.raises(ColumnNotFoundError) as ei:
        s.resolve_column("zzz")
    assert "did you mean" not in str(ei.value)


def test_find_columns_accent_and_case_insensitive():
    cols = find_columns(["POÄNG", "Fritext", "DATUM", "Handläggare", "Bransch"])
    assert cols == {
        "score": "POÄNG",
        "comment": "Fritext",
        "date": "DATUM",
        "agent": "Handläggare",
        "industry": "Bransch",
    }


def test_other_columns_kept_and_resolvable(tmp_csv):
    s = load_survey(tmp_csv("arvosana;perustelu;Alue\n9;ok;Tampere\n"))
    assert s.responses["Alue"].tolist() == ["Tampere"]
    assert s.resolve_column("alue") == "Alue"
    assert s.resolve_column("Arvosana") == "score"
    with pytest.raises(ColumnNotFoundError):
        s.resolve_column("nothing")


def test_customer_id_columns_are_the_id():
    assert find_columns(["CUSTOMER_ID", "NPS_SCORE"])["id"] == "CUSTOMER_ID"
    assert find_columns(["Asiakasnumero", "Arvosana"])["id"] == "Asiakasnumero"
    assert find_columns(["Kundnummer", "Betyg"])["id"] == "Kundnummer"
