"""Renderers of the report: a self-contained HTML document (inline CSS, SVG and one inline script, the
drill-down's filter; nothing loaded from outside; all user text escaped) and an Excel workbook (openpyxl; text
cells that a spreadsheet would run as formulas are written as text). Both take plain data (a template context, a
dict of sheets) and render to memory; this module knows nothing of :class:`~npsthemes.analysis.Analysis`
(``analysis.py`` builds the data with :mod:`npsthemes.views` and writes the files atomically)."""

from __future__ import annotations

import math
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from ._format import pct
from ._io import _CONTROL
from .stats import MISSING_GROUP
from .texts import METHOD, MODEL_TEXT, REASONS, TEXTS
from .verdict import fmt_number
from .workbook import EXCEL_MAX_RESPONSES, Sheet, capped, render_excel, tables_to_xlsx

# the workbook's renderer lives in npsthemes.workbook; its names are kept here for the callers of before
__all__ = ["render_html", "render_excel", "TEXTS", "EXCEL_MAX_RESPONSES", "Sheet", "capped", "tables_to_xlsx"]

GREEN, RED, GREY, BLUE = "#1a7f4b", "#b3261e", "#8a8f98", "#1f5fa8"
LIGHT = "#c4c8ce"  # small-sample marks


def _missing(x: Any) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _pct(x: Any, lang: str = "en") -> str:
    if _missing(x):
        return "–"
    text = pct(x, digits=0, suffix=" %", missing="–")
    return text.replace("-", "−") if lang in ("fi", "sv") else text


