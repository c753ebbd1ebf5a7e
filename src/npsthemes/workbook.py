"""The Excel workbook (openpyxl, write-only, so a 100,000-row sheet stays light): every sheet with bold frozen
headers, an autofilter over its data, fitted column widths and number formats chosen by column name
(:data:`NUMBER_FORMATS`: NPS and impacts with one decimal, signed where keep and fix read differently, shares as
percentages, counts as whole numbers, dates as dates), optionally a bar chart with error bars; every text cell
and header that a spreadsheet would run as a formula is stored as text. Write-only sheets take all of it
(freeze panes, autofilter, column widths, charts). Renders to memory; the caller writes the bytes atomically."""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from ._io import _FORMULA_START, _XML_ILLEGAL, strip_xml_illegal

__all__ = ["Sheet", "render_excel", "tables_to_xlsx", "capped", "number_format", "EXCEL_MAX_RESPONSES"]

EXCEL_MAX_RESPONSES = 100_000

SIGNED = "+0.0;-0.0;0.0"
DATE, DATE_TIME = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
#: Column name (regular expression, matched in order against the whole lower-cased name) -> Excel number format.
#: Values stay numbers (dates stay dates), so filters and sorting work; text cells are never formatted.
#:
#: - ``*_p``, ``p_value`` -> ``0.000`` (p-values)
#: - ``share``, ``coverage``, ``*_share``, ``*_coverage`` and their ``_ci_low``/``_ci_high`` -> ``0.0 %``
#:   (fractions 0..1)
#: - impacts, ``points_at_stake``, ``change``, ``criticism_costs``, ``praise_adds``, ``net_effect`` (and CIs)
#:   -> ``+0.0;-0.0;0.0`` (NPS points, signed: what criticism costs reads differently from what praise adds)
#: - ``nps``, ``*_nps``, ``ci_low``/``ci_high``, ``se``, ``z``, the chart's ``*_err_minus``/``_plus`` -> ``0.0``
#:   (NPS points, -100..100)
#: - ``n``, ``n_*``, ``*_count``, ``mentions``, ``positive``, ``negative``, ``promoters`` ... -> ``0`` (counts)
#: - ``date``, ``created``, ``submitted`` and any datetime column -> ``yyyy-mm-dd`` (``yyyy-mm-dd hh:mm`` when a
#:   value of the column has a time)
NUMBER_FORMATS: list[tuple[str, str]] = [
    (r".*_p|p_value", "0.000"),
    (r"(.*_)?(share|coverage)(_ci_low|_ci_high)?", "0.0 %"),
    (
        r"(impact|impact_negative|impact_positive|points_at_stake|change|contribution|criticism_costs|praise_adds"
        r"|net_effect)(_ci_low|_ci_high)?",
        SIGNED,
    ),
    (r"(.*_)?nps(_ci_low|_ci_high|_low|_high)?|ci_low|ci_high|se|change_z|z|probability|.*_err_(minus|plus)", "0.0"),
    (
        r"n|n_.*|.*_n|count|.*_count|mentions|positive|negative|praise|criticism|promoters|passives|detractors"
        r"|commenting|rows_read|rows_rejected",
        "0",
    ),
    (r"date|created|submitted", DATE),
]


def number_format(column: Any) -> str | None:
    """The number format of a column by its name (:data:`NUMBER_FORMATS`), None for the default."""
    name = str(column).strip().lower()
    for pattern, fmt in NUMBER_FORMATS:
        if re.fullmatch(pattern, name):
            return fmt
    return None


def _column_formats(df: pd.DataFrame) -> list[str | None]:
    """Each column's format: by name (:func:`number_format`); a date column (by name or dtype) shows its times
    when any value has one."""
    out = []
    for k, column in enumerate(df.columns):
        fmt = number_format(column)
        s = df.iloc[:, k]
        if fmt == DATE or pd.api.types.is_datetime64_any_dtype(s):
            if pd.api.types.is_datetime64_any_dtype(s):
                d = s.dropna()
                times = bool((d != d.dt.normalize()).any())
            else:
                times = any(isinstance(v, datetime) and (v.hour or v.minute) for v in s.tolist())
            fmt = DATE_TIME if times else DATE
        out.append(fmt)
    return out


