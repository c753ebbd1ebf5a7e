"""Hostile inputs: the reproductions of the hostile-input issue as tests, one per item (``test_<item>_...``), plus
crashes found while writing this layer (``test_x_...``).

The promise under test (README): every row is accounted for (rows read = accepted + rejected); bad input gives one
clear line (file, row, column, expected, received) and exit 1, usage errors exit 2; never a traceback, never a
hang; outputs are atomic and never overwrite an input; spreadsheet/CSV cells and headers are guarded against
formula injection; control characters do not crash writers; personal data in quotes is masked.

Everything runs the command line in-process through ``npsthemes.cli.main`` (the ``run`` fixture: an exception that
escapes ``main`` is a traceback for the user and fails the test with its last line; a SIGALRM guard turns a hang
into a failure), and the cases that can hang the process, plus one plain check for the word "Traceback", run
``python -m npsthemes`` in a subprocess with a timeout. Nothing here is skipped or xfailed to hide a failure.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from cli_harness import run_cli  # noqa: E402

import npsthemes

SRC = Path(npsthemes.__file__).resolve().parents[1]  # the npsthemes under test, also for subprocesses
RISKY = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
GOOD = (
    "score,comment,channel\n9,Great people and very fast service,phone\n3,Slow invoices and nobody answers,chat\n"
    "10,Excellent help from a competent person,phone\nx,bad row,chat\n"
)


# ------------------------------------------------------------ helpers


@pytest.fixture
def run():
    """``run(args, timeout=120) -> (code, out, err)``: the CLI in-process (see ``cli_harness.run_cli``)."""
    return run_cli


def run_sub(args, timeout: int = 60, env: dict | None = None, cwd: Path | None = None):
    """``python -m npsthemes ARGS`` in a subprocess; a timeout fails the test as a hang."""
    e = dict(os.environ)
    e["PYTHONPATH"] = str(SRC) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e.update(env or {})
    args = [str(a) for a in args]
    try:
        p = subprocess.run(
            [sys.executable, "-m", "npsthemes", *args],
            capture_output=True,
            timeout=timeout,
            env=e,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"hang: `npsthemes {' '.join(args)}` still running after {timeout} s")
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if "Traceback" in err:
        last = [ln for ln in err.strip().split("\n") if ln.strip()][-1]
        pytest.fail(f"traceback: {last}\n  from `npsthemes {' '.join(args)}` (subprocess)\n{err[-3000:]}")
    return p.returncode, out, err


def _is_progress(line: str) -> bool:
    return line.rstrip().endswith(" ...") and not line.startswith(("Error", "warning"))


def error_lines(err: str) -> list[str]:
    """stderr without progress lines and without the model's library-version warning (which appears where the
    installed spaCy or simplemma differ from the model's, as in CI's lowest-versions run)."""
    return [
        ln
        for ln in err.splitlines()
        if ln.strip() and not _is_progress(ln) and not (ln.startswith("warning: ") and "model was built with" in ln)
    ]


def assert_clean_error(code: int, err: str, *, codes=(1,), names=()):
    """Exit code in ``codes``; for exit 1 exactly one stderr line (progress lines aside), starting with 'Error:' and
    naming each of ``names``; never a traceback."""
    assert "Traceback" not in err, err[-2000:]
    assert code in codes, f"exit code {code}, expected one of {codes}; stderr:\n{err[-1500:]}"
    if code == 1:
        lines = error_lines(err)
        assert len(lines) == 1, f"expected one error line, got {len(lines)}:\n" + "\n".join(lines[:20])
        assert lines[0].startswith("Error:"), lines[0]
        for n in names:
            assert str(n) in lines[0], f"{n!r} not named in: {lines[0]}"
    elif code == 2:
        assert "Error" in err, err


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def read_csv_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def unguarded_csv_cells(rows: list[list[str]]) -> list[str]:
    """Header cells and text cells that a spreadsheet would run as a formula (plain numbers are numbers)."""
    bad = []
    for i, row in enumerate(rows):
        for cell in row:
            if cell.startswith(RISKY) and (i == 0 or not PLAIN_NUMBER.match(cell.strip())):
                bad.append(cell)
    return bad


def unguarded_xlsx_cells(path: Path) -> list[str]:
    """Cells of every sheet that are live formulas, or text starting with = + - @ tab CR without quotePrefix or a
    leading apostrophe."""
    from openpyxl import load_workbook

    wb = load_workbook(path)  # data_only=False: formulas stay formulas (data_type 'f')
    bad = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    bad.append(f"{ws.title}!{c.coordinate}: live formula {c.value!r}")
                elif isinstance(c.value, str) and c.value.startswith(RISKY) and not c.quotePrefix:
                    bad.append(f"{ws.title}!{c.coordinate}: unguarded text {c.value!r}")
    return bad


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def summary_of(out_dir: Path) -> dict:
    return json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))


def assert_accounting(d: dict):
    n = d.get("n")
    assert d["rows_read"] == n + d["rows_rejected"], d


LABELLED_ROWS = [
    ("Very fast service", "speed:positive"),
    ("Quick answers every time", "speed:positive"),
    ("Fast handling of my case", "speed:positive"),
    ("Speedy and quick reply", "speed:positive"),
    ("They were fast and quick", "speed:positive"),
    ("Slow service", "speed:negative"),
    ("It took far too long, slow", "speed:negative"),
    ("Very slow answers", "speed:negative"),
    ("Waiting forever, slow", "speed:negative"),
    ("Slow handling of the case", "speed:negative"),
    ("Cheap and fair price", "price:positive"),
    ("Good price, cheap", "price:positive"),
    ("Affordable fees and a fair price", "price:positive"),
    ("Low fees, cheap service", "price:positive"),
    ("Too expensive", "price:negative"),
    ("High fees, expensive", "price:negative"),
    ("The price is too high", "price:negative"),
    ("Expensive fees", "price:negative"),
    ("The portal is easy to use", "web:positive"),
    ("Great website and portal", "web:positive"),
    ("Nice web interface", "web:positive"),
    ("The website works well", "web:positive"),
    ("The portal is broken", "web:negative"),
    ("The website is a nightmare", "web:negative"),
    ("The web interface crashes", "web:negative"),
    ("Portal login fails on the website", "web:negative"),
    ("Fast and cheap", "speed:positive;price:positive"),
    ("Slow and expensive", "speed:negative;price:negative"),
    ("Fast service but the portal is broken", "speed:positive;web:negative"),
    ("Cheap but slow", "price:positive;speed:negative"),
    ("Thanks", ""),
]


def labelled_csv(path: Path, rows=LABELLED_ROWS) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["text", "labels"])
    w.writerows(rows)
    return write(path, buf.getvalue())


@pytest.fixture(scope="module")
def labelled(tmp_path_factory) -> Path:
    return labelled_csv(tmp_path_factory.mktemp("labelled") / "labels.csv")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory, labelled) -> Path:
    """A 3-theme model trained once on ~30 labelled comments (through the Python API)."""
    out = tmp_path_factory.mktemp("models") / "tiny"
    npsthemes.train_model(labelled, out=out)
    return out


# ------------------------------------------------------------ 0. plain traceback check


def test_0_subprocess_never_prints_traceback(tmp_path):
    """Item 1's case once through a real process: no "Traceback" on stderr, exit 0."""
    f = write(tmp_path / "s.csv", "score,comment\n9,ok\n3,\n")
    code, out, err = run_sub(["analyze", f, "--out", tmp_path / "rep"], timeout=120)
    assert code == 0, err[-1500:]
    assert (tmp_path / "rep" / "report.html").exists()


