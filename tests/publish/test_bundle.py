"""The offline bundle: built from constraints.txt, installed and used with no network at all.

* Every platform × Python the bundle covers resolves from its wheelhouse alone (uv --no-index, with that
  computer's environment markers).
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
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.slow

sys.path.insert(0, str(ROOT / "publish"))
import bundle as builder  # noqa: E402

HERE_PLATFORM = {"x86_64": "linux-x86_64", "aarch64": "linux-aarch64"}.get(platform.machine(), "")


def offline(cmd: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run a shell command in a new network namespace that has only loopback: nothing can reach out."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        pytest.fail("the offline tests make a network namespace: run them as root with unshare and ip (CI does)")
    return subprocess.run(["unshare", "-n", "--", "sh", "-c", f"ip link set lo up && {cmd}"], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env={"PATH": os.environ["PATH"], "HOME": str(cwd), "LANG": "C.UTF-8"})


def build(out: Path, *args: str) -> dict:
    result = subprocess.run([sys.executable, str(ROOT / "publish" / "bundle.py"), "--out", str(out), *args],
                            capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    print(result.stdout.strip().splitlines()[-1])
    return json.loads((out / "bundle.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def full_bundle(tmp_path_factory):
    """``python3 course.py bundle`` as a maintainer runs it: every platform, every Python, the classroom server.
    Every test below uses this one bundle (built once: it is the slow part)."""
    assert HERE_PLATFORM, platform.machine()
    out = tmp_path_factory.mktemp("usb") / "xinzhi"
    info = build(out)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "bundle.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    return out, info


def test_the_bundle_says_in_chinese_how_big_it_is_and_for_which_computers(full_bundle):
    out, info = full_bundle
    text = (out / "离线安装包说明.txt").read_text(encoding="utf-8")
    megabytes = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
    assert f"大小：{megabytes:,.0f} MB" in text or f"大小：{megabytes - 1:,.0f} MB" in text, text[:300]
    assert all(builder.PLATFORMS[p][0] in text for p in builder.PLATFORMS)
    assert all(python in text for python in builder.PYTHONS)
    assert "python3 course.py" in text and "deploy/README.md" in text
    assert (out / "course.py").exists() and (out / "notebooks" / "01_concept.ipynb").exists()
    assert not (out / ".venv").exists() and not (out / ".git").exists()


def test_every_platform_and_python_resolves_from_the_bundle_alone(full_bundle):
    """uv, given only the wheelhouse (--no-index), resolves each computer's packages with that computer's markers
    (pip --platform would apply this machine's, and miss pywinpty on Windows), and finds what the bundle was
    built from."""
    out, info = full_bundle
    assert set(info["platforms"]) == set(builder.PLATFORMS) and info["pythons"] == builder.PYTHONS
    failures = []
    for name in builder.PLATFORMS:
        for python in builder.PYTHONS:
            try:
                offline_pins = builder.pins_for(name, python, builder.requirements_for(name, server=True),
                                                find_links=out / "wheelhouse")
            except SystemExit as err:
                failures.append(f"{name} / Python {python}: {str(err)[-300:]}")
                continue
            built = (out / "wheelhouse" / "pins" / f"{name}-py{python}.txt").read_text()
            if offline_pins != built:
                failures.append(f"{name} / Python {python}: resolves differently offline")
    assert not failures, failures
    windows = (out / "wheelhouse" / "pins" / f"windows-x86_64-py{builder.PYTHONS[0]}.txt").read_text()
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
