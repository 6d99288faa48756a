"""Tests of the data package (data/) and its loader (xinzhi.data).

What is checked:
- data/datapackage.json is a valid Frictionless Data Package (the standard's own validator);
- every fact row has its source fields, a status from the list, and a quote that contains its number
  (allowing for 万/亿/million/billion, thousands separators and rounding in the quote);
- computed rows are recomputed from the rows they cite;
- the seed article's figures are quoted verbatim (checked against ../shared/seed when present);
- the PWT and Maddison extracts are byte-for-byte the documented files (sha256);
- the loader either loads a damaged file correctly or raises DataError with a Chinese message.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from xinzhi import data as xd
from xinzhi.data import DATA_DIR, SCALE_WORDS, UNITS, Dataset, convert, list_datasets, load, to_unit
from xinzhi.errors import DataError

from .conftest import allowed_host, link_allowlist

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PKG = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PKG["resources"]}
FACT_SETS = [n for n, r in RESOURCES.items()
             if {"publisher", "quote", "value", "status"} <= {f["name"] for f in r["schema"]["fields"]}]
SHA256 = {  # from shared/facts/open_data_README.md
    "pwt1001_6countries.csv": "c94dd423115c77568b6d145df5fb81c6fd095c8113cc374fd0194b235f67565e",
    "mpd2020_6countries.csv": "408b865b5c9733091f59cbbc8be455d3e5d8d42abba1173cc0c16e85cdb002cb",
}
CJK = re.compile(r"[\u4e00-\u9fff]")


def read_rows(name: str) -> list[dict]:
    with open(DATA_DIR / RESOURCES[name]["path"], encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def all_fact_rows() -> list[dict]:
    return [dict(row, _dataset=n) for n in FACT_SETS for row in read_rows(n)]


# ---------------------------------------------------------------------------------------------
# The number matcher: does a quote contain the row's value?
# ---------------------------------------------------------------------------------------------

# How many base units one unit (or one multiplier word in a quote) stands for.
UNIT_SCALE = {unit: factor for unit, (_kind, factor) in UNITS.items()}
WORD_SCALE = {**SCALE_WORDS, "m": 1e6}
NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?:多|余)?\s*(万亿|亿|万|trillion|billion|million|m(?![a-z]))?",
                    re.IGNORECASE)


def quote_numbers(quote: str):
    """(number, decimals, scale of the word after it) for every number in the quote."""
    text = quote.replace("萬", "万").replace("億", "亿")
    for m in NUMBER.finditer(text):
        digits = m.group(1).replace(",", "")
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        word = (m.group(2) or "").lower()
        yield float(digits), decimals, WORD_SCALE.get(word, 1.0)


def quote_has_value(quote: str, value: float, unit: str) -> bool:
    """True if some number in the quote, times its 万/亿/million word, equals value × unit.

    Same scale: the numbers must be equal. Different scale (e.g. 150.08万 for 1500838 units): the
    quote may be rounded, so the value must round to the quoted number.
    """
    target = value * UNIT_SCALE.get(unit, 1.0)
    for number, decimals, scale in quote_numbers(quote):
        got = number * scale
        if math.isclose(got, target, rel_tol=1e-12, abs_tol=1e-9):
            return True
        if scale != UNIT_SCALE.get(unit, 1.0) and abs(got - target) <= 0.5 * 10 ** (-decimals) * scale + 1e-9:
            return True
    return False


@pytest.mark.parametrize("quote,value,unit", [
    ("2023年全省生产总值[2]82553亿元,比上年增长6.0%。", 82553, "亿元"),
    ("2023年全省生产总值[2]82553亿元,比上年增长6.0%。", 6.0, "%"),
    ("a 9.3% drop from the 1,500,838 units sold in 2018", 1500838, "units"),
    ("销量150.08万辆", 1500838, "units"),
    ("从2008年的1807家增长至2023年的4.2万家", 42000, "家"),
    ("the city’s R&D outlay was 66.7 billion yuan last year", 667, "亿元"),
    ("up from 1.26m last year", 1.26, "million units"),
    ("賣了1,300多萬元", 1300, "万元"),
    ("目(mu)標規模100億元", 100, "亿元"),
    ("産業增加值從2006年的0.11万亿元增加至2023年的1.50万亿元", 1.5, "万亿元"),
])
def test_matcher_accepts(quote, value, unit):
    assert quote_has_value(quote, value, unit)


@pytest.mark.parametrize("quote,value,unit", [
    ("2023年全省生产总值[2]82553亿元,比上年增长6.0%。", 6.5, "%"),        # wrong number
    ("2023年全省生产总值[2]82553亿元,比上年增长6.0%。", 82553, "万亿元"),  # wrong unit
    ("从2008年的1807家增长至2023年的4.2万家", 4200, "家"),                # 万 ignored
    ("a 9.3% drop from the 1,500,838 units sold in 2018", 1500838, "万辆"),
    ("2023年,浙江全社会研发投入强度达3.15%", 3.2, "%"),                   # a rounding is not the figure
    ("研发投入强度达3.2%", 3.15, "%"),                                     # nor is more precision
    ("Sales dropped to 1.206 million units.", 1.24, "million units"),
    ("实现了全球最前端5nm技术节点", 5, "million units"),                    # "nm" is not "m"
])
def test_matcher_rejects(quote, value, unit):
    assert not quote_has_value(quote, value, unit)


# ---------------------------------------------------------------------------------------------
# The package as a whole
# ---------------------------------------------------------------------------------------------

def test_datapackage_is_valid_frictionless():
    from frictionless import Package, validate  # noqa: F401  (the standard's own validator)

    report = validate(str(DATA_DIR / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_frictionless_catches_a_changed_extract(tmp_path):
    """The validator really checks: a one-byte change in the PWT file breaks its hash."""
    from frictionless import validate

    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    f = copy / "pwt1001_6countries.csv"
    raw = f.read_bytes()
    i = raw.index(b"0.5", 2000)
    f.write_bytes(raw[:i] + b"0.6" + raw[i + 3:])
    assert not validate(str(copy / "datapackage.json")).valid


def test_every_csv_is_described_and_every_resource_exists():
    on_disk = {p.name for p in DATA_DIR.glob("*.csv")}
    described = {r["path"] for r in PKG["resources"]}
    assert on_disk == described
    for r in PKG["resources"]:
        assert r.get("encoding") == "utf-8" and r.get("title") and r.get("description")
        assert r.get("sources") and r.get("licenses"), r["name"]
        assert CJK.search(r["title"]), r["name"]
        for f in r["schema"]["fields"]:
            assert f.get("type"), (r["name"], f["name"])


def test_list_datasets_matches_package():
    assert list_datasets() == {r["name"]: r["title"] for r in PKG["resources"]}
    for n in ["seed_article", "zhejiang_indicators", "hangzhou", "lishui", "auto_nev", "wensli", "policy",
              "gaps", "pwt1001_6countries", "mpd2020_6countries"]:
        assert n in RESOURCES


def test_csv_files_are_plain_utf8():
    for p in DATA_DIR.glob("*.csv"):
        raw = p.read_bytes()
        raw.decode("utf-8")
        assert not raw.startswith(b"\xef\xbb\xbf"), p.name


# ---------------------------------------------------------------------------------------------
# Fact rows
# ---------------------------------------------------------------------------------------------

def test_fact_rows_have_sources_and_valid_status():
    rows = all_fact_rows()
    assert len(rows) > 150
    for r in rows:
        for col in ("publisher", "document", "date", "quote", "region", "indicator", "indicator_zh", "unit"):
            assert r[col].strip(), (r["id"], col)
        if r["_dataset"] != "seed_article":
            assert r["read_at"].startswith("http"), r["id"]
        assert r["status"] in {"final", "preliminary", "estimate", "target", "computed"}, r["id"]
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", r["date"]), r["id"]
        assert re.fullmatch(r"[a-z][a-z0-9_]*", r["indicator"]), r["id"]
        assert CJK.search(r["indicator_zh"]), r["id"]
        float(r["value"])


def site_name(url: str) -> str:
    """The distinctive label of a URL's host: chujupifa.com -> chujupifa, zhejiang.chinadaily.com.cn -> chinadaily."""
    host = re.match(r"https?://([^/:]+)", url).group(1).lower()
    generic = {"www", "m", "en", "english", "wap", "imgs-b2b", "com", "cn", "net", "org", "gov", "jp", "hk", "uk", "co",
               "zhejiang", "hznews", "zjnews", "auto", "dzb", "tjgb", "hzdaily", "drc", "jxt", "zj", "sx", "ecns"}
    labels = [x for x in host.split(".") if x not in generic]
    return max(labels, key=len) if labels else host


