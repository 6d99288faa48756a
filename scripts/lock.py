"""Rebuild constraints.txt: the exact version of every package, for each supported Python.

    python3 scripts/lock.py             # keep the current pins where they still fit; pin what is new
    python3 scripts/lock.py --upgrade   # newest versions of everything

The supported Pythons are course.py's OLDEST to NEWEST. For each one, pip resolves requirements-test.txt
(wheels only; nothing is installed) for its first patch release (3.11.0: a package needing 3.11.5 would
not install on Debian 12's 3.11.2), preferring the versions already in constraints.txt, and this writes
one pin per package, with an environment marker where the versions differ between Pythons; the newest
Python's pins also apply to any newer Python. A Python the current lock does not cover starts from the
pins of the newest one it does. A Python
found on PATH or under pyenv resolves for itself; a missing one is resolved by the newest Python present,
through pip's --python-version (environment markers are then evaluated for the Python present, so the
script warns if any dependency's marker would differ). Then it checks whether the next Python after
NEWEST could be supported: every package pinned for NEWEST needs a wheel for it.

The resolution above is this machine's (Linux x86_64). Then uv resolves requirements.txt for Windows, macOS
(Intel and Apple silicon) and Linux aarch64 (with deploy/requirements-hub.txt there, for a classroom server), for
each Python, preferring those pins: a package that needs another version on a computer (no wheel there for the
pinned one) or that only a computer needs (pywinpty, appnope) gets lines with that computer's marker. So
`pip install -c constraints.txt` and the offline bundle (publish/bundle.py) find a wheel on every computer.
"""
from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from course import NEWEST, OLDEST  # noqa: E402

PYTHONS = [f"3.{minor}" for minor in range(OLDEST[1], NEWEST[1] + 1)]
NEXT = f"3.{NEWEST[1] + 1}"
PIP = ["-m", "pip", "--disable-pip-version-check", "install", "--dry-run", "--ignore-installed", "--quiet",
       "--only-binary=:all:"]


def interpreter(version: str) -> str | None:
    found = sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"))
    return str(found[-1]) if found else shutil.which(f"python{version}")


def current_pins(version: str) -> dict[str, str]:
    """The pins constraints.txt holds now for Python `version` (or for the newest Python it covers)."""
    text = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    covered = re.findall(r"3\.\d+", (re.search(r"for Python ([\d., ]+)", text) or [""])[0])
    if covered and version not in covered:
        version = max(covered, key=lambda v: int(v.split(".")[1]))
    env = {"python_version": version, "python_full_version": version + ".0"}
    pins = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate(env):
                pins[req.name] = next(iter(req.specifier)).version
    return pins


def resolve(version: str, host: str, prefer: dict[str, str]) -> list[dict]:
    """pip's installation report for requirements-test.txt on Python `version`, computed by `host`,
    keeping the `prefer` pins that fit (one does not when it has no wheel for `version`, or needs a later patch release)."""
    with tempfile.TemporaryDirectory() as tmp:
        # the first patch release, so the pins install on every 3.x.y a computer may have (Debian 12: 3.11.2)
        target = ["--python-version", f"{version}.0", "--target", str(Path(tmp) / "target")]
        report, constraints = Path(tmp) / "report.json", Path(tmp) / "prefer.txt"
        cmd = [host, *PIP, *target, "--report", str(report), "-r", str(ROOT / "requirements-test.txt")]
        cmd.remove("--quiet")   # pip explains a conflict only when not quiet; the output is captured
        prefer = dict(prefer)
        while True:
            constraints.write_text("".join(f"{name}=={pin}\n" for name, pin in prefer.items()))
            result = subprocess.run(cmd + ["-c", str(constraints)], capture_output=True, text=True)
            if result.returncode == 0:
                return json.loads(report.read_text())["install"]
            # only the pins pip names in the conflict are let go (a wheel missing for this Python, say)
            unfit = {n.lower().replace("_", "-") for n in re.findall(r"requested \(constraint\) ([\w.-]+)==", result.stdout + result.stderr)}
            unfit &= set(prefer)
            if not unfit:
                print(f"Python {version}: the current pins do not fit together, resolving afresh")
                subprocess.run(cmd, check=True)
                return json.loads(report.read_text())["install"]
            for name in sorted(unfit):
                print(f"Python {version}: {name}=={prefer.pop(name)} does not fit, choosing another")


