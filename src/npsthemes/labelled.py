"""Labelled data for training and evaluation: ``text``, ``labels`` (``theme:polarity;theme:polarity``, empty for
none), optional ``score``, ``language``, ``id`` and ``weight`` (how much a row counts in training, a positive
number; ``suggest`` writes how many comments of its input share the text). Bad rows are reported with their row
numbers; nothing is dropped silently."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._format import is_missing
from .errors import ColumnNotFoundError, LabelError
from .loading import _norm, parse_score_scale, parse_scores, read_table
from .taxonomy import Taxonomy, theme_id_problem

__all__ = ["LabelledData", "load_labelled", "parse_labels", "format_labels", "DEFAULT_POLARITIES"]

#: Polarities accepted when no taxonomy is given (SemEval uses neutral and conflict too).
DEFAULT_POLARITIES = ("positive", "negative", "neutral", "conflict", "mixed")
_SPLIT = re.compile(r"[;|,]")


def parse_labels(value: Any) -> dict[str, str]:
    """``"price:negative;speed:positive"`` -> ``{"price": "negative", "speed": "positive"}``.

    Also accepts a dict, or a list of ``(theme, polarity)`` pairs or ``"theme:polarity"`` strings.
    Raises ``ValueError`` with the offending part for malformed input.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        parts: Iterable[Any] = value
    else:
        parts = [p for p in _SPLIT.split(str(value)) if p.strip()]
    out: dict[str, str] = {}
    for part in parts:
        if isinstance(part, (list, tuple)) and len(part) == 2:
            theme, pol = str(part[0]).strip(), str(part[1]).strip()
        else:
            theme, sep, pol = str(part).strip().partition(":")
            theme, pol = theme.strip(), pol.strip().lower()
            if not sep or not theme or not pol:
                raise ValueError(f"label {str(part).strip()!r} is not of the form theme:polarity")
        if theme in out and out[theme] != pol:
            raise ValueError(f"theme {theme!r} is labelled twice with different polarities")
        out[theme] = pol
    return out


def format_labels(labels: dict[str, str]) -> str:
    return ";".join(f"{t}:{p}" for t, p in labels.items())


@dataclass
class LabelledData:
    """Validated labelled comments: ``data`` has text, labels (dict theme -> polarity), score (float, NaN when
    missing), language (or None), id, source_row, and split (train/test) and weight when the source has those
    columns.
    ``rejected`` lists bad rows with reasons."""

    data: pd.DataFrame
    rejected: pd.DataFrame
    source: str

    @property
    def X(self) -> pd.DataFrame:
        """Inputs for :class:`ThemeClassifier`: text, score and language."""
        return self.data[["text", "score", "language"]]

    @property
    def y(self) -> list[dict[str, str]]:
        return list(self.data["labels"])

    @property
    def themes(self) -> list[str]:
        return sorted({t for labs in self.data["labels"] for t in labs})

    @property
    def polarities(self) -> list[str]:
        return sorted({p for labs in self.data["labels"] for p in labs.values()})

    def __len__(self) -> int:
        return len(self.data)


