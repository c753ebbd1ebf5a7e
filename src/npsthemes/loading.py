"""Loading survey exports: CSV/TSV (any delimiter, decimal comma, UTF-8/BOM/cp1252), XLSX, JSON, JSONL,
Parquet or a pandas DataFrame, with validation that accounts for every row.

Every row read is either accepted or rejected with a reason; ``rows_accepted + rows_rejected == rows_read``
always holds. Row numbers (``source_row``) are what a person sees when opening the file: for CSV, TSV and
XLSX the spreadsheet row (the header is row 1, the first response row 2); for JSON, JSONL, Parquet and
DataFrames the 1-based record number.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._io import read_json
from .errors import (
    ColumnNotFoundError,
    DataError,
    EmptyInputError,
    InputFileNotFoundError,
    NoValidRowsError,
    UnsupportedFormatError,
)

__all__ = ["Survey", "LoadReport", "load_survey", "find_columns", "read_table", "COLUMN_ALIASES"]

#: Column names recognised for each role (compared lower-case, without accents and punctuation).
COLUMN_ALIASES: dict[str, list[str]] = {
    "score": [
        "score", "nps", "nps score", "npsscore", "rating", "likelihood to recommend", "recommend",
        "recommendation", "arvosana", "pisteet", "pistemaara", "suositteluhalukkuus", "suosittelu",
        "nps arvosana", "betyg", "poang", "nps betyg", "rekommendation",
    ],
    "comment": [
        "comment", "comments", "reason", "feedback", "verbatim", "text", "open answer", "free text",
        "answer", "perustelu", "kommentti", "kommentit", "palaute", "vapaa teksti", "avoin vastaus",
        "perustelut", "kommentar", "motivering", "fritext", "svar", "oppet svar", "kommentarer",
    ],
    "id": ["id", "response id", "responseid", "respondent id", "respondent", "vastaus id", "vastaaja",
           "tunniste", "svar id", "svarsid"],
    "date": ["date", "timestamp", "created", "created at", "submitted", "submitted at", "response date",
             "answered at", "time", "pvm", "paivamaara", "paivays", "aika", "vastausaika", "datum",
             "tidpunkt", "svarsdatum"],
    "channel": ["channel", "contact channel", "touchpoint", "kanava", "yhteyskanava", "yhteystapa", "kanal",
                "kontaktkanal"],
    "agent": ["agent", "handler", "advisor", "adviser", "representative", "kasittelija",
              "asiakasneuvoja", "asiakaspalvelija", "handlaggare", "radgivare", "kundradgivare"],
    "segment": ["segment", "customer segment", "asiakassegmentti", "segmentti", "kundsegment"],
    "team": ["team", "tiimi", "grupp"],
    "industry": ["industry", "sector", "customer industry", "toimiala", "ala", "bransch", "sektor"],
}

# Words that, found inside a longer header ("How likely are you to recommend us?"), identify a role.
_CONTAINS: dict[str, list[str]] = {
    "score": ["recommend", "nps", "suosittel", "rekommend", "likelihood", "todennakoisesti"],
    "comment": ["why", "miksi", "varfor", "reason", "perustel", "kommentti", "comment", "feedback",
                "palaute", "motiver", "kommentar", "millä perusteella", "mill perusteella"],
}

ROLES = list(COLUMN_ALIASES)
_MISSING_TOKENS = {"", "nan", "none", "null", "na", "n/a", "#n/a"}


def _norm(name: Any) -> str:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@dataclass
class LoadReport:
    """Row accounting for one load: ``rows_accepted + rows_rejected == rows_read``."""

    source: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    reasons: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "reasons": dict(self.reasons),
            "columns": dict(self.columns),
            "warnings": list(self.warnings),
        }

    def summary(self) -> str:
        text = (f"{self.source}: {self.rows_read} rows read, {self.rows_accepted} accepted, "
                f"{self.rows_rejected} rejected")
        if self.reasons:
            text += " (" + ", ".join(f"{reason}: {n}" for reason, n in self.reasons.items()) + ")"
        return text


@dataclass
class Survey:
    """A validated survey.

    ``responses`` holds the accepted rows with standard column names (``score`` as int, ``comment`` as str,
    ``category`` promoter/passive/detractor, and ``id``, ``date``, ``channel``, ``agent``, ``segment``, ``team``,
    ``industry`` where found) plus every other column of the source, and ``source_row``. ``rejected`` holds the
    rejected rows as they were read, with ``source_row`` and ``reason``.
    """

    responses: pd.DataFrame
    rejected: pd.DataFrame
    report: LoadReport

    @property
    def n(self) -> int:
        return len(self.responses)

    def resolve_column(self, name: str) -> str:
        """The column of ``responses`` that ``name`` refers to: a standard name (``channel``) or the source's
        own header (``Kanava``), case- and accent-insensitive."""
        if name in self.responses.columns:
            return name
        for role, col in self.report.columns.items():
            if _norm(col) == _norm(name):
                return role
        for col in self.responses.columns:
            if _norm(col) == _norm(name):
                return str(col)
        shown = [c for c in self.responses.columns if c not in ("source_row",)]
        raise ColumnNotFoundError(
            f"{self.report.source}: no column {name!r}; columns: {', '.join(map(str, shown))}"
        )

    def __len__(self) -> int:
        return len(self.responses)

    def __repr__(self) -> str:
        return f"<Survey {self.report.summary()}>"


# --------------------------------------------------------------------------------------------- reading


def _detect_encoding(raw: bytes, encoding: str | None) -> str:
    if encoding:
        return encoding
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _sniff_delimiter(sample: str, default: str) -> str:
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if not lines:
        return default
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=";,\t|").delimiter
    except csv.Error:
        header = lines[0]
        counts = {d: header.count(d) for d in ";,\t|"}
        best = max(counts, key=counts.get)
        return best if counts[best] else default


def _read_csv(path: Path, delimiter: str | None, encoding: str | None) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise EmptyInputError(f"{path}: the file is empty")
    enc = _detect_encoding(raw, encoding)
    try:
        text = raw.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnsupportedFormatError(f"{path}: cannot decode the file as {enc}: {exc}") from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text[:4096]:
        raise UnsupportedFormatError(f"{path}: this looks like a binary file, not CSV/TSV text")
    default = "\t" if path.suffix.lower() == ".tsv" else ","
    sep = delimiter or _sniff_delimiter(text[:65536], default)
    try:
        df = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
            skip_blank_lines=True, engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        first = str(exc).splitlines()[0]
        raise UnsupportedFormatError(f"{path}: cannot parse as delimited text (delimiter {sep!r}): {first}") from exc
    except pd.errors.EmptyDataError as exc:
        raise EmptyInputError(f"{path}: the file is empty") from exc
    df.attrs["row_offset"] = 2  # header is spreadsheet row 1
    return df


def _read_excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        df = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, dtype=object, engine="openpyxl")
    except ValueError as exc:
        raise UnsupportedFormatError(f"{path}: {exc}") from exc
    except Exception as exc:  # openpyxl raises many types for broken files
        raise UnsupportedFormatError(f"{path}: cannot read as an Excel workbook: {exc}") from exc
    df.attrs["row_offset"] = 2
    return df


def _read_json(path: Path) -> pd.DataFrame:
    data = read_json(path, UnsupportedFormatError, encoding="utf-8-sig")
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise UnsupportedFormatError(
                f"{path}: expected a list of records (or an object with one list of records); got an object "
                f"with keys {sorted(data)[:8]}"
            )
        data = lists[0]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise UnsupportedFormatError(f"{path}: expected a JSON list of records (objects)")
    df = pd.DataFrame.from_records(data)
    df.attrs["row_offset"] = 1
    return df


def _read_jsonl(path: Path) -> pd.DataFrame:
    records = []
    with open(path, encoding="utf-8-sig") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UnsupportedFormatError(f"{path}: line {lineno} is not valid JSON: {exc.msg}") from exc
            if not isinstance(rec, dict):
                raise UnsupportedFormatError(f"{path}: line {lineno}: expected a JSON object, got {type(rec).__name__}")
            records.append(rec)
    df = pd.DataFrame.from_records(records)
    df.attrs["row_offset"] = 1
    return df


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:
        raise UnsupportedFormatError(f"{path}: cannot read as Parquet: {exc}") from exc
    df.attrs["row_offset"] = 1
    return df


_READERS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".tab": "csv",
    ".xlsx": "excel", ".xlsm": "excel",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".parquet": "parquet", ".pq": "parquet",
}


def read_table(
    path: str | os.PathLike,
    *,
    sheet: str | int | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read any supported file into a DataFrame (no validation). ``df.attrs['row_offset']`` maps positions to
    the row numbers a person sees."""
    path = Path(path)
    if not path.exists():
        raise InputFileNotFoundError(f"{path}: file not found")
    if path.is_dir():
        raise UnsupportedFormatError(f"{path}: is a directory, expected a survey file")
    kind = _READERS.get(path.suffix.lower())
    if kind is None:
        hint = " (save it as .xlsx)" if path.suffix.lower() == ".xls" else ""
        raise UnsupportedFormatError(
            f"{path}: unsupported format {path.suffix or '(no extension)'!r}{hint}; "
            "expected .csv, .tsv, .xlsx, .json, .jsonl or .parquet"
        )
    if path.stat().st_size == 0:
        raise EmptyInputError(f"{path}: the file is empty")
    if kind == "csv":
        df = _read_csv(path, delimiter, encoding)
    elif kind == "excel":
        df = _read_excel(path, sheet)
    elif kind == "json":
        df = _read_json(path)
    elif kind == "jsonl":
        df = _read_jsonl(path)
    else:
        df = _read_parquet(path)
    if len(df) == 0:
        raise EmptyInputError(f"{path}: the file has a header but no rows")
    return df


