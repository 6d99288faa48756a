"""Every number a participant reads in a notebook's text can be traced to data/.

For each markdown cell of every notebook 01–08 the test extracts every number written with Arabic digits
(67.1%、7.0%、1,964.4 亿元、29 个、500 亿元、4000 吨、$8\\times10^{14}$、50万、70万 …) and checks that it is

- a ``value`` of a fact row in data/ (in any unit of the same kind: 1964.4 亿元 = 0.19644 万亿元), or
- a number inside a ``quote`` (or any other text column) of some row in data/, with its 万/亿/million word
  (so “4.2万家” stands for 42000), or in data/seed_article.csv, or
- one of the few kinds of number that are not figures (years, dates, section and question numbers, the
  minutes of the time line, notebook numbers …: ``GENERIC`` below, each with its reason), or
- on the short ``ALLOWLIST`` below: (notebook, number as written) with the reason it is not a sourced figure.

The same holds for the Chinese text typed in the widget modules (titles, notes, messages: src/xinzhi/widgets/*.py);
their ``ALLOWLIST`` entries name the module's file (``"geely.py"``) in place of a notebook.

A rounded form of a sourced figure is accepted (“约 8.26 万亿元” for 82553 亿元) only when it keeps at least
three significant digits, or two after 约/近/超过: a bare “3%” must match a figure exactly. A number that is
none of these fails the test, naming the notebook, the cell and the number.
"""

from __future__ import annotations

import csv
import math
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

from xinzhi.data import SCALE_WORDS, UNITS

from .conftest import NOTEBOOKS, code_constants, markdown_cells

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
WIDGETS = REPO / "src" / "xinzhi" / "widgets"
#: every notebook but the guide (00 explains menus and the time plan; it quotes no figures)
STEMS = [p.stem for p in NOTEBOOKS if p.stem != "00_guide"]

# ---------------------------------------------------------------------------------------------
# Numbers that need no data row: (notebook stem or widget module, number exactly as written) -> reason.
# Keep this list short; every entry says why the number is not a figure to be sourced.
# ---------------------------------------------------------------------------------------------
ALLOWLIST: dict[tuple[str, str], str] = {
    ("02_zhejiang_numbers", "0.15"): "the tolerance the self-check allows, in percentage points",
    ("03_lishui", "99.9"): "definition of purity 3N (three nines), not a measured figure",
    ("03_lishui", "99.999"): "definition of purity 5N (five nines), not a measured figure",
    ("03_lishui", "0.1"): "the impurity of 3N purity, 100% − 99.9%: a definition",
    ("03_lishui", "1000"): "the impurity of 3N purity in ppm (千分之一 = 1000 ppm): a definition",
    ("03_lishui", "99.99"): "definition of purity 4N (four nines), in the worked solution",
    ("03_lishui", "0.01"): "the impurity of 4N purity, 100% − 99.99%: a definition",
    ("03_lishui", "99.9999"): "definition of purity 6N (six nines), in the worked solution",
    ("04_geely", "95"): "the conventional 95% level of the fitted curve's uncertainty band",
    ("04_geely", "60"): "a slider setting the exercise asks for (saturation cap 60%), not a figure",
    ("04_geely", "80"): "a hypothetical question in the instructor's note (“哪年能到 80%？”)",
    ("04_geely", "50"): "half of a 100% ceiling, in the self-check on the logistic curve's midpoint: a definition",
    ("07_tfp", "12"): "the Maddison database's own citation condition (“fewer than 12 countries”, data/README.md)",
    ("07_tfp", "0.5"): "a slider setting the exercise asks for (capital share α = 0.5), not a figure",
    ("07_tfp", "0.1"): "a step of the α slider in the worked answer (“α 每变 0.1”), not a figure",
    ("geely.py", "95"): "the conventional 95% level of the fitted curve's uncertainty band",
    ("lishui.py", "1000"): "the impurity of 3N purity in ppm: a definition, drawn by the purity widget",
    ("lishui.py", "0.1"): "the impurity of 7N purity in ppm: a definition, drawn by the purity widget",
    ("lishui.py", "1"): "a menu choice of how much material to weigh (1 千克, 1 吨), not a figure",
    ("lishui.py", "4"): "a menu choice of how many candidate places to score (3 个 or 4 个), not a figure",
    ("tfp.py", "0.5"): "a threshold of the explanation and a slider setting the exercise asks for, not figures",
    ("tfp.py", "0.50"): "the slider setting the exercise asks for (capital share α = 0.50), not a figure",
}

