"""What the browser tests share: servers in their own process group, the browser, and widget checks.

The same widget checks run in JupyterLab and in Voilà: both render a cell's widget as a
``.jp-OutputArea-output`` holding ``.jupyter-widgets`` elements, and an ipympl figure as a
``.jupyter-matplotlib-figure`` with a canvas. Figures are compared by hashing the canvas pixels in
the page (fast enough to poll every animation frame), so "the figure changed" means the pixels a
participant sees changed.
"""
from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .. import processes
from ..conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
LATENCY_FILE = ARTIFACTS / "browser_latency.json"
FONT_DIR = ROOT / "src" / "xinzhi" / "fonts"

CJK = re.compile(r"[\u4e00-\u9fff]")
BAD_TYPING = ["", "abc", "-5", "1e308", "１２", "50%", "1,000"]
BROKEN_WIDGET_TEXTS = ["Error displaying widget", "Loading widget", "Failed to load model class",
                       "model not found"]
INTERNAL_ERROR_MARK = "技术信息"   # FigureWidget's message for an unexpected exception (non-strict mode)

# Timeouts in seconds: generous (2 cores, a Voilà load once took 30 s) but bounded.
SERVER_START = 90
PAGE_OPEN = 120
RUN_ALL = 300
WIDGETS_RENDER = 60
MUST_CHANGE = 8.0       # a slider move must change the figure within this time
MAY_CHANGE = 2.5        # a menu option or typed value may or may not change the figure
SETTLE = 0.2            # no further change for this long = the update is complete

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", "--font-render-hinting=none"]