@dataclass
class Sheet:
    """One sheet: its table, a note under it, per-row number formats (for a metric/value sheet), column widths
    that override the fitted ones, and a bar chart ``chart``: ``{"title", "categories": column, "series":
    [columns], "x_title", "colours": [hex], "intervals": {series: (low column, high column)}}`` drawn from the
    table, under it; ``intervals`` become error bars (their distances from the value are written to hidden
    columns ``<series>_err_minus`` / ``_err_plus`` at the end, so a sort keeps each bar with its interval)."""

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
        self.fast: dict[str, _FastRows] = {}
        self._cell, self._bold = WriteOnlyCell, Font(bold=True)
        self._head_fill = PatternFill("solid", fgColor="F0F2F5")
        self._wrap = Alignment(wrap_text=True, vertical="top")

    def plain(self, v: Any) -> Any:
        """The value as XLSX stores it: None, bool, int, float, a naive datetime from 1900 on, or text without
        the characters XLSX cannot hold and at most 32,767 characters long (removed characters and cut cells
        are counted)."""
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
        elif not isinstance(v, (str, int, float, datetime)):
            v = str(v)
        if isinstance(v, float) and not math.isfinite(v):
            v = str(v)
        if isinstance(v, datetime):
            if v.tzinfo is not None:  # Excel has no time zones: the local time the export shows
                v = v.replace(tzinfo=None)
            if v.year < 1900:  # before Excel's first date: kept readable as text
                v = v.isoformat(sep=" ")
        if isinstance(v, str):
            v, n = strip_xml_illegal(v)
            self.removed += n
            if len(v) > self.MAX_CELL:
                v = v[: self.MAX_CELL - 1] + "…"
                self.cut += 1
        return v

    def value(self, ws, v: Any, bold: bool = False, fmt: str | None = None) -> Any:
        v = self.plain(v)
        formula_like = isinstance(v, str) and v.startswith(_FORMULA_START)
        use_fmt = None
        if isinstance(v, datetime):
            use_fmt = fmt if fmt in (DATE, DATE_TIME) else (DATE_TIME if v.hour or v.minute else DATE)
        elif fmt and fmt not in (DATE, DATE_TIME) and isinstance(v, (int, float)) and not isinstance(v, bool):
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
        """One sheet: bold frozen header, the rows with their number formats, an autofilter over header and rows,
        fitted widths (at most 60 but for ``spec.widths``), the note under the table and the chart under the note."""
        df, hidden = _with_error_columns(spec.table, spec.chart)
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        formats = _column_formats(df)
        for k, column in enumerate(df.columns):
            letter = _col_letter(k)
            fitted = _fitted_width(df.iloc[:200, k], column, formats[k])
            ws.column_dimensions[letter].width = spec.widths.get(str(column), fitted)
            if column in hidden:
                ws.column_dimensions[letter].hidden = True
        ws.append([self.value(ws, str(c), bold=True) for c in df.columns])
        rows = spec.row_formats
        if rows is None and not spec.chart and len(df) >= FAST_ROWS:
            # long plain tables: probe rows register the styles; the rows themselves are written as XML after
            # the save (see _FastRows), about ten times faster than a cell object per value
            for probe in _probes(formats):
                ws.append([self.value(ws, v, fmt=f) for v, f in zip(probe, formats)])
            self.fast[title] = _FastRows(df, formats, spec.note)
            if df.shape[1]:
                ws.auto_filter.ref = f"A1:{_col_letter(df.shape[1] - 1)}{len(df) + 1}"
            return
        for i, row in enumerate(df.itertuples(index=False, name=None)):
            if rows is not None:
                ws.append([self.value(ws, v, fmt=rows[i] if k == len(row) - 1 else None) for k, v in enumerate(row)])
            else:
                ws.append([self.value(ws, v, fmt=f) for v, f in zip(row, formats)])
        if df.shape[1]:
            ws.auto_filter.ref = f"A1:{_col_letter(df.shape[1] - 1)}{len(df) + 1}"
        if spec.chart and len(df):
            _add_bar_chart(ws, df, spec.chart)
        if spec.note:
            ws.append([self.value(ws, spec.note)])