# Kinds of number that are never figures (checked by pattern, see `generic_reason`).
GENERIC = {
    "year": "a year (1900–2099) written without a unit: 2023年、2019–2023、（2015）",
    "date": "part of a date or period: 3月、5日、2024-03-05、第3季度、上半年",
    "ordinal": "an ordinal or label: 第11次、第2题、第3节、〔2023〕6号、（1）、list and heading numbers",
    "minutes": "the time line and exercise lengths: 教学 30 分钟、约 5 分钟",
    "notebook": "a notebook's number in a cross-reference: 07 全要素生产率、[02 …]",
    "zero_one": "0 and 1 as bounds or switches: 介于 0 和 1 之间、拖到 0、从“0 到 1”",
    "whole": "100% as the whole: 合计必须是 100%、超过了 100%",
    "rule70": "the name of the rule of 70 (70 ÷ 年增速 ≈ 翻番年数), a rule of thumb, not a figure",
    "illustrative": "a paragraph (or a section whose heading) says its numbers are 示意/示例 (illustrative)",
}

# Numbers the text computes from data/: (notebook, number as written) -> (function returning the exact
# value, reason). The test recomputes them and checks the text rounds the result correctly.


def _fact(dataset: str, row_id: str) -> float:
    with open(DATA / f"{dataset}.csv", encoding="utf-8", newline="") as fh:
        return next(float(r["value"]) for r in csv.DictReader(fh) if r["id"] == row_id)


def _pwt(country: str, var: str, year: int) -> float:
    with open(DATA / "pwt1001_6countries.csv", encoding="utf-8", newline="") as fh:
        return next(float(r[var]) for r in csv.DictReader(fh) if r["countrycode"] == country and r["year"] == str(year))


def _reproduction(hours_fill="usa") -> dict:
    from xinzhi.data import load
    from xinzhi.models import accounting as acc
    pwt = load("pwt1001_6countries").table
    table = acc.reproduce_rtfpna(pwt) if hours_fill == "usa" else acc.reproduce_rtfpna(pwt, hours_fill=None)
    return dict(zip(table["country"], table["max_rel_diff"]))


def _rest_growth(share_prev: float | None) -> float:
    from xinzhi.models.growth import rest_growth
    share = _fact("zhejiang_indicators", "F033") if share_prev is None else share_prev
    return rest_growth(total_pct=_fact("zhejiang_indicators", "F026"), part_pct=_fact("seed_article", "S01"),
                       share_prev_pct=share)


def _nev_fit(ceiling: float):
    from xinzhi.data import load
    from xinzhi.models import industry
    rows = load("auto_nev").series("nev_share", region="全国")
    return industry.fit_logistic(rows["year"].to_numpy(float), rows["value"].to_numpy(float), ceiling=ceiling)


def _nev_rmse(ceiling: float) -> float:
    from xinzhi.data import load
    rows = load("auto_nev").series("nev_share", region="全国")
    years, shares = rows["year"].to_numpy(float), rows["value"].to_numpy(float)
    return math.sqrt(sum((s - float(_nev_fit(ceiling)(y))) ** 2 for y, s in zip(years, shares)) / len(years))


def _previous_share() -> float:
    """Last year's share: this year's share × (1 + G) ÷ (1 + g1), as the notebook explains."""
    return (_fact("zhejiang_indicators", "F033") * (1 + _fact("zhejiang_indicators", "F026") / 100)
            / (1 + _fact("seed_article", "S01") / 100))


def _design_space() -> float:
    from xinzhi.models import scarf
    return len(scarf.MOTIFS) * (scarf.MAX_SYMMETRY - scarf.MIN_SYMMETRY + 1) * len(scarf.PALETTES) * 10000


def _ledger(start: int, end: int, ledger: str, part: str = "tfp", capital_share: float | None = None) -> float:
    """One number of China's growth accounting on one ledger (07): log points a year, or "share" in %."""
    from xinzhi.widgets import tfp
    d = tfp.china_decomposition(start, end, ledger, capital_share)
    return 100 * d.tfp / d.gdp if part == "share" else getattr(d, part)


def _pwt_decomposition(country: str, start: int, end: int, part: str) -> float:
    from xinzhi.data import load
    from xinzhi.models import accounting as acc
    return getattr(acc.decompose(load("pwt1001_6countries").table, country, start, end), part)


def _dimensions(which: str, skip_motif: bool = False) -> float:
    """The design-space calculator's sliders (05): the product of their maxima or defaults."""
    from xinzhi.widgets.wensli import DIMENSIONS
    index = {"max": 4, "default": 3, "min": 2}[which]
    return math.prod(d[index] for d in DIMENSIONS if not (skip_motif and d[0] == "motif"))


