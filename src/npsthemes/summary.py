"""`nps_summary`: the overall NPS plus groups, with the loader's row accounting (the `npsthemes nps` command)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ._io import atomic_write_bytes, check_not_input, dataframe_to_bytes, guard_formulas
from .loading import Survey, _ensure_survey
from .stats import SMALL_SAMPLE_N, nps, nps_by

__all__ = ["nps_summary", "write_rejects", "build_summary", "SUMMARY_SCHEMA", "THEME_SCHEMA"]

#: summary.json, the stable interface of `analyze`: every key, in order, with its meaning. The README's table
#: and the tests are checked against this constant.
SUMMARY_SCHEMA: dict[str, str] = {
    "verdict": "two to four plain sentences from the numbers, in the report's language: what to fix first, where "
    "it is concentrated, what to keep, what changed (each with its interval and n)",
    "n": "responses analysed (accepted rows)",
    "nps": "overall NPS (% promoters - % detractors)",
    "ci_low": "lower end of the NPS interval (95 % by default)",
    "ci_high": "upper end of the NPS interval",
    "promoters": "respondents scoring 9-10",
    "passives": "respondents scoring 7-8",
    "detractors": "respondents scoring 0-6",
    "rows_read": "rows in the input",
    "rows_rejected": "rows rejected (rejects.csv says why)",
    "rejected_reasons": "count of rejected rows per reason",
    "model": "the model's `name` and `version`",
    "coverage": "`responses`, `commenting`, `tagged`, `coverage` (share of comments with a theme), `untagged`",
    "candidate_themes": "themes the taxonomy may be missing, from the untagged comments (`candidate`, `language`, "
    "`key_phrases`, `size`, `nps`, `nps_low`, `nps_high`; see `npsthemes discover`)",
    "themes": "one object per theme (keys in THEME_SCHEMA)",
    "strengths": "theme ids to keep, strongest first (a theme is in one of the two lists at most)",
    "development_areas": "theme ids to fix, most NPS points at stake first (a mixed theme is here when its "
    "criticism costs at least what its praise adds)",
    "trend": "per period: `period`, `n`, `nps`, `ci_low`, `ci_high`, `change`, `change_p`, `change_significant`, ...",
    "settings": "the analysis settings (`by`, `period`, `lang`, `n_boot`, `confidence`, `min_mentions`, ...)",
}

#: The keys of each object of summary.json's ``themes``, in order.
THEME_SCHEMA: dict[str, str] = {
    "theme": "theme id",
    "label": "theme label in the report's language",
    "mentions": "respondents mentioning the theme",
    "positive": "mentions with positive polarity",
    "negative": "mentions with negative polarity",
    "share": "share of commenting respondents mentioning it",
    "theme_nps": "NPS of the respondents mentioning it",
    "theme_nps_ci_low": "its interval, low",
    "theme_nps_ci_high": "its interval, high",
    "impact": "NPS(all) - NPS(all but those mentioning it)",
    "impact_ci_low": "bootstrap interval, low",
    "impact_ci_high": "bootstrap interval, high",
    "points_at_stake": "NPS gained without the respondents criticising it",
    "points_at_stake_ci_low": "bootstrap interval, low",
    "points_at_stake_ci_high": "bootstrap interval, high",
    "impact_positive": "NPS lost without the respondents praising it",
    "impact_positive_ci_low": "bootstrap interval, low",
    "impact_positive_ci_high": "bootstrap interval, high",
    "status": "strength, development_area, both, uncertain, too_few_mentions or not_mentioned",
}


def build_summary(analysis: Any) -> dict[str, Any]:
    """summary.json's content from an :class:`~npsthemes.analysis.Analysis` (keys of :data:`SUMMARY_SCHEMA`)."""
    from ._io import jsonable

    a = analysis
    o = a.overall
    values = {
        "verdict": a.verdict(),
        **{k: o[k] for k in ("n", "nps", "ci_low", "ci_high", "promoters", "passives", "detractors")},
        "rows_read": a.load_report.rows_read,
        "rows_rejected": a.load_report.rows_rejected,
        "rejected_reasons": dict(a.load_report.reasons),
        "model": {"name": a.model_info.get("name"), "version": a.model_info.get("version")},
        "coverage": a.coverage,
        "candidate_themes": [
            {k: r[k] for k in ("candidate", "language", "key_phrases", "size", "nps", "nps_low", "nps_high")}
            for r in a.candidate_themes.to_dict(orient="records")
        ],
        "themes": [{k: r[k] for k in THEME_SCHEMA} for r in a.themes.to_dict(orient="records")],
        "strengths": a.strengths["theme"].tolist(),
        "development_areas": a.development_areas["theme"].tolist(),
        "trend": a.trend.to_dict(orient="records") if len(a.trend) else [],
        "settings": a.settings,
    }
    return jsonable({k: values[k] for k in SUMMARY_SCHEMA})


