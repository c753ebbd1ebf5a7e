"""`ThemeClassifier`: tags comments with themes, each with a polarity: a scikit-learn composite of stages.

Stages (parameters of the composite; each a small scikit-learn estimator in :mod:`npsthemes.stages`, fitted
copies kept as ``<stage>_``; ``None`` means the default stage):

1. ``text`` (:class:`~npsthemes.stages.text.TextAnalyzer`): language, tokens, lemmas, clauses (a ``Batch``).
2. ``vectorizer`` (:class:`~npsthemes.stages.vectorize.FeatureBlocks`): a union of feature blocks: lemma
   1-2-gram TF-IDF (``word``), character 2-5-gram TF-IDF (``char``), optional sentence embeddings.
3. ``theme_detector`` (:class:`~npsthemes.stages.detect.ThemeDetector`): one logistic regression per theme on
   Naive-Bayes-scaled n-grams.
4. ``threshold_tuner`` (:class:`~npsthemes.stages.thresholds.ThresholdTuner`): per-theme thresholds tuned by
   cross-validation on the training data only (it fits copies of the ``theme_detector`` stage; its own
   ``estimator`` parameter is not used inside the composite).
5. ``polarity`` (:class:`~npsthemes.stages.polarity.PolarityModel`): the polarity of each detected theme from
   the clause that mentions it most strongly, with the NPS category of the score as a weak prior.
6. ``explainer`` (:class:`~npsthemes.stages.explain.Explainer`): the evidence words of each mention.

Nested parameters work as in a scikit-learn ``Pipeline``: ``ThemeClassifier.default(theme_detector__C=2.0,
vectorizer__char__ngram_range=(2, 4))``, ``set_params(threshold_tuner__cv=0)``, or a ``GridSearchCV`` over
``{"theme_detector__C": [2, 8]}``. Any stage can be swapped for an object with the same methods.

Inputs ``X``: a sequence of strings, or a DataFrame with a ``text`` column and optional ``score`` (0-10) and
``language`` columns. Targets ``y``: one label set per comment, as ``"theme:polarity;theme:polarity"`` strings,
dicts ``{theme: polarity}`` or lists of ``(theme, polarity)`` pairs. ``predict`` returns the multi-label
indicator matrix over ``classes_`` (scikit-learn's multi-label convention), ``predict_proba`` the theme
probabilities, ``predict_labels`` the ``theme:polarity`` strings, and :meth:`ThemeClassifier.tag` the rich
per-comment output (themes, polarities, probabilities, evidence, clause) the rest of the package uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from .errors import DataError, NotFittedError
from .labelled import parse_labels
from .lexicon import SentimentLexicon
from .preprocessing import _ranges
from .stages.detect import ThemeDetector
from .stages.explain import Explainer
from .stages.polarity import PolarityModel, context_rows, pair_array, polarity_features
from .stages.rules import RuleBlock
from .stages.text import Batch, TextAnalyzer, as_inputs
from .stages.thresholds import ThresholdTuner, tune_thresholds
from .stages.vectorize import EmbeddingBlock, FeatureBlocks, StaticEmbeddingBlock, default_blocks
from .stats import category_codes
from .tagging import empty_tag_frame

__all__ = ["ThemeClassifier", "theme_metrics", "tune_thresholds", "empty_tag_frame"]


def _as_label_sets(y: Any) -> list[dict[str, str]]:
    if isinstance(y, pd.Series):
        y = y.tolist()
    try:
        return [parse_labels(v) for v in y]
    except ValueError as exc:
        raise DataError(f"y: {exc}", param="y") from exc


def theme_metrics(
    y_true: Sequence[dict[str, str]], y_pred: Sequence[dict[str, str]], classes: Sequence[str]
) -> dict[str, Any]:
    """Micro/macro precision, recall and F1 over (comment, theme) pairs, per theme, and coverage."""
    classes = [str(c) for c in classes]
    per_theme = {}
    tp_all = fp_all = fn_all = 0
    for t in classes:
        tp = sum(1 for a, b in zip(y_true, y_pred) if t in a and t in b)
        fp = sum(1 for a, b in zip(y_true, y_pred) if t not in a and t in b)
        fn = sum(1 for a, b in zip(y_true, y_pred) if t in a and t not in b)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per_theme[t] = {"precision": p, "recall": r, "f1": f, "support": tp + fn}
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
    mp = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    mr = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    mf = 2 * mp * mr / (mp + mr) if mp + mr else 0.0
    supported = [v["f1"] for v in per_theme.values() if v["support"] > 0]
    return {
        "n": len(y_true),
        "micro_precision": mp,
        "micro_recall": mr,
        "micro_f1": mf,
        "macro_f1": float(np.mean(supported)) if supported else 0.0,
        "coverage": float(np.mean([len(b) > 0 for b in y_pred])) if len(y_pred) else 0.0,
        "per_theme": per_theme,
    }


_STAGE_NAMES = ("text", "vectorizer", "theme_detector", "threshold_tuner", "polarity", "explainer")


def _default_stage(name: str) -> Any:
    """The default stage of each name (the defaults chosen by cross-validation on the training split)."""
    if name == "text":
        return TextAnalyzer()
    if name == "vectorizer":
        return FeatureBlocks(default_blocks())
    if name == "theme_detector":
        return ThemeDetector()
    if name == "threshold_tuner":
        return ThresholdTuner()
    if name == "polarity":
        return PolarityModel()
    if name == "explainer":
        return Explainer()
    raise KeyError(name)


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label theme tagger with a polarity per theme mention, made of swappable stages.

    Parameters
    ----------
    themes : list of str or None
        Theme ids (e.g. a taxonomy's ids). None: the themes found in ``y``.
    text, vectorizer, theme_detector, threshold_tuner, polarity, explainer : estimator or None
        The stages (see the module documentation); None: the default stage. :meth:`default` makes a
        classifier with every stage given, so nested parameters can be listed and grid-searched.
    min_themes : {"auto", 0, 1}
        1: a comment with words but no theme above its threshold gets its most probable theme (for taxonomies
        with a catch-all theme). 0: never. ``"auto"``: 1 if every training comment has at least one theme, else 0
        (survey data has "ok" and "-" answers, so the default corpus gives 0).

    Attributes
    ----------
    classes_ : ndarray of str
        Theme ids, the columns of ``predict`` and ``predict_proba``.
    polarity_classes_ : ndarray of str
        Polarity labels seen in training.
    text_, vectorizer_, theme_detector_, polarity_, explainer_ : fitted stages (``polarity_`` is None when the
        training data had one polarity only)
    thresholds_ : ndarray of float
        Per-theme decision thresholds (from the fitted ``threshold_tuner``).
    min_themes_ : int
        The resolved ``min_themes``.
    lexicon_ : SentimentLexicon or None
        The sentiment lexicons of the polarity features (None when ``polarity.lexicon_weight`` is 0).

    Examples
    --------
    >>> clf = ThemeClassifier.default(threshold_tuner__cv=0)
    >>> X = ["Fast and friendly", "Too expensive", "Slow handling", "Cheap and fast", "ok", "friendly staff"] * 3
    >>> y = ["speed:positive;personal_service:positive", "price:negative", "speed:negative",
    ...      "price:positive;speed:positive", "", "personal_service:positive"] * 3
    >>> clf.fit(X, y).classes_.tolist()
    ['personal_service', 'price', 'speed']
    >>> clf.predict(["too expensive"]).tolist()
    [[0, 1, 0]]
    """

    def __init__(
        self,
        themes: Sequence[str] | None = None,
        text: Any = None,
        vectorizer: Any = None,
        theme_detector: Any = None,
        threshold_tuner: Any = None,
        polarity: Any = None,
        explainer: Any = None,
        min_themes: int | str = "auto",
    ):
        self.themes = themes
        self.text = text
        self.vectorizer = vectorizer
        self.theme_detector = theme_detector
        self.threshold_tuner = threshold_tuner
        self.polarity = polarity
        self.explainer = explainer
        self.min_themes = min_themes

    @classmethod
    def default(
        cls,
        *,
        embedding_model: str | None = None,
        embedding_weight: float = 1.0,
        rules: dict[str, Any] | None = None,
        static_model: str | None = None,
        static_weight: float = 1.0,
        **params: Any,
    ) -> ThemeClassifier:
        """A classifier with every stage given explicitly (so ``get_params(deep=True)`` lists the nested
        parameters), then ``set_params(**params)``. ``embedding_model``: the path of a local
        sentence-transformers model whose embeddings are added as a feature block (extra ``embeddings``).
        ``rules``: a taxonomy's theme rules (``Taxonomy.rules()``), added as the ``rules`` feature block.
        ``static_model``: a local model2vec directory whose mean token embeddings (English rows) are added as the
        ``static`` feature block (extra ``semantic``)."""
        top = {k: params.pop(k) for k in list(params) if k in ("themes", "min_themes") or k in _STAGE_NAMES}
        clf = cls(**{name: _default_stage(name) for name in _STAGE_NAMES}).set_params(**top)
        extra: list[tuple[str, Any]] = []
        if rules:
            extra.append(("rules", RuleBlock(rules)))
        if embedding_model is not None:
            extra.append(("embeddings", EmbeddingBlock(embedding_model, embedding_weight)))
        if static_model is not None:
            extra.append(("static", StaticEmbeddingBlock(static_model, static_weight)))
        if extra:
            clf.vectorizer = FeatureBlocks(list(clf.vectorizer.blocks) + extra)
        return clf.set_params(**params)

    def set_params(self, **params: Any) -> ThemeClassifier:
        """Set parameters; a nested parameter of a stage left at None (``theme_detector__C``) first puts the
        default stage in its place."""
        for key in params:
            name = key.split("__", 1)[0]
            if "__" in key and name in _STAGE_NAMES and getattr(self, name) is None and name not in params:
                setattr(self, name, _default_stage(name))
        super().set_params(**params)
        return self

    def _stage(self, name: str) -> Any:
        value = getattr(self, name)
        return _default_stage(name) if value is None else value

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        tags.non_deterministic = False
        return tags

    # ------------------------------------------------------------------ fitted views
    def _check_fitted(self) -> None:
        if not hasattr(self, "theme_detector_"):
            raise NotFittedError("this ThemeClassifier is not fitted yet; call fit(X, y) or load a model")

    @property
    def languages_(self) -> tuple[str, ...]:
        self._check_fitted()
        return self.text_.languages_

    @property
    def language_detector_(self) -> Any:
        self._check_fitted()
        return self.text_.language_detector_

    @property
    def preprocessor_(self) -> Any:
        self._check_fitted()
        return self.text_.preprocessor_

    def describe_params(self) -> dict[str, Any]:
        """Every leaf parameter (nested names, stages' own classes as ``<name>`` entries), JSON-friendly: what
        a model's manifest records."""
        out: dict[str, Any] = {}
        full = self.default() if all(getattr(self, n) is None for n in _STAGE_NAMES) else self
        params = {
            **{n: _default_stage(n) for n in _STAGE_NAMES if getattr(full, n) is None},
            **full.get_params(deep=True),
        }
        for key, value in sorted(params.items()):
            if hasattr(value, "get_params"):
                out[key] = type(value).__name__
            elif isinstance(value, tuple):
                out[key] = list(value)
            elif isinstance(value, (str, int, float, bool)) or value is None:
                out[key] = value
            elif isinstance(value, list) and all(isinstance(v, tuple) and len(v) == 2 for v in value):
                out[key] = [[n, type(b).__name__] for n, b in value]
            else:
                out[key] = repr(value)
        return out

    @classmethod
    def from_rules(
        cls, taxonomy: Any, *, hit_probability: float = 0.9, languages: Sequence[str] | None = None
    ) -> ThemeClassifier:
        """A fitted rules-only classifier from a taxonomy whose themes carry rules, with no training data: a theme
        is tagged where one of its terms matches (probability ``hit_probability``) and no ``not`` term does;
        polarity comes from the sentiment lexicon with negation, else from the score (:class:`RulePolarity`);
        language detection is simplemma's. A team with its own taxonomy starts with it on day one and replaces
        it with a trained model once it has labelled comments."""
        from .stages.detect import ThemeDetector
        from .stages.polarity import RulePolarity
        from .stages.text import SimplemmaLanguages

        rules = taxonomy.rules()
        if not rules:
            raise DataError(
                "the taxonomy has no rules: add 'rules' to its themes, or train on labelled comments", param="taxonomy"
            )
        themes = list(taxonomy.ids)
        clf = cls(themes=themes)
        clf.classes_ = np.array(themes)
        clf.polarity_classes_ = np.array(["negative", "positive"])
        clf.text_ = TextAnalyzer(languages=languages)
        clf.text_.languages_ = tuple(languages or ("fi", "sv", "en"))
        clf.text_.language_detector_ = SimplemmaLanguages(clf.text_.languages_)
        from .preprocessing import TextPreprocessor

        clf.text_.preprocessor_ = TextPreprocessor(clf.text_.languages_)
        clf.vectorizer_ = FeatureBlocks([("rules", RuleBlock(rules))]).fit(None)
        block = clf.vectorizer_.block("rules")
        logit = float(np.log(hit_probability / (1 - hit_probability)))
        det = ThemeDetector()
        det.weights_ = np.zeros((block.n_features_out_, len(themes)))
        for k, theme in enumerate(block.themes_):
            det.weights_[k, themes.index(theme)] = 2 * logit
        det.intercept_ = np.full(len(themes), -logit)
        det.active_ = np.array([t in block.themes_ for t in themes])
        det.constant_ = np.zeros(len(themes))
        det.multilabel_ = True
        det.classes_ = np.arange(len(themes))
        det.n_features_in_ = block.n_features_out_
        det.n_iter_ = np.zeros(len(themes), dtype=np.int64)
        clf.theme_detector_ = det
        clf.thresholds_ = np.full(len(themes), 0.5)
        clf.min_themes_ = 0
        clf.lexicon_ = SentimentLexicon(clf.text_.languages_)
        clf.polarity_ = RulePolarity().fit()
        clf.explainer_ = Explainer().fit(clf.vectorizer_, det, frozenset())
        return clf

    @classmethod
    def from_description(
        cls, described: dict[str, Any], *, rules: dict[str, Any] | None = None, **overrides: Any
    ) -> ThemeClassifier:
        """An unfitted classifier with the parameters :meth:`describe_params` recorded (a model manifest's
        ``params``), e.g. to cross-validate a saved model's configuration; custom stage classes are not
        rebuilt (their names are recorded, not their code). The rules themselves are not in the description:
        ``rules`` (a taxonomy's ``rules()``) gives a described ``rules`` block back."""
        clf = cls.default(
            embedding_model=described.get("vectorizer__embeddings__model"),
            static_model=described.get("vectorizer__static__model"),
            rules=(rules or None) if any(n == "rules" for n, *_ in described.get("vectorizer__blocks") or []) else None,
        )
        known = clf.get_params(deep=True)
        leaf = {}
        for key, value in described.items():
            if key not in known or hasattr(known[key], "get_params") or key.endswith("__blocks"):
                continue
            if key.endswith("__estimator") or key == "vectorizer__rules__rules" or isinstance(known[key], list):
                continue
            leaf[key] = tuple(value) if isinstance(value, list) else value
        return clf.set_params(**{**leaf, **overrides})

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any, progress: Any = None, sample_weight: Any = None) -> ThemeClassifier:
        """Fit every stage on labelled comments. ``progress``: optional callable ``progress(step: str)`` called
        at each stage (the CLI shows it). ``sample_weight``: one positive weight per comment, used by the theme
        detector (and its threshold cross-validation) and the polarity model."""
        step = progress or (lambda s: None)
        texts, scores, _ = as_inputs(X)
        label_sets = _as_label_sets(y)
        if len(label_sets) != len(texts):
            raise DataError(f"X has {len(texts)} rows but y has {len(label_sets)}", param="y")
        weight = None
        if sample_weight is not None:
            weight = np.asarray(sample_weight, dtype=float)
            if weight.shape != (len(texts),) or not np.isfinite(weight).all() or not (weight > 0).all():
                raise DataError(
                    f"sample_weight must be {len(texts)} positive numbers, one per comment", param="sample_weight"
                )
            if np.all(weight == weight[0]):
                weight = None  # equal weights change nothing; keep the unweighted fit (same numbers)
        if len(texts) < 4:
            raise DataError(f"need at least 4 labelled comments to train; got {len(texts)}", param="X")
        themes = list(self.themes) if self.themes is not None else sorted({t for s in label_sets for t in s})
        unknown = sorted({t for s in label_sets for t in s} - set(themes))
        if unknown:
            raise DataError(f"y has themes outside `themes`: {', '.join(unknown)}", param="themes")
        if not themes:
            raise DataError("y has no theme labels at all; nothing to learn", param="y")
        if self.min_themes not in ("auto", 0, 1):
            raise ValueError(f"min_themes must be 'auto', 0 or 1, got {self.min_themes!r}")
        self.classes_ = np.array(themes)
        self.polarity_classes_ = np.array(sorted({p for s in label_sets for p in s.values()}))

        step("languages and preprocessing")
        self.text_ = clone(self._stage("text"))
        batch = self.text_.fit_transform(X)
        polarity = self._stage("polarity")
        self.lexicon_ = SentimentLexicon(self.text_.languages_) if polarity.lexicon_weight else None

        step("features")
        self.vectorizer_ = clone(self._stage("vectorizer")).fit(batch)
        comment_X = self.vectorizer_.transform(batch)
        Y = np.array([[t in s for t in themes] for s in label_sets], dtype=int)
        if len(themes) == 1 and Y.min() == 1:
            raise DataError(
                f"every training comment has the only theme {themes[0]!r}: nothing shows when it is absent; add "
                "comments without it (with an empty label) or other themes",
                param="y",
            )

        step("themes and thresholds")
        tuner = clone(self._stage("threshold_tuner")).set_params(estimator=clone(self._stage("theme_detector")))
        tuner.fit(
            comment_X,
            Y,
            nb_columns=self.vectorizer_.nb_columns_,
            **({} if weight is None else {"sample_weight": weight}),
        )
        self.theme_detector_ = tuner.estimator_
        self.thresholds_ = np.asarray(tuner.thresholds_, dtype=float)
        self.min_themes_ = int(all(label_sets)) if self.min_themes == "auto" else int(self.min_themes)

        step("polarity")
        pairs_list, pols = [], []
        for i, s in enumerate(label_sets):
            for t, p in s.items():
                pairs_list.append((i, themes.index(t)))
                pols.append(p)
        pairs = pair_array(pairs_list)
        if len(set(pols)) >= 2:
            clause_X, owner = self.vectorizer_.transform_clauses(batch, comment_X)
            P, _ = self._polarity_inputs(batch, comment_X, clause_X, owner, pairs, polarity)
            self.polarity_ = clone(polarity).fit(
                P,
                pols,
                categories=category_codes(batch.scores[pairs[:, 0]]),
                **({} if weight is None else {"sample_weight": weight[pairs[:, 0]]}),
            )
        else:
            self.polarity_ = None
        self.explainer_ = clone(self._stage("explainer")).fit(
            self.vectorizer_, self.theme_detector_, self.text_.stop_words()
        )
        return self

    # ------------------------------------------------------------------ internals (no shared state changes)
    def _analyse(self, X: Any, fallback_language: str | None = None) -> tuple[Batch, sp.csr_matrix]:
        self._check_fitted()
        batch = self.text_.transform(X, fallback_language)
        return batch, self.vectorizer_.transform(batch)

    def _theme_proba(self, X: sp.csr_matrix) -> np.ndarray:
        return self.theme_detector_.output_proba(X)

    def _decide(self, proba: np.ndarray, batch: Batch) -> np.ndarray:
        """Themes above their thresholds, for comments with words ("-", "..." get none); with ``min_themes_`` 1,
        a comment with words but no theme above its threshold gets its most probable theme."""
        has_words = batch.has_words()
        chosen = (proba >= self.thresholds_) & has_words[:, None]
        if self.min_themes_:
            fill = np.flatnonzero(~chosen.any(axis=1) & has_words)
            chosen[fill, np.argmax(proba[fill], axis=1)] = True
        return chosen

    def _lexicon_features(self, batch: Batch) -> tuple[np.ndarray, np.ndarray]:
        """Sentiment-lexicon features (lexicon.py) of every clause and of every comment."""
        docs = batch.docs
        clause_ptr, _ = docs.clause_bounds()
        lexicon = self.lexicon_
        assert lexicon is not None
        code = {lang: k for k, lang in enumerate(lexicon.languages)}
        doc_lang = np.fromiter((code.get(lang, -1) for lang in docs.langs), dtype=np.int64, count=len(docs))
        lengths = np.diff(docs.doc_ptr)
        lang_index = np.repeat(doc_lang, lengths)
        ids, vocab = docs.token_ids, docs.vocab
        tables = (ids, vocab.surface, ids, vocab.lemma)
        clause_rows = np.repeat(np.arange(len(clause_ptr) - 1), np.diff(clause_ptr))
        doc_rows = np.repeat(np.arange(len(docs)), lengths)
        return (
            lexicon.features(lang_index, *tables, clause_rows, len(clause_ptr) - 1),
            lexicon.features(lang_index, *tables, doc_rows, len(docs)),
        )

    def _polarity_inputs(
        self,
        batch: Batch,
        comment_X: sp.csr_matrix,
        clause_X: sp.csr_matrix,
        owner: np.ndarray,
        pairs: np.ndarray,
        polarity: Any,
    ) -> tuple[sp.csr_matrix, np.ndarray]:
        """The polarity features of (comment, theme) pairs, and the clause row that gives each its context."""
        ctx = context_rows(len(batch), owner, pairs, lambda rows: self._theme_proba(clause_X[rows]))
        lexicon = self._lexicon_features(batch) if self.lexicon_ is not None else None
        P = polarity_features(
            clause_X, comment_X, ctx, pairs, len(self.classes_), lexicon, polarity.context, polarity.lexicon_weight
        )
        return P, ctx

    def _polarity_for_pairs(
        self, batch: Batch, comment_X: sp.csr_matrix, clause_X: sp.csr_matrix, owner: np.ndarray, pairs: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Polarity label and probability of each (doc, theme) pair, and the clause row that decided it."""
        if not len(pairs):
            return np.zeros(0, dtype=object), np.zeros(0), np.zeros(0, dtype=int)
        if self.polarity_ is None:
            ctx = context_rows(len(batch), owner, pairs, lambda rows: self._theme_proba(clause_X[rows]))
            return np.full(len(pairs), str(self.polarity_classes_[0]), dtype=object), np.ones(len(pairs)), ctx
        P, ctx = self._polarity_inputs(batch, comment_X, clause_X, owner, pairs, self.polarity_)
        proba = self.polarity_.predict_proba(P, category_codes(batch.scores[pairs[:, 0]]))
        return self.polarity_.classes_.astype(object)[proba.argmax(axis=1)], proba.max(axis=1), ctx

    def _clause_texts(self, batch: Batch, rows: np.ndarray) -> list[str]:
        """The text (tokens joined by spaces) of clause rows (numbered as by ``DocBatch.clause_bounds``)."""
        bounds, _ = batch.docs.clause_bounds()
        rows = np.asarray(rows, dtype=np.int64)
        starts, n = bounds[rows], bounds[rows + 1] - bounds[rows]
        words = batch.docs.strings(_ranges(starts, n))
        cut = np.concatenate([[0], np.cumsum(n)]).tolist()
        return [" ".join(words[a:b]) for a, b in zip(cut[:-1], cut[1:])]

    def _given_pairs(self, themes: Sequence[str | Sequence[str]]) -> list[tuple[int, int]]:
        """(comment, theme column) pairs of given theme ids: ``themes[i]`` is one id or a list of ids of comment
        ``i``; an id that is not one of the model's themes is an error."""
        index = {t: j for j, t in enumerate(self.classes_)}
        pairs: list[tuple[int, int]] = []
        for i, ts in enumerate(themes):
            for t in [ts] if isinstance(ts, str) else ts:
                if t not in index:
                    raise DataError(
                        f"theme {t!r} is not one of the model's themes: {', '.join(self.classes_)}", param="themes"
                    )
                pairs.append((i, index[t]))
        return pairs

    # ------------------------------------------------------------------ predict
    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each theme (columns ``classes_``) for each comment."""
        _, comment_X = self._analyse(X)
        return self._theme_proba(comment_X)

    def predict(self, X: Any) -> np.ndarray:
        """Multi-label indicator matrix (n_comments, n_themes) over ``classes_``, using the tuned thresholds
        (and ``min_themes_``)."""
        batch, comment_X = self._analyse(X)
        return self._decide(self._theme_proba(comment_X), batch).astype(int)

    def predict_labels(self, X: Any) -> np.ndarray:
        """Label strings ``"theme:polarity;theme:polarity"`` (empty when no theme) for each comment."""
        tags = self.tag(X, evidence=False)
        return np.array([";".join(f"{t['theme']}:{t['polarity']}" for t in r["themes"]) for r in tags], dtype=object)

    def predict_polarity(self, X: Any, themes: Sequence[str | Sequence[str]]) -> list[Any]:
        """Polarity of given themes in given comments (SemEval subtask 4: the gold themes are given).

        ``themes[i]`` is a theme id (returns a polarity per comment) or a list of ids (returns a dict per comment).
        """
        batch, comment_X = self._analyse(X)
        if len(themes) != len(batch):
            raise DataError(f"got {len(batch)} comments but {len(themes)} theme entries", param="themes")
        single = all(isinstance(t, str) for t in themes)
        pairs = pair_array(self._given_pairs(themes))
        clause_X, owner = self.vectorizer_.transform_clauses(batch, comment_X)
        pols = [str(p) for p in self._polarity_for_pairs(batch, comment_X, clause_X, owner, pairs)[0]]
        if single:
            return pols
        out: list[dict[str, str]] = [{} for _ in range(len(batch))]
        for (i, j), p in zip(pairs.tolist(), pols):
            out[i][str(self.classes_[j])] = p
        return out

    def predict_with_polarity_of(
        self, X: Any, themes: Sequence[Sequence[str]]
    ) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        """For evaluation, from one pass over ``X``: the predicted ``{theme: polarity}`` of each comment (as
        :meth:`tag`), and the polarity of the given themes of each comment (as :meth:`predict_polarity`)."""
        batch, comment_X = self._analyse(X)
        if len(themes) != len(batch):
            raise DataError(f"got {len(batch)} comments but {len(themes)} theme entries", param="themes")
        doc_idx, theme_idx = np.nonzero(self._decide(self._theme_proba(comment_X), batch))
        pairs_list = list(zip(doc_idx.tolist(), theme_idx.tolist()))
        n_predicted = len(pairs_list)
        pairs = pair_array(pairs_list + self._given_pairs(themes))
        clause_X, owner = self.vectorizer_.transform_clauses(batch, comment_X)
        pols, _, _ = self._polarity_for_pairs(batch, comment_X, clause_X, owner, pairs)
        predicted: list[dict[str, str]] = [{} for _ in range(len(batch))]
        given: list[dict[str, str]] = [{} for _ in range(len(batch))]
        for k, ((i, j), p) in enumerate(zip(pairs.tolist(), pols)):
            (predicted if k < n_predicted else given)[i][str(self.classes_[j])] = str(p)
        return predicted, given

    def tag_frame(
        self, X: Any, *, evidence: bool = True, fallback_language: str | None = None
    ) -> tuple[list[str], pd.DataFrame]:
        """Columnar tagging output: the language of each comment, and one row per (comment, theme) mention with
        ``row`` (position in X), ``theme``, ``polarity``, ``probability``, ``polarity_probability``, ``evidence``
        (``"; "``-joined words) and ``clause``, ordered by row and descending probability. Cheaper than
        :meth:`tag` for large inputs."""
        batch, comment_X = self._analyse(X, fallback_language)
        proba = self._theme_proba(comment_X)
        doc_idx, theme_idx = np.nonzero(self._decide(proba, batch))
        prob = proba[doc_idx, theme_idx]
        order = np.lexsort((-prob, doc_idx))
        doc_idx, theme_idx, prob = doc_idx[order], theme_idx[order], prob[order]
        if not len(doc_idx):
            return batch.langs, empty_tag_frame()
        pairs = np.column_stack([doc_idx, theme_idx]).astype(np.int64)
        # only comments with a theme need their clauses analysed
        need = np.unique(doc_idx)
        remap = np.full(len(batch), -1)
        remap[need] = np.arange(len(need))
        sub = batch.take(need)
        sub_pairs = np.column_stack([remap[doc_idx], theme_idx]).astype(np.int64)
        sub_X = comment_X[need]
        clause_X, owner = self.vectorizer_.transform_clauses(sub, sub_X)
        pols, pprob, ctx = self._polarity_for_pairs(sub, sub_X, clause_X, owner, sub_pairs)
        clause_text = self._clause_texts(sub, ctx)
        ev = (
            [
                "; ".join(e)
                for e in self.explainer_.explain(
                    batch, comment_X, pairs, self.vectorizer_, self.theme_detector_, list(map(str, self.classes_))
                )
            ]
            if evidence
            else [""] * len(pairs)
        )
        frame = pd.DataFrame(
            {
                "row": doc_idx,
                "theme": self.classes_.astype(object)[theme_idx],
                "polarity": pols,
                "probability": prob,
                "polarity_probability": pprob,
                "evidence": ev,
                "clause": clause_text,
            }
        )
        return batch.langs, frame

    def tag(self, X: Any, *, evidence: bool = True, fallback_language: str | None = None) -> list[dict[str, Any]]:
        """Per comment: its language and its themes, each with polarity, probability and evidence.

        Returns a list of ``{"language": str, "themes": [{"theme", "polarity", "probability",
        "polarity_probability", "evidence": [words], "clause": str}]}`` (themes by descending probability).
        """
        langs, frame = self.tag_frame(X, evidence=evidence, fallback_language=fallback_language)
        results: list[dict[str, Any]] = [{"language": lang, "themes": []} for lang in langs]
        for r in frame.itertuples(index=False):
            results[r.row]["themes"].append(
                {
                    "theme": str(r.theme),
                    "polarity": str(r.polarity),
                    "probability": float(r.probability),
                    "polarity_probability": float(r.polarity_probability),
                    "evidence": r.evidence.split("; ") if r.evidence else [],
                    "clause": r.clause,
                }
            )
        return results

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Micro F1 of theme detection over (comment, theme) pairs (used by cross_validate and GridSearchCV)."""
        true = _as_label_sets(y)
        pred = [parse_labels(v) for v in self.predict_labels(X)]
        return theme_metrics(true, pred, [str(c) for c in self.classes_])["micro_f1"]