# ------------------------------------------------------------ 1. untaggable comments


@pytest.mark.parametrize(
    "name,text",
    [
        ("empty_comment", "score,comment\n9,ok\n3,\n"),
        ("no_comment_column", "score\n9\n3\n"),
        ("russian", "score,comment\n9,Очень быстрый и вежливый сервис\n3,Плохо и медленно\n"),
        ("chinese", "score,comment\n9,服务很好，速度很快\n3,太慢了\n"),
        ("emoji_only", "score,comment\n9,😀😀👍\n3,👎\n"),
    ],
)
def test_1_analyze_when_no_comment_gets_a_theme(tmp_path, run, name, text):
    f = write(tmp_path / f"{name}.csv", text)
    out = tmp_path / "rep"
    code, _, err = run(["analyze", f, "--out", out])
    assert code == 0, err[-1500:]
    for n in ("report.html", "report.xlsx", "responses.csv", "summary.json"):
        assert (out / n).exists(), n
    s = summary_of(out)
    assert s["rows_read"] == 2 and s["n"] + s["rows_rejected"] == 2


def test_1_tag_keeps_every_row_when_a_rejected_row_has_no_comment(tmp_path, run):
    f = write(tmp_path / "s.csv", "score,comment\n9,Great people and very fast service\n,\n")
    out = tmp_path / "tagged.csv"
    code, _, err = run(["tag", f, "--out", out])
    assert code == 0, err[-1500:]
    t = pd.read_csv(out, encoding="utf-8-sig")
    assert len(t) == 2, t
    assert sorted(t["status"]) == ["accepted", "rejected"]
    assert t["source_row"].tolist() == [2, 3]


# ------------------------------------------------------------ 2. train --out


def test_2_train_refuses_a_directory_with_unrelated_files(tmp_path, run, labelled):
    d = tmp_path / "project"
    write(d / "notes.txt", "my notes, keep me")
    write(d / "data" / "export.csv", GOOD)
    before = {p.relative_to(d): p.read_bytes() for p in d.rglob("*") if p.is_file()}
    code, _, err = run(["train", labelled, "--out", d])
    assert_clean_error(code, err, names=[d.name])
    after = {p.relative_to(d): p.read_bytes() for p in d.rglob("*") if p.is_file()}
    assert after == before, "train --out deleted or changed files that were not a model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"], "left something beside the directory"


def test_2_train_refuses_an_existing_regular_file(tmp_path, run, labelled):
    f = write(tmp_path / "model.bin", "not a model, keep me")
    code, _, err = run(["train", labelled, "--out", f])
    assert_clean_error(code, err, names=[f.name])
    assert f.is_file() and f.read_text() == "not a model, keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.bin"], "left a hidden .model.bin.old or temp dir"


