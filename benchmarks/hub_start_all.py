"""How long ``deploy/class_run.py start-all`` takes to start a class's servers on one machine (run as root).

    sudo .venv/bin/python benchmarks/hub_start_all.py            # 30 participants
    sudo .venv/bin/python benchmarks/hub_start_all.py --participants 12 --parallel 6

Uses the hub of tests/hub/ (deploy/jupyterhub_config.py, one system user per participant, removed afterwards).
First one participant's server alone (the baseline), then the teacher's ``start-all`` for everybody else.
Prints a table, then, as the last line, one JSON object: the baseline, the whole class's wall time, the ratio
of the two, each server's time (median, slowest) and the servers' memory.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hub import test_classroom_hub as hub_test  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--parallel", type=int, default=10)
    args = parser.parse_args()
    names = [f"xuesheng{i}" for i in range(1, args.participants + 1)]
    hub_test.PARTICIPANTS[:] = names  # the test's roster, made as long as asked
    hub = hub_test.Hub(Path(tempfile.mkdtemp(prefix="xzbench-")))
    figures = {"participants": len(names), "parallel": args.parallel, "cores": os.cpu_count(),
               "load_before": round(os.getloadavg()[0], 1)}
    try:
        figures["hub_start_s"] = round(hub.start(), 1)
        teacher = hub_test.Participant(hub, hub_test.ADMIN)
        assert teacher.login(hub_test.ADMIN_PASSWORD)
        first = hub_test.Participant(hub, names[0])
        assert first.login()
        figures["one_server_alone_s"] = round(first.start_server(), 1)
        began = time.monotonic()
        run = subprocess.run([sys.executable, str(ROOT / "deploy" / "class_run.py"), "--url", hub.url, "--roster",
                              str(hub.roster), "start-all", "--parallel", str(args.parallel)],
                             env=dict(os.environ, XINZHI_HUB_TOKEN=teacher.token), capture_output=True, text=True,
                             timeout=1800)
        figures["start_all_s"] = round(time.monotonic() - began, 1)
        print(run.stdout, run.stderr, sep="\n")
        times = [float(line.split("：")[1].split()[0]) for line in run.stdout.splitlines()
                 if line.startswith("  ") and line.strip().endswith("秒")]
        figures["started"] = len(times)
        figures["server_s_median"] = round(statistics.median(times), 1) if times else None
        figures["server_s_max"] = round(max(times), 1) if times else None
        figures["start_all_per_alone"] = round(figures["start_all_s"] / figures["one_server_alone_s"], 1)
        rss = [hub.server_process(n).memory_info().rss / 2**20 for n in names]
        figures["servers_mb_total"] = round(sum(rss))
        figures["load_after"] = round(os.getloadavg()[0], 1)
    finally:
        hub.stop()
    print(f"{len(names)} 人：一台服务器单独启动 {figures.get('one_server_alone_s')} 秒；start-all（其余 {len(names) - 1} 人，"
          f"每次 {args.parallel} 个）{figures.get('start_all_s')} 秒，每人中位数 {figures.get('server_s_median')} 秒、"
          f"最慢 {figures.get('server_s_max')} 秒；服务器内存合计 {figures.get('servers_mb_total')} MB。")
    print(json.dumps(figures, ensure_ascii=False))
    return 0 if figures.get("started") == len(names) - 1 else 1


if __name__ == "__main__":
    sys.exit(main())