def _claim() -> float:
    return _fact("seed_article", "S11")


COMPUTED: dict[tuple[str, str], tuple] = {
    ("02_zhejiang_numbers", "100.4"): (lambda: _fact("seed_article", "S03") + _fact("seed_article", "S04"),
                                       "67.1% + 33.3%: the sum of the article's two shares (S03, S04)"),
    ("05_wensli", "14.9"): (lambda: math.log10(_fact("seed_article", "S11")),
                            "log10 of the article's 80亿人 × 10万条 = 8×10^14 (S11): its order of magnitude"),
    ("05_wensli", "1.6×10^{9}"): (lambda: _fact("seed_article", "S11") / _fact("seed_article", "S07"),
                                  "8×10^14 designs ÷ the 50万 patterns of the database (S11 / S07), a hint"),
    ("06_policy", "2.1"): (lambda: 100 * ((_fact("hangzhou", "F101a") / _fact("hangzhou", "F093")) ** (1 / 4) - 1),
                           "implied yearly relative rise of Hangzhou's R&D intensity, 3.86% (2023) → 4.2% (2027)"),
    ("05_wensli", "300 万"): (lambda: _design_space(),
                              "the pattern generator's own design space: motifs × symmetries × palettes × 10,000"),
    ("05_wensli", "4"): (lambda: len(__import__("xinzhi.models.scarf", fromlist=["MOTIFS"]).MOTIFS),
                         "the number of motifs of the pattern generator (xinzhi.models.scarf.MOTIFS)"),
    ("02_zhejiang_numbers", "3.96"): (lambda: _rest_growth(share_prev=None),
                                      "growth of the rest of industry, (6 − 67.1% × 7.0) ÷ (1 − 67.1%), self-check"),
    ("02_zhejiang_numbers", "66.5"): (lambda: _previous_share(),
                                      "last year's high-tech share backed out, 67.1% × 1.06 ÷ 1.07, self-check"),
    ("02_zhejiang_numbers", "4.02"): (lambda: _rest_growth(share_prev=_previous_share()),
                                      "growth of the rest of industry with last year's share, self-check"),
    ("02_zhejiang_numbers", "5.3"): (lambda: 100 * (_fact("zhejiang_indicators", "F004") / _fact("zhejiang_indicators", "F003") - 1),
                                     "nominal GDP growth 2024, 90131 ÷ 85620 (same vintage), worked solution"),
    ("02_zhejiang_numbers", "9.2"): (lambda: 100 * (_fact("zhejiang_indicators", "F004") / _fact("zhejiang_indicators", "F001") - 1),
                                     "the wrong growth from mixing vintages, 90131 ÷ 82553, worked solution"),
    ("02_zhejiang_numbers", "3.7"): (lambda: 100 * (_fact("zhejiang_indicators", "F003") / _fact("zhejiang_indicators", "F001") - 1),
                                     "the census revision of 2023 GDP, 85620 ÷ 82553, worked solution"),
    ("04_geely", "2024.9"): (lambda: _nev_fit(100).midpoint, "midpoint of the least-squares logistic fit (cap 100%)"),
    ("04_geely", "0.45"): (lambda: _nev_fit(100).steepness, "steepness of the least-squares logistic fit (cap 100%)"),
    ("04_geely", "2.9"): (lambda: _nev_rmse(100), "mean gap (RMSE) of the fit to the NEV shares, cap 100%"),
    ("04_geely", "91"): (lambda: float(_nev_fit(100)(2030.0)), "the fit's share in 2030, cap 100% (exercise 1)"),
    ("04_geely", "1.7"): (lambda: _nev_rmse(60), "mean gap (RMSE) of the fit to the NEV shares, cap 60%"),
    ("04_geely", "59"): (lambda: float(_nev_fit(60)(2030.0)), "the fit's share in 2030, cap 60% (exercise 1)"),
    ("06_policy", "2.13"): (lambda: 100 * ((_fact("hangzhou", "F101a") / _fact("hangzhou", "F093")) ** (1 / 4) - 1),
                            "implied yearly rise of Hangzhou's R&D intensity, as the table below it prints"),
    ("06_policy", "1.77"): (lambda: 100 * ((_fact("policy", "F080") / _fact("policy", "F078")) ** (1 / 2) - 1),
                            "implied yearly rise of the “8+4” provincial funds 2023 → 2025"),
    ("07_tfp", "6.30"): (lambda: _ledger(1978, 2018, "pwt", "gdp"),
                         "PWT's China GDP growth 1978–2018, log points (worked answer and self-check)"),
    ("07_tfp", "60 多"): (lambda: _pwt("CHN", "rkna", 2019) / _pwt("CHN", "rkna", 1978),
                         "PWT rkna, China 2019 / 1978 (capital services grew 64-fold)"),
    ("07_tfp", "0.00001"): (lambda: 100 * max(_reproduction().values()),
                            "largest relative gap, in %, of the rtfpna reproduction (xinzhi.models.accounting)"),
    ("07_tfp", "3"): (lambda: 100 * _reproduction(None)["CHN"],
                      "gap, in %, for China when missing hours are taken as no change"),
    # 05: the worked answer to the design-space exercise, from the sliders' own ranges
    ("05_wensli", "1000"): (lambda: max(d[4] for d in __import__("xinzhi.widgets.wensli", fromlist=["D"]).DIMENSIONS),
                            "the largest slider maximum of the design-space calculator"),
    ("05_wensli", "2.4×10^{14}"): (lambda: _dimensions("max"), "all six sliders at their maxima"),
    ("05_wensli", "3.3"): (lambda: _claim() / _dimensions("max"), "how far that falls short of 8×10^14"),
    ("05_wensli", "1.2×10^{17}"): (lambda: _fact("seed_article", "S07") * _dimensions("max", skip_motif=True),
                                   "the 50万-pattern database times the other five sliders at their maxima"),
    ("05_wensli", "1.2×10^{6}"): (lambda: _dimensions("default", skip_motif=True), "the other five at their defaults"),
    ("05_wensli", "1333"): (lambda: _claim() / _fact("seed_article", "S07") / _dimensions("default", skip_motif=True),
                            "how many times more the other five need at their defaults"),
    ("05_wensli", "2.4×10^{11}"): (lambda: _dimensions("max", skip_motif=True), "the other five at their maxima"),
    ("05_wensli", "0.30"): (lambda: math.log10(2), "log10 2: the segment's growth when the symmetry doubles"),
    # 07: the two ledgers (国家统计局's GDP with PWT's inputs, and PWT's own), see xinzhi.widgets.tfp
    ("07_tfp", "9.08"): (lambda: _ledger(1978, 2017, "official", "gdp"),
                         "国家统计局's 1978–2017 growth (33.5倍 / 9.5%) in log points a year"),
    ("07_tfp", "6.44"): (lambda: _ledger(1978, 2017, "pwt", "gdp"), "PWT's China GDP growth 1978–2017, log points"),
    ("07_tfp", "6.7"): (lambda: 100 * math.expm1(_ledger(1978, 2017, "pwt", "gdp") / 100),
                        "the same as a compound rate, in %"),
    ("07_tfp", "34"): (lambda: _ledger(1978, 2017, "official", "share"),
                       "TFP's share of growth on the official ledger, 1978–2017 (and 1978–2018: also 34%)"),
    ("07_tfp", "8.98"): (lambda: _ledger(1978, 2018, "official", "gdp"), "official GDP growth 1978–2018, log points"),
    ("07_tfp", "3.05"): (lambda: _ledger(1978, 2018, "official"), "TFP on the official ledger, 1978–2018"),
    ("07_tfp", "0.37"): (lambda: _ledger(1978, 2018, "pwt"), "TFP on PWT's ledger, 1978–2018"),
    ("07_tfp", "4.29"): (lambda: _ledger(1978, 2018, "pwt", "capital"), "capital's contribution 1978–2018 (both ledgers)"),
    ("07_tfp", "0.22"): (lambda: -_pwt_decomposition("CHN", 2008, 2019, "tfp"),
                         "TFP on PWT's ledger 2008–2019, written −0.22"),
    ("07_tfp", "0.20"): (lambda: -_ledger(1978, 2018, "pwt", capital_share=0.5),
                         "TFP on PWT's ledger 1978–2018 with α = 0.5, written −0.20"),
    ("07_tfp", "3.96"): (lambda: _ledger(1978, 2018, "official", capital_share=0.3),
                         "TFP on the official ledger 1978–2018 with α = 0.3"),
    ("07_tfp", "8.84"): (lambda: _pwt_decomposition("KOR", 1970, 1997, "gdp"), "Korea's GDP growth 1970–1997"),
    ("07_tfp", "4.56"): (lambda: _pwt_decomposition("KOR", 1970, 1997, "capital"), "Korea's capital, 1970–1997"),
    ("07_tfp", "3.90"): (lambda: _pwt_decomposition("KOR", 1997, 2019, "gdp"), "Korea's GDP growth 1997–2019"),
    ("07_tfp", "3.39"): (lambda: math.exp(40 * _ledger(1978, 2018, "official") / 100),
                         "China's TFP index 2018 (1978 = 1) on the official ledger: the end of the dash-dot line"),
}


