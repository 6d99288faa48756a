"""Every notebook in a real JupyterLab, the way a participant uses it: Chinese menus, 运行 → 运行所有单元格,
then every widget driven by keyboard, menu and typing while we look at the pixels. The notebook is checked on a
laptop with the file browser open and on the projector (helpers.check_screen), with a screenshot of each.

The kernel runs with XINZHI_STRICT=1, so an unexpected exception in a widget callback is not turned into
a polite message: it reaches JupyterLab's log console, and the test reports it with the control that
caused it.
"""
from __future__ import annotations

import re
import time

import pytest

from ..conftest import NOTEBOOKS
from . import helpers

pytestmark = pytest.mark.browser

IDS = [p.stem for p in NOTEBOOKS]
LATENCY_NOTEBOOK = helpers.latency_notebook(NOTEBOOKS)
NOTEBOOK_VIEW = ".jp-NotebookPanel:not(.lm-mod-hidden)"
NOTEBOOK_AREA = NOTEBOOK_VIEW + " .jp-WindowedPanel-outer"   # the notebook's scrolling area: what is visible

LOG_STATE_JS = """() => {
  const item = document.querySelector('.jp-LogConsoleStatusItem');
  if (!item || item.classList.contains('lm-mod-hidden')) return '';
  const titled = item.querySelector('[title]');
  return ((titled && titled.getAttribute('title')) || '') + ' ' + item.textContent.trim();
}"""

# A code cell has run when its prompt shows [n]. A cell whose source is hidden (the self-checks) keeps a stale
# input prompt; its result's output prompt shows the number instead.
PROMPTS_JS = """(view) => {
  const ran = (el) => !!el && /\\[\\d+\\]/.test(el.textContent);
  const cells = [...document.querySelectorAll(view + ' .jp-CodeCell')];
  const done = cells.filter(c => ran(c.querySelector('.jp-InputPrompt')) || ran(c.querySelector('.jp-OutputPrompt')));
  const errors = document.querySelectorAll(view + ' .jp-OutputArea-output[data-mime-type*="error"]').length;
  const status = (document.querySelector(view + ' .jp-Notebook-ExecutionIndicator') || {}).dataset || {};
  return {cells: cells.length, done: done.length, errors, status: status.status || ''};
}"""

ROOT_ERRORS_JS = """(i) => {
  const root = document.querySelector(`[data-xz-widget="${i}"]`);
  if (!root) return ['the widget disappeared'];
  const found = [];
  for (const o of root.querySelectorAll('.jp-OutputArea-output')) {
    const mime = o.getAttribute('data-mime-type') || '';
    if (mime.includes('error') || (mime.includes('stderr') && /Traceback|Error/.test(o.textContent)))
      found.push('error output inside the widget: ' + o.textContent.trim().slice(0, 300));
  }
  for (const m of root.querySelectorAll('.xinzhi-message')) found.push('course error: ' + m.textContent.trim().slice(0, 200));
  return found;
}"""


def lab_url(server, name: str) -> str:
    return f"{server.base}/lab/tree/{name}.ipynb?reset&token={server.token}"


def accept_dialog(page) -> bool:
    """Accept JupyterLab's "选择内核" dialog (the notebook's own Python 3 kernel) if it is showing."""
    button = page.locator(".jp-Dialog .jp-mod-accept")
    if button.count() and button.first.is_visible():
        button.first.click()
        return True
    return False


def kernel_state(server, name: str) -> str:
    try:
        for session in server.get_json(f"/api/sessions?token={server.token}"):
            if session.get("path", "").endswith(f"{name}.ipynb") and session.get("kernel"):
                return session["kernel"].get("execution_state", "")
    except OSError:
        pass
    return ""


def open_notebook(page, server, name: str) -> None:
    """Open NAME in a fresh JupyterLab (``?reset``: no restored tabs) and wait for its kernel to be idle."""
    page.goto(lab_url(server, name), wait_until="domcontentloaded", timeout=helpers.PAGE_OPEN * 1000)
    deadline = time.monotonic() + helpers.PAGE_OPEN
    while time.monotonic() < deadline:
        accept_dialog(page)
        state = page.evaluate(PROMPTS_JS, NOTEBOOK_VIEW)
        if state["cells"] and state["status"] == "idle" and kernel_state(server, name) == "idle":
            if not accept_dialog(page):
                return
        time.sleep(0.25)
    raise AssertionError(f"{name}: JupyterLab did not show the notebook with an idle kernel within "
                         f"{helpers.PAGE_OPEN} s (kernel: {kernel_state(server, name) or 'none'})")


def menu_labels(page) -> list[str]:
    page.wait_for_selector("#jp-menu-panel .lm-MenuBar-itemLabel, .lm-MenuBar-itemLabel")
    return [t.strip() for t in page.locator(".lm-MenuBar-itemLabel").all_text_contents()]


def run_all(page, name: str) -> None:
    """运行 → 运行所有单元格, then wait until every code cell has run (or one failed) and the kernel is idle."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^\s*运行\s*$")).first.click()
    page.locator("li[data-command='runmenu:run-all']").click()
    started = time.monotonic()
    deadline = started + helpers.RUN_ALL
    state = {}
    while time.monotonic() < deadline:
        time.sleep(0.3)
        accept_dialog(page)
        state = page.evaluate(PROMPTS_JS, NOTEBOOK_VIEW)
        if not state["done"] and state["status"] == "idle" and time.monotonic() - started > 45:
            break   # nothing started: the menu did not reach the notebook
        finished = state["done"] == state["cells"] or state["errors"]
        if finished and state["status"] == "idle":
            return
    raise AssertionError(f"{name}: Run All did not finish within {time.monotonic() - started:.0f} s "
                         f"({state.get('done')} of {state.get('cells')} code cells ran; "
                         f"kernel {state.get('status')})")


def collapse_left_sidebar(page) -> None:
    tab = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    if tab.count():
        tab.first.click()


def show_file_browser(page) -> None:
    """The left side bar open on the file browser, as a participant's laptop usually shows it."""
    if not page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").count():
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id='filebrowser']").first.click()
    page.wait_for_selector(".jp-FileBrowser:visible", timeout=10_000)


