"""End-to-end: `analyze` on the shipped sample survey, the Python API and the CLI agree, outputs are safe."""

import json

import openpyxl
import pandas as pd
import pytest

from npsthemes import analyze
from npsthemes.cli import main
from npsthemes.datasets import load_sample_survey, sample_survey_path

SUMMARY_KEYS = {
    "n",
    "nps",
    "ci_low",
    "ci_high",
    "rows_read",
    "rows_rejected",
    "model",
    "themes",
    "strengths",
    "development_areas",
}
THEME_KEYS = {
    "theme",
    "mentions",
    "positive",
    "negative",
    "theme_nps",
    "impact",
    "impact_ci_low",
    "impact_ci_high",
    "points_at_stake",
    "status",
}


def test_api_attributes(sample_analysis):
    a = sample_analysis
    for name in ("themes", "strengths", "development_areas", "segments", "trend", "responses"):
        assert isinstance(getattr(a, name), pd.DataFrame), name
    assert len(a.themes) == 11
    assert set(a.themes["status"]) <= {
        "strength",
        "development_area",
        "both",
        "uncertain",
        "too_few_mentions",
        "not_mentioned",
    }
    # development areas ranked by points at stake, strengths by positive impact
    assert a.development_areas["points_at_stake"].is_monotonic_decreasing
    assert a.strengths["impact_positive"].is_monotonic_decreasing
    assert len(a.development_areas) and len(a.strengths)
    assert set(a.segments["column"]) == {"channel", "agent", "industry"}
    assert list(a.trend["period"]) == sorted(a.trend["period"]) and len(a.trend) == 12
    assert a.overall["rows_read"] == a.overall["n"] + a.overall["rows_rejected"]
    summary = a.summary()
    assert SUMMARY_KEYS <= set(summary)
    assert all(THEME_KEYS <= set(t) for t in summary["themes"])
    assert summary["model"]["name"] == "default"
    # the sample's built-in story: the portal is criticised, competence praised
    assert "web_interface" in summary["development_areas"]
    assert "competence" in summary["strengths"]


def test_cli_and_api_agree_and_outputs(tmp_path, sample_analysis, capsys):
    out = tmp_path / "rep"
    code = main(["analyze", "--sample", "--out", str(out), "--bootstrap", "500"])
    cap = capsys.readouterr()
    assert code == 0, cap.err
    assert "NPS 24.2" in cap.out and "report.html" in cap.out
    names = sorted(p.name for p in out.iterdir())
    assert names == ["followup.csv", "rejects.csv", "report.html", "report.xlsx", "responses.csv", "summary.json"]
    cli_summary = json.loads((out / "summary.json").read_text())
    api_summary = sample_analysis.summary()
    for key in ("n", "nps", "ci_low", "ci_high", "rows_read", "rows_rejected", "strengths", "development_areas"):
        assert cli_summary[key] == api_summary[key], key
    assert [t["impact_ci_low"] for t in cli_summary["themes"]] == [t["impact_ci_low"] for t in api_summary["themes"]]
    resp = pd.read_csv(out / "responses.csv", encoding="utf-8-sig")
    assert len(resp) == cli_summary["n"]
    assert {"category", "language", "themes"} <= set(resp.columns)
    rej = pd.read_csv(out / "rejects.csv", encoding="utf-8-sig")
    assert len(rej) == cli_summary["rows_rejected"] == 6
    wb = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    assert wb.sheetnames[:7] == ["Summary", "Drivers", "Themes", "Segments", "Trend", "Responses", "FollowUp"]
    follow = pd.read_csv(out / "followup.csv", encoding="utf-8-sig")
    assert len(follow) == cli_summary["detractors"] and (follow["score"] <= 6).all()
    assert list(follow["priority"]) == list(range(1, len(follow) + 1))
    assert follow["score"].is_monotonic_increasing
    html = (out / "report.html").read_text()
    assert_only_own_script(html)
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def assert_only_own_script(html: str) -> None:
    """The one script of a report is the drill-down filter, inline, exactly as the package ships it."""
    from npsthemes.report import FILTER_JS

    assert html.count("<script") == 1 and "<script src" not in html
    assert f"<script>{FILTER_JS}</script>" in html


def test_rerun_replaces_cleanly_and_removes_stale_rejects(tmp_path, default_model):
    out = tmp_path / "rep"
    good = pd.DataFrame({"score": [9, 10, 3, 7] * 10, "comment": ["Nopea palvelu", "", "Portaali kaatuu", "ok"] * 10})
    bad = pd.concat([good, pd.DataFrame({"score": ["11"], "comment": ["x"]})], ignore_index=True)
    analyze(bad, default_model, n_boot=200).write(out)
    assert (out / "rejects.csv").exists()
    analyze(good, default_model, n_boot=200).write(out)
    assert not (out / "rejects.csv").exists()
    assert sorted(p.name for p in out.iterdir()) == [
        "followup.csv",
        "report.html",
        "report.xlsx",
        "responses.csv",
        "summary.json",
    ]


