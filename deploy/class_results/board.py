"""The class view's content: what the class answered, guessed and wrote, counted from the stored results.

:func:`summary` counts (a dictionary, also the JSON the page and the tests read); :func:`render` draws it as
HTML for the projector. Options are counted by their stable ids and shown by their text from the question
bank (participants see them shuffled, so a letter would mean nothing). Each participant counts once per
question, by their first try; whether it was right is read from the bank, never from the sender.
"""
from __future__ import annotations

import html
import json
import math
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from xinzhi.formats import format_number

#: Okabe–Ito colours: right, wrong, the most common wrong answer, guesses; every colour also has a word or a mark.
RIGHT, WRONG, COMMON_WRONG, GUESS = "#0072B2", "#E69F00", "#D55E00", "#56B4E9"
TOP_PARTS = 6
FORMULA_SHOWN = 40     # characters of one box in the list of formulas
PARTS = (("carrier_text", "被乘数"), ("tech_text", "乘数"), ("sign_text", "乘号"))


def notebook_titles(folder: Path) -> dict[str, str]:
    """``{"01": "什么是新质生产力", …}`` from the first heading of each course notebook."""
    titles = {}
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        title = path.stem[3:]
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            first = next(c for c in cells if c["cell_type"] == "markdown")
            line = "".join(first["source"]).splitlines()[0]
            title = re.sub(r"^#+\s*\d\d\s*", "", line).strip() or title
        except (OSError, ValueError, KeyError, StopIteration, IndexError):
            pass
        titles[path.name[:2]] = title
    return titles


# --- counting ---------------------------------------------------------------------------------------------------
def _first_tries(results, notebook: str) -> dict[str, dict[int, dict]]:
    """``{question: {pseudonym: first answer}}``: the lowest attempt, the earliest received."""
    first: dict[str, dict[int, dict]] = defaultdict(dict)
    for r in results:
        if r.kind == "answer" and r.notebook == notebook:
            held = first[r.item].get(r.pseudonym)
            if held is None or r.body["attempt"] < held["attempt"]:
                first[r.item][r.pseudonym] = r.body
    return first


def _question(question, first: dict[int, dict], reveals: set[int]) -> dict:
    answered = len(first)
    if question.is_choice:
        counts = Counter(body["option"] for body in first.values())
        options = [{"id": o.id, "text": o.text, "right": o.right, "count": counts.get(o.id, 0),
                    "feedback": o.feedback} for o in question.options]
    else:
        def category(value: float) -> str:
            if question.is_right(value):
                return "right"
            mistake = question.mistake_for(value)
            return mistake.id if mistake else "other"
        counts = Counter(category(body["value"]) for body in first.values())
        unit = question.unit
        options = [{"id": "right", "text": f"{format_number(question.answer)}{unit}", "right": True,
                    "count": counts.get("right", 0), "feedback": ""}]
        options += [{"id": m.id, "text": f"{format_number(m.value)}{unit}", "right": False,
                     "count": counts.get(m.id, 0), "feedback": m.feedback} for m in question.mistakes]
        options.append({"id": "other", "text": "其他数值", "right": False, "count": counts.get("other", 0),
                        "feedback": ""})
    right = sum(o["count"] for o in options if o["right"])
    wrong = [o for o in options if not o["right"] and o["count"]]
    common = max(wrong, key=lambda o: o["count"]) if wrong else None  # ties: the bank's order
    return {"id": question.id, "number": question.number, "text": question.question,
            "kind": "choice" if question.is_choice else "number", "answered": answered,
            "right_at_first_try": right, "share_right": right / answered if answered else None,
            "options": [{k: v for k, v in o.items() if k != "feedback"} for o in options],
            "common_wrong": {"id": common["id"], "text": common["text"], "count": common["count"],
                             "feedback": common["feedback"]} if common else None,
            "revealed_without_trying": len(reveals - set(first))}


