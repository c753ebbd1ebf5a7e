"""Adapting a model to your own domain, with measured claims: suggest the comments to label (and write them for a
person to correct, as CSV or as an XLSX sheet with a dropdown per theme), find likely label errors, compare two
models on the same labelled comments with a paired bootstrap interval on the differences, and a learning curve
("how many more labels do we need?").

The comparison and the curve evaluate on labelled comments that no model was trained on; the caller keeps that
promise (use a held-out split, never the training rows).
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

__all__ = [
    "write_suggestions",
    "compare_models",
    "learning_curve",
    "per_comment_counts",
    "suggest_for_labeling",
    "comments_frame",
    "find_label_issues",
]


def per_comment_counts(model: Any, data: LabelledData, themes: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per labelled comment: ``tp``, ``fp``, ``fn`` (theme pairs against the gold labels, over the model's
    themes, or only over ``themes``: other labels and predictions ignored) and ``pairs``, ``correct`` (gold theme
    mentions and how many of them get the gold polarity): the units a paired bootstrap resamples."""
    clf = _as_model(model).classifier
    known = set(map(str, clf.classes_))
    if themes is not None:
        known &= set(themes)
    gold = [{t: p for t, p in labs.items() if t in known} for labs in data.y]
    pred, pol = clf.predict_with_polarity_of(data.X, [list(g) for g in gold])
    pred = [[t for t in p if t in known] for p in pred]
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
    themes: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Models ``a`` and ``b`` (a :class:`Model`, a fitted classifier, a model directory, or None for the default
    model) on the same labelled comments, side by side, with a paired bootstrap over comments of the difference
    ``b - a`` in micro F1 and in polarity accuracy: ``{"a": metrics, "b": metrics, "micro_f1": {...},
    "polarity_accuracy": {...}}``, where each difference has ``a``, ``b``, ``difference``, ``low``, ``high``
    (the percentile interval) and ``share_b_better`` (share of resamples where ``b`` is ahead). "``b`` is better"
    is a measured claim when ``low > 0``.

    ``themes``: compare on these themes only (other labels and predictions ignored), for example the themes both
    models know when ``b`` adds new ones; the differences and ``a``/``b`` micro figures are then over those themes,
    while ``"a"``/``"b"`` metrics stay each model's full evaluation. Without it each model is scored on its own
    themes."""
    data = _load(labelled, None, score_scale)
    ma, mb = _as_model(a), _as_model(b)
    if themes is not None:
        themes = list(themes)
        unknown = [
            t for t in themes if t not in set(map(str, ma.classifier.classes_)) | set(map(str, mb.classifier.classes_))
        ]
        if unknown:
            raise DataError(f"themes: neither model has {', '.join(map(repr, unknown))}", param="themes")
    out: dict[str, Any] = {"n": len(data), "n_boot": int(n_boot), "confidence": confidence, "themes": themes}
    out["a"] = {"name": f"{ma.name} {ma.version}", **evaluate_model(ma, data)}
    out["b"] = {"name": f"{mb.name} {mb.version}", **evaluate_model(mb, data)}
    ca, cb = per_comment_counts(ma, data, themes), per_comment_counts(mb, data, themes)
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


def comments_frame(comments: Any, **load_options: Any) -> pd.DataFrame:
    """Comments to work on as a frame with ``id``, ``text``, ``score`` (NaN when unknown) and ``language`` (None):
    from a survey file (read with :func:`~npsthemes.load_survey` and ``load_options``), a
    :class:`~npsthemes.Survey`, a DataFrame with a ``text`` or ``comment`` column, or a list of strings. Empty
    comments are left out."""
    from .loading import Survey, load_survey

    if isinstance(comments, (str, os.PathLike)):
        comments = load_survey(comments, **load_options)
    if isinstance(comments, Survey):
        r = comments.responses
        df = pd.DataFrame(
            {
                "id": r["id"] if "id" in r else r["source_row"],
                "text": r["comment"],
                "score": r["score"].astype(float),
                "language": None,
            }
        )
    elif isinstance(comments, pd.DataFrame):
        col = "text" if "text" in comments else "comment" if "comment" in comments else None
        if col is None:
            raise DataError(
                f"comments: expected a 'text' or 'comment' column; got {', '.join(map(str, comments.columns))}"
            )
        df = pd.DataFrame(
            {
                "id": comments["id"] if "id" in comments else np.arange(1, len(comments) + 1),
                "text": comments[col],
                "score": pd.to_numeric(comments["score"], errors="coerce") if "score" in comments else np.nan,
                "language": comments["language"] if "language" in comments else None,
            }
        )
    else:
        texts = list(comments)
        df = pd.DataFrame({"id": np.arange(1, len(texts) + 1), "text": texts, "score": np.nan, "language": None})
    df["text"] = df["text"].map(lambda t: "" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t))
    return df[df["text"].str.strip() != ""].reset_index(drop=True)


def _closeness(proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """How close each theme probability is to its threshold: 1 at the threshold, 0 at 0 or 1."""
    span = np.maximum(thresholds, 1 - thresholds)[None, :]
    return 1 - np.abs(proba - thresholds[None, :]) / span


def suggest_for_labeling(
    model: Any,
    comments: Any,
    n: int = 50,
    *,
    strategy: str = "hybrid",
    exclude: Any = None,
    themes: Sequence[str] | None = None,
    random_state: int = 0,
    **load_options: Any,
) -> pd.DataFrame:
    """The ``n`` comments whose labels would teach ``model`` most, in the labelled-data format with the model's
    predictions pre-filled (``labels``), so a person only corrects them and the file trains directly
    (:func:`~npsthemes.train_model`; extra columns are ignored).

    ``strategy="uncertainty"``: the comments with a theme probability nearest its threshold, spread across
    languages (in proportion to the input) and across the uncertain themes (at most ``ceil(2 n / themes)`` per
    theme). ``"diverse"``: the most uncertain comment of each of ``n`` clusters of the uncertain half (k-means on
    the model's features), so the batch covers different topics, including ones the taxonomy may lack.
    ``"hybrid"`` (the default): uncertain and random comments alternately (a random half keeps the batch
    representative when the model is confidently wrong on a new domain, which uncertainty alone never asks about;
    on the NHS comments it was ahead of random sampling and of uncertainty at 100 and 200 labels, see
    ``benchmarks/adaptation.py``). ``"random"``: a seeded random sample (the baseline, with the same quotas).
    The random picks sample comments, not distinct texts: a text that occurs 100 times is drawn as often as in a
    random sample of the comments (and shown once). All skip
    repeated texts, near-duplicates (cosine similarity of the model's features above 0.9) and the comments in
    ``exclude`` (labelled data you already have). ``themes``: weigh only these themes' uncertainty (the themes you
    label or want to improve; default: all of the model's). Columns: ``id``, ``text``, ``score``, ``language``,
    ``labels``, ``weight`` (how many input comments share the text: the label counts for all of them in
    training; repeats such as "Did not answer" are shown once), ``uncertain_theme``, ``uncertainty`` (1: a
    probability at its threshold), ``model_labels`` (the prediction, kept to see what you changed)."""
    from .labelled import format_labels, text_key

    if strategy not in STRATEGIES:
        raise DataError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}", param="strategy")
    if int(n) < 1:
        raise DataError(f"n must be at least 1, got {n}", param="n")
    clf = _as_model(model).classifier
    df = comments_frame(comments, **load_options)
    keys = df["text"].map(text_key)
    seen: set[str] = set()
    if exclude is not None:
        seen |= {text_key(t) for t in _load(exclude, None).data["text"]}
    copies = keys.map(keys.value_counts())  # a label stands for every comment with the same text
    keep = ~keys.duplicated() & ~keys.isin(seen) & (keys != "")
    df, keys = df[keep.to_numpy()].reset_index(drop=True), keys[keep.to_numpy()].reset_index(drop=True)
    copies = copies[keep.to_numpy()].reset_index(drop=True)
    if df.empty:
        return pd.DataFrame(columns=_SUGGEST_COLUMNS)
    batch, X = clf._analyse(df[["text", "score", "language"]])
    proba = clf._theme_proba(X)
    close = _closeness(proba, np.asarray(clf.thresholds_, dtype=float))
    classes = [str(c) for c in clf.classes_]
    if themes is not None:
        unknown = [t for t in themes if t not in classes]
        if unknown or not list(themes):
            raise DataError(
                f"themes: expected some of the model's themes ({', '.join(classes)}); got {list(themes)}",
                param="themes",
            )
        close = np.where(np.isin(classes, list(themes))[None, :], close, -np.inf)
    unc, theme_of = close.max(axis=1), close.argmax(axis=1)
    langs = np.asarray(batch.langs, dtype=object)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel()) + 1e-12
    order = np.argsort(-unc, kind="stable")
    if strategy == "diverse":
        order = _diverse_order(X, unc, int(n), random_state)
    elif strategy in ("hybrid", "random"):
        # a random sample of the comments, not of the distinct texts: a text is drawn as often as it occurs
        # ("Did not answer", 1,189 times in the NHS export, is as likely as in a random comment sample)
        p = copies.to_numpy(dtype=float)
        drawn = np.random.default_rng(random_state).choice(len(df), size=len(df), replace=False, p=p / p.sum())
        order = _interleave(drawn, order) if strategy == "hybrid" else drawn
    n = min(int(n), len(df))
    quota = _language_quota(langs, n)
    per_theme = int(np.ceil(2 * n / max(len(classes) if themes is None else len(list(themes)), 1)))
    picked: list[int] = []
    theme_count: dict[int, int] = {}
    for relax in (False, True):  # a second pass fills what the quotas left open
        for i in order.tolist():
            if len(picked) >= n:
                break
            if i in picked:
                continue
            if not relax and (quota.get(langs[i], 0) <= 0 or theme_count.get(theme_of[i], 0) >= per_theme):
                continue
            if picked:
                sims = (X[picked] @ X[i].T).toarray().ravel() / (norms[picked] * norms[i])
                if sims.max() > 0.9:
                    continue
            picked.append(i)
            quota[langs[i]] = quota.get(langs[i], 0) - 1
            theme_count[theme_of[i]] = theme_count.get(theme_of[i], 0) + 1
    sel = df.iloc[picked].reset_index(drop=True)
    tags = clf.tag(sel[["text", "score", "language"]], evidence=False)
    labels = [format_labels({t["theme"]: t["polarity"] for t in r["themes"]}) for r in tags]
    return pd.DataFrame(
        {
            "id": sel["id"],
            "text": sel["text"],
            "score": sel["score"].astype("Int64") if (sel["score"].dropna() % 1 == 0).all() else sel["score"],
            "language": [r["language"] for r in tags],
            "labels": labels,
            "weight": copies.iloc[picked].to_numpy(dtype=int),
            "uncertain_theme": [str(clf.classes_[theme_of[i]]) for i in picked],
            "uncertainty": np.round(unc[picked], 3),
            "model_labels": labels,
        }
    )


#: the suggestion strategies of :func:`suggest_for_labeling`
STRATEGIES = ("uncertainty", "hybrid", "diverse", "random")


def _interleave(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a[0], b[0], a[1], b[1], ...`` with each position once (its first occurrence)."""
    both = np.empty(len(a) + len(b), dtype=np.int64)
    both[0::2], both[1::2] = a, b  # equal lengths: both are orderings of the same positions
    _, first = np.unique(both, return_index=True)
    return both[np.sort(first)]


_SUGGEST_COLUMNS = [
    "id",
    "text",
    "score",
    "language",
    "labels",
    "weight",
    "uncertain_theme",
    "uncertainty",
    "model_labels",
]


def _language_quota(langs: np.ndarray, n: int) -> dict[Any, int]:
    values, counts = np.unique(langs.astype(str), return_counts=True)
    share = counts / counts.sum()
    quota = {v: max(1, int(np.floor(n * s))) for v, s in zip(values, share)}
    return {lang: quota[str(lang)] for lang in set(langs.tolist())}


def _diverse_order(X: Any, unc: np.ndarray, n: int, random_state: int) -> np.ndarray:
    """Comments ordered so the first ``n`` are the most uncertain of ``n`` clusters of the uncertain half."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD

    by_unc = np.argsort(-unc, kind="stable")
    pool = by_unc[: max(2 * n, len(unc) // 2)]
    k = min(n, len(pool))
    if k < 2:
        return by_unc
    dims = max(1, min(50, X.shape[1] - 1, len(pool) - 1))
    Z = TruncatedSVD(dims, random_state=random_state).fit_transform(X[pool])
    Z /= np.linalg.norm(Z, axis=1, keepdims=True) + 1e-12
    labels = KMeans(k, n_init=3, random_state=random_state).fit_predict(Z)
    firsts = [pool[labels == c][np.argmax(unc[pool[labels == c]])] for c in range(k) if (labels == c).any()]
    firsts = sorted(firsts, key=lambda i: -unc[i])
    rest = [i for i in by_unc.tolist() if i not in set(firsts)]
    return np.array(firsts + rest, dtype=int)


def find_label_issues(
    labelled: str | os.PathLike | pd.DataFrame | LabelledData,
    *,
    k: int = 5,
    params: dict[str, Any] | None = None,
    taxonomy: Any = None,
    min_confidence: float = 0.6,
    random_state: int = 0,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Likely mislabelled rows, from out-of-fold predictions: each comment is predicted by a model trained on the
    other ``k - 1`` folds (the default configuration with ``params`` and the taxonomy's rules), never by one that
    saw its label.

    One row per suspected problem, most confident first: ``issue`` is ``missing`` (the theme is not in the
    labels, but the model gives it probability ``confidence``), ``extra`` (in the labels, the model gives it
    ``1 - confidence``) or ``polarity`` (the model reads the other polarity with probability ``confidence``);
    with ``id``, ``text``, ``labels`` (as given), ``theme``, ``given``, ``suggested`` and ``suggested_labels``
    (the labels with that one change). A theme label is questioned when ``confidence >= min_confidence`` and, as
    in confident learning (Northcutt et al. 2021), the out-of-fold probability is at least as sure as it is on
    average for the comments labelled with the theme (``missing``) or without it (``extra``); read them, do not
    apply them blindly: the model is wrong too, most of all on rare themes."""
    from sklearn.model_selection import KFold

    from .labelled import format_labels
    from .stages.polarity import pair_array
    from .taxonomy import load_taxonomy as _load_tax
    from .training import _classifier

    step = progress or (lambda s: None)
    tax = _load_tax(taxonomy) if isinstance(taxonomy, (str, os.PathLike)) else taxonomy
    data = _load(labelled, tax)
    if len(data) < 2 * k:
        raise DataError(f"{data.source}: {k}-fold label checking needs at least {2 * k} labelled rows; got {len(data)}")
    themes = list(tax.ids) if tax is not None else data.themes
    rules = tax.rules() if tax is not None else None
    proba = np.zeros((len(data), len(themes)))
    thresholds = np.zeros((len(data), len(themes)))
    pol_of: list[dict[str, tuple[str, float]]] = [{} for _ in range(len(data))]
    X, y = data.X, data.y
    for f, (tr, te) in enumerate(KFold(k, shuffle=True, random_state=random_state).split(X)):
        step(f"fold {f + 1}/{k}")
        clf = _classifier(themes, params, rules).fit(X.iloc[tr], [y[i] for i in tr])
        batch, comment_X = clf._analyse(X.iloc[te])
        proba[te] = clf._theme_proba(comment_X)
        thresholds[te] = np.asarray(clf.thresholds_, dtype=float)[None, :]
        pairs = pair_array(clf._given_pairs([list(y[i]) for i in te]))
        if len(pairs):
            clause_X, owner = clf.vectorizer_.transform_clauses(batch, comment_X)
            pols, pprob, _ = clf._polarity_for_pairs(batch, comment_X, clause_X, owner, pairs)
            for (j, c), p, q in zip(pairs.tolist(), pols, pprob):
                pol_of[int(te[j])][str(clf.classes_[c])] = (str(p), float(q))
    # confident learning's per-class thresholds (Northcutt et al. 2021), per theme: a label is questioned only when
    # the out-of-fold probability is as sure as it typically is for the comments that carry the theme (missing),
    # or as sure of absence as it typically is for those that don't (extra)
    has = np.array([[t in labs for t in themes] for labs in y], dtype=bool)
    with np.errstate(invalid="ignore"):
        self_pos = np.nan_to_num(np.where(has, proba, 0).sum(0) / has.sum(0), nan=1.0)
        self_neg = np.nan_to_num(np.where(~has, 1 - proba, 0).sum(0) / (~has).sum(0), nan=1.0)
    rows = []
    for i, labs in enumerate(y):
        for j, t in enumerate(themes):
            p, thr = proba[i, j], thresholds[i, j]
            if t not in labs and p >= max(thr, min_confidence, self_pos[j]):
                rows.append((i, "missing", t, "", "(add, with its polarity)", p, None))
            elif t in labs and p < thr and 1 - p >= max(min_confidence, self_neg[j]):
                rows.append((i, "extra", t, labs[t], "", 1 - p, None))
        for t, gold in labs.items():
            if t in pol_of[i]:
                pred, conf = pol_of[i][t]
                if pred != gold and conf >= min_confidence:
                    rows.append((i, "polarity", t, gold, pred, conf, None))
    out = []
    for i, issue, t, given_, suggested, conf, _ in rows:
        fixed = dict(y[i])
        if issue == "extra":
            fixed.pop(t, None)
        elif issue == "polarity":
            fixed[t] = suggested
        rec = data.data.iloc[i]
        out.append(
            {
                "id": rec["id"],
                "text": rec["text"],
                "labels": format_labels(y[i]),
                "issue": issue,
                "theme": t,
                "given": given_ or "(absent)",
                "suggested": suggested if issue != "extra" else "(absent)",
                "confidence": round(float(conf), 3),
                "suggested_labels": format_labels(fixed) if issue != "missing" else "",
            }
        )
    cols = ["id", "text", "labels", "issue", "theme", "given", "suggested", "confidence", "suggested_labels"]
    table = pd.DataFrame(out, columns=cols)
    return table.sort_values("confidence", ascending=False, kind="stable").reset_index(drop=True)


def write_suggestions(table: pd.DataFrame, path: str | os.PathLike, themes: Sequence[str] | None = None) -> None:
    """Write :func:`suggest_for_labeling`'s table atomically, formula-guarded. ``.csv``, ``.jsonl``, ``.parquet``:
    as it is. ``.xlsx``: one sheet with a column ``theme:ID`` per theme (``themes``, default: those in the
    labels) in place of ``labels``, each cell a dropdown of positive / negative / empty pre-filled with the
    model's prediction, frozen header and autofilter; :func:`~npsthemes.load_labelled` and ``npsthemes train``
    read the sheet back as it is."""
    from pathlib import Path

    from ._format import is_missing
    from ._io import atomic_write_bytes, guard_cell, guard_formulas, strip_xml_illegal, write_table
    from .labelled import THEME_COLUMN_PREFIX, parse_labels

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        write_table(guard_formulas(table), path)
        return
    import io

    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    parsed = [parse_labels(v) for v in table["labels"]]
    if themes is None:
        themes = list(dict.fromkeys(t for labs in parsed for t in labs))
    front = [c for c in ("id", "text", "score", "language", "weight") if c in table]
    back = [c for c in ("model_labels", "uncertain_theme", "uncertainty") if c in table]
    header = front + [f"{THEME_COLUMN_PREFIX}{t}" for t in themes] + back
    wb = Workbook()
    ws = wb.active
    ws.title = "to_label"

    def cell(v: Any) -> Any:
        if is_missing(v):
            return None
        if isinstance(v, str):
            return guard_cell(strip_xml_illegal(v)[0])
        return v.item() if isinstance(v, np.generic) else v

    ws.append([cell(h) for h in header])
    for k, rec in enumerate(table.to_dict(orient="records")):
        ws.append([cell(rec[c]) for c in front] + [parsed[k].get(t) for t in themes] + [cell(rec[c]) for c in back])
    n = len(table)
    if themes and n:
        dv = DataValidation(type="list", formula1='"positive,negative"', allow_blank=True)
        dv.error, dv.errorTitle = "Choose positive or negative, or leave the cell empty", "Polarity"
        ws.add_data_validation(dv)
        first, last = get_column_letter(len(front) + 1), get_column_letter(len(front) + len(themes))
        dv.add(f"{first}2:{last}{n + 1}")
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{n + 1}"
    widths = {"id": 12, "text": 70, "score": 7, "language": 9, "model_labels": 40}
    for j, h in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(j)].width = widths.get(h, max(12, len(h) + 2))
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(path, buf.getvalue())