#: Tables with at least this many rows (and no per-row formats or chart) have their rows written as XML directly.
FAST_ROWS = 2000

_PROBE_TEXT = "=probe"  # formula-like: registers the quote-prefix style of text cells


def _probes(formats: list[str | None]) -> list[list[Any]]:
    """Four rows whose cells register every style a column's values can take: its number format, quote-prefixed
    text, a date and a date with a time (replaced by the real rows after the save)."""
    return [
        [1 if f not in (DATE, DATE_TIME) else None for f in formats],
        [_PROBE_TEXT] * len(formats),
        [datetime(2000, 1, 2)] * len(formats),
        [datetime(2000, 1, 2, 3, 4)] * len(formats),
    ]


@dataclass
class _FastRows:
    table: pd.DataFrame
    formats: list[str | None]
    note: str | None


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_STYLE = re.compile(r'<c r="([A-Z]+)(\d+)"(?: s="(\d+)")?')


def _probe_styles(xml: str, n_cols: int) -> list[list[str | None]]:
    """Per probe row (2-5) and column, the style id openpyxl gave the probe cell."""
    styles: list[list[str | None]] = [[None] * n_cols for _ in range(4)]
    letters = {_col_letter(k): k for k in range(n_cols)}
    for col, row, style in _STYLE.findall(xml):
        r = int(row) - 2
        if 0 <= r < 4 and col in letters:
            styles[r][letters[col]] = style or None
    return styles