def _svg(width: float, height: float, body: list[str], label: str = "") -> Markup:
    return Markup(
        f'<svg role="img" aria-label="{escape(label)}" viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(body)}</svg>'
    )


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering [lo, hi]."""
    span = max(hi - lo, 1e-9)
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    out, v = [], first
    while v <= hi + 1e-9:
        out.append(round(v, 6))
        v += step
    return out


def shares_bar(p: float, a: float, d: float, t: dict[str, str], lang: str = "en") -> Markup:
    """A stacked horizontal bar of promoter / passive / detractor shares."""
    w = 600
    parts, x = [], 0.0
    for share, colour, label in ((p, GREEN, t["promoters"]), (a, GREY, t["passives"]), (d, RED, t["detractors"])):
        width = w * share
        if width > 0:
            parts.append(
                f'<rect x="{x:.1f}" y="0" width="{width:.1f}" height="28" fill="{colour}">'
                f"<title>{escape(label)} {fmt_number(100 * share, lang)} %</title></rect>"
            )
            if width > 90:
                parts.append(
                    f'<text x="{x + 6:.1f}" y="19" fill="#fff" font-size="13">{escape(label)} '
                    f"{fmt_number(100 * share, lang, 0)} %</text>"
                )
        x += width
    return _svg(w, 28, parts, f"{t['promoters']} / {t['passives']} / {t['detractors']}")


def impact_chart(table: pd.DataFrame, t: dict[str, str], lang: str = "en") -> Markup:
    """Per theme, sorted by what its criticism costs: the cost (red, to the left of 0, negative) and what praise
    adds (green, to the right), each with its 95 % interval, on an axis with values."""
    rows = table[table["mentions"] > 0].sort_values("points_at_stake", ascending=False)
    if rows.empty:
        return Markup("")
    vals = np.concatenate(
        [
            rows[c].abs().to_numpy(dtype=float)
            for c in (
                "points_at_stake_ci_high",
                "impact_positive_ci_high",
                "points_at_stake_ci_low",
                "impact_positive_ci_low",
                "points_at_stake",
                "impact_positive",
            )
        ]
    )
    vmax = max(1.0, float(np.nanmax(vals)) if np.isfinite(vals).any() else 1.0)
    label_w, half, row_h, top = 200, 230, 24, 6
    width = label_w + 2 * half + 20
    axis_y = top + row_h * len(rows) + 4
    height = axis_y + 40
    cx = label_w + half
    scale = half / vmax
    out = []
    for v in _ticks(-vmax, vmax, 6):
        x = cx + v * scale
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}" stroke="#e3e5e8"/>')
        out.append(
            f'<text x="{x:.1f}" y="{axis_y + 13}" text-anchor="middle" font-size="10">'
            f"{escape(fmt_number(v, lang, 0 if float(v).is_integer() else 1, signed=v != 0))}</text>"
        )
    out.append(f'<line x1="{cx}" y1="{top}" x2="{cx}" y2="{axis_y}" stroke="#555" stroke-width="1"/>')
    for k, r in enumerate(rows.itertuples()):
        y = top + k * row_h
        out.append(
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end" font-size="12">{escape(_short(r.label, 30))}'
            "</text>"
        )
        cost = max(0.0, float(r.points_at_stake))
        pos = max(0.0, float(r.impact_positive))
        out.append(
            f'<rect x="{cx - cost * scale:.1f}" y="{y + 3}" width="{cost * scale:.1f}" height="13" fill="{RED}" '
            f'opacity="0.85"><title>{escape(r.label)}: {escape(t["cost"])} '
            f"{fmt_number(-r.points_at_stake, lang, signed=True)} ({fmt_number(-r.points_at_stake_ci_high, lang)} "
            f"{escape(t['to'])} {fmt_number(-r.points_at_stake_ci_low, lang)})</title></rect>"
        )
        out.append(
            f'<rect x="{cx}" y="{y + 3}" width="{pos * scale:.1f}" height="13" fill="{GREEN}" opacity="0.85">'
            f"<title>{escape(r.label)}: {escape(t['adds'])} {fmt_number(r.impact_positive, lang, signed=True)} "
            f"({fmt_number(r.impact_positive_ci_low, lang)} {escape(t['to'])} "
            f"{fmt_number(r.impact_positive_ci_high, lang)})</title></rect>"
        )
        for lo, hi, sign in (
            (r.points_at_stake_ci_low, r.points_at_stake_ci_high, -1),
            (r.impact_positive_ci_low, r.impact_positive_ci_high, 1),
        ):
            if _missing(lo) or _missing(hi):
                continue
            x1, x2 = cx + sign * lo * scale, cx + sign * hi * scale
            out.append(
                f'<line x1="{x1:.1f}" y1="{y + 9.5}" x2="{x2:.1f}" y2="{y + 9.5}" stroke="#222" stroke-width="1.2"/>'
            )
    out.append(
        f'<text x="{cx - 6}" y="{height - 6}" text-anchor="end" font-size="11" fill="{RED}">'
        f"← {escape(t['cost'])}</text>"
    )
    out.append(f'<text x="{cx + 6}" y="{height - 6}" font-size="11" fill="{GREEN}">{escape(t["adds"])} →</text>')
    return _svg(width, height, out, t["impact_chart"])


def _short(text: Any, n: int) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def trend_chart(trend: pd.DataFrame, lang: str = "en", partial: set[str] | frozenset[str] = frozenset()) -> Markup:
    """NPS per period as a line with its interval as a band; partial periods drawn hollow and marked ◐."""
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
            f'<text x="{pad_l - 4}" y="{Y(v) + 4:.1f}" text-anchor="end" font-size="10">'
            f"{escape(fmt_number(v, lang, 0))}</text>"
        )
    for i, r in enumerate(trend.itertuples()):
        part = r.period in partial
        fill = "#fff" if part else BLUE
        out.append(
            f'<circle cx="{X(i):.1f}" cy="{Y(r.nps):.1f}" r="3.5" fill="{fill}" stroke="{BLUE}"><title>'
            f"{escape(r.period)}: {fmt_number(r.nps, lang)} ({fmt_number(r.ci_low, lang)} – "
            f"{fmt_number(r.ci_high, lang)}), n = {r.n}</title></circle>"
        )
        if n <= 16 or i % max(1, n // 12) == 0:
            out.append(
                f'<text x="{X(i):.1f}" y="{h - pad_b + 16}" text-anchor="middle" font-size="10">'
                f"{escape(r.period)}{' ◐' if part else ''}</text>"
            )
    return _svg(w, h, out)


def segment_driver_panel(panel: dict[str, Any], t: dict[str, str], lang: str = "en") -> Markup:
    """One theme of the theme x segment driver view: per segment a dot (share criticising) with its 95 %
    interval, small segments grey; the vertical line is the share among all respondents."""
    cells = panel["cells"]
    if not cells:
        return Markup("")
    label_w, plot_w, row_h, top = 120, 190, 18, 4
    overall = None if _missing(panel["overall"]) else float(panel["overall"])
    hi = max([c["hi"] for c in cells if not _missing(c["hi"])] + [overall or 0.0, 0.05])
    hi = min(1.0, math.ceil(hi * 20) / 20)
    scale = plot_w / hi
    axis_y = top + row_h * len(cells) + 2
    height = axis_y + 18
    out = []
    for v in _ticks(0, hi, 4):
        x = label_w + v * scale
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}" stroke="#eceef1"/>')
        out.append(
            f'<text x="{x:.1f}" y="{axis_y + 12}" text-anchor="middle" font-size="9">{escape(_pct(v, lang))}</text>'
        )
    if not _missing(panel["overall"]):
        x = label_w + panel["overall"] * scale
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}" stroke="#555" stroke-dasharray="3 2"/>')
    for k, c in enumerate(cells):
        y = top + k * row_h + row_h / 2
        colour = LIGHT if c["small"] else RED
        text_colour = "#8a8f98" if c["small"] else "#1d1f23"
        name = t["missing_group"] if c["segment"] == MISSING_GROUP else str(c["segment"])
        out.append(
            f'<text x="{label_w - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="{text_colour}">'
            f"{escape(_short(name, 16))} ({c['commenting']})</text>"
        )
        if _missing(c["share"]):
            continue
        if not _missing(c["lo"]):
            out.append(
                f'<line x1="{label_w + c["lo"] * scale:.1f}" y1="{y:.1f}" x2="{label_w + c["hi"] * scale:.1f}" '
                f'y2="{y:.1f}" stroke="{colour}" stroke-width="2"/>'
            )
        out.append(
            f'<circle cx="{label_w + c["share"] * scale:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"><title>'
            f"{escape(name)}: {escape(_pct(c['share'], lang))} ({escape(_pct(c['lo'], lang))} – "
            f"{escape(_pct(c['hi'], lang))}), {c['negative']} / {c['commenting']}"
            f"{' · ' + escape(t['small']) if c['small'] else ''}</title></circle>"
        )
    return _svg(label_w + plot_w + 16, height, out, panel["label"])


def theme_trend_panel(view: dict[str, Any], t: dict[str, str], lang: str = "en") -> Markup:
    """One theme's small multiple: upper panel, shares praising (green) and criticising (red) per period; lower
    panel, the theme NPS with its interval on a fixed −100…100 scale (grey when resting on few respondents);
    partial periods hollow."""
    pts = view["points"]
    w, pad_l, pad_r = 300, 34, 8
    up_top, up_h, gap, low_h = 6, 60, 16, 70
    low_top = up_top + up_h + gap
    h = low_top + low_h + 16
    n = len(pts)
    step = (w - pad_l - pad_r) / max(1, n - 1)

    def X(i: int) -> float:
        return pad_l + (i * step if n > 1 else (w - pad_l - pad_r) / 2)

    shares = [v for p in pts for v in (p["pos"], p["neg"]) if not _missing(v)]
    smax = max(0.05, max(shares) if shares else 0.05)
    smax = math.ceil(smax * 20) / 20

    def YS(v: float) -> float:
        return up_top + (1 - v / smax) * up_h

    def YN(v: float) -> float:
        return low_top + (100 - v) / 200 * low_h

    out = [
        f'<line x1="{pad_l}" y1="{YS(0):.1f}" x2="{w - pad_r}" y2="{YS(0):.1f}" stroke="#ccc"/>',
        f'<text x="{pad_l - 3}" y="{YS(smax) + 8:.1f}" text-anchor="end" font-size="9">{escape(_pct(smax, lang))}'
        "</text>",
        f'<text x="{pad_l - 3}" y="{YS(0) + 3:.1f}" text-anchor="end" font-size="9">0</text>',
    ]
    for v in (-100, 0, 100):
        out.append(
            f'<line x1="{pad_l}" y1="{YN(v):.1f}" x2="{w - pad_r}" y2="{YN(v):.1f}" '
            f'stroke="{"#999" if v == 0 else "#eee"}"/>'
            f'<text x="{pad_l - 3}" y="{YN(v) + 3:.1f}" text-anchor="end" font-size="9">'
            f"{escape(fmt_number(v, lang, 0))}</text>"
        )
    for key, colour in (("pos", GREEN), ("neg", RED)):
        line = " ".join(f"{X(i):.1f},{YS(p[key]):.1f}" for i, p in enumerate(pts) if not _missing(p[key]))
        out.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
    for i, p in enumerate(pts):
        x = X(i)
        out.append(
            f'<circle cx="{x:.1f}" cy="{YS(p["neg"]):.1f}" r="2" fill="{RED}"><title>{escape(p["period"])}: '
            f"{escape(t['negative'])} {escape(_pct(p['neg'], lang))}, {escape(t['positive'])} "
            f"{escape(_pct(p['pos'], lang))}</title></circle>"
        )
        if _missing(p["nps"]):
            continue
        colour = LIGHT if p["small"] else BLUE
        if not _missing(p["lo"]):
            out.append(
                f'<line x1="{x:.1f}" y1="{YN(p["hi"]):.1f}" x2="{x:.1f}" y2="{YN(p["lo"]):.1f}" stroke="{colour}"/>'
            )
        fill = "#fff" if p["partial"] else colour
        out.append(
            f'<circle cx="{x:.1f}" cy="{YN(p["nps"]):.1f}" r="2.8" fill="{fill}" stroke="{colour}"><title>'
            f"{escape(p['period'])}: {escape(t['theme_nps'])} {fmt_number(p['nps'], lang)} "
            f"({fmt_number(p['lo'], lang)} – {fmt_number(p['hi'], lang)}), n = {p['n']}"
            f"{' · ' + escape(t['partial']) if p['partial'] else ''}</title></circle>"
        )
    if pts:
        out.append(
            f'<text x="{X(0):.1f}" y="{h - 3}" font-size="9">{escape(pts[0]["period"])}'
            f"{' ◐' if pts[0]['partial'] else ''}</text>"
        )
        if n > 1:
            out.append(
                f'<text x="{X(n - 1):.1f}" y="{h - 3}" font-size="9" text-anchor="end">{escape(pts[-1]["period"])}'
                f"{' ◐' if pts[-1]['partial'] else ''}</text>"
            )
    return _svg(w, h, out, view["label"])


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


def _heat(share: float, small: bool = False) -> str:
    """A heatmap cell's style: red by share; greyed (no colour) when it rests on a small sample."""
    if small:
        return "background: #f3f4f6; color: #8a8f98"
    if _missing(share) or share <= 0:
        return ""
    alpha = min(0.85, 0.1 + share * 2.5)
    return f"background: rgba(179, 38, 30, {alpha:.2f}); color: {'#fff' if alpha > 0.5 else '#000'}"


