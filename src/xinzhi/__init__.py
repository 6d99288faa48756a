"""新质生产力：浙江实践 — the course package.

Importing it prepares a notebook: Chinese chart font and style, interactive figures (ipympl) inside a
kernel, and plain Chinese messages instead of tracebacks for the course's own errors. Every notebook
cell that uses the package imports what it needs, so cells can run in any order.

    data        load a named data set with its sources          xinzhi.data.load("auto_nev")
    charts      style, source line, static charts with alt text
    widgets     the course's widgets, one module per notebook
    models      pure functions behind the widgets (no plotting)
    quiz        self-checks from the question banks in quizzes/
    records     what a participant answered and guessed, ready for a class view
    workspace   a participant's saved work
"""
from __future__ import annotations

from .errors import CourseError, DataError, InputError


def _version() -> str:
    """The course version people cite: the file VERSION beside README.md (a maintainer edits only that file)."""
    from pathlib import Path

    try:
        return (Path(__file__).resolve().parents[2] / "VERSION").read_text(encoding="utf-8").strip()
    except OSError:  # installed without the repository around it
        from importlib.metadata import version

        return version("xinzhi")


__version__ = _version()
__all__ = ["CourseError", "DataError", "InputError", "setup", "__version__"]


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def setup() -> None:
    """Prepare the notebook (idempotent; runs on import)."""
    import os

    import matplotlib

    if _in_kernel() and os.environ.get("XINZHI_FIGURES", "ipympl") == "ipympl" and "ipympl" not in matplotlib.get_backend():
        try:
            import ipympl  # noqa: F401

            matplotlib.use("module://ipympl.backend_nbagg")
        except ImportError:  # figures fall back to images; the environment check in 00 reports it
            pass
    from . import charts
    from .errors import show_course_errors_plainly

    charts.use_course_style()
    show_course_errors_plainly()
    if _in_kernel():
        from IPython import get_ipython

        events = get_ipython().events
        if charts.collect_closed_figures not in events.callbacks["post_execute"]:
            events.register("post_execute", charts.collect_closed_figures)
            # What is loaded by now (the libraries: hundreds of thousands of objects) lives as long as the
            # kernel: leave it out of every later collection, which then looks only at what the notebook made.
            # pandas and ipywidgets are loaded first: every notebook uses them (tables, controls).
            import gc

            import ipywidgets  # noqa: F401
            import pandas  # noqa: F401

            gc.collect()
            gc.freeze()
    if _in_kernel() and os.environ.get("XINZHI_HANDOUT"):  # building the handout site (publish/site.py)
        from . import handout

        handout.install()


setup()
