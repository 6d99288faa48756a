"""Servers and browser for the real-browser tests: started once, on a private copy of the course, always stopped.

JupyterLab and Voilà each run in their own process group on 127.0.0.1 with a free port; JupyterLab
keeps token authentication. Both serve a temporary copy of notebooks/ and save participants' work to a
temporary folder, so a test run never writes into the repository. The fixtures are package-scoped:
started by the first browser test that needs them and stopped as soon as the browser tests are done
(and at interpreter exit, should pytest be interrupted).
"""
from __future__ import annotations

import atexit
import os

import pytest

from .. import processes
from ..conftest import NOTEBOOK_DIR
from . import helpers

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the test requirements install it
    sync_playwright = None


nothing_left_running = processes.nothing_left_running("server")   # no server or kernel


def _running(server: helpers.Server):
    """For a fixture: ``server`` started, and stopped when the fixture ends (or when an interrupted run exits)."""
    atexit.register(server.stop)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="package")
def browser_home(tmp_path_factory):
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="package")
def course_copy(browser_home):
    return helpers.copy_notebooks(NOTEBOOK_DIR, browser_home / "notebooks")


@pytest.fixture(scope="package")
def chromium():
    if sync_playwright is None:
        pytest.skip("playwright is not installed (python3 course.py test installs it)")
    executable = helpers.chromium_executable()
    if not executable or not os.path.exists(executable):
        pytest.skip("no Chromium found: install Debian's chromium or set XINZHI_CHROMIUM to a Chrome/Chromium")
    return executable


@pytest.fixture(scope="package")
def browser(chromium, browser_home):
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(helpers.fontconfig_file(browser_home / "fonts"))
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=helpers.CHROMIUM_ARGS, env=env,
                                              headless=True)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="package")
def lab_server(browser_home, course_copy):
    home = browser_home / "lab"
    home.mkdir()
    yield from _running(helpers.lab_server(home, course_copy, XINZHI_STRICT="1"))


@pytest.fixture(scope="package")
def voila_server(browser_home, course_copy):
    home = browser_home / "voila"
    home.mkdir()
    port = helpers.free_port()
    cmd = [helpers.python(), "-m", "voila", str(course_copy), "--no-browser", f"--port={port}",
           "--Voila.ip=127.0.0.1", "--theme=light"]
    # Not strict: in Voilà an unexpected widget error shows as the widget's message, which the tests read.
    env = helpers.server_env(home / "my_work", home)
    yield from _running(helpers.Server("Voilà", cmd, env, port, "/", home / "server.log"))


def pytest_terminal_summary(terminalreporter):
    """Seconds per notebook and frontend (also in test-artifacts/browser_timings.json)."""
    if helpers.TIMINGS:
        terminalreporter.write_sep("-", "browser timings")
        for name, seconds in sorted(helpers.TIMINGS.items()):
            terminalreporter.write_line(f"{name:<40} {seconds:6.1f} s")
        terminalreporter.write_line(f"{'total':<40} {sum(helpers.TIMINGS.values()):6.1f} s")
