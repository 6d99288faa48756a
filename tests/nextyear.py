"""Helpers of the next-year test: a copy of data/ with one more year, and checks of what a figure shows.

``make_next_year(folder)`` copies data/ and gives every recent series one more year of actual data: the
last actual row copied with the next year and a larger value (so a fixed axis limit overflows), an id of its
own and the same source. ``check_figure(fig, texts)`` lists what a participant would see wrong in a figure:
a plotted point outside its axes, a count of points that is not the number plotted, a year range that stops
short of the data it describes. ``watch()`` runs the checks on every static chart and every widget update
inside a kernel (the notebooks' run), raising AssertionError so the cell shows an error.
"""
from __future__ import annotations

import csv
import json
import math
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ACTUAL = {"final", "preliminary", "computed", "estimate"}
RECENT = 2           # a series counts as recent if its last actual year is at most this many years old
GROWTH = 1.25        # the new year's value: the series' largest value times this (shares stay below 100 %)


def _series_files(folder: Path):
    pkg = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for res in pkg["resources"]:
        names = {f["name"] for f in res["schema"]["fields"]}
        if {"id", "indicator", "year", "value", "status", "preferred"} <= names:
            yield folder / res["path"]


def _actual(row: dict) -> bool:
    return (row["status"] in ACTUAL and row["preferred"].strip().lower() == "true"
            and row.get("period", "全年") in ("", "全年"))


def latest_actual_year(folder: Path = ROOT / "data") -> int:
    return max(int(r["year"]) for path in _series_files(folder)
               for r in csv.DictReader(open(path, encoding="utf-8-sig", newline="")) if _actual(r))


def _next_value(rows: list[dict], last: dict) -> float:
    top = max(abs(float(r["value"])) for r in rows if r["unit"] == last["unit"])
    value = float(last["value"])
    if last["unit"] == "%" and 0 < value <= 100 and top <= 100 and "growth" not in last["indicator"]:
        return round(min(99.0, max(value, top) * GROWTH), 1)       # a share: larger, below 100 %
    if value < 0:
        return round(value - 1, 1)
    return round(max(value, top) * GROWTH, 1)


def make_next_year(folder: Path) -> dict[tuple[str, str, str], tuple[int, float]]:
    """Copy data/ into ``folder`` and add the next year to every recent series.

    Returns {(file, indicator, region): (new year, new value)} for the rows added.
    """
    shutil.copytree(ROOT / "data", folder, dirs_exist_ok=True)
    newest = latest_actual_year(folder)
    used = set()
    files = list(_series_files(folder))
    for path in files:
        used |= {r["id"] for r in csv.DictReader(open(path, encoding="utf-8-sig", newline=""))}
    free = (f"N{n:03d}" for n in range(999, 0, -1) if f"N{n:03d}" not in used)
    added = {}
    for path in files:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            fields, rows = reader.fieldnames, list(reader)
        groups: dict[tuple[str, str], list[dict]] = {}
        for row in rows:
            if _actual(row):
                groups.setdefault((row["indicator"], row.get("region", "")), []).append(row)
        for (indicator, region), series in groups.items():
            last = max(series, key=lambda r: (int(r["year"]), r["unit"] == series[-1]["unit"]))
            if int(last["year"]) < newest - RECENT:
                continue
            year = int(last["year"]) + 1
            new = dict(last, id=next(free), year=str(year), value=repr(_next_value(series, last)),
                       date=f"{year + 1}-01-20", notes="")
            if "base_year" in new and new["base_year"]:
                new["base_year"] = str(int(new["base_year"]) + 1)
            rows.append(new)
            added[(path.name, indicator, region)] = (year, float(new["value"]))
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    return added


# ---------------------------------------------------------------------------------------------
# What a figure shows
# ---------------------------------------------------------------------------------------------

YEAR_RANGE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[—–-]\s*((?:19|20)\d\d)(?!\d)")
COUNT = re.compile(r"(?<![\d.])(\d+)\s*个(?:数据)?点")


def _inside(values, low, high) -> bool:
    low, high = min(low, high), max(low, high)
    pad = 1e-9 * max(1.0, abs(high - low))
    return all(low - pad <= v <= high + pad for v in values if v is not None and math.isfinite(v))


def _floats(values) -> list[float]:
    out = []
    for v in values:
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            continue
    return out


