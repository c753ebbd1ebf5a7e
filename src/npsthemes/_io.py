"""Atomic writing: render to bytes first, then write to a temporary file in the target folder and rename."""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import OutputError, UnsupportedFormatError

_UMASK = os.umask(0)
os.umask(_UMASK)

TABLE_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".json": "json"}


def json_int(text: str) -> int | str:
    """A JSON integer as an int when it fits 64 bits, else as its digits (pandas cannot hold larger ints)."""
    return int(text) if len(text) < 19 or -(2**63) <= int(text) < 2**63 else text


def parse_json_text(
    text: str, path: str | os.PathLike, error: type[Exception], what: str | None = None, parse_int: Any = None
) -> Any:
    """Parse JSON text; invalid or too deeply nested JSON raises ``error`` with one line naming the file."""
    try:
        return json.loads(text, parse_int=parse_int)
    except json.JSONDecodeError as exc:
        raise error(f"{path}: {what + ' is ' if what else ''}not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise error(f"{path}: {what + ' is ' if what else ''}JSON nested too deeply to read") from exc


def read_json(
    path: Path, error: type[Exception], what: str | None = None, encoding: str = "utf-8", max_bytes: int | None = None
) -> Any:
    """Parse a JSON file; an unreadable, undecodable, too large or invalid one raises ``error`` with one line
    naming the file. ``max_bytes`` refuses larger files (and non-regular files such as devices or FIFOs)."""
    try:
        if max_bytes is not None:
            if not path.is_file():
                raise error(f"{path}: {what or 'file'} is not a regular file")
            if path.stat().st_size > max_bytes:
                raise error(f"{path}: {what or 'file'} is larger than {max_bytes:,} bytes")
        text = path.read_bytes().decode(encoding)
    except UnicodeDecodeError as exc:
        raise error(f"{path}: {what + ' is ' if what else ''}not valid JSON: {exc}") from exc
    except OSError as exc:
        raise error(f"{path}: cannot read {what or 'the file'}: {exc.strerror or exc}") from exc
    return parse_json_text(text, path, error, what)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (a reader never sees a half-written file)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the file the usual permissions
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def dataframe_to_bytes(df: pd.DataFrame, fmt: str) -> bytes:
    """Render a DataFrame as CSV (UTF-8 with BOM so Excel reads it, CRLF line ends), Parquet or JSON Lines."""
    if fmt == "csv":
        # CRLF line ends (RFC 4180): then a value holding a bare CR or LF is quoted, so no spreadsheet can split it
        # into a new row that starts with "=..." (with LF ends pandas leaves a bare CR unquoted)
        return df.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
    if fmt == "parquet":
        buf = io.BytesIO()
        try:
            df.to_parquet(buf, index=False)
        except Exception:  # pyarrow cannot type a column of mixed values (ints and text, dicts): write it as text
            buf = io.BytesIO()
            fixed = df.copy()
            for k in range(fixed.shape[1]):
                if fixed.iloc[:, k].dtype == object:
                    col = fixed.iloc[:, k]
                    fixed.isetitem(k, col.map(lambda v: v if v is None or isinstance(v, str) else str(v)))
            fixed.columns = [str(c) for c in fixed.columns]
            fixed.to_parquet(buf, index=False)
        return buf.getvalue()
    if fmt == "jsonl":
        return df.to_json(orient="records", lines=True, force_ascii=False, date_format="iso").encode("utf-8")
    if fmt == "json":
        return df.to_json(orient="records", force_ascii=False, date_format="iso", indent=1).encode("utf-8")
    raise UnsupportedFormatError(f"unsupported output format {fmt!r}; expected csv, parquet, jsonl or json")


def write_table(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a table atomically; the format follows the extension (.csv, .parquet, .jsonl, .json)."""
    path = Path(path)
    fmt = TABLE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnsupportedFormatError(
            f"cannot write {path}: unsupported extension {path.suffix or '(none)'!r}; "
            "expected .csv, .parquet, .jsonl or .json"
        )
    return atomic_write_bytes(path, dataframe_to_bytes(df, fmt))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Control characters (C0 but tab and newline, DEL, C1) and the bidirectional-override characters that can make a
# terminal line or a cell read differently from what it holds.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_ALL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What an XLSX cell (XML 1.0) cannot hold at all.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _escape_char(m: re.Match) -> str:
    c = m.group(0)
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def clean_for_terminal(text: object) -> str:
    """``text`` as one printable line: control characters, newlines and bidi overrides shown as escapes
    (``\\x1b``), so data can neither move the cursor, recolour the terminal nor fake a second line."""
    return _CONTROL_ALL.sub(_escape_char, str(text))


def strip_xml_illegal(text: str) -> tuple[str, int]:
    """``text`` without the characters an XLSX cell cannot store, and how many were removed."""
    out, n = _XML_ILLEGAL.subn("", text)
    return out, n


def guard_cell(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula (=, +, -, @, tab, CR) with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def guard_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names cannot run as spreadsheet formulas (for CSV files
    opened in Excel): each such value gets a leading apostrophe."""
    out = df.copy()
    out.columns = [guard_cell(str(c)) for c in out.columns]
    for k in range(out.shape[1]):
        s = out.iloc[:, k]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            text = s.astype("string")
            risky = text.str[:1].isin(_FORMULA_START).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                s = s.astype(object).copy()
                s[risky] = "'" + text[risky].astype(object)
                out.isetitem(k, s)
    return out


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name the same file (the same inode when both exist, else the same resolved path)."""
    a, b = Path(a).expanduser(), Path(b).expanduser()
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def check_not_input(output: str | os.PathLike, inputs: Any) -> None:
    """Refuse to write ``output`` over one of ``inputs`` (paths; anything else is ignored)."""
    out = Path(output)
    for src in inputs if isinstance(inputs, (list, tuple, set)) else [inputs]:
        if isinstance(src, (str, os.PathLike)) and same_file(out, Path(src)):
            raise OutputError(f"{out}: is the input file; refusing to overwrite it (choose another output path)")


def check_output_dir(
    out_dir: str | os.PathLike, replaceable: Any = (), inputs: Any = (), what: str = "an npsthemes report"
) -> None:
    """Refuse an output directory that is a file, holds one of ``inputs``, or holds files other than
    ``replaceable`` (see :func:`write_directory`); nothing is written. Call it before long work."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a directory")
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"cannot write {out}: {parent} is a file, not a directory")
            break
    if not out.is_dir():
        return
    entries = sorted(p.name for p in out.iterdir())
    for src in inputs if isinstance(inputs, (list, tuple, set)) else [inputs]:
        if (
            isinstance(src, (str, os.PathLike))
            and Path(src).exists()
            and any(same_file(out / name, Path(src)) for name in entries)
        ):
            raise OutputError(
                f"{out}: holds the input file {src}; refusing to replace it (choose another output directory)"
            )
    foreign = [name for name in entries if name not in set(replaceable)]
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputError(
            f"{out}: holds files that are not part of {what} ({shown}); refusing to replace it "
            "(choose a new or empty directory)"
        )


