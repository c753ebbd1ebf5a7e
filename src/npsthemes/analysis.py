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

from . import insights
from ._io import jsonable
from .errors import DataError
from .loading import LoadReport, Survey, _ensure_survey
from .persistence import Model, load_model
from .stats import SMALL_SAMPLE_N, nps, nps_by
from .summary import rejected_rows, rejects_csv
from .tagging import tag_survey, tagged_rows_for_export
from .taxonomy import Taxonomy

__all__ = ["Analysis", "analyze", "DEFAULT_SEGMENT_COLUMNS"]

DEFAULT_SEGMENT_COLUMNS = ("channel", "agent", "segment", "team", "industry")
OUTPUT_FILES = ("report.html", "report.xlsx", "responses.csv", "followup.csv", "rejects.csv", "summary.json")


@dataclass
class Analysis:
    """The result of :func:`analyze`. DataFrame attributes: ``themes`` (one row per theme), ``strengths`` and
    ``development_areas`` (ranked subsets of ``themes``), ``segments`` (NPS per segment of each grouping column),
    ``theme_segments`` (theme x segment), ``trend`` (NPS per period with change and significance),
    ``theme_trend``, ``score_change`` (NPS change split across themes), ``responses`` (accepted rows with
    category, language, themes), ``mentions`` (one row per theme mention), ``untagged_words``,
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

    # ------------------------------------------------------------------ outputs
    def summary(self) -> dict[str, Any]:
        """The content of summary.json (a stable interface; see the README)."""
        themes = []
        for r in self.themes.to_dict(orient="records"):
            themes.append({
                "theme": r["theme"], "label": r["label"], "mentions": r["mentions"], "positive": r["positive"],
                "negative": r["negative"], "share": r["share"], "theme_nps": r["theme_nps"],
                "theme_nps_ci_low": r["theme_nps_ci_low"], "theme_nps_ci_high": r["theme_nps_ci_high"],
                "impact": r["impact"], "impact_ci_low": r["impact_ci_low"], "impact_ci_high": r["impact_ci_high"],
                "points_at_stake": r["points_at_stake"], "points_at_stake_ci_low": r["points_at_stake_ci_low"],
                "points_at_stake_ci_high": r["points_at_stake_ci_high"], "impact_positive": r["impact_positive"],
                "impact_positive_ci_low": r["impact_positive_ci_low"],
                "impact_positive_ci_high": r["impact_positive_ci_high"], "status": r["status"],
            })
        o = self.overall
        out = {
            "n": o["n"], "nps": o["nps"], "ci_low": o["ci_low"], "ci_high": o["ci_high"],
            "promoters": o["promoters"], "passives": o["passives"], "detractors": o["detractors"],
            "rows_read": self.load_report.rows_read, "rows_rejected": self.load_report.rows_rejected,
            "rejected_reasons": dict(self.load_report.reasons),
            "model": {"name": self.model_info.get("name"), "version": self.model_info.get("version")},
            "coverage": self.coverage,
            "themes": themes,
            "strengths": self.strengths["theme"].tolist(),
            "development_areas": self.development_areas["theme"].tolist(),
            "trend": self.trend.to_dict(orient="records") if len(self.trend) else [],
            "settings": self.settings,
        }
        return jsonable(out)

    def to_json(self) -> str:
        return json.dumps(self.summary(), ensure_ascii=False, indent=2) + "\n"

    def to_html(self, lang: str | None = None) -> str:
        """The self-contained HTML report (labels in ``lang``: en, fi or sv)."""
        from .report import render_html

        return render_html(self, lang or self.settings.get("lang", "en"))

    def excel_bytes(self) -> bytes:
        from .report import render_excel

        return render_excel(self)

    def to_excel(self, path: str | os.PathLike) -> Path:
        from ._io import atomic_write_bytes

        return atomic_write_bytes(path, self.excel_bytes())

    def responses_table(self) -> pd.DataFrame:
        """Every accepted row with category, language, themes, polarities, probabilities and evidence."""
        return self.responses_export if self.responses_export is not None else self.responses

    def render_files(self) -> tuple[dict[str, bytes], list[str]]:
        """Every output file rendered to bytes (name -> content), and warnings about what a format could not
        hold (e.g. control characters removed from the XLSX cells)."""
        from ._io import dataframe_to_bytes, guard_formulas
        from .report import render_excel_counted

        xlsx, warnings = render_excel_counted(self)
        rendered = {
            "report.html": self.to_html().encode("utf-8"),
            "report.xlsx": xlsx,
            "responses.csv": dataframe_to_bytes(guard_formulas(self.responses_table()), "csv"),
            "followup.csv": dataframe_to_bytes(guard_formulas(self.follow_up), "csv"),
            "summary.json": self.to_json().encode("utf-8"),
        }
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

        rendered, self.write_warnings = self.render_files()
        source = self.settings.get("source_path")
        return write_directory(out_dir, rendered, replaceable=OUTPUT_FILES, inputs=[source] if source else [])


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

    Examples
    --------
    >>> from npsthemes import analyze
    >>> from npsthemes.datasets import sample_survey_path
    >>> a = analyze(sample_survey_path())  # doctest: +SKIP
    >>> a.development_areas[["theme", "points_at_stake"]]  # doctest: +SKIP
    """
    if lang not in ("en", "fi", "sv"):
        raise DataError(f"unknown report language {lang!r}; expected en, fi or sv")
    step = progress or (lambda text, done=None, total=None: None)
    step("loading", None, None)
    survey = _ensure_survey(source, **load_options)
    model = model if isinstance(model, Model) else load_model(model)
    step("tagging", 0, len(survey.responses))
    tagged = tag_survey(survey, model, progress=lambda d, t: step("tagging", d, t))
    step("computing", None, None)
    resp = tagged.responses
    mentions = tagged.mentions
    themes = model.taxonomy.ids
    overall = nps(resp)
    overall["rows_read"] = survey.report.rows_read
    overall["rows_rejected"] = survey.report.rows_rejected
    table = insights.theme_table(resp, mentions, themes, n_boot=n_boot, confidence=confidence,
                                 min_mentions=min_mentions, seed=seed)
    table = _label_themes(table, model.taxonomy, lang)
    strengths_ids, dev_ids = insights.rank_themes(table)
    strengths = table.set_index("theme").loc[strengths_ids].reset_index()
    development = table.set_index("theme").loc[dev_ids].reset_index()

    if by is None:
        by_cols = [c for c in DEFAULT_SEGMENT_COLUMNS if c in resp.columns and resp[c].notna().any()]
    else:
        by_cols = list(dict.fromkeys(survey.resolve_column(c) for c in by))  # each column once
    seg_frames, ts_frames = [], []
    for col in by_cols:
        g = nps_by(resp, col, min_n=min_n).rename(columns={col: "segment"})
        g.insert(0, "column", col)
        seg_frames.append(g)
        ts_frames.append(insights.theme_segments(resp, mentions, col, themes, min_n=min_n))
    segments = pd.concat(seg_frames, ignore_index=True) if seg_frames else pd.DataFrame()
    theme_segments = pd.concat(ts_frames, ignore_index=True) if ts_frames else pd.DataFrame()

    has_dates = "date" in resp and resp["date"].notna().any()
    if period and has_dates:
        trend = nps_by(resp, period=period, min_n=min_n).rename(columns={period: "period"})
        theme_trend = insights.theme_trend(resp, mentions, period, themes)
        change = insights.score_change_by_theme(resp, mentions, period)
    else:
        trend, theme_trend, change = pd.DataFrame(), pd.DataFrame(), pd.DataFrame()

    quotes: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for t in themes:
        quotes[t] = {p: insights.representative_quotes(resp, mentions, t, p) for p in ("positive", "negative")}
    stop = frozenset().union(*(model.classifier.preprocessor_.stop_words(x) for x in model.classifier.languages_))
    manifest = model.manifest
    heldout = (manifest.get("metrics") or {}).get("heldout") or {}
    model_info = {
        "name": model.name, "version": model.version, "path": str(model.path) if model.path else None,
        "created": manifest.get("created"), "languages": manifest.get("languages"),
        "taxonomy": f"{model.taxonomy.name} {model.taxonomy.version}",
        "heldout": {k: heldout.get(k) for k in ("n", "micro_precision", "micro_recall", "micro_f1", "macro_f1",
                                                 "polarity_accuracy", "coverage")} if heldout else None,
        "independent": {k: ((manifest.get("metrics") or {}).get("independent") or {}).get(k)
                        for k in ("n", "micro_f1", "polarity_accuracy")}
        if (manifest.get("metrics") or {}).get("independent") else None,
        "training_n": (manifest.get("training_data") or {}).get("n"),
    }
    export = tagged_rows_for_export(tagged, include_rejected=False, redact=redact)
    analysis = Analysis(
        overall=overall, themes=table, strengths=strengths, development_areas=development, segments=segments,
        theme_segments=theme_segments, trend=trend, theme_trend=theme_trend, score_change=change, responses=resp,
        mentions=mentions, coverage=insights.coverage(resp), untagged_words=insights.untagged_words(resp, stop),
        disagreements=insights.score_text_disagreements(resp, mentions), quotes=quotes,
        load_report=survey.report, rejected=rejected_rows(survey, redact), model_info=model_info, taxonomy=model.taxonomy,
        settings={"by": by_cols, "period": period if has_dates else None, "lang": lang, "n_boot": n_boot,
                  "confidence": confidence, "min_mentions": min_mentions, "min_n": min_n, "seed": seed,
                  "source": survey.report.source,
                  "source_path": None if isinstance(source, pd.DataFrame) or survey.report.source == "DataFrame"
                  else str(survey.report.source)},
        responses_export=export,
        follow_up=insights.follow_up_list(resp, mentions, table),
    )
    return analysis
