"""`analyze` on a Dask cluster (``analyze(..., engine="dask")``, ``npsthemes analyze 'exports/*.parquet' --engine
dask [--scheduler ADDRESS]``; the ``dask`` extra).

What runs where:

- **Reading and validating** on the workers: the files are read with ``dask.dataframe`` (``read_parquet`` for
  Parquet, ``from_map`` over npsthemes' own reader for CSV, TSV, XLSX, JSON and JSONL, so a Finnish Excel CSV is
  read on a worker exactly as on a laptop), and every partition is validated by :func:`~npsthemes.load_survey`
  with the columns the first partition resolved to. Each partition accounts for each of its rows (accepted +
  rejected = read), and the totals are checked against the sums.
- **Tagging** on the workers: the distinct comments are cut into the same batches as in one process, each batch
  tagged by a worker. Every worker receives the fitted classifier and the model's lemma files once (as bytes,
  with their SHA-256 checked on the worker before anything is unpickled), so workers need npsthemes installed
  but not the model directory.
- **Statistics and the report** on the client, by the same code as in one process, over the tagged rows.

So the numbers are exactly those of ``analyze`` in one process on the partitions concatenated in order (row
numbers, ``source_row``, count through the partitions: the first row of the second partition follows the last
of the first). The client holds the tagged rows (about 0.5 GB per million responses) and computes the statistics;
the cluster does the reading, validation and tagging, which are most of the work.

Only connect to schedulers you trust, and only load model files you trust: the classifier is sent to the
workers as a pickle (see :mod:`npsthemes.persistence`).
"""

from __future__ import annotations

import glob
import hashlib
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataError, InputFileNotFoundError
from .loading import MAX_LISTED_DATES, LoadReport, Survey, load_survey, read_table
from .persistence import Model

__all__ = ["DaskRunner", "load_survey_dask", "dask_client", "partition_reports"]

#: ``load_survey`` options passed to every partition (the column names resolved on the first one)
_COLUMN_OPTIONS = ("score", "comment", "id", "date", "channel", "agent", "segment")


def _require_dask() -> None:
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise DataError(
            f"engine='dask' needs Dask: pip install 'npsthemes[dask]' ({type(exc).__name__}: {exc})", param="engine"
        ) from None


def dask_client(scheduler: str | Any | None = None) -> tuple[Any, Callable[[], None]]:
    """A Dask client and the function that closes what was started here: ``scheduler`` is an address
    (``tcp://host:8786``) or a ``distributed.Client``; None: the current client if there is one, else a local
    cluster with one single-threaded worker process per core."""
    _require_dask()
    from distributed import Client

    if scheduler is not None and not isinstance(scheduler, str):
        return scheduler, lambda: None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise DataError(f"cannot connect to the Dask scheduler {scheduler!r}: {exc}", param="scheduler") from None
        return client, client.close
    try:
        from distributed import default_client

        return default_client(), lambda: None
    except ValueError:
        pass
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)

    def close() -> None:
        client.close()
        cluster.close()

    return client, close


def _files(source: str | os.PathLike | Sequence[Any]) -> list[str]:
    """The files of a glob ('exports/*.parquet'), a directory (every file in it), a file or a list of them."""
    if isinstance(source, (list, tuple)):
        out = [f for s in source for f in _files(s)]
        text = ", ".join(map(str, source))
    else:
        text = os.fspath(source)  # type: ignore[arg-type]
        if any(c in text for c in "*?["):
            out = sorted(glob.glob(text))
        elif Path(text).is_dir():
            out = sorted(str(p) for p in Path(text).iterdir() if p.is_file() and not p.name.startswith("."))
        elif Path(text).exists():
            out = [text]
        else:
            raise InputFileNotFoundError(f"{text}: no such file or directory")
    if not out:
        raise InputFileNotFoundError(f"{text}: no files")
    return out


