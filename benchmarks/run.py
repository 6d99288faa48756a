"""Measure the course side by side with a baseline run on the same machine, in the same run.

    .venv/bin/python benchmarks/run.py            # everything (a few minutes)
    .venv/bin/python benchmarks/run.py --quick    # fewer updates, no fresh install
    .venv/bin/python benchmarks/run.py --widgets  # widget updates only (about a minute)

Prints a readable table, then, as the very last line, one JSON object. Figures are ratios against a
baseline measured in the same run, so they can be compared across machines:

- widget_update_ratio_max: per course widget, the median time of one update (control change and redraw,
  until the new pixels are sent) in a real kernel, divided by the median of the same figure redrawn by
  ``ipywidgets.interact`` re-creating it; the worst widget. The first slider or menu of each widget goes back
  and forth between two values. Per widget, ``blit_share`` is the share of those updates that redrew only
  what changed, some axes at most (see ``xinzhi/widgets/blitting.py``). widget_sweep_ratio_max: the same with
  the control swept across its whole range (new values every time, as when a slider is dragged), ``sweep_blit_share`` per widget.
- kernel_rss_ratio_max: kernel memory after running a notebook top to bottom, divided by a kernel that only
  imported numpy, pandas, matplotlib, ipywidgets and the course package; the worst notebook.
- course_exec_ratio: wall time to execute every notebook headless, divided by the time to start as many bare
  kernels and run the imports.
- browser_latency_ms: key press → new figure pixels in JupyterLab for the first widget slider of notebook 01,
  median (test-artifacts/browser_latency.json, written by ``benchmarks/browser_latency.py`` and the browser
  suite); browser_latency_slowest_ms: the same for the slowest course widget.
- class_capacity_p95_250ms and class_latency: from benchmarks/class_capacity.py (N simulated participants on
  one server; about 12–15 minutes on 2 cores), copied from test-artifacts/class_capacity.json when that file
  exists; ``--class-capacity`` runs it first.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
IMPORTS = "import numpy, pandas, matplotlib, ipywidgets, xinzhi"

# Runs inside a kernel: time `n` updates of every course widget, and of the interact baseline.
WIDGET_TIMING = r'''
import importlib, json, pkgutil, statistics, time, warnings
import ipywidgets as w, matplotlib, matplotlib.pyplot as plt
import xinzhi, xinzhi.widgets
from xinzhi.widgets.base import FigureWidget
from IPython.display import display
for m in pkgutil.iter_modules(xinzhi.widgets.__path__):
    importlib.import_module("xinzhi.widgets." + m.name)
def classes():
    todo, seen = list(FigureWidget.__subclasses__()), []
    while todo:
        c = todo.pop(); todo.extend(c.__subclasses__()); seen.append(c)
    return sorted(set(seen), key=lambda c: c.__module__ + c.__qualname__)
def moving_control(widget):
    """The first slider or menu, two values to go back and forth between, and a sweep over its range."""
    for name, c in widget.controls.items():
        if isinstance(c, (w.FloatSlider, w.IntSlider)) and name not in widget.inert_controls:
            steps = [c.min + (c.max - c.min) * i / (N - 1) for i in range(N)]
            if isinstance(c, w.IntSlider):   # every whole value, up and down again as often as needed
                steps = list(range(int(c.min), int(c.max) + 1))
                steps = (steps + steps[-2:0:-1]) * N
            return name, [c.min + (c.max - c.min) * f for f in (0.3, 0.7)], steps[:N]
        if isinstance(c, w.Dropdown) and len(c.options) > 1 and name not in widget.inert_controls:
            values = [v for _, v in c._options_full]
            return name, values[:2], [values[i % len(values)] for i in range(N)]
    return None, None, None
results = {}
N = __N__
ONLY = __ONLY__
for cls in classes():
    label = cls.__module__.rsplit(".", 1)[-1] + "." + cls.__name__
    if ONLY and not any(part in label for part in ONLY):
        continue
    widget = cls()
    name, values, sweep = moving_control(widget)
    if name is None:
        continue
    control = widget.controls[name]
    display(widget.widget)
    # as once a browser has shown the figure: every update has sent its new pixels when it returns (blitted,
    # or drawn in full at once)
    widget.fig.canvas.syncing_data_url = False
    widget.fig.canvas.draw()
    course, blits = [], 0
    for i in range(N):
        t = time.perf_counter()
        control.value = values[i % 2]
        course.append(time.perf_counter() - t)
        blits += getattr(widget, "last_redraw", "full") != "full"
    # a slider dragged across its whole range (every menu option in turn): values not seen just before
    swept, swept_blits = [], 0
    for value in sweep:
        t = time.perf_counter()
        control.value = value
        swept.append(time.perf_counter() - t)
        swept_blits += getattr(widget, "last_redraw", "full") != "full"
    # baseline: the classic interact pattern, the whole figure re-created on every change
    current = dict(widget.values())
    def redraw(value):
        fig, ax = xinzhi.charts.new_figure(*cls.figure_size, *cls.figure_grid, interactive=True)
        widget.fig, widget.ax = fig, ax
        widget.setup(fig, ax)
        xinzhi.charts.set_source(fig, widget.source())
        widget.update(**{**current, name: value})
        display(fig)
        plt.close(fig)
    slider = w.SelectionSlider(options=values, value=values[0])
    plt.switch_backend("module://matplotlib_inline.backend_inline")
    w.interact(redraw, value=slider)
    baseline = []
    for i in range(N):
        t = time.perf_counter()
        slider.value = values[(i + 1) % 2]
        baseline.append(time.perf_counter() - t)
    plt.switch_backend("module://ipympl.backend_nbagg")
    q = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p * len(xs)))]
    results[label] = {"median": statistics.median(course), "p95": q(course, 0.95),
                      "baseline_median": statistics.median(baseline), "baseline_p95": q(baseline, 0.95),
                      "blit_share": blits / N, "control": name,
                      "sweep_median": statistics.median(swept), "sweep_blit_share": swept_blits / len(swept)}
print("RESULT" + json.dumps(results))
'''


class Kernel:
    """A kernel started like a participant's (interactive figures), driven through jupyter_client."""

    def __init__(self, cwd: Path, workspace: Path):
        env = dict(os.environ, XINZHI_WORKSPACE=str(workspace))
        env.pop("MPLBACKEND", None)
        self.manager, self.client = start_new_kernel(kernel_name="python3", cwd=str(cwd), env=env)

    def run(self, code: str, timeout: float = 600) -> str:
        chunks = []

        def keep(msg):
            if msg["msg_type"] == "stream":
                chunks.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                raise RuntimeError(f"{msg['content']['ename']}: {msg['content']['evalue']}")

        self.client.execute_interactive(code, output_hook=keep, timeout=timeout)
        return "".join(chunks)

    def rss(self) -> int:
        return psutil.Process(self.manager.provisioner.process.pid).memory_info().rss

    def close(self):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


