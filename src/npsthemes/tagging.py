"""Tag survey responses with themes (the `tag` command and the first step of `analyze`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from .loading import Survey, _ensure_survey
from .persistence import Model, load_model

__all__ = ["TaggedSurvey", "tag_survey", "tag_texts"]

MENTION_COLUMNS = ["response", "theme", "polarity", "probability", "polarity_probability", "evidence", "clause"]


@dataclass
class TaggedSurvey:
    """``responses``: the survey's accepted rows plus ``language``, ``themes`` (``theme:polarity;...``),
    ``n_themes``; ``mentions``: one row per (response, theme) with polarity, probability and evidence
    (``response`` is the row position in ``responses``); ``survey`` and ``model`` as used."""

    responses: pd.DataFrame
    mentions: pd.DataFrame
    survey: Survey
    model: Model


def tag_texts(
    model: Model,
    texts: list[str],
    scores: np.ndarray | None = None,
    *,
    batch_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Tag texts (duplicates of the same text and NPS category are tagged once), in batches."""
    n = len(texts)
    scores = np.full(n, np.nan) if scores is None else np.asarray(scores, dtype=float)
    cat = np.where(np.isnan(scores), -1, np.where(scores >= 9, 2, np.where(scores >= 7, 1, 0)))
    keys = pd.DataFrame({"t": texts, "c": cat})
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(keys))
    first = pd.Series(np.arange(n)).groupby(codes).first().to_numpy()
    results: list[dict[str, Any] | None] = [None] * len(first)
    empty = np.array([not str(texts[i]).strip() for i in first])
    todo = [k for k in range(len(first)) if not empty[k]]
    for k in np.flatnonzero(empty):
        results[k] = {"language": None, "themes": []}
    done = 0
    for start in range(0, len(todo), batch_size):
        chunk = todo[start:start + batch_size]
        idx = first[chunk]
        X = pd.DataFrame({"text": [texts[i] for i in idx], "score": scores[idx]})
        for k, r in zip(chunk, model.tag(X)):
            results[k] = r
        done += len(chunk)
        if progress:
            progress(done, len(todo))
    return [results[c] for c in codes]  # type: ignore[misc]


def tag_survey(
    survey: Survey | pd.DataFrame | str | os.PathLike,
    model: Model | str | os.PathLike | None = None,
    *,
    batch_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> TaggedSurvey:
    """Tag every accepted response of a survey with themes and polarities (``model=None``: the default model)."""
    survey = _ensure_survey(survey)
    model = model if isinstance(model, Model) else load_model(model)
    resp = survey.responses.copy()
    tags = tag_texts(model, resp["comment"].tolist(), resp["score"].to_numpy(dtype=float),
                     batch_size=batch_size, progress=progress)
    resp["language"] = [t["language"] for t in tags]
    resp["themes"] = [";".join(f"{m['theme']}:{m['polarity']}" for m in t["themes"]) for t in tags]
    resp["n_themes"] = [len(t["themes"]) for t in tags]
    rows = [(i, m["theme"], m["polarity"], m["probability"], m["polarity_probability"], "; ".join(m["evidence"]),
             m["clause"]) for i, t in enumerate(tags) for m in t["themes"]]
    mentions = pd.DataFrame(rows, columns=MENTION_COLUMNS)
    return TaggedSurvey(responses=resp, mentions=mentions, survey=survey, model=model)


def tagged_rows_for_export(tagged: TaggedSurvey, include_rejected: bool = True) -> pd.DataFrame:
    """Every input row (accepted and, with ``include_rejected``, rejected ones, in file order) with category,
    language, themes, polarities, probabilities and evidence, for the `tag` command's output."""
    resp = tagged.responses.copy()
    m = tagged.mentions
    probs = m.assign(s=m["theme"] + ":" + m["probability"].round(3).astype(str)).groupby("response")["s"].agg(";".join)
    evid = m[m["evidence"] != ""].assign(s=m["theme"] + ": " + m["evidence"]).groupby("response")["s"].agg(" | ".join)
    resp["theme_probabilities"] = probs.reindex(range(len(resp))).fillna("").to_numpy()
    resp["evidence"] = evid.reindex(range(len(resp))).fillna("").to_numpy()
    resp["status"] = "accepted"
    resp["reject_reason"] = ""
    if "date" in resp and pd.api.types.is_datetime64_any_dtype(resp["date"]):
        resp["date"] = resp["date"].dt.strftime("%Y-%m-%d").astype(object)
    rej = tagged.survey.rejected
    if len(rej) and include_rejected:
        cols = tagged.survey.report.columns
        r = rej.rename(columns={v: k for k, v in cols.items()}).rename(columns={"reason": "reject_reason"})
        r["status"] = "rejected"
        if "comment" in r:
            texts = r["comment"].fillna("").astype(str).tolist()
            tags = tag_texts(tagged.model, texts)
            r["language"] = [t["language"] for t in tags]
            r["themes"] = [";".join(f"{x['theme']}:{x['polarity']}" for x in t["themes"]) for t in tags]
        r = r.rename(columns={"score": "score_raw"})
        resp = pd.concat([resp, r], ignore_index=True)
    resp = resp.sort_values("source_row", kind="stable").reset_index(drop=True)
    for col in ("score", "n_themes"):
        if col in resp:
            resp[col] = resp[col].astype("Int64")
    return resp


def tag_file(
    source: Survey | pd.DataFrame | str | os.PathLike,
    out: str | os.PathLike,
    *,
    model: Model | str | os.PathLike | None = None,
    rejects: str | os.PathLike | None = None,
    progress: Callable[[int, int], None] | None = None,
    **load_options: Any,
) -> TaggedSurvey:
    """Load, tag and write every input row (accepted and rejected, in file order) to ``out`` (.csv, .parquet,
    .jsonl), atomically. Returns the :class:`TaggedSurvey`."""
    from ._io import write_table
    from .loading import load_survey
    from .summary import write_rejects

    survey = source if isinstance(source, Survey) else load_survey(
        source, **{k: v for k, v in load_options.items() if v is not None})
    if rejects is not None:
        write_rejects(survey, rejects)
    tagged = tag_survey(survey, model, progress=progress)
    table = tagged_rows_for_export(tagged)
    if str(out).lower().endswith(".csv"):
        from ._io import guard_formulas

        table = guard_formulas(table)
    write_table(table, out)
    return tagged
