"""Shipped synthetic data: the sample survey and the labelled training corpus of the default model.

Everything here was written for this project and is **synthetic**: no real customer wrote these comments.
See ``DATASETS.md`` beside this file for how each set was made and what it can and cannot show.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

__all__ = ["sample_survey_path", "load_sample_survey", "training_corpus_path", "load_training_corpus"]


def _data_path(name: str) -> Path:
    return Path(str(resources.files(__name__).joinpath(name)))


def sample_survey_path() -> Path:
    """Path of the shipped sample survey (CSV, `;`-delimited, UTF-8 with BOM, as Finnish Excel saves it)."""
    return _data_path("sample_survey.csv")


def load_sample_survey(as_frame: bool = False):
    """The shipped synthetic sample survey.

    Returns a validated :class:`~npsthemes.loading.Survey`, or with ``as_frame=True`` the raw table as read.
    """
    from ..loading import load_survey, read_table

    if as_frame:
        df = read_table(sample_survey_path())
        return df
    return load_survey(sample_survey_path())


def training_corpus_path() -> Path:
    """Path of the labelled training corpus of the default model (JSONL)."""
    return _data_path("training_corpus.jsonl")


def load_training_corpus(split: str | None = None) -> pd.DataFrame:
    """The shipped labelled corpus: columns text, score, language, labels, id, split (train/test), domain.

    ``split="train"`` or ``"test"`` selects the fixed split; the test split is held out from training and tuning.
    """
    df = pd.read_json(training_corpus_path(), lines=True, dtype={"labels": str, "text": str})
    df["labels"] = df["labels"].fillna("")
    if split is not None:
        df = df[df["split"] == split].reset_index(drop=True)
    return df