def test_user_text_is_escaped_and_formula_safe(tmp_path, default_model):
    evil = [
        '<script>alert("x")</script> palvelu oli huono ja hidas',
        '=HYPERLINK("http://evil.example","click") portal is terrible',
        "+SUM(1,2) too expensive",
        "-2+3 slow handling",
        "@cmd friendly staff",
        "\tTabbed but fine",
    ]
    df = pd.DataFrame({"score": [1, 2, 3, 4, 9, 8] * 5, "comment": evil * 5, "channel": ["<b>web</b>"] * 30})
    a = analyze(df, default_model, n_boot=200)
    paths = a.write(tmp_path / "r")
    html = paths["report.html"].read_text()
    assert_only_own_script(html)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<b>web</b>" not in html and "&lt;b&gt;web&lt;/b&gt;" in html  # segment names are user text too
    wb = openpyxl.load_workbook(paths["report.xlsx"])
    ws = wb["Responses"]
    header = [c.value for c in ws[1]]
    col = header.index("comment") + 1
    cells = [ws.cell(row=r, column=col) for r in range(2, 8)]
    for cell in cells:
        assert cell.data_type == "s", cell.value
    assert {c.value for c in cells} == {e.strip() for e in evil}  # the loader strips surrounding whitespace
    csv_text = paths["responses.csv"].read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text and ",=HYPERLINK" not in csv_text
    follow_text = paths["followup.csv"].read_text(encoding="utf-8-sig")  # detractors' comments, guarded too
    assert "'=HYPERLINK" in follow_text and ",=HYPERLINK" not in follow_text and ",+SUM" not in follow_text
    assert "'+SUM" in follow_text


@pytest.mark.parametrize(
    "lang,heading", [("fi", "Kehityskohteet"), ("sv", "Utvecklingsområden"), ("en", "Development areas")]
)
def test_report_languages(sample_analysis, lang, heading):
    assert heading in sample_analysis.to_html(lang)


def test_analyze_with_explicit_by_and_period(default_model):
    a = analyze(sample_survey_path(), default_model, by=["Kanava"], period="quarter", n_boot=200)
    assert set(a.segments["column"]) == {"channel"}
    assert a.trend["period"].iloc[0] == "2025Q4"
    assert set(a.theme_segments["column"]) == {"channel"}


def test_bad_language_is_an_error(default_model):
    from npsthemes import DataError

    with pytest.raises(DataError, match="report language"):
        analyze(load_sample_survey(), default_model, lang="de")


def test_formula_guards_cover_tab_and_carriage_return():
    from openpyxl import Workbook

    from npsthemes._io import guard_cell
    from npsthemes.workbook import _SheetWriter

    writer = _SheetWriter()
    for text in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert guard_cell(text) == "'" + text
        ws = Workbook(write_only=True).create_sheet("x")
        cell = writer.value(ws, text)
        assert cell.data_type == "s" and cell.value == text
    assert guard_cell("ok") == "ok" and guard_cell(-1) == -1 and writer.value(None, "ok") == "ok"
    assert writer.value(None, "a\x0bb\x1bc") == "abc" and writer.removed == 2


def test_summary_json_follows_the_schema(sample_analysis):
    from npsthemes.summary import SUMMARY_SCHEMA, THEME_SCHEMA

    summary = sample_analysis.summary()
    assert list(summary) == list(SUMMARY_SCHEMA)
    assert all(list(t) == list(THEME_SCHEMA) for t in summary["themes"])


@pytest.mark.parametrize("redact", [False, True])
def test_responses_csv_written_in_chunks_is_the_whole_export(tmp_path, default_model, monkeypatch, redact):
    """responses.csv is written chunk by chunk (never whole in memory); the file is byte for byte the CSV of the
    whole export table, and the workbook's Responses sheet is its head."""
    import npsthemes.analysis as analysis_module
    from npsthemes._io import dataframe_to_bytes, guard_formulas
    from npsthemes.datasets import load_sample_survey
    from npsthemes.tagging import tagged_rows_for_export

    a = analyze(load_sample_survey(), default_model, n_boot=200, redact=redact)
    whole = tagged_rows_for_export(a.tagged, include_rejected=False, redact=redact)
    expected = dataframe_to_bytes(guard_formulas(whole), "csv")
    monkeypatch.setattr(analysis_module, "CSV_CHUNK_ROWS", 97)
    a.write(tmp_path / "r")
    assert (tmp_path / "r" / "responses.csv").read_bytes() == expected
    assert a.render_files()[0]["responses.csv"] == expected
    pd.testing.assert_frame_equal(a.responses_table(), whole)
    assert len(list(a.responses_chunks(97))) == -(-len(whole) // 97)
