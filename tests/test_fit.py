"""Figures drawn for the room they get: never wider than the widget's box, in the app view no higher
than the view leaves them, panels stacked when narrow, chart text never under 11 CSS px, and no layout
that collapses (every widget at a phone's, a projector's and a laptop's width, and in the app view on the
projector with the controls above the figure or beside it)."""
from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

from xinzhi import charts
from xinzhi.widgets import fit

from .conftest import widget_classes

CLASSES = widget_classes()
# CSS px (width, height; 0 = any height): Voilà on a phone; JupyterLab on the projector; a laptop, file browser
# open; the app view on the projector, controls above the figure and beside it
VIEWS = [(345, 0), (740, 0), (940, 0), (817, 250), (500, 430)]


def test_plan_never_exceeds_the_box_or_the_design_and_stacks_panels_when_narrow():
    size, grid = fit.plan(2000, (9.5, 4.6), (1, 2), 100)
    assert size == (9.5, 4.6) and grid == (1, 2), "a wide box keeps the design"
    size, grid = fit.plan(740, (9.5, 4.6), (1, 2), 100)
    assert size[0] * 100 <= 740 and grid == (1, 2)
    size, grid = fit.plan(345, (9.5, 4.6), (1, 2), 100)
    assert size[0] * 100 <= 345 and grid == (2, 1), "two panels on a phone go one under the other"
    assert fit.plan(700, (12, 4.4), (1, 3), 100)[1] == (3, 1)


def test_in_the_app_view_the_figure_is_drawn_for_the_height_left():
    size, grid = fit.plan(817, (8.0, 4.4), (1, 1), 100, 330)
    assert size[0] <= 8.0 and round(size[1] * 100) <= 330, "no higher than the view leaves"
    size, grid = fit.plan(500, (5.6, 6.2), (1, 1), 100, 440)
    assert round(size[0] * 100) <= 500 and round(size[1] * 100) <= 440
    size, grid = fit.plan(817, (12.0, 4.4), (1, 3), 100, 250)
    assert grid == (1, 3) and round(size[1] * 100) <= 250, "three short panels side by side beat three slivers stacked"
    size, grid = fit.plan(500, (9.5, 4.6), (1, 2), 100, 900)
    assert grid == (2, 1), "a tall, narrow column stacks the panels"
    size, grid = fit.plan(817, (8.0, 4.4), (1, 1), 100, 90)
    assert size[1] == fit.MIN_VIEW_ROW_IN, "a figure never gets lower than it can be read"


def test_the_app_view_puts_many_controls_or_a_square_figure_beside_it():
    assert fit.arrangement((1, 1), (8.0, 4.4), 2) == "above"
    assert fit.arrangement((1, 1), (8.0, 4.4), 7) == "beside"
    assert fit.arrangement((1, 1), (5.6, 6.2), 2) == "beside"
    assert fit.arrangement((1, 2), (12.0, 5.8), 7) == "above", "side-by-side panels need the whole width"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_widget_is_drawn_for_the_width_it_gets(cls, monkeypatch):
    monkeypatch.setenv("XINZHI_STRICT", "1")
    widget = cls()
    try:
        for width, height in VIEWS:
            with widget.sensor.hold_trait_notifications():
                widget.sensor.width, widget.sensor.height = width, height
            assert widget.last_error is None, f"{width} px: {widget.last_error!r}"
            css_width = widget.fig.get_figwidth() * widget.fig.dpi
            assert css_width <= width, f"{width} px box: the figure is {css_width:.0f} px wide"
            css_height = widget.fig.get_figheight() * widget.fig.dpi
            if height and round(css_height) > height:     # only as high as its rows' minimum, or its plots' room
                floor = 100 * fit.MIN_VIEW_ROW_IN * len(widget.fig.axes)
                room = fit.lowest_plot_px(widget.fig, widget.fig.dpi)
                assert round(css_height) <= floor or room < fit.MIN_AXES_PX + 0.4 * widget.fig.dpi, \
                    f"{width}×{height} px view: the figure is {css_height:.0f} px high, its lowest plot {room:.0f} px"
            assert widget.sensor.drawn == fit.drawn(widget.fig, widget.fig.dpi), "the page is told what was drawn"
            with warnings.catch_warnings():
                warnings.simplefilter("error", UserWarning)   # "constrained_layout not applied …"
                charts.png_bytes(widget.fig, dpi=40)
            smallest = min(t.get_fontsize() for t in widget.fig.findobj(Text) if t.get_text().strip())
            assert smallest * widget.fig.dpi / 72 >= 11, f"{width} px: chart text of {smallest} pt is under 11 px"
            if not height and widget.figure_grid[1] > 1 and width < widget.figure_grid[1] * fit.MIN_PANEL_PX:
                columns = {round(ax.get_position().x0, 2) for ax in widget.fig.axes if ax.get_subplotspec()}
                assert len(columns) == 1, f"{width} px: the panels should stand in one column"
    finally:
        plt.close(widget.fig)