# --------------------------------------------------------------------------------------------- columns


def find_columns(columns: list[Any], overrides: dict[str, str | None] | None = None) -> dict[str, str]:
    """Map roles (score, comment, id, date, channel, agent, segment, team, industry) to column names.

    Explicit ``overrides`` win; otherwise exact matches of :data:`COLUMN_ALIASES` (case-, accent- and
    punctuation-insensitive), then headers that contain a telling word ("How likely ... recommend ...?").
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    names = [str(c) for c in columns]
    normed = {name: _norm(name) for name in names}
    found: dict[str, str] = {}
    for role, name in overrides.items():
        if name not in names:
            matches = [n for n in names if normed[n] == _norm(name)]
            if not matches:
                raise ColumnNotFoundError(
                    f"column {name!r} given for the {role} was not found; columns seen: {', '.join(names)}"
                )
            name = matches[0]
        found[role] = name
    used = set(found.values())
    for role in ROLES:
        if role in found:
            continue
        aliases = set(COLUMN_ALIASES[role])
        for name in names:
            if name not in used and normed[name] in aliases:
                found[role] = name
                used.add(name)
                break
    for role, words in _CONTAINS.items():
        if role in found:
            continue
        for name in names:
            if name not in used and any(re.search(rf"\b{re.escape(w)}", normed[name]) for w in words):
                found[role] = name
                used.add(name)
                break
    return found


# --------------------------------------------------------------------------------------------- validation


def _parse_scores(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return (scores as float, reason per row or '' for valid)."""
    if pd.api.types.is_bool_dtype(values):
        num = pd.Series(np.nan, index=values.index)
        text = values.astype(str)
    elif pd.api.types.is_numeric_dtype(values):
        num = values.astype(float)
        text = values.astype(str)
    else:
        obj = values.astype(object)
        text = obj.where(obj.notna(), "").astype(str).str.strip()
        num = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").astype(float)
    arr = num.to_numpy(dtype=float)
    missing = text.str.strip().str.lower().isin(_MISSING_TOKENS).to_numpy() | (
        pd.isna(values).to_numpy() if not pd.api.types.is_bool_dtype(values) else np.zeros(len(values), bool)
    )
    reasons = np.full(len(values), "", dtype=object)
    nan = np.isnan(arr)
    with np.errstate(invalid="ignore"):
        whole = np.isclose(arr, np.round(arr))
        in_range = (arr >= 0) & (arr <= 10)
    reasons[nan & ~missing] = "score is not a number"
    reasons[~nan & ~whole] = "score is not a whole number"
    reasons[~nan & whole & ~in_range] = "score is outside 0-10"
    reasons[missing] = "score is missing"
    return arr, reasons


