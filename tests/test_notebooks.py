"""Every notebook in notebooks/: its structure, clean outputs in git, and a clean run in a real kernel."""
from __future__ import annotations

import json
import re

import pytest

from .conftest import NOTEBOOK_DIR, NOTEBOOKS, TEMPLATE, markdown
from .kernel import code_cells, kernel, run

ids = [p.stem for p in NOTEBOOKS]


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_course_is_complete():
    """Numbered 00, 01, 02 … without holes or doubles, starting with the guide."""
    numbers = [int(p.stem[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(len(numbers))) and len(numbers) >= 9, [p.name for p in NOTEBOOKS]
    assert NOTEBOOKS[0].stem == "00_guide"


def test_no_notebook_is_left_out():
    """Every notebook in notebooks/ is in the course list, so every test runs it."""
    skip = {"my_work", ".ipynb_checkpoints"}
    found = [p for p in NOTEBOOK_DIR.rglob("*.ipynb") if not skip & set(p.relative_to(NOTEBOOK_DIR).parts)]
    strays = sorted(p.relative_to(NOTEBOOK_DIR).as_posix() for p in found if p not in NOTEBOOKS)
    assert not strays, (f"notebooks/ 里的这些笔记本不在课程目录中，测试不会运行它们：{strays}。"
                        "请按“两位编号_英文名.ipynb”命名（见 docs/maintaining.md），或移出 notebooks/。")


def test_template_has_the_skeleton_and_no_outputs():
    """docs/notebook_template.ipynb is not part of the course (not run), but it must still pass test_structure
    once copied and numbered, and be committed clean."""
    nb = load(TEMPLATE)
    first = "".join(nb["cells"][0]["source"])
    assert first.startswith("# NN ") and "学习目标" in first and re.search(r"教学 \d+ 分钟 / 练习 \d+ 分钟", first)
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for heading in ["## 小结", "## 讨论题", "## 自测", "## 延伸阅读"]:
        assert heading in text
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert "show_edition()" in code[0] and any("self_check(" in s for s in code)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell["outputs"] and cell["execution_count"] is None
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_committed_without_outputs(path):
    for cell in load(path)["cells"]:
        if cell["cell_type"] == "code":
            assert not cell["outputs"] and cell["execution_count"] is None, f"{path.name}: clear outputs before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_structure(path):
    cells = load(path)["cells"]
    first = "".join(cells[0]["source"])
    assert first.startswith(f"# {path.stem[:2]} "), "the first cell is the notebook's title"
    assert "学习目标" in first and re.search(r"教学 \d+ 分钟 / 练习 \d+ 分钟", first), "objectives and time on top"
    text = markdown(path)
    for heading in ["## 小结", "## 讨论题", "## 自测"]:
        assert heading in text, f"{path.name} lacks {heading}"
    assert any("self_check(" in source for source in code_cells(path)), "a self-check with feedback"
    assert load(path)["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_runs_top_to_bottom_twice(path, tmp_path):
    """Restart-and-run-all, then run all again in the same kernel (widget cells re-run); offline."""
    cells = code_cells(path)
    network = tmp_path / "network.log"
    with kernel(NOTEBOOK_DIR, tmp_path / "my_work", network_log=network) as client:
        for round_ in (1, 2):
            for number, source in enumerate(cells, start=1):
                result = run(client, source)
                assert not result.error, f"{path.name} round {round_}, code cell {number}: {result.error}\n{source[:300]}"
                assert not result.raw_tables, f"{path.name}, code cell {number} shows a raw pandas table: use xinzhi.tables.Table"
    assert not network.exists(), f"{path.name} tried to reach the network: {network.read_text()}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_every_cell_runs_on_its_own(path, tmp_path):
    """Participants run cells out of order: each cell must work after a reset, even run last-to-first."""
    cells = code_cells(path)
    with kernel(NOTEBOOK_DIR, tmp_path) as client:
        for number, source in reversed(list(enumerate(cells, start=1))):
            run(client, "%reset -f")
            result = run(client, source)
            assert not result.error, f"{path.name}, code cell {number} run alone: {result.error}\n{source[:300]}"
