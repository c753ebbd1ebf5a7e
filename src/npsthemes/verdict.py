"""The verdict: two to four plain sentences generated from an analysis's numbers, in en/fi/sv.

What to fix first (with its interval and n), where that criticism is concentrated (only when a segment stands
out beyond its interval), what to keep, and whether the NPS changed significantly between the last two periods.
Pure functions over the analysis's tables: the report, the terminal summary and summary.json's ``verdict`` show
the same sentences.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pandas as pd

from .stats import MISSING_GROUP
from .texts import TEXTS

__all__ = ["verdict_sentences", "fmt_number", "SENTENCES", "concentration"]

Label = Callable[[str], str]

#: Sentence templates per language. Numbers come formatted (decimal comma in fi/sv); ``{theme}`` is a label.
SENTENCES: dict[str, dict[str, str]] = {
    "en": {
        "fix": "Fix {theme} first: its criticism costs {stake} NPS points (95 % interval {lo} to {hi}); "
        "{neg} of the {commenting} respondents who commented criticise it.",
        "no_fix": "No theme is a clear development area yet: the most criticised, {theme}, is criticised by {neg} "
        "respondents and costs {stake} NPS points (95 % interval {lo} to {hi}).",
        "no_fix_none": "No theme is a clear development area: no comment was tagged with criticism.",
        "where": "The criticism of {theme} is concentrated in {column} “{segment}”: {share} of the {c} respondents "
        "there who commented criticise it (95 % interval {lo} to {hi}), against {rest} elsewhere.",
        "keep": "Keep {theme}: praise of it adds {pos} NPS points (95 % interval {lo} to {hi}); {n} respondents "
        "praise it.",
        "no_keep": "No theme is a clear strength yet with the evidence at hand.",
        "rose": "NPS rose significantly from {a} in {p1} to {b} in {p2} ({change} points, p = {p}; n = {n1} and {n2}).",
        "fell": "NPS fell significantly from {a} in {p1} to {b} in {p2} ({change} points, p = {p}; n = {n1} and {n2}).",
        "steady": "NPS did not change significantly from {p1} to {p2} ({change} points, p = {p}; n = {n1} and {n2}).",
        "partial": " {p} is a partial period.",
    },
    "fi": {
        "fix": "Korjaa ensin teema {theme}: sen moitteet vievät {stake} NPS-pistettä (95 %:n väli {lo}…{hi}); "
        "teemaa moitti {neg} niistä {commenting} vastaajasta, jotka kirjoittivat perustelun.",
        "no_fix": "Mikään teema ei vielä erotu selvänä kehityskohteena: eniten moitittua teemaa {theme} moitti {neg} "
        "vastaajaa, ja moitteet vievät {stake} NPS-pistettä (95 %:n väli {lo}…{hi}).",
        "no_fix_none": "Mikään teema ei erotu kehityskohteena: yhdessäkään perustelussa ei tunnistettu moitetta.",
        "where": "Teeman {theme} moitteet keskittyvät ryhmään {column} ”{segment}”: siellä perustelun kirjoittaneista "
        "{c} vastaajasta {share} moitti teemaa (95 %:n väli {lo}…{hi}), muualla {rest}.",
        "keep": "Säilytä teema {theme}: sen kehut tuovat {pos} NPS-pistettä (95 %:n väli {lo}…{hi}); teemaa kehui "
        "{n} vastaajaa.",
        "no_keep": "Mikään teema ei näillä tiedoilla vielä erotu selvänä vahvuutena.",
        "rose": "NPS nousi merkitsevästi: {p1} {a}, {p2} {b} ({change} pistettä, p = {p}; n = {n1} ja {n2}).",
        "fell": "NPS laski merkitsevästi: {p1} {a}, {p2} {b} ({change} pistettä, p = {p}; n = {n1} ja {n2}).",
        "steady": "NPS ei muuttunut merkitsevästi jaksosta {p1} jaksoon {p2} ({change} pistettä, p = {p}; "
        "n = {n1} ja {n2}).",
        "partial": " Jakso {p} on vajaa.",
    },
    "sv": {
        "fix": "Åtgärda {theme} först: kritiken kostar {stake} NPS-poäng (95 % intervall {lo} till {hi}); "
        "{neg} av de {commenting} som kommenterade kritiserar det.",
        "no_fix": "Inget tema är ännu ett tydligt utvecklingsområde: det mest kritiserade, {theme}, kritiseras av "
        "{neg} svarande och kostar {stake} NPS-poäng (95 % intervall {lo} till {hi}).",
        "no_fix_none": "Inget tema är ett utvecklingsområde: ingen kommentar fick kritik av ett tema.",
        "where": "Kritiken av {theme} är koncentrerad till {column} ”{segment}”: {share} av de {c} som kommenterade "
        "där kritiserar det (95 % intervall {lo} till {hi}), mot {rest} i övrigt.",
        "keep": "Behåll {theme}: berömmet ger {pos} NPS-poäng (95 % intervall {lo} till {hi}); {n} svarande "
        "berömmer det.",
        "no_keep": "Inget tema är ännu en tydlig styrka med det underlag som finns.",
        "rose": "NPS steg signifikant från {a} under {p1} till {b} under {p2} ({change} poäng, p = {p}; "
        "n = {n1} och {n2}).",
        "fell": "NPS sjönk signifikant från {a} under {p1} till {b} under {p2} ({change} poäng, p = {p}; "
        "n = {n1} och {n2}).",
        "steady": "NPS förändrades inte signifikant från {p1} till {p2} ({change} poäng, p = {p}; n = {n1} och {n2}).",
        "partial": " {p} är en ofullständig period.",
    },
}


def fmt_number(x: Any, lang: str = "en", digits: int = 1, signed: bool = False) -> str:
    """A number as the report prints it: one decimal by default, decimal comma and a true minus sign in fi/sv,
    '–' when missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return "–"
    text = f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"
    if lang in ("fi", "sv"):
        text = text.replace(".", ",").replace("-", "−")
    return text


