"""The handout site and its PDF, built once per test run into a temporary folder (never into build/)."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "handout"


@pytest.fixture(scope="session")
def handout(tmp_path_factory):
    """``python3 course.py site``'s work: build/site/ with the PDF in it. Prints how long it took."""
    out = tmp_path_factory.mktemp("handout")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "publish" / "website.py"), "--out", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=1200)
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    print(f"\nhandout site and PDF built in {seconds:.0f} s")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "build.log").write_text(f"{seconds:.0f} s\n{result.stdout}\n{result.stderr}", encoding="utf-8")
    return out / "site"


@pytest.fixture(scope="session")
def chromium_path():
    from tests.browser.helpers import chromium_executable

    found = chromium_executable()
    if not found:
        pytest.fail("no Chromium: install Debian's chromium (python3 course.py test does) or set XINZHI_CHROMIUM")
    return found


def pdf_name() -> str:
    sys.path.insert(0, str(ROOT / "publish"))
    from website import PDF_NAME

    return PDF_NAME


def copy_artifact(source: Path, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    shutil.copyfile(source, target)
    return target