def test_2_retraining_into_an_existing_model_directory_replaces_it(tmp_path, run, labelled):
    d = tmp_path / "mine"
    code, _, err = run(["train", labelled, "--out", d])
    assert code == 0, err[-1500:]
    first = json.loads((d / "manifest.json").read_text())["created"]
    code, _, err = run(["train", labelled, "--out", d, "--model-version", "2.0.0"])
    assert code == 0, err[-1500:]
    m = npsthemes.load_model(d)
    assert m.version == "2.0.0" and first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"], "left .mine.old or a temp dir"


# ------------------------------------------------------------ 3. ragged rows


@pytest.mark.parametrize(
    "text",
    [
        "score,comment\n9,0,Hyvä palvelu\n7,0,ok\n10,Loistavaa\n",
        "Arvosana;Perustelu\n9;0;Hyvä palvelu\n7;0;ok\n10;Loistavaa\n",
    ],
)
def test_3_rows_with_more_fields_than_the_header_are_accounted_for(tmp_path, run, text):
    f = write(tmp_path / "ragged.csv", text)
    rej = tmp_path / "rej.csv"
    code, out, err = run(["nps", f, "--format", "json", "--rejects", rej])
    assert code == 0, err[-1500:]
    d = json.loads(out)
    assert d["rows_read"] == 3 and d["n"] + d["rows_rejected"] == 3, d
    assert d["nps"] != -100, f"both ragged scores were read as 0: {d}"
    assert d["detractors"] == 0, f"a ragged row's second field was taken as the score: {d}"
    rejected = pd.read_csv(rej, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    for reason in rejected["reason"]:
        assert "field" in reason.lower() and re.search(r"\b3\b", reason), (
            f"reason should name the field count: {reason}"
        )
    if d["rows_rejected"] < 2:  # otherwise accounted for: the rows kept their real scores
        assert d["promoters"] + d["passives"] == d["n"], d


def test_3_ragged_rows_in_analyze(tmp_path, run):
    f = write(tmp_path / "ragged.csv", "score,comment\n9,0,Hyvä palvelu\n7,0,ok\n10,Loistavaa\n")
    code, _, err = run(["analyze", f, "--out", tmp_path / "rep"])
    assert code == 0, err[-1500:]
    s = summary_of(tmp_path / "rep")
    assert s["rows_read"] == 3 and s["n"] + s["rows_rejected"] == 3
    assert s["detractors"] == 0 and s["nps"] != -100, s


# ------------------------------------------------------------ 4. formula injection

INJECTED = (
    'score,comment,"=HYPERLINK(""http://x"",""y"")",@SUM(A1),+1,-1,channel\n'
    "9,Great people and very fast service,a,b,c,d,=1+1\n"
    "3,Slow invoices and nobody answers,=cmd|' /C calc'!A0,@x,-2+3,\"\t=1\",@x\n"
    '2,=HYPERLINK("http://evil"),+1,-1,=2,@3,-2\n'
    "x,=1+1 rejected,=1,@,-x,+y,=3\n"
)


def test_4_analyze_outputs_guard_headers_and_cells(tmp_path, run):
    f = write(tmp_path / "inj.csv", INJECTED)
    out = tmp_path / "rep"
    rej = tmp_path / "rejects_given.csv"
    code, _, err = run(["analyze", f, "--out", out, "--rejects", rej])
    assert code == 0, err[-1500:]
    bad = unguarded_xlsx_cells(out / "report.xlsx")
    assert not bad, "report.xlsx: " + "; ".join(bad[:10])
    for name in ("responses.csv", "followup.csv", "rejects.csv"):
        rows = read_csv_rows(out / name)
        assert rows, name
        bad = unguarded_csv_cells(rows)
        assert not bad, f"{name}: unguarded {bad[:10]}"
    bad = unguarded_csv_cells(read_csv_rows(rej))
    assert not bad, f"--rejects file: unguarded {bad[:10]}"


def test_4_tag_output_guards_headers_and_cells(tmp_path, run):
    f = write(tmp_path / "inj.csv", INJECTED)
    out = tmp_path / "tagged.csv"
    code, _, err = run(["tag", f, "--out", out])
    assert code == 0, err[-1500:]
    rows = read_csv_rows(out)
    assert len(rows) == 5, rows  # header + 4 input rows (accepted and rejected)
    bad = unguarded_csv_cells(rows)
    assert not bad, f"tag output: unguarded {bad[:10]}"


def test_4_nps_csv_guards_group_values(tmp_path, run):
    f = write(tmp_path / "ch.csv", "score,comment,channel\n9,a,=1+1\n3,b,@x\n7,c,-2\n")
    code, out, err = run(["nps", f, "--by", "channel", "--format", "csv"])
    assert code == 0, err[-1500:]
    rows = list(csv.reader(io.StringIO(out)))
    col = rows[0].index("channel")
    values = sorted(r[col] for r in rows[1:])
    assert all(v.startswith("'") for v in values), f"channel cells not guarded: {values}"
    assert not unguarded_csv_cells(rows)


# ------------------------------------------------------------ 5. control characters


def _control_warning(err: str) -> bool:
    return any(
        ln.lower().startswith("warning:") and "control" in ln.lower() and re.search(r"\d", ln)
        for ln in err.splitlines()
    )


def _check_control_outputs(out: Path, n_expected: int):
    from openpyxl import load_workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = load_workbook(out / "report.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    assert not ILLEGAL_CHARACTERS_RE.search(c.value), f"{ws.title}!{c.coordinate}: {c.value!r}"
    resp = pd.read_csv(out / "responses.csv", encoding="utf-8-sig")
    assert len(resp) == n_expected


@pytest.mark.parametrize("where", ["comment", "header"])
def test_5_control_characters_do_not_crash_the_writers(tmp_path, run, where):
    if where == "comment":
        text = (
            "score,comment,channel\n9,Great\x0b people \x1b[31mand\x07 very fast\x0c service,phone\n"
            "3,slow\x1b\x07 invoices,chat\n"
        )
    else:
        text = 'score,comment,"chan\x0bnel\x1b\x07"\n9,Great people and very fast service,a\n3,slow invoices,b\n'
    f = write(tmp_path / "ctl.csv", text)
    out = tmp_path / "rep"
    code, _, err = run(["analyze", f, "--out", out])
    assert code == 0, err[-1500:]
    assert _control_warning(err), f"no warning counting the control characters:\n{err}"
    _check_control_outputs(out, 2)


@pytest.mark.parametrize("position", ["after_4k", "within_4k"])
def test_5_nul_in_an_otherwise_text_csv(tmp_path, run, position):
    filler = "".join(f"{i % 11},Great people and very fast service number {i}\n" for i in range(150))
    nul_row = "9,Great people\x00 and fast service\n"
    body = filler + nul_row if position == "after_4k" else nul_row + filler
    f = write(tmp_path / "nul.csv", "score,comment\n" + body)
    assert (f.read_bytes().index(b"\x00") > 4096) == (position == "after_4k")
    out = tmp_path / "rep"
    code, _, err = run(["analyze", f, "--out", out])
    assert code == 0, err[-1500:]
    assert _control_warning(err), f"no warning counting the control characters:\n{err}"
    _check_control_outputs(out, 151)
    s = summary_of(out)
    assert s["rows_read"] == 151 and s["n"] + s["rows_rejected"] == 151


def test_5_control_characters_subprocess_has_no_traceback_noise(tmp_path):
    """Even when a writer error is caught, openpyxl's half-written sheets print 'Exception ignored ... Traceback'
    at garbage collection: only a real process shows that."""
    f = write(tmp_path / "ctl.csv", "score,comment\n9,Great\x0b people and very fast\x1b service\n3,slow\x07\n")
    code, _, err = run_sub(["analyze", f, "--out", tmp_path / "rep"], timeout=120)
    assert code == 0, err[-1500:]
    assert "Exception ignored" not in err, err[-1500:]


# ------------------------------------------------------------ 6. output over input


def _case_files(tmp_path: Path):
    s = write(tmp_path / "s.csv", GOOD)
    return s, s.read_bytes()


@pytest.mark.parametrize(
    "case",
    [
        "tag_out",
        "tag_out_dotted",
        "nps_rejects",
        "tag_rejects",
        "analyze_rejects",
        "analyze_out_responses",
        "analyze_out_summary_json",
        "analyze_out_report_xlsx",
    ],
)
def test_6_outputs_never_overwrite_the_input(tmp_path, run, case):
    s, original = _case_files(tmp_path)
    if case == "tag_out":
        args = ["tag", s, "--out", s]
    elif case == "tag_out_dotted":
        (tmp_path / "sub").mkdir()
        args = ["tag", s, "--out", tmp_path / "sub" / ".." / "s.csv"]
    elif case == "nps_rejects":
        args = ["nps", s, "--rejects", s]
    elif case == "tag_rejects":
        args = ["tag", s, "--out", tmp_path / "t.csv", "--rejects", s]
    elif case == "analyze_rejects":
        args = ["analyze", s, "--rejects", s, "--out", tmp_path / "rep"]
    else:
        name = {
            "analyze_out_responses": "responses.csv",
            "analyze_out_summary_json": "summary.json",
            "analyze_out_report_xlsx": "report.xlsx",
        }[case]
        rep = tmp_path / "rep"
        rep.mkdir()
        if name == "summary.json":
            s = write(
                rep / name, json.dumps([{"score": 9, "comment": "Great people"}, {"score": 3, "comment": "slow"}])
            )
        elif name == "report.xlsx":
            s = rep / name
            pd.DataFrame({"score": [9, 3], "comment": ["Great people", "slow"]}).to_excel(s, index=False)
        else:
            s = write(rep / name, GOOD)
        original = s.read_bytes()
        args = ["analyze", s, "--out", rep]
    code, _, err = run(args)
    assert s.read_bytes() == original, f"the input was overwritten ({case}); exit {code}"
    assert_clean_error(code, err, codes=(1, 2))


# ------------------------------------------------------------ 7. rich markup


def test_7_path_with_closing_markup_tag(tmp_path, run):
    d = tmp_path / "a["
    f = write(d / "x]b.csv", GOOD)
    code, out, err = run(["nps", f])
    assert code == 0, err[-1500:]
    assert "a[/x]b.csv" in err, err


@pytest.mark.parametrize("name", ["name [final].csv", "bold[bold]x.csv", "[red]alert[/red].csv"])
def test_7_path_with_markup_is_printed_literally(tmp_path, run, name):
    f = write(tmp_path / name, GOOD)
    code, out, err = run(["nps", f])
    assert code == 0, err[-1500:]
    assert name in err, f"{name!r} not printed literally:\n{err}"
    code, out, err = run(["analyze", f, "--out", tmp_path / "rep"])
    assert code == 0, err[-1500:]
    assert name in err, err


def test_7_group_values_with_markup_and_escapes(tmp_path, run):
    f = write(
        tmp_path / "by.csv", "score,comment,channel\n9,Great,[/x]\n3,bad,[bold]y\n10,ok,\x1b[31mred\n7,fine,phone\n"
    )
    code, out, err = run(["nps", f, "--by", "channel"])
    assert code == 0, err[-1500:]
    assert "[/x]" in out and "[bold]y" in out, out
    assert "\x1b" not in out + err, "raw ESC reached the terminal"
    code, out, err = run(["analyze", f, "--by", "channel", "--out", tmp_path / "rep"])
    assert code == 0, err[-1500:]
    assert "\x1b" not in out + err


def test_7_escape_sequences_in_comments_and_paths_do_not_reach_the_terminal(tmp_path, run):
    f = write(
        tmp_path / "esc\x1b[31m.csv",
        "score,comment\n9,Great people \x1b[31mand very fast\x1b[0m service\n3,\x1b]0;pwned\x07slow\n",
    )
    for args in (
        ["nps", f],
        ["nps", f, "--format", "json"],
        ["analyze", f, "--out", tmp_path / "rep"],
        ["tag", f, "--out", tmp_path / "t.csv"],
        ["nps", tmp_path / "missing\x1b[2J.csv"],
    ):
        code, out, err = run(args)
        assert "\x1b" not in out + err, f"raw ESC reached the terminal from {args[0]}: {(out + err)[-300:]!r}"


# ------------------------------------------------------------ 8. scores


@pytest.mark.parametrize("value", ["6.99999", "9.9999", "1e1", "7.0000001"])
def test_8_almost_whole_scores_are_rejected(tmp_path, run, value):
    f = write(tmp_path / "s.csv", f"score,comment\n{value},a\n9,b\n")
    code, out, err = run(["nps", f, "--format", "json"])
    assert code == 0, err[-1500:]
    d = json.loads(out)
    assert d["rows_rejected"] == 1 and d["n"] == 1, f"{value!r} was accepted as a score: {d}"
    assert_accounting(d)


@pytest.mark.parametrize(
    "text",
    [
        "score,comment\n9,a\n",
        "score,comment\n9.0,a\n",
        'score,comment\n" 9 ",a\n',
        'score,comment\n"9,0",a\n',
        "score;comment\n9,0;a\n",
    ],
)
def test_8_whole_scores_are_accepted(tmp_path, run, text):
    f = write(tmp_path / "s.csv", text)
    code, out, err = run(["nps", f, "--format", "json"])
    assert code == 0, err[-1500:]
    d = json.loads(out)
    assert d["n"] == 1 and d["promoters"] == 1 and d["rows_rejected"] == 0, d


# ------------------------------------------------------------ 9. personal data

PII = ["FI2112345600000785", "FI21 1234 5600 0007 85", "matti.meikalainen@example.com", "040 123 4567"]
KEEP = ["12.3.2024", "1 234,50 €"]


def _pii_survey(path: Path) -> Path:
    rows = []
    for i in range(30):
        rows.append(
            (
                10,
                f"Very fast and friendly service, thank you! Invoice {i} of 1 234,50 € from 12.3.2024 paid; "
                f"{PII[i % 4]}",
            )
        )
        rows.append(
            (
                2,
                f"Slow service, I waited for weeks and nobody answered. Invoice of 1 234,50 € from 12.3.2024; "
                f"{PII[(i + 1) % 4]}",
            )
        )
    rows.append((10, "Slow and awful, nobody answers. " + " ".join(PII) + " 12.3.2024 1 234,50 €"))
    rows.append((1, "Great, fast and friendly people. " + " ".join(PII) + " 12.3.2024 1 234,50 €"))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["score", "comment"])
    w.writerows(rows)
    return write(path, buf.getvalue())


def test_9_report_masks_personal_data_but_not_dates_or_amounts(tmp_path, run):
    f = _pii_survey(tmp_path / "pii.csv")
    out = tmp_path / "rep"
    code, _, err = run(["analyze", f, "--out", out])
    assert code == 0, err[-1500:]
    html = (out / "report.html").read_text(encoding="utf-8")
    summary = (out / "summary.json").read_text(encoding="utf-8")
    assert "<blockquote>" in html, "no quotes in the report: the test input does not exercise masking"
    for text, where in ((html, "report.html"), (summary, "summary.json")):
        for p in PII:
            assert p not in text, f"{p!r} visible in {where}"
    for k in KEEP:
        assert k in html, f"{k!r} was masked in report.html (it is not personal data)"


def test_9_email_column_gives_a_warning(tmp_path, run):
    f = write(tmp_path / "e.csv", "score,comment,email\n9,Great people,matti@example.com\n3,slow,anna@example.org\n")
    code, _, err = run(["analyze", f, "--out", tmp_path / "rep"])
    assert code == 0, err[-1500:]
    assert any(ln.lower().startswith("warning:") and "email" in ln for ln in err.splitlines()), err


# ------------------------------------------------------------ 10. one line, no hang


def _hostile_model(src: Path, dst: Path, name: str, info: dict) -> Path:
    shutil.copytree(src, dst)
    m = json.loads((dst / "manifest.json").read_text())
    m["files"][name] = info
    (dst / "manifest.json").write_text(json.dumps(m))
    return dst


@pytest.mark.parametrize(
    "listed,info",
    [
        ("/dev/zero", {"sha256": "0" * 64, "bytes": 0}),
        ("/dev/zero", {"sha256": "0" * 64}),
        ("../../etc/passwd", {"sha256": "0" * 64, "bytes": 0}),
        ("../" * 30 + "etc/passwd", {"sha256": "0" * 64}),
    ],
)
def test_10_manifest_listing_files_outside_the_model(tmp_path, tiny_model, listed, info):
    m = _hostile_model(tiny_model, tmp_path / "evil", listed, info)
    f = write(tmp_path / "s.csv", GOOD)
    code, _, err = run_sub(["analyze", f, "--model", m, "--out", tmp_path / "rep"], timeout=60)
    assert_clean_error(code, err)


def test_10_cp1252_jsonl(tmp_path, run):
    f = tmp_path / "cp.jsonl"
    f.write_bytes(
        '{"score": 9, "comment": "Hyvä palvelu, kiitos"}\n{"score": 3, "comment": "Hidas käsittely"}\n'.encode("cp1252")
    )
    code, out, err = run(["nps", f, "--format", "json"])
    if code == 0:
        d = json.loads(out)
        assert d["rows_read"] == 2 and d["n"] == 2
    else:
        assert_clean_error(code, err, names=[f.name])


def test_10_parquet_with_bytes_comments_is_decoded(tmp_path, run):
    f = tmp_path / "bin.parquet"
    pd.DataFrame(
        {"score": [9, 3], "comment": [b"Great people and very fast service", "Hidas käsittely".encode()]}
    ).to_parquet(f)
    out = tmp_path / "t.csv"
    code, _, err = run(["tag", f, "--out", out])
    assert code == 0, err[-1500:]
    t = pd.read_csv(out, encoding="utf-8-sig")
    assert t["comment"].tolist() == ["Great people and very fast service", "Hidas käsittely"], t["comment"].tolist()


@pytest.mark.parametrize("kind", ["top", "in_record"])
def test_10_json_nested_200000_levels(tmp_path, kind):
    deep = "[" * 200_000 + "]" * 200_000
    text = deep if kind == "top" else '[{"score": 9, "comment": ' + deep + "}]"
    f = write(tmp_path / "deep.json", text)
    code, _, err = run_sub(["nps", f], timeout=60)
    assert_clean_error(code, err, names=[f.name])


def test_10_repeated_by_is_deduplicated(tmp_path, run):
    f = write(tmp_path / "s.csv", GOOD)
    code, out, err = run(["nps", f, "--by", "channel", "--by", "channel", "--format", "json"])
    assert code == 0, err[-1500:]
    d = json.loads(out)
    assert sorted(g["channel"] for g in d["groups"]) == ["chat", "phone"], d["groups"]
    code, _, err = run(["analyze", f, "--by", "channel", "--by", "channel", "--out", tmp_path / "rep"])
    assert code == 0, err[-1500:]
    assert summary_of(tmp_path / "rep")["settings"]["by"] == ["channel"]


def test_10_train_into_a_path_under_a_regular_file(tmp_path, run, labelled):
    blocker = write(tmp_path / "somefile", "keep")
    code, _, err = run(["train", labelled, "--out", blocker / "model"])
    assert_clean_error(code, err, names=["somefile"])
    assert blocker.read_text() == "keep"


def test_10_train_into_a_read_only_directory(tmp_path, run, labelled):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        if os.access(ro, os.W_OK):  # root: chmod does not stop writes; a path under a file does
            target = write(tmp_path / "plainfile", "x") / "model"
        else:
            target = ro / "model"
        code, _, err = run(["train", labelled, "--out", target])
        assert_clean_error(code, err)
    finally:
        ro.chmod(0o755)


def test_10_cross_validation_on_one_row(tmp_path, run):
    f = labelled_csv(tmp_path / "one.csv", [("Very fast service", "speed:positive")])
    code, _, err = run(["evaluate", f, "--cv", "5"])
    assert_clean_error(code, err, names=[f.name])


@pytest.mark.parametrize(
    "theme",
    [
        {"id": "speed", "labels": {"en": 5, "fi": 6}},
        {"id": "speed", "labels": 5},
        {"id": "speed", "labels": ["Speed"]},
        {"id": "speed", "examples": 5},
    ],
)
def test_10_taxonomy_with_an_integer_label(tmp_path, run, labelled, theme):
    tax = write(
        tmp_path / "tax.json",
        json.dumps(
            {"name": "t", "version": "1", "themes": [theme, {"id": "price", "labels": {"en": "Price"}}, {"id": "web"}]}
        ),
    )
    model = tmp_path / "m"
    code, _, err = run(["train", labelled, "--taxonomy", tax, "--out", model])
    if code != 0:
        assert_clean_error(code, err, names=[tax.name])
        return
    f = write(tmp_path / "s.csv", GOOD)
    for lang in ("en", "fi"):
        code, _, err = run(["analyze", f, "--model", model, "--lang", lang, "--out", tmp_path / f"rep_{lang}"])
        assert code == 0, f"train accepted the taxonomy but analyze fails: {err[-1500:]}"


def test_10_rejects_file_is_not_left_stale(tmp_path, run):
    bad = write(tmp_path / "bad.csv", "score,comment\n9,Great people\nx,bad\n3,slow\n")
    clean = write(tmp_path / "clean.csv", "score,comment\n9,Great people\n3,slow\n")
    r = tmp_path / "R.csv"
    code, _, err = run(["analyze", bad, "--rejects", r, "--out", tmp_path / "rep"])
    assert code == 0, err[-1500:]
    assert len(pd.read_csv(r, encoding="utf-8-sig")) == 1
    code, _, err = run(["analyze", clean, "--rejects", r, "--out", tmp_path / "rep"])
    assert code == 0, err[-1500:]
    if r.exists():
        assert len(pd.read_csv(r, encoding="utf-8-sig")) == 0, "R still holds the first run's rejected rows"


@pytest.mark.parametrize("failing_call", [1, 2])
def test_10_report_write_failing_half_way_keeps_the_previous_report(tmp_path, run, monkeypatch, failing_call):
    first = write(tmp_path / "first.csv", GOOD)
    second = write(
        tmp_path / "second.csv", GOOD.replace("x,bad row,chat", "5,Slow and expensive,web") + "8,ok fine,chat\n"
    )
    out = tmp_path / "rep"
    code, _, err = run(["analyze", first, "--out", out])
    assert code == 0, err[-1500:]
    before = snapshot(out)
    assert "rejects.csv" in before

    # The n-th commit of the next run fails as a full disk would (os.replace/os.rename: how every writer here
    # commits a file or a directory; the report directory is swapped in two: old report aside, new one in place).
    calls = []
    real_replace, real_rename = os.replace, os.rename

    def flaky(real):
        def f(src, dst, *a, **k):
            calls.append(str(dst))
            if len(calls) == failing_call:
                raise OSError(28, "No space left on device")
            return real(src, dst, *a, **k)

        return f

    monkeypatch.setattr(os, "replace", flaky(real_replace))
    monkeypatch.setattr(os, "rename", flaky(real_rename))
    code, _, err = run(["analyze", second, "--out", out])
    monkeypatch.undo()
    assert len(calls) >= failing_call, (
        f"fault not injected (commits seen: {calls}); the writer no longer uses os.replace/rename"
    )
    assert_clean_error(code, err)
    after = snapshot(out)
    changed = sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))
    assert not changed, f"report directory mixes two runs after a failed write: changed {changed}"
    assert sorted(p.name for p in out.iterdir()) == sorted(before), "temporary files left in the report directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.csv", "rep", "second.csv"], (
        "temporary directory left beside the report"
    )


