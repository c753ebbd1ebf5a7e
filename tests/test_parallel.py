"""Tagging in several processes (``n_jobs``) gives exactly what one process gives; bad values and a model file
changed under a running job fail in one line."""

import shutil

import numpy as np
import pandas as pd
import pytest

from npsthemes import load_model
from npsthemes.errors import DataError, ModelError
from npsthemes.tagging import AUTO_PARALLEL_BATCHES, parallel_workers, tag_texts


@pytest.fixture(scope="module")
def texts():
    """2,400 comments from the shipped sample and training data, with a few repeats and empty answers."""
    from npsthemes.datasets import load_sample_survey, load_training_corpus

    pool = load_sample_survey().responses["comment"].dropna().astype(str).tolist()
    pool += load_training_corpus("train")["text"].head(1200).tolist()
    rng = np.random.default_rng(3)
    chosen = [pool[i] for i in rng.integers(0, len(pool), 2400)]
    chosen[::97] = [""] * len(chosen[::97])
    return chosen, rng.integers(0, 11, len(chosen)).astype(float)


def test_two_processes_tag_exactly_as_one(default_model, texts):
    comments, scores = texts
    lang1, one = tag_texts(default_model, comments, scores, batch_size=300, n_jobs=1)
    lang2, two = tag_texts(default_model, comments, scores, batch_size=300, n_jobs=2)
    assert len(one) > 1000
    assert list(lang1) == list(lang2)
    pd.testing.assert_frame_equal(one, two)


def test_progress_counts_every_batch(default_model, texts):
    comments, scores = texts
    seen = []
    tag_texts(
        default_model, comments[:900], scores[:900], batch_size=200, n_jobs=2, progress=lambda d, t: seen.append((d, t))
    )
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1][0] == seen[-1][1]
    assert len(seen) >= 4


@pytest.mark.parametrize("bad", [0, 1.5, "two", True])
def test_bad_n_jobs_fails_before_the_work(default_model, bad):
    with pytest.raises(DataError, match="n_jobs"):
        tag_texts(default_model, ["hyvä palvelu"], n_jobs=bad)


def test_worker_counts():
    import os

    cores = os.cpu_count() or 1
    assert parallel_workers(None) == parallel_workers(1) == 1
    assert parallel_workers(3) == 3 and parallel_workers(-1) == cores and parallel_workers(-2) == max(1, cores - 1)
    assert parallel_workers("auto", AUTO_PARALLEL_BATCHES - 1) == 1
    assert parallel_workers("auto", AUTO_PARALLEL_BATCHES) == cores


def test_lemma_file_changed_after_loading_stops_the_workers_in_one_line(tmp_path, texts):
    shutil.copytree(load_model().path, tmp_path / "m")
    model = load_model(tmp_path / "m")
    name = tmp_path / "m" / "lemmas_sv.marisa"
    data = bytearray(name.read_bytes())
    data[-5] ^= 0xFF
    name.write_bytes(bytes(data))
    comments, scores = texts
    with pytest.raises(ModelError, match="worker") as info:
        tag_texts(model, comments[:600], scores[:600], batch_size=200, n_jobs=2)
    assert "\n" not in str(info.value)


def test_cli_jobs_option(tmp_path):
    from cli_harness import run_cli

    code, _, err = run_cli(["analyze", "--sample", "--jobs", "zero", "--out", str(tmp_path / "r")])
    assert code == 2 and "--jobs" in err and "Traceback" not in err
