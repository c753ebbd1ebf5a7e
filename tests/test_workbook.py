"""report.xlsx works in Excel: bold frozen headers, an autofilter and fitted widths on every sheet, number formats
(one decimal, signed impacts, percentages) on values that stay numbers, labels instead of theme ids, a chart of the
driver view, and still no cell or header that a spreadsheet would run as a formula."""

import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from npsthemes import analyze
from npsthemes.workbook import DATE, DATE_TIME, SIGNED, Sheet, number_format, render_excel


@pytest.fixture(scope="module")
def workbook(sample_analysis):
    data = sample_analysis.excel_bytes()
    return data, openpyxl.load_workbook(io.BytesIO(data))


def _header(ws):
    return [c.value for c in ws[1]]


def test_every_sheet_has_frozen_bold_headers_an_autofilter_and_widths(workbook):
    _, wb = workbook
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert all(c.font.bold for c in ws[1]), ws.title
        widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(k + 1)].width for k in range(ws.max_column)]
        assert all(w and 8 <= w <= 100 for w in widths), (ws.title, widths)


def test_numbers_stay_numbers_with_formats(workbook, sample_analysis):
    _, wb = workbook
    summary = {r[0].value: r[1] for r in wb["Summary"].iter_rows(min_row=2)}
    nps = summary["NPS"]
    assert isinstance(nps.value, float) and nps.number_format == "0.0"
    assert abs(nps.value - sample_analysis.overall["nps"]) < 1e-9  # full precision kept, one decimal shown
    assert summary["coverage (share of comments with a theme)"].number_format == "0.0 %"
    themes = wb["Themes"]
    head = _header(themes)
    row = [c for c in themes[2]]
    assert row[head.index("share")].number_format == "0.0 %" and 0 <= row[head.index("share")].value <= 1
    assert row[head.index("theme_nps")].number_format == "0.0"
    assert row[head.index("points_at_stake")].number_format == SIGNED
    trend = wb["Trend"]
    head = _header(trend)
    assert trend.cell(row=3, column=head.index("change_p") + 1).number_format == "0.000"
    follow = wb["FollowUp"]
    date = follow.cell(row=2, column=_header(follow).index("date") + 1)
    assert date.is_date and date.number_format == "yyyy-mm-dd"


def test_labels_not_ids(workbook, sample_analysis):
    _, wb = workbook
    a = sample_analysis
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows(min_row=2)}
    first_dev = a.taxonomy.label(a.development_areas["theme"].iloc[0], "en")
    assert summary["development areas"].startswith(first_dev)
    assert a.development_areas["theme"].iloc[0] not in summary["development areas"].split(", ")
    assert summary["verdict 1"] == a.verdict("en")[0]
    follow = wb["FollowUp"]
    head = _header(follow)
    routes = {follow.cell(row=r, column=head.index("route_to") + 1).value for r in range(2, follow.max_row + 1)}
    labels = {a.taxonomy.label(t, "en") for t in a.taxonomy.ids}
    assert routes - {None} and routes - {None} <= labels
    review = wb["Review"]
    themes = [
        review.cell(row=r, column=_header(review).index("themes") + 1).value for r in range(2, review.max_row + 1)
    ]
    assert themes and not any(":" in (x or "") for x in themes)  # "Speed (criticism)", not "speed:negative"


def test_drivers_sheet_has_a_chart_of_cost_and_praise(workbook, sample_analysis):
    data, wb = workbook
    ws = wb["Drivers"]
    head = _header(ws)
    assert head[:1] == ["theme"] and {"criticism_costs", "praise_adds"} <= set(head)
    costs = [ws.cell(row=r, column=head.index("criticism_costs") + 1).value for r in range(2, ws.max_row)]
    costs = [c for c in costs if isinstance(c, float)]
    assert costs == sorted(costs)  # the largest cost (most negative) first
    assert all(c <= 0 for c in costs[:3])
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    charts = [n for n in names if n.startswith("xl/charts/chart")]
    assert len(charts) == 1
    xml = zipfile.ZipFile(io.BytesIO(data)).read(charts[0]).decode()
    assert "Drivers" in xml and "barDir" in xml and 'val="bar"' in xml
    # error bars from the intervals: custom, plus before minus (the schema's order), read from hidden columns
    assert xml.count("<errBars>") == 2 and 'errValType val="cust"' in xml and "errDir" not in xml
    assert xml.index("<plus>") < xml.index("<minus>")
    drawing = zipfile.ZipFile(io.BytesIO(data)).read("xl/drawings/drawing1.xml").decode()
    assert int(drawing.split("<row>")[1].split("</row>")[0]) >= ws.max_row  # under the table and its note
    k = head.index("criticism_costs_err_minus")
    letter = openpyxl.utils.get_column_letter(k + 1)
    assert f"'Drivers'!${letter}$2:${letter}${ws.max_row - 1}" in xml
    assert ws.column_dimensions[letter].hidden and not ws.column_dimensions["A"].hidden
    row = {h: ws.cell(row=2, column=i + 1).value for i, h in enumerate(head)}
    assert row["criticism_costs_err_minus"] == pytest.approx(row["criticism_costs"] - row["criticism_costs_ci_low"])
    assert row["praise_adds_err_plus"] == pytest.approx(row["praise_adds_ci_high"] - row["praise_adds"])


