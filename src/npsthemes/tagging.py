"""Tag survey responses with themes (the `tag` command and the first step of `analyze`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .loading import Survey, _ensure_survey
from .persistence import Model, load_model
from .stats import category_codes

__all__ = ["TaggedSurvey", "tag_survey", "tag_texts", "tag_batches", "parallel_workers"]


def empty_tag_frame() -> pd.DataFrame:
    """The frame :meth:`ThemeClassifier.tag_frame` returns when no comment gets a theme, with the column types of
    a non-empty one (text columns as object, so string operations on them work under pandas 2 and 3)."""
    return pd.DataFrame(
        {
            "row": np.array([], dtype=np.int64),
            "theme": np.array([], dtype=object),
            "polarity": np.array([], dtype=object),
            "probability": np.array([], dtype=float),
            "polarity_probability": np.array([], dtype=float),
            "evidence": np.array([], dtype=object),
            "clause": np.array([], dtype=object),
        }
    )


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
    evidence: bool = True,
    progress: Callable[[int, int], None] | None = None,
    n_jobs: int | str | None = 1,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Tag texts in batches; the same text with the same NPS category is tagged once.

    ``n_jobs``: processes to tag in (1 or None: this one; -1: one per core; see :func:`parallel_workers`). The
    batches are the same either way, so the results are identical.

    Returns the language of each text (None for empty ones) and the mentions: one row per (text, theme) with
    ``response`` (position in ``texts``), ``theme``, ``polarity``, ``probability``, ``polarity_probability``,
    ``evidence`` and ``clause``.
    """
    parallel_workers(n_jobs)  # a bad value fails before the work
    n = len(texts)
    scores = np.full(n, np.nan) if scores is None else np.asarray(scores, dtype=float)
    cat = category_codes(scores)
    codes, first = _distinct(texts, cat)
    u_text = [texts[i] for i in first]
    todo = np.array([k for k, t in enumerate(u_text) if str(t).strip()], dtype=np.int64)
    u_lang = np.full(len(first), None, dtype=object)
    frames = []
    chunks = [todo[start : start + batch_size] for start in range(0, len(todo), batch_size)]
    batches = (([u_text[k] for k in chunk], scores[first[chunk]]) for chunk in chunks)
    done = 0
    for chunk, (langs, frame) in zip(chunks, tag_batches(model, batches, evidence, n_jobs, len(chunks))):
        u_lang[chunk] = langs
        frame["row"] = chunk[frame["row"].to_numpy(dtype=np.int64)]
        frames.append(frame)
        done += len(chunk)
        if progress:
            progress(done, len(todo))
    u_mentions = pd.concat(frames, ignore_index=True) if frames else empty_tag_frame()
    # expand from distinct texts back to every response
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(first)))
    ends = np.searchsorted(codes[order], np.arange(len(first)), side="right")
    m_rows = u_mentions["row"].to_numpy(dtype=np.int64)
    reps = (ends - starts)[m_rows]
    idx = np.repeat(np.arange(len(u_mentions)), reps)
    offs = np.arange(len(idx)) - np.repeat(np.cumsum(reps) - reps, reps)
    response = order[np.repeat(starts[m_rows], reps) + offs]
    mentions = u_mentions.iloc[idx].drop(columns="row").reset_index(drop=True)
    mentions.insert(0, "response", response)
    mentions = mentions.sort_values(["response", "probability"], ascending=[True, False], kind="stable")
    return u_lang[codes], mentions.reset_index(drop=True)


#: ``n_jobs="auto"`` tags in one process per core from this many batches (of 5,000 distinct comments) on, in
#: this process below it (starting the workers costs a few seconds).
AUTO_PARALLEL_BATCHES = 4


def parallel_workers(n_jobs: int | str | None, n_batches: int | None = None) -> int:
    """The number of processes ``n_jobs`` asks for: 1 or None: one (this process); -1: one per core; -2: all
    cores but one, and so on (as in joblib); "auto": one per core for long inputs (``n_batches`` at least
    :data:`AUTO_PARALLEL_BATCHES`), else one."""
    if hasattr(n_jobs, "tag_batches"):  # a runner (e.g. the Dask engine's): its own workers
        return 1
    if n_jobs == "auto":
        return (os.cpu_count() or 1) if n_batches is not None and n_batches >= AUTO_PARALLEL_BATCHES else 1
    if n_jobs is None or (n_jobs == 1 and not isinstance(n_jobs, bool)):
        return 1
    if not isinstance(n_jobs, (int, np.integer)) or isinstance(n_jobs, bool) or n_jobs == 0:
        from .errors import DataError

        raise DataError(
            f"n_jobs must be a whole number other than 0 (-1: every core) or 'auto'; got {n_jobs!r}", param="n_jobs"
        )
    cores = os.cpu_count() or 1
    return max(1, int(n_jobs) if n_jobs > 0 else cores + 1 + int(n_jobs))


