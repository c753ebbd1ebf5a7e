"""Benchmark: :func:`npsthemes.privacy.redact_series` on 1,000,000 generated comments.

    python benchmarks/redact_series.py [--n 1000000] [--share 0.1]

The comments are the sample survey's comments resampled (as in ``throughput.py``: two words replaced at random,
one in five with a second comment appended); a share of them (default 10 %) gets one of: a score or a date, an
amount, an order number (digits the detectors must look at and leave alone), an e-mail address, a phone number,
a personal id or an IBAN. Printed: the rate for pandas' ``str`` dtype and for object dtype, the share of
comments that went through the detectors and their rate, and a check that the result equals ``map(redact)`` on
a sample. The aim is >= 200,000 comments/s. On a shared machine the CPU-time rate (also printed) is the steadier
figure.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine  # noqa: E402
from throughput import generate  # noqa: E402

ADDITIONS = [
    " 10/10",
    " Tilaus tehtiin 12.3.2024 klo 10.30.",
    " Maksoin 1 234,50 €.",
    " Ordernummer 12345678.",
    " Tilausnumero 0401234567.",
    " Mailaa matti.meikalainen@example.fi",
    " Ring mig på 070-123 45 67.",
    " Soita +358 40 123 4567",
    " hetu 131052-308T",
    " Konto SE45 5000 0000 0583 9825 7466.",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--share", type=float, default=0.1, help="share of comments with something added")
    a = ap.parse_args()
    from npsthemes.privacy import _GATE, redact, redact_series

    print(f"machine: {machine()}")
    rng = np.random.default_rng(1)
    texts = generate(a.n)["text"].tolist()
    picked = np.flatnonzero(rng.random(a.n) < a.share)
    for i, j in zip(picked, rng.integers(len(ADDITIONS), size=len(picked))):
        texts[i] += ADDITIONS[j]
    gated = sum(1 for t in texts if _GATE.search(t))
    print(
        f"comments: {a.n:,}, mean length {np.mean([len(t) for t in texts]):.0f} characters, "
        f"{len(picked):,} with something added, {gated:,} ({gated / a.n:.1%}) go through the detectors"
    )

    for dtype in ("str", "object"):
        s = pd.Series(texts, dtype=dtype)
        t0, c0 = time.perf_counter(), time.process_time()
        out = redact_series(s)
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"redact_series, {dtype} dtype: {dt:.2f} s, {a.n / dt:,.0f} comments/s "
            f"(CPU time {dc:.2f} s, {a.n / dc:,.0f}/s)"
        )
    sample = [t for t in texts if _GATE.search(t)][:20_000]
    t0, c0 = time.perf_counter(), time.process_time()
    expected = [redact(t) for t in sample]
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"redact on {len(sample):,} comments that go through the detectors: {len(sample) / dt:,.0f} comments/s "
        f"(CPU time: {len(sample) / dc:,.0f}/s)"
    )
    check = rng.choice(a.n, size=min(a.n, 50_000), replace=False)
    assert all(out.iloc[i] == redact(texts[i]) for i in check), "redact_series differs from redact"
    masked = sum(1 for o, t in zip(expected, sample) if o != t)
    print(f"of those, {masked:,} had something masked; redact_series == map(redact) on 50,000 checked")


if __name__ == "__main__":
    main()
