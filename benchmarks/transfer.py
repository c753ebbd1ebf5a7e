"""Transfer to real text: a model trained only on the shipped (synthetic) corpus, applied to real NHS Friends and
Family Test comments written by the public (../shared/benchmarks/nhs_fft/, protocol in its README), and to the
corpus's own held-out split, in one run.

    python benchmarks/transfer.py [--model DIR ...] [--nhs PATH]

For each model (default: the shipped one): on NHS FFT, micro precision/recall/F1 over the six scored themes
(predictions of other themes ignored), F1 per scored theme, and polarity accuracy on the gold (comment, theme)
pairs whose comment sentiment gives a polarity; the same score-only polarity rule (score 9-10 positive, else
negative) as a baseline; and micro F1 and polarity accuracy on the held-out split. Nothing here trains or tunes
on NHS data: it is the visible transfer check.
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
        per[t] = 2 * a / max(2 * a + b + c, 1)
        tp, fp, fn = tp + a, fp + b, fn + c
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    pairs = [(i, t, g[t]) for i, g in enumerate(gold) for t in g if g[t] is not None]
    return {"micro_p": p, "micro_r": r, "micro_f1": 2 * p * r / max(p + r, 1e-12), "per_theme": per, "pairs": pairs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", action="append", default=[], help="model directory (repeatable; default: shipped)")
    ap.add_argument("--nhs", type=Path, default=NHS)
    a = ap.parse_args()
    from npsthemes import evaluate_model, load_model
    from npsthemes.datasets import training_corpus_path
    from npsthemes.labelled import load_labelled
    from npsthemes.training import split_labelled

    print(f"machine: {machine()}")
    X, gold, scored = load_nhs(a.nhs)
    n_gold = sum(1 for g in gold if g)
    print(f"NHS FFT: {len(X):,} non-empty comments, {n_gold:,} with a scored theme; scored themes: {', '.join(scored)}")
    _, heldout = split_labelled(load_labelled(training_corpus_path()))
    for path in a.model or [None]:
        model = load_model(path)
        t0 = time.perf_counter()
        themes = [list(g) for g in gold]
        pred, given = model.classifier.predict_with_polarity_of(X, themes)
        dt = time.perf_counter() - t0
        met = nhs_metrics(pred, gold, scored, X["score"].to_numpy())
        pairs = met["pairs"]
        pol_ok = np.mean([given[i][t] == p for i, t, p in pairs]) if pairs else float("nan")
        score_rule = np.mean([("positive" if X["score"][i] >= 9 else "negative") == p for i, t, p in pairs])
        held = evaluate_model(model, heldout) if heldout is not None else {}
        name = f"{model.name} {model.version}" + (f" ({path})" if path else " (shipped)")
        print(f"\n{name}   [{dt:.1f} s for the NHS comments]")
        print(
            f"  NHS micro P {met['micro_p']:.3f}  R {met['micro_r']:.3f}  F1 {met['micro_f1']:.3f}   "
            f"(floor F1 0.65, every theme 0.45)"
        )
        print("  NHS F1 per theme: " + ", ".join(f"{t} {v:.2f}" for t, v in met["per_theme"].items()))
        print(
            f"  NHS polarity accuracy {pol_ok:.3f} on {len(pairs):,} pairs (floor 0.90); score-only rule "
            f"{score_rule:.3f}"
        )
        if held:
            print(
                f"  held-out split: micro F1 {held['micro_f1']:.3f}, polarity {held['polarity_accuracy']:.3f}, "
                + ", ".join(f"{k} {v['micro_f1']:.3f}" for k, v in held.get("per_language", {}).items())
            )


if __name__ == "__main__":
    main()