def write_directory(
    out_dir: str | os.PathLike,
    files: dict[str, Any],
    replaceable: Any = (),
    inputs: Any = (),
    what: str = "an npsthemes report",
) -> dict[str, Path]:
    """Write ``files`` (name -> bytes, or a function that writes the file's bytes to the open binary file it is
    given, for a long file rendered as it is written) as the directory ``out_dir``, replacing it as a whole.

    The files go into a temporary sibling directory first, which then takes the place of ``out_dir``: a run that
    fails half-way leaves the previous directory complete and untouched. An existing ``out_dir`` may only hold
    files named in ``files`` or ``replaceable`` (an earlier report); anything else there is refused rather than
    deleted, and so is a directory that holds one of ``inputs``.
    """
    out = Path(out_dir)
    check_output_dir(out, set(files) | set(replaceable), inputs, what)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from exc
    old: Path | None = None
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                if callable(data):
                    data(fh)
                else:
                    fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp / name, 0o666 & ~_UMASK)
        os.chmod(tmp, 0o777 & ~_UMASK)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.rmdir(old)
            os.replace(out, old)
        try:
            os.replace(tmp, out)
        except BaseException:
            if old is not None:
                os.replace(old, out)
                old = None
            raise
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return {name: out / name for name in files}


def jsonable(obj: Any) -> Any:
    """Plain JSON types for numpy/pandas values (NaN and missing become None)."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        return None if math.isnan(obj) else float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    return obj