def unmet_markers(items: list[dict], host_version: str, version: str) -> list[str]:
    """Dependencies that apply on Python `version` but not on the host that resolved for it, and that the
    resolution does not satisfy (pip evaluated the markers for the host)."""
    resolved = {i["metadata"]["name"].lower().replace("_", "-"): i["metadata"]["version"] for i in items}
    host_env, env = ({"python_version": v, "python_full_version": v + ".0"} for v in (host_version, version))
    unmet = []
    for item in items:
        for line in item["metadata"].get("requires_dist", []):
            req = Requirement(line)
            if req.marker is None or "extra" in str(req.marker) or not req.marker.evaluate(env):
                continue
            pin = resolved.get(req.name.lower().replace("_", "-"))
            if not req.marker.evaluate(host_env) and (pin is None or not req.specifier.contains(pin, prereleases=True)):
                unmet.append(f"{item['metadata']['name']} needs {line}")
    return unmet


def missing_wheels(pins: dict[str, str], version: str, host: str) -> list[str]:
    """The pinned packages that publish no wheel for Python `version` (pip names one at a time)."""
    missing, todo = [], [f"{name}=={pin}" for name, pin in pins.items()]
    while True:
        result = subprocess.run([host, *PIP, "--no-deps", "--python-version", version, *todo],
                                capture_output=True, text=True)
        found = re.search(r"No matching distribution found for (\S+)", result.stderr)
        if result.returncode == 0 or not found:
            return missing
        missing.append(found.group(1))
        todo.remove(next(t for t in todo if t.lower() == found.group(1).lower()))


# --- Windows and macOS: a Linux pin with no wheel there, and packages that exist only there ---------------
# uv resolves requirements.txt for another computer with that computer's environment markers (pip applies this
# machine's), preferring the Linux pins; where it must choose otherwise, that computer gets its own lines.
OTHER_COMPUTERS = {  # uv's platform name: the marker that selects that computer in constraints.txt
    "aarch64-manylinux_2_28": 'sys_platform == "linux" and platform_machine == "aarch64"',
    "x86_64-pc-windows-msvc": 'sys_platform == "win32"',
    "x86_64-apple-darwin": 'sys_platform == "darwin" and platform_machine == "x86_64"',
    "aarch64-apple-darwin": 'sys_platform == "darwin" and platform_machine == "arm64"',
}
NOT_ON = {
    "aarch64-manylinux_2_28": '(sys_platform != "linux" or platform_machine != "aarch64")',
    "x86_64-pc-windows-msvc": 'sys_platform != "win32"',
    "x86_64-apple-darwin": '(sys_platform != "darwin" or platform_machine != "x86_64")',
    "aarch64-apple-darwin": '(sys_platform != "darwin" or platform_machine != "arm64")',
}
MACOS = "12.0"   # the oldest macOS served: uv's wheel tags, and publish/bundle.py's


def uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not Path(found).exists():
        sys.exit("uv not found: pip install -r requirements-site.txt")
    return found


def resolve_for(computer: str, version: str, prefer: dict[str, str]) -> dict[str, str]:
    """requirements.txt (on Linux also the classroom hub's) for `computer` and Python `version` (a current
    patch release), keeping the `prefer` pins except those that have no wheel there."""
    prefer = dict(prefer)
    inputs = [str(ROOT / "requirements.txt")] + ([str(ROOT / "deploy" / "requirements-hub.txt")]
                                                 if "linux" in computer else [])   # a classroom server
    with tempfile.TemporaryDirectory() as tmp:
        constraints = Path(tmp) / "prefer.txt"
        while True:
            constraints.write_text("".join(f"{name}=={pin}\n" for name, pin in prefer.items()))
            result = subprocess.run(
                [uv(), "pip", "compile", *inputs, "-c", str(constraints), "--no-config",
                 "--python-platform", computer, "--python-version", f"{version}.99", "--only-binary", ":all:",
                 "--no-header", "--no-annotate", "--quiet"],
                capture_output=True, text=True, env=dict(os.environ, MACOSX_DEPLOYMENT_TARGET=MACOS))
            if result.returncode == 0:
                reqs = [Requirement(line) for line in result.stdout.splitlines() if line and not line.startswith("#")]
                return {r.name.lower().replace("_", "-"): next(iter(r.specifier)).version for r in reqs}
            lacking = re.search(r"Because (\S+)==\S+ has no usable wheels", result.stderr)
            name = lacking and lacking.group(1).lower().replace("_", "-")
            if name not in prefer:
                sys.exit(f"{computer}, Python {version}: no resolution\n{result.stderr[-2000:]}")
            print(f"{computer}, Python {version}: {name}=={prefer.pop(name)} has no wheel there")


