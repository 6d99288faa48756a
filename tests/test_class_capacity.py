"""benchmarks/class_capacity.py --quick: two simulated participants drive the widgets; its JSON is well formed.

Checks that the benchmark still measures something (every move answered by a new figure, figures for real
course widgets, memory and CPU of real processes), never how fast it is: speed is the benchmark's to report.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from . import processes
from .conftest import ROOT

pytestmark = pytest.mark.slow

if os.environ.get("CI") != "true" and os.geteuid() != 0:
    pytest.skip("the benchmark drives kernels with the hub test's client, which runs as root (CI does)",
                allow_module_level=True)


def test_quick_run_answers_every_move_and_writes_the_capacity_json(tmp_path):
    out = tmp_path / "class_capacity.json"
    env = {**os.environ, processes.MARK: processes.new_mark("capacity")}   # its server and kernels inherit it
    try:
        run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "class_capacity.py"), "--quick", "--out",
                              str(out)], capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)
    finally:
        left = processes.left_behind("capacity")
    assert not left, "still running after the benchmark (now killed):\n" + "\n".join(left)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert json.loads(run.stdout.strip().splitlines()[-1]) == summary, "the last line printed is the JSON"

    assert isinstance(summary["class_capacity_p95_250ms"], int) and summary["class_capacity_p95_250ms"] in (0, 2)
    widgets = {w.split()[0] for w in summary["widgets"]}
    assert widgets == {"01", "02", "04", "07"}, summary["widgets"]
    [point] = summary["class_latency"]
    assert point["participants"] == 2 and point["bursts"] >= 2
    assert len(set(point["first_burst_s"])) == 2, "participants move on their own, not in step"
    assert point["moves"] >= 2 * 4, "a burst is 5–10 moves (a few may repeat a value and are not sent)"
    assert point["moves_without_figure"] == 0 and point["final_figures_missing"] == 0
    assert 0 < point["p50_ms"] <= point["p95_ms"] <= point["max_ms"]
    assert (summary["class_capacity_p95_250ms"] == 2) == (point["p95_ms"] <= summary["limit_ms"])
    assert sum(w["moves"] for w in point["by_widget"].values()) == point["moves"]
    assert 100 < point["rss_mb_per_participant"] < 2000 and 0 < point["uss_mb_per_participant"] < point["rss_mb_per_participant"]
    assert 0 < point["cpu_cores_per_participant"] < summary["cores"]
    assert len(point["load_average_before"]) == 3 and len(point["load_average_after"]) == 3
