"""The NHS 50-category task with its own labels: a team retraining on its own taxonomy (issue 12).

    python benchmarks/categories.py [--sizes 100,200,400] [--skip-full]

The NHS Friends and Family Test comments (../shared/benchmarks/nhs_fft/) with every framework category as a theme
(ids slugged from the names; "Not assigned" left out), split 50/50 with the seed of adaptation.py. Polarity of a
label: the comment sentiment where it gives one, else the FFT answer (1-2 positive, else negative).

1. The whole pool half as training data (own labels only, no base corpus), evaluated on the test half: micro
   and macro F1 (macro over the categories with test examples), training time with one thread and with
   `n_jobs=-1` (the theme detector's threads), and a plain TF-IDF + one-vs-rest logistic regression baseline
   in the same run. Published on the full data with the source project's own split (not comparable): SVC macro
   F1 0.641, BERT macro 0.674 / micro 0.750.
2. A learning curve on the same test half: random samples of the pool against `suggest` batches of 50
   (`hybrid`, with its weights; the first batch is random, since there is no model yet), own labels only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402
from transfer import NHS, SCORE_OF_ANSWER  # noqa: E402


def load(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    from npsthemes.taxonomy import suggested_id

    mapping = json.loads((path / "taxonomy_mapping.json").read_text(encoding="utf-8"))
    raw = pd.read_csv(path / "v6framework_230831.csv", dtype=str, keep_default_na=False)
    raw = raw[raw["FFT answer"].str.strip() != ""].reset_index(drop=True)
    cats = [c for c in raw.columns[11:] if c != "Not assigned"]
    slug = {c: suggested_id(c) for c in cats}
    answer = pd.to_numeric(raw["FFT categorical answer"], errors="coerce")
    scores = answer.map(lambda a: SCORE_OF_ANSWER.get(int(a), 7) if a == a else np.nan)
    pol_of = mapping["polarity_from_comment_sentiment"]
    labels = []
    for i, r in raw.iterrows():
        pol = pol_of.get(r["Comment sentiment"].strip().split(".")[0]) or ("positive" if scores[i] >= 8 else "negative")
        labels.append(";".join(f"{slug[c]}:{pol}" for c in cats if r[c].strip() in ("1", "1.0")))
    df = pd.DataFrame(
        {"id": raw["Comment ID"], "text": raw["FFT answer"], "score": scores, "language": "en", "labels": labels}
    )
    return df, slug


def f1s(gold: list[set[str]], pred: list[set[str]], themes: list[str]) -> tuple[float, float]:
    tp = sum(len(g & p) for g, p in zip(gold, pred))
    fp = sum(len(p - g) for g, p in zip(gold, pred))
    fn = sum(len(g - p) for g, p in zip(gold, pred))
    micro = 2 * tp / max(2 * tp + fp + fn, 1)
    per = []
    for t in themes:
        a = sum(t in g and t in p for g, p in zip(gold, pred))
        b = sum(t not in g and t in p for g, p in zip(gold, pred))
        c = sum(t in g and t not in p for g, p in zip(gold, pred))
        if a + c:  # categories with test examples
            per.append(2 * a / max(2 * a + b + c, 1))
    return micro, float(np.mean(per)) if per else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,200,400")
    ap.add_argument("--skip-full", action="store_true")
    ap.add_argument("--nhs", type=Path, default=NHS)
    a = ap.parse_args()
    from npsthemes import suggest_for_labeling, train_model
    from npsthemes.taxonomy import taxonomy_from_themes

    print(f"machine: {machine()}")
    df, slug = load(a.nhs)
    themes = sorted(slug.values())
    tax = taxonomy_from_themes(themes)
    rng = np.random.default_rng(20261202)
    perm = rng.permutation(len(df))
    pool, test = df.iloc[np.sort(perm[: len(df) // 2])], df.iloc[np.sort(perm[len(df) // 2 :])]
    gold = [{x.split(":")[0] for x in lab.split(";") if x} for lab in test["labels"]]
    used = sorted({t for g in gold for t in g})
    print(f"{len(themes)} categories ({len(used)} with test examples); pool {len(pool):,}, test {len(test):,}")

    def score(model) -> str:
        clf = model.classifier
        P = clf.predict(test[["text", "score", "language"]])
        names = np.asarray([str(c) for c in clf.classes_])
        micro, macro = f1s(gold, [set(names[row.astype(bool)]) for row in P], themes)
        return f"micro F1 {micro:.3f}, macro F1 {macro:.3f}"

    if not a.skip_full:
        for n_jobs in (None, -1):
            t0 = time.perf_counter()
            params = {"theme_detector__n_jobs": n_jobs} if n_jobs else None
            model = train_model(pool, taxonomy=tax, base=None, params=params, name="categories")
            took = time.perf_counter() - t0
            print(f"whole pool, n_jobs={n_jobs}: trained in {took:.1f} s; {score(model)}")
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import MultiLabelBinarizer

        t0 = time.perf_counter()
        mlb = MultiLabelBinarizer(classes=themes)
        Y = mlb.fit_transform([{x.split(":")[0] for x in lab.split(";") if x} for lab in pool["labels"]])
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        keep = Y.sum(axis=0) > 0
        lr = OneVsRestClassifier(LogisticRegression(C=10, solver="liblinear", class_weight="balanced"))
        lr.fit(vec.fit_transform(pool["text"]), Y[:, keep])
        P = lr.predict(vec.transform(test["text"]))
        names = np.asarray(themes)[keep]
        pred = [set(names[row.astype(bool)]) for row in P]
        micro, macro = f1s(gold, pred, themes)
        took = time.perf_counter() - t0
        print(
            f"TF-IDF + one-vs-rest logistic regression (balanced, C=10): {took:.1f} s; "
            f"micro F1 {micro:.3f}, macro F1 {macro:.3f}"
        )

    sizes = [int(s) for s in a.sizes.split(",")]
    order = rng.permutation(len(pool))
    for n in sizes:
        model = train_model(pool.iloc[np.sort(order[:n])], taxonomy=tax, base=None, name=f"random-{n}")
        print(f"random {n:>4} labels: {score(model)}")
    human = pool.set_index("id")["labels"]
    batches: list[pd.DataFrame] = []
    model = None
    for n in sizes:
        while sum(map(len, batches)) < n:
            done = pd.concat(batches) if batches else None
            left = pool[~pool["id"].isin(done["id"])] if done is not None else pool
            k = min(50, n - sum(map(len, batches)))
            if model is None:  # no model yet: a random first batch, with suggest's weights
                pick = left.sample(k, random_state=0)
                b = pick.assign(weight=1.0)[["id", "text", "score", "language", "labels", "weight"]]
            else:
                s = suggest_for_labeling(model, left.drop(columns=["labels"]), k, random_state=len(batches))
                b = s.assign(labels=s["id"].map(human))[["id", "text", "score", "language", "labels", "weight"]]
            batches.append(b)
            model = train_model(batches, taxonomy=tax, base=None, name="active")
        print(f"active {n:>4} labels (hybrid): {score(model)}")


if __name__ == "__main__":
    main()
