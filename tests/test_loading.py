import json

import pandas as pd
import pytest

from npsthemes import (
    ColumnNotFoundError,
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
    assert any("1 rows have a date" in w for w in s.report.warnings)


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
