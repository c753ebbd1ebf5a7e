"""Benchmark: tagging throughput and peak memory on 100,000 generated comments; training time on the default
corpus; size of the model directory.

    python benchmarks/throughput.py [--n 100000]

The comments are generated from the sample survey's comments (which the model was not trained on): same language
mix and a similar length distribution (both printed), two words of each replaced at random so that nearly all
texts are distinct (the count is printed): the tagger's de-duplication of repeated comments does not flatter
the figure. Floors (issue 3): >= 10,000 comments
per second in one process, training < 60 s, model directory < 50 MB.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine, peak_rss_mb  # noqa: E402


def sample_comments() -> dict[str, list[str]]:
    """The sample survey's written comments, by language."""
    import json

    from npsthemes.datasets import sample_survey_path

    by_lang: dict[str, list[str]] = {}
    with open(sample_survey_path().with_name("sample_survey_labels.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            by_lang.setdefault(rec["language"], []).append(rec["text"])
    return by_lang


def generate(n: int, seed: int = 0) -> pd.DataFrame:
    """n comments like the sample survey's: each is one of its comments (language drawn fi 45 %, sv 30 %,
    en 25 %) with two words replaced by random words of the same language, and in one case of five a second
    comment appended. Same language mix, similar length distribution, nearly all texts distinct."""
    by_lang = sample_comments()
    langs = ["fi", "sv", "en"]
    words = {lang: [w for c in by_lang[lang] for w in c.split()] for lang in langs}
    rng = np.random.default_rng(seed)
    lang_of = rng.choice(3, size=n, p=[0.45, 0.30, 0.25])
    texts = []
    for li in lang_of:
        lang = langs[li]
        pool, vocab = by_lang[lang], words[lang]
        toks = pool[rng.integers(len(pool))].split()
        if rng.random() < 0.2:
            toks += pool[rng.integers(len(pool))].split()
        for _ in range(2):
            if toks:
                toks[rng.integers(len(toks))] = vocab[rng.integers(len(vocab))]
        texts.append(" ".join(toks))
    return pd.DataFrame({"text": texts, "score": rng.integers(0, 11, n)})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--skip-training", action="store_true")
    a = ap.parse_args()
    from npsthemes import default_model_path, load_model
    from npsthemes.tagging import tag_texts

    print(f"machine: {machine()}")
    t0 = time.perf_counter()
    model = load_model()
    print(f"model load: {time.perf_counter() - t0:.2f} s")
    df = generate(a.n)
    ref = pd.Series([t for ts in sample_comments().values() for t in ts]).str.len()
    print(
        f"comments: {len(df):,} ({df['text'].nunique():,} distinct texts), mean length "
        f"{df['text'].str.len().mean():.0f} characters (sample survey comments: {ref.mean():.0f})"
    )
    texts, scores = df["text"].tolist(), df["score"].to_numpy(dtype=float)
    t0 = time.perf_counter()
    tag_texts(model, texts[:200], scores[:200])
    warm = time.perf_counter() - t0
    print(f"first call (loads simplemma's dictionaries for fi, sv, en): {warm:.1f} s")
    for evidence in (True, False):
        model = load_model()  # fresh token caches: every run starts cold (simplemma's dictionaries stay loaded)
        t0 = time.perf_counter()
        _, mentions = tag_texts(model, texts, scores, evidence=evidence)
        dt = time.perf_counter() - t0
        print(
            f"tagging{'' if evidence else ' without evidence'}: {dt:.1f} s, {len(df) / dt:,.0f} comments/s in one "
            f"process ({len(mentions):,} theme mentions) (floor 10,000/s)"
        )
    print(f"peak RSS after tagging: {peak_rss_mb():.0f} MB")
    size = sum(f.stat().st_size for f in default_model_path().iterdir())
    print(f"default model directory: {size / 2**20:.1f} MB (floor 50 MB)")
    if not a.skip_training:
        from npsthemes import default_taxonomy, train_model
        from npsthemes.datasets import training_corpus_path

        t0 = time.perf_counter()
        m = train_model(training_corpus_path(), taxonomy=default_taxonomy())
        print(
            f"training on the default corpus ({m.manifest['training_data']['n']} comments, incl. threshold "
            f"cross-validation and held-out evaluation): {time.perf_counter() - t0:.1f} s (floor 60 s)"
        )


if __name__ == "__main__":
    main()
