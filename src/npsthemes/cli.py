"""Command line: a thin layer. Each command parses its options, calls one public function and prints.

Exit codes: 0 success, 1 data or model error (one line on stderr, no traceback), 2 usage error.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import __version__
from ._format import pct
from ._io import clean_for_terminal as clean
from ._io import jsonable as _jsonable
from .errors import NpsThemesError

# Markup and emoji codes are off: paths, column names, group values and comments come from users' files, and
# "[/x]" or ":smile:" in them must print as they are. Styles are given with ``style=`` or rich Text instead.
out = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)

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
    "--model",
    type=click.Path(path_type=Path),
    help="Model directory (default: the shipped model). A model is code: its model.joblib is a pickle that runs "
    "when loaded. Its SHA-256 is checked against manifest.json first, which catches corruption and tampering with "
    "the file, not a malicious model with a matching manifest: only load models from sources you trust.",
)


def _jobs(ctx: Any, param: Any, value: str) -> int | str:
    if value == "auto":
        return value
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n == 0:
        raise click.BadParameter(f"expected a whole number other than 0 (-1: every core) or auto; got {value!r}")
    return n


jobs_option = click.option(
    "--jobs",
    "n_jobs",
    default="auto",
    show_default=True,
    callback=_jobs,
    help="Processes to tag in: a number, -1 for every core, or auto (every core from 20,000 distinct comments "
    "on). The results are the same.",
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


#: Library messages name parameters in backquotes (`score_column`); printed here, they name the flag instead.
FLAG_OF = {
    "score_column": "--score-column",
    "comment_column": "--comment-column",
    "date_column": "--date-column",
    "period": "--period",
    "redact": "--redact",
    "model": "--model",
    "out": "--out",
    "heldout": "--heldout",
    "webhook": "--webhook",
    "routing": "--routing",
    "state": "--state",
    "rejects": "--rejects",
    "by": "--by",
}
_PARAM = re.compile(r"`([a-z_]+)`")


def flags(message: str) -> str:
    """``message`` with the parameter names it quotes (`score_column`) given as this command line's flags."""
    return _PARAM.sub(lambda m: FLAG_OF.get(m.group(1), m.group(0)), message)


def _warn(message: str) -> None:
    err.print(clean(f"warning: {flags(str(message))}"))