def tag_batches(
    model: Model, batches: Any, evidence: bool = True, n_jobs: int | str | None = 1, n_batches: int | None = None
) -> Any:
    """``ThemeClassifier.tag_frame`` of each ``(texts, scores)`` batch, in order, in this process or in
    ``n_jobs`` worker processes. Each worker gets the fitted classifier once (pickled from this one, so it
    predicts exactly as this one does) and reopens the model's lemma files after checking their SHA-256.
    ``n_jobs`` may also be a runner, an object whose ``tag_batches(model, batches, evidence, n_batches)`` does
    the same elsewhere (see :mod:`npsthemes.dask_engine`)."""
    if hasattr(n_jobs, "tag_batches"):
        yield from n_jobs.tag_batches(model, batches, evidence, n_batches)  # type: ignore[union-attr]
        return
    workers = parallel_workers(n_jobs, n_batches)
    if workers == 1 or (n_batches is not None and n_batches < 2):
        for texts, scores in batches:
            yield model.classifier.tag_frame(pd.DataFrame({"text": texts, "score": scores}), evidence=evidence)
        return
    import pickle

    from joblib.externals.loky import get_reusable_executor

    from .lemmas import model_lemma_files

    tables = model_lemma_files(model.path, model.manifest.get("files") or {})
    blob = pickle.dumps(model.classifier, protocol=pickle.HIGHEST_PROTOCOL)
    executor = get_reusable_executor(
        max_workers=workers, timeout=300, initializer=_init_worker, initargs=(blob, tables)
    )
    from joblib.externals.loky.process_executor import BrokenProcessPool

    def result(future: Any) -> Any:
        try:
            return future.result()
        except BrokenProcessPool as exc:  # a worker died (out of memory, killed) or could not load the model
            from .errors import ModelError

            raise ModelError(
                f"a tagging worker process stopped ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); "
                "run with n_jobs=1 (--jobs 1) to tag in this process"
            ) from exc

    yield from in_order(lambda t, s: executor.submit(_tag_in_worker, t, s, evidence), batches, workers, result)


def in_order(submit: Callable[[Any, Any], Any], batches: Any, workers: int, result: Callable[[Any], Any]) -> Any:
    """The results of ``submit(texts, scores)`` for each batch, in order, with at most two batches per worker in
    flight (memory stays bounded on long inputs); ``result`` waits for one submitted batch."""
    pending: list[Any] = []
    for texts, scores in batches:
        pending.append(submit(texts, scores))
        if len(pending) >= 2 * workers:
            yield result(pending.pop(0))
    for future in pending:
        yield result(future)


_WORKER: dict[str, Any] = {}


def _init_worker(blob: bytes, tables: dict[str, tuple[Path, str]]) -> None:
    import pickle

    from .lemmas import checked_tables

    checked = checked_tables(tables)
    clf = pickle.loads(blob)
    if checked is not None:
        clf.preprocessor_.use_lemma_tables(checked)
    _WORKER["classifier"] = clf


def _tag_in_worker(texts: list[str], scores: np.ndarray, evidence: bool) -> tuple[list[str], pd.DataFrame]:
    return _WORKER["classifier"].tag_frame(pd.DataFrame({"text": texts, "score": scores}), evidence=evidence)