def test_site_name():
    assert site_name("https://chujupifa.com/read/x.html") == "chujupifa"
    assert site_name("http://zhejiang.chinadaily.com.cn/2022-01/18/c_699565.htm") == "chinadaily"


def test_publishers_are_not_reprint_sites():
    """Participants see the original publisher, never the site that carried a copy."""
    # the publisher's own site (Kalkine Media is itself the source of the rejected F154 figure)
    own_sites = {"geely", "stdaily", "hangzhou", "zjol", "kalkinemedia"}
    for r in all_fact_rows():
        if not r["read_at"]:
            continue
        name = site_name(r["read_at"])
        if name in own_sites:
            continue
        assert name not in r["publisher"].lower().replace(" ", ""), (r["id"], r["publisher"], name)
        assert name not in r["document"].lower().replace(" ", ""), (r["id"], r["document"], name)


def via_problem(row: dict, domains) -> str:
    """Why a row's `via` is not the outlet that reported the figure ('' if it may be)."""
    via = row["via"].strip()
    if not via:
        return ""
    if via == row["publisher"].strip():
        return "via repeats the publisher"
    if re.search(r"转载|公众号|网站|未注明|不详", via):
        return "via describes a reprint, not an outlet"
    if re.search(r"[a-z0-9-]+\.(com|org|net|cn|jp|hk)\b", via.lower()):
        return "via is a web address"
    host = re.match(r"https?://([^/:]+)", row["read_at"]).group(1).lower()
    if allowed_host(host, domains):        # an outlet of standing, read on its own site
        return ""
    labels = [x for x in host.split(".") if len(x) >= 3 and not x.isdigit()
              and x not in {"www", "com", "net", "org", "gov", "app3", "news", "english", "finance"}]
    squeezed = via.lower().replace(" ", "")
    return "via names the site where the text was read" if any(x in squeezed for x in labels) else ""


