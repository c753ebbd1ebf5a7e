"""Train and evaluate theme models on labelled comments (the `train` and `evaluate` commands)."""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .classifier import ThemeClassifier, theme_metrics
from .errors import DataError, LabelError
from .labelled import LabelledData, load_labelled, merge_labelled
from .persistence import Model, load_model
from .taxonomy import Taxonomy, load_taxonomy, taxonomy_from_themes

__all__ = ["train_model", "evaluate_model", "cross_validate_model", "split_labelled"]


def _sha256_of(source: Any, data: LabelledData) -> str:
    if isinstance(source, (str, os.PathLike)) and Path(source).exists():
        from .persistence import sha256_file

        return sha256_file(source)
    h = hashlib.sha256()
    for text, labs in zip(data.data["text"], data.data["labels"]):
        h.update(text.encode("utf-8") + b"\x00" + repr(sorted(labs.items())).encode() + b"\x01")
    return h.hexdigest()


def split_labelled(data: LabelledData, column: str = "split") -> tuple[LabelledData, LabelledData | None]:
    """Split by a ``split`` column (``train``/``test``) when the source had one; else (data, None)."""
    raw = data.data
    if column not in raw:
        return data, None
    train = raw[raw[column] == "train"].reset_index(drop=True)
    test = raw[raw[column] == "test"].reset_index(drop=True)
    if len(train) == 0:
        raise LabelError(f"{data.source}: column {column!r} has no 'train' rows")
    return (
        LabelledData(train, data.rejected, data.source + " [train]"),
        LabelledData(test, data.rejected, data.source + " [test]") if len(test) else None,
    )


def _classifier(
    themes: list[str], params: dict[str, Any] | None, rules: dict[str, Any] | None = None
) -> ThemeClassifier:
    """The default classifier with ``params``: nested parameter names (``theme_detector__C``), or a model
    manifest's recorded ``params`` (:meth:`ThemeClassifier.describe_params`), plus ``embedding_model``; with the
    taxonomy's ``rules`` as a feature block."""
    params = dict(params or {})
    if any(isinstance(v, str) and k in ("text", "vectorizer", "theme_detector") for k, v in params.items()):
        params.pop("themes", None)
        return ThemeClassifier.from_description(params, rules=rules, themes=themes)
    return ThemeClassifier.default(themes=themes, rules=rules or None, **params)


def _load(source: Any, taxonomy: Taxonomy | None, score_scale: Any = None) -> LabelledData:
    if isinstance(source, LabelledData):
        return source
    return load_labelled(source, taxonomy, score_scale=score_scale)


