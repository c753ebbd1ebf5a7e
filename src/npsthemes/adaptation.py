"""Adapting a model to your own domain, with measured claims: compare two models on the same labelled comments with
a paired bootstrap interval on the differences, and a learning curve ("how many more labels do we need?").

Both evaluate on labelled comments that neither model was trained on; the caller keeps that promise (use a held-out
split, never the training rows).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataError
from .labelled import LabelledData
from .stats import paired_bootstrap_ratio
from .training import _as_model, _load, evaluate_model

__all__ = ["compare_models", "learning_curve", "per_comment_counts"]


def per_comment_counts(model: Any, data: LabelledData) -> pd.DataFrame:
    """One row per labelled comment: ``tp``, ``fp``, ``fn`` (theme pairs against the gold labels, over the model's
    themes) and ``pairs``, ``correct`` (gold theme mentions and how many of them get the gold polarity): the
    units a paired bootstrap resamples."""
    clf = _as_model(model).classifier
    known = set(map(str, clf.classes_))
    gold = [{t: p for t, p in labs.items() if t in known} for labs in data.y]
    pred, pol = clf.predict_with_polarity_of(data.X, [list(g) for g in gold])
    return pd.DataFrame(
        {
            "tp": [sum(t in p for t in g) for g, p in zip(gold, pred)],
            "fp": [sum(t not in g for t in p) for g, p in zip(gold, pred)],
            "fn": [sum(t not in p for t in g) for g, p in zip(gold, pred)],
            "pairs": [len(g) for g in gold],
            "correct": [sum(pol[i][t] == p for t, p in g.items()) for i, g in enumerate(gold)],
        }
    )


def compare_models(
    a: Any,
    b: Any,
    labelled: str | os.PathLike | pd.DataFrame | LabelledData,
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    random_state: int = 0,
    score_scale: str | tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Models ``a`` and ``b`` (a :class:`Model`, a fitted classifier, a model directory, or None for the default
    model) on the same labelled comments, side by side, with a paired bootstrap over comments of the difference
    ``b - a`` in micro F1 and in polarity accuracy: ``{"a": metrics, "b": metrics, "micro_f1": {...},
    "polarity_accuracy": {...}}``, where each difference has ``a``, ``b``, ``difference``, ``low``, ``high``
    (the percentile interval) and ``share_b_better`` (share of resamples where ``b`` is ahead). "``b`` is better"
    is a measured claim when ``low > 0``."""
    data = _load(labelled, None, score_scale)
    ma, mb = _as_model(a), _as_model(b)
    out: dict[str, Any] = {"n": len(data), "n_boot": int(n_boot), "confidence": confidence}
    out["a"] = {"name": f"{ma.name} {ma.version}", **evaluate_model(ma, data)}
    out["b"] = {"name": f"{mb.name} {mb.version}", **evaluate_model(mb, data)}
    ca, cb = per_comment_counts(ma, data), per_comment_counts(mb, data)
    for key, num, den in (
        ("micro_f1", lambda c: 2 * c["tp"], lambda c: 2 * c["tp"] + c["fp"] + c["fn"]),
        ("polarity_accuracy", lambda c: c["correct"], lambda c: c["pairs"]),
    ):
        out[key] = paired_bootstrap_ratio(
            num(ca), den(ca), num(cb), den(cb), n_boot=n_boot, confidence=confidence, random_state=random_state
        )
    return out


def learning_curve(
    labelled: str | os.PathLike | pd.DataFrame | LabelledData,
    test: str | os.PathLike | pd.DataFrame | LabelledData,
    *,
    sizes: Sequence[int] = (0, 50, 100, 200, 400),
    repeats: int = 3,
    base: str | os.PathLike | pd.DataFrame | LabelledData | None = "default",
    taxonomy: Any = None,
    params: dict[str, Any] | None = None,
    n_boot: int = 500,
    confidence: float = 0.95,
    random_state: int = 0,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Micro F1 and polarity accuracy on ``test`` against the number of your labelled comments used in training:
    for each size, ``repeats`` random draws from ``labelled`` (seeded), each trained (added to ``base``: the
    shipped corpus's training split by default, None for yours only) and evaluated on ``test``.

    Returns one row per size: ``n_labels``, ``micro_f1`` (mean over the draws), ``low``/``high`` (a percentile
    interval pooling each draw's bootstrap over the test comments, so it holds both the luck of the draw and
    the test set's noise), ``polarity_accuracy`` and ``runs``. Size 0 needs a ``base``."""
    from .training import train_model

    step = progress or (lambda s: None)
    pool = _load(labelled, None)
    held = _load(test, None)
    sizes = sorted({int(s) for s in sizes})
    if any(s < 0 for s in sizes) or (sizes and sizes[-1] > len(pool)):
        raise DataError(f"learning curve sizes must be 0..{len(pool)} (the labelled rows); got {sizes}")
    if base is None and 0 in sizes:
        raise DataError("a learning curve from 0 labels needs a base corpus (base='default')")
    rng = np.random.default_rng(random_state)
    rows = []
    for n in sizes:
        f1s, pols, draws = [], [], []
        for r in range(repeats if n else 1):
            step(f"{n} labels, draw {r + 1}")
            idx = rng.choice(len(pool), size=n, replace=False)
            own = pool.data.iloc[np.sort(idx)][["text", "score", "language", "labels"]]
            model = train_model(own if n else None, base=base, taxonomy=taxonomy, params=params, name=f"curve-{n}-{r}")
            c = per_comment_counts(model, held)
            num, den = 2 * c["tp"], 2 * c["tp"] + c["fp"] + c["fn"]
            f1s.append(float(num.sum() / max(den.sum(), 1)))
            pols.append(float(c["correct"].sum() / max(c["pairs"].sum(), 1)))
            boot = paired_bootstrap_ratio(num, den, num, den, n_boot=n_boot, random_state=random_state + r, draws=True)
            draws.append(boot["draws_b"])
        pooled = np.concatenate(draws)
        alpha = (1 - confidence) / 2
        rows.append(
            {
                "n_labels": n,
                "micro_f1": float(np.mean(f1s)),
                "low": float(np.quantile(pooled, alpha)),
                "high": float(np.quantile(pooled, 1 - alpha)),
                "polarity_accuracy": float(np.mean(pols)),
                "runs": len(f1s),
            }
        )
    return pd.DataFrame(rows)
