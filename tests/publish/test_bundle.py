"""The offline bundle: built from constraints.txt, installed and used with no network at all.

The test builds the bundle for this computer and this Python (``bundle.py --platform … --python …``): the same
recipe as the full bundle, without downloading the other 19 computers' wheels. With XINZHI_BUNDLE_ALL=1 it builds
the full bundle, as ``python3 course.py bundle`` does, and checks every computer's wheelhouse (about 10 minutes).

* Every platform × Python resolves from constraints.txt with that computer's environment markers, and every one
  the bundle was built for resolves from its wheelhouse alone, to the same pins (uv --no-index).
* The bundle on this machine (Linux, the running Python), run as a participant would — ``python3 course.py install``
  in the bundle's folder — inside a network namespace with only loopback (``unshare -n``, as root), then
  notebook 01 runs headless from it.
* The classroom server from the same bundle in such a namespace: hub and proxy installed offline, one
  participant logs in with the code from their slip (tests/publish/offline_classroom.py).
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .. import processes
from .conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.slow

sys.path.insert(0, str(ROOT / "publish"))
import bundle as builder  # noqa: E402

HERE_PLATFORM = {"x86_64": "linux-x86_64", "aarch64": "linux-aarch64"}.get(platform.machine(), "")
HERE_PYTHON = "%d.%d" % sys.version_info[:2]
EVERY_COMPUTER = os.environ.get("XINZHI_BUNDLE_ALL") == "1"


def offline(cmd: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run a shell command in a new network namespace that has only loopback: nothing can reach out. Whatever it
    started (a hub, a proxy, a server, a kernel) and left running fails the test (tests/processes.py)."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        pytest.fail("the offline tests make a network namespace: run them as root with unshare and ip (CI does)")
    argv = ["unshare", "-n", "--", "sh", "-c", f"ip link set lo up && {cmd}"]
    env = {"PATH": os.environ["PATH"], "HOME": str(cwd), "LANG": "C.UTF-8",
           processes.MARK: processes.new_mark("offline")}
    with subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)   # offline_classroom.py stops its hub on the way out
            stdout, stderr = proc.communicate(timeout=60)
            stderr += f"\nstopped after {timeout:.0f} s"
    left = processes.left_behind("offline")
    assert not left, f"still running after {cmd} (now killed):\n" + "\n".join(left)
    return subprocess.CompletedProcess(argv, proc.returncode, stdout, stderr)


def build(out: Path, *args: str) -> dict:
    result = subprocess.run([sys.executable, str(ROOT / "publish" / "bundle.py"), "--out", str(out), *args],
                            capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    print(result.stdout.strip().splitlines()[-1])
    return json.loads((out / "bundle.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def full_bundle(tmp_path_factory):
    """``python3 course.py bundle`` as a maintainer runs it, with the classroom server: for this computer and
    Python (every platform and Python with XINZHI_BUNDLE_ALL=1). Every test below uses this one bundle (built
    once: it is the slow part)."""
    assert HERE_PLATFORM, platform.machine()
    out = tmp_path_factory.mktemp("usb") / "xinzhi"
    info = build(out) if EVERY_COMPUTER else build(out, "--platform", HERE_PLATFORM, "--python", HERE_PYTHON)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "bundle.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    return out, info


def test_the_bundle_says_in_chinese_how_big_it_is_and_for_which_computers(full_bundle):
    out, info = full_bundle
    text = (out / "离线安装包说明.txt").read_text(encoding="utf-8")
    megabytes = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
    assert f"大小：{megabytes:,.0f} MB" in text or f"大小：{megabytes - 1:,.0f} MB" in text, text[:300]
    assert info["platforms"] and all(builder.PLATFORMS[p][0] in text for p in info["platforms"])
    assert info["pythons"] and all(python in text for python in info["pythons"])
    if not EVERY_COMPUTER:
        assert list(info["platforms"]) == [HERE_PLATFORM] and info["pythons"] == [HERE_PYTHON], info
    assert "python3 course.py" in text and "deploy/README.md" in text
    assert (out / "course.py").exists() and (out / "notebooks" / "01_concept.ipynb").exists()
    assert not (out / ".venv").exists() and not (out / ".git").exists()


def test_every_platform_and_python_resolves_from_the_bundle_alone(full_bundle):
    """uv resolves each computer's packages from constraints.txt with that computer's markers (pip --platform
    would apply this machine's, and miss pywinpty on Windows); given only the wheelhouse (--no-index), it finds
    what the bundle was built from, for every computer and Python the bundle is for."""
    out, info = full_bundle
    if EVERY_COMPUTER:
        assert set(info["platforms"]) == set(builder.PLATFORMS) and info["pythons"] == builder.PYTHONS

    def check(name: str, python: str) -> str:
        requirements = builder.requirements_for(name, server=True)
        try:
            pins = builder.pins_for(name, python, requirements)
            if name not in info["platforms"] or python not in info["pythons"]:
                return ""
            offline_pins = builder.pins_for(name, python, requirements, find_links=out / "wheelhouse")
        except SystemExit as err:
            return f"{name} / Python {python}: {str(err)[-300:]}"
        built = (out / "wheelhouse" / "pins" / f"{name}-py{python}.txt").read_text()
        if built != pins:
            return f"{name} / Python {python}: the bundle was built from other pins than constraints.txt gives"
        return f"{name} / Python {python}: resolves differently offline" if offline_pins != built else ""

    pairs = [(name, python) for name in builder.PLATFORMS for python in builder.PYTHONS]
    with ThreadPoolExecutor(max_workers=4) as pool:   # uv mostly waits for its cache and the index
        failures = [f for f in pool.map(lambda pair: check(*pair), pairs) if f]
    assert not failures, failures
    windows = builder.pins_for("windows-x86_64", builder.PYTHONS[0], builder.requirements_for("windows-x86_64", True))
    assert "pywinpty==" in windows and "appnope" not in windows


def test_the_course_installs_and_runs_from_the_bundle_with_no_network(full_bundle):
    out, _ = full_bundle
    python = Path(sys._base_executable).resolve()       # the Python a participant has, not this test's venv
    installed = offline(f"{python} course.py install", cwd=out)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    assert "wheelhouse" in installed.stdout, installed.stdout        # it said it installs from the bundle
    run = offline(f"{out / '.venv/bin/python'} -m jupyter nbconvert --to notebook --execute "
                  f"--ExecutePreprocessor.timeout=300 --output-dir={out.parent / 'ran'} notebooks/01_concept.ipynb", cwd=out)
    assert run.returncode == 0, run.stderr[-3000:]
    notebook = json.loads((out.parent / "ran" / "01_concept.ipynb").read_text(encoding="utf-8"))
    outputs = [o for c in notebook["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert any("image/png" in o.get("data", {}) or "data:image/png" in "".join(o.get("data", {}).get("text/html", ""))
               for o in outputs), "notebook 01 drew no chart"


def test_the_classroom_server_installs_offline_and_a_participant_logs_in(full_bundle, tmp_path):
    out, info = full_bundle
    assert info["proxy"] and (out / "classroom-server" / "npm-cache").is_dir()
    work = tmp_path / "server"
    work.mkdir()
    result = offline(f"{sys.executable} {Path(__file__).parent / 'offline_classroom.py'} {out} {work}", cwd=work)
    (ARTIFACTS / "offline_hub.log").parent.mkdir(parents=True, exist_ok=True)
    if (work / "hub.log").exists():
        shutil.copyfile(work / "hub.log", ARTIFACTS / "offline_hub.log")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print(report["timings"])
    assert report["ok"] and "xuesheng1" in report["landed"], report
    assert "01_concept.ipynb" in report["notebooks"], report
