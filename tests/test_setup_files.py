"""The set-up files agree with each other: the launcher's Pythons, pyproject, requirements, the lock, conda."""
from __future__ import annotations

import ast
import importlib
import json
import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from .conftest import NOTEBOOKS, ROOT, launcher

course = launcher()
SUPPORTED = [f"3.{minor}" for minor in range(course.OLDEST[1], course.NEWEST[1] + 1)]
CONDA_ONLY = {"python", "pip"}


def requirement_lines(name):
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            yield Requirement(line)


def on(python):
    return {"python_version": python, "python_full_version": python + ".0"}


def pins_for(name, python):
    """Package → pinned versions that apply on this Python (a list, so a double pin shows)."""
    pins = {}
    for req in requirement_lines(name):
        if req.marker is None or req.marker.evaluate(on(python)):
            spec = next(iter(req.specifier))
            assert spec.operator == "==", f"{name}: {req} is not an exact pin"
            pins.setdefault(canonicalize_name(req.name), []).append(spec.version)
    return pins


def conda_environment():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    specs, pip_lines = {}, []
    for item in env["dependencies"]:
        if isinstance(item, dict):
            pip_lines += item["pip"]
            continue
        name, spec = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", item).groups()
        # conda's "=4.6.6" means 4.6.6 or any 4.6.6.x build; pip's equivalent is "==4.6.6.*"
        specs[canonicalize_name(name)] = re.sub(r"^=(?!=)([\w.]+)$", r"==\1", spec.strip())
    for line in pip_lines:
        if not line.startswith("-"):
            req = Requirement(line)
            specs[canonicalize_name(req.name)] = str(req.specifier)
    return specs, pip_lines


def test_requires_python_admits_exactly_the_launchers_pythons_and_anything_newer():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    admitted = SpecifierSet(project["requires-python"])
    for minor in range(6, 20):
        version = f"3.{minor}.0"
        refused = False
        try:
            course.check_python(version)
        except course.CourseError:
            refused = True
        assert admitted.contains(version) == (not refused), f"pyproject and course.py disagree on Python {version}"
    assert admitted.contains(f"3.{course.NEWEST[1] + 1}.0"), "a newer Python is warned about, never refused"


def test_the_lock_covers_every_supported_python_and_only_those():
    header = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()[0]
    locked = re.search(r"for Python ([\d., ]+)", header).group(1)
    assert re.findall(r"3\.\d+", locked) == SUPPORTED, "run scripts/lock.py after changing course.py's Pythons"


@pytest.mark.parametrize("python", SUPPORTED)
def test_requirements_agree_with_the_lock_on_every_python(python):
    locked = pins_for("constraints.txt", python)
    assert all(len(v) == 1 for v in locked.values()), f"two pins for one package on {python}: {locked}"
    for name in ["requirements.txt", "requirements-test.txt"]:
        for package, versions in pins_for(name, python).items():
            assert locked.get(package) == versions, \
                f"{package} on Python {python}: {name} pins {versions}, constraints.txt {locked.get(package)}; run scripts/lock.py"


def test_the_newest_pins_apply_to_newer_pythons():
    newest, newer = SUPPORTED[-1], f"3.{course.NEWEST[1] + 1}"
    assert pins_for("constraints.txt", newer) == pins_for("constraints.txt", newest)


@pytest.mark.parametrize("python", SUPPORTED)
def test_environment_yml_names_every_requirement_at_the_pinned_version(python):
    specs, _ = conda_environment()
    pins = pins_for("requirements.txt", python)
    assert set(pins) == set(specs) - CONDA_ONLY, \
        f"only in requirements.txt: {set(pins) - set(specs)}; only in environment.yml: {set(specs) - set(pins) - CONDA_ONLY}"
    for name, (version,) in pins.items():
        assert SpecifierSet(specs[name]).contains(version), f"{name}: requirements pin {version}, environment.yml {specs[name]}"


def test_environment_yml_uses_a_supported_python_and_installs_the_course():
    specs, pip_lines = conda_environment()
    assert re.fullmatch(r"==(3\.\d+)", specs["python"]).group(1) in SUPPORTED
    assert "-e ." in pip_lines


def test_pyproject_ranges_admit_the_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    ranges = {canonicalize_name(Requirement(d).name): Requirement(d).specifier for d in project["dependencies"]}
    for python in SUPPORTED:
        for name, (version,) in pins_for("requirements.txt", python).items():
            if name in ranges:
                assert Version(version) in ranges[name], f"{name}: pyproject range {ranges[name]} excludes {version}"


def test_the_python_page_offered_is_python_orgs_page_of_the_newest_supported_python():
    major, minor = course.NEWEST
    assert re.fullmatch(rf"https://www\.python\.org/downloads/release/python-{major}{minor}\d+/", course.NEWEST_PAGE)


def test_the_launcher_reads_on_old_pythons():
    """An old Python must get as far as the Chinese message that names the Python to install."""
    ast.parse((ROOT / "course.py").read_text(encoding="utf-8"), feature_version=(3, 8))


def test_every_course_notebook_is_listed_with_its_current_hash():
    listed = (ROOT / "jupyter" / "course_notebooks.sha256").read_text(encoding="utf-8")
    assert {line.split()[1] for line in listed.splitlines()} == {p.name for p in NOTEBOOKS}
    assert listed == course.fingerprint_lines(), \
        "jupyter/course_notebooks.sha256 is out of date: run `python3 course.py fingerprints` and commit it"


def test_a_windows_checkout_keeps_the_notebooks_trusted(tmp_path):
    """Git for Windows may check notebooks out with CRLF line endings; the fingerprint must not change."""
    lf = NOTEBOOKS[0]
    crlf = tmp_path / lf.name
    crlf.write_bytes(lf.read_bytes().replace(b"\n", b"\r\n"))
    assert course.notebook_digest(crlf) == course.notebook_digest(lf)