# ------------------------------------------------------------ x. found while writing these


@pytest.mark.parametrize(
    "text",
    [
        "score,reason\n9,good\nx,bad\n",
        "score,comment,source_row\n9,Great,1\n3,bad,2\n",
        "score,comment,reason\n9,Great,a\nx,bad,b\n",
    ],
)
def test_x_input_columns_named_like_generated_ones(tmp_path, run, text):
    """'reason' is even a comment alias: `score,reason` with one bad row crashed the loader (insert 'reason')."""
    f = write(tmp_path / "s.csv", text)
    code, out, err = run(["nps", f, "--format", "json"])
    assert code == 0, err[-1500:]
    assert_accounting(json.loads(out))
    code, _, err = run(["analyze", f, "--out", tmp_path / "rep"])
    assert code == 0, err[-1500:]
    code, _, err = run(["tag", f, "--out", tmp_path / "t.csv"])
    assert code == 0, err[-1500:]


@pytest.mark.parametrize("date", ["1500-01-01", "9999-12-31", "31.12.9999", "0001-01-01"])
def test_x_out_of_range_dates(tmp_path, run, date):
    """A placeholder date such as 9999-12-31 overflowed pandas' nanosecond timestamps (OutOfBoundsDatetime)."""
    f = write(tmp_path / "s.csv", f"score,comment,date\n9,Great people,2024-01-05\n3,slow,2024-02-05\n8,ok,{date}\n")
    code, out, err = run(["nps", f, "--period", "month", "--format", "json"])
    assert code == 0, err[-1500:]
    assert_accounting(json.loads(out))
    code, _, err = run(["analyze", f, "--out", tmp_path / "rep"])
    assert code == 0, err[-1500:]