def test_formula_like_text_and_headers_stay_text(tmp_path, default_model):
    df = pd.DataFrame(
        {
            "score": [1, 2, 9, 10] * 6,
            "comment": ['=HYPERLINK("http://x","y") slow', "+1 rude staff", "-great", "@fast"] * 6,
            "=cmd": ["a", "b", "c", "d"] * 6,
        }
    )
    wb = openpyxl.load_workbook(io.BytesIO(analyze(df, default_model, n_boot=200).excel_bytes()))
    ws = wb["Responses"]
    head = [c for c in ws[1]]
    (bad,) = [c for c in head if c.value == "=cmd"]
    assert bad.data_type == "s" and bad.quotePrefix
    comments = [ws.cell(row=r, column=[c.value for c in head].index("comment") + 1) for r in range(2, 6)]
    assert all(c.data_type == "s" and c.quotePrefix for c in comments)


def test_number_format_table():
    assert number_format("nps") == "0.0" and number_format("theme_nps_ci_low") == "0.0"
    assert number_format("negative_share") == "0.0 %" and number_format("coverage") == "0.0 %"
    assert number_format("criticism_costs_ci_high") == SIGNED and number_format("change") == SIGNED
    assert number_format("change_p") == "0.000"
    assert number_format("n") == "0" and number_format("mentions") == "0" and number_format("n_themes") == "0"
    assert number_format("comment") is None and number_format("score") is None and number_format("date") == DATE
    data, _ = render_excel({"S": Sheet(pd.DataFrame({"nps": ["n/a"], "share": [0.25]}))})
    ws = openpyxl.load_workbook(io.BytesIO(data))["S"]
    assert ws["A2"].value == "n/a" and ws["B2"].number_format == "0.0 %"  # text is never formatted


def test_themes_and_responses_show_labels_first_and_keep_ids(workbook, sample_analysis):
    _, wb = workbook
    a = sample_analysis
    themes = wb["Themes"]
    head = _header(themes)
    assert head[:2] == ["theme", "theme_id"] and "label" not in head
    first = a.themes["theme"].iloc[0]
    assert themes["A2"].value == a.taxonomy.label(first, "en") and themes["B2"].value == first
    resp = wb["Responses"]
    head = _header(resp)
    assert head.index("theme_labels") + 1 == head.index("themes")  # the reader's column first, the ids kept
    rows = [[c.value for c in r] for r in resp.iter_rows(min_row=2)]
    tagged = next(r for r in rows if r[head.index("themes")])
    theme, _, pol = tagged[head.index("themes")].split(";")[0].partition(":")
    words = {"positive": "praise", "negative": "criticism"}
    assert tagged[head.index("theme_labels")].startswith(f"{a.taxonomy.label(theme, 'en')} ({words[pol]})")
    evidence = [r[head.index("evidence")] for r in rows if r[head.index("evidence")]]
    labels = {a.taxonomy.label(t, "en") for t in a.taxonomy.ids}
    assert evidence and all(e.split(": ")[0] in labels for e in evidence)


def test_dates_are_dates_with_or_without_times(workbook):
    _, wb = workbook
    resp = wb["Responses"]
    date = resp.cell(row=2, column=_header(resp).index("date") + 1)
    assert date.is_date and date.number_format == DATE  # responses.csv's text, a date again in the sheet
    df = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-02 08:30", "2025-01-03 00:00", None]),
            "created": [pd.Timestamp("2025-01-02", tz="Europe/London"), pd.Timestamp("1850-01-01"), "n/a"],
        }
    )
    ws = openpyxl.load_workbook(io.BytesIO(render_excel({"S": Sheet(df)})[0]))["S"]
    assert ws["A2"].number_format == ws["A3"].number_format == DATE_TIME  # a column with times shows them all
    assert ws["A2"].value.hour == 8 and ws["A4"].value is None
    assert ws["B2"].is_date and ws["B2"].number_format == DATE
    assert ws["B3"].value == "1850-01-01 00:00:00" and ws["B4"].value == "n/a"  # before Excel's dates: text
    assert ws.column_dimensions["A"].width >= 16