def _predictions(results, notebook: str) -> list[dict]:
    latest: dict[str, dict[int, dict]] = defaultdict(dict)
    for r in results:
        if r.kind == "prediction" and r.notebook == notebook:
            latest[r.item][r.pseudonym] = r.body   # received in order: the last one stays
    found = []
    for widget, by_member in latest.items():
        made = [b for b in by_member.values() if not b["skipped"]]
        # The question, unit and result are the same for everyone: the most common one stands, so that one
        # participant's odd record cannot relabel the chart.
        common = lambda key, rows: Counter(b[key] for b in rows).most_common(1)[0][0] if rows else None  # noqa: E731
        everyone = list(by_member.values())
        found.append({
            "widget": widget, "question": common("question", made or everyone), "unit": common("unit", everyone),
            "guesses": sorted(b["guess"] for b in made),
            "result": common("result", made), "skipped": len(by_member) - len(made)})
    return sorted(found, key=lambda p: p["widget"])


def _key(text: str) -> str:
    """Two answers that differ only in width, case, spaces or final punctuation count as one."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s。，、；;,.!！?？]+", "", folded)


def _capstone(results) -> dict:
    latest = {r.pseudonym: r.body for r in results if r.kind == "formula"}
    parts = {}
    for field, _name in PARTS:
        groups: dict[str, Counter] = defaultdict(Counter)
        for body in latest.values():
            if body[field]:
                groups[_key(body[field])][body[field]] += 1
        shown = lambda c: min(c, key=lambda t: (-c[t], len(t), t))  # noqa: E731 - the commonest, shortest spelling
        counted = sorted(((sum(c.values()), shown(c)) for c in groups.values()),
                         key=lambda item: (-item[0], item[1]))
        parts[field] = [{"text": text, "count": count} for count, text in counted]
    formulas = [{k: latest[p][k] for k in ("region", "carrier_text", "tech_text", "sign_text")}
                for p in sorted(latest)]   # pseudonyms are random: this order says nothing about who wrote what
    return {"count": len(latest), "parts": parts, "formulas": formulas}


def summary(class_row: dict, results, banks: dict, titles: dict, notebook: str | None) -> dict:
    """Everything the page shows for one notebook of one class."""
    activity = Counter(r.notebook for r in results)
    notebooks = sorted(set(banks) | set(titles))
    if notebook not in notebooks:
        latest = max(results, key=lambda r: r.received, default=None)
        notebook = latest.notebook if latest else (notebooks[0] if notebooks else "01")
    first = _first_tries(results, notebook)
    reveals: dict[str, set[int]] = defaultdict(set)
    for r in results:
        if r.kind == "reveal" and r.notebook == notebook:
            reveals[r.item].add(r.pseudonym)
    bank = banks.get(notebook)
    return {
        "class": {"id": class_row["id"], "name": class_row["name"], "archived": class_row["archived"] is not None},
        "joined": class_row["joined"], "version": class_row["version"], "notebook": notebook,
        "notebooks": [{"id": n, "title": titles.get(n, n), "results": activity.get(n, 0)} for n in notebooks],
        "questions": [_question(q, first.get(q.id, {}), reveals.get(q.id, set())) for q in bank.questions]
        if bank else [],
        "predictions": _predictions(results, notebook),
        "capstone": _capstone(results) if notebook == "08" else None,
    }


# --- drawing ----------------------------------------------------------------------------------------------------
def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _short(text: str, limit: int = FORMULA_SHOWN) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


def _question_html(q: dict) -> str:
    most = max([o["count"] for o in q["options"]] + [1])
    common = q["common_wrong"]
    rows = []
    for o in q["options"]:
        is_common = common is not None and o["id"] == common["id"]
        colour = RIGHT if o["right"] else COMMON_WRONG if is_common else WRONG
        tag = "<span class='tag right'>✔ 正确</span>" if o["right"] else \
              "<span class='tag common'>最常见的错误</span>" if is_common else ""
        width = 100 * o["count"] / most
        rows.append(
            f"<div class='option' data-option='{_e(o['id'])}' data-count='{o['count']}'>"
            f"<div class='label'>{tag}{_e(o['text'])}</div>"
            f"<div class='track'><div class='bar{' striped' if is_common else ''}' "
            f"style='width:{width:.1f}%;background-color:{colour}'></div>"
            f"<span class='count'>{o['count']}</span></div></div>")
    answered = q["answered"]
    line = (f"{answered} 人作答 · 一次答对 {q['right_at_first_try']} 人（{_percent(q['share_right'])}）"
            if answered else "还没有人作答")
    if not answered:
        rows = []  # no bars of zeros: the projector has room for the questions that were answered
    if q["revealed_without_trying"]:
        line += f" · 没作答就看了答案 {q['revealed_without_trying']} 人"
    wrong = ""
    if common:
        feedback = f"<div class='feedback'>反馈：{_e(common['feedback'])}</div>" if common["feedback"] else ""
        wrong = (f"<div class='common-wrong'><b>最常见的错误：</b>“{_e(common['text'])}”（{common['count']} 人）"
                 f"{feedback}</div>")
    return (f"<section class='card question' data-question='{_e(q['id'])}' data-answered='{answered}' "
            f"data-right='{q['right_at_first_try']}'>"
            f"<h2>{q['number']}. {_e(q['text'])}</h2><p class='line'>{line}</p>"
            f"<div class='options'>{''.join(rows)}</div>{wrong}</section>")


def _nice_step(span: float, bins: int) -> float:
    raw = span / bins
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def within_reach(guesses: list[float], result: float | None) -> tuple[list[float], int, int]:
    """The guesses the histogram draws, and how many lie far below / far above them (drawn as a count only).

    Far means beyond three interquartile ranges of the guesses and the result: one typed 1e9 must not squeeze
    everyone else's guess into a single bar."""
    values = sorted(guesses + ([result] if result is not None else []))
    if len(values) < 4:
        return guesses, 0, 0
    q1, _, q3 = statistics.quantiles(values, n=4)
    reach = 3 * max(q3 - q1, abs(statistics.median(values)) * 0.1, 1e-9)
    low, high = q1 - reach, q3 + reach
    if result is not None:
        low, high = min(low, result), max(high, result)
    kept = [g for g in guesses if low <= g <= high]
    return kept, sum(g < low for g in guesses), sum(g > high for g in guesses)