def test_x_lone_surrogate_from_json_escape(tmp_path, run):
    """JSON may carry "\\ud800": a str that cannot be encoded as UTF-8, neither to the terminal nor to files."""
    f = write(
        tmp_path / "s.json",
        '[{"score": 9, "comment": "Great people \\ud800 fast", "ch\\udc00": "x"},'
        ' {"score": 3, "comment": "slow", "ch\\udc00": "y"}]',
    )
    code, out, err = run(["nps", f, "--by", "ch\udc00"])
    assert_clean_error(code, err, codes=(0, 1))
    code, _, err = run(["analyze", f, "--out", tmp_path / "rep"])
    assert code == 0, err[-1500:]


def test_x_tag_parquet_with_mixed_type_column(tmp_path, run):
    f = write(
        tmp_path / "s.json",
        json.dumps(
            [{"score": 9, "comment": "Great people", "region": 1}, {"score": 3, "comment": "slow", "region": "north"}]
        ),
    )
    code, _, err = run(["tag", f, "--out", tmp_path / "t.parquet"])
    assert code == 0, err[-1500:]
    assert len(pd.read_parquet(tmp_path / "t.parquet")) == 2


def test_x_train_on_a_tiny_vocabulary(tmp_path, run):
    f = labelled_csv(
        tmp_path / "l.csv",
        [
            ("Fast service", "speed:positive"),
            ("Slow", "speed:negative"),
            ("Cheap", "price:positive"),
            ("Expensive", "price:negative"),
        ],
    )
    code, _, err = run(["train", f, "--out", tmp_path / "m"])
    assert_clean_error(code, err, codes=(0, 1))


