"""The hostile-input matrix: several hundred nasty inputs, each run as a real `python -m npsthemes ...` process.

    python benchmarks/hostile.py [--only PATTERN] [--full] [--jobs 2] [--timeout 120] [--list] [--keep]

Builds every case in a temporary directory (survey datasets x formats x commands, plus model, training,
output-over-input, terminal and environment cases), runs each in a subprocess with a timeout (two at a time by
default), and classifies it:

* ``ok``: exit 0 and every check passed;
* ``clean error``: exit 1 with one stderr line starting with ``Error:`` (progress lines aside), or exit 2 (usage);
* ``messy error``: exit 1 without a traceback but not one ``Error:`` line (several lines, or other text);
* ``traceback``: "Traceback" or "Exception ignored" on stderr;
* ``hang``: still running after ``--timeout`` seconds (killed);
* ``unsafe output``: an input changed (output over input), a live formula or an unguarded formula-like cell or
  header in an .xlsx/.csv written by the run or in CSV on stdout, or a raw ESC byte on the terminal;
* ``accounting broken``: rows read != accepted + rejected, or rows read / rows written != records in the input;
* ``crash``: any other exit code (killed by a signal, 130, ...).

Prints the machine, the counts per class, and for every case that is not ``ok`` its command and the last stderr
line (worst classes first). Exits 1 if any case is a traceback, a hang, unsafe output or broken accounting.
The npsthemes under test is the one in this checkout's ``src/`` (put first on PYTHONPATH). Each case is a fresh
interpreter (~2.6 s of imports before any work), so the default set (~270 cases) takes ~14 min on 2 cores and
``--full`` (~400: every format of every dataset x command) ~23 min.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
RISKY = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
SUMMARY_LINE = re.compile(r"(\d+) rows read, (\d+) accepted, (\d+) rejected")
CLASSES = ["traceback", "hang", "unsafe output", "accounting broken", "crash", "messy error", "clean error", "ok"]
FAILING = {"traceback", "hang", "unsafe output", "accounting broken"}


# ------------------------------------------------------------------------------------------------ cases


@dataclass
class Case:
    name: str
    steps: list[list[str]]  # argument lists for `python -m npsthemes`, run in order in the case's directory
    files: dict[str, bytes] = field(default_factory=dict)  # inputs, relative to the case directory
    expected_rows: int | None = None  # records in the survey input, when known
    mutable: tuple[str, ...] = ()  # inputs the case may legitimately replace (e.g. a model dir retrained)
    env: dict[str, str] = field(default_factory=dict)
    copy_dirs: dict[str, Path] = field(default_factory=dict)  # relpath -> directory copied in (models)
    tag_out: str | None = None  # the tag output whose rows must equal expected_rows
    check: Callable[[Path, list[str]], str | None] | None = None  # (case dir, stdouts) -> problem or None
    full_only: bool = False  # run only with --full (more formats of the same dataset and command)


def _csv_bytes(columns, rows, delimiter=",", encoding="utf-8", newline="\r\n") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    w.writerow(columns)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue().encode(encoding, errors="replace")


def _plain(v) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def realize(columns, rows, fmt: str) -> bytes | None:
    """A dataset as a file of the given format, or None when the format cannot hold it."""
    import pandas as pd

    plain = all(_plain(v) for r in rows for v in r)
    if fmt == "csv":
        return _csv_bytes(columns, rows) if plain and not any(isinstance(v, bytes) for r in rows for v in r) else None
    if fmt in ("json", "jsonl"):
        if any(isinstance(v, bytes) for r in rows for v in r):
            return None
        records = [dict(zip(columns, r)) for r in rows]
        for ascii_only in (False, True):  # lone surrogates only survive as \u escapes
            try:
                if fmt == "json":
                    return json.dumps(records, ensure_ascii=ascii_only).encode("utf-8")
                return "".join(json.dumps(r, ensure_ascii=ascii_only) + "\n" for r in records).encode("utf-8")
            except UnicodeEncodeError:
                continue
    if fmt == "parquet":
        if len(set(columns)) != len(columns):
            return None
        buf = io.BytesIO()
        try:
            pd.DataFrame(rows, columns=columns).to_parquet(buf, index=False)
        except Exception:
            return None
        return buf.getvalue()
    if fmt == "xlsx":
        if not plain:
            return None
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        def clean(v):
            return ILLEGAL_CHARACTERS_RE.sub("", v)[:32767] if isinstance(v, str) else v

        try:
            wb = Workbook()
            ws = wb.active
            ws.append([clean(c) for c in columns])
            for r in rows:
                ws.append([clean(v) for v in r])
            buf = io.BytesIO()
            wb.save(buf)
        except Exception:
            return None
        return buf.getvalue()
    raise ValueError(fmt)


GOOD_ROWS = [
    [9, "Great people and very fast service", "phone", "2024-01-05"],
    [10, "Asiantuntevaa apua, kiitos!", "chat", "2024-01-20"],
    [3, "The portal is a nightmare and nobody answers", "chat", "2024-02-03"],
    [7, "Ok, but slow invoices", "email", "2024-02-15"],
    [2, "Hidas käsittely, portaali ei toimi", "phone", "2024-03-01"],
    [8, "Bra bemötande men dyrt", "web", "2024-03-09"],
]
BASE_COLS = ["score", "comment", "channel", "date"]
PII = "FI2112345600000785, FI21 1234 5600 0007 85, matti.meikalainen@example.com, 040 123 4567"
INJECT = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1", "-1", "=cmd|' /C calc'!A0", "\t=1", "\r=1"]


def _rows(comments, scores=None, channels=None):
    scores = scores or [9, 3, 10, 6, 8, 2, 7, 9]
    channels = channels or ["phone", "chat", "email"]
    return [
        [scores[i % len(scores)], c, channels[i % len(channels)], f"2024-0{1 + i % 6}-1{i % 9}"]
        for i, c in enumerate(comments)
    ]


def datasets() -> dict[str, tuple[list, list]]:
    """name -> (columns, rows) of Python values; every format that can hold a dataset gets a file."""
    d: dict[str, tuple[list, list]] = {}
    d["plain"] = (BASE_COLS, GOOD_ROWS)
    d["empty_comments"] = (BASE_COLS, _rows(["", "", "ok", ""]))
    d["no_comment_column"] = (["score", "channel"], [[9, "a"], [3, "b"], [10, "a"]])
    d["russian"] = (BASE_COLS, _rows(["Очень быстрый и вежливый сервис", "Плохо и медленно", "Нормально"]))
    d["chinese"] = (BASE_COLS, _rows(["服务很好，速度很快", "太慢了", "还可以"]))
    d["emoji_only"] = (BASE_COLS, _rows(["😀😀👍", "👎", "🙂"]))
    d["dashes_only"] = (BASE_COLS, _rows(["-", "...", "?", "ok", "x"]))
    d["formula_cells"] = (BASE_COLS, [[9, v, v, "2024-01-05"] for v in INJECT] + [[3, "slow", "=1+1", "2024-01-06"]])
    d["formula_headers"] = (
        ["score", "comment"] + INJECT[:4],
        [[9, "Great people", "a", "b", "c", "d"], [3, "slow service", "=1", "@2", "+3", "-4"]],
    )
    d["control_comments"] = (
        BASE_COLS,
        _rows(
            ["Great\x0b people \x1b[31mand\x07 fast\x0c service", "slow\x1b\x07", "nul\x00here", "del\x7f c1\x85 \x9b"]
        ),
    )
    d["control_headers"] = (["score", "comment", "chan\x0bnel\x1b\x07"], [[9, "Great people", "a"], [3, "slow", "b"]])
    d["escape_values"] = (
        BASE_COLS,
        _rows(["\x1b[31mred comment\x1b[0m", "\x1b]0;title\x07 slow"], channels=["\x1b[2Jchan", "\x1b[31mred"]),
    )
    d["markup_values"] = (
        BASE_COLS,
        _rows(
            ["[/x] great people", "[bold]slow[/bold]", "[link=http://x]ok[/link]"],
            channels=["[/x]", "[bold]y", "[red]z[/red]"],
        ),
    )
    d["odd_scores"] = (
        ["score", "comment"],
        [
            [s, "ok"]
            for s in [
                "1e1",
                "-0",
                "10,0",
                "NaN",
                "inf",
                "٣",
                "９",
                "6.99999",
                "9.9999",
                "7.0000001",
                " 9 ",
                "9.0",
                "9,0",
                "",
                "nine",
                "11",
                "-1",
                "7.5",
                "0x9",
                "1_0",
                "+9",
                "\u00a09",
                "1e309",
                "99999999999999999999",
            ]
        ]
        + [[9, "good"]],
    )
    d["pii"] = (
        BASE_COLS,
        _rows(
            [
                f"Very fast and friendly service! Invoice of 1 234,50 € from 12.3.2024; {PII}",
                f"Slow service, nobody answered. 12.3.2024; {PII}",
            ]
            * 8
        ),
    )
    d["email_column"] = (
        ["score", "comment", "email"],
        [[9, "Great people", "matti@example.com"], [3, "slow", "anna@example.org"]],
    )
    d["reason_column"] = (["score", "reason"], [[9, "Great people"], ["x", "bad"], [3, "slow"]])
    d["source_row_column"] = (["score", "comment", "source_row"], [[9, "Great", 1], [3, "slow", 2]])
    d["generated_names"] = (
        ["score", "comment", "category", "language", "themes", "status", "n_themes", "reject_reason"],
        [
            [9, "Great people", "a", "b", "c", "d", "e", "f"],
            ["x", "bad", 1, 2, 3, 4, 5, 6],
            [3, "slow", "a", "b", "c", "d", "e", "f"],
        ],
    )
    d["dates_out_of_range"] = (
        BASE_COLS,
        [
            [9, "Great people", "a", "1500-01-01"],
            [3, "slow", "b", "9999-12-31"],
            [8, "ok", "a", "2024-01-05"],
            [7, "fine", "b", "0001-01-01"],
        ],
    )
    d["dates_weird"] = (
        BASE_COLS,
        [
            [9, "Great", "a", "2024-01-05T10:00:00+02:00"],
            [3, "slow", "b", "5.1.2024"],
            [8, "ok", "a", "2024-13-45"],
            [7, "fine", "b", "someday"],
            [6, "meh", "a", ""],
        ],
    )
    d["long_unbroken_comment"] = (
        BASE_COLS,
        [[9, "Great people and very fast service " + "x" * 100_000, "a", "2024-01-05"], [3, "slow", "b", "2024-01-06"]],
    )
    d["long_words_comment"] = (
        BASE_COLS,
        [[9, "Great people and very fast service " * 2900, "a", "2024-01-05"], [3, "slow", "b", "2024-01-06"]],
    )
    d["surrogate"] = (BASE_COLS, [[9, "bad \ud800 text", "a", "2024-01-05"], [3, "slow", "b\udc00", "2024-01-06"]])
    d["mixed_types"] = (["score", "comment", "region"], [[9, "Great people", 1], [3, "slow", "north"], [8, "ok", None]])
    d["bytes_values"] = (
        ["score", "comment", "channel"],
        [[9, b"Great people and very fast service", b"\xff\xfe"], [3, "Hidas käsittely".encode(), b"x"]],
    )
    d["nested_values"] = (
        ["score", "comment", "channel"],
        [[9, ["Great people"], {"a": 1}], [3, {"t": "slow"}, ["b"]], [[9], "ok", None]],
    )
    d["bool_scores"] = (["score", "comment"], [[True, "yes"], [False, "no"], [9, "Great"]])
    d["duplicate_headers"] = (["score", "score", "comment", "comment"], [[9, 3, "Great", "slow"], [3, 9, "x", "y"]])
    d["all_rejected"] = (["score", "comment"], [["x", "a"], [11, "b"], ["", "c"]])
    d["single_row"] = (BASE_COLS, [[9, "Great people and very fast service", "phone", "2024-01-05"]])
    d["all_promoters"] = (BASE_COLS, _rows(["Great people"] * 5, scores=[10]))
    d["wide"] = (
        ["score", "comment"] + [f"c{i}" for i in range(300)],
        [[9, "Great people"] + [str(i) for i in range(300)], [3, "slow"] + ["x"] * 300],
    )
    d["newline_header"] = (["score", "comm\nent", "chan\r\nnel"], [[9, "Great people", "a"], [3, "slow", "b"]])
    d["multiline_cells"] = (BASE_COLS, _rows(["line one\nline two", "a\r\nb\rc", 'quote " inside', "semi;colon,comma"]))
    d["finnish_headers"] = (
        ["Vastaus ID", "Arvosana", "Perustelu", "Pvm", "Kanava"],
        [[1, 9, "Hyvä palvelu", "1.2.2026", "puhelin"], [2, 3, "Huono", "2.2.2026", "chat"]],
    )
    return d


RAW: dict[str, tuple[str, bytes, int | None]] = {
    # name -> (file name, bytes, expected rows)
    "ragged_comma": ("s.csv", b"score,comment\n9,0,Hyv\xc3\xa4 palvelu\n7,0,ok\n10,Loistavaa\n", 3),
    "ragged_semicolon": ("s.csv", "Arvosana;Perustelu\n9;0;Hyvä palvelu\n7;0;ok\n10;Loistavaa\n".encode(), 3),
    "ragged_later_row": ("s.csv", b"score,comment\n9,ok\n7,0,extra\n10,fine\n", 3),
    "fewer_fields": ("s.csv", b"score,comment,channel\n9,ok\n7\n10,fine,chat\n", 3),
    "finnish_excel_cp1252": (
        "s.csv",
        "Arvosana;Perustelu;Pvm\n9,0;Hyvä;1.2.2026\n3;Huono;2.2.2026\n".encode("cp1252"),
        2,
    ),
    "utf16_tsv": ("s.tsv", "score\tcomment\n9\tHyvä palvelu\n3\tslow\n".encode("utf-16"), 2),
    "utf16le_no_bom": ("s.csv", "score,comment\n9,ok\n3,slow\n".encode("utf-16-le"), 2),
    "bom_only": ("s.csv", b"\xef\xbb\xbf", None),
    "empty_csv": ("s.csv", b"", None),
    "empty_json": ("s.json", b"", None),
    "empty_jsonl": ("s.jsonl", b"", None),
    "empty_parquet": ("s.parquet", b"", None),
    "empty_xlsx": ("s.xlsx", b"", None),
    "header_only_csv": ("s.csv", b"score,comment\n", None),
    "blank_lines_only": ("s.csv", b"\n\n\n", None),
    "old_mac_cr": ("s.csv", b"score,comment\r9,ok\r3,slow\r", 2),
    "nul_within_4k": (
        "s.csv",
        b"score,comment\n9,Great\x00 people\n" + b"".join(f"{i % 11},fine {i}\n".encode() for i in range(300)),
        301,
    ),
    "nul_after_4k": (
        "s.csv",
        b"score,comment\n"
        + b"".join(f"{i % 11},fine comment {i}\n".encode() for i in range(300))
        + b"9,Great\x00 people\n",
        301,
    ),
    "binary_garbage": ("s.csv", bytes(range(256)) * 8, None),
    "unbalanced_quote": ("s.csv", b'score,comment\n9,"never closed\n3,slow\n', None),
    "json_deep": ("s.json", b"[" * 200_000 + b"]" * 200_000, None),
    "json_deep_value": ("s.json", b'[{"score": 9, "comment": ' + b"[" * 200_000 + b"]" * 200_000 + b"}]", None),
    "json_scalar": ("s.json", b"42", None),
    "json_non_records": ("s.json", b"[1, 2, 3]", None),
    "json_some_non_records": ("s.json", b'[{"score": 9}, 5, "x"]', None),
    "json_two_lists": ("s.json", b'{"a": [{"score": 9}], "b": [{"score": 3}]}', None),
    "json_object_records": ("s.json", b'{"meta": {"n": 2}, "responses": [{"score": 9}, {"score": 3}]}', 2),
    "json_empty_list": ("s.json", b"[]", None),
    "json_empty_records": ("s.json", b"[{}, {}]", None),
    "json_cp1252": ("s.json", '[{"score": 9, "comment": "Hyvä"}]'.encode("cp1252"), None),
    "json_nan_inf": (
        "s.json",
        b'[{"score": NaN, "comment": "a"}, {"score": Infinity, "comment": "b"}, {"score": 9, "comment": "c"}]',
        3,
    ),
    "json_huge_int": ("s.json", b'[{"score": ' + b"9" * 400 + b', "comment": "a"}, {"score": 9, "comment": "b"}]', 2),
    "jsonl_bad_line": ("s.jsonl", b'{"score": 9}\n{oops\n{"score": 3}\n', None),
    "jsonl_array_line": ("s.jsonl", b'{"score": 9}\n[1, 2]\n', None),
    "jsonl_cp1252": (
        "s.jsonl",
        '{"score": 9, "comment": "Hyvä palvelu"}\n{"score": 3, "comment": "Hidas"}\n'.encode("cp1252"),
        2,
    ),
    "jsonl_deep": ("s.jsonl", b'{"score": 9, "comment": ' + b"[" * 200_000 + b"]" * 200_000 + b"}\n", None),
    "jsonl_blank_lines": ("s.jsonl", b'\n{"score": 9}\n\n{"score": 3}\n\n', 2),
    "xlsx_not_zip": ("s.xlsx", b"this is not a workbook", None),
    "xlsx_broken_zip": ("s.xlsx", b"PK\x03\x04broken", None),
    "parquet_garbage": ("s.parquet", b"PAR1garbagePAR1", None),
    "unknown_extension": ("s.docx", b"score,comment\n9,ok\n", None),
    "xls_extension": ("s.xls", b"score,comment\n9,ok\n", None),
}


def _many_rows(n: int) -> bytes:
    import numpy as np

    rng = np.random.default_rng(0)
    comments = [
        "Great people and very fast service",
        "The portal is a nightmare",
        "",
        "Hidas käsittely",
        "Bra bemötande men dyrt",
        "ok",
        "Nobody answers the phone",
        "Asiantuntevaa apua",
    ]
    rows = [
        [
            int(rng.integers(0, 11)),
            comments[i % len(comments)],
            ["phone", "chat", "email"][i % 3],
            f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
        ]
        for i in range(n)
    ]
    return _csv_bytes(BASE_COLS, rows)


LABELLED = [
    ("Very fast service", "speed:positive"),
    ("Quick answers every time", "speed:positive"),
    ("Fast handling of my case", "speed:positive"),
    ("Speedy and quick reply", "speed:positive"),
    ("Slow service", "speed:negative"),
    ("It took far too long, slow", "speed:negative"),
    ("Very slow answers", "speed:negative"),
    ("Waiting forever, slow", "speed:negative"),
    ("Cheap and fair price", "price:positive"),
    ("Good price, cheap", "price:positive"),
    ("Affordable fees and a fair price", "price:positive"),
    ("Too expensive", "price:negative"),
    ("High fees, expensive", "price:negative"),
    ("The price is too high", "price:negative"),
    ("The portal is easy to use", "web:positive"),
    ("Great website and portal", "web:positive"),
    ("Nice web interface", "web:positive"),
    ("The portal is broken", "web:negative"),
    ("The website is a nightmare", "web:negative"),
    ("The web interface crashes", "web:negative"),
    ("Fast and cheap", "speed:positive;price:positive"),
    ("Slow and expensive", "speed:negative;price:negative"),
    ("Fast service but the portal is broken", "speed:positive;web:negative"),
    ("Thanks", ""),
]


def _labelled_csv(rows=LABELLED) -> bytes:
    return _csv_bytes(["text", "labels"], rows)


def _no_stale_rejects(d: Path, outs: list[str]) -> str | None:
    r = d / "R.csv"
    if r.exists() and len(r.read_bytes().decode("utf-8-sig").strip().splitlines()) > 1:
        return "R.csv still holds the first run's rejected rows after a run without rejects"
    return None


def _groups_unique(d: Path, outs: list[str]) -> str | None:
    try:
        groups = json.loads(outs[-1])["groups"]
    except (ValueError, KeyError):
        return "no groups in the JSON"
    values = [g.get("channel") for g in groups]
    return None if len(values) == len(set(values)) else f"groups repeated: {values}"


def _no_ragged_zero(d: Path, outs: list[str]) -> str | None:
    """`9,0,Hyvä palvelu` under `score,comment`: the 0 must not become the score (there is no detractor)."""
    try:
        data = json.loads(outs[-1])
    except ValueError:
        p = d / "rep" / "summary.json"
        data = json.loads(p.read_text(encoding="utf-8")) if p.exists() else None
    if data and data.get("detractors"):
        return f"a ragged row's second field was read as the score: {data['detractors']} detractors, NPS {data['nps']}"
    return None


def build_cases(model_dir: Path) -> list[Case]:
    cases: list[Case] = []
    ds = datasets()
    # what runs where: `nps --format json` on every dataset in every format that holds it (jsonl only where JSON
    # types matter); `analyze` on the CSV of every dataset and on the other formats of the datasets whose types
    # differ by format; `tag` and the grouped views on the datasets where they matter. About 13 min on 2 cores.
    jsonl_too = {
        "plain",
        "formula_cells",
        "control_comments",
        "surrogate",
        "mixed_types",
        "nested_values",
        "bool_scores",
        "odd_scores",
    }
    analyze_all_formats = {
        "formula_headers",
        "control_comments",
        "mixed_types",
        "nested_values",
        "bytes_values",
        "surrogate",
        "odd_scores",
        "dates_out_of_range",
    }
    tag_csv = {
        "plain",
        "empty_comments",
        "no_comment_column",
        "formula_cells",
        "formula_headers",
        "control_comments",
        "reason_column",
        "generated_names",
        "surrogate",
        "all_promoters",
        "dashes_only",
        "multiline_cells",
        "mixed_types",
        "nested_values",
        "bytes_values",
    }
    tag_other = {"plain", "mixed_types", "nested_values", "bytes_values", "formula_cells"}
    by_views = {
        "plain",
        "formula_cells",
        "markup_values",
        "escape_values",
        "control_headers",
        "chinese",
        "nested_values",
        "bytes_values",
    }
    period_views = {"plain", "dates_out_of_range", "dates_weird"}
    xlsx_default = {
        "plain",
        "formula_cells",
        "formula_headers",
        "control_comments",
        "control_headers",
        "odd_scores",
        "dates_out_of_range",
        "dates_weird",
        "newline_header",
        "finnish_headers",
        "duplicate_headers",
        "wide",
        "bool_scores",
        "all_rejected",
        "empty_comments",
        "no_comment_column",
    }
    parquet_default = jsonl_too | {
        "bytes_values",
        "dates_out_of_range",
        "formula_headers",
        "control_headers",
        "duplicate_headers",
        "reason_column",
    }
    for dname, (cols, rows) in ds.items():
        ch = next((c for c in cols if "chan" in str(c)), None)
        for fmt in ("csv", "xlsx", "json", "jsonl", "parquet"):
            data = realize(cols, rows, fmt)
            if data is None:
                continue
            f = f"survey.{fmt}"
            base = dict(files={f: data}, expected_rows=len(rows))
            extra = (
                (fmt == "xlsx" and dname not in xlsx_default)
                or (fmt in ("json", "jsonl") and dname not in jsonl_too)
                or (fmt == "parquet" and dname not in parquet_default)
            )
            cases.append(Case(f"{dname}/{fmt}/nps-json", [["nps", f, "--format", "json"]], full_only=extra, **base))
            if fmt == "csv" or (dname in analyze_all_formats and fmt != "jsonl"):
                cases.append(
                    Case(
                        f"{dname}/{fmt}/analyze",
                        [["analyze", f, "--out", "rep", "--rejects", "rej.csv"]],
                        full_only=fmt != "csv" and fmt != "parquet",
                        **base,
                    )
                )
            if dname in tag_csv and fmt in ("csv", "parquet") and (fmt == "csv" or dname in tag_other):
                cases.append(
                    Case(
                        f"{dname}/{fmt}/tag-csv",
                        [["tag", f, "--out", "tagged.csv"]],
                        tag_out="tagged.csv",
                        full_only=fmt != "csv",
                        **base,
                    )
                )
            if dname in tag_other and fmt == "json":
                for ext in ("parquet", "jsonl"):
                    cases.append(
                        Case(
                            f"{dname}/{fmt}/tag-{ext}",
                            [["tag", f, "--out", f"tagged.{ext}"]],
                            tag_out=f"tagged.{ext}",
                            full_only=dname != "mixed_types",
                            **base,
                        )
                    )
            if ch is not None and dname in by_views and fmt in ("csv", "parquet"):
                cases.append(
                    Case(
                        f"{dname}/{fmt}/nps-by-csv",
                        [["nps", f, "--by", ch, "--format", "csv"]],
                        full_only=fmt != "csv",
                        **base,
                    )
                )
                if fmt == "csv":
                    cases.append(Case(f"{dname}/{fmt}/nps-by-table", [["nps", f, "--by", ch]], **base))
            if dname in period_views and fmt in ("csv", "parquet"):
                cases.append(
                    Case(f"{dname}/{fmt}/nps-period", [["nps", f, "--period", "month"]], full_only=fmt != "csv", **base)
                )
    raw_analyze = {
        "ragged_comma",
        "ragged_semicolon",
        "fewer_fields",
        "finnish_excel_cp1252",
        "utf16_tsv",
        "old_mac_cr",
        "nul_within_4k",
        "nul_after_4k",
        "json_object_records",
        "json_nan_inf",
        "jsonl_cp1252",
        "jsonl_blank_lines",
        "json_deep",
        "xlsx_broken_zip",
        "empty_csv",
    }
    raw_analyze_default = {
        "ragged_comma",
        "finnish_excel_cp1252",
        "utf16_tsv",
        "nul_within_4k",
        "nul_after_4k",
        "jsonl_cp1252",
        "json_deep",
        "old_mac_cr",
    }
    raw_tag = {"ragged_comma", "fewer_fields", "nul_after_4k", "jsonl_cp1252"}
    for rname, (fname, data, n) in RAW.items():
        base = dict(
            files={fname: data},
            expected_rows=n,
            check=_no_ragged_zero if rname in ("ragged_comma", "ragged_semicolon") else None,
        )
        cases.append(Case(f"raw/{rname}/nps-json", [["nps", fname, "--format", "json"]], **base))
        if rname in raw_analyze:
            cases.append(
                Case(
                    f"raw/{rname}/analyze",
                    [["analyze", fname, "--out", "rep"]],
                    full_only=rname not in raw_analyze_default,
                    **base,
                )
            )
        if rname in raw_tag:
            cases.append(
                Case(
                    f"raw/{rname}/tag-csv",
                    [["tag", fname, "--out", "tagged.csv"]],
                    tag_out="tagged.csv",
                    full_only=rname not in ("ragged_comma", "nul_after_4k"),
                    **base,
                )
            )

    many = _many_rows(20_000)
    cases += [
        Case(
            "big/20000-rows/nps-by-period",
            [["nps", "s.csv", "--by", "channel", "--period", "week", "--format", "json"]],
            files={"s.csv": many},
            expected_rows=20_000,
        ),
        Case(
            "big/20000-rows/analyze",
            [["analyze", "s.csv", "--out", "rep"]],
            files={"s.csv": many},
            expected_rows=20_000,
        ),
        Case(
            "big/20000-rows/tag",
            [["tag", "s.csv", "--out", "t.csv"]],
            files={"s.csv": many},
            expected_rows=20_000,
            tag_out="t.csv",
        ),
    ]

    good = realize(BASE_COLS, GOOD_ROWS + [["x", "bad row", "chat", "2024-01-01"]], "csv")
    gf = {"s.csv": good}
    # output over input
    cases += [
        Case("overwrite/tag-out-is-input", [["tag", "s.csv", "--out", "s.csv"]], files=gf),
        Case("overwrite/tag-out-dotted", [["tag", "s.csv", "--out", "sub/../s.csv"]], files={**gf, "sub/.keep": b""}),
        Case("overwrite/nps-rejects-is-input", [["nps", "s.csv", "--rejects", "s.csv"]], files=gf),
        Case("overwrite/tag-rejects-is-input", [["tag", "s.csv", "--out", "t.csv", "--rejects", "s.csv"]], files=gf),
        Case(
            "overwrite/analyze-rejects-is-input", [["analyze", "s.csv", "--rejects", "s.csv", "--out", "rep"]], files=gf
        ),
        Case(
            "overwrite/analyze-out-holds-input",
            [["analyze", "rep/responses.csv", "--out", "rep"]],
            files={"rep/responses.csv": good},
        ),
        Case(
            "overwrite/analyze-out-holds-xlsx-input",
            [["analyze", "rep/report.xlsx", "--out", "rep"]],
            files={"rep/report.xlsx": realize(BASE_COLS, GOOD_ROWS, "xlsx")},
        ),
        Case("overwrite/analyze-out-is-input-file", [["analyze", "s.csv", "--out", "s.csv"]], files=gf),
        Case("overwrite/tag-out-symlink-to-input", [["tag", "s.csv", "--out", "link.csv"]], files=gf),  # link below
        Case("overwrite/tag-out-is-directory", [["tag", "s.csv", "--out", "adir"]], files={**gf, "adir/x": b"keep"}),
        Case("overwrite/analyze-out-under-file", [["analyze", "s.csv", "--out", "s.csv/rep"]], files=gf),
        Case(
            "stale/analyze-rejects-twice",
            check=_no_stale_rejects,
            steps=[
                ["analyze", "bad.csv", "--rejects", "R.csv", "--out", "rep"],
                ["analyze", "clean.csv", "--rejects", "R.csv", "--out", "rep"],
            ],
            files={"bad.csv": good, "clean.csv": realize(BASE_COLS, GOOD_ROWS, "csv")},
        ),
        Case(
            "stale/nps-rejects-twice",
            check=_no_stale_rejects,
            steps=[["nps", "bad.csv", "--rejects", "R.csv"], ["nps", "clean.csv", "--rejects", "R.csv"]],
            files={"bad.csv": good, "clean.csv": realize(BASE_COLS, GOOD_ROWS, "csv")},
        ),
    ]
    # terminal: markup and escapes in paths, environments
    cases += [
        Case("terminal/path-closing-tag", [["nps", "a[/x]b.csv"]], files={"a[/x]b.csv": good}),
        Case("terminal/path-brackets", [["nps", "name [final].csv"]], files={"name [final].csv": good}),
        Case("terminal/path-bold", [["analyze", "bold[bold]x.csv", "--out", "rep"]], files={"bold[bold]x.csv": good}),
        Case("terminal/path-escape", [["nps", "esc\x1b[31m.csv"]], files={"esc\x1b[31m.csv": good}),
        Case("terminal/missing-path-escape", [["nps", "missing\x1b[2J.csv"]]),
        Case("terminal/missing-path-markup", [["nps", "missing[/x].csv"]]),
        Case(
            "terminal/cp1252-stdout",
            [["nps", "s.csv", "--by", "channel"]],
            files={"s.csv": realize(BASE_COLS, _rows(["a", "b"], channels=["中文", "Hyvä"]), "csv")},
            env={"PYTHONIOENCODING": "cp1252"},
        ),
        Case(
            "terminal/ascii-stdout", [["analyze", "s.csv", "--out", "rep"]], files=gf, env={"PYTHONIOENCODING": "ascii"}
        ),
        Case(
            "terminal/lang-c",
            [["nps", "s.csv", "--by", "channel"]],
            files={"s.csv": realize(BASE_COLS, _rows(["a", "b"], channels=["中文", "Hyvä"]), "csv")},
            env={"LANG": "C", "LC_ALL": "C"},
        ),
    ]
    # usage and option errors
    cases += [
        Case("usage/no-file", [["nps"]]),
        Case("usage/file-and-sample", [["nps", "s.csv", "--sample"]], files=gf),
        Case("usage/bad-option", [["analyze", "s.csv", "--bogus"]], files=gf),
        Case("usage/bad-period", [["nps", "s.csv", "--period", "decade"]], files=gf),
        Case(
            "usage/by-twice",
            [["nps", "s.csv", "--by", "channel", "--by", "channel", "--format", "json"]],
            files=gf,
            expected_rows=7,
            check=_groups_unique,
        ),
        Case(
            "usage/analyze-by-twice",
            [["analyze", "s.csv", "--by", "channel", "--by", "channel", "--out", "rep"]],
            files=gf,
            expected_rows=7,
        ),
        Case("usage/by-unknown", [["nps", "s.csv", "--by", "nope"]], files=gf),
        Case(
            "usage/period-no-date",
            [["nps", "s.csv", "--period", "month"]],
            files={"s.csv": b"score,comment\n9,a\n3,b\n"},
        ),
        Case("usage/score-column-is-comment", [["nps", "s.csv", "--score-column", "comment"]], files=gf),
        Case(
            "usage/same-column-twice",
            [["nps", "s.csv", "--score-column", "score", "--comment-column", "score"]],
            files=gf,
        ),
        Case(
            "usage/sheet-missing",
            [["nps", "s.xlsx", "--sheet", "Nope"]],
            files={"s.xlsx": realize(BASE_COLS, GOOD_ROWS, "xlsx")},
        ),
        Case("usage/input-is-directory", [["nps", "adir.csv"]], files={"adir.csv/x": b""}),
        Case("usage/dev-null", [["nps", "/dev/null"]]),
        Case("usage/sample-analyze", [["analyze", "--sample", "--out", "rep"]], expected_rows=801),
        Case(
            "usage/ci-bootstrap-one-row",
            [["nps", "s.csv", "--ci", "bootstrap", "--period", "week"]],
            files={"s.csv": b"score,comment,date\n9,a,2024-01-01\n"},
        ),
        Case("usage/tag-unknown-extension", [["tag", "s.csv", "--out", "t.xlsx"]], files=gf),
    ]

    # models
    def manifest_case(name, patch, cmd="analyze"):
        m = json.loads((model_dir / "manifest.json").read_text())
        if callable(patch):
            text = patch(m)
        else:
            m.update(patch)
            text = json.dumps(m)
        steps = [["analyze", "s.csv", "--model", "m", "--out", "rep"]] if cmd == "analyze" else [["inspect", "m"]]
        return Case(
            f"model/{name}/{cmd}", steps, files={**gf, "m/manifest.json": text.encode()}, copy_dirs={"m": model_dir}
        )

    def add_file(listed, info):
        def p(m):
            m["files"][listed] = info
            return json.dumps(m)

        return p

    for cmd in ("analyze", "inspect"):
        cases += [
            manifest_case("lists-dev-zero", add_file("/dev/zero", {"sha256": "0" * 64, "bytes": 0}), cmd),
            manifest_case("lists-dev-zero-no-size", add_file("/dev/zero", {"sha256": "0" * 64}), cmd),
            manifest_case("lists-etc-passwd", add_file("../" * 30 + "etc/passwd", {"sha256": "0" * 64}), cmd),
            manifest_case("thresholds-text", {"thresholds": {"speed": "x"}}, cmd),
            manifest_case("file-entry-text", {"files": {"model.joblib": "abc"}}, cmd),
            manifest_case("file-entry-empty", {"files": {"model.joblib": {}}}, cmd),
            manifest_case("files-list", {"files": []}, cmd),
            manifest_case("metrics-empty", {"metrics": {"heldout": {}}}, cmd),
            manifest_case("versions-text", {"versions": "x"}, cmd),
            manifest_case("taxonomy-int", {"taxonomy": 5}, cmd),
            manifest_case("format-version-text", {"format_version": "one"}, cmd),
            manifest_case("deep-json", lambda m: "[" * 100_000 + "]" * 100_000, cmd),
            manifest_case("not-json", lambda m: "{oops", cmd),
            manifest_case("list-json", lambda m: "[1, 2]", cmd),
        ]
    cases += [
        Case("model/missing-dir/analyze", [["analyze", "s.csv", "--model", "nope", "--out", "rep"]], files=gf),
        Case("model/file-not-dir/analyze", [["analyze", "s.csv", "--model", "s.csv", "--out", "rep"]], files=gf),
        Case(
            "model/truncated-joblib/analyze",
            [["analyze", "s.csv", "--model", "m", "--out", "rep"]],
            files={**gf, "m/model.joblib": b"\x80\x04trunc"},
            copy_dirs={"m": model_dir},
        ),
        Case("model/inspect-default", [["inspect"]]),
        Case("model/inspect-json", [["inspect", "m", "--format", "json"]], copy_dirs={"m": model_dir}),
    ]
    # training and evaluation
    lab = _labelled_csv()
    tax = {"name": "t", "version": "1", "themes": [{"id": "speed"}, {"id": "price"}, {"id": "web"}]}

    def tax_with(first):
        t = json.loads(json.dumps(tax))
        t["themes"][0] = first
        return json.dumps(t).encode()

    cases += [
        Case("train/ok", [["train", "l.csv", "--out", "m"]], files={"l.csv": lab}),
        Case(
            "train/retrain-existing-model",
            [["train", "l.csv", "--out", "m"]],
            files={"l.csv": lab},
            copy_dirs={"m": model_dir},
            mutable=("m/",),
        ),
        Case(
            "train/out-dir-with-unrelated-files",
            [["train", "l.csv", "--out", "proj"]],
            files={"l.csv": lab, "proj/notes.txt": b"keep me", "proj/data/x.csv": b"keep"},
        ),
        Case(
            "train/out-regular-file",
            [["train", "l.csv", "--out", "model.bin"]],
            files={"l.csv": lab, "model.bin": b"keep me"},
        ),
        Case(
            "train/out-under-regular-file",
            [["train", "l.csv", "--out", "afile/model"]],
            files={"l.csv": lab, "afile": b"keep"},
        ),
        Case("train/out-is-input", [["train", "l.csv", "--out", "l.csv"]], files={"l.csv": lab}),
        Case(
            "train/tiny-vocabulary",
            [["train", "l.csv", "--out", "m"]],
            files={
                "l.csv": _labelled_csv(
                    [
                        ("Fast service", "speed:positive"),
                        ("Slow", "speed:negative"),
                        ("Cheap", "price:positive"),
                        ("Expensive", "price:negative"),
                    ]
                )
            },
        ),
        Case(
            "train/one-theme-one-polarity",
            [["train", "l.csv", "--out", "m"]],
            files={"l.csv": _labelled_csv([(f"Very fast service number {i}", "speed:positive") for i in range(12)])},
        ),
        Case(
            "train/no-labels",
            [["train", "l.csv", "--out", "m"]],
            files={"l.csv": _labelled_csv([(f"Comment number {i}", "") for i in range(12)])},
        ),
        Case(
            "train/bad-labels",
            [["train", "l.csv", "--out", "m"]],
            files={"l.csv": _labelled_csv(LABELLED + [("x", "speed"), ("y", "speed:great"), ("", "speed:positive")])},
        ),
        Case(
            "train/unknown-language",
            [["train", "l.csv", "--out", "m"]],
            files={"l.csv": _csv_bytes(["text", "labels", "language"], [(t, lb, "xx") for t, lb in LABELLED])},
        ),
        Case(
            "train/split-column",
            [["train", "l.csv", "--out", "m"]],
            files={
                "l.csv": _csv_bytes(
                    ["text", "labels", "split"],
                    [(t, lb, "test" if i % 4 == 0 else "train") for i, (t, lb) in enumerate(LABELLED)],
                )
            },
        ),
        Case(
            "train/bad-split-values",
            [["train", "l.csv", "--out", "m"]],
            files={"l.csv": _csv_bytes(["text", "labels", "split"], [(t, lb, "maybe") for t, lb in LABELLED])},
        ),
        Case(
            "train/jsonl-input",
            [["train", "l.jsonl", "--out", "m"]],
            files={"l.jsonl": "".join(json.dumps({"text": t, "labels": lb}) + "\n" for t, lb in LABELLED).encode()},
        ),
        Case(
            "train/json-labels-as-lists",
            [["train", "l.json", "--out", "m"]],
            files={
                "l.json": json.dumps(
                    [{"text": t, "labels": [p for p in lb.split(";") if p]} for t, lb in LABELLED]
                ).encode()
            },
        ),
        Case(
            "train/heldout-unknown-theme",
            [["train", "l.csv", "--heldout", "h.csv", "--out", "m"]],
            files={"l.csv": lab, "h.csv": _labelled_csv([("The price is fine", "pricing:positive")])},
        ),
        Case(
            "train/missing-embedding-model",
            [["train", "l.csv", "--out", "m", "--embedding-model", "nope"]],
            files={"l.csv": lab},
        ),
        Case(
            "train/taxonomy-int-label",
            [
                ["train", "l.csv", "--taxonomy", "t.json", "--out", "m"],
                ["analyze", "s.csv", "--model", "m", "--out", "rep"],
            ],
            files={"l.csv": lab, "t.json": tax_with({"id": "speed", "labels": {"en": 5}}), **gf},
        ),
        Case(
            "train/taxonomy-labels-int",
            [["train", "l.csv", "--taxonomy", "t.json", "--out", "m"]],
            files={"l.csv": lab, "t.json": tax_with({"id": "speed", "labels": 5})},
        ),
        Case(
            "train/taxonomy-labels-list",
            [["train", "l.csv", "--taxonomy", "t.json", "--out", "m"]],
            files={"l.csv": lab, "t.json": tax_with({"id": "speed", "labels": ["Speed"]})},
        ),
        Case(
            "train/taxonomy-examples-int",
            [["train", "l.csv", "--taxonomy", "t.json", "--out", "m"]],
            files={"l.csv": lab, "t.json": tax_with({"id": "speed", "examples": 5})},
        ),
        Case(
            "train/taxonomy-id-int",
            [["train", "l.csv", "--taxonomy", "t.json", "--out", "m"]],
            files={"l.csv": lab, "t.json": tax_with({"id": 5})},
        ),
        Case(
            "train/taxonomy-deep",
            [["train", "l.csv", "--taxonomy", "t.json", "--out", "m"]],
            files={"l.csv": lab, "t.json": b'{"themes": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"},
        ),
        Case(
            "train/taxonomy-polarities-text",
            [["train", "l.csv", "--taxonomy", "t.json", "--out", "m"]],
            files={"l.csv": lab, "t.json": json.dumps({**tax, "polarities": "positive"}).encode()},
        ),
        Case(
            "evaluate/ok-json",
            [["evaluate", "l.csv", "--model", "m", "--format", "json"]],
            files={"l.csv": lab},
            copy_dirs={"m": model_dir},
        ),
        Case("evaluate/default-model-other-themes", [["evaluate", "l.csv"]], files={"l.csv": lab}),
        Case(
            "evaluate/cv5-one-row",
            [["evaluate", "l.csv", "--cv", "5"]],
            files={"l.csv": _labelled_csv([("Very fast service", "speed:positive")])},
        ),
        Case("evaluate/cv2-small", [["evaluate", "l.csv", "--cv", "2"]], files={"l.csv": _labelled_csv(LABELLED[:6])}),
        Case(
            "evaluate/cv3",
            [["evaluate", "l.csv", "--cv", "3", "--model", "m", "--format", "json"]],
            files={"l.csv": lab},
            copy_dirs={"m": model_dir},
        ),
        Case("evaluate/no-labels-column", [["evaluate", "l.csv"]], files={"l.csv": b"text\nfast\n"}),
        Case("evaluate/empty-file", [["evaluate", "l.csv"]], files={"l.csv": b""}),
    ]
    return cases


# ------------------------------------------------------------------------------------------------ running


@dataclass
class Result:
    case: Case
    klass: str
    detail: str
    last_err: str
    seconds: float
    command: str


def _shown(args: list[str]) -> str:
    return "npsthemes " + " ".join(repr(a) if (not a or re.search(r"[\s\x00-\x1f\[\]]", a)) else a for a in args)


def _unguarded_csv(text: str) -> list[str]:
    bad = []
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return bad
    for i, row in enumerate(rows):
        for cell in row:
            if cell.startswith(RISKY) and (i == 0 or not PLAIN_NUMBER.match(cell.strip())):
                bad.append(cell)
    return bad


def _unguarded_xlsx(path: Path) -> list[str]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path)
    except Exception as exc:  # a workbook the run wrote but that does not open is unsafe too
        return [f"does not open: {type(exc).__name__}: {exc}"]
    bad = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    bad.append(f"{ws.title}!{c.coordinate} live formula {str(c.value)[:40]!r}")
                elif isinstance(c.value, str) and c.value.startswith(RISKY) and not c.quotePrefix:
                    bad.append(f"{ws.title}!{c.coordinate} {c.value[:40]!r}")
    return bad


def _snapshot(d: Path) -> dict[str, tuple[float, bytes]]:
    out = {}
    for p in d.rglob("*"):
        if p.is_file() and not p.is_symlink():
            out[str(p.relative_to(d))] = (p.stat().st_mtime_ns, p.read_bytes())
    return out


def _output_rows(path: Path) -> int | None:
    import pandas as pd

    try:
        if path.suffix == ".csv":
            return len(pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False))
        if path.suffix == ".parquet":
            return len(pd.read_parquet(path))
        if path.suffix == ".jsonl":
            return sum(1 for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip())
    except Exception:
        return -1
    return None


def _error_lines(err: str) -> list[str]:
    return [
        ln
        for ln in err.split("\n")
        if ln.strip() and not (ln.rstrip().endswith(" ...") and not ln.startswith(("Error", "warning")))
    ]


def run_case(case: Case, root: Path, timeout: int) -> Result:
    d = root / re.sub(r"[^A-Za-z0-9_.-]+", "_", case.name)
    d.mkdir(parents=True)
    for rel, src in case.copy_dirs.items():
        shutil.copytree(src, d / rel)
    for rel, data in case.files.items():
        p = d / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    if case.name == "overwrite/tag-out-symlink-to-input":
        os.symlink("s.csv", d / "link.csv")
    before = _snapshot(d)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("COLUMNS", None)
    env.update(case.env)
    t0 = time.time()
    outs, errs, codes = [], [], []
    hang = False
    for args in case.steps:
        p = subprocess.Popen(
            [sys.executable, "-m", "npsthemes", *args],
            cwd=d,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            o, e = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            o, e = p.communicate()
            hang = True
        outs.append(o.decode("utf-8", "replace"))
        errs.append(e.decode("utf-8", "replace"))
        codes.append(p.returncode)
        if hang:
            break
    seconds = time.time() - t0
    command = " && ".join(_shown(a) for a in case.steps)
    err_all = "\n".join(errs)
    last = next((ln for ln in reversed(err_all.strip().split("\n")) if ln.strip()), "")

    def res(k, detail=""):
        return Result(case, k, detail, last, seconds, command)

    if hang:
        return res("hang", f"still running after {timeout} s")
    if "Traceback" in err_all or "Exception ignored" in err_all:
        return res("traceback")
    # unsafe output: inputs changed, formulas in what the run wrote, raw ESC on the terminal
    after = _snapshot(d)
    for rel, (_, data) in before.items():
        if any(rel.startswith(m) for m in case.mutable):
            continue
        if rel not in after or after[rel][1] != data:
            return res("unsafe output", f"input {rel} was {'removed' if rel not in after else 'overwritten'}")
    for rel, (mtime, data) in after.items():
        if rel in before and before[rel][0] == mtime:
            continue
        p = d / rel
        if p.suffix == ".xlsx":
            bad = _unguarded_xlsx(p)
        elif p.suffix == ".csv":
            bad = _unguarded_csv(data.decode("utf-8-sig", "replace"))
        else:
            bad = []
        if bad:
            return res("unsafe output", f"{rel}: {bad[0]}" + (f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""))
    for args, o in zip(case.steps, outs):
        if "--format" in args and args[args.index("--format") + 1] == "csv":
            bad = _unguarded_csv(o)
            if bad:
                return res("unsafe output", f"stdout CSV: {bad[0]!r}")
    if "\x1b" in "".join(outs) + err_all:
        return res("unsafe output", "raw ESC byte on the terminal")
    code = codes[-1]
    args = case.steps[-1]
    if any(c not in (0, 1, 2) for c in codes):
        return res("crash", f"exit codes {codes}")
    if code == 0:
        # row accounting
        for m in SUMMARY_LINE.finditer(errs[-1]):
            r, a, j = map(int, m.groups())
            if r != a + j:
                return res("accounting broken", f"stderr: {m.group(0)}")
            if case.expected_rows is not None and r != case.expected_rows:
                return res("accounting broken", f"{case.expected_rows} records in the input, {m.group(0)}")
        data = None
        if args[0] == "nps" and "json" in args:
            try:
                data = json.loads(outs[-1])
            except ValueError:
                return res("accounting broken", "stdout is not the JSON asked for")
        elif args[0] == "analyze" and (d / "rep" / "summary.json").exists():
            data = json.loads((d / "rep" / "summary.json").read_text(encoding="utf-8"))
        if data is not None and "rows_read" in data:
            if data["rows_read"] != data["n"] + data["rows_rejected"]:
                return res(
                    "accounting broken",
                    f"rows_read {data['rows_read']} != n {data['n']} + rejected {data['rows_rejected']}",
                )
            if case.expected_rows is not None and data["rows_read"] != case.expected_rows:
                return res(
                    "accounting broken", f"{case.expected_rows} records in the input, rows_read {data['rows_read']}"
                )
        if case.tag_out and case.expected_rows is not None:
            n = _output_rows(d / case.tag_out)
            if n != case.expected_rows:
                return res("accounting broken", f"{case.expected_rows} input rows, {n} rows in {case.tag_out}")
        if case.check is not None:
            problem = case.check(d, outs)
            if problem:
                return res("accounting broken", problem)
        if any(c != 0 for c in codes[:-1]):
            return res("clean error", f"an earlier step exited {codes}")
        return res("ok")
    if code == 2:
        return res("clean error", "usage error (exit 2)")
    lines = _error_lines(errs[-1])
    if len(lines) == 1 and lines[0].startswith("Error:"):
        return res("clean error")
    return res(
        "messy error",
        f"{len(lines)} stderr lines"
        + ("" if lines and lines[0].startswith("Error:") else ", first is not 'Error: ...'"),
    )


def _versions() -> str:
    out = []
    for dist in ("pandas", "numpy", "scikit-learn", "pyarrow", "openpyxl", "rich", "click"):
        try:
            out.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            out.append(f"{dist} not installed")
    return ", ".join(out)


def train_tiny_model(root: Path) -> Path:
    """A 3-theme model trained once (in a subprocess, like every case) for the model and evaluate cases."""
    lab = root / "_labelled.csv"
    lab.write_bytes(_labelled_csv())
    out = root / "_tiny_model"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    p = subprocess.run(
        [sys.executable, "-m", "npsthemes", "train", str(lab), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if p.returncode != 0:
        sys.exit(f"could not train the tiny model for the matrix: {p.stderr[-2000:]}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="run only the cases whose name matches this regular expression")
    ap.add_argument("--jobs", type=int, default=2, help="cases run at the same time (default 2)")
    ap.add_argument("--timeout", type=int, default=120, help="seconds before a run counts as a hang (default 120)")
    ap.add_argument(
        "--full",
        action="store_true",
        help="also every other format of the same dataset and command "
        "(~400 cases, ~23 min on 2 cores; the default set is ~270, ~14 min)",
    )
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (printed)")
    opts = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="npsthemes-hostile-"))
    try:
        print(f"machine: {machine()}")
        print(f"versions: Python {platform.python_version()}, {_versions()}")
        print(f"npsthemes under test: {SRC}")
        model_dir = train_tiny_model(tmp) if not opts.list else tmp / "_tiny_model"
        if opts.list:
            model_dir.mkdir()
            (model_dir / "manifest.json").write_text('{"files": {}}')
        cases = build_cases(model_dir)
        names = [c.name for c in cases]
        dup = {n for n in names if names.count(n) > 1}
        assert not dup, f"duplicate case names: {sorted(dup)}"
        if not opts.full:
            cases = [c for c in cases if not c.full_only]
        if opts.only:
            rx = re.compile(opts.only)
            cases = [c for c in cases if rx.search(c.name)]
        if opts.list:
            for c in cases:
                print(f"{c.name}: " + " && ".join(_shown(a) for a in c.steps))
            print(f"{len(cases)} cases")
            return 0
        print(f"{len(cases)} cases, {opts.jobs} at a time, timeout {opts.timeout} s")
        t0 = time.time()
        results: list[Result] = []
        with ThreadPoolExecutor(max_workers=opts.jobs) as pool:
            futures = {pool.submit(run_case, c, tmp / "cases", opts.timeout): c for c in cases}
            for k, fut in enumerate(as_completed(futures), 1):
                r = fut.result()
                results.append(r)
                if r.klass in FAILING or k % 25 == 0:
                    print(f"  [{k}/{len(cases)} {time.time() - t0:.0f} s] {r.klass}: {r.case.name}", flush=True)
        wall = time.time() - t0
        results.sort(key=lambda r: (CLASSES.index(r.klass), r.case.name))
        print()
        for klass in CLASSES:
            group = [r for r in results if r.klass == klass]
            if not group or klass == "ok":
                continue
            print(f"== {klass} ({len(group)})")
            for r in group:
                print(f"  {r.case.name}  [{r.seconds:.1f} s]{'  ' + r.detail if r.detail else ''}")
                print(f"    $ {r.command[:400]}")
                print(
                    f"    {r.last_err[:300]!r}"
                    if re.search(r"[\x00-\x1f\x7f]", r.last_err)
                    else f"    {r.last_err[:300]}"
                )
            print()
        counts = {k: sum(r.klass == k for r in results) for k in CLASSES}
        print("counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        print(f"{len(results)} cases in {wall:.0f} s ({opts.jobs} at a time)")
        bad = sum(counts[k] for k in FAILING)
        print(
            "FAIL: " + ", ".join(f"{counts[k]} {k}" for k in CLASSES if k in FAILING and counts[k])
            if bad
            else "no traceback, hang, unsafe output or broken accounting"
        )
        return 1 if bad else 0
    finally:
        if opts.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
