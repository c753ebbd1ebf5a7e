"""Benchmark: `analyze` end to end on 1,000,000 generated responses.

    python benchmarks/analyze.py [--rows 1000000]

Generates a Finnish-Excel-style CSV once (cached under benchmarks/out/): 12 months, 4 channels, 40 agents,
6 industries, scores 0-10, 30 % empty comments and the rest generated like benchmarks/throughput.py does from the
sample survey's comments (so most comments are distinct texts; the count is printed), plus 1,000 invalid rows.
Then a fresh child process runs load + tag + statistics + rendering + writing (`analyze(...).write(...)`), and
reports wall time per stage and its peak RSS. Floors (issue 4): < 180 s and < 4 GB on this 2-core machine.
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
from _common import TreeMemory, machine, peak_rss_mb  # noqa: E402
from throughput import generate as generate_comments  # noqa: E402

OUT = Path(__file__).parent / "out"


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    comments = generate_comments(rows, seed=seed)
    text = comments["text"].to_numpy(dtype=object)
    text[rng.random(rows) < 0.3] = ""
    df = pd.DataFrame(
        {
            "Vastaus ID": np.arange(1, rows + 1),
            "Päivämäärä": (pd.Timestamp("2025-12-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D")).strftime(
                "%d.%m.%Y"
            ),
            "Suositteluhalukkuus": rng.choice(
                np.arange(11), rows, p=np.array([2, 1, 2, 3, 3, 5, 6, 10, 15, 20, 33]) / 100
            ),
            "Perustelu": text,
            "Kanava": rng.choice(["phone", "chat", "email", "web"], rows),
            "Asiakasneuvoja": rng.choice([f"agent {i:02d}" for i in range(40)], rows),
            "Toimiala": rng.choice(["retail", "housing", "healthcare", "construction", "services", "energy"], rows),
        }
    ).astype({"Suositteluhalukkuus": str})
    df.loc[rng.choice(rows, 1000, replace=False), "Suositteluhalukkuus"] = "11"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(df.to_csv(sep=";", index=False).encode("utf-8-sig"))


def child(path: str, out: str, jobs: str = "1") -> None:
    from npsthemes import analyze, load_model, load_survey

    n_jobs = jobs if jobs == "auto" else int(jobs)
    tree = TreeMemory().__enter__()
    times = {}
    t0 = time.perf_counter()
    survey = load_survey(path)
    times["load"] = time.perf_counter() - t0
    t = time.perf_counter()
    model = load_model()
    times["model"] = time.perf_counter() - t
    t = time.perf_counter()
    analysis = analyze(survey, model, n_jobs=n_jobs)
    times["tag+statistics"] = time.perf_counter() - t
    t = time.perf_counter()
    analysis.write(out)
    times["render+write"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - t0
    tree.__exit__()
    commented = survey.responses["comment"].str.strip() != ""
    print(
        json.dumps(
            {
                "times": times,
                "peak_rss_mb": peak_rss_mb(),
                "peak_tree_mb": tree.peak_mb,
                "peak_worker_mb": tree.peak_worker_mb,
                "rows_read": survey.report.rows_read,
                "rows_rejected": survey.report.rows_rejected,
                "commented": int(commented.sum()),
                "distinct_comments": int(survey.responses.loc[commented, "comment"].nunique()),
                "nps": analysis.overall["nps"],
                "development_areas": analysis.summary()["development_areas"],
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--jobs", default="1", help="n_jobs of analyze: a number, -1 or auto (default 1)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(*a.child)
        return
    path = OUT / f"analyze_{a.rows}.csv"
    if not path.exists():
        print(f"generating {path} ...", flush=True)
        generate(path, a.rows)
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(path), str(OUT / f"report_{a.rows}"), a.jobs],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t
    if proc.returncode:
        sys.exit(proc.stderr[-3000:])
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"machine: {machine()}")
    print(
        f"input: {path.name} ({path.stat().st_size / 2**20:.0f} MB), rows read {res['rows_read']:,}, rejected "
        f"{res['rows_rejected']:,}, with a comment {res['commented']:,} ({res['distinct_comments']:,} distinct)"
    )
    print("stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in res["times"].items()))
    print(f"wall time of the child process (incl. imports): {wall:.1f} s (floor 180 s)")
    print(
        f"peak RSS: {res['peak_rss_mb']:.0f} MB in the main process; {res['peak_tree_mb']:.0f} MB with its worker "
        f"processes (largest worker {res['peak_worker_mb']:.0f} MB; n_jobs {a.jobs})"
    )
    print(f"NPS {res['nps']:.1f}; development areas: {', '.join(res['development_areas'])}")


if __name__ == "__main__":
    main()
