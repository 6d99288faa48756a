"""The set-up files agree with each other: requirements, constraints, environment.yml, pyproject."""
from __future__ import annotations

import json
import re

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from .conftest import ROOT

CONDA_TO_PIP = {"python": None, "pip": None}


def requirement_lines(name):
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            yield Requirement(line)


def conda_specs():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    specs, pip_lines = {}, []
    for item in env["dependencies"]:
        if isinstance(item, dict):
            pip_lines += item["pip"]
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", item)
        name, spec = match.group(1), match.group(2).strip()
        if name in CONDA_TO_PIP:
            continue
        # conda's "=4.6.6" means 4.6.6 or any 4.6.6.x build; pip's equivalent is "==4.6.6.*"
        spec = re.sub(r"^=(?!=)([\w.]+)$", r"==\1", spec)
        specs[canonicalize_name(name)] = SpecifierSet(spec)
    for line in pip_lines:
        if not line.startswith("-"):
            req = Requirement(line)
            specs[canonicalize_name(req.name)] = req.specifier
    return specs, pip_lines


def test_environment_yml_names_every_requirement_at_a_compatible_version():
    specs, _ = conda_specs()
    pins = {}
    for req in requirement_lines("requirements.txt"):
        pins.setdefault(canonicalize_name(req.name), []).append(next(iter(req.specifier)).version)
    assert set(pins) == set(specs), f"only in requirements.txt: {set(pins) - set(specs)}; only in environment.yml: {set(specs) - set(pins)}"
    for name, versions in pins.items():
        for version in versions:
            assert Version(version) in specs[name], f"{name}: requirements pin {version}, environment.yml allows {specs[name]}"


def test_environment_yml_installs_the_course_package():
    _, pip_lines = conda_specs()
    assert "-e ." in pip_lines


def test_requirements_are_exact_pins_and_the_lock_agrees():
    locked = {}
    for req in requirement_lines("constraints.txt"):
        locked.setdefault(canonicalize_name(req.name), []).append((str(next(iter(req.specifier)).version), req.marker))
    for req in requirement_lines("requirements.txt"):
        spec = next(iter(req.specifier))
        assert spec.operator == "==", f"{req}: pin an exact version"
        name = canonicalize_name(req.name)
        assert name in locked, f"{name} missing from constraints.txt: run scripts/lock.py"
        for python in ["3.10", "3.11", "3.12"]:
            env = {"python_version": python}
            if req.marker and not req.marker.evaluate(env):
                continue
            chosen = [v for v, marker in locked[name] if marker is None or marker.evaluate(env)]
            assert chosen == [spec.version], f"{name} on Python {python}: requirements {spec.version}, lock {chosen}"


def test_pyproject_ranges_admit_the_pins():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    ranges = {canonicalize_name(Requirement(d).name): Requirement(d).specifier for d in project["dependencies"]}
    for req in requirement_lines("requirements.txt"):
        name = canonicalize_name(req.name)
        if name in ranges:
            assert Version(next(iter(req.specifier)).version) in ranges[name], f"{name}: pyproject range excludes the pin"


def test_jupyter_settings_make_the_ui_chinese_and_quiet_and_local():
    lab = json.loads((ROOT / "jupyter" / "xinzhi_lab_settings.json").read_text(encoding="utf-8"))
    assert lab["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"
    assert lab["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    server = json.loads((ROOT / "jupyter" / "xinzhi_server.json").read_text(encoding="utf-8"))
    assert server["ServerApp"]["ip"] == "127.0.0.1"
    assert "token" not in json.dumps(server).lower(), "token authentication stays on"


def test_settings_are_installed_in_this_environment():
    import sys
    from pathlib import Path

    prefix = Path(sys.prefix)
    assert (prefix / "share/jupyter/lab/settings/overrides.d/xinzhi_lab_settings.json").exists(), "run course.py"
    assert (prefix / "etc/jupyter/jupyter_server_config.d/xinzhi_server.json").exists(), "run course.py"


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 course.py test" in readme and re.search(r"python3 course.py\s*\n", readme)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "course.py test" in ci, ".ci/run must call the README's test command"
