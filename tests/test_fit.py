"""Figures drawn for the width they get: never wider than the widget's box, panels stacked when narrow,
chart text never under 11 CSS px, and no layout that collapses (every widget at a phone's, a projector's
and a laptop's width)."""
from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

from xinzhi import charts
from xinzhi.widgets import fit

from .conftest import widget_classes

CLASSES = widget_classes()
WIDTHS = [345, 740, 940]     # CSS px: Voilà on a phone; JupyterLab on the projector; a laptop, file browser open


def test_plan_never_exceeds_the_box_or_the_design_and_stacks_panels_when_narrow():
    size, grid = fit.plan(2000, (9.5, 4.6), (1, 2), 100)
    assert size == (9.5, 4.6) and grid == (1, 2), "a wide box keeps the design"
    size, grid = fit.plan(740, (9.5, 4.6), (1, 2), 100)
    assert size[0] * 100 <= 740 and grid == (1, 2)
    size, grid = fit.plan(345, (9.5, 4.6), (1, 2), 100)
    assert size[0] * 100 <= 345 and grid == (2, 1), "two panels on a phone go one under the other"
    assert fit.plan(700, (12, 4.4), (1, 3), 100)[1] == (3, 1)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_widget_is_drawn_for_the_width_it_gets(cls, monkeypatch):
    monkeypatch.setenv("XINZHI_STRICT", "1")
    widget = cls()
    try:
        for width in WIDTHS:
            widget.sensor.width = width
            assert widget.last_error is None, f"{width} px: {widget.last_error!r}"
            css_width = widget.fig.get_figwidth() * widget.fig.dpi
            assert css_width <= width, f"{width} px box: the figure is {css_width:.0f} px wide"
            with warnings.catch_warnings():
                warnings.simplefilter("error", UserWarning)   # "constrained_layout not applied …"
                charts.png_bytes(widget.fig, dpi=40)
            smallest = min(t.get_fontsize() for t in widget.fig.findobj(Text) if t.get_text().strip())
            assert smallest * widget.fig.dpi / 72 >= 11, f"{width} px: chart text of {smallest} pt is under 11 px"
            if widget.figure_grid[1] > 1 and width < widget.figure_grid[1] * fit.MIN_PANEL_PX:
                columns = {round(ax.get_position().x0, 2) for ax in widget.fig.axes if ax.get_subplotspec()}
                assert len(columns) == 1, f"{width} px: the panels should stand in one column"
    finally:
        plt.close(widget.fig)
