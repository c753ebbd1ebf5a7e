"""Benchmark: load a 1,000,000-row survey CSV (Finnish Excel style) and compute NPS by month x channel.

    python benchmarks/load_nps.py [--rows 1000000]

Generates the CSV once (cached under benchmarks/out/), then measures, in a fresh child process, the wall time
of load_survey + nps_by(month x channel) and that process's peak RSS. Floors (issue 2): < 15 s, < 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine, peak_rss_mb  # noqa: E402

OUT = Path(__file__).parent / "out"
COMMENTS = [
    "Nopea ja ystävällinen palvelu",
    "Portaali on kankea",
    "",
    "Bra bemötande, men dyrt",
    "Couldn't reach anyone by phone",
    "ok",
    "Asiantuntevaa apua perintäasiassa, kiitos!",
    "Tog för lång tid",
    "",
    "Helppo aloittaa, kaikki toimi",
]


def generate(path: Path, rows: int) -> None:
    rng = np.random.default_rng(1)
    dates = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D")
    df = pd.DataFrame(
        {
            "Vastaus ID": np.arange(1, rows + 1),
            "Päivämäärä": dates.strftime("%d.%m.%Y"),
            "Suositteluhalukkuus": rng.choice(
                np.arange(11), rows, p=np.array([2, 1, 2, 3, 3, 5, 6, 10, 15, 20, 33]) / 100
            ),
            "Perustelu": rng.choice(COMMENTS, rows),
            "Kanava": rng.choice(["phone", "chat", "email", "web"], rows),
            "Asiakasneuvoja": rng.choice([f"agent {i}" for i in range(40)], rows),
        }
    )
    df.loc[rng.choice(rows, 500, replace=False), "Suositteluhalukkuus"] = 11  # some invalid rows
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(df.to_csv(sep=";", index=False).encode("utf-8-sig"))


def child(path: str) -> None:
    from npsthemes import load_survey, nps_by

    t0 = time.perf_counter()
    survey = load_survey(path)
    t1 = time.perf_counter()
    groups = nps_by(survey.responses, "channel", period="month")
    t2 = time.perf_counter()
    print(
        json.dumps(
            {
                "load_s": t1 - t0,
                "nps_by_s": t2 - t1,
                "total_s": t2 - t0,
                "peak_rss_mb": peak_rss_mb(),
                "rows_read": survey.report.rows_read,
                "rows_rejected": survey.report.rows_rejected,
                "groups": len(groups),
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.child)
        return
    path = OUT / f"survey_{a.rows}.csv"
    if not path.exists():
        print(f"generating {path} ...", flush=True)
        generate(path, a.rows)
    res = json.loads(
        subprocess.run(
            [sys.executable, __file__, "--child", str(path)], check=True, capture_output=True, text=True
        ).stdout
    )
    print(f"machine: {machine()}")
    print(
        f"file: {path.name} ({path.stat().st_size / 2**20:.0f} MB), rows read {res['rows_read']:,}, "
        f"rejected {res['rows_rejected']:,}, groups {res['groups']}"
    )
    print(
        f"load_survey: {res['load_s']:.2f} s; nps_by(channel x month): {res['nps_by_s']:.2f} s; "
        f"total wall {res['total_s']:.2f} s (floor 15 s)"
    )
    print(f"peak RSS of the measuring process: {res['peak_rss_mb']:.0f} MB (floor 1536 MB)")


if __name__ == "__main__":
    main()