def test_jupyter_settings_make_the_ui_chinese_and_the_server_quiet():
    lab = json.loads((ROOT / "jupyter" / "xinzhi_lab_settings.json").read_text(encoding="utf-8"))
    assert lab["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"
    assert lab["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    extensions = json.loads((ROOT / "jupyter" / "xinzhi_extensions.json").read_text(encoding="utf-8"))
    assert extensions["ServerApp"]["jpserver_extensions"] == {"jupyter_lsp": False, "notebook_shim": False}
    server = json.loads((ROOT / "jupyter" / "jupyter_server_config.json").read_text(encoding="utf-8"))
    assert server["KernelManager"]["transport_encryption"] == "auto"
    assert "token" not in json.dumps(server).lower(), "token authentication stays on"


def test_settings_are_installed_in_this_environment():
    etc, lab = Path(sys.prefix) / "etc/jupyter", Path(sys.prefix) / "share/jupyter/lab"
    assert (lab / "settings/overrides.d/xinzhi_lab_settings.json").exists(), "run course.py"
    assert (etc / "jupyter_server_config.d/xinzhi_extensions.json").exists(), "run course.py"
    server = json.loads((etc / "jupyter_server_config.json").read_text(encoding="utf-8"))
    assert Path(server["LabApp"]["templates_dir"], "index.html").read_text(encoding="utf-8") == \
        (ROOT / "jupyter" / "lab_index.html").read_text(encoding="utf-8")
    voila = json.loads((etc / "voila.json").read_text(encoding="utf-8"))
    assert voila["KernelManager"] == server["KernelManager"]
    assert voila["Voila"]["kernel_websocket_connection_class"] == \
        server["ServerApp"]["kernel_websocket_connection_class"] == "xinzhi_server.NoDelayConnection"


def test_kernel_websockets_send_each_message_at_once(monkeypatch):
    """The connection class the servers are configured with turns Nagle's algorithm off, then connects as usual."""
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

    server = json.loads((ROOT / "jupyter" / "jupyter_server_config.json").read_text(encoding="utf-8"))
    module, name = server["ServerApp"]["kernel_websocket_connection_class"].rsplit(".", 1)
    connection_class = getattr(importlib.import_module(module), name)
    assert issubclass(connection_class, ZMQChannelsWebsocketConnection)
    assert module.split(".")[0] != "xinzhi", "a server must not import the notebook package (it sets up matplotlib)"

    calls = []
    handler = type("Handler", (), {"set_nodelay": lambda self, value: calls.append(("nodelay", value))})()
    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect", lambda self: calls.append(("connect",)) or "wired")
    connection = connection_class.__new__(connection_class)
    connection._trait_values["websocket_handler"] = handler   # a real handler needs a running server
    assert connection.connect() == "wired"
    assert calls == [("nodelay", True), ("connect",)]


def test_readme_gives_the_two_commands_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 course.py test" in readme and re.search(r"python3 course.py\s*\n", readme)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 course.py test" in ci, ".ci/run must call the README's test command"


def test_readme_names_the_supported_pythons():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    span = f"{SUPPORTED[0]}–{SUPPORTED[-1]}"
    assert readme.count(span) >= 2, f"README (Chinese and English) should say Python {span}"


def test_every_installed_package_admits_the_first_patch_release_of_this_python():
    """A pin must install on any 3.x.y: Debian 12, for one, ships Python 3.11.2 (scripts/lock.py resolves for x.y.0)."""
    import sys
    from importlib.metadata import distributions

    first = f"{sys.version_info.major}.{sys.version_info.minor}.0"
    refusing = sorted(f"{d.metadata['Name']} {d.version} (Requires-Python {d.metadata['Requires-Python']})"
                      for d in distributions()
                      if d.metadata.get("Requires-Python")
                      and not SpecifierSet(d.metadata["Requires-Python"]).contains(first))
    assert not refusing, f"these would not install on Python {first}; run scripts/lock.py: {refusing}"


def readme_tree() -> list[tuple[str, str]]:
    """(path, description) for every line of the README's folder tree (## 文件夹结构); an indented line is
    inside the last folder above it, a line of more description has no path."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## 文件夹结构", 1)[1].split("```", 2)[1]
    entries, folder = [], ""
    for line in block.splitlines()[1:]:
        if not line.strip():
            continue
        indented = line.startswith(" ")
        name, _, description = line.strip().partition(" ")
        if indented and line[:len(line) - len(line.lstrip())] == " " * 21:   # a description's second line
            entries.append(("", line.strip()))
            continue
        path = f"{folder}{name}" if indented else name
        if not indented:
            folder = name if name.endswith("/") else ""
        entries.append((path, description.strip()))
    return entries


def test_every_path_in_the_readme_tree_exists():
    """The maintainers' folder tree in README.md names only files and folders the repository has: the line's own
    path, and the file names its description mentions (found beside it, inside it or from the top)."""
    entries = readme_tree()
    assert len(entries) >= 10 and any(path == "src/xinzhi/widgets/" for path, _ in entries), entries
    missing, base = [], ROOT
    for path, description in entries:
        if path:
            target = ROOT / path
            if not target.exists():
                missing.append(path)
            base = target if target.is_dir() else target.parent
        for name in re.findall(r"[\w.*/-]+\.(?:py|txt|yml|yaml|md|json|csv|toml)\b|\.ci/run", description):
            if not any(list(where.glob(name)) for where in (base, base.parent, ROOT)):
                missing.append(f"{name} (in the description of {path or 'a line above'})")
    assert not missing, "README.md's folder tree names what the repository no longer has: " + ", ".join(missing)
