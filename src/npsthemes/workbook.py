"""The Excel workbook (openpyxl, write-only, so a 100,000-row sheet stays light): every sheet with bold frozen
headers, an autofilter over its data, fitted column widths and number formats chosen by column name
(:data:`NUMBER_FORMATS`: NPS and impacts with one decimal, signed where keep and fix read differently, shares as
percentages, counts as whole numbers), optionally a bar chart; every text cell and header that a spreadsheet
would run as a formula is stored as text. Renders to memory; the caller writes the bytes atomically."""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from ._io import _FORMULA_START, strip_xml_illegal

__all__ = ["Sheet", "render_excel", "tables_to_xlsx", "capped", "number_format", "EXCEL_MAX_RESPONSES"]

EXCEL_MAX_RESPONSES = 100_000

SIGNED = "+0.0;-0.0;0.0"
#: Column name (regular expression, matched in order against the whole name) -> Excel number format. Values stay
#: numbers, so filters and sorting work; text columns are never formatted.
NUMBER_FORMATS: list[tuple[str, str]] = [
    (r".*_p|p_value", "0.000"),
    (r"(.*_)?(share|coverage)(_ci_low|_ci_high)?", "0.0 %"),
    (
        r"(impact|impact_negative|impact_positive|points_at_stake|change|contribution|criticism_costs|praise_adds"
        r"|net_effect)(_ci_low|_ci_high)?",
        SIGNED,
    ),
    (r"(.*_)?nps(_ci_low|_ci_high|_low|_high)?|ci_low|ci_high|se|change_z|z|probability", "0.0"),
    (r"date|created|submitted", "yyyy-mm-dd"),
]


def number_format(column: Any) -> str | None:
    """The number format of a column by its name (:data:`NUMBER_FORMATS`), None for the default."""
    name = str(column).strip().lower()
    for pattern, fmt in NUMBER_FORMATS:
        if re.fullmatch(pattern, name):
            return fmt
    return None


@dataclass
class Sheet:
    """One sheet: its table, a note under it, per-row number formats (for a metric/value sheet), and a bar chart
    ``chart``: ``{"title", "categories": column, "series": [columns], "x_title"}`` drawn from the table."""

    table: pd.DataFrame
    note: str | None = None
    row_formats: list[str | None] | None = None
    chart: dict[str, Any] | None = None
    widths: dict[str, float] = field(default_factory=dict)


class _SheetWriter:
    """Cell values for openpyxl's write-only sheets: text that a spreadsheet would run as a formula is stored as
    text (quote prefix), characters that XLSX cannot hold (control characters) are removed and counted, and text
    longer than Excel's 32,767-character cell limit is cut (counted too)."""

    MAX_CELL = 32_767

    def __init__(self) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill

        self.removed = 0
        self.cut = 0
        self._cell, self._bold = WriteOnlyCell, Font(bold=True)
        self._head_fill = PatternFill("solid", fgColor="F0F2F5")
        self._wrap = Alignment(wrap_text=True, vertical="top")

    def value(self, ws, v: Any, bold: bool = False, fmt: str | None = None) -> Any:
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            v = None
        elif isinstance(v, (bool, np.bool_)):
            v = bool(v)
        elif isinstance(v, np.integer):
            v = int(v)
        elif isinstance(v, np.floating):
            v = None if np.isnan(v) else float(v)
        elif isinstance(v, pd.Timestamp):
            v = v.to_pydatetime()
        elif not isinstance(v, (str, int, float)):
            v = str(v)
        if isinstance(v, float) and not math.isfinite(v):
            v = str(v)
        if isinstance(v, str):
            v, n = strip_xml_illegal(v)
            self.removed += n
            if len(v) > self.MAX_CELL:
                v = v[: self.MAX_CELL - 1] + "…"
                self.cut += 1
        formula_like = isinstance(v, str) and v.startswith(_FORMULA_START)
        use_fmt = None
        if fmt and isinstance(v, datetime):
            use_fmt = "yyyy-mm-dd hh:mm" if (v.hour or v.minute) else "yyyy-mm-dd"
        elif fmt and not fmt.startswith("yyyy") and isinstance(v, (int, float)) and not isinstance(v, bool):
            use_fmt = fmt
        if not bold and not formula_like and use_fmt is None:
            return v
        cell = self._cell(ws, value=v)
        if formula_like:
            cell.data_type = "s"  # text that a spreadsheet would run as a formula is stored as text
            cell.quotePrefix = True
        if bold:
            cell.font = self._bold
            cell.fill = self._head_fill
            cell.alignment = self._wrap
        if use_fmt:
            cell.number_format = use_fmt
        return cell

    def warnings(self, what: str, kept: str = "") -> list[str]:
        out = []
        if self.removed:
            out.append(
                f"{what}: {self.removed} control characters that XLSX cannot hold were removed from its cells{kept}"
            )
        if self.cut:
            out.append(f"{what}: {self.cut} cells longer than Excel's 32,767 characters were cut{kept}")
        return out

    def sheet(self, wb, title: str, spec: Sheet) -> None:
        df = spec.table
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        sample = df.head(200)
        formats = [number_format(c) for c in df.columns]
        for k in range(df.shape[1]):
            values = [len(str(v)) for v in sample.iloc[:, k].tolist() if v is not None]
            width = max([min(len(str(df.columns[k])), 24)] + values)
            if formats[k] in ("0.0 %", SIGNED, "0.0", "0.000"):
                width = max(len(str(df.columns[k])) if len(str(df.columns[k])) <= 24 else 12, 8)
            ws.column_dimensions[_col_letter(k)].width = spec.widths.get(str(df.columns[k]), min(60, max(8, width + 2)))
        ws.append([self.value(ws, str(c), bold=True) for c in df.columns])
        rows = spec.row_formats
        for i, row in enumerate(df.itertuples(index=False, name=None)):
            if rows is not None:
                ws.append([self.value(ws, v, fmt=rows[i] if k == len(row) - 1 else None) for k, v in enumerate(row)])
            else:
                ws.append([self.value(ws, v, fmt=f) for v, f in zip(row, formats)])
        if df.shape[1] and len(df):
            ws.auto_filter.ref = f"A1:{_col_letter(df.shape[1] - 1)}{len(df) + 1}"
        if spec.chart and len(df):
            _add_bar_chart(ws, df, spec.chart)
        if spec.note:
            ws.append([self.value(ws, spec.note)])