@pytest.mark.parametrize(
    "patch",
    [
        {"thresholds": {"speed": "x"}},
        {"files": {"model.joblib": "abc"}},
        {"files": {"model.joblib": {}}},
        {"metrics": {"heldout": {}}},
        {"versions": "x"},
        {"files": []},
        {"taxonomy": 5},
        {"themes": 5},
    ],
)
def test_x_inspect_and_load_a_malformed_manifest(tmp_path, run, tiny_model, patch):
    d = tmp_path / "m"
    shutil.copytree(tiny_model, d)
    m = json.loads((d / "manifest.json").read_text())
    m.update(patch)
    (d / "manifest.json").write_text(json.dumps(m))
    code, _, err = run(["inspect", d])
    assert_clean_error(code, err, codes=(0, 1))
    code, _, err = run(["analyze", write(tmp_path / "s.csv", GOOD), "--model", d, "--out", tmp_path / "rep"])
    assert_clean_error(code, err, codes=(0, 1))


@pytest.mark.parametrize("what", ["manifest", "taxonomy", "jsonl"])
def test_x_deeply_nested_json_elsewhere(tmp_path, run, tiny_model, labelled, what):
    deep = "[" * 100_000 + "]" * 100_000
    if what == "manifest":
        d = tmp_path / "m"
        shutil.copytree(tiny_model, d)
        (d / "manifest.json").write_text(deep)
        code, _, err = run(["inspect", d])
    elif what == "taxonomy":
        code, _, err = run(
            [
                "train",
                labelled,
                "--taxonomy",
                write(tmp_path / "t.json", '{"themes": ' + deep + "}"),
                "--out",
                tmp_path / "m2",
            ]
        )
    else:
        code, _, err = run(["nps", write(tmp_path / "d.jsonl", '{"score": 9, "comment": ' + deep + "}\n")])
    assert_clean_error(code, err)


