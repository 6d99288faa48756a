"""Versions and dates people can cite: one course version, a data month from data/, on charts, notebooks, pages."""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import matplotlib.pyplot as plt

import xinzhi
from xinzhi import capstone_report, charts, edition
from xinzhi.data import DATA_DIR
from xinzhi.models.capstone import Formula

from .conftest import NOTEBOOKS, ROOT


def dated_rows():
    for path in sorted(DATA_DIR.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("date") and row.get("quote"):
                    yield path.name, row


def test_one_version_in_one_file():
    version = (ROOT / "VERSION").read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version) and xinzhi.__version__ == version
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^dynamic = \["version"\]', pyproject, flags=re.M), "pyproject.toml reads the version …"
    assert re.search(r'^version = \{ file = "VERSION" \}', pyproject, flags=re.M), "… from the file VERSION"
    assert not re.search(r'^version = "', pyproject, flags=re.M), "no second version number"
    assert "version" not in json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))


def test_changelog_has_a_chinese_section_for_this_version():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (\d+\.\d+\.\d+)", text, flags=re.M)
    assert headings and headings[0] == xinzhi.__version__, "the newest section of CHANGELOG.md is the current version"
    assert len(set(headings)) == len(headings)
    section = text.split(f"## {xinzhi.__version__}", 1)[1].split("\n## ", 1)[0]
    assert "数据截至" in section and re.search(r"[\u4e00-\u9fff]", section)


def test_data_month_is_the_newest_source_and_not_in_the_future():
    months = [row["date"][:7] for _, row in dated_rows() if re.match(r"\d{4}-\d{2}", row["date"])]
    assert edition.data_as_of() == max(months)
    today = dt.date.today().isoformat()
    future = [(name, row.get("id"), row["date"]) for name, row in dated_rows() if row["date"] > today]
    assert not future, f"source dates after today (typing error?): {future}"


def test_data_month_follows_a_new_row(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    monkeypatch.setenv("XINZHI_DATA_DIR", str(copy))
    before = edition.data_as_of()
    path = copy / "policy.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    year = int(before[:4]) + 1
    rows.append(dict(rows[-1], id="N999", year=str(year), date=f"{year}-01-15"))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    assert edition.data_as_of() == f"{year}-01" != before
    assert f"数据截至{year}-01" in edition.stamp()


def test_every_chart_source_line_carries_the_stamp():
    fig, _ = charts.new_figure()
    charts.set_source(fig, "来源：测试")
    texts = [t.get_text().replace("\n", "") for t in fig.texts + [fig._supxlabel]]
    assert any(edition.stamp() in t and "来源：测试" in t for t in texts)
    assert charts.source_of(fig) == "来源：测试"
    plt.close(fig)


def test_every_notebook_shows_the_edition_under_its_title():
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = [c for c in cells if c["cell_type"] == "code"]
        assert code and "show_edition()" in "".join(code[0]["source"]), f"{path.name}: first code cell shows the edition"


def test_the_printed_page_carries_the_stamp():
    page = capstone_report.page_html({"region": "测试"}, Formula(base=100, carrier_pct=10, tech_pct=20,
                                                                  fusion_pct=30, years=3), "亿元", png=b"")
    assert edition.stamp() in page
