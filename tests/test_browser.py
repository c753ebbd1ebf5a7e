"""Render the HTML report in headless Chromium (Debian's `chromium`), in English, Finnish and Swedish at 1280 and
800 px: the key sections are visible, the first screen says what to fix, nothing overflows sideways, the
drill-down's offline filter and search work, the page logs no console errors and makes no network requests.

Screenshots are written to the test's tmp directory, or to ``$NPSTHEMES_SCREENSHOTS`` when set (to look at)."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright (test extra) is not installed")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="no Chromium installed (apt-get install chromium); .ci/run installs it"
    ),
]

SECTIONS = (
    "verdict",
    "overview",
    "development",
    "strengths",
    "themes",
    "segments",
    "trend",
    "drilldown",
    "coverage",
    "follow-up",
    "method",
)
HEADINGS = {"en": "Development areas", "fi": "Kehityskohteet", "sv": "Utvecklingsområden"}

OVERFLOW_JS = """() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) out.push('page ' + doc.scrollWidth + ' > ' + doc.clientWidth);
  document.querySelectorAll('section, .tw, figure').forEach(el => {
    if (el.scrollWidth > el.clientWidth + 1) {
      out.push((el.id || el.className || el.tagName) + ' in ' + (el.closest('section') || {}).id + ': '
               + el.scrollWidth + ' > ' + el.clientWidth);
    }
  });
  return out;
}"""


def _launch(p):
    return p.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )


def _shot_dir(tmp_path: Path) -> Path:
    d = Path(os.environ.get("NPSTHEMES_SCREENSHOTS") or tmp_path / "shots")
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="module")
def sample_reports(tmp_path_factory, sample_analysis):
    a = sample_analysis
    d = tmp_path_factory.mktemp("reports")
    paths = {}
    for lang in ("en", "fi", "sv"):
        paths[lang] = d / f"report_{lang}.html"
        paths[lang].write_text(a.to_html(lang), encoding="utf-8")
    return a, paths


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = _launch(p)
        try:
            yield b
        finally:
            b.close()


@pytest.mark.parametrize("lang", ["en", "fi", "sv"])
def test_report_in_headless_chromium(sample_reports, browser, tmp_path, lang):
    a, paths = sample_reports
    shots = _shot_dir(tmp_path)
    errors, requests = [], []
    for width in (1280, 800):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        page.goto(paths[lang].resolve().as_uri())
        for section in SECTIONS:
            assert page.locator(f"section#{section}").is_visible(), (lang, width, section)
        # the first screen says what to fix first, and why (the verdict's sentences, with numbers)
        sentences = page.locator("#verdict p.v")
        assert 2 <= sentences.count() <= 4
        first = sentences.nth(0)
        box = first.bounding_box()
        assert box is not None and box["y"] + box["height"] < 900, (lang, width, box)
        assert first.inner_text() == a.verdict(lang)[0]
        assert page.evaluate(OVERFLOW_JS) == [], (lang, width)
        assert HEADINGS[lang] in page.locator("#development h2").inner_text()
        # each theme once in the cards; praise and criticism side by side
        cards = page.locator("#development .card, #strengths .card")
        themes = [cards.nth(i).get_attribute("data-theme") for i in range(cards.count())]
        assert themes and len(themes) == len(set(themes))
        assert page.locator("#development .card .sides > div").count() == 2 * len(a.development_areas)
        # views: NPS trend line, theme small multiples, theme x segment driver panels with intervals
        mentioned = int((a.themes["mentions"] > 0).sum())
        assert page.locator("#trend svg polyline").count() >= 1 + 2 * mentioned
        assert page.locator("#trend .trends figure").count() == mentioned
        assert page.locator("#segments .drivers figure svg line").count() > 0
        page.screenshot(path=str(shots / f"report_{lang}_{width}.png"))
        if width == 1280:
            page.screenshot(path=str(shots / f"report_{lang}_{width}_full.png"), full_page=True)
            _check_filter(page)
        page.close()
    assert errors == []
    assert requests == []
    assert (shots / f"report_{lang}_1280.png").stat().st_size > 50_000


def _visible_rows(page) -> list[tuple[str, str]]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('details.dd tr[data-pol]'))
              .filter(tr => !tr.hidden).map(tr => [tr.getAttribute('data-pol'), tr.textContent.toLowerCase()])"""
    )


def _check_filter(page) -> None:
    """The drill-down's inline filter: search words, polarity and theme narrow the rows and the counts."""
    total = len(_visible_rows(page))
    assert total > 0
    assert page.inner_text("#dd-count") == f"{total} / {total}"
    page.select_option("#dd-pol", "negative")
    neg = _visible_rows(page)
    assert 0 < len(neg) < total and all(p == "negative" for p, _ in neg)
    word = "portal"
    page.fill("#dd-q", word)
    hits = _visible_rows(page)
    assert hits and all(word in text for _, text in hits) and all(p == "negative" for p, _ in hits)
    assert page.inner_text("#dd-count") == f"{len(hits)} / {total}"
    open_details = page.locator("details.dd[open]")
    assert open_details.count() >= 1  # a search opens the themes with hits
    page.fill("#dd-q", "")
    page.select_option("#dd-pol", "")
    theme = page.locator("details.dd").first.get_attribute("data-theme")
    page.select_option("#dd-theme", theme)
    assert page.locator("details.dd:not([hidden])").count() == 1
    page.select_option("#dd-theme", "")
    assert len(_visible_rows(page)) == total