def _showwarning(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
    """Python warnings (a model built with another spaCy version) as one line, not a source location."""
    _warn(str(message))


def _fmt(x: Any, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{digits}f}"


def _nps_text(r: dict[str, Any]) -> str:
    return f"{_fmt(r['nps'])} ({_fmt(r['ci_low'])} to {_fmt(r['ci_high'])}), n={r['n']}"


def _print_load_report(report: Any) -> None:
    err.print(clean(report.summary()))
    parts = getattr(report, "partitions", None) or []
    if parts:
        each = ", ".join(f"{p['rows_read']}={p['rows_accepted']}+{p['rows_rejected']}" for p in parts[:8])
        more = f" and {len(parts) - 8} more" if len(parts) > 8 else ""
        err.print(clean(f"{len(parts)} partitions, each accounted for (read = accepted + rejected): {each}{more}"))
    for w in report.warnings:
        _warn(w)


def _load_accounted(source: Any, rejects: Path | None, outputs: list[Any], **options: Any) -> Any:
    """Load a survey for a command that works on its comments: outputs never over the input, the rejected rows
    written to ``rejects`` when asked, and the row accounting printed (as every command that reads a survey)."""
    from ._io import check_not_input
    from .loading import load_survey
    from .summary import write_rejects

    for path in [*outputs, rejects]:
        if path is not None:
            check_not_input(path, [source])
    survey = load_survey(source, **options)
    if rejects is not None:
        write_rejects(survey, rejects)
    _print_load_report(survey.report)
    return survey


@cli.command("nps")
@survey_input
@grouping
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option(
    "--ci",
    type=click.Choice(["wald", "adjusted", "bootstrap"]),
    default="wald",
    show_default=True,
    help="Interval method: wald, adjusted (better at small n) or bootstrap.",
)
@click.option(
    "--min-n",
    type=click.IntRange(1),
    default=30,
    show_default=True,
    help="Groups smaller than this are flagged as small samples.",
)
def nps_cli(file, sample, score_column, comment_column, date_column, sheet, rejects, by, period, fmt, ci, min_n):
    """NPS with a 95 % interval, overall and by group or period."""
    from .summary import nps_summary

    result = nps_summary(
        _source(file, sample),
        by=list(by),
        period=period,
        method=ci,
        min_n=min_n,
        score_column=score_column,
        comment_column=comment_column,
        date_column=date_column,
        sheet=sheet,
        rejects=rejects,
    )
    _print_load_report(result["load_report"])
    payload = {k: v for k, v in result.items() if k not in ("load_report", "groups_frame")}
    if fmt == "json":
        sys.stdout.write(json.dumps(_jsonable(payload), ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        import pandas as pd

        frame = result.get("groups_frame")
        if frame is None:
            frame = pd.DataFrame([{k: payload[k] for k in payload if k != "rejected_reasons"}])
        from ._io import guard_formulas

        # a table for the terminal or a pipe: control characters in group values and headers shown as escapes
        # (\x1b), never sent raw; spreadsheet formulas guarded
        frame = guard_formulas(frame)
        frame.columns = [clean(c) for c in frame.columns]
        for k in range(frame.shape[1]):
            if frame.iloc[:, k].dtype == object or pd.api.types.is_string_dtype(frame.iloc[:, k]):
                frame.isetitem(k, frame.iloc[:, k].map(lambda v: clean(v) if isinstance(v, str) else v))
        sys.stdout.write(frame.to_csv(index=False))
        return
    out.print(
        Text(f"NPS {_nps_text(payload)}", style="bold"),
        f" "
        f"promoters {payload['promoters']} / passives {payload['passives']} / detractors {payload['detractors']}"
        f"  ({payload['method']} 95 % interval)",
    )
    if "groups" in payload:
        keys = result["group_keys"]
        table = Table(show_header=True, header_style="bold")
        for k in keys:
            table.add_column(clean(k))
        for col in ("n", "NPS", "95 % interval", "prom.", "pass.", "detr."):
            table.add_column(col, justify="right")
        if period:
            table.add_column("change", justify="right")
        for g in payload["groups"]:
            row = [clean(g[k]) for k in keys] + [
                str(g["n"]) + (" (small)" if g["small_sample"] else ""),
                _fmt(g["nps"]),
                f"{_fmt(g['ci_low'])} to {_fmt(g['ci_high'])}",
                str(g["promoters"]),
                str(g["passives"]),
                str(g["detractors"]),
            ]
            if period:
                ch = g.get("change")
                row.append(
                    ""
                    if ch is None or (isinstance(ch, float) and math.isnan(ch))
                    else f"{ch:+.1f}{' *' if g.get('change_significant') else ''}"
                )
            table.add_row(*row)
        out.print(table)
        if period:
            out.print("* change from the previous period is significant (two-sided z test, p < 0.05)")


@cli.command("analyze")
@survey_input
@model_option
@click.option(
    "--by",
    "by",
    multiple=True,
    help="Segment by this column (repeatable; default: channel, agent, segment, team and industry where present).",
)
@click.option("--period", type=PERIODS, default="month", show_default=True, help="Period of the trend views.")
@click.option(
    "--id-column",
    help="Name of the customer or response id column, which followup.csv uses to call detractors back "
    "(default: detected).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("npsthemes-report"),
    show_default=True,
    help="Output directory.",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "fi", "sv"]),
    default="en",
    show_default=True,
    help="Language of the report's labels.",
)
@click.option(
    "--min-mentions",
    type=click.IntRange(1),
    default=10,
    show_default=True,
    help="Fewer mentions than this in a direction: too thin to rank.",
)
@click.option(
    "--bootstrap",
    "n_boot",
    type=click.IntRange(100),
    default=2000,
    show_default=True,
    help="Bootstrap resamples for the impact intervals (seeded).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
@click.option(
    "--redact",
    is_flag=True,
    help="Mask personal data in responses.csv and rejects.csv too (comments, "
    "evidence, contact-data columns). The report's quotes are always masked; followup.csv is not.",
)
@jobs_option
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="dask: read, validate and tag on a Dask cluster (FILE may be a glob such as 'exports/*.parquet' or a "
    "directory; needs the dask extra). The numbers are those of the local engine.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="With --engine dask: the scheduler to use (tcp://host:8786; default: a local cluster, a worker per core). "
    "Connect only to clusters you trust: the model is sent to the workers as a pickle.",
)
def analyze_cli(
    file,
    sample,
    score_column,
    comment_column,
    date_column,
    sheet,
    rejects,
    model,
    by,
    period,
    id_column,
    out_dir,
    lang,
    min_mentions,
    n_boot,
    seed,
    redact,
    n_jobs,
    engine,
    scheduler,
):
    """The main job: strengths and development areas by theme, with impact on NPS, segments and trends."""
    from ._io import check_not_input, check_output_dir
    from .analysis import OUTPUT_FILES, analyze

    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    source = _source(file, sample)
    if engine == "dask" and not sample:
        source = str(source)  # a glob or directory of partitions, read on the cluster
    check_output_dir(out_dir, OUTPUT_FILES, [source])  # before the long work, not after it
    if rejects is not None:
        check_not_input(rejects, source)
    with _Progress("analysing") as prog:

        def progress(text: str, done: int | None, total: int | None) -> None:
            prog.step(text)
            if done is not None and total:
                prog.count(done, total)

        analysis = analyze(
            source,
            model,
            by=list(by) or None,
            period=period,
            lang=lang,
            n_boot=n_boot,
            seed=seed,
            min_mentions=min_mentions,
            redact=redact,
            progress=progress,
            n_jobs=n_jobs,
            engine=engine,
            scheduler=scheduler,
            score_column=score_column,
            comment_column=comment_column,
            date_column=date_column,
            id_column=id_column,
            sheet=sheet,
        )
        prog.step("writing")
        paths = analysis.write(out_dir)
    if rejects is not None:
        from .summary import write_rejected_rows

        write_rejected_rows(analysis.rejected, rejects, analysis.load_report.source)
    _print_load_report(analysis.load_report)
    for w in analysis.write_warnings + analysis.warnings():
        _warn(w)
    o = analysis.overall
    out.print(
        Text(f"NPS {_nps_text(o)}", style="bold"),
        f" (promoters {o['promoters']}, passives {o['passives']}, "
        f"detractors {o['detractors']}); themes found in {_pct(analysis.coverage['coverage'])} % of comments",
    )
    for sentence in analysis.verdict():
        out.print(clean(sentence))
    labels = analysis.themes.set_index("theme")["label"]
    # compact enough for an 80-column terminal: long labels are cut, numbers never wrap
    table = Table(
        "",
        "theme",
        "NPS pts",
        "95 % interval",
        "+/-",
        header_style="bold",
        title="Fix first (what criticism costs) and keep (what praise adds), NPS points",
        title_justify="left",
    )
    table.columns[1].overflow = "ellipsis"
    table.columns[1].max_width = 28
    for col in table.columns[2:]:
        col.no_wrap = True
        col.justify = "right"
    for r in analysis.development_areas.head(5).itertuples():
        table.add_row(
            Text("fix", style="red"),
            clean(labels[r.theme]),
            f"{-r.points_at_stake:+.1f}",
            f"{-r.points_at_stake_ci_high:+.1f} to {-r.points_at_stake_ci_low:+.1f}",
            f"{r.positive}/{r.negative}",
        )
    for r in analysis.strengths.head(5).itertuples():
        table.add_row(
            Text("keep", style="green"),
            clean(labels[r.theme]),
            f"{r.impact_positive:+.1f}",
            f"{r.impact_positive_ci_low:+.1f} to {r.impact_positive_ci_high:+.1f}",
            f"{r.positive}/{r.negative}",
        )
    if table.row_count:
        out.print(table)
    else:
        out.print("No theme qualifies as a strength or a development area with the evidence at hand.")
    thin = analysis.themes[analysis.themes["status"].isin(["uncertain", "too_few_mentions"])]["label"].tolist()
    if thin:
        out.print(clean("evidence too thin to rank: " + ", ".join(thin)))
    out.print(
        clean(
            f"report: {paths['report.html']}  (also "
            + ", ".join(str(p.name) for k, p in paths.items() if k != "report.html")
            + f" in {out_dir})"
        )
    )


def _plain(value: Any, limit: int | None = None) -> str:
    """User-controlled text for the terminal (see :func:`clean`), cut at ``limit`` characters."""
    text = clean("" if value is None else value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _webhook_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from .alerts import validate_webhook_url
    from .errors import AlertConfigError

    try:
        return validate_webhook_url(value)
    except AlertConfigError as exc:
        raise click.BadParameter(exc.message.removeprefix("webhook URL: ")) from None


@cli.command("alerts")
@survey_input
@model_option
@click.option(
    "--threshold",
    type=click.IntRange(0, 10),
    default=6,
    show_default=True,
    help="Alert on every response with this score or less.",
)
@click.option(
    "--routing",
    type=click.Path(path_type=Path),
    help="Routing file (YAML or JSON): rules giving each alert its owner. Default: the criticised theme "
    "with the most NPS points at stake, or (unrouted).",
)
@click.option(
    "--state",
    type=click.Path(path_type=Path),
    help="SQLite state file: a rerun alerts only new detractors and retries failed deliveries; "
    "concurrent runs never send twice. Without it every detractor in FILE is an alert.",
)
@click.option(
    "--webhook",
    metavar="URL",
    callback=_webhook_url,
    help="POST each alert as JSON to this http(s) URL. Without it alerts are only written to --out "
    "(and recorded in --state).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Send nothing and change nothing (no webhook call, state not written); report what would be "
    "sent. --out is still written, as the preview.",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path),
    help="Write this run's alerts: .csv, .xlsx or .jsonl (also .json, .parquet).",
)
@click.option(
    "--no-redact",
    is_flag=True,
    help="Keep comments as written (default: e-mail addresses, phone numbers, IBANs, payment cards and "
    "Finnish and Swedish personal identity codes are masked; see npsthemes.privacy).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds to wait for the webhook on each attempt.",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 20),
    default=3,
    show_default=True,
    help="Retries of a failed delivery (timeouts, 408, 429, 5xx), with exponential backoff.",
)
def alerts_cli(
    file,
    sample,
    score_column,
    comment_column,
    date_column,
    sheet,
    rejects,
    model,
    threshold,
    routing,
    state,
    webhook,
    dry_run,
    out_path,
    no_redact,
    timeout,
    retries,
):
    """Detractor alerts: every response scoring THRESHOLD (6) or less goes at once to its owner."""
    from .alerts import run_alerts
    from .errors import DeliveryError

    with _Progress("alerts") as prog:

        def progress(text: str, done: int | None, total: int | None) -> None:
            prog.step(text)
            if done is not None and total:
                prog.count(done, total)

        run = run_alerts(
            _source(file, sample),
            model,
            threshold=threshold,
            routing=routing,
            state=state,
            webhook=webhook,
            dry_run=dry_run,
            out=out_path,
            redact=not no_redact,
            timeout=timeout,
            retries=retries,
            progress=progress,
            rejects=rejects,
            score_column=score_column,
            comment_column=comment_column,
            date_column=date_column,
            sheet=sheet,
        )
    err.print(_plain(run.load_report.summary()))
    for w in run.warnings:
        err.print(f"warning: {flags(_plain(w))}")
    out.print(_plain(run.summary()))
    owners = run.owners()
    if owners:
        out.print("owners: " + ", ".join(f"{_plain(o, 60)} {n}" for o, n in owners.items()))
    if len(run.alerts):
        shown = run.alerts.head(10)
        for r in shown.itertuples():
            out.print(
                f"  {_plain(r.status):<12} {_plain(r.owner, 24):<24} {r.score:>2}  row {r.source_row:<6} "
                f"{_plain(r.comment, 70)}"
            )
        if len(run.alerts) > len(shown):
            out.print(
                f"... and {len(run.alerts) - len(shown)} more" + (f" (all in {_plain(out_path)})" if out_path else "")
            )
    if out_path is not None:
        out.print(f"alerts written to {_plain(out_path)}")
    if run.failed_now:
        where = (
            f"kept pending in {run.state}; the next run retries them"
            if run.state is not None
            else "no --state, so nothing keeps them: they are listed with status 'failed'"
            + (f" in {out_path}" if out_path else "")
            + "; rerun to send them"
        )
        last = run.alerts.loc[run.alerts["status"].isin(["pending", "failed"]), "last_error"].dropna()
        raise DeliveryError(
            f"{run.failed_now} alert(s) could not be delivered to {run.webhook} ({where})"
            + (f"; last error: {_plain(last.iloc[-1])}" if len(last) else "")
        )


class _Progress:
    """A rich progress display for long work (spinner with the current step, or a bar with counts)."""

    def __init__(self, description: str):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._p = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        self._task = self._p.add_task(description, total=None)

    def __enter__(self) -> _Progress:
        self._p.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._p.__exit__(*exc)

    def step(self, text: str) -> None:
        self._p.update(self._task, description=text)
        if not err.is_terminal and text != getattr(self, "_last", None):
            err.print(f"{text} ...")
        self._last = text

    def count(self, done: int, total: int) -> None:
        self._p.update(self._task, completed=done, total=total)


def _pct(x: Any) -> str:
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return pct(x)
    return "-" if x is None else clean(x)


def _print_metrics(res: dict[str, Any]) -> None:
    out.print(
        Text(f"n={res['n']}", style="bold"),
        f" micro P {_pct(res['micro_precision'])}  R {_pct(res['micro_recall'])}  "
        f"F1 {_pct(res['micro_f1'])}  macro F1 {_pct(res['macro_f1'])}  polarity accuracy "
        f"{_pct(res['polarity_accuracy'])}  coverage {_pct(res['coverage'])} %",
    )
    if res.get("language_accuracy") is not None:
        out.print(f"language detection accuracy {_pct(res['language_accuracy'])} %")
    table = Table("theme", "precision", "recall", "F1", "support", header_style="bold")
    for t, v in res["per_theme"].items():
        table.add_row(clean(t), _pct(v["precision"]), _pct(v["recall"]), _pct(v["f1"]), str(v["support"]))
    out.print(table)
    if res.get("per_language"):
        table = Table("language", "n", "micro F1", "polarity accuracy", header_style="bold")
        for lang, v in res["per_language"].items():
            table.add_row(clean(lang), str(v["n"]), _pct(v["micro_f1"]), _pct(v["polarity_accuracy"]))
        out.print(table)


@cli.command("train")
@click.argument("labeled", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Model directory to write.")
@click.option(
    "--taxonomy",
    type=click.Path(path_type=Path),
    help="Taxonomy JSON; labels outside it are errors (default: the themes found in the labels).",
)
@click.option(
    "--heldout",
    type=click.Path(path_type=Path),
    help="Labelled held-out file to evaluate on (not needed when LABELED has a train/test 'split' column).",
)
@click.option("--name", default="custom", show_default=True, help="Model name for the manifest.")
@click.option("--model-version", default="1.0.0", show_default=True, help="Model version for the manifest.")
@click.option(
    "--independent",
    type=click.Path(path_type=Path),
    help="A second labelled file, written separately from the training data, to evaluate on as well.",
)
@click.option("--description", help="One-line description for the manifest and model card.")
@click.option(
    "--limits",
    "limits_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A text file of known weaknesses (one per line) to state in the manifest and model card.",
)
@click.option(
    "--embedding-model",
    type=click.Path(path_type=Path),
    help="Local sentence-transformers model directory to add embedding features (extra 'embeddings').",
)
@click.option("--score-scale", help="Scores on another scale, WORST-BEST: 1-5 (CSAT), 5-1 (NHS FFT); mapped to 0-10.")
@click.option("--C", "C", type=click.FloatRange(min=0, min_open=True), help="Theme detector regularisation C.")
@click.option(
    "--threshold-objective",
    type=click.Choice(["micro_f1", "theme_f1"]),
    help="What the per-theme thresholds maximise (default micro_f1).",
)
@click.option(
    "--min-themes",
    type=click.Choice(["auto", "0", "1"]),
    help="1: every comment with words gets a theme; 0: never forced; auto (default): 1 if every training "
    "comment has one.",
)
@click.option("--languages", help="Comma-separated languages to support (default: those of the labels, else fi,sv,en).")
@click.option(
    "--base",
    default="auto",
    show_default=True,
    help="Labelled comments yours are added to: 'default' (the shipped corpus), 'none', or a file. 'auto': the "
    "shipped corpus when --taxonomy holds every default theme.",
)
@click.option(
    "--own-weight",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Weight of your comments against the base corpus's.",
)
@click.option(
    "--n-jobs",
    type=int,
    default=1,
    show_default=True,
    help="Threads fitting the themes' regressions (-1: every core); the model is the same either way. On a "
    "2-core machine one thread was faster (benchmarks/categories.py).",
)
def train_cli(
    labeled,
    out_dir,
    taxonomy,
    heldout,
    name,
    model_version,
    independent,
    description,
    limits_file,
    embedding_model,
    score_scale,
    C,
    threshold_objective,
    min_themes,
    languages,
    base,
    own_weight,
    n_jobs,
):
    """Train a theme model on labelled comments (text, labels 'theme:polarity;...', optional score, language).

    Several LABELED files merge without duplicates: a later file's row replaces an earlier row with the same id
    or text (a corrected batch over earlier labels)."""
    from .errors import DataError
    from .training import train_model

    limits = None
    if limits_file is not None:
        try:
            text = limits_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"{limits_file}: cannot read the limits file ({exc})", param="limits") from exc
        limits = [line.strip().lstrip("-").strip() for line in text.splitlines() if line.strip()]

    params: dict[str, Any] = {"embedding_model": str(embedding_model)} if embedding_model else {}
    if C is not None:
        params["theme_detector__C"] = C
    if n_jobs not in (None, 1):
        params["theme_detector__n_jobs"] = n_jobs
    if threshold_objective:
        params["threshold_tuner__objective"] = threshold_objective
    if min_themes is not None:
        params["min_themes"] = min_themes if min_themes == "auto" else int(min_themes)
    if languages:
        params["text__languages"] = tuple(x.strip().lower() for x in languages.split(",") if x.strip())
    with _Progress("training") as prog:
        model = train_model(
            list(labeled),
            taxonomy=taxonomy,
            base=None if base.lower() == "none" else (base if base.lower() in ("auto", "default") else Path(base)),
            own_weight=own_weight,
            heldout=heldout,
            out=out_dir,
            name=name,
            version=model_version,
            params=params or None,
            progress=prog.step,
            description=description,
            limits=limits,
            score_scale=score_scale,
            independent=(f"Independent set {independent.name}, written separately from the training data", independent)
            if independent
            else None,
        )
    td = model.manifest["training_data"]
    via = f", of which {td['base']['n']} from {td['base']['source']}" if "base" in td else ""
    out.print(
        clean(f"model written to {out_dir} ({len(model.classifier.classes_)} themes, {td['n']} training comments{via})")
    )
    if "heldout" in model.metrics:
        out.print("held-out evaluation:")
        _print_metrics(model.metrics["heldout"])


@cli.command("rules-model")
@click.argument("taxonomy", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Model directory to write.")
@click.option("--heldout", type=click.Path(path_type=Path), help="Labelled comments to evaluate the rules on.")
@click.option("--name", default="rules", show_default=True, help="Model name for the manifest.")
@click.option("--model-version", default="1.0.0", show_default=True, help="Model version for the manifest.")
def rules_model_cli(taxonomy, out_dir, heldout, name, model_version):
    """Build a rules-only model from a taxonomy whose themes carry rules (no labelled comments needed)."""
    from .training import rules_model

    with _Progress("building") as prog:
        model = rules_model(
            taxonomy, heldout=heldout, out=out_dir, name=name, version=model_version, progress=prog.step
        )
    out.print(clean(f"rules-only model written to {out_dir} ({len(model.classifier.classes_)} themes)"))
    if "heldout" in model.metrics:
        out.print("held-out evaluation:")
        _print_metrics(model.metrics["heldout"])


@cli.command("evaluate")
@click.argument("labeled", type=click.Path(path_type=Path))
@model_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--cv",
    type=click.IntRange(2, 20),
    help="Instead: K-fold cross-validation on LABELED with the model's parameters (trains K models).",
)
@click.option("--score-scale", help="Scores on another scale, WORST-BEST: 1-5 (CSAT), 5-1 (NHS FFT); mapped to 0-10.")
@click.option(
    "--predictions",
    "predictions_path",
    type=click.Path(path_type=Path),
    help="Also write each comment's gold and predicted labels (.csv, .jsonl or .parquet).",
)
def evaluate_cli(labeled, model, fmt, cv, score_scale, predictions_path):
    """Evaluate a model on labelled comments: theme P/R/F1, polarity accuracy, coverage, per theme and language."""
    from .training import cross_validate_model, evaluate_model

    if cv:
        from .persistence import inspect_model
        from .taxonomy import Taxonomy

        manifest = inspect_model(model)
        rules = Taxonomy.from_dict(manifest["taxonomy"], source=str(model or "the default model")).rules()
        with _Progress("cross-validating") as prog:
            res = cross_validate_model(
                labeled,
                k=cv,
                params=manifest.get("params", {}),
                rules=rules,
                progress=prog.step,
                score_scale=score_scale,
            )
        if fmt == "json":
            sys.stdout.write(json.dumps(_jsonable(res), ensure_ascii=False, indent=2) + "\n")
        else:
            for key in ("micro_f1", "macro_f1", "polarity_accuracy", "coverage"):
                out.print(f"{key}: {_pct(res[key + '_mean'])} +- {_pct(res[key + '_std'])} (k={cv})")
        return
    with _Progress("evaluating"):
        res = evaluate_model(model, labeled, score_scale=score_scale, predictions=predictions_path)
    if fmt == "json":
        sys.stdout.write(json.dumps(_jsonable(res), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_metrics(res)


def _model_arg(value: str) -> Path | None:
    return None if value.lower() == "default" else Path(value)


@cli.command("compare")
@click.argument("model_a")
@click.argument("model_b")
@click.argument("labeled", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--n-boot", type=click.IntRange(100, 100_000), default=2000, show_default=True, help="Bootstrap resamples."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
@click.option("--score-scale", help="Scores on another scale, WORST-BEST: 1-5 (CSAT), 5-1 (NHS FFT); mapped to 0-10.")
def compare_cli(model_a, model_b, labeled, fmt, n_boot, seed, score_scale):
    """Compare models MODEL_A and MODEL_B (directories, or 'default') on the same labelled comments that neither was
    trained on: metrics side by side and a paired bootstrap interval of B - A in micro F1 and polarity accuracy.
    Only load models from sources you trust (a model file is code)."""
    from .adaptation import compare_models

    with _Progress("comparing"):
        res = compare_models(
            _model_arg(model_a), _model_arg(model_b), labeled, n_boot=n_boot, random_state=seed, score_scale=score_scale
        )
    if fmt == "json":
        sys.stdout.write(json.dumps(_jsonable(res), ensure_ascii=False, indent=2) + "\n")
        return
    out.print(clean(f"A: {res['a']['name']} ({model_a})   B: {res['b']['name']} ({model_b})"))
    table = Table("metric", "A", "B", "B - A", f"{res['confidence']:.0%} interval", "B ahead", header_style="bold")
    for key, title in (("micro_f1", "micro F1"), ("polarity_accuracy", "polarity accuracy")):
        d = res[key]
        table.add_row(
            title,
            _pct(d["a"]),
            _pct(d["b"]),
            f"{100 * d['difference']:+.1f}",
            f"{100 * d['low']:+.1f} to {100 * d['high']:+.1f}",
            f"{d['share_b_better']:.0%}",
        )
    for key, title in (
        ("micro_precision", "micro precision"),
        ("micro_recall", "micro recall"),
        ("macro_f1", "macro F1"),
    ):
        table.add_row(title, _pct(res["a"][key]), _pct(res["b"][key]), "", "", "")
    out.print(table)
    d = res["micro_f1"]
    verdict = (
        "B is better in micro F1"
        if d["low"] > 0
        else "A is better in micro F1"
        if d["high"] < 0
        else "no measured difference in micro F1 (the interval includes 0)"
    )
    out.print(clean(f"n = {res['n']} comments, {res['n_boot']} paired resamples: {verdict}."))


@cli.command("suggest")
@survey_input
@model_option
@click.option("--n", "n", type=click.IntRange(1, 100_000), default=50, show_default=True, help="How many comments.")
@click.option(
    "--strategy",
    type=click.Choice(["hybrid", "uncertainty", "diverse", "random"]),
    default="hybrid",
    show_default=True,
    help="hybrid: uncertain and random comments alternately; uncertainty: nearest a threshold; diverse: one per "
    "cluster; random: a random sample of the comments.",
)
@click.option(
    "--exclude",
    type=click.Path(path_type=Path),
    help="Labelled comments you already have (left out of the suggestions).",
)
@click.option("--themes", help="Comma-separated themes whose uncertainty counts (default: all of the model's).")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Output file: .csv, .jsonl, .parquet, or .xlsx (a dropdown column per theme).",
)
def suggest_cli(
    file,
    sample,
    score_column,
    comment_column,
    date_column,
    sheet,
    rejects,
    model,
    n,
    strategy,
    exclude,
    themes,
    out_path,
):
    """Suggest the comments whose labels would teach the model most, with its predictions pre-filled in the
    labelled-data format: correct the 'labels' column and train on the file (npsthemes train)."""
    from ._io import check_not_input
    from .adaptation import suggest_for_labeling, write_suggestions
    from .training import _as_model

    source = _source(file, sample)
    check_not_input(out_path, [exclude])
    survey = _load_accounted(
        source,
        rejects,
        [out_path],
        score_column=score_column,
        comment_column=comment_column,
        date_column=date_column,
        sheet=sheet,
    )
    loaded = _as_model(model)
    with _Progress("choosing comments"):
        table = suggest_for_labeling(
            loaded,
            survey,
            n,
            strategy=strategy,
            exclude=exclude,
            themes=[t.strip() for t in themes.split(",") if t.strip()] if themes else None,
        )
    write_suggestions(table, out_path, themes=[str(t) for t in loaded.classifier.classes_])
    langs = ", ".join(f"{k} {v}" for k, v in table["language"].value_counts().items())
    what = "the theme columns" if out_path.suffix.lower() == ".xlsx" else "'labels'"
    out.print(clean(f"{len(table)} comments to label ({langs}) -> {out_path}; correct {what}, then train on it"))


@cli.command("label-issues")
@click.argument("labeled", type=click.Path(path_type=Path))
@click.option(
    "--out", "out_path", required=True, type=click.Path(path_type=Path), help="Output file: .csv, .jsonl or .parquet."
)
@click.option("--k", "k", type=click.IntRange(2, 20), default=5, show_default=True, help="Cross-validation folds.")
@click.option(
    "--min-confidence", type=click.FloatRange(0.5, 1.0), default=0.6, show_default=True, help="List issues this sure."
)
@click.option("--taxonomy", type=click.Path(path_type=Path), help="Taxonomy JSON (its rules are used; default: none).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the folds.")
def label_issues_cli(labeled, out_path, k, min_confidence, taxonomy, seed):
    """Likely mislabelled rows of LABELED, from out-of-fold predictions (each comment predicted by a model trained
    on the other folds): missing, extra or flipped themes, with a confidence and the suggested labels. Read them
    before applying them: the model is wrong too, most of all on rare themes."""
    from ._io import check_not_input, guard_formulas, write_table
    from .adaptation import find_label_issues

    check_not_input(out_path, [labeled, taxonomy])
    with _Progress(f"{k}-fold label check") as prog:
        table = find_label_issues(
            labeled, k=k, min_confidence=min_confidence, taxonomy=taxonomy, random_state=seed, progress=prog.step
        )
    write_table(guard_formulas(table), out_path)
    kinds = ", ".join(f"{n} {kind}" for kind, n in table["issue"].value_counts().items()) or "none"
    out.print(clean(f"{len(table)} suspected label problems ({kinds}) -> {out_path}"))


@cli.command("discover")
@survey_input
@model_option
@click.option("--n", "n", type=click.IntRange(1, 100), default=8, show_default=True, help="At most this many.")
@click.option(
    "--min-size", type=click.IntRange(2, None), default=5, show_default=True, help="Comments a candidate needs."
)
@click.option(
    "--out", "out_path", required=True, type=click.Path(path_type=Path), help="Output file: .csv, .jsonl or .parquet."
)
@click.option(
    "--taxonomy-out",
    type=click.Path(path_type=Path),
    help="Also write the model's taxonomy with the candidates added (JSON), ready to edit and train with.",
)
def discover_cli(
    file, sample, score_column, comment_column, date_column, sheet, rejects, model, n, min_size, out_path, taxonomy_out
):
    """Propose candidate themes from the comments the model leaves untagged or tags weakly: key phrases per
    language, size, detractor share, NPS with interval, masked examples, and a taxonomy entry to edit."""
    from ._io import atomic_write_text, check_not_input, guard_formulas, write_table
    from .discovery import candidates_taxonomy, discover_themes
    from .training import _as_model

    source = _source(file, sample)
    if taxonomy_out is not None:
        check_not_input(taxonomy_out, [out_path])
    survey = _load_accounted(
        source,
        rejects,
        [out_path, taxonomy_out],
        score_column=score_column,
        comment_column=comment_column,
        date_column=date_column,
        sheet=sheet,
    )
    loaded = _as_model(model)
    with _Progress("finding candidate themes"):
        table = discover_themes(survey, loaded, n_candidates=n, min_size=min_size)
    flat = table.drop(columns=["snippet"]).copy()
    for col in ("key_phrases", "examples"):
        flat[col] = flat[col].map(" | ".join)
    write_table(guard_formulas(flat), out_path)
    if taxonomy_out is not None:
        data = candidates_taxonomy(table, loaded.taxonomy)
        atomic_write_text(taxonomy_out, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    for r in table.itertuples():
        nps_txt = f"NPS {r.nps:.0f} ({r.nps_low:.0f} to {r.nps_high:.0f})" if r.scored else "no scores"
        out.print(clean(f"  {r.candidate} [{r.language}] n={r.size}, {nps_txt}: {', '.join(r.key_phrases)}"))
    extra = f"; taxonomy with them -> {taxonomy_out}" if taxonomy_out is not None else ""
    out.print(clean(f"{len(table)} candidate themes -> {out_path}{extra}"))


@cli.command("tag")
@survey_input
@model_option
@click.option(
    "--out", "out_path", required=True, type=click.Path(path_type=Path), help="Output file: .csv, .parquet or .jsonl."
)
@click.option(
    "--redact",
    is_flag=True,
    help="Mask personal data in the output and --rejects (comments, evidence, contact-data columns).",
)
@jobs_option
def tag_cli(file, sample, score_column, comment_column, date_column, sheet, rejects, model, out_path, redact, n_jobs):
    """Tag every row of a survey with NPS category, language, and themes with polarity and probability."""
    from .tagging import tag_file

    with _Progress("tagging") as prog:
        result = tag_file(
            _source(file, sample),
            out_path,
            model=model,
            rejects=rejects,
            progress=prog.count,
            redact=redact,
            n_jobs=n_jobs,
            score_column=score_column,
            comment_column=comment_column,
            date_column=date_column,
            sheet=sheet,
        )
    _print_load_report(result.survey.report)
    tagged = int((result.responses["n_themes"] > 0).sum())
    out.print(
        clean(
            f"{len(result.responses)} accepted responses tagged ({tagged} with at least one theme); "
            f"{result.survey.report.rows_read} rows written (rejected rows with their reason) -> {out_path}"
        )
    )


@cli.command("inspect")
@click.argument("model_dir", required=False, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def inspect_cli(model_dir, fmt):
    """Show a model's manifest (name, versions, themes, thresholds, metrics) without unpickling anything."""
    from .persistence import inspect_model

    manifest = inspect_model(model_dir)
    if fmt == "json":
        sys.stdout.write(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        return

    def d(key: str) -> dict:
        v = manifest.get(key)
        return v if isinstance(v, dict) else {}

    def num(v: Any, spec: str) -> str:
        return format(v, spec) if isinstance(v, (int, float)) and not isinstance(v, bool) else clean(v)

    def listed(key: str) -> str:
        v = manifest.get(key)
        return clean(", ".join(map(str, v)) if isinstance(v, list) else v)

    out.print(
        Text(clean(f"{manifest.get('name')} {manifest.get('model_version')}"), style="bold"),
        clean(f"(format {manifest.get('format_version')}, created {manifest.get('created')})"),
    )
    out.print(clean("versions: " + ", ".join(f"{k} {v}" for k, v in d("versions").items())))
    td = d("training_data")
    out.print(
        clean(
            f"training data: {td.get('source')} ({td.get('n')} comments, sha256 {str(td.get('sha256'))[:16]}...)"
            if td.get("sha256")
            else "training data: none (a rules-only model built from its taxonomy's theme rules)"
        )
    )
    out.print(f"languages: {listed('languages')}; polarities: {listed('polarities')}")
    table = Table("theme", "threshold", header_style="bold")
    for t, v in d("thresholds").items():
        table.add_row(clean(t), num(v, ".3f"))
    out.print(table)
    for key, met in d("metrics").items():
        met = met if isinstance(met, dict) else {}
        out.print(
            clean(
                f"{key}: n={met.get('n')} micro F1 {_pct(met.get('micro_f1'))}, polarity accuracy "
                f"{_pct(met.get('polarity_accuracy'))}, coverage {_pct(met.get('coverage'))} %"
            )
        )
    for name, info in d("files").items():
        info = info if isinstance(info, dict) else {}
        out.print(clean(f"file {name}: {num(info.get('bytes'), ',')} bytes, sha256 {str(info.get('sha256'))[:16]}..."))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``npsthemes`` console script; returns the exit code.

    Errors end in one line on stderr: 1 for data, model and output errors, 2 for usage errors, 130 when
    interrupted (Ctrl-C). An unexpected exception (a bug) is also reported in one line, exit code 1; set
    ``NPSTHEMES_DEBUG=1`` to see its traceback (the test suite sets it so that bugs fail loudly).
    """
    import warnings

    shown, warnings.showwarning = warnings.showwarning, _showwarning
    try:
        return _main(argv)
    finally:
        warnings.showwarning = shown


def _main(argv: list[str] | None) -> int:
    try:
        rv = cli.main(args=argv, prog_name="npsthemes", standalone_mode=False)
    except NpsThemesError as exc:
        err.print(clean(flags(f"Error: {exc}")))
        return 1
    except click.UsageError as exc:
        _usage_error(exc)
        return 2
    except click.Abort:
        err.print("Interrupted.")
        return 130
    except click.ClickException as exc:
        err.print(clean(f"Error: {exc.format_message()}"))
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("Interrupted.")
        return 130
    except BrokenPipeError:  # `npsthemes nps ... | head`
        _silence_stdout()
        return 1
    except RecursionError:
        err.print("Error: [E100] the input is nested too deeply to process")
        return 1
    except MemoryError:
        err.print("Error: [E100] not enough memory for this input")
        return 1
    except Exception as exc:
        if os.environ.get("NPSTHEMES_DEBUG"):
            raise
        err.print(
            clean(
                f"Error: [E999] internal error (a bug in npsthemes {__version__}; please report it with "
                f"the command that caused it; NPSTHEMES_DEBUG=1 shows the traceback): "
                f"{type(exc).__name__}: {exc}"
            )
        )
        return 1
    return rv if isinstance(rv, int) else 0


def _usage_error(exc: click.UsageError) -> None:
    hint = ""
    if exc.ctx is not None:
        hint = f"\nTry '{exc.ctx.command_path} {exc.ctx.help_option_names[0]}' for help."
    err.print(clean(f"Error: {exc.format_message()}") + hint)


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so Python's exit flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    from ._entry import run

    run()