def code_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def widget_updates(updates: int, workspace: Path, only: list[str] | None = None) -> dict:
    kernel = Kernel(ROOT / "notebooks", workspace)
    try:
        kernel.run("%matplotlib widget\nimport xinzhi")
        out = kernel.run(WIDGET_TIMING.replace("__N__", str(updates)).replace("__ONLY__", repr(only or [])),
                         timeout=3600)   # 13 widgets × (back and forth, sweep, interact) on a busy machine
    finally:
        kernel.close()
    return json.loads(out.split("RESULT", 1)[1])


def kernel_memory(workspace: Path) -> tuple[int, dict]:
    baseline_kernel = Kernel(ROOT / "notebooks", workspace)
    try:
        baseline_kernel.run(IMPORTS)
        baseline = baseline_kernel.rss()
    finally:
        baseline_kernel.close()
    per_notebook = {}
    for path in NOTEBOOKS:
        kernel = Kernel(ROOT / "notebooks", workspace)
        try:
            for source in code_cells(path):
                kernel.run(source)
            per_notebook[path.stem] = kernel.rss()
        finally:
            kernel.close()
    return baseline, per_notebook


def course_execution(workspace: Path) -> tuple[float, float]:
    start = time.perf_counter()
    for path in NOTEBOOKS:
        kernel = Kernel(ROOT / "notebooks", workspace)
        try:
            for source in code_cells(path):
                kernel.run(source)
        finally:
            kernel.close()
    course = time.perf_counter() - start
    start = time.perf_counter()
    for _ in NOTEBOOKS:
        kernel = Kernel(ROOT / "notebooks", workspace)
        try:
            kernel.run(IMPORTS)
        finally:
            kernel.close()
    return course, time.perf_counter() - start