UNIT_SCALE = {unit: factor for unit, (_kind, factor) in UNITS.items()}

NUMBER = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?:×|\\times|x)\s*10\s*\^\s*\{?\s*(?P<exp>\d+)\s*\}?)?"
    r"(?P<after>\s*(?:多|余)?\s*(?:万亿|亿|万|千|trillion|billion|million)?)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Found:
    text: str          # as written, e.g. "1,964.4 亿" or "8×10^14"
    raw: str           # the digits alone, e.g. "1,964.4"
    value: float       # times its 万/亿 word and power of ten
    digits: int        # significant digits as written
    decimals: int
    scale: float
    kind: str          # "pct" (followed by % or 个百分点), "money" (…元), a measure word (个、吨…) or ""
    before: str        # up to 12 characters before
    after: str         # up to 12 characters after


def _clean(markdown: str) -> str:
    """Drop what a participant does not read as a number: code, URLs, link targets, file names, LaTeX."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"www\.\S+", " ", text)
    text = re.sub(r"\b[\w.-]+\.(?:ipynb|csv|py|md|json|txt|png|svg|html)\b", " ", text)
    text = text.replace("\\times", "×").replace("\\cdot", "·")
    text = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", lambda m: "^{" + m.group().translate(SUPERSCRIPTS) + "}", text)  # 10¹⁴
    text = re.sub(r"(?<![×x\d.\s])(\s*)10\s*\^\s*\{?(\d+)\}?", r"\g<1>1×10^{\2}", text)       # a bare 10^{15}
    text = re.sub(r"_\{?\w+\}?", " ", text)                       # subscripts: s_0, g_{1}, 规模_N
    text = re.sub(r"(?<![\d\s])\^\{?-?\w+\}?", " ", text)           # exponents of letters: K^{α}, (1+g)^t
    text = re.sub(r"\\[a-zA-Z]+", " ", text)                        # other LaTeX commands
    text = re.sub(r"\b[a-z]+\d+[a-z0-9_]*\b", " ", text)          # identifiers: pwt1001, mpd2020
    # bibliographic references: 105(10): 3150–3182, 55: 58–75, and the data set's version number
    text = re.sub(r"\d+\s*\(\d+\)\s*[:：]\s*\d+\s*[–-]\s*\d+", " ", text)
    text = re.sub(r"\d+\s*[:：]\s*\d+\s*[–-]\s*\d+", " ", text)
    text = re.sub(r"(Penn World Table|PWT|佩恩表)\s*10\.01|10\.01\s*版", r"\1", text)
    return text.replace("１", "1")


MEASURE = "个吨家辆项名种条人倍件台套"
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _kind(after: str) -> str:
    """What the number counts, from the word after it: "pct", "money", a measure word (个、吨…) or ""."""
    if re.match(r"\s*(?:%|％|个百分点|百分点)", after):
        return "pct"
    if re.match(r"\s*(?:元|美元|yuan)", after):
        return "money"
    m = re.match(rf"\s*(?:多|余)?\s*([{MEASURE}])", after)
    return m.group(1) if m else ""


def numbers_in(markdown: str) -> list[Found]:
    text = _clean(markdown)
    out = []
    for m in NUMBER.finditer(text):
        start, end = m.span()
        if start and (text[start - 1].isalnum() and text[start - 1].isascii()):
            continue                                                  # inside a word such as H2O or F035
        raw = m.group("num")
        digits_str = raw.replace(",", "")
        decimals = len(digits_str.split(".")[1]) if "." in digits_str else 0
        sig = len(digits_str.replace(".", "").lstrip("0")) or 1
        word = m.group("after").strip().lstrip("多余").strip().lower()
        scale = SCALE_WORDS.get(word, 1.0)
        if m.group("exp"):
            scale *= 10.0 ** int(m.group("exp"))
        written = text[start:end].strip()
        out.append(Found(written, raw, float(digits_str) * scale, sig, decimals, scale, _kind(text[end:end + 4]),
                         text[max(0, start - 12):start], text[end:end + 12]))
    return out


def generic_reason(f: Found) -> str | None:
    before, after = f.before, f.after.lstrip()
    raw = f.raw.replace(",", "")
    plain_int = re.fullmatch(r"\d+", raw) is not None and f.scale == 1
    line_start = before.rsplit("\n", 1)[-1]
    if re.fullmatch(r"0[0-8]", f.raw) and re.match(r"\s*[\u4e00-\u9fff（(]", f.after):
        return "notebook"
    if re.fullmatch(r"0[0-8]", f.raw) and re.search(r"[和、–—-]\s*$|[第]\s*$", before):
        return "notebook"
    if re.match(r"分钟", after) or re.search(r"(?:教学|练习)\s*$", before):
        return "minutes"
    if raw in {"0", "1"} and not f.kind:
        return "zero_one"
    if raw == "100" and f.kind == "pct":
        return "whole"
    if raw == "70" and (re.match(r"\s*(?:法则|÷)", f.after) or re.search(r"rule of\s*$", before)):
        return "rule70"
    if plain_int and 1900 <= int(raw) <= 2099 and not re.match(
            r"(?:%|元|亿|万|吨|个|家|辆|人|项|件|种|台|条|倍|次|km|公里)", after):
        return "year"
    if plain_int and 1000 <= int(raw) <= 1899 and (re.match(r"(?:年|\s*[–—-]\s*\d{4})", after)
                                                  or re.search(r"\d{4}\s*[–—-]\s*$", before)):
        return "year"
    if plain_int and re.match(r"(?:月|日|季度|-\d)", after):
        return "date"
    if plain_int and re.match(r"(?:号|期|版|届|次会议|次集体)", after):
        return "ordinal"
    if plain_int and re.search(r"\d{4}-(?:\d{1,2}-)?$", before):
        return "date"
    if plain_int and re.search(r"第\s*$", before):
        return "ordinal"
    if re.fullmatch(r"\s*#+\s*(?:\d+\.)*", line_start) and re.fullmatch(r"\d+(?:\.\d+)*", raw):
        return "ordinal"                                              # heading numbers: ## 3.、### 2.1
    if plain_int and (re.fullmatch(r"\s*(?:#+\s*)?(?:[-*]\s*)?(?:\*\*)?", line_start) and re.match(r"[.、)）]", after)):
        return "ordinal"
    if plain_int and re.search(r"[（(]$", before) and re.match(r"[)）]", after):
        return "ordinal"
    return None


ILLUSTRATIVE = re.compile(r"示意|示例")


def blocks(markdown: str) -> list[tuple[str, bool]]:
    """The cell's paragraphs, each with True if it is labelled illustrative: the paragraph says 示意/示例,
    or the heading of its section does (a label in a heading covers the section up to the next heading)."""
    out, section_label = [], False
    for block in re.split(r"\n\s*\n", markdown):
        heading = re.match(r"\s*#+\s", block)
        if heading:
            section_label = bool(ILLUSTRATIVE.search(block.split("\n", 1)[0]))
        out.append((block, section_label or bool(ILLUSTRATIVE.search(block))))
    return out


# ---------------------------------------------------------------------------------------------
# What data/ knows
# ---------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def known() -> dict[str, tuple[float, ...]]:
    """Every number in data/ as a base number, by kind: "pct", "money", a measure word (个、吨…: numbers
    so followed in a quote or with that unit), "values" (every `value` column), "open" (PWT and Maddison),
    "" (all but the open data)."""
    found: dict[str, set] = {"pct": set(), "money": set(), "": set(), **{w: set() for w in MEASURE}}
    for path in sorted(DATA.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                unit = (row.get("unit") or "").strip()
                for key, cell in row.items():
                    if not cell or key in {"id", "publisher_url", "read_at", "date", "check_ids", "year"}:
                        continue
                    if key == "value":
                        try:
                            v = float(cell)
                        except ValueError:
                            continue
                        kind = ("pct" if unit in {"%", "个百分点"} else "money" if unit.endswith(("元", "yuan"))
                                else unit[-1] if unit and unit[-1] in MEASURE else "")
                        base = v * UNIT_SCALE.get(unit, 1.0)
                        for k in {kind, "", "values"}:
                            found.setdefault(k, set()).update({v, base})
                    elif path.stem.startswith(("pwt", "mpd")):
                        try:
                            found.setdefault("open", set()).add(float(cell))
                        except ValueError:
                            pass
                    else:
                        for f in numbers_in(cell):
                            for k in {f.kind, ""}:
                                found.setdefault(k, set()).add(f.value)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def traced(f: Found, open_data: bool = False) -> bool:
    """Is f a value of data/? With open_data, the Penn World Table and Maddison values count too."""
    pool = known()
    values = pool.get(f.kind, ()) + (pool["values"] if f.kind in MEASURE else ()) + (
        pool["open"] if open_data and not f.kind else ())
    if any(math.isclose(f.value, e, rel_tol=1e-9) for e in values):
        return True
    enough = f.digits >= 3 or (f.digits >= 2 and re.search(r"(?:约|近|超过|逾|大约)\s*$", f.before))
    if not enough:
        return False
    tol = 0.5 * 10 ** (-f.decimals) * f.scale + 1e-9
    return any(abs(f.value - e) <= tol for e in values if e)


# ---------------------------------------------------------------------------------------------
# The notebooks
# ---------------------------------------------------------------------------------------------

def bank_questions(stem: str, folder: Path = REPO / "quizzes") -> list[tuple[str, list[str], bool, str]]:
    """The notebook's self-check bank (quizzes/NN_*.yaml), one entry per question: where it is, every text a
    participant can read (question, hint, explanation, the right option, each wrong option's feedback and
    each mistake's feedback), whether the question says it is illustrative (示意/示例: then its numbers
    need no source), and a numeric answer as written ("" for a choice). The wrong options themselves are
    distractors, not statements: their text is not checked, their feedback is."""
    from xinzhi.quiz import bank

    paths = sorted(folder.glob(f"{stem[:2]}_*.yaml"))
    if not paths:
        return []
    out = []
    for q in bank.load_path(paths[0]).questions:
        texts = [q.question, q.hint, q.explanation] + [o.text for o in q.options if o.right] + [
            o.feedback for o in q.options if not o.right] + [m.feedback for m in q.mistakes]
        answer = "" if q.is_choice else f"{q.answer:g}" + ("%" if q.unit == "%" else f" {q.unit}" if q.unit else "")
        out.append((f"quizzes/{paths[0].name} {q.id}", texts, bool(ILLUSTRATIVE.search(q.question)), answer))
    return out


#: notebooks whose text may quote Penn World Table / Maddison values (rounded)
OPEN_DATA_NOTEBOOKS = {"07_tfp", "08_capstone"}


def untraced_in(place: str, sources: list[tuple[str, str]], open_data: bool) -> list[str]:
    """The numbers in ``sources`` ((where, text) of one notebook or widget module) that nothing above accounts for."""
    problems = []
    for where, source in sources:
        for block, illustrative in blocks(source):
            for f in numbers_in(block):
                if (illustrative or generic_reason(f) or (place, f.text) in ALLOWLIST or (place, f.text) in COMPUTED
                        or traced(f, open_data=open_data)):
                    continue
                problems.append(f"{where}: {f.text!r} in “…{f.before}{f.text}{f.after}…”")
    return problems


def notebook_texts(stem: str, bank_folder: Path = REPO / "quizzes") -> list[tuple[str, str]]:
    """(where, text) of every markdown cell and every checked text of the notebook's self-check bank."""
    sources = [(f"{stem}.ipynb cell {index}", source) for index, source in markdown_cells(stem)]
    for where, texts, illustrative, answer in bank_questions(stem, bank_folder):
        if not illustrative:
            sources += [(where, text) for text in texts + ([answer] if answer else [])]
    return sources


