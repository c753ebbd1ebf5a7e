"""Renderers of the report: a self-contained HTML document (inline CSS and SVG, no scripts, fonts or images from
outside; all user text escaped) and an Excel workbook (openpyxl; text cells that a spreadsheet would run as
formulas are written as text). Both take plain data (a template context, a dict of sheets) and render to memory;
this module knows nothing of :class:`~npsthemes.analysis.Analysis` (``analysis.py`` builds the data with
:mod:`npsthemes.views` and writes the files atomically)."""

from __future__ import annotations

import io
import math
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from ._format import pct
from ._io import _CONTROL, _FORMULA_START, strip_xml_illegal

__all__ = ["render_html", "render_excel", "TEXTS"]

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "NPS report",
        "overview": "Overview",
        "nps": "NPS",
        "interval": "95 % interval",
        "n": "responses",
        "promoters": "Promoters",
        "passives": "Passives",
        "detractors": "Detractors",
        "who": "Who answered",
        "rows_read": "rows read",
        "rows_rejected": "rejected (invalid score)",
        "commenting": "wrote a comment",
        "strengths": "Strengths: what to keep",
        "development": "Development areas: what to fix first",
        "none_strength": "No theme qualifies as a strength with the evidence at hand.",
        "none_dev": "No theme qualifies as a development area with the evidence at hand.",
        "theme": "Theme",
        "mentions": "Mentions",
        "positive": "Praise",
        "negative": "Criticism",
        "theme_nps": "Theme NPS",
        "impact": "Impact",
        "at_stake": "NPS points at stake",
        "impact_pos": "Positive impact",
        "status": "Status",
        "share": "Share of comments",
        "all_themes": "All themes",
        "segments": "Segments",
        "segment": "Segment",
        "themes_segments": (
            "Where the criticism is concentrated (share of the segment's comments criticising the theme)"
        ),
        "trend": "Trend",
        "period": "Period",
        "change": "Change",
        "significant": "significant",
        "score_change": "Change from the previous period, split by theme",
        "coverage": "Coverage",
        "coverage_text": "of the comments got at least one theme.",
        "untagged": "Frequent words in comments without a theme (what the taxonomy may miss)",
        "candidates": "Candidate themes in the comments without a theme (read them; npsthemes discover)",
        "candidate": "Candidate",
        "key_phrases": "Key phrases",
        "example": "Example",
        "disagreements": "Score and text disagree: review these",
        "score": "Score",
        "comment": "Comment",
        "follow_up": "Close the loop with detractors",
        "follow_up_text": "detractors to contact are listed in followup.csv (and the FollowUp sheet), lowest score "
        "and most recent first, each routed to the criticised theme with the most NPS points at "
        "stake. Cases per area:",
        "no_theme": "no criticised theme (read the comment)",
        "method": "Method",
        "small": "small sample",
        "quotes_pos": "Praise",
        "quotes_neg": "Criticism",
        "status_strength": "strength",
        "status_development_area": "development area",
        "status_both": "strength and development area",
        "status_uncertain": "uncertain (interval crosses 0)",
        "status_too_few_mentions": "too few mentions",
        "status_not_mentioned": "not mentioned",
        "model": "Model",
        "generated": "Generated from",
        "word": "Word",
        "responses_with": "responses",
        "kind": "Kind",
        "none": "None.",
        "nps_trend": "NPS by period with 95 % interval",
        "impact_chart": "NPS points at stake (criticism) and positive impact (praise), with 95 % intervals",
        "contribution": "Contribution",
    },
    "fi": {
        "title": "NPS-raportti",
        "overview": "Yleiskuva",
        "nps": "NPS",
        "interval": "95 %:n luottamusväli",
        "n": "vastausta",
        "promoters": "Suosittelijat",
        "passives": "Neutraalit",
        "detractors": "Arvostelijat",
        "who": "Ketkä vastasivat",
        "rows_read": "riviä luettu",
        "rows_rejected": "hylätty (virheellinen arvosana)",
        "commenting": "kirjoitti perustelun",
        "strengths": "Vahvuudet: mitä kannattaa säilyttää",
        "development": "Kehityskohteet: mitä korjata ensin",
        "none_strength": "Yksikään teema ei näillä tiedoilla yllä vahvuudeksi.",
        "none_dev": "Yksikään teema ei näillä tiedoilla yllä kehityskohteeksi.",
        "theme": "Teema",
        "mentions": "Mainintoja",
        "positive": "Kehuja",
        "negative": "Moitteita",
        "theme_nps": "Teeman NPS",
        "impact": "Vaikutus",
        "at_stake": "Pelissä olevat NPS-pisteet",
        "impact_pos": "Myönteinen vaikutus",
        "status": "Tila",
        "share": "Osuus perusteluista",
        "all_themes": "Kaikki teemat",
        "segments": "Segmentit",
        "segment": "Segmentti",
        "themes_segments": "Missä moitteet keskittyvät (osuus segmentin perusteluista, jotka moittivat teemaa)",
        "trend": "Kehitys",
        "period": "Jakso",
        "change": "Muutos",
        "significant": "merkitsevä",
        "score_change": "Muutos edellisestä jaksosta teemoittain",
        "coverage": "Kattavuus",
        "coverage_text": "perusteluista sai vähintään yhden teeman.",
        "untagged": "Yleisiä sanoja perusteluissa ilman teemaa (mitä teemoista voi puuttua)",
        "candidates": "Teemaehdotuksia perusteluista, joilla ei ole teemaa (lue ne; npsthemes discover)",
        "candidate": "Ehdotus",
        "key_phrases": "Avainsanat",
        "example": "Esimerkki",
        "disagreements": "Arvosana ja teksti ristiriidassa: tarkista nämä",
        "score": "Arvosana",
        "follow_up": "Palaa arvostelijoihin",
        "follow_up_text": "arvostelijaa (detractor) on listattu yhteydenottoa varten tiedostoon followup.csv (ja "
        "välilehdelle FollowUp), pienin arvosana ja uusin ensin; kukin on ohjattu sille "
        "moititulle teemalle, jossa on eniten NPS-pisteitä pelissä. Tapauksia alueittain:",
        "no_theme": "ei moitittua teemaa (lue perustelu)",
        "comment": "Perustelu",
        "method": "Menetelmä",
        "small": "pieni otos",
        "quotes_pos": "Kehut",
        "quotes_neg": "Moitteet",
        "status_strength": "vahvuus",
        "status_development_area": "kehityskohde",
        "status_both": "vahvuus ja kehityskohde",
        "status_uncertain": "epävarma (väli ylittää 0)",
        "status_too_few_mentions": "liian vähän mainintoja",
        "status_not_mentioned": "ei mainintoja",
        "model": "Malli",
        "generated": "Lähde",
        "word": "Sana",
        "responses_with": "vastausta",
        "kind": "Laji",
        "none": "Ei yhtään.",
        "nps_trend": "NPS jaksoittain 95 %:n luottamusvälein",
        "impact_chart": "Pelissä olevat NPS-pisteet (moitteet) ja myönteinen vaikutus (kehut) 95 %:n väleineen",
        "contribution": "Osuus",
    },
    "sv": {
        "title": "NPS-rapport",
        "overview": "Översikt",
        "nps": "NPS",
        "interval": "95 % konfidensintervall",
        "n": "svar",
        "promoters": "Promotorer",
        "passives": "Passiva",
        "detractors": "Kritiker",
        "who": "Vilka svarade",
        "rows_read": "rader lästa",
        "rows_rejected": "avvisade (ogiltigt betyg)",
        "commenting": "skrev en kommentar",
        "strengths": "Styrkor: vad ni ska behålla",
        "development": "Utvecklingsområden: vad ni ska åtgärda först",
        "none_strength": "Inget tema räcker till som styrka med det underlag som finns.",
        "none_dev": "Inget tema räcker till som utvecklingsområde med det underlag som finns.",
        "theme": "Tema",
        "mentions": "Omnämnanden",
        "positive": "Beröm",
        "negative": "Kritik",
        "theme_nps": "Temats NPS",
        "impact": "Påverkan",
        "at_stake": "NPS-poäng som står på spel",
        "impact_pos": "Positiv påverkan",
        "status": "Status",
        "share": "Andel av kommentarerna",
        "all_themes": "Alla teman",
        "segments": "Segment",
        "segment": "Segment",
        "themes_segments": "Var kritiken är koncentrerad (andel av segmentets kommentarer som kritiserar temat)",
        "trend": "Trend",
        "period": "Period",
        "change": "Förändring",
        "significant": "signifikant",
        "score_change": "Förändring från föregående period, fördelad på teman",
        "coverage": "Täckning",
        "coverage_text": "av kommentarerna fick minst ett tema.",
        "untagged": "Vanliga ord i kommentarer utan tema (vad taxonomin kan missa)",
        "candidates": "Förslag på teman ur kommentarer utan tema (läs dem; npsthemes discover)",
        "candidate": "Förslag",
        "key_phrases": "Nyckelfraser",
        "example": "Exempel",
        "disagreements": "Betyg och text går isär: granska dessa",
        "score": "Betyg",
        "comment": "Kommentar",
        "follow_up": "Återkoppla till kritikerna",
        "follow_up_text": "kritiker (detractors) att kontakta finns i followup.csv (och fliken FollowUp), lägst betyg "
        "och senaste först; var och en är kopplad till det kritiserade tema som har flest "
        "NPS-poäng på spel. Fall per område:",
        "no_theme": "inget kritiserat tema (läs kommentaren)",
        "method": "Metod",
        "small": "litet urval",
        "quotes_pos": "Beröm",
        "quotes_neg": "Kritik",
        "status_strength": "styrka",
        "status_development_area": "utvecklingsområde",
        "status_both": "styrka och utvecklingsområde",
        "status_uncertain": "osäker (intervallet korsar 0)",
        "status_too_few_mentions": "för få omnämnanden",
        "status_not_mentioned": "inte nämnt",
        "model": "Modell",
        "generated": "Källa",
        "word": "Ord",
        "responses_with": "svar",
        "kind": "Typ",
        "none": "Inga.",
        "nps_trend": "NPS per period med 95 % konfidensintervall",
        "impact_chart": "NPS-poäng som står på spel (kritik) och positiv påverkan (beröm), med 95 % intervall",
        "contribution": "Bidrag",
    },
}