def _pct(x: float, lang: str) -> str:
    return fmt_number(100 * x, lang, 0) + " %"


_NBSP = re.compile(r"(?<=\d) (?=%)|(?<=\b[pn]) (?==)|(?<=\b[pn] =) ")


def _keep_together(text: str) -> str:
    """No line break inside "12 %", "p = 0.05" or "n = 70" (non-breaking spaces there)."""
    return _NBSP.sub("\u00a0", text)


def concentration(
    theme_segments: pd.DataFrame, theme: str, min_n: int, confidence: float = 0.95
) -> dict[str, Any] | None:
    """The segment where criticism of ``theme`` stands out most: the segment (with at least ``min_n`` commenting
    respondents) whose share criticising the theme has a Wilson interval entirely above the share among all
    the other commenting respondents of the same column; the one with the largest such gap. None when no
    segment stands out beyond its interval."""
    from .insights import _wilson

    if not len(theme_segments):
        return None
    best: dict[str, Any] | None = None
    rows = theme_segments[theme_segments["theme"] == theme]
    for col, g in rows.groupby("column", sort=False):
        total_neg, total_c = int(g["negative"].sum()), int(g["commenting"].sum())
        for r in g.itertuples():
            c = int(r.commenting)
            if c < min_n or total_c - c <= 0:
                continue
            share, lo, hi = _wilson(int(r.negative), c, confidence)
            rest = (total_neg - int(r.negative)) / (total_c - c)
            if lo > rest and (best is None or share - rest > best["gap"]):
                best = {
                    "column": col,
                    "segment": r.segment,
                    "share": share,
                    "lo": lo,
                    "hi": hi,
                    "rest": rest,
                    "c": c,
                    "gap": share - rest,
                }
    return best


def verdict_sentences(
    themes: pd.DataFrame,
    strengths: pd.DataFrame,
    development: pd.DataFrame,
    theme_segments: pd.DataFrame,
    trend: pd.DataFrame,
    commenting: int,
    label: Label,
    lang: str = "en",
    min_n: int = 30,
    partial: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """Two to four sentences: fix first (or why nothing qualifies), where it is concentrated (when a segment
    stands out), keep, and the last period's change (when there is a trend). ``partial`` lists partial periods."""
    s = SENTENCES[lang]

    def n(x: Any, signed: bool = False) -> str:
        return fmt_number(x, lang, 1, signed)

    def criticism(r: pd.Series) -> dict[str, Any]:
        """The fields of a sentence about a criticised theme: label, count, cost and its interval."""
        return {
            "theme": label(r["theme"]),
            "neg": int(r["negative"]),
            "stake": n(r["points_at_stake"]),
            "lo": n(r["points_at_stake_ci_low"]),
            "hi": n(r["points_at_stake_ci_high"]),
        }

    out: list[str] = []
    if len(development):
        r = development.iloc[0]
        out.append(s["fix"].format(**criticism(r), commenting=commenting))
        where = concentration(theme_segments, r["theme"], min_n)
        if where:
            out.append(
                s["where"].format(
                    theme=label(r["theme"]),
                    column=where["column"],
                    segment=TEXTS[lang]["missing_group"] if where["segment"] == MISSING_GROUP else where["segment"],
                    share=_pct(where["share"], lang),
                    lo=_pct(where["lo"], lang),
                    hi=_pct(where["hi"], lang),
                    rest=_pct(where["rest"], lang),
                    c=where["c"],
                )
            )
    else:
        criticised = themes[themes["negative"] > 0] if len(themes) else themes
        if len(criticised):
            r = criticised.sort_values(["points_at_stake", "negative"], ascending=False).iloc[0]
            out.append(s["no_fix"].format(**criticism(r)))
        else:
            out.append(s["no_fix_none"])
    if len(strengths):
        r = strengths.iloc[0]
        out.append(
            s["keep"].format(
                theme=label(r["theme"]),
                pos=n(r["impact_positive"]),
                lo=n(r["impact_positive_ci_low"]),
                hi=n(r["impact_positive_ci_high"]),
                n=int(r["positive"]),
            )
        )
    else:
        out.append(s["no_keep"])
    if len(trend) >= 2 and pd.notna(trend["change"].iloc[-1]):
        a, b = trend.iloc[-2], trend.iloc[-1]
        key = ("rose" if b["change"] > 0 else "fell") if bool(b["change_significant"]) else "steady"
        text = s[key].format(
            a=n(a["nps"]),
            b=n(b["nps"]),
            p1=a["period"],
            p2=b["period"],
            change=n(b["change"], signed=True),
            p=fmt_number(b["change_p"], lang, 3),
            n1=int(a["n"]),
            n2=int(b["n"]),
        )
        for p in (a["period"], b["period"]):
            if p in partial:
                text += s["partial"].format(p=p)
        out.append(text)
    return [_keep_together(x) for x in out]
