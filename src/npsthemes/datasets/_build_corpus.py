"""Merge hand-written labelled comment files into ``training_corpus.jsonl`` with a fixed, seeded split.

Developer tools:

- ``python -m npsthemes.datasets._build_corpus PART.jsonl [PART.jsonl ...]`` builds the corpus from parts;
- ``python -m npsthemes.datasets._build_corpus --append PART.jsonl [...]`` adds parts to the existing corpus
  without touching its rows or their split;
- ``--append --test-only`` adds parts whose rows are all held out (the fresh parts ``*_e``, written after the
  theme rules by writers who saw neither the corpus nor the rules: the clean check of a model with rules).

Each row keeps the ``domain`` its writer was briefed for (``credit_management`` when a part has none).

Each part was written by a separate writer (language x persona). The split holds out 20 % of every part
(so of every language), chosen at random with a fixed seed; near-duplicate texts (also of rows already in the
corpus, when appending) are dropped first.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
SEED = 20261124
TEST_SHARE = 0.2


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def main(
    parts: list[str], append: bool = False, default_domain: str = "credit_management", test_only: bool = False
) -> None:
    rng = np.random.default_rng(SEED + 1 if append else SEED)  # appended parts: their own seeded split
    out: list[dict] = []
    if append:
        out = [json.loads(line) for line in open(HERE / "training_corpus.jsonl", encoding="utf-8") if line.strip()]
    seen: set[str] = {_key(r["text"]) for r in out}
    for part in parts:
        rows = [json.loads(line) for line in open(part, encoding="utf-8") if line.strip()]
        keep = []
        for r in rows:
            key = _key(r["text"])
            if len(key) > 12 and key in seen:
                continue
            seen.add(key)
            keep.append(r)
        idx = rng.permutation(len(keep))
        n_test = len(keep) if test_only else int(round(len(keep) * TEST_SHARE))
        test = set(idx[:n_test].tolist())
        tag = Path(part).stem.lower()
        for i, r in enumerate(keep):
            out.append(
                {
                    "id": f"{tag}-{i + 1:03d}",
                    "text": r["text"],
                    "score": int(r["score"]),
                    "language": r["language"],
                    "labels": r["labels"],
                    "split": "test" if i in test else "train",
                    "domain": r.get("domain") or default_domain,
                }
            )
    with open(HERE / "training_corpus.jsonl", "w", encoding="utf-8") as fh:
        for r in out:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    n_test = sum(r["split"] == "test" for r in out)
    print(f"{len(out)} rows, {n_test} test ({n_test / len(out):.1%})")


if __name__ == "__main__":
    args = sys.argv[1:]
    flags = {"--append", "--test-only"}
    main([a for a in args if a not in flags], append="--append" in args, test_only="--test-only" in args)
