"""Tagging speed of one source tree, for side-by-side comparisons of two trees (alternate the processes):

    for r in 1 2 3 4; do PYTHONPATH=OLD/src python benchmarks/compare_tagging.py old
                         PYTHONPATH=NEW/src python benchmarks/compare_tagging.py new; done

Tags N generated comments (benchmarks/throughput.py's generator) with and without evidence, CPU time, best of
``--runs`` per process, each run with a freshly loaded model (cold token caches).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import generate  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("label")
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    from npsthemes import load_model
    from npsthemes.tagging import tag_texts

    df = generate(a.n)
    texts, scores = df["text"].tolist(), df["score"].to_numpy(dtype=float)
    tag_texts(load_model(), texts[:200], scores[:200])  # simplemma's dictionaries loaded once
    res = {}
    for evidence in (True, False):
        best = float("inf")
        for _ in range(a.runs):
            model = load_model()
            t = time.process_time()
            tag_texts(model, texts, scores, evidence=evidence)
            best = min(best, time.process_time() - t)
        res[evidence] = len(texts) / best
    print(f"{a.label} with evidence {res[True]:,.0f}/s, without {res[False]:,.0f}/s")


if __name__ == "__main__":
    main()
