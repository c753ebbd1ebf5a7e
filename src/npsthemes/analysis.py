"""`analyze`: from a survey export to strengths and development areas by theme, with intervals, segments,
trends, coverage and review lists (the `analyze` command). The statistics are in :mod:`npsthemes.insights`;
the rendering in :mod:`npsthemes.report`."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import insights, views
from .discovery import discover_untagged
from .errors import DataError
from .loading import LoadReport, Survey, _ensure_survey
from .persistence import Model, load_model
from .stats import PERIODS, SMALL_SAMPLE_N, nps, nps_by, partial_periods
from .summary import rejected_rows, rejects_csv
from .tagging import tag_survey
from .taxonomy import Taxonomy

__all__ = ["Analysis", "analyze", "DEFAULT_SEGMENT_COLUMNS"]

DEFAULT_SEGMENT_COLUMNS = ("channel", "agent", "segment", "team", "industry")
#: responses.csv is written this many rows at a time.
CSV_CHUNK_ROWS = 100_000
OUTPUT_FILES = ("report.html", "report.xlsx", "responses.csv", "followup.csv", "rejects.csv", "summary.json")


@dataclass
class Analysis:
    """The result of :func:`analyze`. DataFrame attributes: ``themes`` (one row per theme), ``strengths`` and
    ``development_areas`` (ranked subsets of ``themes``), ``segments`` (NPS per segment of each grouping column),
    ``theme_segments`` (theme x segment), ``trend`` (NPS per period with change and significance),
    ``theme_trend``, ``score_change`` (NPS change split across themes), ``responses`` (accepted rows with
    category, language, themes), ``mentions`` (one row per theme mention), ``untagged_words``,
    ``candidate_themes`` (themes the taxonomy may miss, see :func:`~npsthemes.discover_themes`),
    ``disagreements``, ``follow_up`` (detractors to contact, see :func:`insights.follow_up_list`). Also
    ``overall`` (dict), ``coverage`` (dict), ``quotes``, ``load_report``, ``rejected``,
    ``model_info``, ``taxonomy`` and ``settings``."""

    overall: dict[str, Any]
    themes: pd.DataFrame
    strengths: pd.DataFrame
    development_areas: pd.DataFrame
    segments: pd.DataFrame
    theme_segments: pd.DataFrame
    trend: pd.DataFrame
    theme_trend: pd.DataFrame
    score_change: pd.DataFrame
    responses: pd.DataFrame
    mentions: pd.DataFrame
    coverage: dict[str, Any]
    untagged_words: pd.DataFrame
    disagreements: pd.DataFrame
    quotes: dict[str, dict[str, list[dict[str, Any]]]]
    load_report: LoadReport
    rejected: pd.DataFrame
    model_info: dict[str, Any]
    taxonomy: Taxonomy
    settings: dict[str, Any] = field(default_factory=dict)
    responses_export: pd.DataFrame | None = field(default=None, repr=False)
    follow_up: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    write_warnings: list[str] = field(default_factory=list, repr=False)
    candidate_themes: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    tagged: Any = field(default=None, repr=False)
    redact: bool = field(default=False, repr=False)

    # ------------------------------------------------------------------ outputs
    def summary(self) -> dict[str, Any]:
        """The content of summary.json (a stable interface: :data:`npsthemes.summary.SUMMARY_SCHEMA`)."""
        from .summary import build_summary

        return build_summary(self)

    def partial_periods(self) -> set[str]:
        """The trend's first and last periods when the data covers them only in part (see
        :func:`npsthemes.stats.partial_periods`); empty without a trend."""
        period = self.settings.get("period")
        if not period or not len(self.trend) or "date" not in self.responses:
            return set()
        return partial_periods(self.responses["date"], period)

    def warnings(self) -> list[str]:
        """What a reader of the outputs must know that the numbers do not say: detractors to follow up without a
        customer id (followup.csv then identifies them only by their row in the file), a requested trend that
        could not be drawn."""
        out = []
        if len(self.follow_up) and ("id" not in self.responses or not self.responses["id"].notna().any()):
            out.append(
                f"no customer id column: followup.csv identifies the {len(self.follow_up)} detractors only by "
                "source_row (their row in the input file); add an id column (id, customer id, asiakasnumero, "
                "kundnummer, ...) or name it with --id-column to call them back"
            )
        if self.settings.get("trend_note"):
            out.append(f"no trend: {self.settings['trend_note']}")
        return out

    def verdict(self, lang: str | None = None) -> list[str]:
        """Two to four plain sentences from the numbers (what to fix first, where it is concentrated, what to
        keep, what changed), each with its interval and n, in ``lang`` (en, fi or sv; default: the report's)."""
        from .verdict import verdict_sentences

        lang = lang or self.settings.get("lang", "en")
        return verdict_sentences(
            self.themes,
            self.strengths,
            self.development_areas,
            self.theme_segments,
            self.trend,
            int(self.coverage.get("commenting", 0)),
            lambda th: self.taxonomy.label(th, lang),
            lang,
            int(self.settings.get("min_n", SMALL_SAMPLE_N)),
            self.partial_periods(),
        )

    def to_json(self) -> str:
        return json.dumps(self.summary(), ensure_ascii=False, indent=2) + "\n"

    def to_html(self, lang: str | None = None) -> str:
        """The self-contained HTML report (labels in ``lang``: en, fi or sv)."""
        from .report import render_html

        lang = lang or self.settings.get("lang", "en")
        return render_html(html_context(self, lang), lang)

    def excel_bytes(self) -> bytes:
        """The workbook: sheets Summary, Drivers (with a chart), Themes, Segments, Trend, Responses, FollowUp (plus
        ThemeSegments and Review). The Responses sheet holds at most ``workbook.EXCEL_MAX_RESPONSES`` rows
        (responses.csv has all)."""
        return self.excel_counted()[0]

    def excel_counted(self) -> tuple[bytes, list[str]]:
        """:meth:`excel_bytes` and the warnings about what XLSX could not hold."""
        from .workbook import render_excel

        return render_excel(excel_sheets(self))

    def to_excel(self, path: str | os.PathLike) -> Path:
        from ._io import atomic_write_bytes

        return atomic_write_bytes(path, self.excel_bytes())

    def responses_table(self) -> pd.DataFrame:
        """Every accepted row with category, language, themes, polarities, probabilities and evidence (what
        responses.csv holds; built when asked for)."""
        if self.responses_export is not None or self.tagged is None:
            return self.responses_export if self.responses_export is not None else self.responses
        return pd.concat(list(self.responses_chunks()), ignore_index=True)

    def responses_chunks(self, rows: int = 100_000) -> Any:
        """:meth:`responses_table` in chunks of ``rows`` rows (how responses.csv is written: never whole in
        memory)."""
        if self.responses_export is not None or self.tagged is None:
            table = self.responses_table()
            for start in range(0, max(len(table), 1), rows):
                yield table.iloc[start : start + rows]
            return
        from .tagging import export_chunks

        yield from export_chunks(self.tagged, redact=self.redact, rows=rows)

    def _write_responses_csv(self, fh: Any) -> None:
        """responses.csv, chunk by chunk (as :func:`~npsthemes._io.dataframe_to_bytes` writes a CSV: UTF-8 with
        BOM, CRLF, formula-guarded)."""
        from ._io import guard_formulas

        first = True
        for chunk in self.responses_chunks(CSV_CHUNK_ROWS):
            text = guard_formulas(chunk).to_csv(index=False, header=first, lineterminator="\r\n")
            fh.write(text.encode("utf-8-sig" if first else "utf-8"))
            first = False

    def render_files(self, stream: bool = False) -> tuple[dict[str, Any], list[str]]:
        """Every output file rendered to bytes (name -> content), and warnings about what a format could not hold
        (e.g. control characters removed from the XLSX cells). With ``stream`` responses.csv, the long one, is a
        function that writes it chunk by chunk to the open binary file it is given (what :meth:`write` does)."""
        import io

        from ._io import dataframe_to_bytes, guard_formulas

        xlsx, warnings = self.excel_counted()
        rendered = {
            "report.html": self.to_html().encode("utf-8"),
            "report.xlsx": xlsx,
            "responses.csv": self._write_responses_csv if stream else b"",
            "followup.csv": dataframe_to_bytes(guard_formulas(self.follow_up), "csv"),
            "summary.json": self.to_json().encode("utf-8"),
        }
        if not stream:
            buf = io.BytesIO()
            self._write_responses_csv(buf)
            rendered["responses.csv"] = buf.getvalue()
        if len(self.rejected):
            rendered["rejects.csv"] = rejects_csv(self.rejected)
        return rendered, warnings

    def write(self, out_dir: str | os.PathLike = "npsthemes-report") -> dict[str, Path]:
        """Render everything first, then write report.html, report.xlsx, responses.csv, followup.csv (the
        detractors to contact), rejects.csv (when any row was rejected) and summary.json as the directory
        ``out_dir``, replaced as a whole: a run that fails half-way leaves the previous report complete.

        An existing ``out_dir`` may only hold an earlier report's files; a directory with other files (or the
        input) is refused, never overwritten. Warnings about what a format could not hold are in
        ``self.write_warnings`` afterwards."""
        from ._io import write_directory

        rendered, self.write_warnings = self.render_files(stream=True)
        source = self.settings.get("source_path")
        return write_directory(out_dir, rendered, replaceable=OUTPUT_FILES, inputs=[source] if source else [])


def _no_progress(text: str, done: int | None = None, total: int | None = None) -> None:
    pass


def html_context(a: Analysis, lang: str) -> dict[str, Any]:
    """The HTML template's data, shaped from the analysis by the pure functions of :mod:`npsthemes.views`."""
    from .insights import NO_THEME
    from .texts import TEXTS

    t = TEXTS[lang]

    def label(theme: str) -> str:
        return t["no_theme_label"] if theme == NO_THEME else a.taxonomy.label(theme, lang)

    def relabel(table: pd.DataFrame) -> pd.DataFrame:  # the tables carry the labels of the analysis's language
        return table.assign(label=[label(x) for x in table["theme"]]) if len(table) else table

    themes, strengths, development = relabel(a.themes), relabel(a.strengths), relabel(a.development_areas)
    min_n = int(a.settings.get("min_n", SMALL_SAMPLE_N))
    partial = a.partial_periods()
    last_change, last_period, prev_period = views.last_period_change(a.score_change, label, [*a.taxonomy.ids, NO_THEME])
    focus = views.focus_themes(development, themes)
    dev_cards, str_cards = views.theme_cards(strengths, development, a.quotes)
    ranked = themes.sort_values(["points_at_stake", "mentions"], ascending=False, kind="stable")
    order = [th for th in ranked["theme"] if th in set(themes.loc[themes["mentions"] > 0, "theme"])]
    by_cols = list(a.settings.get("by") or [])
    polarity_words = {"positive": t["pol_positive"], "negative": t["pol_negative"], "neutral": t["pol_neutral"]}
    return {
        "o": a.overall,
        "verdict": a.verdict(lang),
        "report": a.load_report,
        "cov": a.coverage,
        "label": label,
        "theme_table": themes,
        "trend_table": a.trend,
        "partial": partial,
        "dev_cards": dev_cards,
        "str_cards": str_cards,
        "themes": ranked.to_dict(orient="records"),
        "ts_views": views.theme_segment_views(a.theme_segments, focus, label),
        "driver_views": views.segment_driver_views(a.theme_segments, focus[:4], label, min_n),
        "theme_trend_views": views.theme_trend_views(a.theme_trend, order, label, partial, min_n),
        "segment_groups": views.segment_groups(a.segments),
        "segments": a.segments.to_dict(orient="records") if len(a.segments) else [],
        "trend": a.trend.to_dict(orient="records") if len(a.trend) else [],
        "last_change": last_change,
        "last_period": last_period,
        "prev_period": prev_period,
        "drill": views.drilldown(a.responses, a.mentions, order, label, by_cols),
        "drill_columns": by_cols,
        "max_drill": views.MAX_DRILLDOWN,
        "theme_options": [(th, label(th)) for th in order],
        "untagged": a.untagged_words.to_dict(orient="records"),
        "candidates": a.candidate_themes.to_dict(orient="records"),
        "disagreements": views.review_rows(a.disagreements.head(30), label, polarity_words),
        "n_disagreements": len(a.disagreements),
        "model": a.model_info,
        "settings": a.settings,
        "min_n": min_n,
        "n_follow_up": len(a.follow_up),
        "no_id": "id" not in a.responses.columns or not a.responses["id"].notna().any(),
        "follow_up_routes": views.follow_up_routes(a.follow_up),
        "channel_counts": views.channel_counts(a.responses),
    }


def excel_sheets(a: Analysis) -> dict[str, Any]:
    """The workbook's sheets in order: name -> :class:`~npsthemes.workbook.Sheet` (theme labels in the report's
    language; the Drivers sheet with its chart)."""
    from .insights import NO_THEME
    from .texts import TEXTS
    from .workbook import EXCEL_MAX_RESPONSES, Sheet, capped

    lang = a.settings.get("lang", "en")
    t = TEXTS[lang]

    def label(theme: str) -> str:
        return t["no_theme_label"] if theme == NO_THEME else a.taxonomy.label(theme, lang)

    polarity = {"positive": t["pol_positive"], "negative": t["pol_negative"], "neutral": t["pol_neutral"]}
    summary, formats = views.excel_summary(
        a.overall,
        a.load_report.rows_read,
        a.load_report.rows_rejected,
        a.coverage["coverage"],
        [label(x) for x in a.strengths["theme"]],
        [label(x) for x in a.development_areas["theme"]],
        len(a.follow_up),
        f"{a.model_info['name']} {a.model_info['version']}",
        a.settings.get("source"),
        a.verdict(lang),
    )
    themes = a.themes.assign(label=[label(x) for x in a.themes["theme"]])
    drivers = views.drivers_table(themes, lambda status: t[f"status_{status}"])
    head = next(iter(a.responses_chunks(EXCEL_MAX_RESPONSES)))
    responses, responses_note = capped(head, "responses", "responses.csv", total=len(a.responses))
    responses = views.labelled_for_excel(responses, label, polarity, themes_column="insert")
    if "date" in responses:  # responses.csv's date text (with the times an export has) as dates again
        dates = pd.to_datetime(responses["date"], format="ISO8601", errors="coerce")
        responses["date"] = dates.astype(object).where(dates.notna(), responses["date"])
    trend = a.trend
    if len(trend):
        partial = a.partial_periods()
        trend = trend.assign(partial_period=[p in partial for p in trend["period"]])
    sheets: dict[str, Any] = {
        "Summary": Sheet(summary, row_formats=formats, widths={"metric": 44, "value": 100}),
        "Drivers": Sheet(
            drivers,
            "criticism_costs: NPS points the criticism pulls the NPS down (negative); praise_adds: points the "
            "praise adds; 95 % bootstrap intervals (the chart's error bars)",
            chart={
                "title": f"{t['cost']} / {t['adds']} ({t['points']})",
                "categories": "theme",
                "series": ["criticism_costs", "praise_adds"],
                "colours": ["B3261E", "1A7F4B"],
                "x_title": t["points"],
                "intervals": {
                    "criticism_costs": ("criticism_costs_ci_low", "criticism_costs_ci_high"),
                    "praise_adds": ("praise_adds_ci_low", "praise_adds_ci_high"),
                },
            },
        ),
        "Themes": Sheet(views.labelled_for_excel(themes, label, polarity, theme_column=True)),
        "Segments": Sheet(a.segments if len(a.segments) else pd.DataFrame({"note": ["no grouping columns"]})),
        "Trend": Sheet(trend if len(trend) else pd.DataFrame({"note": ["no dates"]})),
        "Responses": Sheet(responses, responses_note),
        "FollowUp": Sheet(
            *(
                capped(views.labelled_for_excel(a.follow_up, label, polarity), "detractors", "followup.csv")
                if len(a.follow_up)
                else (pd.DataFrame({"note": ["no detractors"]}), None)
            )
        ),
    }
    if len(a.theme_segments):
        sheets["ThemeSegments"] = Sheet(views.labelled_for_excel(a.theme_segments, label, polarity, theme_column=True))
    sheets["Review"] = Sheet(views.labelled_for_excel(a.disagreements, label, polarity))
    return sheets


def _label_themes(table: pd.DataFrame, taxonomy: Taxonomy, lang: str) -> pd.DataFrame:
    table = table.copy()
    table.insert(1, "label", [taxonomy.label(t, lang) for t in table["theme"]])
    return table


def analyze(
    source: Survey | pd.DataFrame | str | os.PathLike,
    model: Model | str | os.PathLike | None = None,
    *,
    by: Sequence[str] | None = None,
    period: str | None = "month",
    lang: str = "en",
    n_boot: int = 2000,
    confidence: float = 0.95,
    min_mentions: int = 10,
    min_n: int = SMALL_SAMPLE_N,
    seed: int = 0,
    redact: bool = False,
    progress: Callable[[str, int | None, int | None], None] | None = None,
    n_jobs: int | str | None = 1,
    engine: str = "local",
    scheduler: Any = None,
    **load_options: Any,
) -> Analysis:
    """Load (unless given a Survey), tag and analyse a survey.

    Parameters
    ----------
    source: a :class:`Survey`, a DataFrame or a path (any format :func:`load_survey` reads).
    model: a :class:`Model`, a model directory, or None for the shipped default model.
    by: grouping columns for segment views; None: every standard grouping column present (channel, agent,
        segment, team, industry).
    period: week, month, quarter or year for the trend views (None: no trend); ignored without a date column.
    lang: language of the report's labels: en, fi or sv.
    n_boot: bootstrap resamples for the impact intervals (seeded with ``seed``: reproducible).
    min_mentions: fewer mentions than this in a direction: evidence too thin to rank.
    redact: mask personal data in responses.csv and rejects.csv too (comments, evidence, contact columns). The
        report's quotes, word lists and review tables are always masked; followup.csv never is (it is for the
        team that calls the customer back).
    n_jobs: processes to tag in (1: this one; -1: one per core; "auto": every core for long inputs). The
        results are the same.
    engine: "local" (this machine) or "dask": read, validate and tag on a Dask cluster (``source`` may then be a
        glob such as ``"exports/*.parquet"``, a directory, a list of files or a dask DataFrame; see
        :mod:`npsthemes.dask_engine`). The numbers are those of the local engine on the partitions in order.
    scheduler: with engine "dask": the scheduler's address or a ``distributed.Client`` (default: the current
        client, else a local cluster with a worker per core, closed afterwards).

    Examples
    --------
    >>> from npsthemes import analyze
    >>> from npsthemes.datasets import sample_survey_path
    >>> a = analyze(sample_survey_path())  # doctest: +SKIP
    >>> a.development_areas[["theme", "points_at_stake"]]  # doctest: +SKIP
    """
    if lang not in ("en", "fi", "sv"):
        raise DataError(f"unknown report language {lang!r}; expected en, fi or sv")
    if engine not in ("local", "dask"):
        raise DataError(f"unknown engine {engine!r}; expected local or dask", param="engine")
    if engine == "dask":
        from .dask_engine import DaskRunner, dask_client, load_survey_dask

        client, close = dask_client(scheduler)
        try:
            (progress or _no_progress)("loading", None, None)
            survey = source if isinstance(source, Survey) else load_survey_dask(source, client, **load_options)
            return analyze(
                survey,
                model,
                by=by,
                period=period,
                lang=lang,
                n_boot=n_boot,
                confidence=confidence,
                min_mentions=min_mentions,
                min_n=min_n,
                seed=seed,
                redact=redact,
                progress=progress,
                n_jobs=DaskRunner(client),  # type: ignore[arg-type]
            )
        finally:
            close()
    step: Callable[[str, int | None, int | None], None] = progress or _no_progress
    if period is not None and period not in PERIODS:
        raise DataError(f"unknown period {period!r}; expected one of {', '.join(PERIODS)} (or None)", param="period")
    step("loading", None, None)
    survey = _ensure_survey(source, **load_options)
    # grouping columns checked right after loading, before the long work (a typo fails in a second)
    if by is None:
        by_cols = [c for c in DEFAULT_SEGMENT_COLUMNS if c in survey.responses and survey.responses[c].notna().any()]
    else:
        by_cols = list(dict.fromkeys(survey.resolve_column(c) for c in by))  # each column once
    model = model if isinstance(model, Model) else load_model(model)
    step("tagging", 0, len(survey.responses))
    tagged = tag_survey(survey, model, progress=lambda d, t: step("tagging", d, t), n_jobs=n_jobs)
    step("computing", None, None)
    resp = tagged.responses
    mentions = tagged.mentions
    themes = model.taxonomy.ids
    overall = nps(resp)
    overall["rows_read"] = survey.report.rows_read
    overall["rows_rejected"] = survey.report.rows_rejected
    table = insights.theme_table(
        resp, mentions, themes, n_boot=n_boot, confidence=confidence, min_mentions=min_mentions, seed=seed
    )
    table = _label_themes(table, model.taxonomy, lang)
    strengths_ids, dev_ids = insights.rank_themes(table)
    strengths = table.set_index("theme").loc[strengths_ids].reset_index()
    development = table.set_index("theme").loc[dev_ids].reset_index()

    seg_frames, ts_frames = [], []
    for col in by_cols:
        g = nps_by(resp, col, min_n=min_n).rename(columns={col: "segment"})
        g.insert(0, "column", col)
        seg_frames.append(g)
        ts_frames.append(insights.theme_segments(resp, mentions, col, themes, min_n=min_n))
    segments = pd.concat(seg_frames, ignore_index=True) if seg_frames else pd.DataFrame()
    theme_segments = pd.concat(ts_frames, ignore_index=True) if ts_frames else pd.DataFrame()

    has_dates = "date" in resp and resp["date"].notna().any()
    trend_note, trend_reason = None, None
    if period and not has_dates:
        if "date" not in resp:
            trend_reason, trend_note = "no_date_column", "no date column was found (name it with `date_column`)"
        else:
            col = survey.report.columns.get("date", "date")
            trend_reason = "no_readable_dates"
            trend_note = f"none of the dates in column {col!r} could be read (see the load warnings)"
    if period and has_dates:
        trend = nps_by(resp, period=period, min_n=min_n).rename(columns={period: "period"})
        theme_trend = insights.theme_trend(resp, mentions, period, themes)
        change = insights.score_change_by_theme(resp, mentions, period)
    else:
        trend, theme_trend, change = pd.DataFrame(), pd.DataFrame(), pd.DataFrame()

    quotes = insights.quotes_by_theme(resp, mentions, themes)
    stop = model.classifier.text_.stop_words()
    manifest = model.manifest
    heldout = (manifest.get("metrics") or {}).get("heldout") or {}
    model_info = {
        "name": model.name,
        "version": model.version,
        "path": str(model.path) if model.path else None,
        "created": manifest.get("created"),
        "languages": manifest.get("languages"),
        "taxonomy": f"{model.taxonomy.name} {model.taxonomy.version}",
        "heldout": {
            k: heldout.get(k)
            for k in ("n", "micro_precision", "micro_recall", "micro_f1", "macro_f1", "polarity_accuracy", "coverage")
        }
        if heldout
        else None,
        "independent": {
            k: ((manifest.get("metrics") or {}).get("independent") or {}).get(k)
            for k in ("n", "micro_f1", "polarity_accuracy")
        }
        if (manifest.get("metrics") or {}).get("independent")
        else None,
        "training_n": (manifest.get("training_data") or {}).get("n"),
    }
    analysis = Analysis(
        overall=overall,
        themes=table,
        strengths=strengths,
        development_areas=development,
        segments=segments,
        theme_segments=theme_segments,
        trend=trend,
        theme_trend=theme_trend,
        score_change=change,
        responses=resp,
        mentions=mentions,
        coverage=insights.coverage(resp),
        untagged_words=insights.untagged_words(resp, stop),
        candidate_themes=discover_untagged(model.classifier, resp),
        disagreements=insights.score_text_disagreements(resp, mentions),
        quotes=quotes,
        load_report=survey.report,
        rejected=rejected_rows(survey, redact),
        model_info=model_info,
        taxonomy=model.taxonomy,
        settings={
            "by": by_cols,
            "period": period if has_dates else None,
            "lang": lang,
            "n_boot": n_boot,
            "confidence": confidence,
            "min_mentions": min_mentions,
            "min_n": min_n,
            "seed": seed,
            "trend_note": trend_note,
            "trend_reason": trend_reason,
            "source": survey.report.source,
            "source_path": None
            if isinstance(source, pd.DataFrame) or survey.report.source == "DataFrame"
            else str(survey.report.source),
        },
        tagged=tagged,
        redact=redact,
        follow_up=insights.follow_up_list(resp, mentions, table),
    )
    return analysis
