"""Key press → new figure pixels in a real JupyterLab (Chromium), for the first slider of every course widget.

    .venv/bin/python benchmarks/browser_latency.py            # every notebook with a widget (about 10 minutes)
    .venv/bin/python benchmarks/browser_latency.py 01 07      # only these notebooks

Opens each notebook the way a participant does (运行所有单元格, predictions made), then presses ArrowRight /
ArrowLeft on the first slider of each widget that has a figure and times until the canvas pixels change
(the browser suite's own probe, ``tests/browser/helpers.py``). Writes ``jupyterlab_widgets`` into
test-artifacts/browser_latency.json — every widget's median and the slowest — next to the browser suite's
figure for notebook 01 (``jupyterlab``), which is measured again here; ``benchmarks/run.py`` reports both.
A measurement, not a test: run it on a quiet machine, or say how busy the machine was.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import helpers  # noqa: E402
from tests.browser.test_lab import open_notebook, run_all  # noqa: E402
from tests.conftest import NOTEBOOK_DIR, NOTEBOOKS  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    wanted = sys.argv[1:]
    first = helpers.latency_notebook(NOTEBOOKS)
    names = [p.stem for p in NOTEBOOKS if helpers.latency_notebook([p]) and (not wanted or p.stem[:2] in wanted)]
    load = [round(v, 1) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None
    per_widget = {}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "lab").mkdir()
        server = helpers.lab_server(home / "lab", helpers.copy_notebooks(NOTEBOOK_DIR, home / "notebooks")).start()
        env = dict(os.environ, FONTCONFIG_FILE=str(helpers.fontconfig_file(home / "fonts")))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=helpers.chromium_executable(),
                                                     args=helpers.CHROMIUM_ARGS, env=env, headless=True)
                for name in names:
                    context, page = helpers.new_page(browser)
                    try:
                        open_notebook(page, server, name)
                        run_all(page, name)
                        helpers.wait_widgets_rendered(page)
                        report = helpers.Report(name)
                        helpers.make_predictions(page, report)
                        widgets = helpers.check_rendered(page, report)
                        for index, info in enumerate(widgets):
                            if not (info["canvases"] and info["sliders"]):
                                continue
                            samples = helpers.measure_latency(page, index, 0)
                            entry = helpers.latency_entry(name, info["title"], info["sliders"][0], samples,
                                                          browser.version)
                            per_widget[f"{name} · {info['title']}"] = entry
                            print(f"{name:28} {info['title'][:30]:32} {entry['median_ms']} ms "
                                  f"({entry['presses']} presses)", flush=True)
                            if name == first and "jupyterlab" not in per_widget:
                                per_widget["jupyterlab"] = entry
                    finally:
                        context.close()
                        for session in server.get_json(f"/api/sessions?token={server.token}"):
                            server.delete(f"/api/sessions/{session['id']}?token={server.token}")
                browser.close()
        finally:
            server.stop()
    first_entry = per_widget.pop("jupyterlab", None)
    if first_entry is not None:
        helpers.record_latency("jupyterlab", first_entry)
    measured = {k: v for k, v in per_widget.items() if v["median_ms"] is not None}
    slowest = max(measured, key=lambda k: measured[k]["median_ms"]) if measured else None
    helpers.record_latency("jupyterlab_widgets", {
        "load_average_at_start": load, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "slowest": slowest, "slowest_median_ms": measured[slowest]["median_ms"] if slowest else None,
        "widgets": {k: {x: v[x] for x in ("slider", "median_ms", "min_ms", "max_ms", "presses")}
                    for k, v in per_widget.items()},
    })
    print(json.dumps({"first_slider": first_entry and first_entry["median_ms"], "slowest": slowest,
                      "slowest_median_ms": measured[slowest]["median_ms"] if slowest else None},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
