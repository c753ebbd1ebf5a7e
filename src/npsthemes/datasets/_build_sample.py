"""Build the shipped synthetic sample survey from hand-written labelled comments.

Developer tool, not part of the public API::

    python -m npsthemes.datasets._build_sample COMMENTS.jsonl [COMMENTS.jsonl ...]

Each input line is ``{"text", "score", "language", "labels"}``. The comments were written for this project
(synthetic: no real customer wrote them). This script only adds the survey frame around them, seeded: an id,
a date over 12 months, the contact channel, the agent and the customer's industry, ~15 % responses without a
comment and a handful of defective rows (bad scores) as real exports have. A few patterns are built in so
that the report has something true to find: portal complaints cluster after a portal release in June 2026,
availability complaints come mostly by phone, one agent's contacts end more often in detractors.

Outputs (beside this file): ``sample_survey.csv`` (``;``-delimited, UTF-8 with BOM, dates as d.m.yyyy,
headers in Finnish, as a Finnish Excel export looks) and ``sample_survey_labels.jsonl`` (the gold themes of
each comment, by response id, for evaluating the tagger on text it was not trained on).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
SEED = 2026
START = pd.Timestamp("2025-12-01")
END = pd.Timestamp("2026-11-30")

AGENTS = {
    "fi": ["Anna K.", "Mikko L.", "Sanna V.", "Jari P."],
    "sv": ["Karin J.", "Erik L."],
    "en": ["Emma W.", "Karin J."],
}
INDUSTRIES = ["retail", "housing", "healthcare", "construction", "services", "energy"]
INDUSTRY_P = [0.25, 0.2, 0.15, 0.15, 0.15, 0.1]
CHANNEL_WORDS = {
    "chat": r"\bchat|chatti|chatissa|chatten",
    "email": r"s[äa]hk[öo]post|mejl|e-?mail|\bmail",
    "phone": r"puhel|soit|jono|telefon|ringde|ringa|samtal|phone|\bcall",
    "web": r"portaal|portal|verkkopalvel|webb|online|sovellus|\bapp\b|login|kirjaut|inlogg",
}


def _channel(text: str, labels: str, rng: np.random.Generator) -> str:
    low = text.lower()
    hits = [ch for ch, pat in CHANNEL_WORDS.items() if re.search(pat, low)]
    if hits and rng.random() < 0.8:
        return hits[0]
    if "availability:negative" in labels and rng.random() < 0.6:
        return "phone"
    return str(rng.choice(["phone", "chat", "email", "web"], p=[0.4, 0.25, 0.2, 0.15]))


def _date(labels: str, rng: np.random.Generator) -> pd.Timestamp:
    if "web_interface:negative" in labels and rng.random() < 0.55:
        lo, hi = pd.Timestamp("2026-06-01"), pd.Timestamp("2026-08-31")
    else:
        lo, hi = START, END
    days = (hi - lo).days
    return lo + pd.Timedelta(days=int(rng.integers(0, days + 1)))


def _agent(lang: str, score: int, channel: str, rng: np.random.Generator) -> str:
    if channel == "web" and rng.random() < 0.85:
        return ""  # self-service contacts have no agent
    agents = AGENTS[lang]
    if lang == "fi":
        p = np.array([0.3, 0.2, 0.28, 0.22])
        if score <= 6:
            p = np.array([0.2, 0.42, 0.18, 0.2])  # Mikko's contacts end more often in detractors
        return str(rng.choice(agents, p=p / p.sum()))
    return str(rng.choice(agents))


def build(inputs: list[Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(SEED)
    comments = []
    for path in inputs:
        with open(path, encoding="utf-8") as fh:
            comments += [json.loads(line) for line in fh if line.strip()]
    rows = []
    for c in comments:
        channel = _channel(c["text"], c["labels"], rng)
        rows.append(
            {
                "date": _date(c["labels"], rng),
                "score": str(c["score"]),
                "comment": c["text"],
                "channel": channel,
                "agent": _agent(c["language"], int(c["score"]), channel, rng),
                "industry": str(rng.choice(INDUSTRIES, p=INDUSTRY_P)),
                "language": c["language"],
                "labels": c["labels"],
            }
        )
    # responses without a comment (they count in NPS)
    n_empty = int(round(len(comments) * 0.16))
    empty_scores = rng.choice(np.arange(11), size=n_empty, p=np.array([1, 1, 1, 2, 2, 4, 5, 9, 14, 22, 39]) / 100)
    for s in empty_scores:
        channel = str(rng.choice(["phone", "chat", "email", "web"], p=[0.4, 0.25, 0.2, 0.15]))
        lang = str(rng.choice(["fi", "sv", "en"], p=[0.55, 0.3, 0.15]))
        rows.append(
            {
                "date": _date("", rng),
                "score": str(int(s)),
                "comment": "",
                "channel": channel,
                "agent": _agent(lang, int(s), channel, rng),
                "industry": str(rng.choice(INDUSTRIES, p=INDUSTRY_P)),
                "language": "",
                "labels": "",
            }
        )
    # defective rows as real exports have them: rejected by the loader, with reasons
    for score, text in [
        ("", "En halunnut antaa numeroa"),
        ("11", "Parasta ikinä!!"),
        ("ei tietoa", ""),
        ("8,5", "Ihan hyvä mutta portaali hidas"),
        ("-1", "test"),
        ("10+", "Toppen"),
    ]:
        rows.append(
            {
                "date": _date("", rng),
                "score": score,
                "comment": text,
                "channel": "web",
                "agent": "",
                "industry": str(rng.choice(INDUSTRIES)),
                "language": "",
                "labels": "",
            }
        )
    df = pd.DataFrame(rows).sort_values("date", kind="stable").reset_index(drop=True)
    df.insert(0, "id", [f"R{i:04d}" for i in range(1, len(df) + 1)])
    labels = df[df["comment"] != ""][["id", "comment", "language", "labels", "score"]].rename(
        columns={"comment": "text"}
    )
    labels = labels[labels["language"] != ""]
    survey = pd.DataFrame(
        {
            "Vastaus ID": df["id"],
            "Päivämäärä": [f"{d.day}.{d.month}.{d.year}" for d in df["date"]],
            "Suositteluhalukkuus": df["score"],
            "Perustelu": df["comment"],
            "Kanava": df["channel"],
            "Asiakasneuvoja": df["agent"],
            "Toimiala": df["industry"],
        }
    )
    return survey, labels


def main(argv: list[str]) -> None:
    survey, labels = build([Path(a) for a in argv])
    (HERE / "sample_survey.csv").write_bytes(survey.to_csv(sep=";", index=False).encode("utf-8-sig"))
    with open(HERE / "sample_survey_labels.jsonl", "w", encoding="utf-8") as fh:
        for rec in labels.to_dict(orient="records"):
            rec["score"] = int(rec["score"])
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{len(survey)} rows, {len(labels)} labelled comments")


if __name__ == "__main__":
    main(sys.argv[1:])
