"""Loading survey exports: CSV/TSV (any delimiter, decimal comma, UTF-8/BOM/cp1252), XLSX, JSON, JSONL,
Parquet or a pandas DataFrame, with validation that accounts for every row.

Every row read is either accepted or rejected with a reason; ``rows_accepted + rows_rejected == rows_read``
always holds. Row numbers (``source_row``) are what a person sees when opening the file: for CSV, TSV and
XLSX the spreadsheet row (the header is row 1, the first response row 2); for JSON, JSONL, Parquet and
DataFrames the 1-based record number.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._io import json_int, parse_json_text
from .errors import (
    ColumnNotFoundError,
    DataError,
    DateParseError,
    EmptyInputError,
    InputFileNotFoundError,
    NoValidRowsError,
    UnsupportedFormatError,
)
from .stats import SCORE_MAX, SCORE_MIN, categorize

__all__ = ["Survey", "LoadReport", "load_survey", "find_columns", "read_table", "COLUMN_ALIASES"]

#: Column names recognised for each role (compared lower-case, without accents and punctuation).
COLUMN_ALIASES: dict[str, list[str]] = {
    "score": [
        "score",
        "nps",
        "nps score",
        "npsscore",
        "rating",
        "likelihood to recommend",
        "recommend",
        "recommendation",
        "arvosana",
        "pisteet",
        "pistemaara",
        "suositteluhalukkuus",
        "suosittelu",
        "nps arvosana",
        "betyg",
        "poang",
        "nps betyg",
        "rekommendation",
    ],
    "comment": [
        "comment",
        "comments",
        "reason",
        "feedback",
        "verbatim",
        "text",
        "open answer",
        "free text",
        "answer",
        "perustelu",
        "kommentti",
        "kommentit",
        "palaute",
        "vapaa teksti",
        "avoin vastaus",
        "perustelut",
        "kommentar",
        "motivering",
        "fritext",
        "svar",
        "oppet svar",
        "kommentarer",
    ],
    "id": [
        "id",
        "response id",
        "responseid",
        "respondent id",
        "respondent",
        "vastaus id",
        "vastaaja",
        "tunniste",
        "svar id",
        "svarsid",
        "customer id",
        "customerid",
        "customer number",
        "customer no",
        "account id",
        "account number",
        "case id",
        "ticket id",
        "asiakasnumero",
        "asiakas id",
        "asiakastunnus",
        "kundnummer",
        "kund id",
        "kundid",
    ],
    "date": [
        "date",
        "timestamp",
        "created",
        "created at",
        "submitted",
        "submitted at",
        "response date",
        "answered at",
        "time",
        "pvm",
        "paivamaara",
        "paivays",
        "aika",
        "vastausaika",
        "datum",
        "tidpunkt",
        "svarsdatum",
    ],
    "channel": [
        "channel",
        "contact channel",
        "touchpoint",
        "kanava",
        "yhteyskanava",
        "yhteystapa",
        "kanal",
        "kontaktkanal",
    ],
    "agent": [
        "agent",
        "handler",
        "advisor",
        "adviser",
        "representative",
        "kasittelija",
        "asiakasneuvoja",
        "asiakaspalvelija",
        "handlaggare",
        "radgivare",
        "kundradgivare",
    ],
    "segment": ["segment", "customer segment", "asiakassegmentti", "segmentti", "kundsegment"],
    "team": ["team", "tiimi", "grupp"],
    "industry": ["industry", "sector", "customer industry", "toimiala", "ala", "bransch", "sektor"],
}

# Words that, found inside a longer header ("How likely are you to recommend us?"), identify a role.
_CONTAINS: dict[str, list[str]] = {
    "score": ["recommend", "nps", "suosittel", "rekommend", "likelihood", "todennakoisesti"],
    "comment": [
        "why",
        "miksi",
        "varfor",
        "reason",
        "perustel",
        "kommentti",
        "comment",
        "feedback",
        "palaute",
        "motiver",
        "kommentar",
        "millä perusteella",
        "mill perusteella",
    ],
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
    #: columns that look like customers' contact data (header -> kind: email, phone, name, address, personal id)
    contact_columns: dict[str, str] = field(default_factory=dict)
    #: rows whose date could not be read (kept, without a date, so left out of the period views): the first
    #: :data:`MAX_LISTED_DATES` as ``{"source_row", "column", "value"}``; ``n_unreadable_dates`` counts them all
    unreadable_dates: list[dict[str, Any]] = field(default_factory=list)
    n_unreadable_dates: int = 0
    #: a survey read in partitions (the Dask engine): each partition's ``partition``, ``rows_read``,
    #: ``rows_accepted``, ``rows_rejected``
    partitions: list[dict[str, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "contact_columns": dict(self.contact_columns),
            "unreadable_dates": [dict(d) for d in self.unreadable_dates],
            "n_unreadable_dates": self.n_unreadable_dates,
            "source": self.source,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "reasons": dict(self.reasons),
            "columns": dict(self.columns),
            "warnings": list(self.warnings),
        }

    def summary(self) -> str:
        text = (
            f"{self.source}: {self.rows_read} rows read, {self.rows_accepted} accepted, {self.rows_rejected} rejected"
        )
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
    #: role -> column name in ``rejected`` (the source's header, or ``<header>_original`` where it clashed with a
    #: column npsthemes adds); empty means the same as ``report.columns``.
    rejected_columns: dict[str, str] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.responses)

    def contact_columns(self) -> dict[str, str]:
        """Columns of ``responses`` (and of the exports) that look like contact data -> their kind."""
        roles = {col: role for role, col in self.report.columns.items()}
        out = {}
        for header, kind in self.report.contact_columns.items():
            name = roles.get(header, header)
            out[name if name in self.responses.columns else f"{header}_original"] = kind
        return out

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
        shown = [str(c) for c in self.responses.columns if c not in ("source_row",)]
        names = list(dict.fromkeys([*shown, *map(str, self.report.columns.values())]))
        raise ColumnNotFoundError(
            f"{self.report.source}: no column {name!r}{did_you_mean(name, names)}; columns: {', '.join(shown)}",
            param="by",
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
    head = raw[:4096]
    if len(head) >= 4 and head.count(b"\x00") * 3 >= len(head):  # UTF-16 without a byte-order mark
        even, odd = head[0::2].count(b"\x00"), head[1::2].count(b"\x00")
        return "utf-16-be" if even > odd else "utf-16-le"
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


# The first bytes of files that are not text, so a renamed workbook or Parquet file gets a helpful message.
_MAGIC = {
    b"PK\x03\x04": "an XLSX workbook or another ZIP archive",
    b"PAR1": "a Parquet file",
    b"\xd0\xcf\x11\xe0": "an old binary Excel (.xls) file",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\x1f\x8b": "a gzip archive",
    b"SQLite format 3": "an SQLite database",
}


def _decode_text(path: Path, raw: bytes, encoding: str | None, warnings: list[str]) -> str:
    """Decode a text file (CSV/TSV/JSON/JSONL): encoding detected unless given; a binary file is refused with
    one line; NUL characters in an otherwise textual file are removed and counted in ``warnings``."""
    for magic, what in _MAGIC.items():
        if raw.startswith(magic):
            raise UnsupportedFormatError(
                f"{path}: this is {what}, not text; save or rename it with the right "
                "extension (.xlsx, .parquet) or export it as CSV"
            )
    enc = _detect_encoding(raw, encoding)
    try:
        text = raw.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnsupportedFormatError(f"{path}: cannot decode the file as {enc}: {exc}") from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    nul = text.count("\x00")
    if nul:
        head = text[:4096]
        if head.count("\x00") > max(8, len(head) // 10):
            raise UnsupportedFormatError(
                f"{path}: this looks like a binary file, not text "
                f"({head.count(chr(0))} NUL bytes in the first {len(head)} characters)"
            )
        text = text.replace("\x00", "")
        warnings.append(f"{nul} NUL control characters removed from the text")
    return text


def _sniff_delimiter(sample: str, default: str) -> str:
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if not lines:
        return default
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=";,\t|").delimiter
    except csv.Error:
        header = lines[0]
        counts = {d: header.count(d) for d in ";,\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else default


def _header_names(values: list[Any]) -> list[str]:
    """Column names from a header row as pandas names them: empty -> 'Unnamed: i', repeats -> 'name.1', ..."""
    names: list[str] = []
    seen: set[str] = set()
    for i, v in enumerate(values):
        name = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
        base = name = name or f"Unnamed: {i}"
        k = 0
        while name in seen:
            k += 1
            name = f"{base}.{k}"
        seen.add(name)
        names.append(name)
    return names


def _read_csv(path: Path, delimiter: str | None, encoding: str | None) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise EmptyInputError(f"{path}: the file is empty")
    warnings: list[str] = []
    text = _decode_text(path, raw, encoding, warnings)
    if not text.strip():
        raise EmptyInputError(f"{path}: the file is empty")
    default = "\t" if path.suffix.lower() == ".tsv" else ","
    sep = delimiter or _sniff_delimiter(text[:65536], default)
    if len(sep) != 1 or sep in '"\r\n':
        raise UnsupportedFormatError(
            f"{path}: delimiter must be one character other than a quote or a newline; got {sep!r}"
        )
    # The widest record decides the number of columns, so that a row with one field more than the header (an
    # unquoted decimal comma, a stray delimiter) can neither shift the columns nor become the index: its extra
    # fields are reported and the row is rejected with its number.
    try:
        n_header, width = 0, 0
        for record in csv.reader(io.StringIO(text), delimiter=sep):
            if record:
                n_header = n_header or len(record)
                width = max(width, len(record))
    except csv.Error as exc:
        raise UnsupportedFormatError(f"{path}: cannot parse as delimited text (delimiter {sep!r}): {exc}") from exc
    if width == 0:
        raise EmptyInputError(f"{path}: the file is empty")
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            names=list(range(width)),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
            engine="c",
            quotechar='"',
            doublequote=True,
        )
    except (pd.errors.ParserError, ValueError, OverflowError) as exc:
        raise UnsupportedFormatError(
            f"{path}: cannot parse as delimited text (delimiter {sep!r}): {_first_line(exc)}"
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise EmptyInputError(f"{path}: the file is empty") from exc
    header = grid.iloc[0, :n_header].tolist()
    data = grid.iloc[1:].reset_index(drop=True)
    bad_rows: dict[int, str] = {}
    if width > n_header:
        filled = (data.iloc[:, n_header:] != "").to_numpy()
        fields = np.where(filled.any(axis=1), width - np.argmax(filled[:, ::-1], axis=1), 0)
        for pos in np.flatnonzero(fields).tolist():
            extra = sep.join(data.iloc[pos, n_header : int(fields[pos])].tolist())
            bad_rows[pos] = (
                f"row has {int(fields[pos])} fields, the header has {n_header} (an unquoted "
                f"{'decimal comma or ' if sep == ',' else ''}delimiter inside a value?); extra: "
                f"{extra[:60]!r}"
            )
    data = data.iloc[:, :n_header]
    data.columns = _header_names(header[:n_header])
    data.attrs["row_offset"] = 2  # header is spreadsheet row 1
    data.attrs["bad_rows"] = bad_rows
    data.attrs["warnings"] = warnings
    return data


def _read_excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        df = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, dtype=object, engine="openpyxl")
    except ValueError as exc:
        raise UnsupportedFormatError(f"{path}: {_first_line(exc)}") from exc
    except Exception as exc:  # openpyxl raises many types for broken files
        raise UnsupportedFormatError(f"{path}: cannot read as an Excel workbook: {_first_line(exc)}") from exc
    df.attrs["row_offset"] = 2
    return df


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _records_frame(path: Path, data: Any, where: str) -> pd.DataFrame:
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        kind = (
            type(data).__name__
            if not isinstance(data, list)
            else next(type(r).__name__ for r in data if not isinstance(r, dict))
        )
        raise UnsupportedFormatError(f"{path}: expected {where} of records (JSON objects), got a {kind}")
    return pd.DataFrame.from_records(data)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(v: Any) -> Any:
    if isinstance(v, str) and _SURROGATE.search(v):  # "\\ud83d\\ude00" pairs join, a lone one becomes U+FFFD
        return v.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return v


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _fix_surrogates(records: list, text: str) -> list:
    """JSON escapes can encode lone surrogates ("\\udc00"), which neither pandas' string columns nor any
    UTF-8 output can hold: in records parsed from ``text``, replace them (keys and values)."""
    if not _SURROGATE_ESCAPE.search(text):
        return records
    return [{_no_surrogates(k): _no_surrogates(v) for k, v in r.items()} if isinstance(r, dict) else r for r in records]


def _read_json(path: Path, encoding: str | None) -> pd.DataFrame:
    warnings: list[str] = []
    text = _decode_text(path, path.read_bytes(), encoding, warnings)
    data = parse_json_text(text, path, UnsupportedFormatError, parse_int=json_int)
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise UnsupportedFormatError(
                f"{path}: expected a list of records (or an object with one list of records); got an object "
                f"with keys {sorted(map(str, data))[:8]}"
            )
        data = lists[0]
    df = _records_frame(path, _fix_surrogates(data, text) if isinstance(data, list) else data, "a JSON list")
    df.attrs["row_offset"] = 1
    df.attrs["warnings"] = warnings
    return df


def _read_jsonl(path: Path, encoding: str | None) -> pd.DataFrame:
    warnings: list[str] = []
    text = _decode_text(path, path.read_bytes(), encoding, warnings)
    records = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line, parse_int=json_int)
        except json.JSONDecodeError as exc:
            raise UnsupportedFormatError(f"{path}: line {lineno} is not valid JSON: {exc.msg}") from exc
        except RecursionError as exc:
            raise UnsupportedFormatError(f"{path}: line {lineno}: JSON nested too deeply to read") from exc
        if not isinstance(rec, dict):
            raise UnsupportedFormatError(f"{path}: line {lineno}: expected a JSON object, got {type(rec).__name__}")
        records.append(rec)
    if not records:
        raise EmptyInputError(f"{path}: the file has no records")
    df = pd.DataFrame.from_records(_fix_surrogates(records, text))
    df.attrs["row_offset"] = 1
    df.attrs["warnings"] = warnings
    return df


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:
        raise UnsupportedFormatError(f"{path}: cannot read as Parquet: {_first_line(exc)}") from exc
    warnings: list[str] = []
    for col in df.columns:
        s = df[col]
        if s.dtype == object:
            is_bytes = s.map(lambda v: isinstance(v, (bytes, bytearray, memoryview)))
            if is_bytes.any():
                df[col] = s.where(~is_bytes, s[is_bytes].map(lambda v: bytes(v).decode("utf-8", "replace")))
                warnings.append(f"column {str(col)!r}: {int(is_bytes.sum())} binary values read as UTF-8 text")
    df.attrs["row_offset"] = 1
    df.attrs["warnings"] = warnings
    return df


_READERS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".tab": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
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
        df = _read_json(path, encoding)
    elif kind == "jsonl":
        df = _read_jsonl(path, encoding)
    else:
        df = _read_parquet(path)
    if len(df) == 0:
        raise EmptyInputError(f"{path}: the file has a header but no rows")
    return df


# --------------------------------------------------------------------------------------------- columns


def did_you_mean(name: str, names: Sequence[str]) -> str:
    """ "; did you mean 'channel'?" when a column name is close to ``name`` (case, accents and punctuation
    ignored), else ''."""
    normed: dict[str, str] = {}
    for n in names:
        normed.setdefault(_norm(n), n)
    close = difflib.get_close_matches(_norm(name), list(normed), n=1, cutoff=0.6)
    return f"; did you mean {normed[close[0]]!r}?" if close else ""


def find_columns(columns: list[Any], overrides: dict[str, str | None] | None = None) -> dict[str, str]:
    """Map roles (score, comment, id, date, channel, agent, segment, team, industry) to column names.

    Explicit ``overrides`` win; otherwise exact matches of :data:`COLUMN_ALIASES` (case-, accent- and
    punctuation-insensitive), then headers that contain a telling word ("How likely ... recommend ...?").
    """
    given = {k: str(v) for k, v in (overrides or {}).items() if v}
    names = [str(c) for c in columns]
    normed = {name: _norm(name) for name in names}
    found: dict[str, str] = {}
    for role, name in given.items():
        if name not in names:
            matches = [n for n in names if normed[n] == _norm(name)]
            if not matches:
                raise ColumnNotFoundError(
                    f"column {name!r} given for the {role} was not found{did_you_mean(name, names)}; "
                    f"columns seen: {', '.join(names)}",
                    param=f"{role}_column",
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


# A score written as text: digits, optionally with a decimal point or comma and zeros only ("9", "9.0", "9,00");
# full-width digits are read as digits (NFKC). Anything else numeric ("6.99999", "1e1", "0x9") is not a whole
# number written as one, and is rejected rather than rounded.
_WHOLE_TEXT = re.compile(r"[+-]?[0-9]+(?:[.,]0*)?")
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?")

TOO_MANY_FIELDS = "row has too many fields"

#: Columns that npsthemes adds to its tables; input columns with these names are kept as ``<name>_original``.
GENERATED_COLUMNS = frozenset(
    {
        "source_row",
        "reason",
        "category",
        "language",
        "themes",
        "n_themes",
        "theme_probabilities",
        "evidence",
        "status",
        "reject_reason",
        "score_raw",
        "priority",
        "criticised",
        "praised",
        "route_to",
    }
)


def _original_name(col: str, reserved: dict[str, str]) -> str:
    return next((orig for orig, new in reserved.items() if new == col), col)


def _free_name(name: str, taken: Any) -> str:
    taken = set(map(str, taken))
    k, out = 1, name
    while out in taken:
        k += 1
        out = f"{name}_{k}"
    return out


SCORE_REASONS = ("score is missing", "score is not a number", "score is not a whole number", "score is outside 0-10")


def parse_score_scale(text: str | Sequence[int] | None) -> tuple[int, int] | None:
    """``"1-5"`` -> ``(1, 5)``: a score scale written WORST-BEST (``"5-1"`` when 1 is the best answer, as in the
    NHS Friends and Family Test); None or ``"0-10"``: the NPS scale."""
    if text is None:
        return None
    if isinstance(text, str):
        m = re.fullmatch(r"\s*(-?\d+)\s*[-:]\s*(-?\d+)\s*", text)
        if not m:
            raise DataError(f"score scale: expected WORST-BEST such as 1-5 or 5-1, got {text!r}", param="score_scale")
        worst, best = int(m.group(1)), int(m.group(2))
    else:
        worst, best = (int(v) for v in text)
    if worst == best:
        raise DataError(f"score scale: the worst and best scores must differ, got {text!r}", param="score_scale")
    return None if (worst, best) == (SCORE_MIN, SCORE_MAX) else (worst, best)


def parse_scores(
    values: pd.Series | Sequence[Any], scale: tuple[int, int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The one rule for score validity: a score is a whole number 0-10 (``9``, ``9.0``, ``" 9 "``, ``9,0``).

    Returns the scores as floats (NaN where invalid) and the reason per value ('' for a valid one): one of
    :data:`SCORE_REASONS`. Numbers are never rounded: ``6.99999`` and ``1e1`` are not whole numbers written
    as such, so they are rejected; booleans are not numbers. ``scale`` ``(worst, best)`` (from
    :func:`parse_score_scale`): scores are whole numbers on that scale instead, mapped linearly onto 0-10 (worst
    0, best 10; for example 1-5 gives 0, 2.5, 5, 7.5, 10) for the training and evaluation of a tagger, whose
    only use of the score is its NPS category as a weak polarity prior.
    """
    if scale is not None:
        worst, best = scale
        lo, hi = min(worst, best), max(worst, best)
        whole, why = _parse_whole(values)
        with np.errstate(invalid="ignore"):
            inside = (why == "") & (whole >= lo) & (whole <= hi)
        problem = (why != "") & (why != "score is outside 0-10")  # a huge integer is just outside the scale
        reasons = np.where(problem, why, np.where(inside, "", f"score is outside {worst}-{best}")).astype(object)
        return np.where(inside, (whole - worst) / (best - worst) * SCORE_MAX + 0.0, np.nan), reasons
    arr, reasons = _parse_whole(values)
    with np.errstate(invalid="ignore"):
        out_of_range = (reasons == "") & ~((arr >= SCORE_MIN) & (arr <= SCORE_MAX))
    reasons[out_of_range] = "score is outside 0-10"
    arr[reasons != ""] = np.nan
    return arr, reasons