def texts_of(place: str) -> list[tuple[str, str]]:
    """(where, text) of a notebook (its stem) or of a widget module (its file name: "geely.py")."""
    if place in STEMS:
        return notebook_texts(place)
    return [(f"{place}:{line}", text) for line, text in widget_prose(WIDGETS / place)]


def untraced(stem: str, bank_folder: Path = REPO / "quizzes") -> list[str]:
    return untraced_in(stem, notebook_texts(stem, bank_folder), open_data=stem in OPEN_DATA_NOTEBOOKS)


@pytest.mark.parametrize("stem", STEMS)
def test_every_number_is_traceable(stem):
    problems = untraced(stem)
    assert not problems, (
        "these numbers are neither in data/ nor on the allowlist of tests/test_traceable.py — add a sourced "
        "data row, reword, or label them as illustrative and add them to ALLOWLIST with a reason:\n"
        + "\n".join(problems))


@pytest.mark.parametrize("key", sorted(COMPUTED), ids=[f"{s}-{n}" for s, n in sorted(COMPUTED)])
def test_computed_numbers_are_right(key):
    """A number the text computes from data/ is rounded correctly from the data (“60 多” means 60 ≤ x < 70)."""
    compute, reason = COMPUTED[key]
    stem, written = key
    exact = compute()
    f = numbers_in(written)[0]
    if "多" in written:
        assert f.value <= exact < f.value + 10 ** (len(f.raw) - 1), (key, exact, reason)
    else:
        step = f.scale * 10 ** (-f.decimals)
        assert abs(exact - f.value) <= 0.5 * step + 1e-12 or (f.value and abs(exact / f.value - 1) < 0.15
                                                                 and f.decimals >= 4), (key, exact, reason)


