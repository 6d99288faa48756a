"""The course as a handout (the static site and its printed A4 version): what a chart, a widget and a
self-check show when nobody can move them.

``python3 course.py site`` runs every notebook with ``XINZHI_HANDOUT`` set to the notebook's file name
(publish/website.py). Then, in that kernel only:

* a chart is an image with its alt text, and its source line is text under it (searchable, sharp in print);
* a widget shows its starting state — the chart, each control's starting value, the explanation under it —
  and one line saying that it moves in JupyterLab and how to get there;
* a self-check shows its questions, each answer folded (``<details>``) under its question.

Nothing here runs in a participant's JupyterLab or Voilà.
"""
from __future__ import annotations

import base64
import html
import os

import ipywidgets as w

from . import charts

ENV = "XINZHI_HANDOUT"
DPI = 180   # an 8-inch chart is 1440 px wide: sharp on a phone's screen and on paper


def notebook() -> str:
    """The notebook being rendered for the handout ("01_concept.ipynb"), or "" in a participant's kernel."""
    return os.environ.get(ENV, "")


def active() -> bool:
    return bool(notebook())


def install() -> None:
    """Show widgets and self-checks as static HTML in this kernel (called by ``xinzhi.setup()``)."""
    from IPython import get_ipython

    from .quiz import Quiz
    from .widgets.base import FigureWidget

    formatter = get_ipython().display_formatter.mimebundle_formatter
    formatter.for_type(FigureWidget, lambda obj: _bundle(figure_widget(obj)))
    formatter.for_type(Quiz, lambda obj: _bundle(quiz(obj)))
    formatter.for_type(w.Widget, lambda obj: _bundle(f"<div class='xinzhi-static'>{widget(obj)}</div>"))


def _bundle(text: str) -> dict:
    return {"text/html": text, "text/plain": "（互动内容：见网页版）"}


# --- charts --------------------------------------------------------------------------------------

def chart(fig, alt: str, caption: str | None = None) -> str:
    """A finished figure as ``<figure>``: the image with its alt text, the source line as text below it."""
    from .edition import with_stamp

    artist = getattr(fig, "_xinzhi_source", None)
    if artist is not None:
        artist.set_visible(False)           # the source is printed as text under the image instead
    if fig.get_layout_engine() is None or type(fig.get_layout_engine()).__name__ == "PlaceHolderLayoutEngine":
        fig.set_layout_engine("constrained")   # a widget froze its layout with the source line in it
    png = charts.png_bytes(fig, dpi=DPI)
    if artist is not None:
        artist.set_visible(True)
    width, height = (round(x * DPI) for x in fig.get_size_inches())
    smallest = charts.static_widths(fig)[1]   # narrower than this, its smallest text would be too small to read
    source = with_stamp(charts.source_of(fig))
    extra = f"<p class='xinzhi-caption'>{html.escape(caption)}</p>" if caption else ""
    return (f"<figure class='xinzhi-chart'><img src='data:image/png;base64,{base64.b64encode(png).decode()}' "
            f"alt='{html.escape(alt, quote=True)}' width='{width}' height='{height}' style='min-width:{smallest}px'>"
            f"<figcaption class='xinzhi-source'>{html.escape(source)}</figcaption>{extra}</figure>")


# --- widgets ---------------------------------------------------------------------------------------

def how_to_move() -> str:
    name = html.escape(notebook())
    return ("<p class='xinzhi-live-note'>这是互动图的初始状态。想动手调：在课程文件夹运行 "
            f"<code>python3 course.py</code>，在 JupyterLab 里打开 <code>{name}</code>，运行到这一格。</p>")


def figure_widget(obj) -> str:
    """A course widget (``FigureWidget``) at its starting values."""
    figure = chart(obj.fig, obj.alt or obj.title or "互动图")
    charts.close(obj.fig)   # shown here, once: pyplot's inline backend would show it again at the end of the cell
    body = widget(obj.widget, replace={id(obj.view): figure}, skip_alt=obj.alt)
    return f"<div class='xinzhi-widget'>{how_to_move()}{body}</div>"


