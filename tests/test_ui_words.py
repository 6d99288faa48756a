"""Words that match the screen: every JupyterLab menu path the course names is the pinned JupyterLab's own label.

The menus are read from the installed JupyterLab (its settings schemas say which command sits in which
menu and submenu), and the Chinese labels from the installed language pack's catalogue
(jupyterlab_language_pack_zh_CN). A path named in a notebook, the README or a guide ("内核 → 重启内核 和
运行所有单元格…", "查看 → 外观 → 简易界面", or the English "View → Appearance → Simple Interface") must be a
path of that menu tree, label for label. A command the course names for the first time is added to
``COMMANDS`` with the English label JupyterLab gives it; the Chinese then comes from the catalogue.
"""
from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from .conftest import NOTEBOOKS, ROOT

# command id -> how JupyterLab labels it: one msgid; ("and", msgid, msgid) for a label that JupyterLab joins
# with its "%1 and %2" (the Run/Kernel menus' restart-and-run-all); ("%1", msgid, argument) for a label
# with a placeholder ("Save %1" with the document kind).
COMMANDS = {
    "runmenu:run-all": "Run All Cells",
    "runmenu:restart-and-run-all": ("and", "Restart Kernel…", "Run All Cells"),
    "kernelmenu:restart": "Restart Kernel…",
    "kernelmenu:interrupt": "Interrupt Kernel",
    "editmenu:undo": "Undo",
    "docmanager:save": ("%1", "Save %1", "Notebook"),
    "application:toggle-mode": "Simple Interface",
    "application:toggle-presentation-mode": "Presentation Mode",
    "application:toggle-left-area": "Show Left Sidebar",
    "notebook:hide-all-cell-code": "Collapse All Code",
    "notebook:show-all-cell-code": "Expand All Code",
    "hub:control-panel": "Hub Control Panel",
    "hub:logout": "Log Out",
    "filemenu:logout": "Log Out",
}

TEXTS = [ROOT / "README.md", ROOT / "deploy" / "README.md", *sorted((ROOT / "docs").glob("*.md")),
         ROOT / "notebooks" / "glossary.md", *sorted((ROOT / "quizzes").glob("*.yaml"))]


def catalogue() -> dict[str, str]:
    path = resources.files("jupyterlab_language_pack_zh_CN") / "locale" / "zh_CN" / "LC_MESSAGES" / "jupyterlab.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {key: value[0] for key, value in data.items() if key and isinstance(value, list) and value and value[0]}


def schema_menus() -> list[dict]:
    """Every "jupyter.lab.menus" main-menu entry of the installed JupyterLab's settings schemas."""
    from jupyterlab.commands import get_app_dir

    entries = []
    for path in sorted((Path(get_app_dir()) / "schemas").rglob("*.json")):
        menus = json.loads(path.read_text(encoding="utf-8")).get("jupyter.lab.menus", {})
        entries += menus.get("main", [])
    assert entries, "no JupyterLab menu schemas found: is JupyterLab installed in this environment?"
    return entries


class Node(dict):
    """label -> Node: one menu level."""


def label_of(spec, tr) -> str:
    if isinstance(spec, str):
        return tr(spec)
    kind, *parts = spec
    if kind == "%1":
        return tr(parts[0]).replace("%1", parts[1])
    # JupyterLab's mainmenu: the first labels lose their "…", the last keeps one if any label had it
    labels = [tr(p) for p in parts]
    dots = any(label.endswith("…") for label in labels)
    head = ", ".join(label.removesuffix("…") for label in labels[:-1])
    return tr("%1 and %2").replace("%1", head).replace("%2", labels[-1].removesuffix("…") + ("…" if dots else ""))


def menu_tree(tr, menu_tr) -> Node:
    """The menus as a tree of labels, in the language of ``tr`` (item labels) and ``menu_tr`` (menu titles)."""
    entries = schema_menus()
    titles = {e["id"]: e["label"] for e in entries if e.get("label")}
    root = Node()

    def add(node: Node, items: list[dict]) -> None:
        for item in items:
            if item.get("type") == "submenu" and item.get("submenu", {}).get("label"):
                child = node.setdefault(menu_tr(item["submenu"]["label"]), Node())
                add(child, item["submenu"].get("items", []))
            elif item.get("command") in COMMANDS:
                node.setdefault(label_of(COMMANDS[item["command"]], tr), Node())

    for entry in entries:
        if entry["id"] in titles:
            add(root.setdefault(menu_tr(titles[entry["id"]]), Node()), entry.get("items", []))
    return root


