"""The handout site, opened from its folder (file://) in a real Chromium at phone and projector size.

Every page: nothing scrolls sideways on a 390 px phone, the text is large on a 1920 px projector, every
Chinese character is drawn by the course's own font (this machine has no Chinese system font, so a
character the page's font lacks would show as a box), and no request leaves file://. Every notebook page:
its charts as images with alt text and a source line, its widgets at their starting state with the way to
move them, its self-check with folded answers. Search finds 全要素生产率.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from ..conftest import NOTEBOOKS
from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FONT = Path(__file__).resolve().parents[2] / "src" / "xinzhi" / "fonts" / "NotoSansSC-Regular-subset.ttf"
PHONE, PROJECTOR = {"width": 390, "height": 844}, {"width": 1920, "height": 1080}


def cjk(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(("CJK", "FULLWIDTH", "IDEOGRAPHIC")) or "\u3000" <= ch <= "\u303f"


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    from tests.browser.helpers import CHROMIUM_ARGS

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "genindex.html" and "_static" not in p.parts)


def open_page(browser, path: Path, viewport: dict):
    """The page, loaded, with every request it made that did not stay on file:// (or data:)."""
    page = browser.new_page(viewport=viewport)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    page.goto(path.as_uri(), wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return page, outside


def test_the_site_has_every_notebook_and_the_reference_pages(handout):
    names = {p.relative_to(handout).as_posix() for p in pages(handout)}
    expected = {f"notebooks/{n.stem}.html" for n in NOTEBOOKS} | {"index.html", "search.html",
                                                                    "notebooks/glossary.html",
                                                                    "docs/troubleshooting.html"}
    assert expected <= names, expected - names
    assert "docs/instructor_guide.html" not in names     # only with --instructor


def test_every_page_fits_a_phone_and_a_projector_offline_in_the_course_font(handout, browser):
    cmap = set(TTFont(FONT).getBestCmap())
    checked = 0
    for path in pages(handout):
        for viewport in (PHONE, PROJECTOR):
            page, outside = open_page(browser, path, viewport)
            where = f"{path.relative_to(handout)} at {viewport['width']} px"
            widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert widths[0] <= widths[1], f"{where}: scrolls sideways ({widths[0]} > {widths[1]} px)"
            assert not outside, f"{where}: requests leaving file://: {outside[:5]}"
            loaded = page.evaluate("Array.from(document.fonts).filter(f => f.family.includes('Noto Sans SC'))"
                                   ".map(f => f.status)")
            assert loaded == ["loaded"], f"{where}: the course font did not load: {loaded}"
            family = page.evaluate("getComputedStyle(document.querySelector('article') || document.body).fontFamily")
            assert family.startswith('"Noto Sans SC"'), f"{where}: text is set in {family}"
            text = page.evaluate("document.body.innerText")
            missing = sorted({ch for ch in text if cjk(ch) and ord(ch) not in cmap})
            assert not missing, f"{where}: characters the course font lacks (drawn as boxes here): {missing[:20]}"
            if viewport is PROJECTOR:
                size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('article p, p')).fontSize)")
                assert size >= 18, f"{where}: body text {size}px is small for a projector"
            if path.stem == "01_concept":
                page.screenshot(path=str(ARTIFACTS / f"site_01_{viewport['width']}.png"))
            page.close()
            checked += 1
    assert checked >= 2 * (len(NOTEBOOKS) + 3)


def test_charts_widgets_and_self_checks_of_every_notebook(handout, browser):
    from xinzhi.quiz.bank import load

    for notebook in NOTEBOOKS:
        page, _ = open_page(browser, handout / "notebooks" / f"{notebook.stem}.html", PHONE)
        where = notebook.stem
        charts = page.evaluate("""Array.from(document.querySelectorAll('figure.xinzhi-chart')).map(f => ({
            src: f.querySelector('img')?.getAttribute('src') || '', alt: f.querySelector('img')?.alt || '',
            width: f.querySelector('img')?.naturalWidth || 0,
            source: f.querySelector('figcaption.xinzhi-source')?.innerText || ''}))""")
        images = page.evaluate("document.querySelectorAll('article img').length")
        assert images >= 1, f"{where}: no image at all"
        if notebook.stem != "00_guide":            # the guide shows the environment check, not a chart
            assert charts, f"{where}: no chart"
        assert all(c["src"].startswith("data:image/png") and c["width"] >= 800 for c in charts), where
        with_alt = [c for c in charts if c["alt"].strip()]
        with_source = [c for c in charts if "课程版本" in c["source"] and len(c["source"]) > 12]
        assert len(charts) == len(with_alt) == len(with_source), f"{where}: {charts}"
        unlabelled = page.evaluate("Array.from(document.querySelectorAll('article img')).filter(i => !i.alt).length")
        assert unlabelled == 0, f"{where}: {unlabelled} images without alt text"

        widgets = page.locator(".xinzhi-widget")
        for i in range(widgets.count()):
            box = widgets.nth(i)
            assert box.locator("figure.xinzhi-chart").count() == 1, f"{where}: widget {i} has no chart"
            note = box.locator(".xinzhi-live-note").inner_text()
            assert "JupyterLab" in note and notebook.name in note and "course.py" in note, note

        bank = load(notebook.stem[:2])
        questions = page.locator(".xinzhi-quiz .xinzhi-question")
        assert questions.count() == len(bank.questions), f"{where}: {questions.count()} questions"
        answer = questions.first.locator("details.xinzhi-answer")
        assert not answer.evaluate("d => d.open")                       # folded
        assert not answer.locator("p").is_visible()
        answer.locator("summary").click()
        assert answer.locator("p").is_visible() and "正确答案" in answer.inner_text()
        assert page.locator(".xinzhi-message, .output.error, .output.traceback").count() == 0, where
        page.close()


def test_search_finds_a_term_offline(handout, browser):
    page, outside = open_page(browser, handout / "search.html", PHONE)
    page.goto((handout / "search.html").as_uri() + "?q=全要素生产率")
    page.wait_for_selector("ul.search li a", timeout=20000)
    found = page.locator("ul.search li a").all_inner_texts()
    assert any(re.match(r"07 ", t) for t in found), found
    assert any("术语表" in t for t in found), found
    assert not outside
    page.screenshot(path=str(ARTIFACTS / "site_search_390.png"))
    page.close()
