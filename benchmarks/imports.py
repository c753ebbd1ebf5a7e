"""Import cost: `import npsthemes` and `npsthemes nps` on the sample survey (which needs pandas, not spaCy or
scikit-learn), each in a fresh interpreter, median of N runs; also which heavy libraries each one loads.

    python benchmarks/imports.py [--runs 7] [--src OTHER/src ...]

With ``--src`` the same is measured for other source trees (for example an older checkout) in the same run, side
by side, since absolute times vary between runs on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

HEAVY = ("spacy", "sklearn", "simplemma", "scipy", "openpyxl", "jinja2", "pyarrow")
PROBE = (
    "import sys; {code}; heavy = {{m.split('.')[0] for m in sys.modules}} & set({heavy!r}); "
    "print(','.join(sorted(heavy)), file=sys.__stdout__)"
)


def run(src: str, code: str, runs: int) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": src}
    times, loaded = [], ""
    for _ in range(runs):
        t = time.perf_counter()
        out = (
            subprocess.run(
                [sys.executable, "-c", PROBE.format(code=code, heavy=HEAVY)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()
        )
        times.append(time.perf_counter() - t)
        loaded = out[-1] if out else ""
    return statistics.median(times), loaded


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--src", action="append", default=[], help="another source tree to measure (its src/ dir)")
    a = ap.parse_args()
    here = str(Path(__file__).resolve().parents[1] / "src")
    cases = {
        "python -c pass": "pass",
        "import npsthemes": "import npsthemes",
        "npsthemes nps SAMPLE": (
            "import io, contextlib; from npsthemes.cli import main; "
            "from npsthemes.datasets import sample_survey_path; "
            "f = io.StringIO(); "
            "contextlib.redirect_stdout(f).__enter__(); contextlib.redirect_stderr(f).__enter__(); "
            "main(['nps', str(sample_survey_path())])"
        ),
        "import npsthemes.classifier": "import npsthemes.classifier",
    }
    print(f"machine: {machine()}")
    print(f"median of {a.runs} fresh interpreters each")
    for src in [here, *a.src]:
        print(f"\n{src}")
        for name, code in cases.items():
            t, loaded = run(src, code, a.runs)
            print(f"  {name:30s} {t:6.2f} s   heavy modules loaded: {loaded or '-'}")


if __name__ == "__main__":
    main()