@pytest.mark.parametrize("via, read_at", [
    ("paultan.org", "https://paultan.org/2022/01/07/x/"),
    ("ITBEAR科技资讯", "https://www.itbear.com.cn/html/2025-12/1.html"),
    ("Automundo China", "https://automundochina.com/?p=1"),
    ("NNA", "https://english.nna.jp/articles/3996"),
    ("新闻转载", "http://xinkangxinshi.net/maiche/1.html"),
    ("微信公众号文章", "https://freewechat.com/a/1"),
    ("中国有色网（cnoc.com.cn）", "http://www.cnoc.com.cn/cnoc/1.shtml"),
])
def test_via_check_rejects_the_site_read(via, read_at):
    assert via_problem({"via": via, "publisher": "某发布者", "read_at": read_at}, list(link_allowlist()))


@pytest.mark.parametrize("via, read_at", [
    ("中国新闻社", "http://guibinke.net/article/jieliu/830917"),    # a 中新社 report read on a reprint
    ("杭州网", "https://z.hangzhou.com.cn/2026/hzslh/content/1.html"),  # an outlet on the allowlist, own site
    ("中国新闻社（ECNS）", "http://ecns.cn/news/cns-wire/1.shtml"),
])
def test_via_check_accepts_an_outlet(via, read_at):
    assert not via_problem({"via": via, "publisher": "某发布者", "read_at": read_at}, list(link_allowlist()))


def test_via_is_the_reporting_outlet_never_the_site_read():
    """`via` names the news outlet that reported the figure, or is empty (data/README.md). The site where the
    text was read is an audit field (read_at): `via` never names it — by web address, by a word such as 转载,
    or by the site's own name — unless that site is on tests/link_domains.csv."""
    domains = list(link_allowlist())
    rows = [dict(row, _dataset=n) for n, res in RESOURCES.items()
            if "via" in {f["name"] for f in res["schema"]["fields"]} for row in read_rows(n)]
    assert sum(bool(r["via"].strip()) for r in rows) > 20
    problems = [(r["_dataset"], r["id"], r["via"], via_problem(r, domains)) for r in rows if via_problem(r, domains)]
    assert not problems


def test_publisher_links_are_on_the_allowlist():
    """publisher_url is what participants may follow: only official, news-agency, academic or original sites."""
    domains = list(link_allowlist())
    linked = 0
    for n in RESOURCES:
        for r in read_rows(n):
            url = r.get("publisher_url", "")
            if not url:
                continue
            linked += 1
            host = re.match(r"https?://([^/:]+)", url).group(1).lower()
            assert allowed_host(host, domains), (n, r["id"], host)
    assert linked > 0


