import json
import subprocess
import sys
from pathlib import Path

import pytest

from npsthemes.cli import main

FIN = (
    "Arvosana;Perustelu;Pvm;Kanava\n9;Hyvä;1.2.2026;phone\n10;Nopeaa;2.2.2026;chat\n11;?;3.2.2026;chat\n"
    "3;huono;6.3.2026;chat\n"
)


@pytest.fixture
def survey_file(tmp_csv):
    return tmp_csv(FIN, encoding="utf-8-sig")


def run(args, capsys):
    code = main([str(a) for a in args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_entry_point_and_module_run(survey_file):
    script = Path(sys.executable).parent / "npsthemes"
    for cmd in ([str(script)], [sys.executable, "-m", "npsthemes"]):
        p = subprocess.run(cmd + ["nps", str(survey_file), "--format", "json"], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        data = json.loads(p.stdout)
        assert data["n"] == 3 and data["rows_read"] == 4 and data["rows_rejected"] == 1


def test_json_keys_are_stable(survey_file, capsys):
    code, out, err = run(["nps", survey_file, "--by", "Kanava", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    for key in (
        "n",
        "promoters",
        "passives",
        "detractors",
        "nps",
        "ci_low",
        "ci_high",
        "rows_read",
        "rows_rejected",
        "groups",
    ):
        assert key in data
    assert data["promoters"] == 2 and data["detractors"] == 1
    assert data["nps"] == pytest.approx(100 / 3)
    chat = next(g for g in data["groups"] if g["channel"] == "chat")
    assert chat["n"] == 2 and chat["small_sample"] is True
    for key in ("n", "promoters", "passives", "detractors", "nps", "ci_low", "ci_high"):
        assert key in chat
    assert "4 rows read, 3 accepted, 1 rejected" in err


def test_table_and_period_and_csv(survey_file, capsys):
    code, out, _ = run(["nps", survey_file, "--period", "month"], capsys)
    assert code == 0
    assert "NPS 33.3" in out and "2026-02" in out and "2026-03" in out
    code, out, _ = run(["nps", survey_file, "--by", "channel", "--format", "csv"], capsys)
    assert code == 0 and out.splitlines()[0].startswith("channel,n,promoters")


def test_rejects_file(survey_file, tmp_path, capsys):
    rej = tmp_path / "rejects.csv"
    code, _, _ = run(["nps", survey_file, "--rejects", rej], capsys)
    assert code == 0
    text = rej.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("source_row,reason")
    assert "4,score is outside 0-10: got '11'" in text


def test_sample_flag(capsys):
    code, out, err = run(["nps", "--sample", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["n"] >= 600 and data["rows_read"] == data["n"] + data["rows_rejected"]


@pytest.mark.parametrize(
    "args,code,needle",
    [
        (["nps", "missing.csv"], 1, "file not found"),
        (["nps"], 2, "missing FILE"),
        (["nps", "--bogus"], 2, "No such option"),
        (["nps", "x.csv", "--period", "decade"], 2, "Invalid value"),
    ],
)
def test_errors_exit_codes(args, code, needle, capsys):
    rc, out, err = run(args, capsys)
    assert rc == code
    assert needle in err
    assert "Traceback" not in err


def test_data_errors_one_line(tmp_csv, capsys):
    p = tmp_csv("foo;bar\n1;2\n", name="x.csv")
    rc, _, err = run(["nps", p], capsys)
    assert rc == 1
    assert len(err.strip().splitlines()) == 1 and "no score column found" in err
    p = tmp_csv("score\n12\n", name="y.csv")
    rc, _, err = run(["nps", p], capsys)
    assert rc == 1 and "all 1 rows were rejected" in err


def test_every_command_has_help(capsys):
    from npsthemes.cli import cli

    for name, cmd in cli.commands.items():
        assert cmd.help and len(cmd.help.strip()) > 10, name
        rc, out, _ = run([name, "--help"], capsys)
        assert rc == 0 and "Usage" in out


def test_library_messages_name_parameters_and_the_cli_names_flags(tmp_path):
    """A library error names the parameter (`score_column`); the command line shows the flag instead."""
    from npsthemes import load_survey
    from npsthemes.cli import flags
    from npsthemes.errors import ColumnNotFoundError

    f = tmp_path / "s.csv"
    f.write_text("points,text\n9,good\n", encoding="utf-8")
    with pytest.raises(ColumnNotFoundError) as info:
        load_survey(f)
    assert "`score_column`" in info.value.message and "--" not in info.value.message
    assert info.value.param == "score_column"
    assert (
        flags("name it with `score_column`; `not_a_param` stays") == "name it with --score-column; `not_a_param` stays"
    )
    from cli_harness import run_cli

    code, _, err = run_cli(["nps", f])
    assert code == 1 and "--score-column" in err and "`score_column`" not in err


def test_column_typos_fail_fast_with_a_suggestion_before_tagging(tmp_csv, tmp_path, capsys, monkeypatch):
    import npsthemes.analysis

    def no_tagging(*args, **kwargs):
        raise AssertionError("tagging started before the columns were checked")

    monkeypatch.setattr(npsthemes.analysis, "tag_survey", no_tagging)
    path = tmp_csv("score;comment;channel\n9;ok;web\n3;slow;phone\n")
    code, out, err = run(["analyze", path, "--by", "chanel", "--out", tmp_path / "rep"], capsys)
    assert code == 1 and "Traceback" not in err
    (line,) = [x for x in err.splitlines() if x.startswith("Error")]
    assert "no column 'chanel'; did you mean 'channel'?" in line
    code, out, err = run(["analyze", path, "--score-column", "scroe", "--out", tmp_path / "rep"], capsys)
    assert code == 1 and "did you mean 'score'?" in err and "Traceback" not in err
    assert not (tmp_path / "rep").exists()


def test_uk_export_with_times_gets_a_trend_and_its_unreadable_dates_listed(tmp_csv, tmp_path, capsys):
    rows = ["CUSTOMER_ID,CUSTOMER_RESPONSE_DATE,JOURNEY,NPS_SCORE,VERBATIM"]
    comments = ["engineer never came", "quick and friendly", "router arrived late", "bill was clear", "ok"]
    for k in range(60):
        day, month = 1 + k % 28, 10 + k % 3
        rows.append(
            f"C{k},{day:02d}/{month:02d}/2024 {8 + k % 10:02d}:{k % 60:02d},J{k % 2},{k % 11},{comments[k % 5]}"
        )
    rows.append("C99,31/02/2024 10:00,J1,9,great")
    path = tmp_csv("\n".join(rows) + "\n", name="uk.csv")
    out_dir = tmp_path / "rep"
    code, out, err = run(["analyze", path, "--by", "JOURNEY", "--out", out_dir, "--bootstrap", "200"], capsys)
    assert code == 0, err
    assert "CUSTOMER_RESPONSE_DATE" in err and "1 of 61 dates could not be read" in err and "rows 62" in err
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    assert [t["period"] for t in summary["trend"]] == ["2024-10", "2024-11", "2024-12"]
    assert summary["verdict"] and summary["verdict"][0] in out
