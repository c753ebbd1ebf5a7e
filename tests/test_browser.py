"""Render the HTML report in headless Chromium (Debian's `chromium`) and check that the key sections are
visible and that the page logs no console errors and makes no network requests."""

import shutil

import pytest

from npsthemes import analyze
from npsthemes.datasets import load_sample_survey

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright (test extra) is not installed")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="no Chromium installed (apt-get install chromium); .ci/run installs it"
    ),
]


def test_report_renders_in_headless_chromium(tmp_path, default_model):
    paths = analyze(load_sample_survey(), default_model, n_boot=300, lang="fi").write(tmp_path / "rep")
    errors, requests = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
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
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
            page.goto(paths["report.html"].resolve().as_uri())
            for section in (
                "overview",
                "strengths",
                "development",
                "themes",
                "segments",
                "trend",
                "coverage",
                "method",
            ):
                assert page.locator(f"section#{section}").is_visible(), section
            assert page.locator("#development .card").count() >= 1
            assert page.locator("#trend svg polyline").count() == 1
            assert "Kehityskohteet" in page.locator("#development h2").inner_text()
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert requests == []
    assert (tmp_path / "report.png").stat().st_size > 50_000
