"""One layout and one style shared by the many widgets that never change theirs.

Every ipywidgets widget brings a ``Layout`` (and most a style) of its own, each a widget too: a model in the
kernel and in the browser, a message to open it. A notebook's quiz, controls, message lines and notes are
hundreds of widgets that keep their layout and style for good; they share one per set of settings instead
(a layout's views all follow the one model). Never change the layout or style of a widget made with these:
the change would show on all of them — a widget that is hidden or resized later gets a layout of its own.

    html_line("<b>…</b>")                                   an HTML widget, shared empty layout and style
    html_line(layout={"min_height": "1.4em"})
    w.VBox(children, layout=layout())                       a box that is never hidden or resized
    w.IntSlider(…, style=style(w.IntSlider, description_width="11em"))
"""
from __future__ import annotations

import ipywidgets as w

_made: dict = {}


def _shared(kind, settings: dict):
    key = (kind, tuple(sorted(settings.items())))
    made = _made.get(key)
    if made is None or made.comm is None:   # none yet, or closed (Widget.close_all)
        made = _made[key] = kind(**settings)
    return made


def layout(**settings) -> w.Layout:
    """The shared Layout with these settings (CSS properties, as ``w.Layout`` takes them)."""
    return _shared(w.Layout, settings)


def style(widget_class, **settings):
    """The shared style for widgets of ``widget_class`` (its own kind of style: SliderStyle for a slider …)."""
    return _shared(widget_class.class_traits()["style"].klass, settings)


def html_line(value: str = "", *, layout: dict | None = None) -> w.HTML:
    """An HTML widget whose layout (``layout``: its settings) and style are shared."""
    return w.HTML(value, layout=_shared(w.Layout, layout or {}), style=style(w.HTML))