def _parse_whole(values: pd.Series | Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Whole numbers (any range) and the reason per value ('' for a whole number)."""
    values = pd.Series(values) if not isinstance(values, pd.Series) else values
    n = len(values)
    arr = np.full(n, np.nan)
    reasons = np.full(n, "", dtype=object)
    if pd.api.types.is_bool_dtype(values):
        reasons[:] = "score is not a number"
        return arr, reasons
    if pd.api.types.is_numeric_dtype(values):
        num = values.astype(float).to_numpy()
        missing = np.isnan(num)
        reasons[missing] = "score is missing"
        ok = ~missing
        whole = np.zeros(n, dtype=bool)
        with np.errstate(invalid="ignore"):
            whole[ok] = np.isfinite(num[ok]) & (num[ok] == np.floor(num[ok]))
        reasons[ok & ~whole] = "score is not a whole number"
        reasons[ok & ~np.isfinite(np.where(ok, num, 0))] = "score is not a number"
        arr = np.where(ok & whole, num, np.nan)
    else:
        obj = values.astype(object).to_numpy()
        is_str = np.fromiter((isinstance(v, str) for v in obj), dtype=bool, count=n)
        if is_str.any():  # text (every CSV score): vectorised
            text = pd.Series(obj[is_str], dtype=object).str.normalize("NFKC").str.strip()
            missing = text.str.lower().isin(_MISSING_TOKENS).to_numpy()
            whole = text.str.fullmatch(_WHOLE_TEXT.pattern).to_numpy(dtype=bool) & ~missing
            number = text.str.fullmatch(_NUMBER_TEXT.pattern).to_numpy(dtype=bool)
            r = np.where(
                missing,
                "score is missing",
                np.where(whole, "", np.where(number, "score is not a whole number", "score is not a number")),
            ).astype(object)
            a = np.full(len(text), np.nan)
            # float() rather than pd.to_numeric, which overflows on long digit runs under pandas 2.2
            a[whole] = [float(t) for t in text[whole].str.replace(",", ".", regex=False)]
            arr[is_str], reasons[is_str] = a, r
        for i in np.flatnonzero(~is_str).tolist():
            arr[i], reasons[i] = _parse_one_score(obj[i])
    return arr, reasons


def _parse_one_score(v: Any) -> tuple[float, str]:
    if v is None or v is pd.NA or v is pd.NaT:
        return np.nan, "score is missing"
    if isinstance(v, (bool, np.bool_)):
        return np.nan, "score is not a number"
    if isinstance(v, (int, np.integer)):
        return (float(v), "") if -1e9 < v < 1e9 else (np.nan, "score is outside 0-10")
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return np.nan, "score is missing"
        if not np.isfinite(v):
            return np.nan, "score is not a number"
        return (float(v), "") if float(v) == np.floor(v) else (np.nan, "score is not a whole number")
    if not isinstance(v, str):
        try:
            import decimal

            if isinstance(v, decimal.Decimal) and v.is_finite():
                return (float(v), "") if v == v.to_integral_value() else (np.nan, "score is not a whole number")
        except (ValueError, ArithmeticError):
            pass
        return np.nan, "score is not a number"
    text = unicodedata.normalize("NFKC", v).strip()
    if text.lower() in _MISSING_TOKENS:
        return np.nan, "score is missing"
    if _WHOLE_TEXT.fullmatch(text):
        return float(text.replace(",", ".")), ""
    if _NUMBER_TEXT.fullmatch(text):
        return np.nan, "score is not a whole number"
    return np.nan, "score is not a number"


#: Date formats tried, day-first before month-first (a tie between them reads day-first: Nordic and UK exports).
_DATE_FORMATS = [
    "ISO8601",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H.%M",
    "%d.%m.%Y klo %H.%M",
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d-%m-%Y",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d.%m.%y",
    "%d/%m/%y",
    "%d/%m/%y %H:%M",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y.%m.%d",
]
#: Listed per row in the load report (all are counted).
MAX_LISTED_DATES = 1000
_NUMERIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_DATE_LIKE = re.compile(r"\d{1,4}[-./]\d{1,2}[-./]\d{2,4}")
#: Header words that suggest a date column ("CUSTOMER_RESPONSE_DATE", "Vastauspvm", "Svarsdatum", "answer time").
_DATE_NAME = re.compile(r"(date|time|timestamp|pvm|paivamaara|paivays|aika|datum|tidpunkt|\btid\b)")


def _parse_text_dates(values: np.ndarray) -> pd.Series:
    """Distinct date texts -> timestamps (NaT where unreadable). The formats are ranked by how many of (a
    sample of) the values they read; each value is read by the best format that reads it, so one odd row does
    not lose the column. Plain numbers are never dates."""
    import warnings

    texts = pd.Series(values, dtype=object)
    numeric = texts.str.fullmatch(_NUMERIC).fillna(False).to_numpy(dtype=bool)
    out = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns]")
    todo = ~numeric
    if not todo.any():
        return out
    sample = texts[todo].head(2000)

    def parse(fmt: str, t: pd.Series) -> pd.Series:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                parsed = pd.to_datetime(t, format=fmt, errors="coerce", utc=fmt == "ISO8601")
            except (ValueError, TypeError, OverflowError):
                return pd.Series(pd.NaT, index=t.index, dtype="datetime64[ns]")
        if fmt == "ISO8601":
            parsed = parsed.dt.tz_convert(None)
        return _in_ns_range(parsed)

    scores = [(int(parse(fmt, sample).notna().sum()), -k, fmt) for k, fmt in enumerate(_DATE_FORMATS)]
    ranked = [fmt for hits, _, fmt in sorted(scores, reverse=True) if hits]
    for fmt in ranked:
        if not todo.any():
            break
        parsed = parse(fmt, texts[todo])
        got = parsed.notna()
        idx = parsed.index[got.to_numpy()]
        out.loc[idx] = parsed[got]
        todo[idx.to_numpy()] = False
    return out


def _parse_dates(values: pd.Series) -> pd.Series:
    """Dates of a column as datetime64[ns] (NaT where missing or unreadable): datetime columns as they are
    (time zones converted to UTC wall time), text by :func:`_parse_text_dates` (each distinct text once)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_convert(None)
        return _in_ns_range(out)
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    uniq = pd.unique(text[text != ""].to_numpy(dtype=object))
    if not len(uniq):
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    parsed = _parse_text_dates(uniq)
    lookup = pd.Series(parsed.to_numpy(), index=pd.Index(uniq, dtype=object))
    return pd.Series(lookup.reindex(text.to_numpy()).to_numpy(), index=values.index).astype("datetime64[ns]")


def _date_share(values: pd.Series) -> tuple[float, int]:
    """Share of a column's non-empty values that read as dates (on up to 500 of its distinct values), and how
    many non-empty values there are."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return (1.0, int(values.notna().sum())) if values.notna().any() else (0.0, 0)
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return 0.0, 0
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    text = text[~text.str.lower().isin(_MISSING_TOKENS)]
    if not len(text):
        return 0.0, 0
    uniq = pd.unique(text.to_numpy(dtype=object))[:500]
    looks = np.fromiter((bool(_DATE_LIKE.search(v)) for v in uniq), dtype=bool, count=len(uniq))
    if looks.mean() < 0.8:  # most values do not even look like a date: no need to try the formats
        return 0.0, len(text)
    return float(_parse_text_dates(uniq).notna().mean()), len(text)


def _detect_date_column(raw: pd.DataFrame, used: set[str]) -> tuple[str, str] | None:
    """A date column that the aliases missed: a header with a date word whose values mostly (>= 80 %) read as
    dates, else any column whose values nearly all (>= 95 %, at least 5 values) do. Returns (column, how)."""
    by_name = []
    for col in raw.columns:
        if col in used or not _DATE_NAME.search(_norm(col)):
            continue
        share, n = _date_share(raw[col])
        if n and share >= 0.8:
            by_name.append((share, col))
    if by_name:
        return max(by_name, key=lambda x: x[0])[1], "its name and values"
    for col in raw.columns:
        if col in used:
            continue
        share, n = _date_share(raw[col])
        if n >= 5 and share >= 0.95:
            return col, "its values"
    return None


def _in_ns_range(dates: pd.Series) -> pd.Series:
    """Dates as datetime64[ns]; a placeholder outside its range (0001-01-01, 9999-12-31) becomes unreadable."""
    lo, hi = pd.Timestamp.min.ceil("s"), pd.Timestamp.max.floor("s")
    return dates.where((dates >= lo) & (dates <= hi)).astype("datetime64[ns]")


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
    _allow_all_rejected: bool = False,
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
    structural: dict[int, str] = dict(raw.attrs.get("bad_rows") or {})
    warnings: list[str] = list(raw.attrs.get("warnings") or [])
    raw.columns = _header_names(list(raw.columns))
    # drop fully empty unnamed columns left by spreadsheets ("Unnamed: 7")
    for col in list(raw.columns):
        if col.startswith("Unnamed:") and raw[col].astype(str).str.strip().isin(_MISSING_TOKENS).all():
            raw = raw.drop(columns=col)
    overrides = {
        "score": score_column,
        "comment": comment_column,
        "id": id_column,
        "date": date_column,
        "channel": channel_column,
        "agent": agent_column,
        "segment": segment_column,
    }
    try:
        columns = find_columns(list(raw.columns), overrides)
    except ColumnNotFoundError as exc:
        raise ColumnNotFoundError(f"{name}: {exc.message}") from None
    if "date" not in columns:
        found = _detect_date_column(raw.head(5000), set(columns.values()))
        if found:
            columns["date"] = found[0]
            warnings.append(f"date column: {found[0]!r} (detected from {found[1]})")
    if "score" not in columns:
        raise ColumnNotFoundError(
            f"{name}: no score column found; columns seen: {', '.join(map(str, raw.columns))}. "
            "Name it 'score' (or nps, rating, arvosana, suositteluhalukkuus, betyg, ...) or name it with "
            "`score_column`",
            param="score_column",
        )

    # Input columns named like the columns npsthemes adds (source_row, reason, category, themes, ...) are kept
    # under a suffixed name, so neither can overwrite the other; `columns` keeps the names as the user sees them.
    reserved = {c: _free_name(f"{c}_original", raw.columns) for c in raw.columns if c in GENERATED_COLUMNS}
    raw = raw.rename(columns=reserved)
    used = {role: reserved.get(col, col) for role, col in columns.items()}

    source_row = np.arange(len(raw), dtype=np.int64) + offset
    scores, reasons = parse_scores(raw[used["score"]])
    details = [f"{r}: got {v!r}" if r else "" for r, v in zip(reasons, raw[used["score"]].tolist())]
    for pos, why in structural.items():  # a row whose fields do not fit the header is rejected whatever its score
        reasons[pos], details[pos] = TOO_MANY_FIELDS, why
    bad = reasons != ""
    rows_read = len(raw)

    rejected = raw.loc[bad].copy()
    rejected.insert(0, "reason", [d for d, b in zip(details, bad) if b])
    rejected.insert(0, "source_row", source_row[bad])
    rejected = rejected.reset_index(drop=True)
    reason_counts = dict(Counter(reasons[bad].tolist()).most_common())

    if bad.all() and not _allow_all_rejected:  # (allowed for one partition of many: the Dask engine)
        sample = rejected.iloc[0]
        example = (
            f"row {sample['source_row']}: {sample['reason']}"
            if sample["reason"].startswith("row has")
            else f"row {sample['source_row']}, column {columns['score']!r}: expected a whole number 0-10, "
            f"got {sample[used['score']]!r}"
        )
        raise NoValidRowsError(
            f"{name}: all {rows_read} rows were rejected ({', '.join(f'{k}: {v}' for k, v in reason_counts.items())}); "
            f"e.g. {example}"
        )

    good = ~bad
    data = raw.loc[good].reset_index(drop=True)
    rename = {col: role for role, col in used.items()}
    # other columns that happen to carry a standard name are kept under a suffixed name
    clashes = {c: _free_name(f"{c}_original", data.columns) for c in data.columns if c in ROLES and c not in rename}
    data = data.rename(columns={**clashes, **rename})
    data["score"] = scores[good].astype(np.int64)
    if "comment" in data:
        comment = data["comment"]
        comment = comment.astype(object).where(comment.notna(), "").astype(str).str.strip()
        data["comment"] = comment.mask(comment.str.lower().isin({"nan", "none", "null"}), "")
    else:
        data["comment"] = ""
    if "comment" not in columns:
        warnings.append("no comment column found; themes cannot be tagged (name it with `comment_column`)")
    unreadable_dates: list[dict[str, Any]] = []
    n_unreadable = 0
    if "date" in data:
        original = data["date"]
        had_value = (
            original.notna() & ~original.astype(object).astype(str).str.strip().str.lower().isin(_MISSING_TOKENS)
        ).to_numpy()
        data["date"] = _parse_dates(original)
        bad_date = data["date"].isna().to_numpy() & had_value
        n_unreadable = int(bad_date.sum())
        if n_unreadable:
            rows = source_row[good][bad_date]
            values = original.to_numpy(dtype=object)[bad_date]
            col = columns["date"]
            if date_column and n_unreadable == int(had_value.sum()):
                raise DateParseError(
                    f"{name}: column {col!r} (the date): none of its {n_unreadable} values could be read as a date; "
                    f"expected e.g. 31.12.2026, 31/12/2026 14:05 or 2026-12-31T14:05; got {str(values[0])!r} "
                    f"(row {rows[0]})",
                    param="date_column",
                )
            unreadable_dates = [
                {"source_row": int(r), "column": col, "value": str(v)}
                for r, v in zip(rows[:MAX_LISTED_DATES], values[:MAX_LISTED_DATES])
            ]
            shown = ", ".join(str(int(r)) for r in rows[:5]) + (", ..." if n_unreadable > 5 else "")
            warnings.append(
                f"column {col!r}: {n_unreadable:,} of {int(had_value.sum()):,} dates could not be read (rows "
                f"{shown}; e.g. {str(values[0])!r}); those rows are kept without a date and left out of the trend"
            )
    for role in ("channel", "agent", "segment", "team", "industry", "id"):
        if role in data:
            col = data[role]
            col = (
                col.astype("string")
                if not pd.api.types.is_object_dtype(col)
                else col.astype(str).where(col.notna()).astype("string")
            )
            col = col.str.strip()
            data[role] = col.mask(col == "")
    from .privacy import contact_columns

    contact = contact_columns(raw, skip=[used[r] for r in ("score", "comment", "date") if r in used])
    contact = {reverse: kind for col, kind in contact.items() for reverse in [_original_name(col, reserved)]}
    if contact:
        shown = ", ".join(f"{c!r} ({k})" for c, k in contact.items())
        warnings.append(
            f"columns that look like contact data: {shown}; they are copied as they are into "
            "responses.csv, followup.csv and the tag output (`redact` masks them there)"
        )
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
        contact_columns=contact,
        unreadable_dates=unreadable_dates,
        n_unreadable_dates=n_unreadable,
    )
    assert report.rows_accepted + report.rows_rejected == report.rows_read
    return Survey(responses=data, rejected=rejected, report=report, rejected_columns=used)


def _ensure_survey(obj: Survey | pd.DataFrame | str | os.PathLike, **load_options: Any) -> Survey:
    """A Survey as it is; a DataFrame or path loaded with the given options (None values mean "detect")."""
    if isinstance(obj, Survey):
        return obj
    if isinstance(obj, (pd.DataFrame, str, os.PathLike)):
        return load_survey(obj, **{k: v for k, v in load_options.items() if v is not None})
    raise DataError(f"expected a Survey, a DataFrame or a path; got {type(obj).__name__}")
