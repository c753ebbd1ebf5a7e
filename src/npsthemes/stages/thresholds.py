"""Stage 4, decision thresholds: a per-theme threshold tuned on out-of-fold probabilities
(:class:`ThresholdTuner`), as scikit-learn's ``TunedThresholdClassifierCV`` does for one binary label.

A meta-estimator around a multi-label classifier with ``predict_proba`` (by default :class:`ThemeDetector`): it
fits the estimator on all the data, then, in ``cv`` folds, fits copies on the other folds and predicts the held-out
one; the thresholds maximise the chosen objective on those out-of-fold probabilities (:func:`tune_thresholds`).
Nothing outside the training data is used. With a 1-D target there is nothing to threshold (single-label): it
predicts the most probable class.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

from .detect import ThemeDetector

__all__ = ["ThresholdTuner", "tune_thresholds", "THRESHOLD_GRID"]

THRESHOLD_GRID = np.arange(0.1, 0.91, 0.025)


def tune_thresholds(
    proba: np.ndarray, Y: np.ndarray, objective: str = "micro_f1", sample_weight: np.ndarray | None = None
) -> np.ndarray:
    """Per-theme decision thresholds from out-of-fold probabilities ``proba`` and gold indicators ``Y``.

    ``"theme_f1"``: each theme's threshold maximises that theme's F1. ``"micro_f1"``: start there, then
    coordinate ascent (three passes over the themes) on the micro F1 over all (comment, theme) pairs, which
    also weighs a weak theme's false positives against the other themes' hits. Ties take the median of the
    best grid points. Themes with fewer than 3 (weighted) positives keep 0.5. ``sample_weight``: each comment
    counts this many times in the counts (for example the copies of a text); a comment with weight 0 is left
    out.
    """
    if objective not in ("theme_f1", "micro_f1"):
        raise ValueError(f"threshold objective must be 'theme_f1' or 'micro_f1', got {objective!r}")
    Y = np.asarray(Y, dtype=bool)
    w = np.ones(len(Y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    if w.shape != (len(Y),) or not np.isfinite(w).all() or (w < 0).any():
        raise ValueError(f"sample_weight must be {len(Y)} finite numbers >= 0, one per row; got shape {w.shape}")
    keep = w > 0
    proba, Y, w = np.asarray(proba)[keep], Y[keep], w[keep]
    grid = THRESHOLD_GRID
    thresholds = np.full(Y.shape[1], 0.5)
    # per grid point and theme: (weighted) predicted positives and true positives
    above = proba[:, None, :] >= grid[None, :, None]  # (n, grid, themes)
    n_pred = np.einsum("n,ngt->gt", w, above)
    n_tp = np.einsum("n,ngt->gt", w, above & Y[:, None, :])
    n_gold = w @ Y
    tunable = [j for j in range(Y.shape[1]) if n_gold[j] >= 3 - 1e-9]  # (weighted) positives

    def best(scores: np.ndarray) -> float:
        top = np.flatnonzero(np.isclose(scores, scores.max()))
        return float(np.median(grid[top]))

    for j in tunable:
        thresholds[j] = best(2 * n_tp[:, j] / np.maximum(n_pred[:, j] + n_gold[j], 1e-12))
    if objective == "micro_f1" and tunable:
        for _ in range(3):
            for j in tunable:
                current = proba >= thresholds
                pred, tp = w @ current, w @ (current & Y)
                other_pred, other_tp = pred.sum() - pred[j], tp.sum() - tp[j]
                micro = 2 * (other_tp + n_tp[:, j]) / np.maximum(other_pred + n_pred[:, j] + n_gold.sum(), 1e-12)
                now = 2 * tp.sum() / max(pred.sum() + n_gold.sum(), 1e-12)
                if micro.max() > now + 1e-12:  # never worse than the current (possibly off-grid) threshold
                    thresholds[j] = best(micro)
    return thresholds


class ThresholdTuner(ClassifierMixin, BaseEstimator):
    """Per-output decision thresholds from cross-validated probabilities.

    Parameters
    ----------
    estimator : classifier or None
        The multi-label classifier (None: :class:`ThemeDetector`).
    cv : int
        Folds (0 or 1: every threshold 0.5). Fewer than ``2 * cv`` rows: every threshold 0.5.
    objective : {"micro_f1", "theme_f1"}
        See :func:`tune_thresholds`.
    random_state : int
        Seed of the folds.

    Attributes
    ----------
    estimator_ : the estimator fitted on all the data
    thresholds_ : ndarray of float, one per output
    """

    def __init__(self, estimator: Any = None, cv: int = 5, objective: str = "micro_f1", random_state: int = 0):
        self.estimator = estimator
        self.cv = cv
        self.objective = objective
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        return tags

    def fit(self, X: Any, y: Any, **fit_params: Any) -> ThresholdTuner:
        """Fit the estimator on all rows, then tune the thresholds on out-of-fold probabilities. A
        ``sample_weight`` (in ``fit_params``) weighs the rows in every fit and in the threshold objective."""
        from sklearn.model_selection import KFold

        if self.objective not in ("theme_f1", "micro_f1"):
            raise ValueError(f"threshold objective must be 'theme_f1' or 'micro_f1', got {self.objective!r}")
        base = self.estimator if self.estimator is not None else ThemeDetector()
        self.estimator_ = clone(base).fit(X, y, **fit_params)
        self.classes_ = self.estimator_.classes_
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        Y = np.asarray(y)
        self.multilabel_ = Y.ndim == 2 and Y.shape[1] > 1
        if not self.multilabel_:
            self.thresholds_ = np.full(len(self.classes_), 0.5)
            return self
        n = Y.shape[0]
        self.thresholds_ = np.full(Y.shape[1], 0.5)
        if self.cv and self.cv >= 2 and n >= 2 * self.cv:
            oof = np.zeros(Y.shape, dtype=float)
            folds = KFold(self.cv, shuffle=True, random_state=self.random_state)
            weight = fit_params.pop("sample_weight", None)
            for tr, te in folds.split(np.zeros((n, 1))):
                fold_params = fit_params if weight is None else {**fit_params, "sample_weight": np.asarray(weight)[tr]}
                oof[te] = clone(base).fit(X[tr], Y[tr], **fold_params).predict_proba(X[te])
            self.thresholds_ = tune_thresholds(oof, Y, self.objective, weight)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "thresholds_")
        return self.estimator_.predict_proba(X)

    def predict(self, X: Any) -> np.ndarray:
        """Multi-label: 1 where an output's probability reaches its tuned threshold (not 0.5, so ``predict`` is
        not ``predict_proba(X).round()``). 1-D target: the most probable class."""
        p = self.predict_proba(X)
        if self.multilabel_:
            return (p >= self.thresholds_).astype(int)
        return self.classes_[np.argmax(p, axis=1)]
