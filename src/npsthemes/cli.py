"""Command line: a thin layer. Each command parses its options, calls one public function and prints.

Exit codes: 0 success, 1 data or model error (one line on stderr, no traceback), 2 usage error.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any, Callable

import click
from rich.console import Console
from rich.table import Table

from . import __version__
from .errors import NpsThemesError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

PERIODS = click.Choice(["week", "month", "quarter", "year"])


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="npsthemes")
def cli() -> None:
    """npsthemes: turn NPS survey answers into a prioritised list of what to keep and what to fix.

    Theme tagging in Finnish, Swedish and English. Run `npsthemes COMMAND --help` for a command's options.
    """


def _options(*decorators: Callable) -> Callable:
    def apply(f: Callable) -> Callable:
        for d in reversed(decorators):
            f = d(f)
        return f

    return apply


# Shared options: the same flag means the same thing in every command.
survey_input = _options(
    click.argument("file", required=False, type=click.Path(path_type=Path)),
    click.option("--sample", is_flag=True, help="Use the shipped synthetic sample survey instead of FILE."),
    click.option("--score-column", help="Name of the 0-10 score column (default: detected)."),
    click.option("--comment-column", help="Name of the free-text column (default: detected)."),
    click.option("--date-column", help="Name of the date column (default: detected)."),
    click.option("--sheet", help="XLSX sheet name (default: the first sheet)."),
    click.option("--rejects", type=click.Path(path_type=Path), help="Write rejected rows with reasons to this CSV."),
)
grouping = _options(
    click.option("--by", "by", multiple=True, help="Group by this column (repeatable): channel, agent, ..."),
    click.option("--period", type=PERIODS, help="Group by period of the date column."),
)
model_option = click.option(
    "--model", type=click.Path(path_type=Path), help="Model directory (default: the shipped model)."
)


def _source(file: Path | None, sample: bool) -> Any:
    if sample and file is not None:
        raise click.UsageError("give either FILE or --sample, not both")
    if sample:
        from .datasets import sample_survey_path

        return sample_survey_path()
    if file is None:
        raise click.UsageError("missing FILE (or use --sample)")
    return file


def _fmt(x: Any, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{digits}f}"


def _nps_text(r: dict[str, Any]) -> str:
    return f"{_fmt(r['nps'])} ({_fmt(r['ci_low'])} to {_fmt(r['ci_high'])}), n={r['n']}"


def _jsonable(obj: Any) -> Any:
    import numpy as np
    import pandas as pd

    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
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


def _print_load_report(report: Any) -> None:
    err.print(report.summary())
    for w in report.warnings:
        err.print(f"warning: {w}")


@cli.command("nps")
@survey_input
@grouping
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--ci", type=click.Choice(["wald", "adjusted", "bootstrap"]), default="wald", show_default=True,
              help="Interval method: wald, adjusted (better at small n) or bootstrap.")
@click.option("--min-n", type=click.IntRange(1), default=30, show_default=True,
              help="Groups smaller than this are flagged as small samples.")
def nps_cli(file, sample, score_column, comment_column, date_column, sheet, rejects, by, period, fmt, ci, min_n):
    """NPS with a 95 % interval, overall and by group or period."""
    from .summary import nps_summary

    result = nps_summary(
        _source(file, sample), by=list(by), period=period, method=ci, min_n=min_n,
        score_column=score_column, comment_column=comment_column, date_column=date_column, sheet=sheet,
        rejects=rejects,
    )
    _print_load_report(result["load_report"])
    payload = {k: v for k, v in result.items() if k not in ("load_report", "groups_frame")}
    if fmt == "json":
        sys.stdout.write(json.dumps(_jsonable(payload), ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        frame = result.get("groups_frame")
        if frame is None:
            import pandas as pd

            frame = pd.DataFrame([{k: payload[k] for k in payload if k != "rejected_reasons"}])
        sys.stdout.write(frame.to_csv(index=False))
        return
    out.print(f"[bold]NPS {_nps_text(payload)}[/bold]  "
              f"promoters {payload['promoters']} / passives {payload['passives']} / detractors {payload['detractors']}"
              f"  ({payload['method']} 95 % interval)")
    if "groups" in payload:
        keys = result["group_keys"]
        table = Table(show_header=True, header_style="bold")
        for k in keys:
            table.add_column(k)
        for col in ("n", "NPS", "95 % interval", "prom.", "pass.", "detr."):
            table.add_column(col, justify="right")
        if period:
            table.add_column("change", justify="right")
        for g in payload["groups"]:
            row = [str(g[k]) for k in keys] + [
                str(g["n"]) + (" (small)" if g["small_sample"] else ""),
                _fmt(g["nps"]), f"{_fmt(g['ci_low'])} to {_fmt(g['ci_high'])}",
                str(g["promoters"]), str(g["passives"]), str(g["detractors"]),
            ]
            if period:
                ch = g.get("change")
                row.append("" if ch is None or (isinstance(ch, float) and math.isnan(ch)) else
                           f"{ch:+.1f}{' *' if g.get('change_significant') else ''}")
            table.add_row(*row)
        out.print(table)
        if period:
            out.print("* change from the previous period is significant (two-sided z test, p < 0.05)")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``npsthemes`` console script; returns the exit code."""
    try:
        rv = cli.main(args=argv, prog_name="npsthemes", standalone_mode=False)
    except NpsThemesError as exc:
        err.print(f"Error: {exc}", markup=False)
        return 1
    except click.UsageError as exc:
        exc.show()
        return 2
    except click.Abort:
        err.print("Aborted.")
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("Interrupted.")
        return 130
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
