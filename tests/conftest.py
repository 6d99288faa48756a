"""Shared test set-up: a private workspace for every test, and helpers to find the course's parts."""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(autouse=True)
def private_workspace(tmp_path, monkeypatch):
    """No test writes into a participant's real workspace."""
    folder = tmp_path / "my_work"
    monkeypatch.setenv("XINZHI_WORKSPACE", str(folder))
    return folder


def widget_classes():
    """Every FigureWidget subclass defined in xinzhi.widgets.* — new widgets are tested automatically."""
    import xinzhi.widgets
    from xinzhi.widgets.base import FigureWidget

    for module in pkgutil.iter_modules(xinzhi.widgets.__path__):
        importlib.import_module(f"xinzhi.widgets.{module.name}")
    found, todo = [], list(FigureWidget.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if not getattr(cls, "__abstractmethods__", None) and cls.__module__.startswith("xinzhi.widgets."):
            found.append(cls)
    return sorted(set(found), key=lambda c: (c.__module__, c.__qualname__))


def launcher():
    """course.py, imported as a module (it is a script beside the course, not part of the package)."""
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
