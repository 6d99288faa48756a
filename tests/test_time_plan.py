"""The time plans fit: every section is marked core (核心) or optional (进阶) with its minutes; the 3-hour plan
covers only core sections and leaves at least 20 minutes of slack; the full day adds the optional ones; 00's time
table, the instructor guide and each notebook's header state the same minutes."""
from __future__ import annotations

import json
import re

import pytest

from .conftest import NOTEBOOK_DIR, NOTEBOOKS, ROOT, markdown

MARK = re.compile(r"〔(核心|进阶) · (\d+) 分钟〕\s*$")
UNMARKED = {"延伸阅读"}          # further reading is not taught in class
HALF_DAY, FULL_DAY, MIN_SLACK = 180, 360, 20
GUIDE = ROOT / "docs" / "instructor_guide.md"


def sections(path) -> list[tuple[str, str, int]]:
    """(heading, 核心/进阶, minutes) for every "## " heading of the notebook (its level-2 sections)."""
    found = []
    for line in markdown(path).splitlines():
        if line.startswith("## "):
            title = line[3:].strip()
            mark = MARK.search(title)
            if mark:
                found.append((title[:mark.start()].strip(), mark.group(1), int(mark.group(2))))
            else:
                found.append((title, "", 0))
    return found


def minutes(path) -> tuple[int, int]:
    marked = sections(path)
    return sum(m for _, kind, m in marked if kind == "核心"), sum(m for _, _, m in marked)


def plan_tables(text: str) -> dict[str, dict[str, int]]:
    """The two time tables (half day, full day) of a text: {"half": {"00": 5, …, "休息": 10, "机动": 20}, "full": …}.
    A table starts after its bold title (**半天… / **全天…) and ends at the first line of text after its rows."""
    plans, current, rows = {}, None, 0
    for line in text.splitlines():
        if line.startswith(("**半天", "**全天")):
            current, rows = plans.setdefault("half" if line.startswith("**半天") else "full", {}), 0
        elif current is not None and line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[0] in ("时段", "---") or set(cells[0]) <= set("-: "):
                continue
            rows += 1
            slot, content, amount = cells
            numbers = [int(n) for n in re.findall(r"\d+", amount)]
            notebooks = re.findall(r"(?<!\d)(0\d) ", content + " ")
            if notebooks:
                assert len(notebooks) == len(numbers), line
                current.update(zip(notebooks, numbers))
            else:
                current[slot] = numbers[0]
        elif line.strip() and rows:
            current, rows = None, 0
    return plans


def section_4_of_00() -> str:
    cells = json.loads((NOTEBOOK_DIR / "00_guide.ipynb").read_text(encoding="utf-8"))["cells"]
    return next("".join(c["source"]) for c in cells if "".join(c["source"]).startswith("## 4. 时间安排"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_section_is_marked_core_or_optional(path):
    for title, kind, amount in sections(path):
        if title in UNMARKED:
            assert not kind, f"{path.name}: “{title}” is not taught in class: no time mark"
            continue
        assert kind and amount > 0, f"{path.name}: section “{title}” needs 〔核心 · N 分钟〕 or 〔进阶 · N 分钟〕"
    core, full = minutes(path)
    assert 0 < core < full, f"{path.name}: a core path, and something optional for the full day"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_header_minutes_are_the_full_day(path):
    first = markdown(path)
    teach, practise = map(int, re.search(r"教学 (\d+) 分钟 / 练习 (\d+) 分钟", first).groups())
    assert teach + practise == minutes(path)[1], f"{path.name}: header says {teach}+{practise}, sections add up to {minutes(path)[1]}"


def test_half_day_covers_only_core_sections_and_leaves_slack():
    half = plan_tables(section_4_of_00())["half"]
    for path in NOTEBOOKS:
        assert half[path.stem[:2]] == minutes(path)[0], f"{path.stem}: 00's half-day plan vs its core sections"
    assert half.get("机动", 0) >= MIN_SLACK, "the half day keeps at least 20 minutes for discussion and trouble"
    assert sum(half.values()) == HALF_DAY, f"the half day adds up to {sum(half.values())} minutes, not {HALF_DAY}"


def test_full_day_adds_the_optional_sections():
    full = plan_tables(section_4_of_00())["full"]
    for path in NOTEBOOKS:
        assert full[path.stem[:2]] == minutes(path)[1], f"{path.stem}: 00's full-day plan vs all its sections"
    assert sum(full.values()) == FULL_DAY


def test_instructor_guide_states_the_same_minutes():
    guide = GUIDE.read_text(encoding="utf-8")
    assert plan_tables(guide) == plan_tables(section_4_of_00()), "the guide's time tables differ from 00's"
    for path in NOTEBOOKS:
        core, full = minutes(path)
        nb = path.stem[:2]
        row = re.search(rf"(?m)^\| {nb} [^|]+\| (\d+) \| (\d+) \| 教学 (\d+) / 练习 (\d+) \|$", guide)
        assert row, f"the guide's table lacks notebook {nb}"
        assert (int(row[1]), int(row[2]), int(row[3]) + int(row[4])) == (core, full, full), f"guide row {nb}"
        part = guide.split(f"### {nb} ", 1)[1].split("\n### ", 1)[0]
        line = re.search(r"- \*\*时间\*\*：半天 (\d+) 分钟；全天 (\d+) 分钟", part)
        assert line and (int(line[1]), int(line[2])) == (core, full), f"guide section {nb}: 时间"


def test_the_parser_can_fail():
    text = section_4_of_00().replace("| 机动 | 讨论、答疑、处理技术问题 | 20 |", "| 机动 | 讨论、答疑、处理技术问题 | 10 |")
    assert plan_tables(text)["half"]["机动"] == 10
    assert plan_tables(text.replace("5 + 20 + 20", "5 + 25 + 20"))["half"]["01"] == 25


def test_the_notebook_template_shows_the_marks():
    """A new notebook copied from docs/notebook_template.ipynb starts with marked sections that add up."""
    from .conftest import TEMPLATE

    assert all(kind for title, kind, _ in sections(TEMPLATE) if title not in UNMARKED)
    teach, practise = map(int, re.search(r"教学 (\d+) 分钟 / 练习 (\d+) 分钟", markdown(TEMPLATE)).groups())
    assert teach + practise == minutes(TEMPLATE)[1] and 0 < minutes(TEMPLATE)[0]