def reason_text(reason: str, lang: str) -> str:
    """A loader's rejection reason in the report's language."""
    import re

    table = REASONS.get(lang, {})
    if reason in table:
        return table[reason]
    m = re.fullmatch(r"score is outside (-?\d+)-(-?\d+)", reason)
    if m and lang != "en":
        return table["score is outside 0-10"].replace("0–10", f"{m.group(1)}–{m.group(2)}")
    return reason


#: The offline filter and search of the drill-down (inline, no external script): it hides the rows that do not
#: match the search words, theme, polarity and respondent category, and updates the counts.
FILTER_JS = """
(function () {
  var q = document.getElementById('dd-q'), th = document.getElementById('dd-theme'),
      pol = document.getElementById('dd-pol'), cat = document.getElementById('dd-cat'),
      count = document.getElementById('dd-count');
  if (!q) { return; }
  function norm(s) { return (s || '').toLowerCase(); }
  function apply() {
    var words = norm(q.value).split(/\\s+/).filter(Boolean), shown = 0, total = 0;
    document.querySelectorAll('details.dd').forEach(function (d) {
      var inTheme = !th.value || d.getAttribute('data-theme') === th.value, n = 0;
      d.querySelectorAll('tr[data-pol]').forEach(function (tr) {
        total += 1;
        var text = norm(tr.textContent);
        var ok = inTheme && (!pol.value || tr.getAttribute('data-pol') === pol.value) &&
                 (!cat.value || tr.getAttribute('data-cat') === cat.value) &&
                 words.every(function (w) { return text.indexOf(w) >= 0; });
        tr.hidden = !ok;
        if (ok) { n += 1; }
      });
      shown += n;
      d.hidden = n === 0;
      d.querySelector('.dd-n').textContent = n;
      if (words.length || th.value) { d.open = n > 0; }
    });
    count.textContent = shown + ' / ' + total;
  }
  [q, th, pol, cat].forEach(function (el) {
    el.addEventListener('input', apply);
    el.addEventListener('change', apply);
  });
  apply();
})();
"""