def test_counts_are_whole_numbers_and_empty_sheets_have_filters(workbook):
    _, wb = workbook
    themes = wb["Themes"]
    head = _header(themes)
    cell = themes.cell(row=2, column=head.index("mentions") + 1)
    assert cell.number_format == "0" and isinstance(cell.value, int)
    ws = openpyxl.load_workbook(io.BytesIO(render_excel({"E": Sheet(pd.DataFrame({"a": [], "=b": []}))})[0]))["E"]
    assert ws.auto_filter.ref == "A1:B1" and ws.freeze_panes == "A2" and ws["B1"].data_type == "s"


def _cells_and_layout(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = {
        name: [
            [
                (
                    c.value,
                    c.number_format if c.value is not None else None,
                    c.quotePrefix if c.value is not None else None,
                )
                for c in row
            ]
            for row in wb[name].iter_rows()
        ]
        for name in wb.sheetnames
    }
    layout = {
        name: (
            wb[name].freeze_panes,
            wb[name].auto_filter.ref,
            wb[name].max_row,
            {k: (d.width, d.hidden) for k, d in wb[name].column_dimensions.items()},
        )
        for name in wb.sheetnames
    }
    return cells, layout


def test_long_sheets_written_as_xml_hold_exactly_what_cell_by_cell_writing_holds(monkeypatch):
    """Sheets of FAST_ROWS rows or more have their rows written as XML directly: every value, type, number
    format, quote prefix, removed character and cut cell is as the cell-by-cell path gives them."""
    import numpy as np

    import npsthemes.workbook as wbmod

    n = wbmod.FAST_ROWS + 137
    rng = np.random.default_rng(0)
    texts = ["=SUM(A1)", " lead", "a & b <c>", "x\x01y", "", None, "two\r\nlines", "+1", "-x", "ok", "tab\tin", "  "]
    df = pd.DataFrame(
        {
            "response": np.arange(n),
            "score": rng.integers(0, 11, n).astype(float),
            "probability": rng.random(n),
            "comment": [texts[i % len(texts)] for i in range(n)],
            "date": [pd.Timestamp(2024, 1, 1 + i % 28, (i % 3) * 5) if i % 7 else None for i in range(n)],
            "flag": [bool(i % 2) for i in range(n)],
            "nps": [np.nan if i % 5 == 0 else i / 3 for i in range(n)],
            "when": pd.to_datetime(["2024-03-01"] * n),
            "mixed": [
                [1, "a", 2.5, None, np.int64(3), float("inf"), pd.Timestamp("1850-01-01")][i % 7] for i in range(n)
            ],
            "n_themes": pd.array([None if i % 9 == 0 else i % 4 for i in range(n)], dtype="Int64"),
            "=risky header": "v",
        }
    )
    df.loc[5, "comment"] = "z" * 40_000
    sheets = {
        "Summary": Sheet(pd.DataFrame({"metric": ["a"], "value": [1]})),
        "Responses": Sheet(df, f"first {n:,} of 999,999 responses"),
        "Short": Sheet(df.head(10)),
    }
    fast, fast_warnings = render_excel(sheets)
    monkeypatch.setattr(wbmod, "FAST_ROWS", 10**9)
    slow, slow_warnings = render_excel(sheets)
    assert fast_warnings == slow_warnings and len(fast_warnings) == 2  # removed characters, cut cells
    fast_cells, fast_layout = _cells_and_layout(fast)
    slow_cells, slow_layout = _cells_and_layout(slow)
    assert fast_layout == slow_layout
    assert fast_layout["Responses"][2] == n + 2  # header, rows, note
    for name in slow_cells:
        assert fast_cells[name] == slow_cells[name], name
    # the quote-prefix style really is on the formula-like text, the date style on the dates
    ws = openpyxl.load_workbook(io.BytesIO(fast))["Responses"]
    assert ws["D2"].value == "=SUM(A1)" and ws["D2"].quotePrefix and ws["D2"].data_type == "s"
    assert ws["E3"].is_date and ws["E3"].number_format == DATE_TIME