_DATE_FORMATS = ["ISO8601", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y %H.%M", "%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d"]


def _parse_dates(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_convert(None)
        return out.astype("datetime64[ns]")
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    best = None
    for fmt in _DATE_FORMATS:
        try:
            parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=fmt == "ISO8601")
        except (ValueError, TypeError):
            continue
        if fmt == "ISO8601":
            parsed = parsed.dt.tz_convert(None)
        if best is None or parsed.notna().sum() > best.notna().sum():
            best = parsed
        if best.notna().sum() == (text != "").sum():
            break
    assert best is not None
    return best.astype("datetime64[ns]")


def load_survey(
    source: str | os.PathLike | pd.DataFrame,
    *,
    score_column: str | None = None,
    comment_column: str | None = None,
    id_column: str | None = None,
    date_column: str | None = None,
    channel_column: str | None = None,
    agent_column: str | None = None,
    segment_column: str | None = None,
    sheet: str | int | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> Survey:
    """Load and validate a survey export.

    Parameters
    ----------
    source:
        A path to a CSV/TSV (delimiter sniffed, decimal comma accepted, UTF-8, UTF-8 with BOM or cp1252),
        XLSX (first sheet unless ``sheet``), JSON (a list of records), JSONL or Parquet file, or a DataFrame.
    score_column, comment_column, ...:
        Column names to use instead of the automatic detection.

    Returns
    -------
    Survey
        Accepted responses, rejected rows with reasons, and the load report.

    Examples
    --------
    >>> import pandas as pd
    >>> s = load_survey(pd.DataFrame({"Arvosana": ["9", "10", "11"], "Perustelu": ["Hyvä", "", "?"]}))
    >>> s.report.rows_read, s.report.rows_accepted, s.report.rows_rejected
    (3, 2, 1)
    >>> s.rejected["reason"].tolist()
    ['score is outside 0-10']
    """
    if isinstance(source, pd.DataFrame):
        raw = source.reset_index(drop=True).copy()
        offset = 1
        name = "DataFrame"
        if len(raw) == 0:
            raise EmptyInputError("the DataFrame has no rows")
    else:
        raw = read_table(source, sheet=sheet, delimiter=delimiter, encoding=encoding)
        offset = raw.attrs.get("row_offset", 1)
        name = str(source)
    raw.columns = [str(c) for c in raw.columns]
    # drop fully empty unnamed columns left by spreadsheets ("Unnamed: 7")
    for col in list(raw.columns):
        if col.startswith("Unnamed:") and raw[col].astype(str).str.strip().isin(_MISSING_TOKENS).all():
            raw = raw.drop(columns=col)
    overrides = {
        "score": score_column, "comment": comment_column, "id": id_column, "date": date_column,
        "channel": channel_column, "agent": agent_column, "segment": segment_column,
    }
    try:
        columns = find_columns(list(raw.columns), overrides)
    except ColumnNotFoundError as exc:
        raise ColumnNotFoundError(f"{name}: {exc.message}") from None
    if "score" not in columns:
        raise ColumnNotFoundError(
            f"{name}: no score column found; columns seen: {', '.join(map(str, raw.columns))}. "
            "Name it 'score' (or nps, rating, arvosana, suositteluhalukkuus, betyg, ...) or pass --score-column NAME"
        )

    source_row = np.arange(len(raw), dtype=np.int64) + offset
    scores, reasons = _parse_scores(raw[columns["score"]])
    bad = reasons != ""
    rows_read = len(raw)

    rejected = raw.loc[bad].copy()
    rejected.insert(0, "reason", [
        f"{r}: got {v!r}" for r, v in zip(reasons[bad], raw.loc[bad, columns["score"]].tolist())
    ])
    rejected.insert(0, "source_row", source_row[bad])
    rejected = rejected.reset_index(drop=True)
    reason_counts = dict(Counter(reasons[bad].tolist()).most_common())

    if bad.all():
        sample = rejected.iloc[0]
        raise NoValidRowsError(
            f"{name}: all {rows_read} rows were rejected ({', '.join(f'{k}: {v}' for k, v in reason_counts.items())}); "
            f"e.g. row {sample['source_row']}, column {columns['score']!r}: expected a whole number 0-10, "
            f"got {sample[columns['score']]!r}"
        )

    good = ~bad
    data = raw.loc[good].reset_index(drop=True)
    rename = {col: role for role, col in columns.items()}
    # other columns that happen to carry a standard name are kept under a suffixed name
    clashes = {c: f"{c}_original" for c in data.columns if c in ROLES and c not in rename}
    data = data.rename(columns={**clashes, **rename})
    data["score"] = scores[good].round().astype(np.int64)
    if "comment" in data:
        comment = data["comment"]
        comment = comment.astype(object).where(comment.notna(), "").astype(str).str.strip()
        data["comment"] = comment.mask(comment.str.lower().isin({"nan", "none", "null"}), "")
    else:
        data["comment"] = ""
    warnings: list[str] = []
    if "comment" not in columns:
        warnings.append("no comment column found; themes cannot be tagged (pass --comment-column NAME)")
    if "date" in data:
        had_value = ~data["date"].astype(object).astype(str).str.strip().str.lower().isin(_MISSING_TOKENS)
        data["date"] = _parse_dates(data["date"])
        unreadable = int((data["date"].isna() & had_value).sum())
        if unreadable:
            warnings.append(f"{unreadable} rows have a date that could not be read (kept; left out of period views)")
    for role in ("channel", "agent", "segment", "team", "industry", "id"):
        if role in data:
            col = data[role]
            col = col.astype("string") if not pd.api.types.is_object_dtype(col) else col.astype(str).where(
                col.notna()
            ).astype("string")
            col = col.str.strip()
            data[role] = col.mask(col == "")
    from .nps import categorize

    data["category"] = categorize(data["score"])
    data.insert(0, "source_row", source_row[good])
    report = LoadReport(
        source=name,
        rows_read=rows_read,
        rows_accepted=int(good.sum()),
        rows_rejected=int(bad.sum()),
        reasons=reason_counts,
        columns=columns,
        warnings=warnings,
    )
    assert report.rows_accepted + report.rows_rejected == report.rows_read
    return Survey(responses=data, rejected=rejected, report=report)


def _ensure_survey(obj: Survey | pd.DataFrame | str | os.PathLike, **load_options: Any) -> Survey:
    """A Survey as it is; a DataFrame or path loaded with the given options (None values mean "detect")."""
    if isinstance(obj, Survey):
        return obj
    if isinstance(obj, (pd.DataFrame, str, os.PathLike)):
        return load_survey(obj, **{k: v for k, v in load_options.items() if v is not None})
    raise DataError(f"expected a Survey, a DataFrame or a path; got {type(obj).__name__}")
