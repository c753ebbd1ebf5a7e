"""Stage 3, theme detection: one logistic regression per theme on Naive-Bayes-scaled features
(:class:`ThemeDetector`).

A numeric scikit-learn classifier (it passes ``parametrize_with_checks``). With a 2-D indicator target (one column
per theme) it is multi-label: ``predict_proba`` gives each theme's probability and ``predict`` the indicators at
0.5 (the composite uses tuned thresholds instead, see :mod:`.thresholds`). With a 1-D target it is one-vs-rest:
``predict`` gives the most probable class and ``predict_proba`` the normalised probabilities.

NB scaling (``nb_weighting``, NBSVM-style; :func:`npsthemes.features.nb_log_ratios`): before a theme's logistic
regression, the first ``nb_columns`` features are multiplied by their NB log-count ratios for that theme; the
scaling is folded into the coefficients, so predicting costs one sparse product for all themes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from ..features import nb_log_ratios

__all__ = ["ThemeDetector"]


class ThemeDetector(ClassifierMixin, BaseEstimator):
    """Multi-label (or one-vs-rest) logistic regressions with optional NB feature scaling.

    Parameters
    ----------
    C : float
        Inverse regularisation of each logistic regression.
    class_weight : "balanced", dict or None
        Class weights of each output's model (``"balanced"`` helps rare themes). A dict maps a 1-D target's
        classes (or an indicator target's 0 and 1) to weights.
    nb_weighting : bool
        Scale the first ``nb_columns`` features by each theme's NB log-count ratios. When ``fit`` is not given
        ``nb_columns``: all features of a sparse non-negative ``X`` (n-gram counts or TF-IDF), none of a dense or
        signed one (NB ratios are defined for counts; on continuous features they are meaningless).
    nb_alpha : float
        Smoothing of the NB ratios.
    max_iter : int
    n_jobs : int or None
        Threads fitting the themes' regressions at once (liblinear releases the GIL); None or 1: one at a time,
        -1: every core. The fitted model is the same either way. On this project's 2-core machine one thread was
        faster (49 themes, 3,700 comments: 20.5 s against 32.9 s; ``benchmarks/categories.py``).

    Attributes
    ----------
    weights_ : ndarray (n_features, n_outputs)
        Coefficients of every output, with the NB scaling folded in (``coef_`` is its transpose).
    intercept_ : ndarray (n_outputs,)
    n_iter_ : ndarray of int
        Iterations of each output's solver.
    active_ : ndarray of bool
        Outputs with both classes in training; the others predict ``constant_``.
    classes_ : ndarray
        Class labels (1-D target) or output indices 0..k-1 (indicator target).
    """

    def __init__(
        self,
        C: float = 8.0,
        class_weight: str | None = "balanced",
        nb_weighting: bool = True,
        nb_alpha: float = 1.0,
        max_iter: int = 2000,
        n_jobs: int | None = None,
    ):
        self.C = C
        self.class_weight = class_weight
        self.nb_weighting = nb_weighting
        self.nb_alpha = nb_alpha
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    def __setstate__(self, state: dict) -> None:
        state.setdefault("n_jobs", None)  # detectors saved before n_jobs existed
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        return tags

    @property
    def coef_(self) -> np.ndarray:
        return self.weights_.T

    def fit(self, X: Any, y: Any, *, nb_columns: int | None = None, sample_weight: Any = None) -> ThemeDetector:
        """Fit on features ``X`` and targets ``y`` (1-D labels or a 2-D 0/1 indicator matrix); ``sample_weight``:
        one positive weight per row (for example your own labels above a base corpus)."""
        from sklearn.linear_model import LogisticRegression

        X, y = validate_data(self, X, y, accept_sparse="csr", multi_output=True, dtype=[np.float64, np.float32])
        kind = type_of_target(y)
        self.multilabel_ = y.ndim == 2 and y.shape[1] > 1 or kind == "multilabel-indicator"
        if self.multilabel_:
            Y = np.asarray(y, dtype=int)
            if not np.isin(Y, (0, 1)).all():
                raise ValueError("a 2-D target must be a 0/1 indicator matrix (one column per theme)")
            self.classes_ = np.arange(Y.shape[1])
        else:
            y = np.ravel(y)
            check_classification_targets(y)
            self.classes_ = np.unique(y)
            if len(self.classes_) < 2:
                raise ValueError(f"ThemeDetector needs at least 2 classes in y; got {len(self.classes_)} class")
            Y = (y[:, None] == self.classes_[None, :]).astype(int)
            if len(self.classes_) == 2:
                Y = Y[:, 1:]
        if nb_columns is None:
            n_nb = X.shape[1] if sp.issparse(X) and not (X.data < 0).any() else 0
        else:
            n_nb = int(nb_columns)
        ratios = nb_log_ratios(X[:, :n_nb], Y, self.nb_alpha) if self.nb_weighting and n_nb else None
        n_out = Y.shape[1]
        W = np.zeros((X.shape[1], n_out))
        b = np.zeros(n_out)
        active = np.zeros(n_out, dtype=bool)
        n_iter = np.zeros(n_out, dtype=np.int64)
        self.constant_ = Y.max(axis=0).astype(float)
        class_weight = self.class_weight
        row_weight = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if row_weight is not None:
            if row_weight.shape != (X.shape[0],) or not np.isfinite(row_weight).all() or (row_weight < 0).any():
                raise ValueError(f"sample_weight must be {X.shape[0]} non-negative numbers, one per row")
            if not (row_weight > 0).any():
                raise ValueError("sample_weight: the weights are all zero; nothing to learn from")
            if not self.multilabel_ and len(np.unique(np.ravel(y)[row_weight > 0])) < 2:
                raise ValueError(
                    "ThemeDetector needs at least 2 classes among the rows whose sample_weight is not zero"
                )
        sample_weight = row_weight
        if isinstance(class_weight, dict) and not self.multilabel_:  # weights of the classes, not of 0/1
            by_class = np.array([float(class_weight.get(v, 1.0)) for v in y.tolist()])
            sample_weight = by_class if row_weight is None else by_class * row_weight
            class_weight = None

        def fit_one(j: int) -> tuple[int, np.ndarray, float, int]:
            lr = LogisticRegression(C=self.C, class_weight=class_weight, solver="liblinear", max_iter=self.max_iter)
            if ratios is None:
                lr.fit(X, Y[:, j], sample_weight=sample_weight)
                return j, lr.coef_[0], float(lr.intercept_[0]), int(np.max(lr.n_iter_))
            scale = np.ones(X.shape[1])
            scale[:n_nb] = ratios[:, j]
            lr.fit(X @ sp.diags(scale.astype(np.float32)), Y[:, j], sample_weight=sample_weight)
            # (x * scale) . w == x . (w * scale): unscaled features
            return j, (lr.coef_ * scale)[0], float(lr.intercept_[0]), int(np.max(lr.n_iter_))

        todo = [j for j in range(n_out) if Y[:, j].min() != Y[:, j].max()]
        if self.n_jobs in (None, 1) or len(todo) < 2:
            results = map(fit_one, todo)
        else:
            from joblib import Parallel, delayed

            results = Parallel(n_jobs=self.n_jobs, prefer="threads")(delayed(fit_one)(j) for j in todo)
        for j, w, b_j, it in results:
            W[:, j], b[j], active[j], n_iter[j] = w, b_j, True, it
        self.weights_, self.intercept_, self.active_, self.n_iter_ = W, b, active, n_iter
        return self

    def output_proba(self, X: Any) -> np.ndarray:
        """Probability of each output (theme) being present: 1 / (1 + exp(-(x . w + b))), one sparse product for
        all outputs; an output seen with one class only gives that class's 0 or 1."""
        check_is_fitted(self, "weights_")
        X = validate_data(self, X, accept_sparse="csr", reset=False, dtype=[np.float64, np.float32])
        if not self.active_.any():
            return np.tile(self.constant_, (X.shape[0], 1))
        z = X @ self.weights_
        z += self.intercept_
        out = expit(z, out=z)
        out[:, ~self.active_] = self.constant_[~self.active_]
        return out

    def predict_proba(self, X: Any) -> np.ndarray:
        """Multi-label: (n, n_outputs) probabilities. 1-D target: (n, n_classes) rows summing to 1."""
        p = self.output_proba(X)
        if self.multilabel_:
            return p
        if len(self.classes_) == 2:
            return np.column_stack([1 - p[:, 0], p[:, 0]])
        total = p.sum(axis=1, keepdims=True)
        total[total == 0] = 1
        return p / total

    def predict(self, X: Any) -> np.ndarray:
        p = self.predict_proba(X)
        if self.multilabel_:
            return (p >= 0.5).astype(int)
        return self.classes_[np.argmax(p, axis=1)]
