"""A new year of data flows through every chart and widget with no code edit.

In a copy of data/ (``XINZHI_DATA_DIR``), every recent series gets one more year, with a value above any it had
(tests/nextyear.py). Then every widget is driven through its controls and every notebook runs in a kernel, and
for every figure a participant sees: no error, every plotted point inside its axes, every count of points the
number drawn, no year range that stops a year short of the data shown. A widget or chart that types a year, an
axis limit or a count fails here; ``test_no_year_or_row_id_is_typed`` finds the ones the new year does
not reach (a year the data still has, a row id).
"""
from __future__ import annotations

import re

import ipywidgets as w
import matplotlib.pyplot as plt
import pytest

from . import nextyear
from .conftest import NOTEBOOK_DIR, NOTEBOOKS, ROOT, code_constants, widget_classes
from .kernel import code_cells, kernel, run
from .test_widgets import ids, settings_for

CLASSES = widget_classes()


@pytest.fixture(scope="module")
def next_year(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data_next_year")
    added = nextyear.make_next_year(folder)
    return folder, added, {nextyear.latest_actual_year() + 1}   # the year every ``through`` in a chart must reach


def test_the_next_year_reaches_the_data_package(next_year, monkeypatch):
    folder, added, years = next_year
    assert len(added) >= 10, added
    monkeypatch.setenv("XINZHI_DATA_DIR", str(folder))
    from xinzhi.data import load

    rows = load("auto_nev").series("nev_share", region="全国")
    assert rows["year"].max() == added[("auto_nev.csv", "nev_share", "全国")][0]
    assert max(year for year, _value in added.values()) in years


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_every_widget_shows_the_next_year(cls, next_year, monkeypatch):
    folder, _added, years = next_year
    monkeypatch.setenv("XINZHI_DATA_DIR", str(folder))
    monkeypatch.setenv("XINZHI_STRICT", "1")
    widget = cls()
    try:
        problems = [f"built: {p}" for p in nextyear.check_figure(widget.fig, f"{widget.alt}\n{widget.summary.value}",
                                                                   years)]
        for name, control in widget.controls.items():
            if isinstance(control, w.Button):
                continue
            original = control.value
            for value in settings_for(control):
                control.value = value
                assert widget.last_error is None, f"{name}={value!r}: {widget.last_error!r}"
                if widget.messages():         # a Chinese message instead of a chart: nothing to check
                    continue
                problems += [f"{name}={value!r}: {p}" for p in
                             nextyear.check_figure(widget.fig, f"{widget.alt}\n{widget.summary.value}", years)]
            control.value = original
        assert not problems, "\n".join(dict.fromkeys(problems))
    finally:
        plt.close(widget.fig)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_runs_on_the_next_year(path, next_year, tmp_path):
    folder, _added, years = next_year
    tests = ROOT / "tests"
    with kernel(NOTEBOOK_DIR, tmp_path / "my_work", extra_env={"XINZHI_DATA_DIR": str(folder)}) as client:
        ready = run(client, f"import sys; sys.path.insert(0, {str(tests)!r}); import nextyear; "
                            f"nextyear.watch({sorted(years)!r})")
        assert not ready.error, ready.error
        for number, source in enumerate(code_cells(path), start=1):
            result = run(client, source)
            assert not result.error, f"{path.name}, code cell {number}: {result.error}\n{source[:300]}"


# ---------------------------------------------------------------------------------------------
# What the new year cannot show: a typed year the data still has, a typed row id
# ---------------------------------------------------------------------------------------------

YEAR = re.compile(r"(?<![\d.])(19[5-9]\d|20\d\d)(?![\d.])")
ROW_ID = re.compile(r"^[A-Z]\d{2,3}[a-z]?$")
#: (module, the constant as written) -> why it is not a figure the data should decide
ALLOWED: dict[tuple[str, str], str] = {
    ("tfp", "mpd2020_6countries"): "the name of a data set in data/datapackage.json (its release year), not a figure",
    ("tfp", "2011年美元"): "the Maddison Project Database's unit of GDP per person, as its documentation names it",
    ("tfp", "中国一线：1952—2008年为 Wu (2014) 的估计，2008年以后为 Conference Board Total Economy Database，"
            "均非国家统计局的官方序列"): "the database's own account of its Chinese series (a fixed extract's provenance)",
    ("tfp", "；各国 2008–2016：Conference Board Total Economy Database"):
        "the database's 'Sources' sheet for every country (a fixed extract's provenance)",
}


def typed_constants(path):
    """(line, text) of every year or row id written as a constant in the module's code (docstrings excepted)."""
    for line, value in code_constants(path):
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)) and 1950 <= value <= 2100:
            yield line, repr(value)
        elif isinstance(value, str) and (ROW_ID.match(value) or YEAR.search(value)):
            yield line, value


@pytest.mark.parametrize("path", sorted((ROOT / "src" / "xinzhi" / "widgets").glob("*.py")), ids=lambda p: p.stem)
def test_no_year_or_row_id_is_typed(path):
    """Widgets and charts take years, row ids and counts from data/ (series(), the rows' status and notes)."""
    found = [f"{path.name}:{line}: {text[:80]!r}" for line, text in typed_constants(path)
             if (path.stem, text) not in ALLOWED]
    assert not found, ("a year or a row id typed in a widget module; take it from data/ — the rows' year and "
                       "status, series(), the notes column — or add it to ALLOWED with the reason:\n"
                       + "\n".join(found))


def test_allowed_constants_are_still_there():
    for (stem, text), reason in ALLOWED.items():
        path = ROOT / "src" / "xinzhi" / "widgets" / f"{stem}.py"
        assert len(reason) >= 10 and any(t == text for _line, t in typed_constants(path)), (stem, text)
