"""Shared test set-up: a private workspace for every test, and helpers to find the course's parts."""
from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
#: The course, in order: every notebook in notebooks/ named NN_名称.ipynb. Every test takes the list from here,
#: and tests/test_notebooks.py fails on any other .ipynb in notebooks/, so a new notebook cannot be left out.
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
#: The skeleton a maintainer copies for a new notebook (docs/maintaining.md); checked for its skeleton, not run.
TEMPLATE = ROOT / "docs" / "notebook_template.ipynb"


# Fixtures wider than one test that are quicker to make again in a second process than to wait for (a browser, a
# copy of the notebooks, the check that nothing is left running); every other such fixture (a server, a hub, a built
# site or bundle, a report) keeps the tests that share it in one process when the suite runs in parallel.
CHEAP_TO_REPEAT = {"browser_home", "course_copy", "chromium", "chromium_path", "browser", "nothing_left_running"}


@pytest.hookimpl(wrapper=True)   # around every other plugin's hook: pytest-xdist's reads the groups
def pytest_collection_modifyitems(config, items):
    """Groups for pytest-xdist's ``--dist loadgroup`` (python3 course.py test): a test goes to whichever process is
    free, except that tests sharing a costly fixture wider than one test stay in one process, so that fixture is made
    once; a module with a module-wide fixture stays together too."""
    if not config.getoption("loadgroup", False):   # what pytest-xdist tells each of its processes
        return (yield)
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    keyed = []
    for item in items:
        module, keys = item.path.relative_to(ROOT).as_posix(), []
        for name, fixtures in item._fixtureinfo.name2fixturedefs.items():
            for fixture in fixtures:
                if not fixture.baseid.startswith("tests") or fixture.scope == "function" or name in CHEAP_TO_REPEAT:
                    continue
                wide = fixture.scope in ("session", "package")
                keys.append(f"{fixture.baseid}::{name}" if wide else module)
        for key in keys[1:]:
            parent[root(key)] = root(keys[0])
        keyed.append((item, keys))
    for item, keys in keyed:
        if keys:
            item.add_marker(pytest.mark.xdist_group(root(keys[0])))
    result = yield
    # pytest-xdist 3.8 tells its scheduler a test's group by writing "<node id>@<group>" into item._nodeid, but
    # pytest 9.2 builds item.nodeid from item._id, so the group would never arrive and loadgroup would spread these
    # tests like load. Copy it across (pytest's private NodeId); delete these lines once pytest-xdist does it itself.
    from _pytest.nodeid import NodeId

    for item in items:
        grouped = getattr(item, "_nodeid", "")
        if "@" in grouped and grouped != item.nodeid:
            item._id = NodeId.parse(grouped)
    return result


@pytest.fixture(autouse=True)
def private_workspace(tmp_path, monkeypatch):
    """No test writes into a participant's real workspace."""
    folder = tmp_path / "my_work"
    monkeypatch.setenv("XINZHI_WORKSPACE", str(folder))
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)   # which notebook is running: set by a test if needed
    return folder


def free_ports(count: int = 1) -> list[int]:
    """``count`` different ports that are free on 127.0.0.1 now, for a server a test starts.

    They are drawn at random below the range the system hands out for bind(0) and for outgoing connections
    (/proc/sys/net/ipv4/ip_local_port_range), so no kernel, browser or HTTP request of a test running at the same
    time takes one before the server binds it; each is bound once to see that it is free, and all are held until
    all are found, so no two are the same."""
    import random
    import socket

    try:
        lowest = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        lowest = 32768
    held: list[socket.socket] = []
    try:
        for port in random.SystemRandom().sample(range(10000, max(lowest, 20000)), 200):   # not the tests' seed
            probe = socket.socket()
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                probe.close()
                continue
            held.append(probe)
            if len(held) == count:
                return [sock.getsockname()[1] for sock in held]
        raise RuntimeError(f"no {count} free ports on 127.0.0.1")
    finally:
        for sock in held:
            sock.close()


def free_port() -> int:
    """One port that is free on 127.0.0.1 now (:func:`free_ports`)."""
    return free_ports(1)[0]


def widget_classes():
    """Every FigureWidget subclass defined in xinzhi.widgets.* — new widgets are tested automatically."""
    from xinzhi.widgets import course_widgets

    return course_widgets()


def link_allowlist() -> dict[str, dict]:
    """tests/link_domains.csv: the only domains participants may be sent to, each with its publisher, kind and reason.
    Read by the link test (texts participants see) and the data test (the rows' publisher_url)."""
    import csv

    with open(ROOT / "tests" / "link_domains.csv", encoding="utf-8", newline="") as fh:
        return {row["domain"]: row for row in csv.DictReader(fh)}


def allowed_host(host: str, domains) -> bool:
    """Is ``host`` one of ``domains`` or a subdomain of one (english.www.gov.cn under gov.cn)?"""
    host = host.lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def launcher():
    """course.py, imported as a module (it is a script beside the course, not part of the package)."""
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def markdown_cells(notebook: str | Path) -> list[tuple[int, str]]:
    """(cell number from 1, text) of every markdown cell of a notebook: a path, or the stem of one in notebooks/."""
    import json

    path = notebook if isinstance(notebook, Path) else NOTEBOOK_DIR / f"{notebook}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(i, "".join(c["source"])) for i, c in enumerate(nb["cells"], start=1) if c["cell_type"] == "markdown"]


def markdown(path: Path) -> str:
    """All the markdown of a notebook, one cell after another."""
    return "\n".join(text for _number, text in markdown_cells(path))


def code_constants(path: Path) -> list[tuple[int, object]]:
    """(line, value) of every constant written in a module's code — numbers and strings — without its docstrings."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [(n.lineno, n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in docstrings]


def python_strings(path: Path) -> str:
    """The string literals of a module, without its docstrings: the text a module can show participants."""
    return "\n".join(value for _line, value in code_constants(path) if isinstance(value, str))