def _raw_partitions(source: Any, sheet: Any = None, delimiter: str | None = None, encoding: str | None = None) -> Any:
    """The source as a dask DataFrame of the raw columns (as read, before validation)."""
    import dask.dataframe as dd

    if isinstance(source, dd.DataFrame):
        return source
    if isinstance(source, pd.DataFrame):
        return dd.from_pandas(source, npartitions=max(1, os.cpu_count() or 1), sort=False)
    files = _files(source)
    if all(f.lower().endswith(".parquet") for f in files):
        return dd.read_parquet(files)
    meta = read_table(files[0], sheet=sheet, delimiter=delimiter, encoding=encoding).iloc[:0]
    return dd.from_map(_read_one, files, sheet=sheet, delimiter=delimiter, encoding=encoding, meta=meta)


def _read_one(path: str, sheet: Any = None, delimiter: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    table = read_table(path, sheet=sheet, delimiter=delimiter, encoding=encoding)
    table.attrs["source_file"] = path
    return table


def _load_partition(part: pd.DataFrame, options: dict[str, Any]) -> dict[str, Any]:
    """One partition validated (runs on a worker)."""
    if not len(part):
        return {"empty": True, "rows": 0}
    survey = load_survey(part.reset_index(drop=True), _allow_all_rejected=True, **options)
    return {
        "empty": False,
        "rows": len(part),
        "responses": survey.responses,
        "rejected": survey.rejected,
        "report": survey.report,
        "rejected_columns": survey.rejected_columns,
    }


def partition_reports(parts: list[dict[str, Any]]) -> list[dict[str, int]]:
    """Each partition's row accounting: rows read, accepted, rejected (accepted + rejected = read is checked)."""
    out = []
    for k, p in enumerate(parts):
        if p["empty"]:
            out.append({"partition": k, "rows_read": 0, "rows_accepted": 0, "rows_rejected": 0})
            continue
        r: LoadReport = p["report"]
        if r.rows_accepted + r.rows_rejected != r.rows_read or r.rows_read != p["rows"]:
            raise DataError(
                f"partition {k}: {r.rows_read} rows read but {r.rows_accepted} accepted + {r.rows_rejected} "
                f"rejected (of {p['rows']} in the partition); the row accounting does not hold"
            )
        out.append(
            {
                "partition": k,
                "rows_read": r.rows_read,
                "rows_accepted": r.rows_accepted,
                "rows_rejected": r.rows_rejected,
            }
        )
    return out


def load_survey_dask(source: Any, client: Any, name: str | None = None, **load_options: Any) -> Survey:
    """Read and validate a partitioned source on the cluster and bring it together as one :class:`Survey`: the
    partitions concatenated in order, row numbers counted through them, the load reports summed (each
    partition's accounting checked); ``survey.report.partitions`` lists each partition's."""
    _require_dask()
    import dask

    reader = {k: load_options.pop(k, None) for k in ("sheet", "delimiter", "encoding")}
    raw = _raw_partitions(source, **reader)
    delayed_parts = raw.to_delayed()
    if not delayed_parts:
        raise DataError(f"{name or source}: no partitions")
    # the columns are resolved on the first non-empty partition, then given to every partition
    first = client.compute(delayed_parts[0]).result()
    if not len(first):
        first = raw.head(1000, npartitions=-1)
    probe = load_survey(first.reset_index(drop=True), _allow_all_rejected=True, **load_options)
    options = dict(load_options)
    for role in _COLUMN_OPTIONS:
        col = probe.report.columns.get(role)
        if col is not None and not options.get(f"{role}_column"):
            options[f"{role}_column"] = col
    tasks = [dask.delayed(_load_partition)(p, options) for p in delayed_parts]
    parts = client.gather(client.compute(tasks))
    return combine_partitions(parts, name or _source_name(source))


def _source_name(source: Any) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    if isinstance(source, (list, tuple)):
        return ", ".join(map(os.fspath, source))
    return type(source).__name__


def combine_partitions(parts: list[dict[str, Any]], name: str) -> Survey:
    """The partitions' surveys as one: rows renumbered through the partitions, reports summed."""
    accounting = partition_reports(parts)
    responses, rejected, reports = [], [], []
    offset = 0
    rejected_columns: dict[str, str] = {}
    for p in parts:
        if p["empty"]:
            continue
        responses.append(p["responses"].assign(source_row=p["responses"]["source_row"] + offset))
        if len(p["rejected"]):
            rejected.append(p["rejected"].assign(source_row=p["rejected"]["source_row"] + offset))
        r: LoadReport = p["report"]
        reports.append((r, offset))
        rejected_columns = rejected_columns or p["rejected_columns"]
        offset += p["rows"]
    if not reports:
        raise DataError(f"{name}: the partitions hold no rows")
    if not any(len(r) for r in responses):
        from .errors import NoValidRowsError

        total = sum(r.rows_read for r, _ in reports)
        raise NoValidRowsError(f"{name}: all {total} rows of the {len(reports)} partitions were rejected")
    base = reports[0][0]
    reasons: dict[str, int] = {}
    warnings: list[str] = []
    contact: dict[str, str] = {}
    unreadable: list[dict[str, Any]] = []
    for r, off in reports:
        for reason, n in r.reasons.items():
            reasons[reason] = reasons.get(reason, 0) + n
        for w in r.warnings:
            if w not in warnings:
                warnings.append(w)
        contact.update(r.contact_columns)
        unreadable += [{**d, "source_row": int(d["source_row"]) + off} for d in r.unreadable_dates]
    report = LoadReport(
        source=name,
        rows_read=sum(r.rows_read for r, _ in reports),
        rows_accepted=sum(r.rows_accepted for r, _ in reports),
        rows_rejected=sum(r.rows_rejected for r, _ in reports),
        reasons=reasons,
        columns=dict(base.columns),
        warnings=warnings,
        contact_columns=contact,
        unreadable_dates=unreadable[:MAX_LISTED_DATES],
        n_unreadable_dates=sum(r.n_unreadable_dates for r, _ in reports),
    )
    report.partitions = accounting
    resp = pd.concat(responses, ignore_index=True)
    rej = (
        pd.concat(rejected, ignore_index=True)
        if rejected
        else parts[0]["rejected"].iloc[:0]
        if not parts[0]["empty"]
        else pd.DataFrame()
    )
    return Survey(responses=resp, rejected=rej, report=report, rejected_columns=rejected_columns)


class DaskRunner:
    """Tags batches on a Dask cluster (the ``n_jobs`` of :func:`~npsthemes.tagging.tag_texts` may be one): each
    worker gets the classifier and the model's lemma files once, checks their SHA-256 and keeps them; batches go
    out a few per worker at a time and come back in order."""

    def __init__(self, client: Any):
        self.client = client

    def _payload(self, model: Model) -> Any:
        blob = pickle.dumps(model.classifier, protocol=pickle.HIGHEST_PROTOCOL)
        from .lemmas import checked_tables, model_lemma_files

        files = model_lemma_files(model.path, model.manifest.get("files") or {})
        checked_tables(files)  # the files as they are on disk now, before they are sent
        tables = {lang: (path.read_bytes(), sha) for lang, (path, sha) in files.items()}
        payload = (hashlib.sha256(blob).hexdigest(), blob, tables)
        return self.client.scatter(payload, broadcast=True, hash=False)

    def tag_batches(self, model: Model, batches: Any, evidence: bool, n_batches: int | None) -> Iterator[Any]:
        from .tagging import in_order

        payload = self._payload(model)
        workers = max(1, len(self.client.scheduler_info().get("workers", {})))

        def submit(texts: list[str], scores: Any) -> Any:
            return self.client.submit(_tag_on_worker, payload, texts, np.asarray(scores), evidence, pure=False)

        yield from in_order(submit, batches, workers, lambda future: future.result())


_WORKER_MODELS: dict[str, Any] = {}


def _tag_on_worker(payload: Any, texts: list[str], scores: np.ndarray, evidence: bool) -> Any:
    """Runs on a worker: the classifier of the payload (checked and unpickled once per worker) tags a batch."""
    sha, blob, tables = payload
    clf = _WORKER_MODELS.get(sha)
    if clf is None:
        from .errors import ModelIntegrityError
        from .lemmas import checked_tables

        if hashlib.sha256(blob).hexdigest() != sha:
            raise ModelIntegrityError("the classifier sent to this worker does not match its SHA-256")
        checked = checked_tables(tables)
        clf = pickle.loads(blob)
        if checked is not None:
            clf.preprocessor_.use_lemma_tables(checked)
        _WORKER_MODELS.clear()  # one model per worker at a time
        _WORKER_MODELS[sha] = clf
    return clf.tag_frame(pd.DataFrame({"text": texts, "score": scores}), evidence=evidence)
