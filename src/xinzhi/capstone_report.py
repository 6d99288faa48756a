"""The take-home page of notebook 08: the participant's formula, numbers, chart and summary on one page.

    from xinzhi.capstone_report import write_take_home
    png_path, html_path = write_take_home(entries, formula, unit="亿元", png=chart_bytes)

Both files go into the participant's workspace (``my_work/``) with atomic writes, so a page is
either the old one or the new one, never half written. The HTML page has the chart embedded and
prints on one A4 sheet (browser: 打印 → 另存为 PDF).
"""
from __future__ import annotations

import base64
import html
import re
import time
from pathlib import Path

from . import workspace
from .edition import stamp
from .formats import signed, with_unit
from .models.capstone import Formula, Outcome, outcome

PNG_NAME = "08_my_formula.png"
HTML_NAME = "08_my_formula.html"
OWN_ASSUMPTIONS = "本页数字为学员自己的假设，不是统计数据，也不是预测。"

#: The participant's texts, in page order: key → label.
TEXT_FIELDS = {
    "region": "地区或行业",
    "carrier_text": "被乘数（产业载体）",
    "tech_text": "乘数（科技创新、生产工具）",
    "sign_text": "乘号（深度融合、体制机制）",
    "next_step": "我回去准备做的第一件事",
}


def summary_lines(result: Outcome, unit: str = "") -> list[str]:
    """A short Chinese reading of the result, one sentence per line (plain text)."""
    def n(value):
        return with_unit(value, unit)

    lines = [f"按我的假设，{result.years} 年后产出为 {n(result.multiplicative)}"
             f"（今天 {n(result.today)}，变化 {signed(result.gain_pct, unit='%')}）。"]
    if result.multiplicative <= 0:
        lines.append("被乘数降到 0：产业载体没有了，乘数再大，乘积也是 0——这就是乘法里的“短板”。"
                     f"做加法却会误以为还剩 {n(result.additive)}。")
        return lines
    if result.tech_step == 0:
        lines.append("乘数没有乘进来：融合程度或效率提升为 0 时，技术再先进也不改变产出——“乘号”决定乘数能否发挥作用。")
    else:
        lines.append(f"如果只“做加法”，结果是 {n(result.additive)}；做乘法多出 {n(result.cross_step)}，"
                     "因为扩大的产业载体也用上了新技术（被乘数与乘数相互放大）。")
    if result.annual_pct > 0:
        lines.append(f"这相当于每年平均增长约 {result.annual_pct:.1f}%，按这个速度约 {result.doubling:.1f} 年翻一番"
                     f"（用 70 法则估算：{70 / result.annual_pct:.1f} 年）。")
    elif result.annual_pct < 0:
        lines.append(f"这相当于每年平均减少约 {-result.annual_pct:.1f}%。")
    return lines


def embedded_font_css(text: str) -> str:
    """An @font-face rule with the course font cut down to the characters of ``text`` (a few dozen KB).

    The page then shows its Chinese on any device, even one without Chinese fonts. If the font
    cannot be subset, the page falls back to the system fonts named in its CSS.
    """
    try:
        import io

        from fontTools import subset

        from .charts import FONT_FILE

        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        with subset.load_font(str(FONT_FILE), options) as font:   # closes the font file
            subsetter = subset.Subsetter(options)
            subsetter.populate(text=text)
            subsetter.subset(font)
            buffer = io.BytesIO()
            subset.save_font(font, buffer, options)
    except Exception:  # noqa: BLE001 - the page still works with system fonts
        return ""
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return ("@font-face { font-family: 'Course Sans SC'; font-weight: normal; "
            f"src: url(data:font/ttf;base64,{data}) format('truetype'); }}")