def _add_bar_chart(ws, df: pd.DataFrame, chart: dict[str, Any]) -> None:
    """A horizontal bar chart of ``chart['series']`` columns by ``chart['categories']``, placed right of the
    table, the first category at the top."""
    from openpyxl.chart import BarChart, Reference

    cols = list(map(str, df.columns))
    bar = BarChart()
    bar.type = "bar"
    bar.grouping = "clustered"
    bar.overlap = 100  # cost (negative) and praise (positive) on one line per theme
    bar.title = chart.get("title")
    bar.x_axis.title = None
    bar.y_axis.title = chart.get("x_title")
    bar.y_axis.numFmt = "+0;-0;0"
    bar.y_axis.majorGridlines = None
    bar.x_axis.scaling.orientation = "maxMin"
    bar.x_axis.tickLblPos = "low"
    bar.x_axis.delete = False
    bar.y_axis.delete = False
    bar.height = max(7.5, 0.7 * len(df) + 2)
    bar.width = 18
    n = len(df)
    for name in chart["series"]:
        k = cols.index(name) + 1
        bar.add_data(Reference(ws, min_col=k, min_row=1, max_row=n + 1), titles_from_data=True)
    k = cols.index(chart["categories"]) + 1
    bar.set_categories(Reference(ws, min_col=k, min_row=2, max_row=n + 1))
    colours = chart.get("colours") or []
    for s, colour in zip(bar.series, colours):
        s.graphicalProperties.solidFill = colour
        s.graphicalProperties.line.solidFill = colour
    ws.add_chart(bar, f"{_col_letter(len(cols) + 1)}2")


def _col_letter(k: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(k + 1)


def _as_sheet(spec: Any) -> Sheet:
    if isinstance(spec, Sheet):
        return spec
    if isinstance(spec, pd.DataFrame):
        return Sheet(spec)
    df, note = spec
    return Sheet(df, note)


def _save(sheets: dict[str, Any]) -> tuple[bytes, _SheetWriter]:
    from openpyxl import Workbook

    writer = _SheetWriter()
    wb = Workbook(write_only=True)
    for name, spec in sheets.items():
        writer.sheet(wb, name, _as_sheet(spec))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), writer


def tables_to_xlsx(sheets: dict[str, pd.DataFrame]) -> tuple[bytes, list[str]]:
    """A workbook with one sheet per table (name -> DataFrame), guarded like the report's, and its warnings."""
    data, writer = _save(dict(sheets))
    return data, writer.warnings("the workbook")


def render_excel(sheets: dict[str, Any]) -> tuple[bytes, list[str]]:
    """The workbook from its sheets in order (name -> :class:`Sheet`, or (table, note or None)), and warnings
    saying how many characters XLSX could not hold (removed) and how many over-long cells were cut."""
    data, writer = _save(sheets)
    return data, writer.warnings("report.xlsx", " (the CSV files keep the text as it is)")


def capped(df: pd.DataFrame, what: str, csv_name: str) -> tuple[pd.DataFrame, str | None]:
    """At most ``EXCEL_MAX_RESPONSES`` rows for a sheet, and the note saying so when rows were cut."""
    if len(df) <= EXCEL_MAX_RESPONSES:
        return df, None
    return (
        df.head(EXCEL_MAX_RESPONSES),
        f"first {EXCEL_MAX_RESPONSES:,} of {len(df):,} {what}; {csv_name} has them all",
    )
