"""Benchmark (issue 14): speed and scale, side by side in one run, with the machine printed.

    python benchmarks/scale.py [--parts tagging,first,analyze,dask] [--n 100000]
                               [--analyze-sizes 100000,1000000,5000000] [--dask-sizes 1000000,10000000]

- **tagging**: comments per second on ``--n`` comments generated as in throughput.py (fi/sv/en, nearly all
  distinct), warm, CPU time of one process: npsthemes with themes, polarity and evidence (``n_jobs=1``), and the
  wall time with a worker per core; against spaCy ``textcat_multilabel`` (``spacy.blank("xx")``, default model
  config, trained 5 epochs on the shipped corpus's training split, ``nlp.pipe``) and a plain scikit-learn TF-IDF
  (word 1-2-grams) + one-vs-rest logistic regression on the same split (``predict_proba``), in the same process
  and run. The ratios are what to compare; absolute figures move with the machine's load.
- **first**: a fresh process loads the default model and tags 2,000 comments, then 2,000 others: the first
  call's time over the warm one (floor: 1 s).
- **analyze**: ``analyze(...).write(...)`` end to end on generated Finnish-Excel CSVs (benchmarks/analyze.py's
  generator) in a child process per size, ``n_jobs`` a worker per core: wall time, peak memory of the process
  and its workers together (sampled every 0.1 s), and the largest worker.
- **dask**: the same rows as 10 (1M) or 100 (10M) Parquet partitions, ``analyze(..., engine="dask")`` on a
  ``LocalCluster`` with a single-threaded worker process per core: wall time, peak memory of the client and the
  largest worker.

Floors (issue 14): tagging >= 40,000 comments/s in one process (aim 50,000); first call <= 1 s over a warm one;
analyze of 1,000,000 responses < 60 s and < 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine  # noqa: E402
from analyze import generate as generate_survey  # noqa: E402
from throughput import generate as generate_comments  # noqa: E402

OUT = Path(__file__).parent / "out"


def cpu_rate(fn, n: int, runs: int = 2, clock=time.process_time) -> float:
    """Items per second of ``clock`` (default: CPU time of this process), best of ``runs``."""
    best = float("inf")
    for _ in range(runs):
        t = clock()
        fn()
        best = min(best, clock() - t)
    return n / best


def wall_rate(fn, n: int, runs: int = 2) -> float:
    return cpu_rate(fn, n, runs, clock=time.perf_counter)


def training_split() -> tuple[list[str], list[list[str]], list[str]]:
    from npsthemes.datasets import load_training_corpus
    from npsthemes.labelled import load_labelled

    data = load_labelled(load_training_corpus("train"))
    texts = data.X["text"].tolist()
    labels = [sorted(d) for d in data.y]
    themes = sorted({t for ls in labels for t in ls})
    return texts, labels, themes


def part_tagging(n: int) -> None:
    from npsthemes import load_model
    from npsthemes.tagging import tag_texts

    comments = generate_comments(n, seed=11)
    texts, scores = comments["text"].tolist(), comments["score"].to_numpy(dtype=float)
    model = load_model()
    tag_texts(model, texts[:5000], scores[:5000])  # warm: the caches of a long-running process
    ours = cpu_rate(lambda: tag_texts(model, texts, scores), n)
    cores = os.cpu_count() or 1
    tag_texts(model, texts[:20000], scores[:20000], n_jobs=cores)  # start the workers
    ours_par = wall_rate(lambda: tag_texts(model, texts, scores, n_jobs=cores), n)

    train_texts, train_labels, themes = training_split()
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MultiLabelBinarizer

    y = MultiLabelBinarizer(classes=themes).fit_transform(train_labels)
    lr = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        OneVsRestClassifier(LogisticRegression(max_iter=1000)),
    ).fit(train_texts, y)
    lr.predict_proba(texts[:2000])
    tfidf = cpu_rate(lambda: lr.predict_proba(texts), n)

    import spacy
    from spacy.training import Example

    spacy.util.fix_random_seed(0)
    nlp = spacy.blank("xx")
    cat = nlp.add_pipe("textcat_multilabel")
    for t in themes:
        cat.add_label(t)
    examples = [
        Example.from_dict(nlp.make_doc(t), {"cats": {c: float(c in ls) for c in themes}})
        for t, ls in zip(train_texts, train_labels)
    ]
    opt = nlp.initialize(lambda: examples)
    rng = np.random.default_rng(0)
    for _ in range(5):
        order = rng.permutation(len(examples))
        for start in range(0, len(order), 32):
            nlp.update([examples[i] for i in order[start : start + 32]], sgd=opt)
    list(nlp.pipe(texts[:2000], batch_size=256))
    spacy_rate = cpu_rate(lambda: list(nlp.pipe(texts, batch_size=256)), n, runs=1)

    print(f"tagging {n:,} comments ({comments['text'].nunique():,} distinct), warm, CPU time of one process:")
    print(f"  npsthemes (themes, polarity, evidence), n_jobs=1   {ours:9,.0f} /s   (floor 40,000/s, aim 50,000/s)")
    print(f"  npsthemes, n_jobs={cores} (wall time)                  {ours_par:9,.0f} /s")
    print(f"  TF-IDF + logistic regression (themes only)         {tfidf:9,.0f} /s")
    print(f"  spaCy textcat_multilabel (themes only)             {spacy_rate:9,.0f} /s")
    print(
        f"  ratios: npsthemes / TF-IDF+LR {ours / tfidf:.2f}, npsthemes / spaCy {ours / spacy_rate:.2f}, "
        f"{cores} workers / one process {ours_par / ours:.2f}"
    )


FIRST_CHILD = """
import sys, time
sys.path.insert(0, {bench!r})
from throughput import generate
texts = generate(4000, seed=5)["text"].tolist()
t = time.perf_counter()
from npsthemes import load_model
from npsthemes.tagging import tag_texts
m = load_model()
load = time.perf_counter() - t
t = time.perf_counter(); tag_texts(m, texts[:2000]); first = time.perf_counter() - t
t = time.perf_counter(); tag_texts(m, texts[2000:]); warm = time.perf_counter() - t
print(load, first, warm)
"""


def part_first() -> None:
    out = subprocess.run(
        [sys.executable, "-c", FIRST_CHILD.format(bench=str(Path(__file__).parent))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    load, first, warm = map(float, out[-3:])
    print(
        f"fresh process: imports + model load {load:.2f} s; first call (2,000 comments) {first:.2f} s, warm call "
        f"{warm:.2f} s: {first - warm:.2f} s over the warm one (floor 1 s)"
    )


ANALYZE_CHILD = """
import json, sys, time
sys.path.insert(0, {bench!r})
from _common import TreeMemory
with TreeMemory() as mem:
    t = time.perf_counter()
    from npsthemes import analyze
    a = analyze({path!r}, n_jobs={jobs!r}, engine={engine!r})
    a.write({out!r})
    wall = time.perf_counter() - t