def load_labelled(
    source: str | os.PathLike | pd.DataFrame,
    taxonomy: Taxonomy | None = None,
    *,
    on_error: str = "raise",
    polarities: Iterable[str] | None = None,
    score_scale: str | tuple[int, int] | None = None,
) -> LabelledData:
    """Read and validate a labelled file (CSV, XLSX, JSONL, JSON, Parquet) or DataFrame.

    With a ``taxonomy``, theme ids outside it are errors and polarities must be the taxonomy's; without one,
    any theme id is accepted and polarities must be one of :data:`DEFAULT_POLARITIES` (or ``polarities``).
    Bad rows (unknown theme, bad polarity, malformed label, empty text with labels, score not 0-10) raise
    :class:`LabelError` naming the rows (``on_error="raise"``) or are returned in ``rejected``
    (``on_error="report"``). ``score_scale``: scores on another scale, written WORST-BEST (``"1-5"`` for CSAT,
    ``"5-1"`` for the NHS Friends and Family Test), mapped onto 0-10 (:func:`~npsthemes.loading.parse_scores`).
    Theme ids follow :func:`~npsthemes.taxonomy.theme_id_problem`; ``,``, ``;`` and ``|`` separate labels, so a
    category name such as ``FOOD#QUALITY`` or ``Staff, attitude`` needs an id (``food_quality``) in the labels and
    its name in a taxonomy's ``labels``.
    """
    scale = parse_score_scale(score_scale)
    if isinstance(source, pd.DataFrame):
        raw = source.reset_index(drop=True).copy()
        name, offset = "DataFrame", 1
    else:
        raw = read_table(source)
        name, offset = str(source), raw.attrs.get("row_offset", 1)
    cols = {_norm(c): c for c in raw.columns}
    if "text" not in cols:
        alt = next((cols[c] for c in ("comment", "sentence", "verbatim", "kommentti", "kommentar") if c in cols), None)
        if alt is None:
            raise ColumnNotFoundError(f"{name}: no 'text' column; columns seen: {', '.join(map(str, raw.columns))}")
        cols["text"] = alt
    wide = [c for c in raw.columns if str(c).startswith(THEME_COLUMN_PREFIX)]
    if "labels" not in cols and wide:
        raw = raw.copy()
        raw["labels"] = _labels_from_theme_columns(raw, wide)
        cols["labels"] = "labels"
    if "labels" not in cols:
        raise ColumnNotFoundError(
            f"{name}: no 'labels' column (theme:polarity;theme:polarity); "
            f"columns seen: {', '.join(map(str, raw.columns))}"
        )
    allowed_themes = set(taxonomy.ids) if taxonomy else None
    allowed_pol = set(polarities or (taxonomy.polarities if taxonomy else DEFAULT_POLARITIES))
    texts, labels, scores, langs, ids, rows, bad = [], [], [], [], [], [], []
    score_col = cols.get("score")
    lang_col = cols.get("language") or cols.get("lang")
    id_col = cols.get("id")
    weight_col = cols.get("weight")
    weights: list[float] = []
    split_col = cols.get("split")
    splits: list[str] = []
    structural: dict[int, str] = dict(raw.attrs.get("bad_rows") or {})
    if score_col is not None:
        score_values, score_reasons = parse_scores(raw[score_col], scale)
    for i, rec in enumerate(raw.to_dict(orient="records")):
        row = i + offset
        text = rec[cols["text"]]
        text = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text).strip()
        try:
            labs = parse_labels(rec[cols["labels"]])
        except ValueError as exc:
            bad.append((row, f"column 'labels': {exc}"))
            continue
        problems = []
        for theme, pol in labs.items():
            if allowed_themes is None and (why := theme_id_problem(theme)):
                problems.append(f"column 'labels': {why}")
            elif allowed_themes is not None and theme not in allowed_themes:
                problems.append(f"unknown theme {theme!r} (expected one of {', '.join(sorted(allowed_themes))})")
            if pol not in allowed_pol:
                problems.append(f"bad polarity {pol!r} for {theme!r} (expected {', '.join(sorted(allowed_pol))})")
        if labs and not text:
            problems.append("empty text with labels")
        score = np.nan
        if i in structural:
            problems.append(structural[i])
        if score_col is not None and score_reasons[i] not in ("", "score is missing"):  # the score is optional
            expected = f"{scale[0]}-{scale[1]}" if scale else "0-10"
            problems.append(f"column 'score': expected a whole number {expected}, got {rec[score_col]!r}")
        elif score_col is not None:
            score = float(score_values[i])
        weight = 1.0
        if weight_col is not None:
            raw_w = rec[weight_col]
            try:
                weight = 1.0 if is_missing(raw_w) or str(raw_w).strip() == "" else float(str(raw_w).replace(",", "."))
            except ValueError:
                weight = float("nan")
            if not np.isfinite(weight) or weight <= 0 or isinstance(raw_w, bool):
                problems.append(f"column 'weight': expected a positive number, got {raw_w!r}")
        split = str(rec[split_col]).strip().lower() if split_col else ""
        if split_col and split not in ("train", "test"):
            problems.append(f"column 'split': expected train or test, got {rec[split_col]!r}")
        if problems:
            bad.append((row, "; ".join(problems)))
            continue
        texts.append(text)
        labels.append(labs)
        scores.append(score)
        lang = rec.get(lang_col) if lang_col else None
        langs.append(
            None
            if lang is None or (isinstance(lang, float) and np.isnan(lang)) or str(lang).strip() == ""
            else str(lang).strip().lower()
        )
        ids.append(rec.get(id_col) if id_col else row)
        weights.append(weight)
        rows.append(row)
        if split_col:
            splits.append(split)
    rejected = pd.DataFrame(bad, columns=["source_row", "reason"])
    if bad and on_error == "raise":
        shown = "; ".join(f"row {r}: {why}" for r, why in bad[:3])
        more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
        raise LabelError(f"{name}: {len(bad)} bad rows: {shown}{more}")
    if not texts:
        raise LabelError(f"{name}: no usable labelled rows")
    data = pd.DataFrame(
        {
            "text": texts,
            "labels": labels,
            "score": np.asarray(scores, dtype=float),
            "language": langs,
            "id": ids,
            "source_row": rows,
        }
    )
    if split_col:
        data["split"] = splits
    if weight_col is not None:
        data["weight"] = np.asarray(weights, dtype=float)
    return LabelledData(data=data, rejected=rejected, source=name)