GREEN, RED, GREY, BLUE = "#1a7f4b", "#b3261e", "#8a8f98", "#1f5fa8"


def _num(x: Any, digits: int = 1, signed: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


def _pct(x: Any) -> str:
    return pct(x, digits=0, suffix=" %", missing="–")


def shares_bar(p: float, a: float, d: float, t: dict[str, str]) -> Markup:
    """A stacked horizontal bar of promoter / passive / detractor shares."""
    w = 600
    parts, x = [], 0.0
    for share, colour, label in ((p, GREEN, t["promoters"]), (a, GREY, t["passives"]), (d, RED, t["detractors"])):
        width = w * share
        if width > 0:
            parts.append(
                f'<rect x="{x:.1f}" y="0" width="{width:.1f}" height="28" fill="{colour}">'
                f"<title>{escape(label)} {100 * share:.1f} %</title></rect>"
            )
            if width > 70:
                parts.append(
                    f'<text x="{x + 6:.1f}" y="19" fill="#fff" font-size="13">{escape(label)} '
                    f"{100 * share:.0f} %</text>"
                )
        x += width
    return Markup(
        f'<svg role="img" viewBox="0 0 {w} 28" width="100%" height="28" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def impact_chart(table: pd.DataFrame, t: dict[str, str]) -> Markup:
    """Per theme: points at stake (red, left) and positive impact (green, right), with interval whiskers."""
    rows = table[table["mentions"] > 0].sort_values("points_at_stake", ascending=False)
    if rows.empty:
        return Markup("")
    vals = np.concatenate(
        [
            rows["points_at_stake_ci_high"].abs(),
            rows["impact_positive_ci_high"].abs(),
            rows["points_at_stake_ci_low"].abs(),
            rows["impact_positive_ci_low"].abs(),
        ]
    )
    vmax = max(1.0, float(np.nanmax(vals)) if len(vals) else 1.0)
    label_w, half, row_h = 190, 220, 24
    width = label_w + 2 * half + 20
    height = row_h * len(rows) + 30
    cx = label_w + half
    scale = half / vmax
    out = [f'<line x1="{cx}" y1="0" x2="{cx}" y2="{height - 20}" stroke="#555" stroke-width="1"/>']
    for k, r in enumerate(rows.itertuples()):
        y = k * row_h + 4
        out.append(f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end" font-size="12">{escape(r.label)}</text>')
        stake = max(0.0, r.points_at_stake)
        pos = max(0.0, r.impact_positive)
        out.append(
            f'<rect x="{cx - stake * scale:.1f}" y="{y + 2}" width="{stake * scale:.1f}" height="14" '
            f'fill="{RED}" opacity="0.85"><title>{escape(r.label)}: {escape(t["at_stake"])} '
            f"{r.points_at_stake:.1f} ({r.points_at_stake_ci_low:.1f} – {r.points_at_stake_ci_high:.1f})"
            f"</title></rect>"
        )
        out.append(
            f'<rect x="{cx}" y="{y + 2}" width="{pos * scale:.1f}" height="14" fill="{GREEN}" '
            f'opacity="0.85"><title>{escape(r.label)}: {escape(t["impact_pos"])} {r.impact_positive:.1f} '
            f"({r.impact_positive_ci_low:.1f} – {r.impact_positive_ci_high:.1f})</title></rect>"
        )
        for lo, hi, sign in (
            (r.points_at_stake_ci_low, r.points_at_stake_ci_high, -1),
            (r.impact_positive_ci_low, r.impact_positive_ci_high, 1),
        ):
            if np.isnan(lo) or np.isnan(hi):
                continue
            x1, x2 = cx + sign * lo * scale, cx + sign * hi * scale
            out.append(
                f'<line x1="{x1:.1f}" y1="{y + 9}" x2="{x2:.1f}" y2="{y + 9}" stroke="#222" stroke-width="1.2"/>'
            )
    out.append(
        f'<text x="{cx - 6}" y="{height - 6}" text-anchor="end" font-size="11" fill="{RED}">'
        f"← {escape(t['at_stake'])}</text>"
    )
    out.append(f'<text x="{cx + 6}" y="{height - 6}" font-size="11" fill="{GREEN}">{escape(t["impact_pos"])} →</text>')
    return Markup(
        f'<svg role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(out)}</svg>'
    )


def trend_chart(trend: pd.DataFrame) -> Markup:
    """NPS per period as a line with its interval as a band."""
    if trend.empty:
        return Markup("")
    w, h, pad_l, pad_b, pad_t = 700, 240, 40, 40, 10
    lo = float(np.nanmin(trend["ci_low"]))
    hi = float(np.nanmax(trend["ci_high"]))
    lo, hi = math.floor(min(lo, 0) / 10) * 10, math.ceil(max(hi, 0) / 10) * 10
    if hi == lo:
        hi = lo + 10
    n = len(trend)
    step = (w - pad_l - 40) / max(1, n - 1)

    def X(i: int) -> float:
        return pad_l + (i * step if n > 1 else (w - pad_l) / 2)

    def Y(v: float) -> float:
        return pad_t + (hi - v) / (hi - lo) * (h - pad_t - pad_b)

    band = " ".join(f"{X(i):.1f},{Y(v):.1f}" for i, v in enumerate(trend["ci_high"]))
    band += " " + " ".join(f"{X(i):.1f},{Y(v):.1f}" for i, v in reversed(list(enumerate(trend["ci_low"]))))
    line = " ".join(f"{X(i):.1f},{Y(v):.1f}" for i, v in enumerate(trend["nps"]))
    out = [
        f'<polygon points="{band}" fill="{BLUE}" opacity="0.15"/>',
        f'<polyline points="{line}" fill="none" stroke="{BLUE}" stroke-width="2"/>',
    ]
    for v in range(int(lo), int(hi) + 1, 10 if hi - lo <= 100 else 20):
        out.append(
            f'<line x1="{pad_l}" y1="{Y(v):.1f}" x2="{w}" y2="{Y(v):.1f}" stroke="#ddd"/>'
            f'<text x="{pad_l - 4}" y="{Y(v) + 4:.1f}" text-anchor="end" font-size="10">{v}</text>'
        )
    for i, r in enumerate(trend.itertuples()):
        out.append(
            f'<circle cx="{X(i):.1f}" cy="{Y(r.nps):.1f}" r="3.5" fill="{BLUE}"><title>{escape(r.period)}: '
            f"{r.nps:.1f} ({r.ci_low:.1f} – {r.ci_high:.1f}), n={r.n}</title></circle>"
        )
        if n <= 16 or i % max(1, n // 12) == 0:
            out.append(
                f'<text x="{X(i):.1f}" y="{h - pad_b + 16}" text-anchor="middle" font-size="10">'
                f"{escape(r.period)}</text>"
            )
    return Markup(
        f'<svg role="img" viewBox="0 0 {w} {h}" width="100%" xmlns="http://www.w3.org/2000/svg">{"".join(out)}</svg>'
    )


def _finalize(value: Any) -> Any:
    """Every value the template prints: control characters (which HTML cannot show) removed; escaping follows."""
    if isinstance(value, Markup):  # the report's own SVG, built from escaped parts
        return value
    return _CONTROL.sub("", value) if isinstance(value, str) else value


def _trunc(value: Any, n: int) -> str:
    """Long user text cut to ``n`` characters at a word boundary, with an ellipsis (the CSV has the whole text)."""
    text = "" if value is None else str(value)
    if len(text) <= n:
        return text
    cut = text[: n - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[n // 2 :] else cut) + "…"


def _heat(share: float) -> str:
    if share is None or (isinstance(share, float) and math.isnan(share)) or share <= 0:
        return ""
    alpha = min(0.85, 0.1 + share * 2.5)
    return f"background: rgba(179, 38, 30, {alpha:.2f}); color: {'#fff' if alpha > 0.5 else '#000'}"


def render_html(context: dict[str, Any], lang: str = "en") -> str:
    """The report as one self-contained HTML document, from the template's ``context`` (plain data: what
    ``analysis.html_context`` builds from an :class:`~npsthemes.analysis.Analysis` with :mod:`npsthemes.views`).
    Charts are drawn here from the context's tables; every user text is escaped by the template."""
    from jinja2 import Environment

    t = TEXTS[lang]
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, finalize=_finalize)
    env.filters["trunc"] = _trunc
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    env.filters["heat"] = _heat
    template = env.from_string(
        resources.files("npsthemes").joinpath("templates/report.html.j2").read_text(encoding="utf-8")
    )
    o = context["o"]
    charts = {
        "shares": shares_bar(o["promoter_share"], o["passive_share"], o["detractor_share"], t),
        "impact_svg": impact_chart(context.pop("theme_table"), t),
        "trend_svg": trend_chart(context["trend_table"]) if len(context["trend_table"]) else "",
    }
    context.pop("trend_table")
    context["follow_up_areas"] = [
        (context["label"](area) if area else t["no_theme"], n) for area, n in context.pop("follow_up_routes")
    ]
    context.pop("label")
    return template.render(t=t, lang=lang, **charts, **context)


# ------------------------------------------------------------------------------------------------ Excel


class _SheetWriter:
    """Cell values for openpyxl's write-only sheets: text that a spreadsheet would run as a formula is stored as
    text (quote prefix), characters that XLSX cannot hold (control characters) are removed and counted, and text
    longer than Excel's 32,767-character cell limit is cut (counted too)."""

    MAX_CELL = 32_767

    def __init__(self) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self.removed = 0
        self.cut = 0
        self._cell, self._bold = WriteOnlyCell, Font(bold=True)

    def value(self, ws, v: Any, bold: bool = False) -> Any:
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            v = None
        elif isinstance(v, (bool, np.bool_)):
            v = bool(v)
        elif isinstance(v, np.integer):
            v = int(v)
        elif isinstance(v, np.floating):
            v = None if np.isnan(v) else float(v)
        elif isinstance(v, pd.Timestamp):
            v = v.to_pydatetime()
        elif not isinstance(v, (str, int, float)):
            v = str(v)
        if isinstance(v, float) and not math.isfinite(v):
            v = str(v)
        if isinstance(v, str):
            v, n = strip_xml_illegal(v)
            self.removed += n
            if len(v) > self.MAX_CELL:
                v = v[: self.MAX_CELL - 1] + "…"
                self.cut += 1
        if not bold and not (isinstance(v, str) and v.startswith(_FORMULA_START)):
            return v
        cell = self._cell(ws, value=v)
        if isinstance(v, str) and v.startswith(_FORMULA_START):
            cell.data_type = "s"  # text that a spreadsheet would run as a formula is stored as text
            cell.quotePrefix = True
        if bold:
            cell.font = self._bold
        return cell

    def warnings(self, what: str, kept: str = "") -> list[str]:
        out = []
        if self.removed:
            out.append(
                f"{what}: {self.removed} control characters that XLSX cannot hold were removed from its cells{kept}"
            )
        if self.cut:
            out.append(f"{what}: {self.cut} cells longer than Excel's 32,767 characters were cut{kept}")
        return out

    def sheet(self, wb, title: str, df: pd.DataFrame, note: str | None = None) -> None:
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        sample = df.head(200)
        for k in range(df.shape[1]):
            width = max([len(str(df.columns[k]))] + [len(str(v)) for v in sample.iloc[:, k].tolist()])
            ws.column_dimensions[_col_letter(k)].width = min(60, max(8, width + 2))
        ws.append([self.value(ws, str(c), bold=True) for c in df.columns])
        for row in df.itertuples(index=False, name=None):
            ws.append([self.value(ws, v) for v in row])
        if note:
            ws.append([note])


def _capped(df: pd.DataFrame, what: str, csv_name: str) -> tuple[pd.DataFrame, str | None]:
    """At most ``EXCEL_MAX_RESPONSES`` rows for a sheet, and the note saying so when rows were cut."""
    if len(df) <= EXCEL_MAX_RESPONSES:
        return df, None
    return (
        df.head(EXCEL_MAX_RESPONSES),
        f"first {EXCEL_MAX_RESPONSES:,} of {len(df):,} {what}; {csv_name} has them all",
    )


def _col_letter(k: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(k + 1)


EXCEL_MAX_RESPONSES = 100_000


def tables_to_xlsx(sheets: dict[str, pd.DataFrame]) -> tuple[bytes, list[str]]:
    """A workbook with one sheet per table (name -> DataFrame), guarded like the report's, and its warnings."""
    from openpyxl import Workbook

    writer = _SheetWriter()
    wb = Workbook(write_only=True)
    for name, df in sheets.items():
        writer.sheet(wb, name, df)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), writer.warnings("the workbook")


def render_excel(sheets: dict[str, tuple[pd.DataFrame, str | None]]) -> tuple[bytes, list[str]]:
    """The workbook from its sheets in order (name -> (table, note or None)), and warnings saying how many
    characters XLSX could not hold (removed) and how many over-long cells were cut."""
    from openpyxl import Workbook

    writer = _SheetWriter()
    wb = Workbook(write_only=True)
    for name, (df, note) in sheets.items():
        writer.sheet(wb, name, df, note)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), writer.warnings("report.xlsx", " (the CSV files keep the text as it is)")


def capped(df: pd.DataFrame, what: str, csv_name: str) -> tuple[pd.DataFrame, str | None]:
    """At most ``EXCEL_MAX_RESPONSES`` rows for a sheet, and the note saying so when rows were cut."""
    return _capped(df, what, csv_name)