def widget(obj, replace: dict | None = None, skip_alt: str = "") -> str:
    """Any ipywidgets tree as static HTML: boxes opened up, controls as 'label: value', buttons as labels."""
    replace = replace or {}
    if id(obj) in replace:
        return replace[id(obj)]
    if isinstance(obj, w.Box):
        kind = "row" if isinstance(obj, w.HBox) else "column"
        return f"<div class='xinzhi-{kind}'>" + "".join(widget(c, replace, skip_alt) for c in obj.children) + "</div>"
    if isinstance(obj, (w.HTML, w.HTMLMath)):
        if skip_alt and html.escape(skip_alt) in obj.value and obj.value.startswith("<div style='font-size:0.9em"):
            return ""                       # the widget's alt text: already the image's alt
        return obj.value
    if isinstance(obj, w.Label):
        return f"<p>{html.escape(obj.value)}</p>"
    if isinstance(obj, w.Image):
        data = base64.b64encode(obj.value).decode()
        return f"<img class='xinzhi-image' src='data:image/{obj.format};base64,{data}' alt='课程示例图片'>"
    if isinstance(obj, w.Button):
        return f"<span class='xinzhi-button'>{html.escape(obj.description)}</span>"
    if isinstance(obj, w.Output):
        parts = []
        for out in obj.outputs:
            data = out.get("data", {})
            parts.append(data.get("text/html") or f"<pre>{html.escape(data.get('text/plain', out.get('text', '')))}</pre>")
        return "".join(parts)
    if isinstance(obj, w.ValueWidget) or hasattr(obj, "value"):
        label = html.escape((getattr(obj, "description", "") or "").rstrip("：:"))
        return (f"<div class='xinzhi-control'>{label}{'：' if label else ''}"
                f"<b>{html.escape(control_value(obj))}</b></div>")
    return ""


def control_value(obj) -> str:
    """What a control shows at its starting value, as text."""
    value = obj.value
    if hasattr(obj, "label") and isinstance(getattr(obj, "label"), str) and obj.label:
        return obj.label                        # Dropdown, RadioButtons, ToggleButtons
    if hasattr(obj, "label") and isinstance(getattr(obj, "label"), tuple):
        return "、".join(obj.label) or "（未选）"  # SelectMultiple
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (tuple, list)):
        return " – ".join(_number(obj, v) for v in value)
    if isinstance(value, (int, float)):
        return _number(obj, value)
    text = str(value or "")
    return text if text else (getattr(obj, "placeholder", "") and f"（空：{obj.placeholder}）" or "（空）")


def _number(obj, value) -> str:
    fmt = getattr(obj, "readout_format", "") or ""
    try:
        return format(value, fmt) if fmt else str(value)
    except (ValueError, TypeError):
        return str(value)


# --- self-checks -------------------------------------------------------------------------------------

def quiz(obj) -> str:
    """A self-check: each question with its options, the answer and its explanation folded under it."""
    from .inputs import format_number
    from .quiz import order

    bank, parts = obj.bank, []
    for q in bank.questions:
        if q.is_choice:
            shown = order(q, "handout", bank.notebook)
            options = "".join(f"<li>{html.escape(q.option(i).text)}</li>" for i in shown)
            body = f"<ol class='xinzhi-options' type='A'>{options}</ol>"
            answer = q.right_option.text
        else:
            unit = f"（单位：{html.escape(q.unit)}）" if q.unit else ""
            body = f"<p class='xinzhi-options'>填一个数{unit}。</p>"
            answer = f"{format_number(q.answer)}{q.unit}"
        parts.append(f"<div class='xinzhi-question'><p><b>{q.number}.</b> {html.escape(q.question)}</p>{body}"
                     f"<details class='xinzhi-answer'><summary>看答案</summary><p>正确答案：<b>{html.escape(answer)}</b>。"
                     f"{html.escape(q.explanation)}</p></details></div>")
    note = ("<p class='xinzhi-live-note'>先自己想好答案，再点“看答案”。在 JupyterLab 里做这套自测，"
            f"答错会先给提示，作答自动保存：运行 <code>python3 course.py</code>，打开 <code>{html.escape(notebook())}</code>。</p>")
    return f"<div class='xinzhi-quiz'>{note}{''.join(parts)}</div>"   # the notebook's own heading says 自测