#: Column-per-theme labelled sheets (``npsthemes suggest --out FILE.xlsx``): a column ``theme:ID`` per theme holding
#: its polarity or nothing; read as the ``labels`` column when a file has none.
THEME_COLUMN_PREFIX = "theme:"


def _labels_from_theme_columns(raw: pd.DataFrame, columns: list[Any]) -> list[str]:
    out = []
    for values in zip(*(raw[c].tolist() for c in columns)):
        parts = []
        for c, v in zip(columns, values):
            v = "" if is_missing(v) else str(v).strip()
            if v:
                parts.append(f"{str(c)[len(THEME_COLUMN_PREFIX) :].strip()}:{v}")
        out.append(";".join(parts))
    return out


def text_key(text: str) -> str:
    """A comment's text for matching copies: lower case, runs of non-word characters as one space."""
    return re.sub(r"\W+", " ", str(text).lower()).strip()


def merge_labelled(*sources: LabelledData, weights: Sequence[float] | None = None) -> LabelledData:
    """Several validated labelled sets as one, without duplicates: a comment in a later set (matched by ``id``
    when both rows have one from their file, else by normalised text) replaces the earlier row, so a corrected
    file merges with earlier labels. ``weights``: one per source, kept per row in a ``weight`` column (for
    example your own labels above the shipped corpus). A ``split`` column is dropped (the merge is for
    training)."""
    if not sources:
        raise LabelError("nothing to merge: give at least one labelled set")
    weights = list(weights) if weights is not None else [1.0] * len(sources)
    if len(weights) != len(sources) or any(not np.isfinite(w) or w <= 0 for w in weights):
        raise LabelError(f"merge weights must be one positive number per source; got {weights}")
    frames = []
    for k, (src, w) in enumerate(zip(sources, weights)):
        d = src.data.drop(columns=["split"], errors="ignore").copy()
        d["weight"] = float(w) * (d["weight"].to_numpy(dtype=float) if "weight" in d else 1.0)
        d["_order"] = k
        has_id = "id" in d and not d["id"].equals(d["source_row"])
        d["_key"] = [
            f"id:{i}" if has_id and i is not None and str(i).strip() else f"text:{text_key(t)}"
            for i, t in zip(d["id"] if has_id else [None] * len(d), d["text"])
        ]
        d["_tkey"] = [f"text:{text_key(t)}" for t in d["text"]]
        frames.append(d)
    # a later set's row replaces an earlier set's row with the same id or text (copies within one set stay)
    later_keys: set[str] = set()
    kept = []
    for d in reversed(frames):
        kept.append(d[~(d["_key"].isin(later_keys) | d["_tkey"].isin(later_keys))])
        later_keys |= set(d["_key"]) | set(d["_tkey"])
    merged = pd.concat(kept[::-1], ignore_index=True).drop(columns=["_order", "_key", "_tkey"])
    rejected = pd.concat([s.rejected for s in sources], ignore_index=True)
    return LabelledData(merged.reset_index(drop=True), rejected, " + ".join(s.source for s in sources))