def test_every_quote_contains_its_number():
    failures = [(r["_dataset"], r["id"], r["value"], r["unit"])
                for r in all_fact_rows()
                if r["status"] != "computed" and not quote_has_value(r["quote"], float(r["value"]), r["unit"])]
    assert not failures


def _values_by_id() -> dict[str, float]:
    vals = {}
    for r in all_fact_rows():
        assert r["id"] not in vals, f"duplicate id {r['id']}"
        vals[r["id"]] = float(r["value"])
    return vals


def test_computed_rows_are_recomputed():
    vals = _values_by_id()
    computed = [r for r in all_fact_rows() if r["status"] == "computed"]
    assert len(computed) >= 6
    for r in computed:
        formula = r["formula"]
        assert formula, r["id"]
        ids = re.findall(r"\b[FNS]\d{2,3}[a-z]?\b", formula)
        assert ids, r["id"]
        expr = re.sub(r"\b[FNS]\d{2,3}[a-z]?\b", lambda m: repr(vals[m.group(0)]), formula)
        assert re.fullmatch(r"[\d.e+\-*/() ]+", expr), expr
        result = eval(expr, {"__builtins__": {}})  # noqa: S307 - digits and operators only
        value = float(r["value"])
        decimals = len(r["value"].split(".")[1]) if "." in r["value"] else 0
        tolerance = 0.5 * 10 ** (-decimals) if r["qualifier"] in ("约",) or decimals else 1e-9
        if r["qualifier"] == "约" and not decimals:
            tolerance = 0.5
        assert abs(result - value) <= tolerance + 1e-9 * abs(value), (r["id"], result, value)


def test_one_preferred_row_per_figure():
    """Where two rows describe the same figure, exactly one is preferred (notebooks use series())."""
    for n in FACT_SETS:
        if n == "seed_article":
            continue
        df = load(n).table
        pref = df[df["preferred"]]
        key = ["region", "indicator", "year", "period", "status"]
        dup = pref[pref.duplicated(key, keep=False)]
        assert dup.empty, dup[["id"] + key]
        for _, r in df[~df["preferred"]].iterrows():
            assert r["notes"], f"{r['id']}: a non-preferred row must say why"


def test_vintages_are_kept_apart():
    z = load("zhejiang_indicators")
    gdp = z.series("gdp")
    assert gdp.loc[gdp.year == 2023, "vintage"].tolist() == ["经济普查修订"]
    all_gdp = z.series("gdp", preferred_only=False)
    assert set(all_gdp.loc[all_gdp.year == 2023, "value"]) == {82553.0, 85620.0}


def test_ids_trace_back_to_shared_facts():
    facts_csv = SHARED / "facts" / "facts.csv"
    if not facts_csv.exists():
        pytest.skip("../shared/facts not present")
    with open(facts_csv, encoding="utf-8", newline="") as fh:
        facts = {r["id"]: r for r in csv.DictReader(fh)}
    rows = all_fact_rows() + [dict(r, _dataset="statements") for r in read_rows("statements")]
    for r in rows:
        if r["_dataset"] == "seed_article" or r["id"].startswith("N"):
            continue
        fid = r["id"][:4]
        assert fid in facts, r["id"]
        assert r["quote"] == facts[fid]["quote"], r["id"]
        assert r["read_at"] == facts[fid]["source_url"], r["id"]
    gap_ids = {r["id"] for r in read_rows("gaps") if r["id"].startswith("F")}
    found_gaps = {i for i, f in facts.items() if f["topic"].startswith("GAP:")}
    assert gap_ids <= found_gaps
    closed = found_gaps - gap_ids   # a gap leaves gaps.csv only when a sourced row says it closes it
    notes = " ".join(r["notes"] for r in all_fact_rows())
    for gid in closed:
        assert f"缺口{gid}" in notes, f"{gid} was removed from gaps.csv but no data row says it closes the gap"


# ---------------------------------------------------------------------------------------------
# The seed article
# ---------------------------------------------------------------------------------------------

