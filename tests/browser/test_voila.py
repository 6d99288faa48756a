"""Every notebook as an app (Voilà, code hidden), as shown on the projector in 演示模式.

Voilà runs the notebook when the page is requested; the test waits for its spinner to go, then checks
that nothing shows an error, every widget renders with a drawn figure, and one slider per widget moved
by keyboard to both ends changes that widget's figure. The page is opened on a phone and then shown on
the projector and a laptop (helpers.check_screen): nothing may stick out of the window, no slider track
may be too short to use, no label may be cut off, no chart text may be shown under 11 px; on the
projector each widget's controls and figure fit one view, nothing scrolling inside the widget; a
screenshot of each goes to test-artifacts/. The kernel is not strict here: an unexpected
widget error shows up as the widget's own message ("技术信息…"), which the test reads.
"""
from __future__ import annotations

import time

import pytest

from ..conftest import NOTEBOOKS
from . import helpers
from .test_lab import LATENCY_NOTEBOOK, ROOT_ERRORS_JS, measure

pytestmark = pytest.mark.browser

IDS = [p.stem for p in NOTEBOOKS]

LOADING_JS = """() => {
  const spinner = document.querySelector('#loading');
  const visible = spinner && getComputedStyle(spinner).display !== 'none' && spinner.offsetParent !== null;
  const cells = document.querySelector('#rendered_cells');
  // outputs arrive as JSON scripts that the page turns into output areas (and then removes)
  const waiting = document.querySelectorAll('script[type="application/vnd.voila.cell-output+json"]').length;
  return {loading: !!visible || waiting > 0, ready: !!cells && getComputedStyle(cells).display !== 'none'};
}"""


def open_app(page, server, name: str) -> None:
    page.goto(f"{server.base}/voila/render/{name}.ipynb", wait_until="domcontentloaded",
              timeout=helpers.PAGE_OPEN * 1000)
    deadline = time.monotonic() + helpers.PAGE_OPEN
    while time.monotonic() < deadline:
        state = page.evaluate(LOADING_JS)
        if state["ready"] and not state["loading"]:
            return
        time.sleep(0.25)
    raise AssertionError(f"Voilà {name}: the page was still loading after {helpers.PAGE_OPEN} s")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_as_app(path, browser, voila_server):
    name = path.stem
    report = helpers.Report(f"Voilà {name}")
    with helpers.notebook_page(browser, "voila", name, helpers.PHONE) as page:   # on a phone, then on the others
        open_app(page, voila_server, name)
        helpers.wait_widgets_rendered(page)
        helpers.make_predictions(page, report)
        widgets = helpers.check_rendered(page, report)
        for problem in helpers.page_errors(page):
            report.add(None, problem)
        code = page.locator(".jp-CodeCell .jp-InputArea-editor:visible, .cm-editor:visible")
        if code.count():
            report.add(None, f"{code.count()} code cells are visible: the app should hide code")
        for screen in (helpers.PHONE, helpers.PROJECTOR, helpers.LAPTOP):
            helpers.check_screen(page, report, screen, "voila", name, one_view=screen is helpers.PROJECTOR)
        assert not report, report.text()

        if name == LATENCY_NOTEBOOK:
            measure(page, name, widgets, "voila", browser.version)

        for index, info in enumerate(widgets):
            def check(i=index) -> list[str]:
                found = page.evaluate(ROOT_ERRORS_JS, i)
                found += [f"internal error shown: {a}" for a in helpers.alerts(page, i)
                          if helpers.INTERNAL_ERROR_MARK in a]
                return found
            if info["sliders"]:
                helpers.exercise_slider(page, index, 0, info["title"], info["sliders"][0], report, check, full=False)
        helpers.answer_wrong_then_right(page, helpers.first_choice_question(name), report)
        if not helpers.open_solutions(page, report) and name[:2] != "00":
            report.add(None, "no folded worked solution (参考解答) under the exercises")
        for problem in helpers.page_errors(page):
            report.add(None, f"after moving the sliders: {problem}")
        assert not report, report.text()