def test_allowlist_entries_are_used_and_explained():
    for (place, number), reason in list(ALLOWLIST.items()) + [(k, v[1]) for k, v in COMPUTED.items()]:
        assert place in STEMS or (WIDGETS / place).exists(), f"ALLOWLIST entry {place} {number!r}: no such place"
        assert len(reason) >= 10, f"ALLOWLIST entry {place} {number!r}: say why it is not a figure"
        written = {f.text for _where, text in texts_of(place) for f in numbers_in(text)}
        assert number in written, f"ALLOWLIST entry {place} {number!r} no longer appears: remove it"


# ---------------------------------------------------------------------------------------------
# The test itself can fail
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("比重为67.1%", [67.1]),
    ("生产总值1,964.4 亿元", [1964.4e8]),
    ("4.2万家", [42000.0]),
    ("约 $8\\times10^{14}$ 种", [8e14]),
    ("一共 8×10¹⁴ 条", [8e14]),
    ("是 10¹⁵ 条", [1e15]),
    ("50万花型", [500000.0]),
])
def test_extracts_numbers(text, expected):
    assert [f.value for f in numbers_in(text)] == pytest.approx(expected)


@pytest.mark.parametrize("text", ["比重为67.1%", "生产总值1964.4亿元", "约 0.196 万亿元", "70万花型", "4.2万家"])
def test_sourced_numbers_pass(text):
    assert all(traced(f) or generic_reason(f) for f in numbers_in(text)), text