def histogram_svg(guesses: list[float], result: float | None, unit: str) -> str:
    """Guesses as a histogram, the result as a dashed line: an inline SVG with its own text labels."""
    values = guesses + ([result] if result is not None else [])
    low, high = min(values), max(values)
    if high - low < 1e-9:
        low, high = low - max(1.0, abs(low) * 0.1), high + max(1.0, abs(high) * 0.1)
    step = _nice_step(high - low, 8)
    start = math.floor(low / step) * step
    edges = [start]
    while edges[-1] <= high + 1e-12:
        edges.append(edges[-1] + step)
    counts = [0] * (len(edges) - 1)
    for g in guesses:
        counts[min(int((g - start) / step + 1e-9), len(counts) - 1)] += 1
    width, height, left, right, top, bottom = 800, 260, 20, 20, 40, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    x = lambda v: left + (v - edges[0]) / (edges[-1] - edges[0]) * plot_w  # noqa: E731
    tallest = max(counts + [1])
    parts = [f"<svg viewBox='0 0 {width} {height}' role='img' class='histogram'><title>猜测的分布与结果</title>"]
    for i, n in enumerate(counts):
        if not n:
            continue
        x0, x1 = x(edges[i]) + 2, x(edges[i + 1]) - 2
        h = plot_h * n / tallest
        parts.append(f"<rect x='{x0:.1f}' y='{top + plot_h - h:.1f}' width='{x1 - x0:.1f}' height='{h:.1f}' "
                     f"fill='{GUESS}' stroke='#000' stroke-width='1.5'/>"
                     f"<text x='{(x0 + x1) / 2:.1f}' y='{top + plot_h - h - 6:.1f}' text-anchor='middle' "
                     f"class='n'>{n}</text>")
    parts.append(f"<line x1='{left}' x2='{width - right}' y1='{top + plot_h}' y2='{top + plot_h}' stroke='#000'/>")
    every = max(1, math.ceil((len(edges) - 1) / 8))
    for i, edge in enumerate(edges):
        if i % every == 0:
            parts.append(f"<text x='{x(edge):.1f}' y='{top + plot_h + 26}' text-anchor='middle' class='tick'>"
                         f"{_e(format_number(edge))}</text>")
    if result is not None:
        rx = x(result)
        anchor = "start" if rx < width / 2 else "end"
        shift = 8 if anchor == "start" else -8
        parts.append(f"<line x1='{rx:.1f}' x2='{rx:.1f}' y1='{top - 8}' y2='{top + plot_h}' stroke='#000' "
                     f"stroke-width='4' stroke-dasharray='10 6'/>"
                     f"<text x='{rx + shift:.1f}' y='{top - 14}' text-anchor='{anchor}' class='result'>"
                     f"结果 {_e(format_number(result))}{_e(unit)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _prediction_html(p: dict) -> str:
    guesses = p["guesses"]
    if guesses:
        median = statistics.median(guesses)
        line = f"{len(guesses)} 人猜了 · 猜测的中位数 {_e(format_number(median))}{_e(p['unit'])}"
        if p["result"] is not None:
            line += f" · 结果 {_e(format_number(p['result']))}{_e(p['unit'])}"
        drawn, below, above = within_reach(guesses, p["result"])
        if below or above:
            far = "、".join(t for t in (f"远小于图中范围的 {below} 人" if below else "",
                                         f"远大于图中范围的 {above} 人" if above else "") if t)
            line += f" · 图外：{far}"
        figure = histogram_svg(drawn, p["result"], p["unit"]) if drawn or p["result"] is not None else ""
    else:
        line, figure = "还没有人猜", ""
    if p["skipped"]:
        line += f" · 跳过 {p['skipped']} 人"
    return (f"<section class='card prediction' data-widget='{_e(p['widget'])}' data-guesses='{len(guesses)}'>"
            f"<h2>先猜一猜：{_e(p['question'])}</h2><p class='line'>{line}</p>{figure}</section>")


def _capstone_html(c: dict) -> str:
    columns = []
    for field, name in PARTS:
        entries = c["parts"][field]
        items = "".join(f"<li><span class='count'>{e['count']}</span> {_e(_short(e['text'], 24))}</li>"
                        for e in entries[:TOP_PARTS])
        rest = sum(e["count"] for e in entries[TOP_PARTS:])
        more = f"<li class='more'>另有 {len(entries) - TOP_PARTS} 种写法（{rest} 人）</li>" if rest else ""
        columns.append(f"<div class='part' data-part='{field}'><h3>{name}</h3><ol>{items}{more}</ol></div>")
    formulas = "".join(
        f"<li>{_e(_short(f['region'], 16)) + '：' if f['region'] else ''}"
        f"<b>{_e(_short(f['carrier_text']) or '（未填）')}</b> × <b>{_e(_short(f['tech_text']) or '（未填）')}</b>"
        f"<span class='sign'>　乘号：{_e(_short(f['sign_text']) or '（未填）')}</span></li>" for f in c["formulas"])
    return (f"<section class='card capstone' data-formulas='{c['count']}'><h2>大家的乘法算式"
            f"（{c['count']} 人）</h2><div class='parts'>{''.join(columns)}</div>"
            f"<h3>全部算式（不署名，顺序随机）</h3><ol class='formulas'>{formulas}</ol></section>")


def render(data: dict) -> str:
    """The board of one notebook as an HTML fragment (every participant's text escaped)."""
    parts = [_capstone_html(data["capstone"])] if data["capstone"] is not None else []  # 08: the formulas first
    parts += [_question_html(q) for q in data["questions"]]
    parts += [_prediction_html(p) for p in data["predictions"]]
    if not parts:
        parts.append("<p class='empty'>这本笔记本没有自测题。</p>")
    return "".join(parts)