def plotted_points(ax) -> list[tuple[str, list[float], list[float]]]:
    """(what, xs, ys) in data coordinates for the lines, markers, bars and texts of ``ax`` a reader sees."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    from matplotlib.text import Annotation, Text

    found = []
    for artist in ax.get_children():
        if not artist.get_visible() or artist.get_transform() != ax.transData:
            continue
        if isinstance(artist, Line2D):
            found.append((f"line {artist.get_label()!r}", _floats(artist.get_xdata()), _floats(artist.get_ydata())))
        elif isinstance(artist, Rectangle) and artist is not ax.patch:
            x, y, w, h = artist.get_x(), artist.get_y(), artist.get_width(), artist.get_height()
            if w and h:
                found.append(("bar", [x, x + w], [y, y + h]))
        elif isinstance(artist, Annotation):
            found.append((f"annotation {artist.get_text()[:20]!r}", [artist.xy[0]], [artist.xy[1]]))
        elif isinstance(artist, Text) and artist.get_text().strip():
            x, y = artist.get_position()
            found.append((f"text {artist.get_text()[:20]!r}", _floats([x]), _floats([y])))
    return found


def marker_points(fig) -> int:
    """How many data points the figure marks (lines drawn with markers only, no connecting line)."""
    from matplotlib.lines import Line2D

    return sum(len(_floats(line.get_xdata())) for ax in fig.axes for line in ax.get_lines()
               if line.get_visible() and line.get_linestyle() in ("None", "none", "", " ")
               and line.get_marker() not in (None, "None", "none", "", " ")
               and line.get_transform() == ax.transData)


def figure_texts(fig) -> str:
    from matplotlib.text import Text

    return "\n".join(t.get_text() for t in fig.findobj(Text) if t.get_visible())


def year_points(fig) -> set[int]:
    """The whole-number x positions of marks and bars on axes whose x runs over years."""
    years = set()
    for ax in fig.axes:
        low, high = sorted(ax.get_xlim())
        if not (1900 <= low and high <= 2101):
            continue
        for what, xs, _ys in plotted_points(ax):
            if what.startswith(("line", "bar")):
                years |= {round(x) for x in xs if abs(x - round(x)) < 0.5 and 1900 <= x <= 2100}
    return years


def check_figure(fig, texts: str = "", new_years: set[int] = frozenset()) -> list[str]:
    """What is wrong in ``fig`` (and the texts that go with it: alt text, the widget's explanation)."""
    problems = []
    for number, ax in enumerate(fig.axes):
        if not ax.get_visible() or not ax.axison and not ax.get_children():
            continue
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        for what, xs, ys in plotted_points(ax):
            # on a log scale, a bar's foot at 0 is drawn from the bottom of the axes
            xs = [x for x in xs if x > 0] if ax.get_xscale() == "log" else xs
            ys = [y for y in ys if y > 0] if ax.get_yscale() == "log" else ys
            if not (_inside(xs, x0, x1) and _inside(ys, y0, y1)):
                problems.append(f"axes {number} ({ax.get_title()[:30]!r}): {what} at x={xs[:4]} y={ys[:4]} "
                                f"outside x {x0:g}…{x1:g}, y {y0:g}…{y1:g}")
    words = figure_texts(fig) + "\n" + texts
    shown = marker_points(fig)
    for m in COUNT.finditer(words):
        if int(m.group(1)) != shown:
            problems.append(f"the text says “{m.group(0)}” but the figure marks {shown} points")
    plotted = year_points(fig) & set(new_years)
    for year in sorted(plotted):
        for m in YEAR_RANGE.finditer(words):
            if int(m.group(2)) == year - 1:
                problems.append(f"the text says “{m.group(0)}” but the figure shows {year}")
    return problems


def watch(new_years=()) -> None:
    """Inside a kernel: check every static chart before it is shown and every widget after each update."""
    from xinzhi import charts
    from xinzhi.widgets import base

    years = set(new_years)
    show = charts.show

    def checked_show(fig, alt, **kwargs):
        problems = check_figure(fig, alt, years)
        if problems:
            raise AssertionError("；".join(problems))
        return show(fig, alt, **kwargs)

    refresh = base.FigureWidget.refresh

    def checked_refresh(self):
        refresh(self)
        if self.last_error is None and not self.messages():
            problems = check_figure(self.fig, f"{self.alt}\n{self.summary.value}", years)
            if problems:
                raise AssertionError(f"{type(self).__name__}: " + "；".join(problems))

    charts.show = checked_show
    base.FigureWidget.refresh = checked_refresh