def test_x_long_unbroken_comment_does_not_hang_analyze(tmp_path):
    """One 100 kB comment without spaces: the e-mail mask regex backtracks quadratically (~2 min at 100 kB)."""
    f = write(tmp_path / "s.csv", "score,comment\n9,Great people and very fast service " + "x" * 100_000 + "\n3,slow\n")
    code, _, err = run_sub(["analyze", f, "--out", tmp_path / "rep"], timeout=60)
    assert code == 0, err[-1500:]


def test_x_non_utf8_terminal(tmp_path):
    """Output redirected to a file on Windows is cp1252: a group value outside it must not crash the table."""
    f = write(tmp_path / "s.csv", "score,comment,channel\n9,Great people,中文\n3,slow,Hyvä\n")
    code, _, err = run_sub(["nps", f, "--by", "channel"], env={"PYTHONIOENCODING": "cp1252"})
    assert code == 0, err[-1500:]


def test_x_bare_carriage_return_cannot_start_a_formula_row(tmp_path, run):
    """With LF line ends pandas leaves a bare CR unquoted, and a spreadsheet starts a new row at it: "a\r=1+1"
    would put a live =1+1 at the start of a line. CSV outputs end lines with CRLF, so such values are quoted."""
    f = tmp_path / "s.csv"
    f.write_bytes(b'score,comment\n9,"Great people\r=1+1"\n3,"slow\r@SUM(A1)"\n')
    out = tmp_path / "rep"
    code, _, err = run(["analyze", f, "--out", out])
    assert code == 0, err[-1500:]
    for name, value in (("responses.csv", "Great people\r=1+1"), ("followup.csv", "slow\r@SUM(A1)")):
        raw = (out / name).read_bytes().decode("utf-8-sig")
        assert f'"{value}"' in raw, f"{name}: a value with a bare CR is not quoted"
        cells = [c for row in csv.reader(io.StringIO(raw, newline="")) for c in row]
        assert value in cells, name