@pytest.mark.parametrize("text", ["比重为67.2%", "生产总值1964.5亿元", "一共 37 个", "大约 12.3 万吨", "落地项目 31 个",
                                  "研发投入 7.0 亿元"])
def test_invented_numbers_fail(text):
    assert not all(traced(f) or generic_reason(f) for f in numbers_in(text)), text


def test_numbers_in_a_question_bank_are_checked(tmp_path):
    """An invented number in a self-check (question, explanation, feedback or numeric answer) fails the test;
    the same number in a question that says it is illustrative (示意) passes."""
    bank = textwrap.dedent("""
        questions:
          - id: platform
            question: 丽水经开区半导体平台落地项目有多少个？
            answer: 31
            unit: 个
            hint: 看第 2 节的图。
            explanation: 截至2022年年中落地项目 31 个。
    """)
    (tmp_path / "03_lishui.yaml").write_text(bank, encoding="utf-8")
    problems = [p for p in untraced("03_lishui", tmp_path) if "quizzes/" in p]
    assert len(problems) == 2 and all("'31'" in p for p in problems), problems
    (tmp_path / "03_lishui.yaml").write_text(bank.replace("有多少个？", "有多少个（示意数字）？"), encoding="utf-8")
    assert not [p for p in untraced("03_lishui", tmp_path) if "quizzes/" in p]


@pytest.mark.parametrize("text", ["2023年", "2024-03-05", "3月5日", "第11期", "教学 30 分钟 / 练习 15 分钟",
                                  "[07 全要素生产率]", "## 2. 定义", "（1）"])
def test_generic_numbers_are_recognised(text):
    assert all(generic_reason(f) for f in numbers_in(text)), text


# ---------------------------------------------------------------------------------------------
# Numbers written in widget prose (titles, notes, messages typed in src/xinzhi/widgets/*.py)
# ---------------------------------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")


def widget_prose(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string a participant may read in a widget module: Chinese text, not docstrings."""
    return [(line, value) for line, value in code_constants(path) if isinstance(value, str) and CJK.search(value)]


@pytest.mark.parametrize("path", sorted(WIDGETS.glob("*.py")), ids=lambda p: p.stem)
def test_every_number_in_widget_prose_is_traceable(path):
    problems = untraced_in(path.name, texts_of(path.name), open_data=path.stem == "tfp")
    assert not problems, ("numbers typed in widget prose that are not in data/: take them from the rows, or add "
                          "them to ALLOWLIST with the reason:\n" + "\n".join(problems))
