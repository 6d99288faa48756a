"""A class on one machine: ten participants' kernels run the course's notebooks at the same time.

Bounded in time; every kernel must finish without an error. Peak memory per participant is printed and
written to test-artifacts/classroom.json (the figures the README's sizing uses).
"""
from __future__ import annotations

import json
import threading
import time

import psutil
import pytest

from .conftest import NOTEBOOK_DIR, NOTEBOOKS, ROOT
from .kernel import code_cells, kernel, run

PARTICIPANTS = 10
TIME_LIMIT = 600  # seconds for the whole class on 2 cores


@pytest.mark.slow
def test_ten_participants_at_once(tmp_path):
    assert NOTEBOOKS, "no notebooks"
    # Everyone works through the whole course, each starting at a different notebook (a self-paced class).
    plans = [NOTEBOOKS[i % len(NOTEBOOKS):] + NOTEBOOKS[:i % len(NOTEBOOKS)] for i in range(PARTICIPANTS)]
    errors, peaks, cells_run = [], [0] * PARTICIPANTS, [0] * PARTICIPANTS
    done = threading.Event()

    def participant(i: int) -> None:
        try:
            with kernel(NOTEBOOK_DIR, tmp_path / f"p{i}" / "my_work") as client:
                for path in plans[i]:
                    for number, source in enumerate(code_cells(path), start=1):
                        result = run(client, source, timeout=TIME_LIMIT)
                        cells_run[i] += 1
                        if result.error:
                            errors.append(f"participant {i}, {path.name} cell {number}: {result.error}")
                            return
        except Exception as err:  # noqa: BLE001 - reported below with the participant's number
            errors.append(f"participant {i}: {type(err).__name__}: {err}")

    def monitor() -> None:
        me = psutil.Process()
        while not done.is_set():
            for child in me.children(recursive=True):
                try:
                    if "ipykernel" not in " ".join(child.cmdline()):
                        continue
                    rss = child.memory_info().rss
                except psutil.Error:
                    continue
                slot = _slot_of(child)
                if slot is not None:
                    peaks[slot] = max(peaks[slot], rss)
            time.sleep(0.2)

    def _slot_of(process) -> int | None:
        try:
            env_workspace = process.environ().get("XINZHI_WORKSPACE", "")
        except psutil.Error:
            return None
        for i in range(PARTICIPANTS):
            if f"/p{i}/" in env_workspace + "/":
                return i
        return None

    start = time.perf_counter()
    threads = [threading.Thread(target=participant, args=(i,), daemon=True) for i in range(PARTICIPANTS)]
    watcher = threading.Thread(target=monitor, daemon=True)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1, TIME_LIMIT - (time.perf_counter() - start)))
    done.set()
    elapsed = time.perf_counter() - start
    assert not any(t.is_alive() for t in threads), f"the class did not finish within {TIME_LIMIT} s"
    assert not errors, "\n".join(errors)
    expected_cells = sum(len(code_cells(p)) for p in NOTEBOOKS)
    assert cells_run == [expected_cells] * PARTICIPANTS, "every participant ran every cell of the course"
    measured = [p for p in peaks if p]
    assert len(measured) == PARTICIPANTS, "memory of every participant's kernel was measured"
    report = {"participants": PARTICIPANTS, "seconds": round(elapsed, 1),
              "peak_rss_mb_per_participant": [round(p / 2**20, 1) for p in peaks],
              "peak_rss_mb_max": round(max(measured) / 2**20, 1)}
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "classroom.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nclassroom: {PARTICIPANTS} participants in {elapsed:.0f} s; peak kernel memory per participant "
          f"(MB): {report['peak_rss_mb_per_participant']}")