def test_seed_rows_cite_the_article_and_point_to_checks():
    rows = read_rows("seed_article")
    assert len(rows) >= 20
    known = {r["id"] for n in RESOURCES if n not in ("pwt1001_6countries", "mpd2020_6countries")
             for r in read_rows(n)}
    for r in rows:
        assert r["publisher"] == "潮新闻" and r["date"] == "2024-03-05", r["id"]
        assert r["check"] in {"matches", "differs", "not_verified"}
        for cid in filter(None, r["check_ids"].split(";")):
            assert cid in known, (r["id"], cid)
        if r["check"] in ("matches", "differs"):
            assert r["check_ids"], r["id"]
    figures = {(r["indicator"], float(r["value"])) for r in rows}
    for must in [("hightech_va_growth", 7.0), ("hightech_va_share", 67.1), ("sei_va_growth", 6.3),
                 ("sei_va_share", 33.3), ("kechuang_fof_target_size", 100), ("aigc_pattern_database", 500000),
                 ("aigc_algorithms", 300), ("shuangjian_projects", 400), ("big_science_facilities_under_construction", 2)]:
        assert must in figures, must


def test_seed_quotes_are_verbatim():
    files = sorted((SHARED / "seed").glob("*.txt")) if (SHARED / "seed").is_dir() else []
    if not files:
        pytest.skip("../shared/seed not present")
    text = "\n".join(p.read_text(encoding="utf-8") for p in files)
    for r in read_rows("seed_article"):
        assert r["quote"] in text, r["id"]
        assert len(r["quote"]) <= 120, r["id"]  # short quotes only


def test_seed_verdicts_match_the_facts():
    seed = {r["id"]: r for r in read_rows("seed_article")}
    vals = _values_by_id()
    assert seed["S03"]["check"] == "matches" and vals["F033"] == float(seed["S03"]["value"])
    assert seed["S07"]["check"] == "differs" and vals["F110a"] != float(seed["S07"]["value"])
    assert seed["S01"]["check"] == "not_verified"


# ---------------------------------------------------------------------------------------------
# PWT and Maddison
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SHA256))
def test_open_data_extracts_are_byte_for_byte(name):
    digest = hashlib.sha256((DATA_DIR / name).read_bytes()).hexdigest()
    assert digest == SHA256[name]
    res = next(r for r in PKG["resources"] if r["path"] == name)
    assert res["hash"] == f"sha256:{digest}"
    readme = SHARED / "facts" / "open_data_README.md"
    if readme.exists():
        assert digest in readme.read_text(encoding="utf-8")
    shared_copy = SHARED / "facts" / name
    if shared_copy.exists():
        assert shared_copy.read_bytes() == (DATA_DIR / name).read_bytes()


def test_open_data_licence_and_citation():
    pwt, mpd = load("pwt1001_6countries"), load("mpd2020_6countries")
    assert pwt.licence == mpd.licence == "CC BY 4.0"
    assert "Feenstra" in pwt.citation and "American Economic Review" in pwt.citation
    assert "Bolt" in mpd.citation and "Broadberry" in mpd.citation
    assert "CC BY 4.0" in pwt.source_line() and "Penn World Table" in pwt.source_line()
    chn = mpd.table[mpd.table.countrycode == "CHN"]
    line = mpd.source_line(chn)
    assert "CC BY 4.0" in line and "Broadberry, Guan & Li" in line and "Pfister" not in line
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for s in ("CC BY 4.0", "Feenstra", "Bolt", "Broadberry"):
        assert s in readme
    china2017 = pwt.table[(pwt.table.countrycode == "CHN") & (pwt.table.year == 2017)].iloc[0]
    assert round(china2017["labsh"], 3) == 0.586 and round(china2017["rtfpna"], 6) == 1.0


# ---------------------------------------------------------------------------------------------
# The loader API
# ---------------------------------------------------------------------------------------------

def test_load_types_and_unpacking():
    ds = load("auto_nev")
    assert isinstance(ds, Dataset) and ds.name == "auto_nev" and CJK.search(ds.title)
    assert ds.table["year"].dtype == "int64" and ds.table["value"].dtype == "float64"
    assert ds.table["preferred"].dtype == bool
    table, sources = ds
    assert table is ds.table and list(sources.columns) == ["publisher", "document", "date", "publisher_url"]
    assert ds.licence == "" and ds.citation == ""


def test_series_sorted_and_preferred():
    ds = load("auto_nev")
    s = ds.series("nev_sales", region="全国")
    first, last = int(s["year"].min()), int(s["year"].max())
    assert first == 2018 and last >= 2025
    assert s["year"].tolist() == sorted(s["year"]) == list(range(first, last + 1)), "one preferred row a year"
    assert 1.24 not in s["value"].tolist()
    assert 1.24 in ds.series("nev_sales", region="全国", preferred_only=False)["value"].tolist()
    with pytest.raises(DataError, match="没有指标"):
        ds.series("no_such_indicator")