def _distinct(texts: list[str], cat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the distinct (text, NPS category) pairs, numbered in order of first appearance, and the position
    of each pair's first occurrence."""
    if all(isinstance(t, str) for t in texts):
        text_codes = pd.factorize(np.asarray(texts, dtype=object))[0]
        codes = pd.factorize(text_codes * 4 + cat)[0]  # category codes are 0-3
        return codes, np.unique(codes, return_index=True)[1]
    codes = pd.factorize(pd.MultiIndex.from_arrays([pd.Index(texts, dtype=object), cat]))[0]
    return codes, pd.Series(np.arange(len(texts))).groupby(codes).first().to_numpy()


def tag_survey(
    survey: Survey | pd.DataFrame | str | os.PathLike,
    model: Model | str | os.PathLike | None = None,
    *,
    batch_size: int = 5000,
    evidence: bool = True,
    progress: Callable[[int, int], None] | None = None,
    n_jobs: int | str | None = 1,
) -> TaggedSurvey:
    """Tag every accepted response of a survey with themes and polarities (``model=None``: the default model;
    ``n_jobs``: processes to tag in, -1 for every core)."""
    survey = _ensure_survey(survey)
    model = model if isinstance(model, Model) else load_model(model)
    resp = survey.responses.copy()
    langs, mentions = tag_texts(
        model,
        resp["comment"].tolist(),
        resp["score"].to_numpy(dtype=float),
        batch_size=batch_size,
        evidence=evidence,
        progress=progress,
        n_jobs=n_jobs,
    )
    resp["language"] = langs
    resp["themes"] = _joined(mentions, len(resp), mentions["theme"] + ":" + mentions["polarity"], ";")
    resp["n_themes"] = np.bincount(mentions["response"].to_numpy(dtype=np.int64), minlength=len(resp))
    return TaggedSurvey(responses=resp, mentions=mentions, survey=survey, model=model)


def _joined(mentions: pd.DataFrame, n: int, values: pd.Series, sep: str) -> np.ndarray:
    """Per response, the mention values joined with ``sep`` ("" when none). ``mentions`` is sorted by response."""
    out = np.full(n, "", dtype=object)
    if len(mentions):
        resp = mentions["response"].to_numpy(dtype=np.int64)
        vals = values.astype(str).tolist()
        cuts = np.flatnonzero(np.diff(resp)) + 1
        starts = np.concatenate([[0], cuts]).tolist()
        ends = np.concatenate([cuts, [len(resp)]]).tolist()
        out[resp[starts]] = [sep.join(vals[a:b]) for a, b in zip(starts, ends)]
    return out


def redact_table(
    table: pd.DataFrame,
    contact: dict[str, str] | None = None,
    text_columns: tuple[str, ...] = ("comment", "evidence", "clause"),
) -> pd.DataFrame:
    """A copy of an export with personal data masked: the comment (and the evidence words and clauses taken
    from it) through :func:`npsthemes.privacy.redact_series`, and every value of the ``contact`` columns (name
    -> kind, e.g. ``{"email": "email"}``) replaced by its kind's tag."""
    from .privacy import redact_series

    out = table.copy()
    for col in text_columns:
        if col in out.columns:
            out[col] = redact_series(out[col].astype(object))
    for col, kind in (contact or {}).items():
        if col in out.columns:
            s = out[col].astype(object)
            out[col] = s.where(s.isna() | (s.astype(str).str.strip() == ""), f"[{kind.replace(' ', '-')}]")
    return out


def tagged_rows_for_export(tagged: TaggedSurvey, include_rejected: bool = True, redact: bool = False) -> pd.DataFrame:
    """Every input row (accepted and, with ``include_rejected``, rejected ones, in file order) with category,
    language, themes, polarities, probabilities and evidence, for the `tag` command's output. With ``redact``
    personal data is masked (see :func:`redact_table`)."""
    resp = _export_accepted(tagged, 0, len(tagged.responses), _has_time(tagged.responses))
    rej = tagged.survey.rejected
    if len(rej) and include_rejected:
        cols = tagged.survey.rejected_columns or tagged.survey.report.columns
        r = rej.rename(columns={v: k for k, v in cols.items()}).rename(columns={"reason": "reject_reason"})
        r["status"] = "rejected"
        if "comment" in r:
            texts = r["comment"].fillna("").astype(str).tolist()
            langs, rm = tag_texts(tagged.model, texts, evidence=False)
            r["language"] = langs
            r["themes"] = _joined(rm, len(r), rm["theme"] + ":" + rm["polarity"], ";")
        r = r.rename(columns={"score": "score_raw"})
        resp = pd.concat([resp, r], ignore_index=True)
    resp = resp.sort_values("source_row", kind="stable").reset_index(drop=True)
    return _export_types(resp, tagged, redact)


def export_chunks(tagged: TaggedSurvey, redact: bool = False, rows: int = 100_000) -> Any:
    """The accepted rows of :func:`tagged_rows_for_export` (``include_rejected=False``) in chunks of ``rows``
    rows, so that a long export is written without ever being whole in memory; the chunks joined are that
    table."""
    resp = tagged.responses
    has_time = _has_time(resp)
    order = resp["source_row"].to_numpy()
    in_order = bool(len(order) < 2 or (np.diff(order) >= 0).all())
    if not in_order:  # not in file order: one piece (never the case for a loaded survey)
        yield tagged_rows_for_export(tagged, include_rejected=False, redact=redact)
        return
    for start in range(0, max(len(resp), 1), rows):
        yield _export_types(_export_accepted(tagged, start, min(start + rows, len(resp)), has_time), tagged, redact)


def _has_time(resp: pd.DataFrame) -> bool:
    if "date" not in resp or not pd.api.types.is_datetime64_any_dtype(resp["date"]):
        return False
    d = resp["date"]
    return bool((d.notna() & (d != d.dt.normalize())).any())  # keep the times an export has


def _export_accepted(tagged: TaggedSurvey, start: int, stop: int, has_time: bool) -> pd.DataFrame:
    """Accepted rows ``start:stop`` with their joined themes, probabilities and evidence."""
    resp = tagged.responses.iloc[start:stop].copy()
    m = tagged.mentions
    if start or stop < len(tagged.responses):
        r = m["response"].to_numpy(dtype=np.int64)
        a, b = np.searchsorted(r, start), np.searchsorted(r, stop)
        m = m.iloc[a:b].assign(response=r[a:b] - start)
    resp["theme_probabilities"] = _joined(m, len(resp), m["theme"] + ":" + m["probability"].round(3).astype(str), ";")
    has_ev = m[m["evidence"] != ""]
    resp["evidence"] = _joined(has_ev, len(resp), has_ev["theme"] + ": " + has_ev["evidence"], " | ")
    resp["status"] = "accepted"
    resp["reject_reason"] = ""
    if "date" in resp and pd.api.types.is_datetime64_any_dtype(resp["date"]):
        resp["date"] = resp["date"].dt.strftime("%Y-%m-%d %H:%M" if has_time else "%Y-%m-%d").astype(object)
    return resp.reset_index(drop=True)


def _export_types(resp: pd.DataFrame, tagged: TaggedSurvey, redact: bool) -> pd.DataFrame:
    for col in ("score", "n_themes"):
        if col in resp:
            resp[col] = resp[col].astype("Int64")
    return redact_table(resp, tagged.survey.contact_columns()) if redact else resp


def tag_file(
    source: Survey | pd.DataFrame | str | os.PathLike,
    out: str | os.PathLike,
    *,
    model: Model | str | os.PathLike | None = None,
    rejects: str | os.PathLike | None = None,
    progress: Callable[[int, int], None] | None = None,
    redact: bool = False,
    n_jobs: int | str | None = 1,
    **load_options: Any,
) -> TaggedSurvey:
    """Load, tag and write every input row (accepted and rejected, in file order) to ``out`` (.csv, .parquet,
    .jsonl), atomically. Returns the :class:`TaggedSurvey`."""
    from ._io import TABLE_FORMATS, check_not_input, write_table
    from .errors import UnsupportedFormatError
    from .summary import write_rejects

    if Path(out).suffix.lower() not in TABLE_FORMATS:
        raise UnsupportedFormatError(
            f"cannot write {out}: unsupported extension {Path(out).suffix or '(none)'!r}; "
            "expected .csv, .parquet, .jsonl or .json"
        )
    inputs = [source] if isinstance(source, (str, os.PathLike)) else []
    check_not_input(out, inputs)  # before the work, not after it
    if rejects is not None:
        check_not_input(rejects, inputs)
        if Path(rejects).resolve() == Path(out).resolve():
            from .errors import OutputError

            raise OutputError(f"{rejects}: is also the `out` file; choose two different paths", param="rejects")
    survey = _ensure_survey(source, **load_options)
    if rejects is not None:
        write_rejects(survey, rejects, redact=redact)
    tagged = tag_survey(survey, model, progress=progress, n_jobs=n_jobs)
    table = tagged_rows_for_export(tagged, redact=redact)
    if str(out).lower().endswith(".csv"):
        from ._io import guard_formulas

        table = guard_formulas(table)
    check_not_input(out, [survey.report.source])
    write_table(table, out)
    return tagged