def own_lines(pins: dict[str, dict[str, str]]) -> dict[str, dict[str, dict[str, str]]]:
    """{package: {computer: {python: version}}} for every package whose version on that computer differs from
    Linux's for some Python, or that only that computer needs."""
    found = {(c, v): resolve_for(c, v, pins[v]) for c in OTHER_COMPUTERS for v in PYTHONS}
    own: dict[str, dict[str, dict[str, str]]] = {}
    for (computer, version), there in found.items():
        for name, pin in there.items():
            if pins[version].get(name) != pin:
                own.setdefault(name, {})[computer] = {}
    for name, computers in own.items():
        for computer in computers:
            computers[computer] = {v: found[(computer, v)][name] for v in PYTHONS if name in found[(computer, v)]}
    return own


def marked(name: str, linux: list[str], own: dict[str, dict[str, str]]) -> list[str]:
    """A package's Linux lines, kept off the computers that have their own, then those computers' lines."""
    if not own:
        return linux
    away = " and ".join(NOT_ON[c] for c in own)   # markers have no "not": each computer's negation
    lines = [f"{pin} ; {'(' + marker + ') and ' if marker else ''}{away}"
             for pin, _, marker in (line.partition(" ; ") for line in linux)]
    for computer, versions in own.items():
        for version in sorted(set(versions.values())):
            pythons = [v for v in PYTHONS if versions.get(v) == version]
            which = "" if pythons == PYTHONS else " and (" + " or ".join(
                f'python_version {">=" if v == PYTHONS[-1] else "=="} "{v}"' for v in pythons) + ")"
            lines.append(f"{name}=={version} ; {OTHER_COMPUTERS[computer]}{which}")
    return lines

def main() -> None:
    present = {v: interpreter(v) for v in PYTHONS}
    newest_present = max((v for v, exe in present.items() if exe), key=lambda v: int(v.split(".")[1]))
    host = present[newest_present]
    upgrade = "--upgrade" in sys.argv[1:]
    pins, notes = {}, []
    for version in PYTHONS:
        items = resolve(version, present[version] or host, {} if upgrade else current_pins(version))
        pins[version] = {i["metadata"]["name"].lower().replace("_", "-"): i["metadata"]["version"] for i in items}
        if not present[version]:
            notes.append(f"{version} resolved by Python {newest_present} (pip --python-version; no {version} here)")
            for line in unmet_markers(items, newest_present, version):
                print(f"warning: Python {version}: {line}, which this lock does not satisfy")
    missing = missing_wheels(pins[PYTHONS[-1]], NEXT, host)
    notes.append(f"{NEXT}: not locked" + (f", no wheel yet for {', '.join(missing)}" if missing else
                                              ": every pin has a wheel, extend course.py's NEWEST and re-run"))

    lines = [f"# Exact versions of every package, resolved by scripts/lock.py on {platform.system()} for Python "
             + ", ".join(PYTHONS) + f"; the {PYTHONS[-1]} pins also apply to newer Pythons.",
             *(f"# Python {note}." for note in notes),
             "# Used as: pip install -r requirements.txt -c constraints.txt"]
    header = len(lines)
    own = own_lines(pins)
    for name in sorted(set().union(*pins.values(), own)):
        versions = {v: pins[v].get(name) for v in PYTHONS}
        distinct = set(versions.values())
        if len(distinct) == 1 and None not in distinct:
            linux = [f"{name}=={distinct.pop()}"]
        else:
            linux = [f'{name}=={pin} ; python_version {">=" if v == PYTHONS[-1] else "=="} "{v}"'
                     for v, pin in versions.items() if pin]
        lines += marked(name, [line for line in linux if "==" in line], own.get(name, {}))
    (ROOT / "constraints.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"constraints.txt: {len(lines) - header} pins; " + "; ".join(notes))


if __name__ == "__main__":
    main()