def page_html(entries: dict, formula: Formula, unit: str, png: bytes, date: str | None = None) -> str:
    """The printable one-page HTML (UTF-8), chart embedded, every typed text escaped."""
    result = outcome(formula)
    date = date or time.strftime("%Y-%m-%d")
    blank = "<span class='blank'>（未填写）</span>"
    e = {key: html.escape(str(entries.get(key, "") or "").strip()) or blank for key in TEXT_FIELDS}
    region = html.escape(str(entries.get("region", "") or "").strip())
    title = f"我的乘法算式：{region}" if region else "我的乘法算式"
    numbers = [
        ("今天的产出（基数）", html.escape(with_unit(formula.base, unit))),
        ("被乘数扩大", f"{formula.carrier_pct:g}%"),
        ("乘数：效率提升（全面用上新技术时）", f"{formula.tech_pct:g}%"),
        ("乘号：融合程度（新技术覆盖的比例）", f"{formula.fusion_pct:g}%"),
        ("年数", f"{formula.years} 年"),
        ("做加法的结果", html.escape(with_unit(result.additive, unit))),
        ("做乘法的结果", f"<b>{html.escape(with_unit(result.multiplicative, unit))}</b>"),
        ("相当于每年平均增长", f"{result.annual_pct:.1f}%"),
    ]
    rows = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in numbers)
    summary = "".join(f"<li>{html.escape(line)}</li>" for line in summary_lines(result, unit))
    image = base64.b64encode(png).decode("ascii")
    page = _PAGE.format(title=title, date=date, own=OWN_ASSUMPTIONS, e=e, blank=blank, rows=rows,
                        summary=summary, image=image, font="<!--font-->", edition=html.escape(stamp()))
    visible = html.unescape(re.sub(r"<[^>]+>|data:[^\"')]+", "", page)) + "（未填写）"
    return page.replace("<!--font-->", embedded_font_css(visible), 1)


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{title}</title>
<style>
@page {{ size: A4; margin: 14mm; }}
{font}
body {{ font-family: "Course Sans SC", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
        "WenQuanYi Zen Hei", sans-serif; color: #111; max-width: 180mm; margin: 0 auto; line-height: 1.45;
        font-size: 10.5pt; }}
h1 {{ font-size: 17pt; margin: 0 0 2mm 0; }}
.meta {{ color: #444; font-size: 9.5pt; margin-bottom: 3mm; }}
.formula {{ border: 1.5px solid #0072B2; border-radius: 4px; padding: 2.5mm 4mm; margin: 2mm 0 3mm 0; }}
.formula p {{ margin: 1mm 0; }}
.formula b {{ display: inline-block; min-width: 15em; }}
table {{ border-collapse: collapse; width: 100%; font-size: 10pt; }}
th, td {{ border-bottom: 1px solid #ccc; padding: 0.6mm 2mm; text-align: left; vertical-align: top; }}
th {{ font-weight: normal; color: #333; width: 55%; }}
img {{ width: 100%; max-height: 78mm; object-fit: contain; margin: 2mm 0; }}
ul {{ margin: 1mm 0 2mm 0; padding-left: 6mm; }}
.own {{ border-left: 4px solid #D55E00; background: #fff6ee; padding: 1.5mm 3mm; font-weight: bold; margin-top: 2mm; }}
@media print {{ .own {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }} }}
.blank {{ color: #888; }}
@media print {{ body {{ max-width: none; }} }}
</style></head>
<body>
<h1>{title}</h1>
<div class="meta">新质生产力——浙江实践 · 结课作业 · 生成日期：{date} · {edition}</div>
<div class="own">{own}</div>
<div class="formula">
<p><b>被乘数（产业载体）：</b>{e[carrier_text]}</p>
<p><b>× 乘数（科技创新、生产工具）：</b>{e[tech_text]}</p>
<p><b>乘号（深度融合、体制机制）：</b>{e[sign_text]}</p>
<p style="color:#333">算式：目标产出 = 今天的产出 × (1 + 被乘数扩大) × (1 + 乘数提升 × 融合程度)</p>
</div>
<table>{rows}</table>
<img src="data:image/png;base64,{image}" alt="我的乘法算式：从今天的产出出发，依次加上被乘数扩大、乘数效应和相乘多出的部分，得到目标产出">
<ul>{summary}</ul>
<p><b>我回去准备做的第一件事：</b>{e[next_step]}</p>
<div class="own">{own}</div>
</body></html>
"""


def write_take_home(entries: dict, formula: Formula, unit: str, png: bytes,
                    date: str | None = None) -> tuple[Path, Path]:
    """Write the chart (PNG) and the one-page HTML into the workspace, atomically. Returns both paths."""
    png_path = workspace.path_for(PNG_NAME)
    html_path = workspace.path_for(HTML_NAME)
    page = page_html(entries, formula, unit, png, date=date)
    workspace.write_bytes_atomic(png_path, png)
    workspace.write_bytes_atomic(html_path, page.encode("utf-8"))
    return png_path, html_path