def rejects_csv(rejected: pd.DataFrame) -> bytes:
    """Rejected rows (source_row, reason, original columns) as CSV bytes, guarded against formula injection."""
    return dataframe_to_bytes(guard_formulas(rejected), "csv")


def write_rejects(survey: Survey, path: str | os.PathLike, redact: bool = False) -> None:
    """Write the rejected rows to a CSV file, atomically (only the header when no row was rejected, so an
    earlier run's rejects never stay behind); never over the input file. With ``redact`` personal data in the
    comment and contact columns is masked."""
    write_rejected_rows(rejected_rows(survey, redact), path, survey.report.source)


def rejected_rows(survey: Survey, redact: bool = False) -> pd.DataFrame:
    """The survey's rejected rows; with ``redact`` the comment and contact columns masked."""
    rejected = survey.rejected
    if not redact or not len(rejected):
        return rejected
    from .tagging import redact_table

    cols = survey.rejected_columns or survey.report.columns
    contact = {(h if h in rejected.columns else f"{h}_original"): k for h, k in survey.report.contact_columns.items()}
    return redact_table(rejected, contact, text_columns=(cols["comment"],) if "comment" in cols else ())


def write_rejected_rows(rejected: pd.DataFrame, path: str | os.PathLike, source: str | None = None) -> None:
    """:func:`write_rejects` for a frame of rejected rows read from ``source``."""
    check_not_input(path, source)
    if not len(rejected):
        rejected = pd.DataFrame(columns=["source_row", "reason"])
    atomic_write_bytes(path, rejects_csv(rejected))


def nps_summary(
    source: Survey | pd.DataFrame | str | os.PathLike,
    *,
    by: Sequence[str] = (),
    period: str | None = None,
    method: str = "wald",
    min_n: int = SMALL_SAMPLE_N,
    rejects: str | os.PathLike | None = None,
    **load_options: Any,
) -> dict[str, Any]:
    """Load (unless given a Survey), then compute the overall NPS and, with ``by``/``period``, per group.

    Returns the overall result (keys of :func:`npsthemes.stats.nps`) plus ``rows_read``, ``rows_rejected``,
    ``rejected_reasons``, ``load_report`` (the :class:`LoadReport`), and with grouping ``groups`` (a list of
    dicts with the group's column values and the same keys), ``group_keys`` and ``groups_frame``.
    """
    survey = _ensure_survey(source, **load_options)
    if rejects is not None:
        write_rejects(survey, rejects)
    by = list(dict.fromkeys(survey.resolve_column(c) for c in by))  # each column once
    data = survey.responses
    result: dict[str, Any] = nps(data, method=method)
    result["rows_read"] = survey.report.rows_read
    result["rows_rejected"] = survey.report.rows_rejected
    result["rejected_reasons"] = dict(survey.report.reasons)
    result["load_report"] = survey.report
    if by or period:
        groups = nps_by(data, list(by), period=period, method=method, min_n=min_n)
        keys = list(by) + ([period] if period else [])
        result["groups"] = groups.to_dict(orient="records")
        result["group_keys"] = keys
        result["groups_frame"] = groups
        if period:
            result["rows_without_date"] = int(data["date"].isna().sum()) if "date" in data else len(data)
    return result