def log_console_text(page) -> str:
    """What JupyterLab's log console holds (opens it): the traceback of a failing widget callback."""
    item = page.locator(".jp-LogConsoleStatusItem:not(.lm-mod-hidden)")
    if not item.count() or not item.first.is_visible():
        return ""
    item.first.click()
    try:
        page.wait_for_selector(".jp-LogConsolePanel .jp-OutputArea-output", timeout=5000)
    except Exception:  # noqa: BLE001 - the status text is still reported
        return ""
    text = page.locator(".jp-LogConsolePanel").first.text_content() or ""
    lines = [line for line in text.splitlines() if line.strip()]
    return " ⏎ ".join(lines[-6:])[:900]


def shut_down_kernel(server, name: str) -> None:
    try:
        for session in server.get_json(f"/api/sessions?token={server.token}"):
            if session.get("path", "").endswith(f"{name}.ipynb"):
                server.delete(f"/api/sessions/{session['id']}?token={server.token}")
    except OSError:
        pass


def test_lab_opens_in_chinese_without_news(browser, lab_server):
    """The course's settings (installed into the environment) switch the UI to Chinese and the news off."""
    context, page = helpers.new_page(browser)
    try:
        page.goto(f"{lab_server.base}/lab?reset&token={lab_server.token}", wait_until="domcontentloaded",
                  timeout=helpers.PAGE_OPEN * 1000)
        labels = menu_labels(page)
        for expected in ("文件", "编辑", "运行"):
            assert expected in labels, f"JupyterLab menu bar is not in Chinese: {labels}"
        page.wait_for_timeout(3000)   # the news question, when enabled, pops up within a second or two
        toasts = [t.strip() for t in page.locator(".Toastify__toast, .jp-toast-message").all_text_contents()]
        news = [t for t in toasts if re.search(r"news|新闻|Jupyter 新闻|official", t, re.I)]
        assert not news, f"JupyterLab shows a news pop-up: {news}"
        assert not toasts, f"JupyterLab shows pop-ups over the course: {toasts}"
    finally:
        context.close()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_in_lab(path, browser, lab_server):
    name = path.stem
    report = helpers.Report(f"JupyterLab {name}")
    with helpers.notebook_page(browser, "lab", name, after=lambda: shut_down_kernel(lab_server, name)) as page:
        open_notebook(page, lab_server, name)
        labels = menu_labels(page)
        assert "运行" in labels, f"{name}: JupyterLab menus are not in Chinese: {labels}"
        show_file_browser(page)
        run_all(page, name)
        helpers.wait_widgets_rendered(page)
        helpers.make_predictions(page, report)
        widgets = helpers.check_rendered(page, report)
        for problem in helpers.page_errors(page):
            report.add(None, problem)
        helpers.check_screen(page, report, helpers.LAPTOP, "lab", name, NOTEBOOK_AREA)
        collapse_left_sidebar(page)        # on the projector the guide hides the side bar
        helpers.check_screen(page, report, helpers.PROJECTOR, "lab", name, NOTEBOOK_AREA)
        helpers.use_screen(page, helpers.LAPTOP)
        helpers.settle_layout(page)
        assert not report, report.text()

        log_seen = [page.evaluate(LOG_STATE_JS)]
        if log_seen[0]:
            report.add(None, f"JupyterLab's log console has entries after Run All: {log_console_text(page)}")
            log_seen[0] = page.evaluate(LOG_STATE_JS)

        def errors_for(index: int):
            def check() -> list[str]:
                found = page.evaluate(ROOT_ERRORS_JS, index)
                state = page.evaluate(LOG_STATE_JS)
                if state != log_seen[0]:
                    found.append(f"kernel error in JupyterLab's log console: {log_console_text(page) or state}")
                    log_seen[0] = page.evaluate(LOG_STATE_JS)
                return found
            return check

        if name == LATENCY_NOTEBOOK:
            measure(page, name, widgets, "jupyterlab", browser.version)

        for index, info in enumerate(widgets):
            title = info["title"]
            check = errors_for(index)
            for slider_no, label in enumerate(info["sliders"]):
                helpers.exercise_slider(page, index, slider_no, title, label, report, check)
            for number, box in enumerate(info["numbers"]):
                helpers.exercise_number_box(page, index, number, box, title, report, check)
            for number, menu in enumerate(info["dropdowns"]):
                helpers.exercise_dropdown(page, index, number, menu, title, report, check)
        helpers.answer_wrong_then_right(page, helpers.first_choice_question(name), report)
        if not helpers.open_solutions(page, report) and name[:2] != "00":
            report.add(None, "no folded worked solution (参考解答) under the exercises")
        for problem in helpers.page_errors(page):
            report.add(None, f"after driving the widgets: {problem}")
        assert not report, report.text()


def measure(page, name: str, widgets: list[dict], frontend: str, browser_version: str) -> None:
    """Time key press → new figure on the first slider of the first widget with a figure (not an assertion)."""
    for index, info in enumerate(widgets):
        if info["canvases"] and info["sliders"]:
            samples = helpers.measure_latency(page, index, 0)
            helpers.record_latency(frontend, helpers.latency_entry(name, info["title"], info["sliders"][0],
                                                                   samples, browser_version))
            return