@pytest.fixture(scope="module")
def trees() -> list[Node]:
    zh = catalogue()
    chinese = menu_tree(lambda s: zh.get(s, s), lambda s: zh.get(f"menu\x04{s}", zh.get(s, s)))
    english = menu_tree(lambda s: s, lambda s: s)
    return [chinese, english]


ARROW = re.compile(r"\s*→\s*")
STOP = re.compile(r"[*\"”“|\n，。；（(、]|\s{2}|$")


def named_paths(text: str, trees: list[Node]) -> list[tuple[str, str]]:
    """Every "menu → item" in ``text`` that starts with a main-menu label: (what is written, problem or "")."""
    found = []
    roots = {label: tree for tree in trees for label in tree}
    for match in re.finditer("|".join(sorted(map(re.escape, roots), key=len, reverse=True)), text):
        arrow = ARROW.match(text, match.end())
        if not arrow or not arrow.group().strip():
            continue
        node, pos, problem = roots[match.group()][match.group()], arrow.end(), ""
        while True:
            label = next((k for k in sorted(node, key=len, reverse=True) if text.startswith(k, pos)), None)
            if label is None:
                end = STOP.search(text, pos).start()
                problem = f"“{text[pos:end]}” is not an item of this menu; items named by the course: {sorted(node)}"
                pos = end
                break
            node, pos = node[label], pos + len(label)
            arrow = ARROW.match(text, pos)
            if not arrow or not arrow.group().strip():
                break
            pos = arrow.end()
        found.append((text[match.start():pos], problem))
    return found


def course_texts():
    for path in TEXTS:
        yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        yield path.relative_to(ROOT).as_posix(), "\n".join("".join(c["source"]) for c in cells)


def test_the_catalogue_and_the_menus_are_read(trees):
    chinese, english = trees
    assert {"文件", "编辑", "查看", "运行", "内核", "设置"} <= set(chinese), sorted(chinese)
    assert "重启内核 和 运行所有单元格…" in chinese["内核"], sorted(chinese["内核"])
    assert "简易界面" in chinese["查看"]["外观"]
    assert "Simple Interface" in english["View"]["Appearance"]


def test_the_path_finder_reports_a_wrong_label(trees):
    paths = named_paths("菜单 **视图 → 简易界面** 或 **内核 → 重启并运行所有单元格…**，然后 查看 → 外观 → 简易界面。", trees)
    assert [p for p, problem in paths if not problem] == ["查看 → 外观 → 简易界面"]
    assert any("重启并运行所有单元格" in problem for _p, problem in paths)


SOURCES = dict(course_texts())


@pytest.mark.parametrize("name", list(SOURCES))
def test_every_menu_path_named_is_the_real_label(name, trees):
    text = SOURCES[name]
    wrong = [f"{path!r}: {problem}" for path, problem in named_paths(text, trees) if problem]
    assert not wrong, f"{name}: menu paths that do not match the pinned JupyterLab:\n  " + "\n  ".join(wrong)


def voila_english_words() -> list[str]:
    """What Voilà shows in English only: its JupyterLab menu items and its loading progress."""
    import sys

    share = Path(sys.prefix) / "share" / "jupyter"
    words = []
    for path in (share / "labextensions" / "@voila-dashboards").rglob("*.js"):
        words += re.findall(r'addCommand\([^,]+,\{label:"([^"]+)"', path.read_text(encoding="utf-8", errors="replace"))
    setup = share / "voila" / "templates" / "base" / "voila_setup.macro.html.j2"
    words += [m.split("$")[0].strip() for m in re.findall(r"`(\w+ \$\{cell_index\})", setup.read_text(encoding="utf-8"))]
    assert words, "Voilà's JupyterLab extension and templates were not found"
    return sorted(set(words))


def test_the_guide_says_where_voila_stays_english():
    guide = (ROOT / "docs" / "instructor_guide.md").read_text(encoding="utf-8")
    missing = [word for word in voila_english_words() if word not in guide]
    assert not missing, f"Voilà shows these in English; the instructor guide should name them and say so: {missing}"
    assert "Voilà 的界面没有中文" in guide
