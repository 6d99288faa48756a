"""The course's widgets: one module per notebook, every widget a :class:`base.FigureWidget`."""
from __future__ import annotations

import importlib
import pkgutil


def course_widgets() -> list[type]:
    """Every FigureWidget subclass defined in xinzhi.widgets.* (each module imported), in a stable order."""
    from .base import FigureWidget

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    found, todo = [], list(FigureWidget.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if not getattr(cls, "__abstractmethods__", None) and cls.__module__.startswith(f"{__name__}."):
            found.append(cls)
    return sorted(set(found), key=lambda c: (c.__module__, c.__qualname__))


def predictions() -> set[tuple[str, str]]:
    """``(notebook, key)`` of every widget that asks for a guess first (:mod:`.predict`)."""
    return {(cls.prediction.notebook, cls.prediction.key) for cls in course_widgets()
            if getattr(cls, "prediction", None) is not None}

