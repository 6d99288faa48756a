"""Print the handout site as one A4 PDF, with Chromium's own print to PDF (called by publish/website.py).

Sphinx writes the whole course as a single page (build/print/); Chromium prints it with the site's print
stylesheet (publish/static/handout.css): only the lesson, each notebook on a new page, no chart or table cut
by a page break, each chart's source line under it, self-check answers printed small under their questions,
page numbers at the foot. The course's font is embedded by Chromium.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path


FOOTER = ("<div style='font-size:8pt;width:100%;text-align:center;color:#555;font-family:sans-serif'>"
          "<span class='pageNumber'></span> / <span class='totalPages'></span></div>")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--font-render-hinting=none"]


def say(message: str) -> None:
    print(f"[讲义] {message}", flush=True)


def chromium() -> str | None:
    """Chromium or Chrome on this computer (XINZHI_CHROMIUM names one explicitly)."""
    explicit = os.environ.get("XINZHI_CHROMIUM")
    if explicit:
        return explicit
    return next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
                 if shutil.which(n)), None)


def launch(playwright):
    """A headless Chromium: the one on PATH, else the installed Chrome or Edge (Windows, macOS)."""
    executable = chromium()
    if executable:
        return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    for channel in ("chrome", "msedge"):
        try:
            return playwright.chromium.launch(channel=channel, args=CHROMIUM_ARGS)
        except Exception:  # noqa: BLE001 - not installed; try the next one
            continue
    raise SystemExit("生成 PDF 需要 Chromium、Chrome 或 Edge 浏览器：请安装其中一个，"
                     "或把浏览器程序的路径写入环境变量 XINZHI_CHROMIUM。")


def print_page(html: Path, target: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page()
            page.goto(html.as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready")
            page.evaluate("document.querySelectorAll('details.xinzhi-answer').forEach(d => d.open = true)")
            page.emulate_media(media="print")
            page.pdf(path=str(target), format="A4", print_background=True, prefer_css_page_size=True,
                     display_header_footer=True, header_template="<span></span>", footer_template=FOOTER,
                     outline=True, tagged=True)
        finally:
            browser.close()


def build_pdf(source: Path, single: Path, target: Path) -> Path:
    """Sphinx's single-page build of ``source`` into ``single``, printed to ``target``."""
    from website import sphinx

    started = time.perf_counter()
    if single.exists():
        shutil.rmtree(single)
    sphinx("singlehtml", source, single)
    print_page(single / "index.html", target)
    size = target.stat().st_size / 2**20
    say(f"打印版（A4 PDF）：{target}（{size:.1f} MB，{time.perf_counter() - started:.0f} 秒）")
    return target
