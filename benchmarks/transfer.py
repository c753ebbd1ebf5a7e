"""Transfer to real text: models built only from the shipped (synthetic) corpus and taxonomy, applied to real NHS
Friends and Family Test comments written by the public (../shared/benchmarks/nhs_fft/, protocol in its README), and
to the corpus's own held-out split, in one run.

    python benchmarks/transfer.py [--model DIR ...] [--no-train] [--nhs PATH]

Models compared (side by side, one run):

- ``keywords``: a keyword list per theme written in ten minutes (benchmarks/data/keyword_baseline.json), polarity
  by the score-only rule (9-10 positive, else negative);
- ``rules-only``: the default taxonomy's theme rules with no training (``ThemeClassifier.from_rules``);
- ``trained``: the default configuration trained now on the corpus's train split (as models/build_default.sh does;
  ``--no-train`` skips it);
- the shipped model, and any ``--model DIR``.

For each: on NHS FFT, micro precision/recall/F1 over the six scored themes (predictions of other themes ignored),
F1 per scored theme, and polarity accuracy on the gold (comment, theme) pairs whose comment sentiment gives a
polarity, with the score-only rule as the baseline; on the held-out split, micro F1, polarity and per language, in
all and per group of parts (the credit-management parts, the multi-domain parts, and the fresh parts written after
the theme rules, which no rule writer saw). Nothing here trains or tunes on NHS data or on the held-out split.
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

ROOT = Path(__file__).resolve().parents[1]
NHS = ROOT.parent / "shared" / "benchmarks" / "nhs_fft"
SCORE_OF_ANSWER = {1: 10, 2: 8, 3: 6, 4: 3, 5: 0, 6: 7, 7: 7}


def load_nhs(path: Path) -> tuple[pd.DataFrame, list[dict[str, str | None]], list[str]]:
    """The NHS comments (text, score) and their gold {theme: polarity or None} under the protocol."""
    mapping = json.loads((path / "taxonomy_mapping.json").read_text(encoding="utf-8"))
    raw = pd.read_csv(path / "v6framework_230831.csv", dtype=str, keep_default_na=False)
    raw = raw[raw["FFT answer"].str.strip() != ""].reset_index(drop=True)
    pol_of = mapping["polarity_from_comment_sentiment"]
    gold: list[dict[str, str | None]] = []
    for _, r in raw.iterrows():
        themes = {theme for cat, theme in mapping["mapped"].items() if r.get(cat, "0").strip() in ("1", "1.0")}
        pol = pol_of.get(r["Comment sentiment"].strip().split(".")[0])
        gold.append({t: pol for t in sorted(themes)})
    answer = pd.to_numeric(raw["FFT categorical answer"], errors="coerce")
    scores = answer.map(lambda a: SCORE_OF_ANSWER.get(int(a), 7) if a == a else np.nan)
    X = pd.DataFrame({"text": raw["FFT answer"], "score": scores.astype(float), "language": "en"})
    return X, gold, list(mapping["scored_themes"])


def nhs_metrics(
    pred: list[dict[str, str]], gold: list[dict[str, str | None]], scored: list[str], scores: np.ndarray
) -> dict:
    tp = fp = fn = 0
    per = {}
    for t in scored:
        a = sum(1 for p, g in zip(pred, gold) if t in p and t in g)
        b = sum(1 for p, g in zip(pred, gold) if t in p and t not in g)
        c = sum(1 for p, g in zip(pred, gold) if t not in p and t in g)
        per[t] = (2 * a / max(2 * a + b + c, 1), a / max(a + b, 1), a / max(a + c, 1))
        tp, fp, fn = tp + a, fp + b, fn + c
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    pairs = [(i, t, g[t]) for i, g in enumerate(gold) for t in g if g[t] is not None]
    return {"micro_p": p, "micro_r": r, "micro_f1": 2 * p * r / max(p + r, 1e-12), "per_theme": per, "pairs": pairs}


def keyword_classifier():
    """The keyword-only baseline as a rules-only classifier over the default themes."""
    from npsthemes import ThemeClassifier
    from npsthemes.taxonomy import Taxonomy, default_taxonomy

    words = json.loads((ROOT / "benchmarks" / "data" / "keyword_baseline.json").read_text(encoding="utf-8"))
    tax = default_taxonomy().to_dict()
    for t in tax["themes"]:
        t["rules"] = {lang: {"terms": terms} for lang, terms in words[t["id"]].items()}
    return ThemeClassifier.from_rules(Taxonomy.from_dict(tax, source="keyword baseline"))


def heldout_groups(corpus: pd.DataFrame) -> dict[str, pd.DataFrame]:
    test = corpus[corpus["split"] == "test"]
    part = test["id"].str.rsplit("-", n=1).str[0].str.split("_").str[1]
    groups = {"all": test, "credit-mgmt parts (a-d)": test[part.isin(["a", "b", "c", "d"])]}
    groups["multi-domain parts"] = test[part.isin(["ma", "mb"])]
    groups["fresh parts (e)"] = test[part == "e"]
    groups["channel-word parts (f)"] = test[part == "f"]
    return {k: v for k, v in groups.items() if len(v)}


def hard_polarity(clf, data, score_polarity: bool) -> str:
    """Polarity accuracy on the held-out pairs the score does not give away: gold polarity against the score's
    NPS category (a negative mention with score 9-10 or a positive one with 0-6), and comments with mixed
    polarities (praise and criticism of different themes in one comment: contrast)."""
    gold = data.y
    scores = data.data["score"].to_numpy(dtype=float)
    if score_polarity:
        given = [{t: ("positive" if s >= 9 else "negative") for t in g} for g, s in zip(gold, scores)]
    else:
        given = clf.predict_with_polarity_of(data.X, [list(g) for g in gold])[1]
    against, mixed = [], []
    for i, g in enumerate(gold):
        for t, p in g.items():
            ok = given[i][t] == p
            if (p == "negative" and scores[i] >= 9) or (p == "positive" and scores[i] <= 6):
                against.append(ok)
            if len(set(g.values())) > 1:
                mixed.append(ok)
    return (
        f"polarity where the text goes against the score: {np.mean(against):.3f} on {len(against):,} pairs; "
        f"in comments with mixed polarities (contrast): {np.mean(mixed):.3f} on {len(mixed):,} pairs"
    )


def report(name: str, clf, X, gold, scored, groups, score_polarity: bool = False) -> None:
    from npsthemes import evaluate_model
    from npsthemes.labelled import load_labelled

    t0 = time.perf_counter()
    pred, given = clf.predict_with_polarity_of(X, [list(g) for g in gold])
    dt = time.perf_counter() - t0
    met = nhs_metrics(pred, gold, scored, X["score"].to_numpy())
    pairs = met["pairs"]
    score_rule = np.mean([("positive" if X["score"][i] >= 9 else "negative") == p for i, t, p in pairs])
    pol_ok = score_rule if score_polarity else (np.mean([given[i][t] == p for i, t, p in pairs]) if pairs else np.nan)
    print(f"\n{name}   [{dt:.1f} s for the NHS comments]")
    print(
        f"  NHS micro P {met['micro_p']:.3f}  R {met['micro_r']:.3f}  F1 {met['micro_f1']:.3f}   "
        f"(floor F1 0.65, every theme 0.45)"
    )
    print(
        "  NHS F1 (P/R) per theme: "
        + ", ".join(f"{t} {f:.2f} ({p:.2f}/{r:.2f})" for t, (f, p, r) in met["per_theme"].items())
    )
    print(
        f"  NHS polarity accuracy {pol_ok:.3f} on {len(pairs):,} pairs (floor 0.90)"
        + (" [score-only rule]" if score_polarity else f"; score-only rule {score_rule:.3f}")
    )
    for gname, df in groups.items():
        data = load_labelled(df[["id", "text", "score", "language", "labels"]])
        held = evaluate_model(clf, data)
        pol = held["polarity_accuracy"]
        if score_polarity:
            pol = float(
                np.mean(
                    [
                        ("positive" if s >= 9 else "negative") == p
                        for s, labs in zip(data.data["score"], data.y)
                        for p in labs.values()
                    ]
                )
            )
        print(
            f"  held-out {gname} (n {len(df):,}): micro F1 {held['micro_f1']:.3f}, polarity {pol:.3f}, "
            + ", ".join(f"{k} {v['micro_f1']:.3f}" for k, v in held.get("per_language", {}).items())
        )
        if gname == "all":
            print("  " + hard_polarity(clf, data, score_polarity))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", action="append", default=[], help="a model directory to add (repeatable)")
    ap.add_argument("--no-train", action="store_true", help="do not train the default configuration in this run")
    ap.add_argument("--no-shipped", action="store_true", help="leave out the shipped model")
    ap.add_argument("--nhs", type=Path, default=NHS)
    a = ap.parse_args()
    from npsthemes import ThemeClassifier, load_model, train_model
    from npsthemes.datasets import training_corpus_path
    from npsthemes.taxonomy import default_taxonomy

    print(f"machine: {machine()}")
    X, gold, scored = load_nhs(a.nhs)
    n_gold = sum(1 for g in gold if g)
    print(f"NHS FFT: {len(X):,} non-empty comments, {n_gold:,} with a scored theme; scored themes: {', '.join(scored)}")
    corpus = pd.read_json(training_corpus_path(), lines=True, dtype={"labels": str})
    corpus["labels"] = corpus["labels"].fillna("")
    groups = heldout_groups(corpus)
    report("keywords (ten-minute list; score-only polarity)", keyword_classifier(), X, gold, scored, groups, True)
    report(
        "rules-only (default taxonomy rules, no training)",
        ThemeClassifier.from_rules(default_taxonomy()),
        X,
        gold,
        scored,
        groups,
    )
    if not a.no_train:
        t0 = time.perf_counter()
        model = train_model(training_corpus_path(), taxonomy=default_taxonomy(), name="trained-now")
        report(
            f"trained now on the corpus train split [{time.perf_counter() - t0:.0f} s to train]",
            model.classifier,
            X,
            gold,
            scored,
            groups,
        )
    for path in ([] if a.no_shipped else [None]) + a.model:
        model = load_model(path)
        name = f"{model.name} {model.version}" + (f" ({path})" if path else " (shipped)")
        report(name, model.classifier, X, gold, scored, groups)


if __name__ == "__main__":
    main()