def chromium_executable() -> str | None:
    explicit = os.environ.get("XINZHI_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def fontconfig_file(folder: Path) -> Path:
    """A fontconfig file: the system's fonts plus the course's Noto Sans SC.

    Participants' computers have Chinese system fonts; a bare CI machine does not, and Chromium would
    draw every Chinese character of the JupyterLab interface as a box.
    """
    conf = folder / "fonts.conf"
    cache = folder / "fontcache"
    cache.mkdir(parents=True, exist_ok=True)
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{FONT_DIR}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
""", encoding="utf-8")
    return conf


# ---------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------

@dataclass
class Server:
    """A Jupyter server (JupyterLab or Voilà), always stopped with every kernel it started (tests/processes.py)."""

    name: str
    cmd: list[str]
    env: dict
    port: int
    probe: str                 # path polled until it answers 200
    log_path: Path
    proc: subprocess.Popen | None = None
    started_in: float = 0.0
    mark: str = field(default_factory=processes.new_mark)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(self.cmd, env={**self.env, processes.MARK: self.mark}, stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

        def answers() -> bool:
            with urllib.request.urlopen(self.base + self.probe, timeout=5) as response:
                return response.status == 200
        try:
            self.started_in = processes.wait_until_up(self.proc, answers, SERVER_START,
                                                      f"{self.name} on {self.base}{self.probe}", self.log_path)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.proc is None:
            return
        processes.stop(self.proc, self.mark, grace=15)   # the server shuts its kernels down on SIGTERM
        self.proc = None
        if not self.log.closed:
            self.log.close()

    def get_json(self, path: str):
        with urllib.request.urlopen(self.base + path, timeout=10) as response:
            return json.loads(response.read().decode("utf-8"))

    def delete(self, path: str) -> None:
        request = urllib.request.Request(self.base + path, method="DELETE")
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except OSError:
            pass


def lab_server(home: Path, root: Path, **env) -> Server:
    """JupyterLab on 127.0.0.1 serving ``root`` with token authentication (not started yet)."""
    token = secrets.token_hex(16)
    port = free_port()
    cmd = [python(), "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")   # CI containers run as root
    server = Server("JupyterLab", cmd, server_env(home / "my_work", home, **env), port,
                    f"/api/status?token={token}", home / "server.log")
    server.token = token
    return server


def copy_notebooks(source: Path, target: Path) -> Path:
    """A private copy of the course folder: the servers never write into the repository."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("my_work", ".ipynb_checkpoints", "__pycache__"))
    return target


def server_env(workspace: Path, home: Path, **extra) -> dict:
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    env.pop("XINZHI_STRICT", None)
    env.update({
        "XINZHI_WORKSPACE": str(workspace),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "user-settings"),      # the course's overrides, not a user's
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


def python() -> str:
    return sys.executable


# ---------------------------------------------------------------------------------------------
# In-page helpers (installed in every page before it loads)
# ---------------------------------------------------------------------------------------------

PAGE_JS = r"""
(() => {
  const OUT = '.jp-OutputArea-output';
  const xz = {};
  xz.isWidgetOutput = (o) => {
    const mime = o.getAttribute('data-mime-type');
    return !mime || mime.includes('widget-view');
  };
  // outputs of cells (not those nested inside an Output widget) that hold a widget view
  xz.widgetOutputs = () => [...document.querySelectorAll(OUT)].filter(
      o => xz.isWidgetOutput(o) && !o.parentElement.closest(OUT));
  xz.mark = () => {
    const outs = xz.widgetOutputs();
    outs.forEach((o, i) => o.setAttribute('data-xz-widget', String(i)));
    return outs.length;
  };
  xz.canvases = (root) => [...root.querySelectorAll('.jupyter-matplotlib-canvas-div')]
      .map(d => d.querySelector('canvas')).filter(Boolean);
  xz.hashCanvas = (c) => {
    if (!c.width || !c.height) return 'empty';
    let data;
    try { data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; }
    catch (e) { return 'unreadable:' + e; }
    const u = new Uint32Array(data.buffer);
    let h = 2166136261;
    for (let i = 0; i < u.length; i++) { h = Math.imul(h ^ u[i], 16777619); }
    return (h >>> 0).toString(16) + '@' + c.width + 'x' + c.height;
  };
  // what a control changes: the canvas pixels, or (no canvas) the visible text and images
  xz.textOutside = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const parts = [];
    while (walker.nextNode()) {
      const el = walker.currentNode.parentElement;
      if (el && !el.closest('.widget-slider, .widget-readout, .widget-dropdown, .widget-text, .widget-label')) {
        parts.push(walker.currentNode.nodeValue);
      }
    }
    const imgs = [...root.querySelectorAll('img')].map(i => i.src.length + ':' + i.src.slice(-64));
    return parts.join('|') + '#' + imgs.join('|');
  };
  xz.figure = (root) => {
    const cs = xz.canvases(root);
    if (cs.length) return cs.map(xz.hashCanvas).join(',');
    return 'text:' + xz.textOutside(root);
  };
  xz.figureOf = (i) => {
    const root = document.querySelector(`[data-xz-widget="${i}"]`);
    return root ? xz.figure(root) : 'gone';
  };
  // how much is drawn on a canvas: share of pixels that differ from the most common colour
  xz.inkOf = (c) => {
    if (!c.width || !c.height) return {ink: 0, colours: 0, w: c.width, h: c.height};
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const u = new Uint32Array(data.buffer);
    const counts = new Map();
    for (let i = 0; i < u.length; i += 7) counts.set(u[i], (counts.get(u[i]) || 0) + 1);
    let top = 0, total = 0;
    for (const v of counts.values()) { total += v; if (v > top) top = v; }
    return {ink: 1 - top / total, colours: counts.size, w: c.width, h: c.height};
  };
  xz.titleOf = (root) => {
    const h = root.querySelector('h1, h2, h3, h4');
    if (h && h.textContent.trim()) return h.textContent.trim();
    const label = [...root.querySelectorAll('.widget-label, label')].map(l => l.textContent.trim()).find(Boolean);
    if (label) return label;
    return root.textContent.trim().slice(0, 40) || '(no text)';
  };
  xz.alerts = (root) => [...root.querySelectorAll('[role="alert"]')]
      .map(a => a.textContent.trim()).filter(Boolean);
  // controls a participant can reach: shown (not display:none / visibility:hidden) and enabled
  xz.usable = (el) => (!el.checkVisibility || el.checkVisibility({visibilityProperty: true}))
      && !el.querySelector('[disabled], .noUi-target[disabled]');
  xz.describe = (i) => {
    const root = document.querySelector(`[data-xz-widget="${i}"]`);
    const rendered = !!root.querySelector('.jupyter-widgets, [class*="widget-"]');
    const sliders = [...root.querySelectorAll('.widget-slider')].filter(s => s.querySelector('.noUi-handle') && xz.usable(s))
        .map((s, k) => { s.setAttribute('data-xz-slider', String(k));
                         return (s.querySelector('.widget-label') || {}).textContent || ''; });
    const dropdowns = [...root.querySelectorAll('.widget-dropdown')].filter(d => d.querySelector('select') && xz.usable(d))
        .map((d, k) => d.setAttribute('data-xz-dropdown', String(k)) || ({label: (d.querySelector('.widget-label') || {}).textContent || '',
                    options: [...d.querySelector('select').options].map(o => o.value),
                    labels: [...d.querySelector('select').options].map(o => o.textContent),
                    value: d.querySelector('select').value}));
    const numbers = [...root.querySelectorAll('.xinzhi-number')].filter(n => n.querySelector('input') && xz.usable(n))
        .map((n, k) => n.setAttribute('data-xz-number', String(k)) || ({label: (n.querySelector('.widget-label') || {}).textContent || '',
                    value: n.querySelector('input').value}));
    const canvases = xz.canvases(root).map(xz.inkOf);
    return {title: xz.titleOf(root), rendered, text: root.textContent.slice(0, 300), sliders, dropdowns,
            numbers, canvases, hasImage: !!root.querySelector('img')};
  };
  // time from the next key press until the figure of widget i shows new pixels (ms): the moment the front end
  // paints its canvas (drawImage, as ipympl does) with pixels that differ from before. The pixels are compared
  // once per frame only after a paint, so the probe itself takes no time from the page while it waits.
  xz.armLatency = (i, limitMs) => {
    const sig0 = xz.figureOf(i);
    const root = document.querySelector(`[data-xz-widget="${i}"]`);
    const canvases = new Set(root ? xz.canvases(root) : []);
    const proto = CanvasRenderingContext2D.prototype;
    const paint = proto.drawImage;
    let t0 = null, painted = null;
    proto.drawImage = function (...args) {
      const result = paint.apply(this, args);
      if (t0 !== null && painted === null && canvases.has(this.canvas)) painted = performance.now();
      return result;
    };
    document.addEventListener('keydown', () => { t0 = performance.now(); }, {capture: true, once: true});
    window.__xzLatency = new Promise(resolve => {
      const started = performance.now();
      const done = (ms) => { proto.drawImage = paint; resolve(ms); };
      const tick = () => {
        if (painted !== null) {
          if (xz.figureOf(i) !== sig0) return done(painted - t0);
          painted = null;   // painted the same pixels again: wait for the next paint
        }
        if (performance.now() - started > limitMs) return done(null);
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    return sig0;
  };
  // "Error displaying widget", "Loading widget…": text of the page itself, not words quoted by the course
  xz.brokenTexts = (needles) => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const found = [];
    while (walker.nextNode()) {
      const text = walker.currentNode.nodeValue;
      const el = walker.currentNode.parentElement;
      if (!text || !el || el.closest('.widget-html-content, .jp-MarkdownCell, .jp-RenderedMarkdown, .jp-RenderedHTMLCommon, .jp-InputArea, script, style')) continue;
      for (const n of needles) if (text.includes(n)) found.push(text.trim().slice(0, 200));
    }
    return found;
  };
  // --- layout: what sticks out of the visible notebook, slider tracks too short to use, cut labels ---
  xz.area = (selector) => {
    const el = selector && document.querySelector(selector);
    if (el) { const r = el.getBoundingClientRect(); return {left: r.left, right: r.left + el.clientWidth}; }
    return {left: 0, right: document.documentElement.clientWidth};
  };
  xz.shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && (!el.checkVisibility || el.checkVisibility({visibilityProperty: true}));
  };
  xz.ownerOf = (el) => {
    const root = el.closest('[data-xz-widget]') || el.closest('.jp-OutputArea-output');
    return root ? xz.titleOf(root) : 'the page';
  };
  xz.nameOf = (el) => (((el.querySelector && el.querySelector('.widget-label')) || {}).textContent
                      || el.textContent || '').trim().slice(0, 40);
  xz.layoutSignature = () => [...document.querySelectorAll('.jupyter-widgets, .jp-OutputArea-output img, canvas')]
      .map(el => { const r = el.getBoundingClientRect(); return Math.round(r.width) + 'x' + Math.round(r.height); })
      .join(',') + '|' + [...document.querySelectorAll('.jupyter-matplotlib-canvas-div canvas')].map(xz.hashCanvas).join(',');
  xz.layoutProblems = ([selector, minTrack, chartsFit]) => {
    const area = xz.area(selector);
    const found = [];
    const add = (el, what) => found.push({widget: xz.ownerOf(el), what});
    const parts = [['figure', '.jupyter-matplotlib-figure, .jp-OutputArea-output img, .widget-image'],
                   ['slider', '.widget-slider'], ['dropdown', '.widget-dropdown'],
                   ['text box', '.widget-text, .widget-textarea'], ['button', '.widget-button']];
    for (const [kind, sel] of parts)
      for (const el of document.querySelectorAll(sel)) {
        if (!xz.shown(el) || el.closest('.jp-LogConsolePanel, .xinzhi-table-scroll, .xinzhi-static-chart')) continue;
        const r = el.getBoundingClientRect();
        if (r.right > area.right + 1 || r.left < area.left - 1)
          add(el, `${kind} “${xz.nameOf(el)}” spans ${Math.round(r.left)}–${Math.round(r.right)} px; ` +
                  `the visible notebook ${Math.round(area.left)}–${Math.round(area.right)} px`);
      }
    for (const track of document.querySelectorAll('.widget-hslider .noUi-target')) {
      if (!xz.shown(track)) continue;
      const w = track.getBoundingClientRect().width;
      if (w < minTrack) add(track, `slider “${xz.nameOf(track.closest('.widget-slider'))}” has a ${Math.round(w)} px track (< ${minTrack})`);
    }
    for (const label of document.querySelectorAll('.widget-label, .widget-label-basic, .widget-readout, .widget-button')) {
      if (!xz.shown(label)) continue;
      if (label.scrollWidth > label.clientWidth + 1 || label.scrollHeight > label.clientHeight + 2)
        add(label, `label “${label.textContent.trim().slice(0, 40)}” is cut off (${label.scrollWidth}×${label.scrollHeight} px of text in ${label.clientWidth}×${label.clientHeight})`);
    }
    // a static chart shrinks only down to the width where its smallest text is 11 px, then scrolls in its box
    for (const chart of document.querySelectorAll('.xinzhi-static-chart')) {
      if (chartsFit && xz.shown(chart) && chart.scrollWidth > chart.clientWidth + 1)
        add(chart, `a chart needs ${chart.scrollWidth} px to keep its text readable and has ${chart.clientWidth}`);
    }
    if (!selector && document.documentElement.scrollWidth > document.documentElement.clientWidth + 1)
      found.push({widget: 'the page', what: `scrolls sideways: ${document.documentElement.scrollWidth} px wide in a ${document.documentElement.clientWidth} px window`});
    return found;
  };
  // chart text as a participant sees it: the size it is drawn at (the course writes it on the page) times the
  // scale the page shows the picture at (its width on the page over the width it was drawn for)
  xz.chartTextProblems = (minPx) => {
    const found = [];
    const add = (el, what) => found.push({widget: xz.ownerOf(el), what});
    for (const box of document.querySelectorAll('.xinzhi-widget')) {
      const view = box.querySelector('.jupyter-matplotlib-canvas-div canvas, .widget-image');
      if (!view || !xz.shown(view)) continue;
      if (!box.dataset.figureWidth || !box.dataset.textPx) { add(box, 'the figure does not say the size it was drawn at'); continue; }
      const shown = view.getBoundingClientRect().width / parseFloat(box.dataset.figureWidth) * parseFloat(box.dataset.textPx);
      if (shown < minPx - 0.05)
        add(box, `chart text shown at ${shown.toFixed(1)} px (drawn at ${box.dataset.textPx} px for a ${box.dataset.figureWidth} px figure shown ${Math.round(view.getBoundingClientRect().width)} px wide)`);
    }
    for (const chart of document.querySelectorAll('.xinzhi-static-chart')) {
      const img = chart.querySelector('img');
      if (!img || !xz.shown(img)) continue;
      if (!chart.dataset.textPx || !img.naturalWidth) { add(chart, 'the chart does not say the size of its text'); continue; }
      const shown = img.getBoundingClientRect().width / img.naturalWidth * parseFloat(chart.dataset.textPx);
      if (shown < minPx - 0.05)
        add(chart, `chart text shown at ${shown.toFixed(1)} px (an image ${img.naturalWidth} px wide shown at ${Math.round(img.getBoundingClientRect().width)} px)`);
    }
    return found;
  };
  // one view: from the top of a widget's controls to the bottom of its figure fits the window, and nothing in
  // between scrolls inside the widget
  xz.oneViewProblems = (tooTall) => {
    const found = [];
    const add = (el, what) => found.push({widget: xz.ownerOf(el), what});
    const tall = window.innerHeight;
    for (const box of document.querySelectorAll('.xinzhi-widget')) {
      const controls = box.querySelector('.xinzhi-controls');
      const figure = box.querySelector('.xinzhi-chart .jupyter-matplotlib-figure, .xinzhi-chart .widget-image');
      if (!controls || !figure || !xz.shown(figure)) continue;
      const c = controls.getBoundingClientRect(), f = figure.getBoundingClientRect();
      const span = Math.max(c.bottom, f.bottom) - Math.min(c.top, f.top);
      const title = xz.titleOf(box);
      if (tooTall.some(t => title.startsWith(t))) {
        if (f.height > tall + 1) add(box, `the figure alone needs ${Math.round(f.height)} px of height; the window has ${tall}`);
      } else if (span > tall + 1)
        add(box, `controls and figure need ${Math.round(span)} px of height; the window has ${tall}`);
      for (const el of [box, ...box.querySelectorAll('*')]) {
        if (!xz.shown(el) || el.closest('.jupyter-matplotlib-figure, .widget-dropdown, select, .widget-textarea')) continue;
        if (/(auto|scroll)/.test(getComputedStyle(el).overflowY) && el.scrollHeight > el.clientHeight + 1) {
          add(el, `part of the widget (${el.className || el.tagName}) scrolls inside itself (${el.scrollHeight} px of content in ${el.clientHeight})`);
          break;
        }
      }
    }
    return found;
  };
  window.__xz = xz;
})();
"""


@dataclass(frozen=True)
class Screen:
    """A screen the course is used on, in CSS pixels (what the page lays out in) and device pixels per CSS px."""

    name: str
    width: int
    height: int
    scale: float = 1.0
    mobile: bool = False


# A laptop with JupyterLab's file browser open; the classroom projector, 1280×720 with the browser zoomed to
# 150 % as the instructor guide recommends (853×480 CSS px at 1.5 device pixels each); a phone (Voilà).
LAPTOP = Screen("laptop", 1366, 768)
PROJECTOR = Screen("projector", 853, 480, 1.5)
PHONE = Screen("phone", 375, 740, 2.0, mobile=True)
MIN_SLIDER_TRACK = 160   # CSS px: shorter tracks cannot be set to a chosen value by hand


def new_page(browser, screen: Screen = LAPTOP):
    context = browser.new_context(viewport={"width": screen.width, "height": screen.height}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", device_scale_factor=screen.scale,
                                  is_mobile=screen.mobile, has_touch=screen.mobile)
    context.add_init_script(PAGE_JS)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page._xz_screen = screen
    return context, page


@contextlib.contextmanager
def notebook_page(browser, frontend: str, name: str, screen: Screen = LAPTOP, after=None):
    """A new page for one notebook's test, always closed (then ``after()``, if given): a failure leaves a screenshot
    in SCREENSHOTS/<frontend>-<name>-failure.png (the last run's is removed first); the time goes to record_timing."""
    failure = SCREENSHOTS / f"{frontend}-{name}-failure.png"
    failure.unlink(missing_ok=True)
    started = time.monotonic()
    context, page = new_page(browser, screen)
    try:
        yield page
    except BaseException:
        try:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(failure))
        except Exception:  # noqa: BLE001 - keep the original failure
            pass
        raise
    finally:
        context.close()
        if after:
            after()
        record_timing(f"{frontend}/{name}", time.monotonic() - started)


def use_screen(page, screen: Screen, height: int | None = None) -> None:
    """Show the open page on another screen (size, pixel density, phone or not), without reloading it.

    The page lays itself out again as a browser does when its window is resized or zoomed; widgets get
    their resize events. (Chromium's device metrics, set through the DevTools protocol: Playwright's own
    viewport setting cannot change the pixel density of an open page.)
    """
    session = getattr(page, "_xz_cdp", None)
    if session is None:
        session = page._xz_cdp = page.context.new_cdp_session(page)
    session.send("Emulation.setDeviceMetricsOverride", {
        "width": screen.width, "height": height or screen.height, "deviceScaleFactor": screen.scale,
        "mobile": screen.mobile})
    session.send("Emulation.setTouchEmulationEnabled", {"enabled": screen.mobile})
    page._xz_screen = screen


# ---------------------------------------------------------------------------------------------
# Checks shared by JupyterLab and Voilà
# ---------------------------------------------------------------------------------------------

class Report:
    """Problems found in one notebook; the test fails once with all of them, each with its place."""

    def __init__(self, where: str):
        self.where = where
        self.problems: list[str] = []

    def add(self, widget: str | None, what: str) -> None:
        self.problems.append(f"{self.where} › {widget}: {what}" if widget else f"{self.where}: {what}")

    def __bool__(self) -> bool:
        return bool(self.problems)

    def text(self) -> str:
        return f"{len(self.problems)} problem(s):\n  - " + "\n  - ".join(self.problems)


def page_errors(page) -> list[str]:
    """Error outputs, tracebacks and broken-widget texts anywhere on the page."""
    return page.evaluate(r"""([broken, internal]) => {
      const found = [];
      const outs = [...document.querySelectorAll('.jp-OutputArea-output')].filter(o => !o.closest('.jp-LogConsolePanel'));
      for (const o of outs) {
        const mime = o.getAttribute('data-mime-type') || '';
        const text = (o.textContent || '').trim();
        if (mime.includes('error')) found.push('error output: ' + text.slice(0, 400));
        else if (mime.includes('stderr') && /Traceback|Error/.test(text)) found.push('stderr: ' + text.slice(0, 400));
        else if (o.matches('.jp-RenderedText, :has(> .jp-RenderedText)') && /Traceback \(most recent call last\)|^\w*Error\b/m.test(text))
          found.push('error text: ' + text.slice(0, 400));
      }
      for (const a of document.querySelectorAll('[role="alert"]'))
        if (a.textContent.includes(internal) && !a.closest('[data-xz-widget]')) found.push('widget reports an internal error: ' + a.textContent.trim().slice(0, 300));
      for (const m of document.querySelectorAll('.xinzhi-message'))
        found.push('course error message: ' + m.textContent.trim().slice(0, 300));
      for (const t of window.__xz.brokenTexts(broken)) found.push(`"${t}" on the page`);
      const body = document.body.innerText || '';
      if (/There was an error when executing cell/.test(body)) found.push('Voilà: "There was an error when executing cell"');
      return found;
    }""", [BROKEN_WIDGET_TEXTS, INTERNAL_ERROR_MARK])


def wait_widgets_rendered(page, timeout: float = WIDGETS_RENDER) -> int:
    """Wait until every widget output shows its view, and every ipympl canvas has something drawn."""
    deadline = time.monotonic() + timeout
    count, stable = -1, 0
    while time.monotonic() < deadline:
        state = page.evaluate(r"""(broken) => {
          const xz = window.__xz;
          const outs = xz.widgetOutputs();
          const loading = xz.brokenTexts(broken).length > 0;
          const pending = outs.filter(o => !o.querySelector('.jupyter-widgets')).length;
          const blank = [...document.querySelectorAll('.jupyter-matplotlib-canvas-div')]
              .map(d => d.querySelector('canvas')).filter(Boolean)
              .filter(c => xz.inkOf(c).ink < 0.005).length;
          return {count: outs.length, loading, pending, blank};
        }""", BROKEN_WIDGET_TEXTS)
        good = not state["loading"] and not state["pending"] and not state["blank"]
        if good and state["count"] == count:
            stable += 1
            if stable >= 3:        # the same widgets, all drawn, for three polls in a row
                return count
        else:
            stable = 0
        count = state["count"]
        time.sleep(0.25)
    return count


def check_rendered(page, report: Report) -> list[dict]:
    """Every widget output rendered, every canvas drawn; returns the widgets' descriptions."""
    total = page.evaluate("() => window.__xz.mark()")
    widgets = [page.evaluate("(i) => window.__xz.describe(i)", i) for i in range(total)]
    for index, info in enumerate(widgets):
        for message in alerts(page, index):
            if INTERNAL_ERROR_MARK in message:
                report.add(info["title"], f"the widget reports an internal error: {message}")
        if not info["rendered"]:
            report.add(info["title"], f"widget output not rendered; it shows: {info['text']!r}")
        for n, canvas in enumerate(info["canvases"], start=1):
            if canvas["w"] < 50 or canvas["h"] < 50:
                report.add(info["title"], f"figure {n} is {canvas['w']}×{canvas['h']} px: too small to see")
            elif canvas["ink"] < 0.005 or canvas["colours"] < 3:
                report.add(info["title"], f"figure {n} is blank ({canvas['ink']:.1%} of pixels drawn, "
                                          f"{canvas['colours']} colours)")
    return widgets


def figure_of(page, index: int) -> str:
    return page.evaluate("(i) => window.__xz.figureOf(i)", index)


def wait_change(page, index: int, before: str, timeout: float) -> str | None:
    """The figure's new signature once it changed and then stayed still for SETTLE s; None if it never changed."""
    deadline = time.monotonic() + timeout
    current = before
    while time.monotonic() < deadline:
        current = figure_of(page, index)
        if current != before:
            return settle(page, index, current)
        time.sleep(0.04)
    return None


def settle(page, index: int, current: str, limit: float = 5.0) -> str:
    quiet_since = time.monotonic()
    end = quiet_since + limit
    while time.monotonic() < end:
        time.sleep(0.06)
        now = figure_of(page, index)
        if now != current:
            current, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since >= SETTLE:
            break
    return current


def widget_root(page, index: int):
    return page.locator(f"[data-xz-widget='{index}']")


def alerts(page, index: int) -> list[str]:
    return page.evaluate("(i) => window.__xz.alerts(document.querySelector(`[data-xz-widget=\"${i}\"]`))", index)


def _slider(page, index: int, slider_no: int):
    return widget_root(page, index).locator(f"[data-xz-slider='{slider_no}']")


def slider_value(page, index: int, slider_no: int) -> str:
    """The slider's readout as shown (aria-valuenow is rounded to one decimal by the slider library)."""
    element = _slider(page, index, slider_no)
    readout = element.locator(".widget-readout")
    if readout.count():
        return (readout.first.text_content() or "").strip()
    return element.locator(".noUi-handle").first.get_attribute("aria-valuenow") or ""


def press_on_slider(page, index: int, slider_no: int, key: str) -> tuple[str, str]:
    handle = _slider(page, index, slider_no).locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    before = slider_value(page, index, slider_no)
    page.keyboard.press(key)
    return before, slider_value(page, index, slider_no)


def exercise_slider(page, index: int, slider_no: int, title: str, label: str, report: Report,
                    extra_errors, *, full: bool = True) -> None:
    """End/Home and steps by keyboard: each move must change the figure (or show a Chinese message).

    Normally End, Home, then ArrowRight from the low end; a slider that starts at its maximum gets
    Home, End, then ArrowLeft from the high end.
    """
    label = label.strip() or f"slider {slider_no + 1}"
    changed_once = False
    problems_before = len(report.problems)
    plan = ["End", "Home", "ArrowRight"]
    step = 0
    while step < len(plan) and (full or plan[step] in {"End", "Home"}):
        key = plan[step]
        step += 1
        before_fig = figure_of(page, index)
        small = key.startswith("Arrow")
        moved_from = moved_to = None
        after = None
        for _ in range(3 if small else 1):      # a small step may not move a pixel: allow three
            old, new = press_on_slider(page, index, slider_no, key)
            moved_from = old if moved_from is None else moved_from
            moved_to = new
            if new == old:
                break
            after = wait_change(page, index, before_fig, MAY_CHANGE if small else MUST_CHANGE)
            if after is not None:
                break
        if moved_from == moved_to:
            if key == "End" and step == 1:        # already at its maximum: come from the other end
                plan = ["Home", "End", "ArrowLeft"]
                step = 0
                continue
            report.add(title, f"slider “{label}” did not move on {key} (value stayed {moved_from})")
            continue
        problems = extra_errors()
        if problems:
            report.add(title, f"slider “{label}” {key} ({moved_from} → {moved_to}): " + "; ".join(problems))
            return
        if after is not None:
            changed_once = True
            continue
        shown = [a for a in alerts(page, index) if CJK.search(a)]
        if shown and not any(INTERNAL_ERROR_MARK in a for a in shown):
            continue   # the value cannot be used and the widget says why, in Chinese
        report.add(title, f"slider “{label}” {key} ({moved_from} → {moved_to}): the figure did not change"
                          + (f"; message: {shown}" if shown else ""))
    if not changed_once and len(report.problems) == problems_before:
        report.add(title, f"slider “{label}”: no move changed the figure")


def exercise_dropdown(page, index: int, number: int, info: dict, title: str, report: Report, extra_errors) -> None:
    label = info["label"].strip() or f"menu {number + 1}"
    select = widget_root(page, index).locator(f"[data-xz-dropdown='{number}'] select")
    changed = False
    order = [v for v in info["options"] if v != info["value"]] + [info["value"]]
    for value in order:
        text = info["labels"][info["options"].index(value)]
        select.scroll_into_view_if_needed()
        before = figure_of(page, index)
        select.select_option(value)
        after = wait_change(page, index, before, MAY_CHANGE)
        changed = changed or after is not None
        problems = extra_errors()
        if problems:
            report.add(title, f"menu “{label}” = “{text}”: " + "; ".join(problems))
            return
        internal = [a for a in alerts(page, index) if INTERNAL_ERROR_MARK in a]
        if internal:
            report.add(title, f"menu “{label}” = “{text}”: internal error shown: {internal[0]}")
            return
    if not changed and len(order) > 1:
        report.add(title, f"menu “{label}”: none of its {len(order)} options changed the widget")


NOTE_GAP = 12     # CSS px: a message about a box starts this close under it
# How far under number box ``number`` of widget ``index`` the nearest message begins (None: no message under it)
NOTE_GAP_JS = """([i, n]) => {
  const root = document.querySelector(`[data-xz-widget="${i}"]`);
  const box = root.querySelector(`[data-xz-number="${n}"]`).getBoundingClientRect();
  let best = null;
  for (const a of root.querySelectorAll('[role="alert"]')) {
    const r = a.getBoundingClientRect();
    if (!r.height || r.right < box.left || r.left > box.right || r.top < box.bottom - 2) continue;
    best = best === null ? r.top - box.bottom : Math.min(best, r.top - box.bottom);
  }
  return best;
}"""


def exercise_number_box(page, index: int, number: int, info: dict, title: str, report: Report, extra_errors) -> None:
    label = info["label"].strip() or f"box {number + 1}"
    box = widget_root(page, index).locator(f"[data-xz-number='{number}'] input")
    for bad in BAD_TYPING + [info["value"]]:
        box.scroll_into_view_if_needed()
        before = figure_of(page, index) + "|" + "|".join(alerts(page, index))
        box.fill(bad)
        box.press("Enter")
        deadline = time.monotonic() + MAY_CHANGE
        while time.monotonic() < deadline:
            now = figure_of(page, index) + "|" + "|".join(alerts(page, index))
            if now != before:
                settle(page, index, figure_of(page, index))
                break
            time.sleep(0.05)
        problems = extra_errors()
        shown = alerts(page, index)
        if problems:
            report.add(title, f"box “{label}” typed {bad!r}: " + "; ".join(problems))
            return
        internal = [a for a in shown if INTERNAL_ERROR_MARK in a or "Traceback" in a]
        if internal:
            report.add(title, f"box “{label}” typed {bad!r}: internal error shown: {internal[0]}")
            return
        if shown and not any(CJK.search(a) for a in shown):
            report.add(title, f"box “{label}” typed {bad!r}: message not in Chinese: {shown}")
        if bad == "abc":     # never a number: the message must stand right under the box typed into
            gap = page.evaluate(NOTE_GAP_JS, [index, number])
            if gap is None or gap > NOTE_GAP:
                report.add(title, f"box “{label}” typed {bad!r}: no message right under the box "
                                  f"({'none found' if gap is None else f'the nearest is {gap:.0f} px below it'})")
        text = widget_root(page, index).text_content() or ""
        if "Traceback" in text or "Error:" in text:
            report.add(title, f"box “{label}” typed {bad!r}: error text in the widget: {text[:200]!r}")
            return


def settle_layout(page, limit: float = 15.0) -> None:
    """Wait until sizes and figure pixels stop changing (after a resize, widgets lay out and redraw)."""
    end = time.monotonic() + limit
    last, stable = None, 0
    while time.monotonic() < end and stable < 3:
        time.sleep(0.3)
        now = page.evaluate("() => window.__xz.layoutSignature()")
        stable = stable + 1 if now == last else 0
        last = now


def check_screen(page, report: Report, screen: Screen, frontend: str, name: str, area: str | None = None,
                 *, one_view: bool = False) -> None:
    """On ``screen``: nothing sticks out of the visible notebook (``area``: its scrolling element; None: the
    window), no slider track under MIN_SLIDER_TRACK, no label cut off, no chart text shown under
    MIN_CHART_TEXT; with ``one_view``, every widget's controls and figure fit the window together. A
    screenshot in test-artifacts/."""
    use_screen(page, screen)
    settle_layout(page)
    charts_fit = not screen.mobile   # on a phone a chart may scroll sideways in its own box; elsewhere it fits
    problems = page.evaluate("(args) => window.__xz.layoutProblems(args)", [area, MIN_SLIDER_TRACK, charts_fit])
    problems += chart_text_problems(page)
    if one_view:
        problems += one_view_problems(page)
    for problem in problems:
        report.add(problem["widget"], f"{screen.name} ({screen.width}×{screen.height} CSS px): {problem['what']}")
    full_screenshot(page, SCREENSHOTS / f"{frontend}-{screen.name}-{name}.png")


MIN_CHART_TEXT = 11      # CSS px: chart text is never shown smaller


def chart_text_problems(page) -> list[dict]:
    """Figures whose smallest text is shown under MIN_CHART_TEXT CSS px: the size it was drawn at, scaled by
    the width the page gives the figure (a wide picture squeezed by CSS shrinks its text)."""
    return page.evaluate("(px) => window.__xz.chartTextProblems(px)", MIN_CHART_TEXT)


# Widgets whose controls and figure do not yet fit one projector view together (known, to be redesigned): for
# these only the figure itself must fit the window. Keep this list short; it is not a place for new widgets.
ONE_VIEW_NOT_YET = {
    "因地制宜：给候选地打分": "thirty sliders (weights and scores of four places) take more than the window",
    "增长核算：GDP 增长从哪里来？": "seven controls in four rows and two panels whose legends stand below: about 550 px",
}


def one_view_problems(page) -> list[dict]:
    """Widgets whose controls and figure do not fit the window together, or that scroll inside themselves."""
    return page.evaluate("(tooTall) => window.__xz.oneViewProblems(tooTall)", list(ONE_VIEW_NOT_YET))


def full_screenshot(page, path: Path) -> None:
    """The whole notebook in one picture: grow the window by what its scrolling panel hides, then shoot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    screen = getattr(page, "_xz_screen", LAPTOP)
    hidden = page.evaluate("""() => {
      let most = 0;
      for (const el of [document.scrollingElement, ...document.querySelectorAll('*')]) {
        if (!el) continue;
        const style = getComputedStyle(el);
        const scrolls = el === document.scrollingElement || /(auto|scroll)/.test(style.overflowY);
        if (scrolls) { most = Math.max(most, el.scrollHeight - el.clientHeight); el.scrollTop = 0; }
      }
      return most;
    }""")
    height = int(min(screen.height + hidden + 40, 14000 / screen.scale))
    try:
        use_screen(page, screen, height)
        page.wait_for_timeout(800)
        # through the same DevTools session: Playwright's own screenshot would use its own viewport size
        shot = page._xz_cdp.send("Page.captureScreenshot", {"format": "png"})
        path.write_bytes(base64.b64decode(shot["data"]))
    finally:
        use_screen(page, screen)


def measure_latency(page, index: int, slider_no: int, presses: int = 10) -> list[float]:
    """Key press → changed figure pixels, in ms, for ``presses`` presses alternating right and left."""
    handle = _slider(page, index, slider_no).locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.keyboard.press("Home")
    settle(page, index, figure_of(page, index), limit=3)
    samples = []
    for n in range(presses):
        key = "ArrowRight" if n % 2 == 0 else "ArrowLeft"
        page.evaluate("(i) => window.__xz.armLatency(i, 10000)", index)
        handle.focus()
        page.keyboard.press(key)
        ms = page.evaluate("() => window.__xzLatency")
        if ms is not None:
            samples.append(round(ms, 1))
        settle(page, index, figure_of(page, index), limit=3)
    return samples


def merge_json(path: Path, entries: dict, sort: bool = False) -> None:
    """Add ``entries`` to the JSON object in ``path`` (made if missing), replacing the file in one step."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data.update(entries)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(dict(sorted(data.items())) if sort else data, out, ensure_ascii=False, indent=2)
    os.replace(tmp, path)


def record_latency(frontend: str, entry: dict) -> None:
    """Merge one measurement into test-artifacts/browser_latency.json (read by the benchmarks)."""
    merge_json(LATENCY_FILE, {
        "description": ("Key press on a widget slider until the figure's canvas pixels change, in a real "
                        "Chromium; median of the presses. A measurement, not a test threshold."),
        frontend: entry})


def latency_entry(notebook: str, title: str, label: str, samples: list[float], browser_version: str) -> dict:
    return {
        "notebook": notebook, "widget": title, "slider": label.strip(), "presses": len(samples),
        "median_ms": round(statistics.median(samples), 1) if samples else None,
        "min_ms": min(samples) if samples else None, "max_ms": max(samples) if samples else None,
        "samples_ms": samples, "browser": browser_version,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "cpus": os.cpu_count(),
    }


TIMINGS: dict[str, float] = {}


def record_timing(name: str, seconds: float) -> None:
    """Seconds one notebook took in one frontend; kept in test-artifacts/browser_timings.json."""
    TIMINGS[name] = round(seconds, 1)
    merge_json(ARTIFACTS / "browser_timings.json", {name: TIMINGS[name]}, sort=True)


def latency_notebook(notebooks: list[Path]) -> str | None:
    """The notebook whose first figure slider is timed: the first that builds a course FigureWidget."""
    for path in notebooks:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        if re.search(r"xinzhi\.widgets\.\w+ import", text):
            return path.stem
    return None


# ---------------------------------------------------------------------------------------------
# Predict, then reveal; and one self-check question answered wrong, then right
# ---------------------------------------------------------------------------------------------

def _wait_text(locator, pattern: str, timeout: float = MUST_CHANGE) -> str:
    """The locator's text once it matches ``pattern`` (regex); "" if it never does."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = re.sub(r"\s+", "", locator.text_content() or "")
        if re.search(pattern, text):
            return text
        time.sleep(0.1)
    return ""


def make_predictions(page, report: Report) -> int:
    """In every predict-then-reveal box: a word is refused in Chinese, a number is locked, 揭晓 shows
    guess against result. Until then the widget's controls are locked, so this comes before the widgets
    are described and driven. Returns how many boxes there were."""
    boxes = page.locator(".xinzhi-predict")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        entry = box.locator(".xinzhi-guess input")
        entry.scroll_into_view_if_needed()
        entry.fill("很多")
        entry.press("Enter")
        if not _wait_text(box, "不是数字"):
            report.add(f"prediction {i + 1}", "a word typed as the guess got no Chinese message")
        entry.fill("12")
        entry.press("Enter")
        reveal = box.locator("button", has_text="揭晓")
        try:
            reveal.wait_for(state="visible", timeout=MUST_CHANGE * 1000)
            reveal.click()
        except Exception as err:  # noqa: BLE001 - reported with its place
            report.add(f"prediction {i + 1}", f"the guess was not locked (no 揭晓 button): {err}")
            continue
        if not _wait_text(box, r"你的猜测：12.*结果："):
            report.add(f"prediction {i + 1}", f"no guess against result after 揭晓: {box.text_content()!r}")
    return boxes.count()


def answer_wrong_then_right(page, question, report: Report) -> None:
    """Answer a choice question of the self-check (``question`` from its bank) wrong, then right."""
    block = page.locator(".xinzhi-quiz .xinzhi-question").nth(question.number - 1)
    block.scroll_into_view_if_needed()
    feedback = block.locator("[role='status']")

    def choose(text: str) -> None:
        block.locator("label", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")).first.click()

    plain = lambda text: re.sub(r"\s+", "", text)  # noqa: E731
    wrong = next(o for o in question.options if not o.right)
    choose(wrong.text)
    shown = _wait_text(feedback, re.escape(plain(wrong.feedback)))
    if not shown:
        report.add("自测", f"question {question.id}: wrong option “{wrong.text}” did not show its own feedback "
                           f"({feedback.all_text_contents()})")
    elif plain(question.right_option.text) in shown or plain(question.explanation) in shown:
        report.add("自测", f"question {question.id}: the answer shows after the first wrong try")
    choose(question.right_option.text)
    if not _wait_text(feedback, "答对了" + ".*" + re.escape(plain(question.explanation)[:20])):
        report.add("自测", f"question {question.id}: the right option was not accepted "
                           f"({feedback.all_text_contents()})")


def first_choice_question(notebook: str):
    """The first choice question of the notebook's self-check bank."""
    from xinzhi.quiz import bank

    return next(q for q in bank.load(notebook[:2]).questions if q.is_choice)


def open_solutions(page, report: Report) -> int:
    """Unfold every 参考解答 and check it shows as text (paragraphs or a list), not as raw Markdown."""
    folded = page.locator("details")
    for i in range(folded.count()):
        item = folded.nth(i)
        item.locator("summary").first.scroll_into_view_if_needed()
        item.locator("summary").first.click()
        shown = item.evaluate("""el => ({open: el.open, blocks: el.querySelectorAll('p, li').length,
                                         text: el.innerText.trim()})""")
        raw = "**" in shown["text"] or "<details" in shown["text"] or "<summary" in shown["text"]
        if not shown["open"] or not shown["blocks"] or raw:
            report.add("参考解答", f"worked solution {i + 1} does not unfold as text: {shown['text'][:160]!r}")
    return folded.count()
