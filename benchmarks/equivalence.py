"""Record, or compare, everything the classifier and `analyze` produce, to check that a refactor changes nothing.

    python benchmarks/equivalence.py record DIR [--model MODEL_DIR]    # write DIR/*.{parquet,json,csv}
    python benchmarks/equivalence.py compare OLD_DIR NEW_DIR           # exit 1 on any difference

What is recorded, with the given model (default: the shipped one):
- on the sample survey and on 20,000 generated comments (benchmarks/throughput.py's generator, seed 0):
  ``tag_frame`` (themes, polarities, probabilities, polarity probabilities, evidence, clauses), the detected
  languages, ``predict_proba`` of every theme;
- ``analyze`` of the sample survey: summary.json, responses.csv, report.html and the cell values of
  report.xlsx (the model's directory name replaced by ``MODEL_DIR``; the input copied to a fixed path first).

``compare`` requires probabilities equal to 1e-9 and everything else byte-identical (summary.json is compared
without its timestamp and model fingerprint fields, which name the model file rather than its behaviour).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import generate  # noqa: E402

PROBA_COLUMNS = ("probability", "polarity_probability")
VOLATILE_SUMMARY_KEYS = (
    "created",
    "generated",
    "generated_at",
    "model_sha256",
    "model_path",
    "runtime",
    "duration_s",
    "elapsed_s",
    "source_path",
    "npsthemes_version",
    "model",
)


def _inputs() -> dict[str, pd.DataFrame]:
    from npsthemes import load_survey
    from npsthemes.datasets import sample_survey_path

    survey = load_survey(sample_survey_path())
    sample = pd.DataFrame(
        {
            "text": survey.responses["comment"].astype(str).tolist(),
            "score": survey.responses["score"].to_numpy(dtype=float),
        }
    )
    gen = generate(20_000, seed=0)
    return {"sample": sample, "generated": gen[["text", "score"]].reset_index(drop=True)}


def record(out: Path, model_dir: str | None) -> None:
    from npsthemes import analyze, load_model
    from npsthemes.datasets import sample_survey_path

    out.mkdir(parents=True, exist_ok=True)
    model = load_model(model_dir)
    clf = model.classifier
    for name, X in _inputs().items():
        langs, frame = clf.tag_frame(X, evidence=True)
        frame.to_parquet(out / f"{name}_tags.parquet")
        pd.DataFrame({"language": langs}).to_parquet(out / f"{name}_languages.parquet")
        proba = clf.predict_proba(X)
        np.save(out / f"{name}_proba.npy", np.asarray(proba, dtype=np.float64))
        print(f"{name}: {len(X)} comments, {len(frame)} mentions")
    # a fixed input path: the report and summary.json name the input file
    fixed = Path(tempfile.gettempdir()) / "npsthemes-equivalence" / "sample_survey.csv"
    fixed.parent.mkdir(exist_ok=True)
    shutil.copyfile(sample_survey_path(), fixed)
    result = analyze(fixed, model=model)
    rendered, _ = result.render_files()
    (out / "summary.json").write_bytes(rendered["summary.json"])
    (out / "responses.csv").write_bytes(rendered["responses.csv"])
    html = rendered["report.html"].decode("utf-8")
    if model.path is not None:  # the report names the model directory; compare what does not depend on it
        html = html.replace(str(model.path), "MODEL_DIR")
    (out / "report.html").write_text(html, encoding="utf-8")
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(rendered["report.xlsx"]), read_only=True)
    cells = {ws.title: [[str(v) for v in row] for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    text = (
        json.dumps(cells, ensure_ascii=False).replace(str(model.path), "MODEL_DIR")
        if model.path
        else json.dumps(cells, ensure_ascii=False)
    )
    (out / "report_xlsx.json").write_text(text, encoding="utf-8")
    print(f"recorded in {out}")


def _strip(d):
    if isinstance(d, dict):
        return {k: _strip(v) for k, v in d.items() if k not in VOLATILE_SUMMARY_KEYS}
    if isinstance(d, list):
        return [_strip(v) for v in d]
    return d


def compare(old: Path, new: Path) -> int:
    bad = 0
    for name in ("sample", "generated"):
        a, b = pd.read_parquet(old / f"{name}_tags.parquet"), pd.read_parquet(new / f"{name}_tags.parquet")
        if a.shape != b.shape or list(a.columns) != list(b.columns):
            print(f"{name}: tag frames differ in shape {a.shape} vs {b.shape}")
            bad += 1
            continue
        for col in a.columns:
            if col in PROBA_COLUMNS:
                diff = float(np.max(np.abs(a[col].to_numpy() - b[col].to_numpy()))) if len(a) else 0.0
                if diff > 1e-9:
                    print(f"{name}: {col} differs by up to {diff:.3g}")
                    bad += 1
            elif not a[col].astype(str).equals(b[col].astype(str)):
                n = int((a[col].astype(str) != b[col].astype(str)).sum())
                print(f"{name}: column {col} differs in {n} rows")
                bad += 1
        la = pd.read_parquet(old / f"{name}_languages.parquet")
        lb = pd.read_parquet(new / f"{name}_languages.parquet")
        if not la.equals(lb):
            print(f"{name}: languages differ")
            bad += 1
        pa, pb = np.load(old / f"{name}_proba.npy"), np.load(new / f"{name}_proba.npy")
        diff = float(np.max(np.abs(pa - pb))) if pa.shape == pb.shape else float("inf")
        print(f"{name}: {len(a)} mentions compared; max |proba difference| {diff:.3g}")
        if diff > 1e-9:
            bad += 1
    sa = _strip(json.loads((old / "summary.json").read_text()))
    sb = _strip(json.loads((new / "summary.json").read_text()))
    if json.dumps(sa, sort_keys=True) != json.dumps(sb, sort_keys=True):
        print("summary.json differs")
        for k in sorted(set(sa) | set(sb)):
            if json.dumps(sa.get(k), sort_keys=True) != json.dumps(sb.get(k), sort_keys=True):
                print(f"  key {k!r}")
        bad += 1
    for name in ("responses.csv", "report.html", "report_xlsx.json"):
        if not (old / name).exists():
            print(f"{name}: not recorded in {old}")
        elif (old / name).read_bytes() != (new / name).read_bytes():
            print(f"{name} differs")
            bad += 1
    print("IDENTICAL" if not bad else f"{bad} differences")
    return 1 if bad else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("out", type=Path)
    r.add_argument("--model", default=None)
    c = sub.add_parser("compare")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    args = ap.parse_args()
    if args.cmd == "record":
        record(args.out, args.model)
    else:
        sys.exit(compare(args.old, args.new))


if __name__ == "__main__":
    main()
