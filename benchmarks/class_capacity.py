"""How many participants one server carries: N simulated participants move course widgets at a human pace.

    sudo .venv/bin/python benchmarks/class_capacity.py                  # N = 1, 10, 20, 30, 40, then 30 again
    sudo .venv/bin/python benchmarks/class_capacity.py --quick          # 2 participants, one burst each
    sudo .venv/bin/python benchmarks/class_capacity.py --hub --points 1,10,20,30   # on the course's JupyterHub
    sudo .venv/bin/python benchmarks/class_capacity.py --together       # everyone drags at the same moment

The default run takes about 13 minutes on 2 busy cores (a 60 s window per point, and setting up each new
participant's kernel between points); ``--quick`` about a minute; ``--hub --points 1,8 --window 45`` took
5½ minutes (the hub and each participant's server start too). Root is needed because the client comes from the hub test (see below).

Each participant has a kernel of their own and runs the widget cells of notebooks 01, 02, 04 and 07 in it, as
the notebooks do. Then, like a browser, they drive the figures through the kernel websocket: ipywidgets
``comm_msg`` "update" messages with a slider's new value (at most one update in flight per slider, the next
value held back until the kernel is idle, as the ipywidgets front end does), and ipympl's "draw" requests when
the figure asks for them (one at a time, as ipympl's front end does). At a human pace: a burst of 5–10 slider
moves 100–200 ms apart, then a pause of 15–30 s; the bursts go round the four notebooks, each on one of the
notebook's widgets picked at random.

A move's latency is the time from the move to the first image of that figure the kernel sent after it had
the move (the image message's parent is the move or a later message on the same channel). The figure for the
last value of every burst must arrive (``final_figures_missing`` counts those that did not within 30 s).

``--together`` measures the other classroom moment: the instructor says "now everybody drag the slider", and
every participant makes one burst, all starting within 2 s (written to class_capacity_together.json).

Participants join ten at a time (their kernels are set up between measurements, not during them); every
point measures all of them for ``--window`` seconds. CPU is the processes' own CPU time during the window;
memory is RSS and USS (RSS without pages shared with other processes) at the end of it. The load generator
runs on the same machine (browsers would not); its CPU is reported too, as is the machine's load average.

By default all kernels run under one Jupyter server (jupyter_server, the server JupyterLab runs on); ``--hub``
uses the hub of tests/hub/ instead (deploy/jupyterhub_config.py, one system user and one server per
participant, removed afterwards; needs root, Node.js and the hub packages). Participants are driven by the
hub test's own client (tests/hub/test_classroom_hub.py: ``Participant``).

Prints a table, writes test-artifacts/class_capacity.json (``--out``) and prints it as the last line: the
largest N whose p95 latency is at most 250 ms as ``class_capacity_p95_250ms``, the points as
``class_latency``. benchmarks/run.py copies both into its own JSON when the file exists.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import psutil
import requests
import websocket
from jupyter_server.services.kernels.connection.base import deserialize_binary_message

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

try:
    from tests.conftest import free_port  # noqa: E402
    from tests.hub import test_classroom_hub as hub_test  # noqa: E402
except BaseException as err:  # noqa: BLE001 - outside pytest, the module's "skip" (not root, no hub packages)
    sys.exit(f"class_capacity.py drives kernels with the hub test's client, which needs: {err}")

NOTEBOOKS = ("01", "02", "04", "07")
LIMIT_MS = 250
FIGURE_TIMEOUT = 30.0          # seconds a figure may take before a move counts as never answered
OWNER = "kelaoshi"             # the URL prefix of the single Jupyter server (/user/kelaoshi/), as on the hub
WIDGET_CELL = re.compile(r"^from xinzhi\.widgets\.\w+ import ([A-Z]\w*)\s+\1\(\)\s*$")

# Runs first in every participant's kernel; after each widget cell, ``_capacity_keep(notebook, _)``.
KERNEL_SETUP = r'''
import json, os
import ipywidgets as _w
from xinzhi.widgets.base import FigureWidget as _FigureWidget
if __WORKSPACE__:  # one server for everybody: a workspace of one's own (the hub gives each their home)
    os.environ["XINZHI_WORKSPACE"] = __WORKSPACE__
_capacity = []
def _capacity_keep(notebook, widget):
    """The widget's first slider that moves the figure, for the participant to drive."""
    if not isinstance(widget, _FigureWidget) or widget.view is not widget.fig.canvas:
        return
    for name, c in widget.controls.items():
        if isinstance(c, (_w.FloatSlider, _w.IntSlider)) and name not in widget.inert_controls and c.max > c.min:
            _capacity.append({"notebook": notebook, "widget": type(widget).__name__, "control": name,
                              "slider": c.model_id, "canvas": widget.fig.canvas.model_id, "min": c.min,
                              "max": c.max, "step": c.step or 1, "value": c.value,
                              "integer": isinstance(c, _w.IntSlider)})
            return