def test_source_line_names_only_the_rows_publishers():
    ds = load("auto_nev")
    caam = ds.series("nev_share", region="全国")
    line = ds.source_line(caam)
    assert line.startswith("来源：") and "中国汽车工业协会" in line and "吉利" not in line
    geely = ds.table[ds.table.id == "F125"]
    line = ds.source_line(geely)
    assert "吉利汽车控股有限公司" in line and "中国汽车工业协会" not in line and "2024-01" in line
    assert "marketscreener" not in ds.source_line().lower()
    full = ds.source_line()
    assert "中国汽车工业协会" in full and "吉利汽车控股有限公司" in full
    assert load("seed_article").source_line() == "来源：潮新闻《发展新质生产力，浙江如何作为？》（2024-03-05）"
    # a report is not named as the publisher's document, whether its outlet is named (via) or not
    assert ds.source_line(ds.table[ds.table.id == "F118"]) == "来源：吉利汽车控股有限公司（2022-01-07）"
    assert load("hangzhou").source_line(load("hangzhou").table.query("id == 'F089'")) == "来源：杭州市人民政府（2025-05-22）"


def test_load_returns_independent_copies_from_cache():
    a = load("hangzhou")
    a.table.loc[0, "value"] = -1.0
    assert load("hangzhou").table.loc[0, "value"] != -1.0


def test_unknown_dataset():
    with pytest.raises(DataError, match="没有名为"):
        load("no_such_data")


def test_convert_and_to_unit():
    assert convert(1.206, "million units", "万辆") == pytest.approx(120.6)
    assert convert(6.46, "万亿元", "亿元") == pytest.approx(64600)
    assert convert([66.7], "billion yuan", "亿元") == [pytest.approx(667)]
    s = convert(pd.Series([136.7]), "万辆", "units")
    assert s.iloc[0] == pytest.approx(1_367_000)
    with pytest.raises(DataError):
        convert(1, "亿元", "万辆")
    with pytest.raises(DataError):
        convert(1, "亿元", "furlongs")
    nev = load("auto_nev").series("nev_sales", region="全国")
    w = to_unit(nev, "万辆")
    assert set(w["unit"]) == {"万辆"}
    assert w.loc[w.year == 2023, "value"].item() == pytest.approx(949.5)
    assert w.loc[w.year == 2024, "value"].item() == pytest.approx(1286.6)
    assert nev["unit"].nunique() > 1  # the original is untouched


def test_default_data_dir_is_the_repo_data_folder():
    assert DATA_DIR == REPO / "data"


# ---------------------------------------------------------------------------------------------
# Robustness: damaged copies via XINZHI_DATA_DIR
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    monkeypatch.setenv("XINZHI_DATA_DIR", str(copy))
    return copy


def assert_chinese_error(exc: pytest.ExceptionInfo, filename: str):
    msg = str(exc.value)
    assert filename in msg, msg
    assert CJK.search(msg) and "恢复方法" in msg, msg


def test_missing_file(data_copy):
    (data_copy / "auto_nev.csv").unlink()
    with pytest.raises(DataError) as exc:
        load("auto_nev")
    assert_chinese_error(exc, "auto_nev.csv")
    assert "缺失" in str(exc.value)


def test_missing_datapackage(data_copy):
    (data_copy / "datapackage.json").unlink()
    with pytest.raises(DataError) as exc:
        load("auto_nev")
    assert_chinese_error(exc, "datapackage.json")


@pytest.mark.parametrize("encoding,bom,newline", [
    ("gb18030", b"", "\r\n"),
    ("gbk", b"", "\n"),
    ("utf-8", b"\xef\xbb\xbf", "\r\n"),
    ("gb18030", "\ufeff".encode("gb18030"), "\r\n"),
])
def test_excel_resaves_load_correctly(data_copy, encoding, bom, newline):
    original = load("hangzhou").table
    text = (DATA_DIR / "hangzhou.csv").read_text(encoding="utf-8")
    (data_copy / "hangzhou.csv").write_bytes(bom + text.replace("\n", newline).encode(encoding))
    again = load("hangzhou").table
    pd.testing.assert_frame_equal(again, original)


def test_excel_style_dates_and_booleans_load(data_copy):
    df = pd.read_csv(DATA_DIR / "policy.csv", dtype=str, keep_default_na=False)
    df["preferred"] = df["preferred"].str.upper()
    df.loc[df["date"] == "2024-01", "date"] = "2024/1"
    df.to_csv(data_copy / "policy.csv", index=False, encoding="gb18030")
    t = load("policy").table
    assert t["preferred"].all() and "2024-01" in set(t["date"])