def _rows_xml(rows: _FastRows, styles: list[list[str | None]], writer: _SheetWriter) -> str:
    """The table's rows (from row 2) and its note as sheet XML, each value stored as :meth:`_SheetWriter.value`
    stores it (the same types, number formats, quote prefixes, removed characters and cut cells)."""
    from openpyxl.utils.datetime import to_excel

    df = rows.table
    num_style, text_style, date_style, dt_style = styles
    columns = []
    for k in range(df.shape[1]):
        letter, fmt = _col_letter(k), rows.formats[k]
        numeric_fmt = fmt is not None and fmt not in (DATE, DATE_TIME)
        series = df.iloc[:, k]
        n_style = f' s="{num_style[k]}"' if numeric_fmt and num_style[k] else ""
        q_style = f' s="{text_style[k]}"' if text_style[k] else ""
        if _plain_numbers(series):
            values = series.tolist()
            cells = [
                "" if v != v else f'<c r="{letter}{i}"{n_style} t="n"><v>{v:.16g}</v></c>'
                for i, v in enumerate(values, start=2)
            ]
            columns.append(cells)
            continue
        cells = []
        for i, raw in enumerate(series.tolist(), start=2):
            if type(raw) is str and len(raw) <= writer.MAX_CELL and not _XML_ILLEGAL.search(raw):
                v: Any = raw  # the common case, without plain()'s checks
            else:
                v = writer.plain(raw)
            if v is None or v == "":
                cells.append("")
            elif isinstance(v, str):
                s = q_style if v.startswith(_FORMULA_START) else ""
                space = ' xml:space="preserve"' if v != v.strip() else ""
                cells.append(f'<c r="{letter}{i}"{s} t="inlineStr"><is><t{space}>{v.translate(_ESCAPES)}</t></is></c>')
            elif isinstance(v, bool):
                cells.append(f'<c r="{letter}{i}" t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, datetime):
                timed = fmt == DATE_TIME if fmt in (DATE, DATE_TIME) else bool(v.hour or v.minute)
                style = dt_style[k] if timed else date_style[k]
                cells.append(f'<c r="{letter}{i}" s="{style}" t="n"><v>{to_excel(v):.16g}</v></c>')
            else:
                cells.append(f'<c r="{letter}{i}"{n_style} t="n"><v>{v:.16g}</v></c>')
        columns.append(cells)
    out = [f'<row r="{i}">{"".join(cells)}</row>' for i, cells in enumerate(zip(*columns), start=2)]
    if rows.note:
        note = writer.plain(rows.note)
        out.append(
            f'<row r="{len(df) + 2}"><c r="A{len(df) + 2}" t="inlineStr"><is><t>{str(note).translate(_ESCAPES)}'
            "</t></is></c></row>"
        )
    return "".join(out)


def _plain_numbers(series: pd.Series) -> bool:
    """A column of finite numbers and NaN only (int or float dtype, not bool): written without per-value checks."""
    if not (pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_float_dtype(series.dtype)):
        return False
    if isinstance(series.dtype, pd.api.extensions.ExtensionDtype):
        return False  # nullable integers (pd.NA) take the general path
    values = series.to_numpy()
    return not pd.api.types.is_float_dtype(values.dtype) or not np.isinf(values).any()


def _splice_fast_rows(data: bytes, names: list[str], writer: _SheetWriter) -> bytes:
    """The saved workbook with each fast sheet's probe rows replaced by its real rows."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out_buf = io.BytesIO()
    targets = {f"xl/worksheets/sheet{names.index(t) + 1}.xml": rows for t, rows in writer.fast.items()}
    with zipfile.ZipFile(out_buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            content = src.read(info.filename)
            rows = targets.get(info.filename)
            if rows is not None:
                xml = content.decode("utf-8")
                start = xml.index('<row r="2"')
                end = xml.index("</sheetData>")
                body = _rows_xml(rows, _probe_styles(xml[start:end], rows.table.shape[1]), writer)
                content = (xml[:start] + body + xml[end:]).encode("utf-8")
            out.writestr(info, content)
    return out_buf.getvalue()


def _fitted_width(sample: pd.Series, column: Any, fmt: str | None) -> float:
    """A column's width from its header and first values: numbers and dates by their shown width, text by its
    length, long headers of number columns wrapped (the header cell wraps); between 8 and 60."""
    head = len(str(column))
    if fmt in (DATE, DATE_TIME):
        width = max(min(head, 24), 16 if fmt == DATE_TIME else 10)
    elif fmt is not None and pd.api.types.is_numeric_dtype(sample):
        width = head if head <= 24 else 12
    else:
        values = [len(str(v)) for v in sample.dropna().tolist()]
        width = max([min(head, 24)] + values)
    return float(min(60, max(8, width + 2)))


def _with_error_columns(df: pd.DataFrame, chart: dict[str, Any] | None) -> tuple[pd.DataFrame, set[str]]:
    """The table with the distances from each charted value to its interval's ends (for the chart's error bars),
    and the names of those added (hidden) columns."""
    if not chart or not chart.get("intervals") or not len(df):
        return df, set()
    out, added = df.copy(), set()
    for name, (low, high) in chart["intervals"].items():
        value = pd.to_numeric(out[name], errors="coerce")
        out[f"{name}_err_minus"] = (value - pd.to_numeric(out[low], errors="coerce")).clip(lower=0)
        out[f"{name}_err_plus"] = (pd.to_numeric(out[high], errors="coerce") - value).clip(lower=0)
        added |= {f"{name}_err_minus", f"{name}_err_plus"}
    return out, added


def _add_bar_chart(ws, df: pd.DataFrame, chart: dict[str, Any]) -> None:
    """A horizontal bar chart of ``chart['series']`` columns by ``chart['categories']`` (with error bars for
    ``chart['intervals']``), placed under the table, the first category at the top."""
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
    bar.visible_cells_only = False  # the error bars read hidden columns (Excel skips hidden cells otherwise)
    n = len(df)
    for name in chart["series"]:
        k = cols.index(name) + 1
        bar.add_data(Reference(ws, min_col=k, min_row=1, max_row=n + 1), titles_from_data=True)
        if name in (chart.get("intervals") or {}):
            bar.series[-1].errBars = _error_bars(ws.title, cols.index(f"{name}_err_minus"), n)
    k = cols.index(chart["categories"]) + 1
    bar.set_categories(Reference(ws, min_col=k, min_row=2, max_row=n + 1))
    colours = chart.get("colours") or []
    for s, colour in zip(bar.series, colours):
        s.graphicalProperties.solidFill = colour
        s.graphicalProperties.line.solidFill = colour
    ws.add_chart(bar, f"A{n + 4}")  # under the table and its note: a wide table would push it off screen


def _error_bars(sheet: str, minus_col: int, n: int):
    """Error bars of a bar series, the distances to the interval's ends read from two adjacent columns (0-based
    ``minus_col`` and the next), rows 2 to n + 1 (bar charts have no error-bar direction). openpyxl 3.1 writes
    ``minus`` before ``plus``, against the schema (CT_ErrBars: plus, then minus): the subclass fixes the order."""
    from openpyxl.chart.data_source import NumDataSource, NumRef
    from openpyxl.chart.error_bar import ErrorBars
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.utils import quote_sheetname

    def ref(k: int) -> NumDataSource:
        col = _col_letter(k)
        return NumDataSource(numRef=NumRef(f=f"{quote_sheetname(sheet)}!${col}$2:${col}${n + 1}"))

    class SchemaOrderErrorBars(ErrorBars):
        __attrs__, __nested__ = ErrorBars.__attrs__, ErrorBars.__nested__
        __elements__ = ("errDir", "errBarType", "errValType", "noEndCap", "plus", "minus", "val", "spPr")

    bars = SchemaOrderErrorBars(errBarType="both", errValType="cust", plus=ref(minus_col + 1), minus=ref(minus_col))
    bars.spPr = GraphicalProperties(ln=None)
    bars.spPr.line.solidFill = "404040"
    return bars


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
    data = buf.getvalue()
    if writer.fast:
        data = _splice_fast_rows(data, list(sheets), writer)
    return data, writer


def tables_to_xlsx(sheets: dict[str, pd.DataFrame]) -> tuple[bytes, list[str]]:
    """A workbook with one sheet per table (name -> DataFrame), guarded like the report's, and its warnings."""
    data, writer = _save(dict(sheets))
    return data, writer.warnings("the workbook")


def render_excel(sheets: dict[str, Any]) -> tuple[bytes, list[str]]:
    """The workbook from its sheets in order (name -> :class:`Sheet`, or (table, note or None)), and warnings
    saying how many characters XLSX could not hold (removed) and how many over-long cells were cut."""
    data, writer = _save(sheets)
    return data, writer.warnings("report.xlsx", " (the CSV files keep the text as it is)")


def capped(df: pd.DataFrame, what: str, csv_name: str, total: int | None = None) -> tuple[pd.DataFrame, str | None]:
    """At most ``EXCEL_MAX_RESPONSES`` rows for a sheet, and the note saying so when rows were cut (``total``: the
    number of rows ``df`` is the head of, when it is not all of them)."""
    total = len(df) if total is None else total
    if total <= EXCEL_MAX_RESPONSES:
        return df, None
    return (
        df.head(EXCEL_MAX_RESPONSES),
        f"first {EXCEL_MAX_RESPONSES:,} of {total:,} {what}; {csv_name} has them all",
    )
