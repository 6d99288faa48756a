"""Rebuild constraints.txt: the exact version of every package, for each supported Python.

    python scripts/lock.py

Asks the pip of each supported Python (python3.10, python3.11 and python3.12 on PATH, or under pyenv) to
resolve requirements-test.txt (nothing is installed) and writes one pin per package, with an environment
marker where the versions differ between Pythons.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHONS = ["3.10", "3.11", "3.12"]


def interpreter(version: str) -> str:
    found = next((str(p) for p in sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python"))), None)
    found = found or shutil.which(f"python{version}")
    if not found:
        sys.exit(f"python{version} not found: install it (or add it to PATH) to lock for it")
    return found


def resolve(python_version: str) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run([interpreter(python_version), "-m", "pip", "install", "--dry-run", "--ignore-installed",
                        "--quiet", "--disable-pip-version-check", "--only-binary=:all:",
                        "--report", str(report), "-r", str(ROOT / "requirements-test.txt")], check=True)
        items = json.loads(report.read_text())["install"]
    return {i["metadata"]["name"].lower().replace("_", "-"): i["metadata"]["version"] for i in items}


def main() -> None:
    pins = {v: resolve(v) for v in PYTHONS}
    lines = ["# Exact versions of every package, resolved by scripts/lock.py for Python " + ", ".join(PYTHONS) + ".",
             "# Used as: pip install -r requirements.txt -c constraints.txt"]
    for name in sorted(set().union(*pins.values())):
        versions = {v: pins[v].get(name) for v in PYTHONS}
        distinct = {x for x in versions.values() if x}
        if len(distinct) == 1 and all(versions.values()):
            lines.append(f"{name}=={distinct.pop()}")
            continue
        for v, x in versions.items():
            if x:
                lines.append(f'{name}=={x} ; python_version == "{v}"')
    (ROOT / "constraints.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"constraints.txt: {len(lines) - 2} lines")


if __name__ == "__main__":
    main()