def test_truncated_file(data_copy):
    raw = (DATA_DIR / "auto_nev.csv").read_bytes()
    (data_copy / "auto_nev.csv").write_bytes(raw[: int(len(raw) * 0.6)])
    with pytest.raises(DataError) as exc:
        load("auto_nev")
    assert_chinese_error(exc, "auto_nev.csv")


def test_a_last_row_cut_between_fields_is_refused(data_copy):
    """Cut just after a comma: pandas would fill the missing columns with blanks; the loader refuses."""
    df = pd.read_csv(DATA_DIR / "auto_nev.csv", dtype=str, keep_default_na=False)
    keep = list(df.columns).index("quote") + 1          # every required column is still there
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(df.columns)
    writer.writerows(df.iloc[:-1].values.tolist())
    writer.writerow(df.iloc[-1].tolist()[:keep])        # formula and notes cut off
    (data_copy / "auto_nev.csv").write_text(out.getvalue(), encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load("auto_nev")
    assert_chinese_error(exc, "auto_nev.csv")
    assert "列" in str(exc.value)


@pytest.mark.parametrize("cut", [0.3, 0.5, 0.77, 0.95])
def test_truncated_anywhere_never_leaks_a_traceback(data_copy, cut):
    raw = (DATA_DIR / "zhejiang_indicators.csv").read_bytes()
    (data_copy / "zhejiang_indicators.csv").write_bytes(raw[: int(len(raw) * cut)])
    try:
        t = load("zhejiang_indicators").table
    except DataError as exc:
        assert "zhejiang_indicators.csv" in str(exc)
    else:  # only possible when the cut fell exactly on a line end: then every row left is whole
        assert t["quote"].str.len().gt(0).all()


def test_garbled_bytes(data_copy):
    raw = bytearray((DATA_DIR / "lishui.csv").read_bytes())
    for i in range(200, len(raw), 97):
        raw[i] = 0xFF
    (data_copy / "lishui.csv").write_bytes(bytes(raw))
    with pytest.raises(DataError) as exc:
        load("lishui")
    assert_chinese_error(exc, "lishui.csv")


def test_binary_junk(data_copy):
    (data_copy / "wensli.csv").write_bytes(bytes(range(256)) * 20)
    with pytest.raises(DataError) as exc:
        load("wensli")
    assert_chinese_error(exc, "wensli.csv")


def test_empty_file(data_copy):
    (data_copy / "wensli.csv").write_bytes(b"")
    with pytest.raises(DataError) as exc:
        load("wensli")
    assert_chinese_error(exc, "wensli.csv")


def test_renamed_column(data_copy):
    text = (DATA_DIR / "policy.csv").read_text(encoding="utf-8")
    (data_copy / "policy.csv").write_text(text.replace(",value,", ",数值,", 1), encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load("policy")
    assert_chinese_error(exc, "policy.csv")
    assert "value" in str(exc.value)


def test_dropped_column(data_copy):
    df = pd.read_csv(DATA_DIR / "policy.csv", dtype=str, keep_default_na=False).drop(columns=["publisher"])
    df.to_csv(data_copy / "policy.csv", index=False)
    with pytest.raises(DataError) as exc:
        load("policy")
    assert_chinese_error(exc, "policy.csv")


def test_text_in_number_column(data_copy):
    df = pd.read_csv(DATA_DIR / "policy.csv", dtype=str, keep_default_na=False)
    df.loc[0, "value"] = "约100"
    df.to_csv(data_copy / "policy.csv", index=False)
    with pytest.raises(DataError) as exc:
        load("policy")
    assert_chinese_error(exc, "policy.csv")
    assert "不是数字" in str(exc.value)


def test_bad_status(data_copy):
    df = pd.read_csv(DATA_DIR / "policy.csv", dtype=str, keep_default_na=False)
    df.loc[0, "status"] = "guess"
    df.to_csv(data_copy / "policy.csv", index=False)
    with pytest.raises(DataError) as exc:
        load("policy")
    assert_chinese_error(exc, "policy.csv")


def test_reordered_and_extra_columns_load(data_copy):
    df = pd.read_csv(DATA_DIR / "policy.csv", dtype=str, keep_default_na=False)
    df = df[list(reversed(df.columns))].assign(备注="x")
    df.to_csv(data_copy / "policy.csv", index=False)
    assert load("policy").table["id"].tolist() == load_default_ids("policy")


def load_default_ids(name):
    return [r["id"] for r in read_rows(name)]


def test_cache_sees_an_edited_file(data_copy):
    first = load("policy").table
    df = pd.read_csv(DATA_DIR / "policy.csv", dtype=str, keep_default_na=False)
    df.loc[0, "notes"] = "已更新"
    df.to_csv(data_copy / "policy.csv", index=False)
    import os
    import time
    os.utime(data_copy / "policy.csv", ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    assert load("policy").table.loc[0, "notes"] == "已更新" != first.loc[0, "notes"]


def test_reading_twice_uses_the_cache(monkeypatch):
    load("auto_nev")
    before = xd._read_table.cache_info().hits
    load("auto_nev")
    assert xd._read_table.cache_info().hits == before + 1


def test_series_can_keep_to_one_vintage():
    ds = load("zhejiang_indicators")
    preferred = ds.series("gdp", region="浙江")
    assert preferred["vintage"].nunique() > 1, "the preferred GDP rows span vintages: callers must see that"
    first = ds.series("gdp", region="浙江", preferred_only=False, vintage="初步核算")
    assert set(first["vintage"]) == {"初步核算"}
    assert 82553.0 in first["value"].tolist() and 85620.0 not in first["value"].tolist()
    with pytest.raises(DataError):
        ds.series("gdp", region="浙江", vintage="不存在的版本")


@pytest.mark.parametrize("typed, value", [("1,234.5", 1234.5), ("1，234", 1234.0), ("12,345,678", 12345678.0)])
def test_thousands_separators_in_a_number_column_load(data_copy, typed, value):
    df = pd.read_csv(DATA_DIR / "policy.csv", dtype=str, keep_default_na=False)
    df.loc[0, "value"] = typed
    df.to_csv(data_copy / "policy.csv", index=False)
    assert load("policy").table.loc[0, "value"] == value


@pytest.mark.parametrize("typed", ["1500838,5", "7,5", "1,0000", "1.000,5"])
def test_a_decimal_comma_is_refused_not_stripped(data_copy, typed):
    df = pd.read_csv(DATA_DIR / "policy.csv", dtype=str, keep_default_na=False)
    df.loc[3, "value"] = typed
    df.to_csv(data_copy / "policy.csv", index=False)
    with pytest.raises(DataError) as exc:
        load("policy")
    assert_chinese_error(exc, "policy.csv")
    assert "第 5 行" in str(exc.value) and typed in str(exc.value) and "千位分隔" in str(exc.value)


def test_a_row_copied_twice_is_refused_naming_the_rows(data_copy):
    df = pd.read_csv(DATA_DIR / "zhejiang_indicators.csv", dtype=str, keep_default_na=False)
    pd.concat([df, df.iloc[[2]]]).to_csv(data_copy / "zhejiang_indicators.csv", index=False)
    with pytest.raises(DataError) as exc:
        load("zhejiang_indicators")
    assert_chinese_error(exc, "zhejiang_indicators.csv")
    assert f"第 4、{len(df) + 2} 行重复" in str(exc.value) and df.loc[2, "id"] in str(exc.value)


def test_a_copied_row_with_a_new_id_is_refused(data_copy):
    df = pd.read_csv(DATA_DIR / "zhejiang_indicators.csv", dtype=str, keep_default_na=False)
    copy = df.iloc[[2]].assign(id="X999")
    pd.concat([df.iloc[:5], copy, df.iloc[5:]]).to_csv(data_copy / "zhejiang_indicators.csv", index=False)
    with pytest.raises(DataError) as exc:
        load("zhejiang_indicators")
    assert_chinese_error(exc, "zhejiang_indicators.csv")
    assert "第 4、7 行重复" in str(exc.value) and "除了id以外完全相同" in str(exc.value)


def test_a_repeated_country_year_is_refused(data_copy):
    df = pd.read_csv(DATA_DIR / "pwt1001_6countries.csv", dtype=str, keep_default_na=False)
    df.loc[1, "rgdpna"] = "1"
    pd.concat([df.iloc[:1], df.iloc[1:2], df.iloc[1:]]).to_csv(data_copy / "pwt1001_6countries.csv", index=False)
    with pytest.raises(DataError) as exc:
        load("pwt1001_6countries")
    assert "countrycode=" in str(exc.value) and "year=" in str(exc.value)