print(json.dumps({{"wall": wall, "peak": mem.peak_mb, "worker": mem.peak_worker_mb,
                   "rows": a.load_report.rows_read, "nps": a.overall["nps"]}}))
"""


def _child(path: Path, out: Path, engine: str = "local") -> dict:
    code = ANALYZE_CHILD.format(bench=str(Path(__file__).parent), path=str(path), out=str(out), jobs=-1, engine=engine)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["process_wall"] = time.perf_counter() - t
    return res


def _survey(rows: int) -> Path:
    path = OUT / f"analyze_{rows}.csv"
    if not path.exists():
        print(f"  (generating {path.name} ...)", flush=True)
        generate_survey(path, rows)
    return path


def part_analyze(sizes: list[int]) -> None:
    print(f"analyze end to end (load, tag with n_jobs={os.cpu_count()}, statistics, HTML/XLSX/CSV/JSON written):")
    for rows in sizes:
        res = _child(_survey(rows), OUT / f"scale_report_{rows}")
        print(
            f"  {rows:>10,} responses: {res['wall']:6.1f} s ({res['process_wall']:.1f} s with imports), peak memory "
            f"{res['peak']:,.0f} MB with the workers (largest worker {res['worker']:,.0f} MB); "
            f"{rows / res['wall']:,.0f} responses/s"
        )


def part_dask(sizes: list[int]) -> None:
    print(f"Dask engine, LocalCluster with {os.cpu_count()} single-threaded worker processes, Parquet partitions:")
    for rows in sizes:
        n_parts = max(1, rows // 100_000)
        folder = OUT / f"parquet_{rows}"
        if not folder.exists():
            # generated a million rows at a time, each million with its own seed (its own comments: repeats
            # between millions would flatter the de-duplication)
            print(f"  (writing {n_parts} partitions of {rows:,} rows ...)", flush=True)
            folder.mkdir(parents=True)
            chunk = min(rows, 1_000_000)
            for m, start in enumerate(range(0, rows, chunk)):
                src = OUT / f"chunk_{chunk}_{m}.csv"
                if not src.exists():
                    generate_survey(src, chunk, seed=7 + m)
                df = pd.read_csv(src, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
                df["Vastaus ID"] = [str(start + k + 1) for k in range(len(df))]
                for k in range(0, len(df), 100_000):
                    df.iloc[k : k + 100_000].to_parquet(folder / f"part_{(start + k) // 100_000:05d}.parquet")
        res = _child(folder / "*.parquet", OUT / f"scale_dask_{rows}", engine="dask")
        print(
            f"  {rows:>10,} responses in {n_parts} partitions: {res['wall']:6.1f} s, peak memory of the client and "
            f"workers {res['peak']:,.0f} MB, largest worker {res['worker']:,.0f} MB"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parts", default="tagging,first,analyze,dask")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--analyze-sizes", default="100000,1000000,5000000")
    ap.add_argument("--dask-sizes", default="1000000,10000000")
    a = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    parts = a.parts.split(",")
    print(f"machine: {machine()}; load average at the start {os.getloadavg()[0]:.2f}")
    if "tagging" in parts:
        part_tagging(a.n)
    if "first" in parts:
        part_first()
    if "analyze" in parts:
        part_analyze([int(x) for x in a.analyze_sizes.split(",") if x])
    if "dask" in parts:
        part_dask([int(x) for x in a.dask_sizes.split(",") if x])


if __name__ == "__main__":
    main()
