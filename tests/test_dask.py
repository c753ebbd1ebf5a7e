"""The Dask engine: on a LocalCluster with two worker processes, partitioned Parquet and CSV files give the
numbers of the single-process analysis of the same rows (same seed), and every partition accounts for its rows."""

import pickle

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")
pytest.importorskip("dask.dataframe")

from npsthemes import analyze  # noqa: E402
from npsthemes.datasets import load_sample_survey  # noqa: E402
from npsthemes.errors import DataError, ModelIntegrityError  # noqa: E402


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as c:
            yield c


@pytest.fixture(scope="module")
def parts():
    """The sample survey's raw rows in four unequal partitions, one of them all rejected rows."""
    raw = load_sample_survey(as_frame=True)
    bad = raw.head(5).copy()
    bad["Suositteluhalukkuus"] = "x"  # the score column: every row of this partition is rejected
    cuts = [0, 250, 251, 620, len(raw)]
    out = [raw.iloc[a:b] for a, b in zip(cuts[:-1], cuts[1:])]
    return out[:2] + [bad] + out[2:]


def _same_numbers(a, b):
    pd.testing.assert_frame_equal(a.themes, b.themes)
    pd.testing.assert_frame_equal(a.segments, b.segments)
    pd.testing.assert_frame_equal(a.theme_segments, b.theme_segments)
    pd.testing.assert_frame_equal(a.trend, b.trend)
    assert a.overall == b.overall
    sa, sb = a.summary(), b.summary()
    for key in ("settings",):
        sa.pop(key), sb.pop(key)
    assert sa == sb


def test_parquet_partitions_give_the_single_process_numbers(tmp_path, client, parts, default_model):
    for k, p in enumerate(parts):
        p.to_parquet(tmp_path / f"part{k}.parquet", index=False)
    local = analyze(pd.concat(parts, ignore_index=True), default_model, n_boot=300, seed=7)
    dist = analyze(str(tmp_path / "part*.parquet"), default_model, n_boot=300, seed=7, engine="dask", scheduler=client)
    _same_numbers(local, dist)
    pd.testing.assert_frame_equal(local.responses, dist.responses)  # row numbers count through the partitions
    pd.testing.assert_frame_equal(local.mentions, dist.mentions)
    report = dist.load_report
    assert [p["rows_read"] for p in report.partitions] == [len(p) for p in parts]
    assert all(p["rows_accepted"] + p["rows_rejected"] == p["rows_read"] for p in report.partitions)
    assert report.partitions[2]["rows_accepted"] == 0  # the partition of rejected rows
    assert report.rows_read == sum(len(p) for p in parts) == report.rows_accepted + report.rows_rejected
    assert report.rows_rejected == local.load_report.rows_rejected
    assert sorted(dist.rejected["source_row"]) == sorted(local.rejected["source_row"])


def test_finnish_csv_partitions_are_read_on_the_workers(tmp_path, client, parts, default_model):
    """CSV files as Finnish Excel writes them (';', BOM, decimal commas in the scores) are read by npsthemes' own
    reader on the workers: the same numbers as the same files read in one process, one after the other."""
    frames = []
    for k, p in enumerate(parts):
        q = p.copy()
        path = tmp_path / f"vienti_{k}.csv"
        q.to_csv(path, sep=";", index=False, encoding="utf-8-sig", decimal=",")
        frames.append(pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False))
    dist = analyze(str(tmp_path / "vienti_*.csv"), default_model, n_boot=300, engine="dask", scheduler=client)
    local = analyze(pd.concat(frames, ignore_index=True), default_model, n_boot=300)
    assert dist.overall == local.overall
    pd.testing.assert_frame_equal(dist.themes, local.themes)
    assert dist.load_report.rows_read == sum(len(p) for p in parts)


def test_worker_refuses_a_classifier_that_does_not_match_its_hash(default_model):
    from npsthemes.dask_engine import _tag_on_worker

    blob = pickle.dumps(default_model.classifier)
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        _tag_on_worker(("0" * 64, blob, {}), ["hyvä palvelu"], np.array([9.0]), True)


def test_unknown_engine_is_refused():
    with pytest.raises(DataError, match="engine"):
        analyze(load_sample_survey(), engine="spark")


def test_cli_engine_dask(tmp_path, client, parts):
    """`npsthemes analyze 'dir/*.parquet' --engine dask --scheduler ADDRESS` on the running cluster."""
    from cli_harness import run_cli

    for k, p in enumerate(parts):
        p.to_parquet(tmp_path / f"p{k}.parquet", index=False)
    code, out, err = run_cli(
        [
            "analyze",
            str(tmp_path / "p*.parquet"),
            "--engine",
            "dask",
            "--scheduler",
            client.scheduler.address,
            "--bootstrap",
            "200",
            "--out",
            str(tmp_path / "report"),
        ],
        timeout=300,
    )
    assert code == 0, err
    assert f"{len(parts)} partitions, each accounted for" in err
    assert (tmp_path / "report" / "summary.json").exists()
    code, _, err = run_cli(["analyze", "--sample", "--scheduler", "tcp://x:1", "--out", str(tmp_path / "r2")])
    assert code == 2 and "--engine dask" in err


def test_all_partitions_rejected_is_one_clear_error(tmp_path, client, parts):
    from npsthemes.errors import NoValidRowsError

    bad = parts[2]
    for k in range(2):
        bad.to_parquet(tmp_path / f"b{k}.parquet", index=False)
    with pytest.raises(NoValidRowsError, match="all 10 rows of the 2 partitions were rejected"):
        analyze(str(tmp_path / "b*.parquet"), engine="dask", scheduler=client)