def render_html(context: dict[str, Any], lang: str = "en") -> str:
    """The report as one self-contained HTML document, from the template's ``context`` (plain data: what
    ``analysis.html_context`` builds from an :class:`~npsthemes.analysis.Analysis` with :mod:`npsthemes.views`).
    Charts are drawn here from the context's tables; every user text is escaped by the template; the only script
    is the inline filter of the drill-down (:data:`FILTER_JS`)."""
    from jinja2 import Environment

    t = {**TEXTS[lang], **MODEL_TEXT[lang]}
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, finalize=_finalize)
    env.filters["trunc"] = _trunc
    env.filters["num"] = lambda x, digits=1, signed=False: fmt_number(x, lang, digits, signed)
    env.filters["neg"] = lambda x, digits=1: fmt_number(None if _missing(x) else -x, lang, digits, True)
    env.filters["pct"] = lambda x: _pct(x, lang)
    env.filters["heat"] = _heat
    env.filters["reason"] = lambda r: reason_text(str(r), lang)
    env.filters["seg"] = lambda v: t["missing_group"] if v == MISSING_GROUP else v
    template = env.from_string(
        resources.files("npsthemes").joinpath("templates/report.html.j2").read_text(encoding="utf-8")
    )
    o = context["o"]
    partial = context.get("partial", set())
    s = context["settings"]
    charts = {
        "shares": shares_bar(o["promoter_share"], o["passive_share"], o["detractor_share"], t, lang),
        "impact_svg": impact_chart(context.pop("theme_table"), t, lang),
        "trend_svg": trend_chart(context["trend_table"], lang, partial) if len(context["trend_table"]) else "",
        "driver_svgs": [
            {
                "column": v["column"],
                "hidden": v["hidden"],
                "panels": [(p["label"], segment_driver_panel(p, t, lang)) for p in v["panels"]],
            }
            for v in context.pop("driver_views")
        ],
        "theme_trend_svgs": [(v["label"], theme_trend_panel(v, t, lang)) for v in context.pop("theme_trend_views")],
        "method_items": [
            item.format(
                min_n=s.get("min_n"), n_boot=s.get("n_boot"), seed=s.get("seed"), min_mentions=s.get("min_mentions")
            )
            for item in METHOD[lang]
        ],
        "filter_js": Markup(FILTER_JS),
    }
    context.pop("trend_table")
    context["follow_up_areas"] = [
        (context["label"](area) if area else t["no_theme"], n) for area, n in context.pop("follow_up_routes")
    ]
    context.pop("label")
    return template.render(t=t, lang=lang, **charts, **context)
