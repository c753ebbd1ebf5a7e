"""Adapting the default model to a new domain with a few labels: active learning (`suggest_for_labeling`) against
random sampling, on real NHS Friends and Family Test comments (../shared/benchmarks/nhs_fft/) as a stand-in for
"your own export".

    python benchmarks/adaptation.py [--sizes 50,100,200] [--strategy hybrid,uncertainty] [--weights]
        [--own-weight W] [--scored-only] [--no-random]

A fixed seeded 50/50 split of the NHS comments: the first half is the pool a person labels from (its labels are
taken from the file, simulating the person), the second half is the test set, never trained or tuned on. Each
model is the default configuration trained on the shipped corpus's training split plus the labels picked so far
(`train_model(..., base="default")`), scored on the test half under transfer.py's protocol (six mapped themes,
other predictions ignored). Active learning picks batches of 50 from the pool with the current model; random
sampling draws the same numbers at random (seeded). `--weights`: each suggested text carries suggest's `weight`
(how many pool comments share it), as a person's corrected file would. Polarity of a pool label: the comment
sentiment where it gives one, else the FFT answer (1-2 positive, else negative).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402
from transfer import NHS, load_nhs, nhs_metrics  # noqa: E402


def label_rows(X: pd.DataFrame, gold: list[dict], idx: np.ndarray) -> pd.DataFrame:
    rows = X.iloc[idx].copy()
    labs = []
    for i in idx.tolist():
        fallback = "positive" if X["score"].iloc[i] >= 8 else "negative"
        labs.append(";".join(f"{t}:{p or fallback}" for t, p in gold[i].items()))
    rows["labels"] = labs
    return rows.reset_index(drop=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="50,100,200")
    ap.add_argument("--strategy", default="uncertainty", help="one or more of uncertainty, hybrid, diverse (a,b)")
    ap.add_argument("--own-weight", type=float, default=1.0, help="weight of the picked labels (train --own-weight)")
    ap.add_argument("--no-random", action="store_true", help="leave out the random-sampling baseline")
    ap.add_argument("--weights", action="store_true", help="train with suggest's weight column (copies of a text)")
    ap.add_argument(
        "--scored-only", action="store_true", help="suggest by the uncertainty of the six scored themes only"
    )
    ap.add_argument("--nhs", type=Path, default=NHS)
    a = ap.parse_args()
    from npsthemes import load_model, suggest_for_labeling, train_model
    from npsthemes.taxonomy import default_taxonomy

    sizes = [int(s) for s in a.sizes.split(",")]
    print(f"machine: {machine()}")
    X, gold, scored = load_nhs(a.nhs)
    rng = np.random.default_rng(20261202)
    perm = rng.permutation(len(X))
    pool_idx, test_idx = np.sort(perm[: len(X) // 2]), np.sort(perm[len(X) // 2 :])
    Xt, gt = X.iloc[test_idx].reset_index(drop=True), [gold[i] for i in test_idx]
    print(f"NHS: pool {len(pool_idx):,} comments, test {len(test_idx):,} (seeded 50/50 split)")
    tax = default_taxonomy()

    def score(model) -> str:
        pred, given = model.classifier.predict_with_polarity_of(Xt, [list(g) for g in gt])
        m = nhs_metrics(pred, gt, scored, Xt["score"].to_numpy())
        pol = np.mean([given[i][t] == p for i, t, p in m["pairs"]])
        themes = ", ".join(f"{t} {f:.2f}" for t, (f, _, _) in m["per_theme"].items())
        return f"micro F1 {m['micro_f1']:.3f} (P {m['micro_p']:.3f} R {m['micro_r']:.3f}), polarity {pol:.3f}; {themes}"

    print(f"\n0 labels (shipped default model): {score(load_model())}")
    w = a.own_weight
    fast = None  # (the session-8 runs used theme_detector__n_jobs=-1: the same models, see categories.py)
    print(f"own weight {w:g}")
    # random sampling
    order = rng.permutation(pool_idx)
    for n in [] if a.no_random else sizes:
        t0 = time.perf_counter()
        own = label_rows(X, gold, np.sort(order[:n]))
        model = train_model(own, taxonomy=tax, base="default", name=f"random-{n}", own_weight=w, params=fast)
        print(f"random {n:>4} labels [{time.perf_counter() - t0:.0f} s]: {score(model)}")
    # active learning in batches of 50 with the current model
    pool = X.iloc[pool_idx].reset_index(drop=True).assign(id=pool_idx)
    for strategy in a.strategy.split(","):
        model, picked, weight_of = load_model(), np.zeros(0, dtype=int), {}
        for n in sizes:
            t0 = time.perf_counter()
            while len(picked) < n:
                left = pool[~pool["id"].isin(picked)]
                batch = suggest_for_labeling(
                    model,
                    left,
                    min(50, n - len(picked)),
                    strategy=strategy,
                    random_state=len(picked),
                    themes=scored if a.scored_only else None,
                )
                picked = np.r_[picked, batch["id"].to_numpy(dtype=int)]
                weight_of.update(zip(batch["id"].astype(int), batch["weight"].astype(float)))
                own = label_rows(X, gold, np.sort(picked))
                if a.weights:  # each label counts for every pool comment with the same text (suggest's weight)
                    own["weight"] = [weight_of[int(i)] for i in np.sort(picked)]
                model = train_model(own, taxonomy=tax, base="default", name="active", own_weight=w, params=fast)
            print(f"active {n:>4} labels ({strategy}) [{time.perf_counter() - t0:.0f} s]: {score(model)}")


if __name__ == "__main__":
    main()
