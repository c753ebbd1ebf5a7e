"""Check theme-rule terms against the TRAINING rows of the corpus only, and drop the terms that mislead.

Developer tool (issue 11): ``python -m npsthemes.datasets._check_rules RULES.json OUT.json`` matches every term
of every theme and language on its own (with the matching of :class:`npsthemes.stages.rules.RuleBlock`: lemmas,
``*`` prefixes, compound heads) over the corpus rows whose ``split`` is ``train``, and writes the rules without
the terms that fired on at least ``MIN_HITS`` training comments of their language with a precision below
``MIN_PRECISION`` (the share of those comments labelled with the term's theme). Terms that fire less often are
kept: the training rows say nothing against them. ``not`` terms are kept as written. The held-out split is never
read. It prints what it dropped.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
MIN_HITS = 4
MIN_PRECISION = 0.35


def term_precision(rules: dict, corpus: Path = HERE / "training_corpus.jsonl") -> list[tuple]:
    """(theme, lang, term, hits, precision) for every term, over the training rows of ``corpus``."""
    import pandas as pd

    from ..stages.rules import RuleBlock
    from ..stages.text import TextAnalyzer

    rows = [json.loads(line) for line in open(corpus, encoding="utf-8") if line.strip()]
    train = pd.DataFrame([r for r in rows if r["split"] == "train"])
    gold = [set(p.split(":")[0] for p in str(labs).split(";") if p) for labs in train["labels"]]
    batch = TextAnalyzer().fit_transform(train[["text", "score", "language"]])
    keys: list[tuple[str, str, str]] = []
    single: dict[str, dict] = {}
    for theme, per_lang in rules.items():
        for lang, spec in per_lang.items():
            for term in spec.get("terms", []):
                name = f"t{len(keys)}"
                keys.append((theme, lang, term))
                single[name] = {lang: {"terms": [term]}}
    block = RuleBlock(single).fit(None)
    col_of = {name: i for i, name in enumerate(block.themes_)}
    row, col, _, neg, _ = block.hits(batch)
    fired: dict[int, set[int]] = defaultdict(set)
    for r, c in zip(row[~neg].tolist(), col[~neg].tolist()):
        fired[c].add(r)
    out = []
    for i, (theme, lang, term) in enumerate(keys):
        rs = fired.get(col_of.get(f"t{i}", -1), set())
        hits = len(rs)
        prec = float(np.mean([theme in gold[r] for r in rs])) if rs else float("nan")
        out.append((theme, lang, term, hits, prec))
    return out


def main(src: str, dst: str) -> None:
    rules = json.load(open(src, encoding="utf-8"))
    stats = term_precision(rules)
    drop = {(t, lang, term) for t, lang, term, n, p in stats if n >= MIN_HITS and p < MIN_PRECISION}
    for t, lang, term, n, p in sorted(stats):
        if (t, lang, term) in drop:
            print(f"drop {t:24s} {lang} {term!r:30s} hits {n:4d} precision {p:.2f}")
    out = {
        t: {
            lang: {
                **spec,
                "terms": [term for term in spec.get("terms", []) if (t, lang, term) not in drop],
            }
            for lang, spec in per_lang.items()
        }
        for t, per_lang in rules.items()
    }
    Path(dst).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    n_terms = sum(len(s.get("terms", [])) for v in rules.values() for s in v.values())
    print(f"{len(drop)} of {n_terms} terms dropped (>= {MIN_HITS} training hits, precision < {MIN_PRECISION})")


if __name__ == "__main__":
    main(*sys.argv[1:3])