def train_model(
    labelled: str | os.PathLike | pd.DataFrame | LabelledData | Sequence[Any] | None,
    *,
    taxonomy: str | os.PathLike | Taxonomy | None = None,
    heldout: str | os.PathLike | pd.DataFrame | LabelledData | None = None,
    out: str | os.PathLike | None = None,
    base: str | os.PathLike | pd.DataFrame | LabelledData | None = "auto",
    own_weight: float = 1.0,
    name: str = "custom",
    version: str = "1.0.0",
    description: str | None = None,
    params: dict[str, Any] | None = None,
    independent: tuple[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    limits: Sequence[str] | None = None,
    score_scale: str | tuple[int, int] | None = None,
) -> Model:
    """Train a :class:`ThemeClassifier` on labelled comments and wrap it as a :class:`Model`.

    Without ``taxonomy`` the theme set is the one found in the labels; with one, labels outside it are errors.
    If the labelled data has a ``split`` column, rows marked ``train`` are used for training and rows marked
    ``test`` are the held-out set; otherwise ``heldout`` (a separate labelled file) may be given. Held-out
    metrics are stored in the manifest; nothing held out is used for training or tuning. With ``out`` the model
    is saved there. ``limits``: known weaknesses measured elsewhere (for example on real comments), one sentence
    each, stated in the manifest and the model card. ``score_scale``: the labelled files' scores are on another
    scale, written WORST-BEST (``"1-5"``, ``"5-1"``; see :func:`~npsthemes.labelled.load_labelled`).

    ``labelled`` may be a list of sources (for example your earlier labels and a corrected batch): they are merged
    without duplicates, a later row replacing an earlier one with the same ``id`` or text
    (:func:`~npsthemes.labelled.merge_labelled`).

    ``base``: labelled comments your labels are **added to**. ``"default"``: the shipped corpus's training split
    (its labels of themes outside ``taxonomy`` dropped; without a ``taxonomy``, the default taxonomy plus your new
    themes). ``"auto"`` (the default): ``"default"`` when ``taxonomy`` holds every default theme (the default
    taxonomy or a copy you extended) and ``labelled`` is not the shipped corpus itself, else none. None: your
    labels only; or any labelled source. A row of yours replaces a base row with the same text.
    ``own_weight``: the weight of your rows against the base rows (for example 3: each of your comments counts
    three times in the theme and polarity models and their threshold cross-validation).
    """
    step = progress or (lambda s: None)
    if out is not None:  # refuse a bad output directory before the training, not after it
        from ._io import check_output_dir
        from .persistence import model_dir_files

        check_output_dir(
            out,
            model_dir_files(out),
            [*_sources(labelled), heldout, taxonomy, base, independent[1] if independent else None],
            "an npsthemes model",
        )
    tax = load_taxonomy(taxonomy) if isinstance(taxonomy, (str, os.PathLike)) else taxonomy
    step("loading labelled data")
    sources = _sources(labelled)
    base_kind = _base_kind(base, sources, tax)
    if not sources and base_kind is None:
        raise LabelError("no labelled comments to train on: give a labelled file, or a base corpus")
    parts = [_load(src, tax, score_scale) for src in sources]
    splits = [split_labelled(d) for d in parts]
    tests = [t for _, t in splits if t is not None]
    if heldout is not None:
        if tests:
            raise DataError(
                "the labelled data already has a 'split' column with test rows; drop `heldout`", param="heldout"
            )
        tests = [_load(heldout, tax, score_scale)]
    test = tests[0] if len(tests) == 1 else (merge_labelled(*tests) if tests else None)
    own = [t for t, _ in splits]
    data = own[0] if len(own) == 1 else (merge_labelled(*own) if own else None)
    base_data = None
    if base_kind is not None:
        if tax is None and base_kind == "default":
            tax = _default_plus(data)
        base_data = _base_rows(base, tax)
        train = merge_labelled(base_data, data, weights=[1.0, own_weight]) if data is not None else base_data
    else:
        assert data is not None
        train = data
    if tax is None:
        tax = taxonomy_from_themes(train.themes, polarities=tuple(train.polarities))
    weight = train.data["weight"].to_numpy() if "weight" in train.data else None
    clf = _classifier(tax.ids, params, tax.rules())
    try:
        clf.fit(train.X, train.y, progress=lambda s: step(f"fitting: {s}"), sample_weight=weight)
    except ValueError as exc:  # scikit-learn's vectorizers refuse a corpus with (almost) no words
        if "no terms remain" in str(exc) or "empty vocabulary" in str(exc):
            raise LabelError(
                f"{train.source}: the training comments have too few distinct words to learn from "
                f"({len(train)} comments); label more comments"
            ) from exc
        raise
    _warn_about_training(clf, train)
    training_data: dict[str, Any] = {
        "source": " + ".join(_source_name(x) for x in sources) if sources else None,
        "sha256": _sha256_of(sources[0], parts[0]) if len(sources) == 1 else _sha256_of(None, train),
        "n": len(train),
        "split": "train" if any("split" in d.data for d in parts) else "all",
    }
    if base_data is not None:
        training_data["base"] = {
            "source": "the shipped corpus (training split)" if base_kind == "default" else _source_name(base),
            "n": int(len(train) - (len(data) if data is not None else 0)),
            "own_weight": float(own_weight),
        }
    manifest = _manifest(clf, tax, name, version, description, limits, training_data)
    first = _source_name(sources[0]) if sources else "the base corpus"
    label = f"split of {first}" if heldout is None else f"set {_source_name(heldout)}"
    if independent is not None and score_scale is not None:
        independent = (independent[0], _load(independent[1], None, score_scale))
    return _finish(Model(classifier=clf, taxonomy=tax, manifest=manifest), test, independent, out, step, label)


def _write_predictions(
    path: str | os.PathLike,
    source: Any,
    data: LabelledData,
    gold: list[dict[str, str]],
    pred: list[dict[str, str]],
    pol: list[dict[str, str]],
) -> None:
    from ._io import check_not_input, guard_formulas, write_table
    from .labelled import format_labels

    check_not_input(path, [source])
    table = pd.DataFrame(
        {
            "id": data.data["id"],
            "text": data.data["text"],
            "language": data.data["language"],
            "gold": [format_labels(g) for g in gold],
            "predicted": [format_labels(p) for p in pred],
            "missed": [";".join(t for t in g if t not in p) for g, p in zip(gold, pred)],
            "extra": [";".join(t for t in p if t not in g) for g, p in zip(gold, pred)],
            "polarity_of_gold": [format_labels(x) for x in pol],
        }
    )
    write_table(guard_formulas(table), path)


def _sources(labelled: Any) -> list[Any]:
    if labelled is None:
        return []
    if isinstance(labelled, (list, tuple)):
        return list(labelled)
    return [labelled]


def _is_shipped_corpus(source: Any) -> bool:
    from ._io import same_file
    from .datasets import training_corpus_path

    return isinstance(source, (str, os.PathLike)) and same_file(source, training_corpus_path())


def _base_kind(base: Any, sources: list[Any], tax: Taxonomy | None) -> str | None:
    """What ``base`` means here: "default" (the shipped corpus), "other" (a labelled source) or None."""
    if base is None or (isinstance(base, str) and base.lower() in ("none", "")):
        return None
    if isinstance(base, str) and base.lower() == "auto":
        from .taxonomy import default_taxonomy

        holds_default = tax is not None and set(default_taxonomy().ids) <= set(tax.ids)
        return "default" if holds_default and not any(_is_shipped_corpus(s) for s in sources) else None
    if isinstance(base, str) and base.lower() == "default":
        if any(_is_shipped_corpus(s) for s in sources):
            raise DataError("the labelled file is the shipped corpus itself: use base=None", param="base")
        return "default"
    return "other"


def _default_plus(data: LabelledData | None) -> Taxonomy:
    """The default taxonomy plus the new theme ids of ``data`` (a new theme needs no code)."""
    from .taxonomy import Taxonomy, default_taxonomy

    tax = default_taxonomy()
    new = [t for t in (data.themes if data is not None else []) if t not in tax.ids]
    if not new:
        return tax
    d = tax.to_dict()
    d["themes"] += [{"id": t, "labels": {"en": t}} for t in new]
    return Taxonomy.from_dict(d, source="default taxonomy + your themes")


def _base_rows(base: Any, tax: Taxonomy | None) -> LabelledData:
    """The base corpus's rows, with labels of themes outside ``tax`` (when given) dropped."""
    from .datasets import load_training_corpus

    if isinstance(base, str) and base.lower() in ("default", "auto"):
        raw = load_training_corpus("train")[["id", "text", "score", "language", "labels"]]
        data = load_labelled(raw)
        data = LabelledData(data.data, data.rejected, "the shipped corpus [train]")
    else:
        data = _load(base, None)
        data = split_labelled(data)[0]
    if tax is None:
        return data
    keep = set(tax.ids)
    frame = data.data.copy()
    frame["labels"] = [{t: p for t, p in labs.items() if t in keep} for labs in frame["labels"]]
    return LabelledData(frame, data.rejected, data.source)


def _warn_about_training(clf: ThemeClassifier, data: LabelledData) -> None:
    """Say what a fitted model silently decided: languages without lexicon support, forced themes."""
    from .lexicon import NEGATIONS

    plain = [lang for lang in clf.languages_ if lang not in NEGATIONS]
    if plain:
        warnings.warn(
            f"{data.source}: language {', '.join(plain)} gets n-gram features and simplemma lemmas (where simplemma "
            f"has the language) but no sentiment lexicon, negation, wish or contrast words (only "
            f"{', '.join(NEGATIONS)} have them): its polarity is learnt from the labels and the score alone",
            stacklevel=3,
        )
    if clf.min_themes == "auto" and clf.min_themes_ == 1:
        warnings.warn(
            f"{data.source}: every training comment has a theme, so the model gives every comment with words at "
            "least one theme (min_themes 'auto'); use min_themes=0 (--min-themes 0) if a comment can be about no "
            "theme",
            stacklevel=3,
        )


def _source_name(source: Any) -> str:
    if isinstance(source, LabelledData):
        return Path(str(source.source)).name
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    return "(a DataFrame)"


def _manifest(
    clf: ThemeClassifier,
    tax: Taxonomy,
    name: str,
    version: str,
    description: str | None,
    limits: Sequence[str] | None,
    training_data: dict[str, Any],
) -> dict[str, Any]:
    return {
        "name": name,
        "model_version": version,
        "description": description,
        **({"limits": [str(x) for x in limits]} if limits else {}),
        "taxonomy": tax.to_dict(),
        "taxonomy_version": tax.version,
        "themes": list(map(str, clf.classes_)),
        "polarities": list(map(str, clf.polarity_classes_)),
        "languages": list(clf.languages_),
        "thresholds": {str(t): round(float(v), 4) for t, v in zip(clf.classes_, clf.thresholds_)},
        "params": clf.describe_params(),
        "training_data": training_data,
        "metrics": {},
    }


def _finish(
    model: Model,
    test: LabelledData | None,
    independent: tuple[str, Any] | None,
    out: str | os.PathLike | None,
    step: Callable[[str], None],
    heldout_label: str = "set",
) -> Model:
    """Evaluate on the held-out and independent sets (into the manifest's metrics), then save to ``out``."""
    manifest = model.manifest
    if test is not None:
        step("evaluating on the held-out split")
        met = evaluate_model(model, test)
        met["description"] = f"Held-out {heldout_label} ({len(test)} comments), never used for training or tuning."
        manifest["metrics"]["heldout"] = met
    if independent is not None:
        label, source = independent
        step(f"evaluating on {label}")
        met = evaluate_model(model, source)
        met["description"] = label
        manifest["metrics"]["independent"] = met
    if out is not None:
        step("saving")
        model.save(out)
    return model


def rules_model(
    taxonomy: str | os.PathLike | Taxonomy,
    *,
    heldout: str | os.PathLike | pd.DataFrame | LabelledData | None = None,
    out: str | os.PathLike | None = None,
    name: str = "rules",
    version: str = "1.0.0",
    description: str | None = None,
    languages: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Model:
    """A rules-only :class:`Model` from a taxonomy whose themes carry rules, with no labelled comments
    (:meth:`ThemeClassifier.from_rules`): a team with its own taxonomy can analyse on day one. ``heldout``:
    labelled comments to evaluate it on (stored in the manifest); with ``out`` the model is saved there."""
    step = progress or (lambda s: None)
    if out is not None:
        from ._io import check_output_dir
        from .persistence import model_dir_files

        check_output_dir(out, model_dir_files(out), [taxonomy, heldout], "an npsthemes model")
    tax = load_taxonomy(taxonomy) if isinstance(taxonomy, (str, os.PathLike)) else taxonomy
    step("building the rules")
    clf = ThemeClassifier.from_rules(tax, languages=languages)
    training_data = {"source": None, "sha256": None, "n": 0, "split": "none (rules only, no training data)"}
    desc = description or f"Rules-only model of the taxonomy {tax.name!r} (no training data)."
    manifest = _manifest(clf, tax, name, version, desc, None, training_data)
    test = None if heldout is None else _load(heldout, tax)
    label = f"set {_source_name(heldout)}" if heldout is not None else "set"
    return _finish(Model(classifier=clf, taxonomy=tax, manifest=manifest), test, None, out, step, label)


def _as_model(model: Model | ThemeClassifier | str | os.PathLike | None) -> Model:
    if isinstance(model, Model):
        return model
    if isinstance(model, ThemeClassifier):
        return Model(classifier=model, taxonomy=taxonomy_from_themes(list(model.classes_)), manifest={})
    return load_model(model)


def evaluate_model(
    model: Model | ThemeClassifier | str | os.PathLike | None,
    labelled: str | os.PathLike | pd.DataFrame | LabelledData,
    *,
    score_scale: str | tuple[int, int] | None = None,
    predictions: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """Evaluate a model on labelled comments.

    ``predictions``: also write each comment's gold and predicted labels there (.csv, .jsonl, .parquet; written
    atomically, formula-guarded, never over the labelled file): ``id``, ``text``, ``language``, ``gold``,
    ``predicted``, ``missed`` (gold themes not predicted), ``extra`` (predicted themes not in gold) and
    ``polarity_of_gold`` (the polarity the model gives each gold theme).

    Returns ``n``, ``micro_precision``, ``micro_recall``, ``micro_f1`` (over (comment, theme) pairs),
    ``macro_f1``, ``polarity_accuracy`` (over the gold (comment, theme) pairs: the polarity the model gives that
    theme in that comment), ``coverage`` (share of comments given at least one theme), ``per_theme``
    {theme: {precision, recall, f1, support}}, ``per_language`` {lang: {micro_f1, polarity_accuracy, n}} and,
    when the data has languages, ``language_accuracy`` of the language detector.
    """
    m = _as_model(model)
    clf = m.classifier
    data = _load(labelled, None, score_scale)
    known = set(map(str, clf.classes_))
    gold = [{t: p for t, p in labs.items() if t in known} for labs in data.y]
    outside = sorted({t for labs in data.y for t in labs} - known)
    if outside and not any(gold):
        themes = ", ".join(map(str, clf.classes_))
        raise LabelError(
            f"{data.source}: none of the labelled themes ({', '.join(outside[:8])}"
            f"{', ...' if len(outside) > 8 else ''}) is a theme of model {m.name!r} ({themes}): evaluate the model "
            "trained on these labels (--model DIR)"
        )
    X = data.X
    pred, pol = clf.predict_with_polarity_of(X, [list(g) for g in gold])  # one pass: features built once
    res = theme_metrics(gold, pred, list(clf.classes_))
    if predictions is not None:
        _write_predictions(predictions, labelled, data, gold, pred, pol)
    correct = np.array([pol[i][t] == gold[i][t] for i in range(len(gold)) for t in gold[i]], dtype=bool)
    res["polarity_accuracy"] = float(correct.mean()) if len(correct) else None
    res["n_pairs"] = int(len(correct))
    if outside:
        res["themes_not_in_model"] = outside
    langs = data.data["language"].tolist()
    if any(langs):
        detected = clf.language_detector_.detect(data.data["text"].tolist())
        ok = [d == g for d, g in zip(detected, langs) if g]
        res["language_accuracy"] = float(np.mean(ok)) if ok else None
        per_lang = {}
        pair_lang = np.array([langs[i] for i in range(len(gold)) for _ in gold[i]], dtype=object)
        for lang in sorted({x for x in langs if x}):
            idx = [i for i, x in enumerate(langs) if x == lang]
            sub = theme_metrics([gold[i] for i in idx], [pred[i] for i in idx], list(clf.classes_))
            sel = pair_lang == lang
            per_lang[lang] = {
                "micro_f1": sub["micro_f1"],
                "polarity_accuracy": float(correct[sel].mean()) if sel.any() else None,
                "n": len(idx),
            }
        res["per_language"] = per_lang
    else:
        res["per_language"] = {}
    return res


def cross_validate_model(
    labelled: str | os.PathLike | pd.DataFrame | LabelledData,
    *,
    k: int = 5,
    params: dict[str, Any] | None = None,
    taxonomy: Taxonomy | None = None,
    random_state: int = 0,
    progress: Callable[[str], None] | None = None,
    rules: dict[str, Any] | None = None,
    score_scale: str | tuple[int, int] | None = None,
) -> dict[str, Any]:
    """K-fold cross-validation: for each fold, train on the rest and evaluate on it. Returns the mean and standard
    deviation of the headline metrics and each fold's metrics. ``rules``: theme rules to add as the ``rules``
    block (default: the ``taxonomy``'s rules, as :func:`train_model` does)."""
    from sklearn.model_selection import KFold

    data = _load(labelled, taxonomy, score_scale)
    if len(data) < 2 * k:
        raise DataError(
            f"{data.source}: {k}-fold cross-validation needs at least {2 * k} labelled rows (two per "
            f"fold); got {len(data)}"
        )
    themes = taxonomy.ids if taxonomy else data.themes
    folds = []
    for f, (tr, te) in enumerate(KFold(k, shuffle=True, random_state=random_state).split(data.data)):
        if progress:
            progress(f"fold {f + 1}/{k}")
        train = LabelledData(data.data.iloc[tr].reset_index(drop=True), data.rejected, data.source)
        test = LabelledData(data.data.iloc[te].reset_index(drop=True), data.rejected, data.source)
        clf = _classifier(themes, params, rules if rules is not None else (taxonomy.rules() if taxonomy else None))
        clf.fit(train.X, train.y)
        folds.append(evaluate_model(clf, test))
    keys = ("micro_precision", "micro_recall", "micro_f1", "macro_f1", "polarity_accuracy", "coverage")
    return {
        "k": k,
        "n": len(data),
        **{f"{key}_mean": float(np.mean([fo[key] for fo in folds if fo[key] is not None])) for key in keys},
        **{f"{key}_std": float(np.std([fo[key] for fo in folds if fo[key] is not None])) for key in keys},
        "folds": folds,
    }