def fresh_install() -> tuple[float, int]:
    """A new venv with the participant's packages (pip's cache warm, as on a second machine in a class)."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "venv"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(target)], check=True)
        pip = target / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        subprocess.run([str(pip), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r",
                        str(ROOT / "requirements.txt"), "-c", str(ROOT / "constraints.txt"), "-e", str(ROOT)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file() and not f.is_symlink())
    return seconds, size


def browser_latency(summary: dict) -> None:
    """Key press → new figure pixels in JupyterLab, as the browser suite and benchmarks/browser_latency.py left it."""
    path = ROOT / "test-artifacts" / "browser_latency.json"
    try:
        measured = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        print("browser latency: not measured yet (run benchmarks/browser_latency.py, or the browser suite)")
        return
    first, every = measured.get("jupyterlab") or {}, measured.get("jupyterlab_widgets") or {}
    summary["browser_latency_ms"] = first.get("median_ms")
    summary["browser_latency_slowest_ms"] = every.get("slowest_median_ms")
    summary["browser_latency"] = measured
    print(f"browser key press → new figure, JupyterLab: {first.get('notebook')} “{first.get('slider')}” "
          f"{first.get('median_ms')} ms (median of {first.get('presses')}, measured {first.get('measured_at')}); "
          f"slowest widget: {every.get('slowest')} {every.get('slowest_median_ms')} ms"
          + (f"; Voilà {measured['voila'].get('median_ms')} ms" if measured.get("voila") else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20 updates per widget, no fresh install")
    parser.add_argument("--widgets", action="store_true", help="widget updates only: no memory, course or install runs")
    parser.add_argument("--updates", type=int, default=60)
    parser.add_argument("--only", nargs="*", help="with --widgets: only widgets whose name contains one of these")
    parser.add_argument("--class-capacity", action="store_true",
                        help="first run benchmarks/class_capacity.py (about 12–15 minutes)")
    args = parser.parse_args()
    updates = 20 if args.quick else args.updates
    summary: dict = {"machine": f"{platform.system()} {platform.machine()}, {psutil.cpu_count()} cores, "
                                f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}",
                     "load_average_at_start": [round(v, 1) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None}
    workspace = Path(tempfile.mkdtemp(prefix="xinzhi-bench-"))
    try:
        widgets = widget_updates(updates, workspace, args.only if args.widgets else None)
        print(f"\n机器 / machine: {summary['machine']}; load average at start {summary['load_average_at_start']}\n")
        print(f"{'widget':36} {'median ms':>10} {'p95 ms':>8} {'interact ms':>12} {'ratio':>6} {'blitted':>8}"
              f"   {'sweep ms':>9} {'ratio':>6} {'blitted':>8}")
        for label, r in widgets.items():
            r["ratio"] = r["median"] / r["baseline_median"]
            r["sweep_ratio"] = r["sweep_median"] / r["baseline_median"]
            print(f"{label:36} {r['median']*1e3:10.1f} {r['p95']*1e3:8.1f} {r['baseline_median']*1e3:12.1f} "
                  f"{r['ratio']:6.2f} {r['blit_share']:8.0%}   {r['sweep_median']*1e3:9.1f} {r['sweep_ratio']:6.2f} "
                  f"{r['sweep_blit_share']:8.0%}")
        summary["widget_update_ratio_max"] = round(max(r["ratio"] for r in widgets.values()), 3)
        summary["widget_sweep_ratio_max"] = round(max(r["sweep_ratio"] for r in widgets.values()), 3)
        summary["widget_updates"] = updates
        summary["widgets"] = {
            k: {x: v if x == "control" else round(v, 3) if "ratio" in x or "share" in x else round(v * 1e3, 2)
                for x, v in r.items()}
            for k, r in widgets.items()}
        if args.widgets:
            browser_latency(summary)
            return
        baseline, memory = kernel_memory(workspace)
        print(f"\n{'notebook':24} {'kernel RSS MB':>14} {'ratio':>6}   (import-only kernel: {baseline / 2**20:.0f} MB)")
        for name, rss in memory.items():
            print(f"{name:24} {rss / 2**20:14.0f} {rss / baseline:6.2f}")
        summary["kernel_rss_ratio_max"] = round(max(memory.values()) / baseline, 3)
        summary["kernel_rss_mb"] = {k: round(v / 2**20, 1) for k, v in memory.items()}
        summary["import_only_rss_mb"] = round(baseline / 2**20, 1)

        course, bare = course_execution(workspace)
        summary["course_exec_ratio"] = round(course / bare, 3)
        summary["course_exec_seconds"], summary["bare_kernels_seconds"] = round(course, 1), round(bare, 1)
        print(f"\nwhole course headless: {course:.1f} s; {len(NOTEBOOKS)} bare kernels + imports: {bare:.1f} s; "
              f"ratio {course / bare:.2f}")

        if not args.quick:
            seconds, size = fresh_install()
            summary["fresh_install_seconds"], summary["fresh_install_mb"] = round(seconds, 1), round(size / 2**20)
            print(f"fresh install (warm pip cache): {seconds:.0f} s, {size / 2**20:.0f} MB")
        browser_latency(summary)
        capacity = ROOT / "test-artifacts" / "class_capacity.json"
        if args.class_capacity:
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "class_capacity.py"), "--out", str(capacity)],
                           check=True)
        measured = json.loads(capacity.read_text(encoding="utf-8")) if capacity.exists() else {}
        if measured and not measured.get("quick"):
            summary["class_capacity_p95_250ms"] = measured["class_capacity_p95_250ms"]
            summary["class_latency"] = measured["class_latency"]
            print(f"class on one server: largest N with p95 ≤ 250 ms = {measured['class_capacity_p95_250ms']} "
                  f"(benchmarks/class_capacity.py, {measured['machine']})")
        else:
            print("class capacity: run benchmarks/class_capacity.py first, or this script with --class-capacity")
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
