"""The offline bundle: the course folder plus every package it needs, for a classroom with no internet.

    python3 course.py bundle                                   # every platform, every supported Python
    python3 course.py bundle --platform linux-x86_64 --python 3.12    # only those (repeatable)

Writes build/bundle/, ready to copy to a USB stick:

    build/bundle/
      course.py, notebooks/, src/, data/, …   the course, as in this folder
      wheelhouse/                             the wheels, resolved from requirements.txt and constraints.txt for
                                              each platform and Python; course.py installs from here alone
      classroom-server/                       the classroom hub (deploy/) with no internet: its wheels are in
                                              wheelhouse/, configurable-http-proxy's npm package and its
                                              dependencies are here (an npm cache)
      handout/                                the handout site and its PDF, when `course.py site` was run before
      离线安装包说明.txt                        what is inside, how big, for which computers (also bundle.json)

Needs the internet (PyPI, npm) while it is built; the bundle itself never does.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
from course import NEWEST, OLDEST  # noqa: E402

PYTHONS = [f"3.{minor}" for minor in range(OLDEST[1], NEWEST[1] + 1)]
PATCH = 99   # see newest_patch()
MANYLINUX = [f"manylinux_2_{minor}" for minor in range(28, 16, -1)] + ["manylinux2014", "manylinux2010", "manylinux1"]
# name: (what participants read, pip's platform tags, uv's platform). A macOS tag covers older versions too.
PLATFORMS = {
    "windows-x86_64": ("Windows 10/11（64 位）", ["win_amd64"], "x86_64-pc-windows-msvc"),
    "macos-x86_64": ("macOS 12 及以上（Intel 芯片）", ["macosx_12_0_x86_64"], "x86_64-apple-darwin"),
    "macos-arm64": ("macOS 12 及以上（Apple 芯片 M1–M4）", ["macosx_12_0_arm64"], "aarch64-apple-darwin"),
    "linux-x86_64": ("Linux x86_64（glibc 2.28 及以上，如 Ubuntu 20.04+、Debian 10+、统信/麒麟 x86 版）",
                     [f"{tag}_x86_64" for tag in MANYLINUX], "x86_64-manylinux_2_28"),
    "linux-aarch64": ("Linux aarch64（ARM 服务器、麒麟 ARM 版，glibc 2.28 及以上）",
                      [f"{tag}_aarch64" for tag in MANYLINUX], "aarch64-manylinux_2_28"),
}
MACOS = "12.0"   # the oldest macOS the bundle serves (pip's and uv's macOS tags above)
SERVER_PLATFORMS = ["linux-x86_64", "linux-aarch64"]   # where the classroom hub runs
# The course's own package is installed from its folder (pip install -e .): its build backend comes along.
BUILD_BACKEND = ["setuptools"]
SKIP = {".git", ".venv", "build", "test-artifacts", "__pycache__", ".pytest_cache", "my_work",
        ".ipynb_checkpoints", "results", "node_modules"}


def say(message: str) -> None:
    print(f"[离线包] {message}", flush=True)


def pins_for(platform: str, python: str, requirements: list[str], find_links: Path | None = None) -> str:
    """The exact packages ``requirements`` need on that computer, resolved from constraints.txt.

    uv resolves for another platform and Python with that computer's environment markers (pywinpty and
    colorama only on Windows, appnope only on macOS); pip would apply this machine's markers. With
    ``find_links``, only the wheels in that folder are used (nothing from the index)."""
    inputs = [str(ROOT / r) for r in requirements]
    with tempfile.TemporaryDirectory() as tmp:
        backend = Path(tmp) / "build-backend.txt"
        backend.write_text("\n".join(BUILD_BACKEND) + "\n")
        where = ["--no-index", "--find-links", str(find_links)] if find_links else []
        result = subprocess.run(
            [uv(), "pip", "compile", *inputs, str(backend), "-c", str(ROOT / "constraints.txt"), *where,
             "--python-version", newest_patch(python), "--python-platform", PLATFORMS[platform][2],
             "--only-binary", ":all:", "--no-header", "--no-annotate", "--quiet", "--no-config"],
            capture_output=True, text=True, env=dict(os.environ, MACOSX_DEPLOYMENT_TARGET=MACOS))
    if result.returncode != 0:
        raise SystemExit(f"{PLATFORMS[platform][0]} / Python {python}：找不到全部安装包。\n{result.stderr[-2500:]}")
    return result.stdout


def uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not Path(found).exists():
        raise SystemExit("打包需要 uv（pip install -r requirements-site.txt）。")
    return found


def normal(pin: str) -> str:
    """"Argon2_CFFI==25.1.0" → "argon2-cffi==25.1.0" (wheel file names and pins spell names differently)."""
    name, _, version = pin.strip().partition("==")
    return f"{re.sub(r'[-_.]+', '-', name).lower()}=={version}"


def download(wheelhouse: Path, platform: str, python: str, pins: str) -> None:
    """Each pinned wheel for that computer into ``wheelhouse`` (files already there are kept)."""
    tags = [arg for tag in PLATFORMS[platform][1] for arg in ("--platform", tag)]
    with tempfile.TemporaryDirectory() as tmp:
        listed = Path(tmp) / "pins.txt"
        listed.write_text(pins)
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet", "--no-deps",
             "--dest", str(wheelhouse), "--only-binary=:all:", "--implementation", "cp",
             "--python-version", newest_patch(python), *tags, "-r", str(listed)], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{PLATFORMS[platform][0]} / Python {python}：下载失败。\n{result.stderr[-2000:]}")


def newest_patch(python: str) -> str:
    """pip reads "3.11" as 3.11.0; participants have a later patch release, and some pinned packages need one
    (soupsieve 4.1 needs 3.11.5 or newer), so the bundle is resolved for an up-to-date patch release."""
    return f"{python}.{PATCH}"


def copy_course(target: Path) -> None:
    shutil.copytree(ROOT, target, ignore=lambda folder, names: [n for n in names if n in SKIP or n.endswith(".egg-info")
                                                                or (Path(folder) == ROOT and n == "wheelhouse")],
                    dirs_exist_ok=True)


def proxy_version() -> str:
    text = (ROOT / "deploy" / "requirements-hub.txt").read_text(encoding="utf-8")
    return re.search(r"configurable-http-proxy@([\d.]+)", text).group(1)


def npm_package(target: Path) -> str:
    """configurable-http-proxy and its dependencies as an npm cache, plus the package's own .tgz.

    On the server: npm install -g --offline --cache <target>/npm-cache <target>/configurable-http-proxy-X.tgz
    """
    npm = shutil.which("npm")
    if not npm:
        raise SystemExit("打包班级服务器需要 npm（Node.js）：Debian/Ubuntu 上 apt-get install npm。")
    version = proxy_version()
    target.mkdir(parents=True, exist_ok=True)
    scratch = target / "scratch"
    quiet = ["--no-fund", "--no-audit", "--loglevel=error"]
    subprocess.run([npm, "install", *quiet, "--cache", str(target / "npm-cache"), "--prefix", str(scratch),
                    f"configurable-http-proxy@{version}"], check=True, capture_output=True)
    subprocess.run([npm, "pack", *quiet, "--cache", str(target / "npm-cache"), "--pack-destination", str(target),
                    f"configurable-http-proxy@{version}"], check=True, capture_output=True)
    shutil.rmtree(scratch)
    shutil.rmtree(target / "npm-cache" / "_logs", ignore_errors=True)
    return version


def requirements_for(platform: str, server: bool) -> list[str]:
    """The course's packages; on Linux also the classroom hub's."""
    return ["requirements.txt"] + (["deploy/requirements-hub.txt"] if server and platform in SERVER_PLATFORMS else [])


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def describe(bundle: Path, platforms: list[str], pythons: list[str], proxy: str | None) -> dict:
    total = size_of(bundle)
    wheels = sorted(p.name for p in (bundle / "wheelhouse").glob("*.whl"))
    info = {"platforms": {name: PLATFORMS[name][0] for name in platforms}, "pythons": pythons,
            "server_platforms": [p for p in platforms if p in SERVER_PLATFORMS], "proxy": proxy,
            "bytes": total, "wheels": len(wheels), "handout": (bundle / "handout").is_dir()}
    (bundle / "bundle.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    mb = total / 2**20
    lines = [
        "新质生产力：浙江实践 —— 离线安装包",
        "",
        f"大小：{mb:,.0f} MB（{len(wheels)} 个安装包）。复制到 U 盘或内网共享文件夹即可，安装时完全不联网。",
        f"适用的 Python：{'、'.join(pythons)}。",
        "适用的电脑：",
        *[f"  - {PLATFORMS[p][0]}" for p in platforms],
        "",
        "学员电脑（已装好上面任一版本的 Python）：把整个文件夹复制到电脑上，在这个文件夹里运行",
        "    python3 course.py        （Windows：py course.py）",
        "它会自动发现 wheelhouse 文件夹，只从这里安装，然后打开课程。第一次约需 1–2 分钟。",
        "",
    ]
    if info["server_platforms"]:
        lines += ["班级服务器（JupyterHub，Linux）：服务器需要的安装包也在这里，步骤见 deploy/README.md 的“没有互联网的内网",
                  f"服务器”一节（configurable-http-proxy {proxy} 在 classroom-server/ 里）。", ""]
    if info["handout"]:
        lines += ["不装 Python 也能看：handout/index.html 是网页版讲义（双击用浏览器打开，手机也能看），",
                  "handout/ 里的 PDF 是 A4 打印版。", ""]
    lines += ["English: the course with every wheel it needs for the computers above; run `python3 course.py` in this",
              "folder and it installs from wheelhouse/ with no network. The classroom server's route: deploy/README.md."]
    (bundle / "离线安装包说明.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return info


def build(out: Path, platforms: list[str], pythons: list[str], server: bool = True) -> dict:
    started = time.perf_counter()
    bundle = out
    if bundle.exists():
        shutil.rmtree(bundle)          # no wheel of an older lock stays behind (pip's cache makes a rebuild quick)
    copy_course(bundle)
    wheelhouse = bundle / "wheelhouse"
    wheelhouse.mkdir(exist_ok=True)
    (wheelhouse / "pins").mkdir(exist_ok=True)

    pure: set[str] = set()   # "name==version" of wheels for any computer (py3-none-any), fetched once

    def fetch(platform: str, python: str) -> None:
        """One computer and Python: resolve, then download into a folder of its own (no two pips write one file)."""
        pins = pins_for(platform, python, requirements_for(platform, server))
        (wheelhouse / "pins" / f"{platform}-py{python}.txt").write_text(pins)
        part = wheelhouse / "parts" / f"{platform}-py{python}"
        part.mkdir(parents=True, exist_ok=True)
        needed = "".join(line + "\n" for line in pins.splitlines() if normal(line) not in pure)
        if needed:
            download(part, platform, python, needed)
        say(f"{PLATFORMS[platform][0]} · Python {python}")

    pairs = [(p, v) for p in platforms for v in pythons]
    fetch(*pairs[0])
    pure.update(normal("==".join(w.name.split("-")[:2])) for w in (wheelhouse / "parts").rglob("*-none-any.whl"))
    with ThreadPoolExecutor(max_workers=4) as pool:   # mostly waiting for the network: four at a time
        for done in [pool.submit(fetch, p, v) for p, v in pairs[1:]]:
            done.result()
    for part in sorted((wheelhouse / "parts").iterdir()):
        for wheel in part.glob("*.whl"):
            target = wheelhouse / wheel.name
            wheel.replace(target) if not target.exists() else wheel.unlink()
    shutil.rmtree(wheelhouse / "parts")
    proxy = None
    if server and any(p in SERVER_PLATFORMS for p in platforms):
        proxy = npm_package(bundle / "classroom-server")
    site = ROOT / "build" / "site"
    if site.is_dir():
        shutil.copytree(site, bundle / "handout")
    info = describe(bundle, platforms, pythons, proxy)
    say(f"完成：{bundle}（{info['bytes'] / 2**20:,.0f} MB，{info['wheels']} 个安装包，"
        f"{time.perf_counter() - started:.0f} 秒）。说明见 离线安装包说明.txt")
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="课程的离线安装包（U 盘、内网）")
    parser.add_argument("--platform", action="append", choices=sorted(PLATFORMS),
                        help="只打包这种电脑（可以写多次；默认全部）")
    parser.add_argument("--python", action="append", choices=PYTHONS, help="只打包这个 Python 版本（可以写多次；默认全部）")
    parser.add_argument("--no-server", action="store_true", help="不带班级服务器（JupyterHub）的安装包")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bundle", help="输出文件夹（默认 build/bundle/）")
    args = parser.parse_args(argv)
    build(args.out.resolve(), args.platform or list(PLATFORMS), args.python or PYTHONS, server=not args.no_server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