'''


def widget_cells(notebook_dir: Path) -> list[tuple[str, str]]:
    """(notebook number, source) of every cell that shows a course widget class in 01, 02, 04 and 07."""
    found = []
    for number in NOTEBOOKS:
        path = next(notebook_dir.glob(f"{number}_*.ipynb"))
        for source in hub_test.code_cells(json.loads(path.read_text(encoding="utf-8"))):
            if WIDGET_CELL.match(source.strip()):
                found.append((number, source))
    return found


def quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- where the kernels run ------------------------------------------------------------------------------
class SingleServer:
    """One Jupyter server on 127.0.0.1 for every participant, under the URL prefix a hub would give it."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="xzcap-"))
        self.notebooks = self.folder / "xinzhi"
        shutil.copytree(ROOT / "notebooks", self.notebooks, ignore=shutil.ignore_patterns("my_work", ".ipynb_checkpoints"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(16)
        self.process: subprocess.Popen | None = None

    def workspace(self, number: int) -> str:
        return str(self.folder / "work" / str(number))

    def start(self) -> float:
        began = time.monotonic()
        self.log = open(self.folder / "server.log", "w")
        env = dict(os.environ)
        env.pop("MPLBACKEND", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={self.port}", f"--ServerApp.base_url=/user/{OWNER}/",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.notebooks}"],
            cwd=self.folder, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

        def up():
            if self.process.poll() is not None:
                raise RuntimeError((self.folder / "server.log").read_text()[-3000:])
            return requests.get(f"{self.url}/user/{OWNER}/api/status", timeout=2,
                                headers={"Authorization": f"token {self.token}"}).status_code == 200
        hub_test.wait_for(up, 60, "the Jupyter server")
        return time.monotonic() - began

    def join(self, names: list[str]) -> list[hub_test.Participant]:
        participants = []
        for _ in names:
            p = hub_test.Participant(SimpleNamespace(url=self.url, port=self.port), OWNER)
            p.token = self.token
            participants.append(p)
        return participants

    def processes(self, participant, kernel_id: str) -> list[psutil.Process]:
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                if any(kernel_id in part for part in child.cmdline()):
                    return [child]
            except psutil.Error:
                continue
        return []

    def shared(self) -> list[psutil.Process]:
        return [psutil.Process(self.process.pid)]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            children = psutil.Process(self.process.pid).children(recursive=True)
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
            for child in children:
                if child.is_running():
                    child.kill()
            self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class ClassHub:
    """The course's JupyterHub as tests/hub/ starts it: one system user and one server per participant."""

    def __init__(self, largest: int):
        names = [f"xuesheng{i}" for i in range(1, largest + 1)]
        hub_test.PARTICIPANTS[:] = names  # the test's roster, made as long as asked
        self.hub = hub_test.Hub(Path(tempfile.mkdtemp(prefix="xzcap-hub-")))
        self.notebooks = ROOT / "notebooks"

    def workspace(self, number: int) -> str:
        return ""  # XINZHI_WORKSPACE is the participant's ~/xinzhi/my_work, as on a real server

    def start(self) -> float:
        return self.hub.start()

    def join(self, names: list[str]) -> list[hub_test.Participant]:
        def one(name):
            p = hub_test.Participant(self.hub, name)
            assert p.login(), f"{name} could not log in"
            p.start_server()
            return p
        with ThreadPoolExecutor(5) as pool:
            return list(pool.map(one, names))

    def processes(self, participant, kernel_id: str) -> list[psutil.Process]:
        server = self.hub.server_process(participant.name)
        return [server, *server.children(recursive=True)]

    def shared(self) -> list[psutil.Process]:
        """The hub, the proxy and the hub's services: everything but the participants' servers and kernels."""
        def own(p):
            try:
                return not any(part in " ".join(p.cmdline()) for part in ("singleuser", "ipykernel"))
            except psutil.Error:
                return False
        return list(filter(own, self.hub.processes()))   # the hub's own process among them

    def stop(self) -> None:
        self.hub.stop()


# --- one participant ------------------------------------------------------------------------------------
@dataclass
class Move:
    at: float                   # when the participant moved the slider
    canvas: str
    widget: str
    final: bool
    seq: int | None = None      # the message that carried this value (None while held back)
    latency: float | None = None


@dataclass
class Figures:
    moves: list[Move] = field(default_factory=list)
    bursts: int = 0
    updates: int = 0            # update messages sent (moves held back by the front end are merged)


class Driver:
    """A participant's browser tab, as far as the kernel can tell: comm messages over the kernel websocket."""

    def __init__(self, participant, kernel_id: str, widgets: list[dict], seed: int):
        self.participant, self.kernel_id, self.widgets = participant, kernel_id, widgets
        self.rng = random.Random(seed)
        self.session = uuid.uuid4().hex
        self.seq = 0
        self.seq_of: dict[str, int] = {}
        for widget in widgets:
            widget["current"] = widget["value"]
        self.notebooks = sorted({w["notebook"] for w in widgets})
        self.turn = self.rng.randrange(len(self.notebooks))  # bursts go round the notebooks from a random one

    # messages, as the browser's widget manager sends them
    def send(self, comm_id: str, data: dict) -> str:
        msg_id = uuid.uuid4().hex
        self.seq += 1
        self.seq_of[msg_id] = self.seq
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "session": self.session, "username": self.participant.name,
                       "version": "5.3", "msg_type": "comm_msg", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ")},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"comm_id": comm_id, "data": data}}))
        return msg_id

    def custom(self, canvas: str, kind: str) -> str:
        return self.send(canvas, {"method": "custom", "content": {"type": kind}})

    def update(self, widget: dict, value) -> str:
        msg_id = self.send(widget["slider"], {"method": "update", "state": {"value": value}, "buffer_paths": []})
        self.in_flight[widget["slider"]] = msg_id
        self.updates_sent += 1
        return msg_id

    def receive(self, until: float) -> None:
        """Handle what the kernel sends until ``until`` (monotonic), as the front end would."""
        while True:
            left = until - time.monotonic()
            if left <= 0:
                return
            self.ws.settimeout(left)
            try:
                raw = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                return
            now = time.monotonic()
            msg = deserialize_binary_message(raw) if isinstance(raw, bytes) else json.loads(raw)
            parent = msg.get("parent_header", {}).get("msg_id")
            kind = msg["msg_type"]
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                for slider, msg_id in list(self.in_flight.items()):
                    if msg_id == parent:  # the kernel is done with it: send the value held back, if any
                        del self.in_flight[slider]
                        if slider in self.held:
                            value, moves = self.held.pop(slider)
                            sent = self.update(self.by_slider[slider], value)
                            for move in moves:
                                move.seq = self.seq_of[sent]
            elif kind == "comm_msg" and msg["content"]["comm_id"] in self.waiting:
                canvas = msg["content"]["comm_id"]
                data = msg["content"]["data"]
                if data.get("method") != "custom":
                    continue
                event = json.loads(data["content"].get("data", "{}"))
                if event.get("type") == "draw" and not self.waiting[canvas]:
                    self.waiting[canvas] = True
                    self.custom(canvas, "draw")
                elif event.get("type") == "binary":
                    self.waiting[canvas] = False
                    self.images[canvas] += 1
                    seq = self.seq_of.get(parent, 0)
                    for move in self.open_moves:
                        if move.canvas == canvas and move.seq is not None and move.seq <= seq:
                            move.latency = now - move.at
                    self.open_moves = [m for m in self.open_moves if m.latency is None]

    def connect(self) -> None:
        self.ws = self.participant.websocket(self.participant.name, self.kernel_id, limit=60)
        self.in_flight: dict[str, str] = {}
        self.held: dict[str, tuple] = {}
        self.waiting = {w["canvas"]: False for w in self.widgets}
        self.images = {w["canvas"]: 0 for w in self.widgets}
        self.by_slider = {w["slider"]: w for w in self.widgets}
        self.open_moves: list[Move] = []
        self.updates_sent = 0

    def show_figures(self, limit: float = 120) -> None:
        """What ipympl's front end sends when a figure appears on the page; then its first image."""
        for canvas in self.waiting:
            for kind in ("send_image_mode", "refresh", "initialized"):
                self.custom(canvas, kind)
        deadline = time.monotonic() + limit
        while not all(self.images.values()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no first image from {[c for c, n in self.images.items() if not n]}")
            self.receive(min(deadline, time.monotonic() + 1))

    def next_value(self, widget: dict, direction: int, stride: int):
        lo, hi, step = widget["min"], widget["max"], widget["step"]
        index = round((widget["current"] - lo) / step) + direction * stride
        top = int(round((hi - lo) / step))
        if index < 0 or index > top:
            direction = -direction
            index = min(top, max(0, round((widget["current"] - lo) / step) + direction * stride))
        value = lo + index * step
        value = int(round(value)) if widget["integer"] else round(min(hi, max(lo, value)), 10)
        return value, direction

    def burst(self, figures: Figures) -> None:
        notebook = self.notebooks[self.turn % len(self.notebooks)]
        self.turn += 1
        widget = self.rng.choice([w for w in self.widgets if w["notebook"] == notebook])
        moves = self.rng.randint(5, 10)
        top = max(1, int(round((widget["max"] - widget["min"]) / widget["step"])))
        direction = self.rng.choice((-1, 1))
        figures.bursts += 1
        for i in range(moves):
            stride = self.rng.randint(1, max(1, top // (4 * moves)))
            value, direction = self.next_value(widget, direction, stride)
            if value == widget["current"]:
                continue
            widget["current"] = value
            move = Move(time.monotonic(), widget["canvas"], f"{widget['notebook']} {widget['widget']}",
                        final=i == moves - 1)
            if widget["slider"] in self.in_flight:  # the front end holds it back until the kernel is idle
                held = self.held.get(widget["slider"], (None, []))[1]
                self.held[widget["slider"]] = (value, [*held, move])
            else:
                move.seq = self.seq_of[self.update(widget, value)]
            figures.moves.append(move)
            self.open_moves.append(move)
            if i < moves - 1:
                self.receive(time.monotonic() + self.rng.uniform(0.1, 0.2))
        if figures.moves and not figures.moves[-1].final:
            figures.moves[-1].final = True  # the last value that was really sent is the burst's final one

    def run(self, window: float, start_within: float = 15.0) -> Figures:
        """Bursts for ``window`` seconds (the first within ``start_within``), then wait for the last figures."""
        figures = Figures()
        self.connect()
        try:
            began = time.monotonic()
            end = began + window
            next_burst = began + self.rng.uniform(0, start_within)
            self.first_burst = next_burst - began
            while next_burst < end:
                self.receive(next_burst)
                self.burst(figures)
                next_burst = time.monotonic() + self.rng.uniform(15, 30)
            self.receive(end)
            deadline = time.monotonic() + FIGURE_TIMEOUT
            while self.open_moves and time.monotonic() < deadline:
                self.receive(min(deadline, time.monotonic() + 0.5))
            figures.updates = self.updates_sent
        finally:
            self.ws.close()
        return figures


def prepare(place, participant, number: int, cells: list[tuple[str, str]]) -> Driver:
    """Start the participant's kernel, run the widget cells as the notebooks do, show the figures."""
    kernel_id = participant.start_kernel("01_concept.ipynb")
    sources = [KERNEL_SETUP.replace("__WORKSPACE__", repr(place.workspace(number)))]
    for notebook, source in cells:
        sources += [source, f"_capacity_keep({notebook!r}, _)"]
    sources.append("print('CAPACITY' + json.dumps(_capacity))")
    results = participant.execute(kernel_id, sources, limit=600)
    for result in results:
        if result.error:
            raise RuntimeError(f"{participant.name}: {result.error}\n{result.source[:200]}")
    text = "".join(o["content"].get("text", "") for o in results[-1].outputs if o["msg_type"] == "stream")
    widgets = json.loads(text.split("CAPACITY", 1)[1])
    driver = Driver(participant, kernel_id, widgets, seed=number)
    driver.connect()
    try:
        driver.show_figures()
    finally:
        driver.ws.close()
    return driver


# --- measuring ------------------------------------------------------------------------------------------
def cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for p in processes:
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


def memory_mb(processes: list[psutil.Process]) -> tuple[float, float]:
    rss = uss = 0.0
    for p in processes:
        try:
            info = p.memory_full_info()
            rss, uss = rss + info.rss / 2**20, uss + info.uss / 2**20
        except psutil.Error:
            pass
    return rss, uss


def measure(place, drivers: list[Driver], window: float, start_within: float) -> dict:
    groups = [place.processes(d.participant, d.kernel_id) for d in drivers]
    shared = place.shared()
    me = psutil.Process()
    load_before = os.getloadavg()
    cpu_before = [cpu_seconds(g) for g in groups]
    shared_before, me_before = cpu_seconds(shared), cpu_seconds([me])
    machine_before = psutil.cpu_times()
    began = time.monotonic()
    with ThreadPoolExecutor(len(drivers)) as pool:
        runs = list(pool.map(lambda d: d.run(window, start_within), drivers))
    elapsed = time.monotonic() - began
    machine_after = psutil.cpu_times()
    busy = lambda t: t.user + t.nice + t.system + t.irq + t.softirq + getattr(t, "steal", 0)  # noqa: E731
    machine_busy = (busy(machine_after) - busy(machine_before)) / elapsed / psutil.cpu_count()
    cpu = [cpu_seconds(g) - b for g, b in zip(groups, cpu_before)]
    shared_cpu, me_cpu = cpu_seconds(shared) - shared_before, cpu_seconds([me]) - me_before
    memory = [memory_mb(g) for g in groups]
    shared_rss = memory_mb(shared)[0]
    n = len(drivers)
    moves = [m for r in runs for m in r.moves]
    answered = [m.latency * 1e3 for m in moves if m.latency is not None]
    by_widget = {}
    for name in sorted({m.widget for m in moves}):
        times = [m.latency * 1e3 for m in moves if m.widget == name and m.latency is not None]
        by_widget[name] = {"moves": sum(m.widget == name for m in moves),
                           "p50_ms": round(quantile(times, 0.5), 1) if times else None,
                           "p95_ms": round(quantile(times, 0.95), 1) if times else None}
    return {
        "participants": n, "window_s": round(elapsed, 1), "bursts": sum(r.bursts for r in runs),
        "moves": len(moves), "updates_sent": sum(r.updates for r in runs),
        "cpu_ms_per_update": round((sum(cpu) + shared_cpu) * 1e3 / max(1, sum(r.updates for r in runs)), 1),
        "moves_without_figure": sum(m.latency is None for m in moves),
        "final_figures_missing": sum(m.final and m.latency is None for m in moves),
        "first_burst_s": sorted(round(d.first_burst, 2) for d in drivers),  # each on their own clock
        "p50_ms": round(quantile(answered, 0.5), 1) if answered else None,
        "p95_ms": round(quantile(answered, 0.95), 1) if answered else None,
        "max_ms": round(max(answered), 1) if answered else None,
        "cpu_cores_per_participant": round((sum(cpu) + shared_cpu) / n / elapsed, 4),
        "rss_mb_per_participant": round((sum(m[0] for m in memory) + shared_rss) / n, 1),
        "uss_mb_per_participant": round(sum(m[1] for m in memory) / n, 1),
        "shared_rss_mb": round(shared_rss, 1),
        "machine_busy_share": round(machine_busy, 3),
        "load_generator_cores": round(me_cpu / elapsed, 3),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "by_widget": by_widget,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", default="1,10,20,30,40,30",
                        help="class sizes to measure, in order (a smaller size after a larger one: the first N "
                             "drive); the first, one participant alone, is the baseline")
    parser.add_argument("--window", type=float, default=60, help="seconds of bursts per point")
    parser.add_argument("--quick", action="store_true", help="2 participants, one burst each (the test runs this)")
    parser.add_argument("--hub", action="store_true", help="the course's JupyterHub, one server per participant")
    parser.add_argument("--together", action="store_true",
                        help="one burst each, everybody starting within 2 s (the instructor says: now, all of you)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    args.out = args.out or ROOT / "test-artifacts" / ("class_capacity_together.json" if args.together
                                                        else "class_capacity.json")
    points = [2] if args.quick else [int(x) for x in args.points.split(",")]
    window, start_within = (8.0, 3.0) if args.quick else (4.0, 2.0) if args.together else (args.window, 15.0)
    largest = max(points)
    started = time.monotonic()
    summary: dict = {
        "machine": f"{platform.system()} {platform.machine()}, {psutil.cpu_count()} cores, "
                   f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}",
        "cores": psutil.cpu_count(), "server": "jupyterhub" if args.hub else "jupyter_server",
        "pace": ("one burst of 5-10 slider moves 100-200 ms apart each, all starting within 2 s" if args.together
                 else "bursts of 5-10 slider moves 100-200 ms apart, 15-30 s between bursts"),
        "together": args.together,
        "limit_ms": LIMIT_MS, "quick": args.quick}
    place = ClassHub(largest) if args.hub else SingleServer()
    cells = widget_cells(place.notebooks)
    summary["widget_cells"] = [f"{n}: {s.split()[-1]}" for n, s in cells]
    drivers: list[Driver] = []
    points_done = []
    try:
        summary["server_start_s"] = round(place.start(), 1)
        names = [f"xuesheng{i}" for i in range(1, largest + 1)]
        participants: list = []
        for n in points:
            if len(drivers) < n:
                began = time.monotonic()
                new = place.join(names[len(participants):n])
                participants += new
                with ThreadPoolExecutor(4) as pool:
                    drivers += list(pool.map(
                        lambda p: prepare(place, p[1], p[0], cells),
                        list(enumerate(new, start=len(drivers) + 1))))
                setup = time.monotonic() - began
            else:
                setup = 0.0
            point = measure(place, drivers[:n], window, start_within)
            point["setup_s"] = round(setup, 1)
            points_done.append(point)
            print(f"N={n:3d}  moves {point['moves']:4d}  p50 {point['p50_ms']} ms  p95 {point['p95_ms']} ms  "
                  f"no figure {point['moves_without_figure']} (final {point['final_figures_missing']})  "
                  f"CPU {point['cpu_cores_per_participant']:.3f} cores/participant  "
                  f"RSS {point['rss_mb_per_participant']:.0f} MB/participant  "
                  f"load {point['load_average_before'][0]:.1f}→{point['load_average_after'][0]:.1f}", flush=True)
        summary["widgets"] = sorted({f"{w['notebook']} {w['widget']}.{w['control']}" for w in drivers[0].widgets})
    finally:
        place.stop()
    good = [p["participants"] for p in points_done
            if p["p95_ms"] is not None and p["p95_ms"] <= LIMIT_MS and p["final_figures_missing"] == 0]
    summary["class_capacity_p95_250ms"] = max(good) if good else 0
    summary["class_latency"] = points_done
    summary["seconds"] = round(time.monotonic() - started)
    print(f"\n{'N':>4} {'moves':>6} {'p50 ms':>8} {'p95 ms':>8} {'missing':>8} {'cores/p':>8} {'RSS MB/p':>9} "
          f"{'USS MB/p':>9} {'load':>10}")
    for p in points_done:
        print(f"{p['participants']:4d} {p['moves']:6d} {p['p50_ms'] or 0:8.0f} {p['p95_ms'] or 0:8.0f} "
              f"{p['final_figures_missing']:8d} {p['cpu_cores_per_participant']:8.3f} "
              f"{p['rss_mb_per_participant']:9.0f} {p['uss_mb_per_participant']:9.0f} "
              f"{p['load_average_before'][0]:4.1f}→{p['load_average_after'][0]:<4.1f}")
    print(f"largest class with p95 ≤ {LIMIT_MS} ms: {summary['class_capacity_p95_250ms']} "
          f"({summary['seconds']} s in all)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
