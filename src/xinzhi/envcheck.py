"""The environment check of notebook 00: a tick or a cross for each thing the course needs, with the fix in Chinese.

The marks are drawn (:mod:`xinzhi.marks`), not emoji: a computer without an emoji font shows them too.
"""
from __future__ import annotations

import html
import platform
import sys
import warnings
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import ipywidgets as w
import pandas as pd

from . import charts
from .marks import mark
from .tables import Table

REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements.txt"
FIX_INSTALL = "在课程文件夹里运行 python3 course.py（Windows：py course.py），它会补装缺少的软件包。"
FRONTEND_EXTENSIONS = {
    "@jupyter-widgets/jupyterlab-manager": "ipywidgets 的界面部分（jupyterlab_widgets）",
    "jupyter-matplotlib": "交互图的界面部分（ipympl）",
    "anywidget": "按屏幕宽度画图的界面部分（anywidget）",
}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def pinned_versions(path: Path = REQUIREMENTS) -> dict[str, str]:
    """Package → version that requirements.txt pins for this Python."""
    from packaging.requirements import Requirement

    pins = {}
    if not path.exists():
        return pins
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate():
            continue
        spec = next(iter(requirement.specifier), None)
        if spec is not None and spec.operator == "==":
            pins[requirement.name] = spec.version
    return pins


def check_python() -> Check:
    """The course package's requires-python (pyproject.toml) admits this Python."""
    from packaging.specifiers import SpecifierSet

    version = platform.python_version()
    try:
        needed = SpecifierSet(metadata.metadata("xinzhi")["Requires-Python"] or "")
    except metadata.PackageNotFoundError:
        needed = SpecifierSet()
    ok = needed.contains(version)
    return Check("Python 版本", ok, version, "" if ok else f"课程需要 Python {needed}；请按 README.md 安装，再运行 course.py。")


def check_packages() -> list[Check]:
    checks = []
    for name, wanted in pinned_versions().items():
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            checks.append(Check(f"软件包 {name}", False, "未安装", FIX_INSTALL))
            continue
        ok = found == wanted
        checks.append(Check(f"软件包 {name}", ok, found if ok else f"{found}（课程测试用的是 {wanted}）",
                            "" if ok else "版本不同也许能用；如遇“Error displaying widget”等问题，" + FIX_INSTALL))
    return checks


def check_frontend() -> list[Check]:
    checks = []
    roots = [Path(sys.prefix) / "share" / "jupyter" / "labextensions"]
    for name, meaning in FRONTEND_EXTENSIONS.items():
        ok = any((root / name / "package.json").exists() for root in roots)
        checks.append(Check(meaning, ok, "已安装" if ok else "未找到", "" if ok else FIX_INSTALL))
    return checks


def check_font() -> tuple[Check, bytes | None]:
    """Draw a Chinese sample with the course font; fail on any missing glyph."""
    sample = "新质生产力 浙江 丽水 吉利 万事利 −3.5% ≥ 67.1%"
    try:
        families = charts.register_chinese_font()
        fig, ax = charts.new_figure(6, 1.3)
        ax.axis("off")
        ax.text(0.01, 0.5, sample, fontsize=18, va="center")
        charts.set_source(fig, "字体：Noto Sans SC（SIL OFL 1.1，随课程附带）")
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=r"Glyph .* missing from font")
            png = charts.png_bytes(fig)
        charts.close(fig)
        return Check("图表中文字体", True, f"使用 {families[0]}"), png
    except Exception as err:  # noqa: BLE001 - reported as failed, with a fix
        return Check("图表中文字体", False, f"{type(err).__name__}: {err}",
                     "字体文件 src/xinzhi/fonts/ 可能缺失：从课程压缩包或 git 取回该文件夹。"), None


def run_checks() -> tuple[list[Check], bytes | None]:
    font_check, sample = check_font()
    return [check_python(), *check_packages(), *check_frontend(), font_check], sample


def report(checks: list[Check]) -> str:
    rows = pd.DataFrame({"状态": [c.ok for c in checks], "检查项目": [c.name for c in checks],
                         "结果": [c.detail for c in checks], "解决": [c.fix for c in checks]})
    if not any(c.fix for c in checks):
        rows = rows.drop(columns="解决")
    table = Table(rows, status={"状态": ("通过", "未通过")})
    bad = sum(not c.ok for c in checks)
    verdict = (f"{mark('ok')} 全部通过，可以开始上课。" if not bad
               else f"{mark('fail')} 有 {bad} 项需要处理，请按“解决”一栏操作后重新运行本单元。")
    return f"{table.html()}<p style='margin:0.3em 0'><b>{verdict}</b></p>"


def environment_check():
    """Show the table of checks (a tick or a cross each) and the font sample (used by notebook 00)."""
    from IPython.display import HTML, display

    checks, sample = run_checks()
    display(HTML(report(checks)))
    if sample:
        display(w.Image(value=sample, format="png", layout={"max_width": "100%"}))
    return checks


def widget_check():
    """A live widget: moving the slider must change the echo below it."""
    slider = w.IntSlider(value=3, min=0, max=10, description="拖动我", style={"description_width": "initial"})
    echo = w.HTML()

    def show(_change=None):
        echo.value = f"{mark('ok')} 小部件工作正常：滑块现在是 <b>{slider.value}</b>，" + "■" * slider.value
    slider.observe(show, names="value")
    show()
    hint = w.HTML("<span style='color:#444'>如果这里只看到“Error displaying widget”或“Loading widget…”，"
                  "说明界面部分没有装好：" + html.escape(FIX_INSTALL) + "</span>")
    return w.VBox([slider, echo, hint])
