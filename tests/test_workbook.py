"""report.xlsx works in Excel: bold frozen headers, an autofilter and fitted widths on every sheet, number formats
(one decimal, signed impacts, percentages) on values that stay numbers, labels instead of theme ids, a chart of the
driver view, and still no cell or header that a spreadsheet would run as a formula."""

import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from npsthemes import analyze
from npsthemes.workbook import SIGNED, Sheet, number_format, render_excel


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
    assert number_format("comment") is None and number_format("n") is None
    data, _ = render_excel({"S": Sheet(pd.DataFrame({"nps": ["n/a"], "share": [0.25]}))})
    ws = openpyxl.load_workbook(io.BytesIO(data))["S"]
    assert ws["A2"].value == "n/a" and ws["B2"].number_format == "0.0 %"  # text is never formatted
