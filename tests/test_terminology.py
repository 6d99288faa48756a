"""One terminology and one style, derived from the glossary (notebooks/glossary.md).

From the glossary: each entry ``- **术语**（English）：解释。（不写作：甲、乙）[…]`` gives the preferred term, its
English, and the variants the course does not use. The test fails when participant-facing text (notebook
markdown, the glossary's own explanations, docs/, README.md, the self-check banks, the widgets' text)

- uses a discouraged variant outside a quotation (others' words in “…” stay as they were written);
- glosses a glossary term with other English than the glossary's (链主企业（anchor firm）);
- writes a date with a space before 年/月 (2024 年, 3 月) — the course writes 2024年3月;
- puts ASCII punctuation inside a Chinese title (《发展新质生产力,浙江如何作为?》) or between Chinese characters,
  quotations included (a reprint's ASCII commas are not the original publisher's);
- uses a Traditional character (by OpenCC's dictionaries: 國 for 国, 麗 for 丽 …) or a variant form outside the
  national standard's common Simplified set GB 2312 (玨 for 珏, 恵 for 惠) outside a quotation.
"""
from __future__ import annotations

import csv
import json
import re
from functools import lru_cache
from pathlib import Path

import pytest
from opencc import OpenCC

from .conftest import python_strings

REPO = Path(__file__).resolve().parents[1]
GLOSSARY = REPO / "notebooks" / "glossary.md"

ENTRY = re.compile(r"^- \*\*(?P<term>[^*]+)\*\*（(?P<english>[^）]*)）[:：](?P<body>.*)$", re.M)
AVOID = re.compile(r"（不写作[:：](?P<words>[^）]+)）")
QUOTED = re.compile(r"“[^”]*”|「[^」]*」|‘[^’]*’|\"[^\"\n]*\"")
CODE = re.compile(r"```.*?```|`[^`]*`", re.S)

#: Traditional characters are found by OpenCC's own Traditional→Simplified dictionaries (``t2s``), phrase by
#: phrase, so 乾隆 stays and 後來 is caught. Variant forms that OpenCC leaves alone (玨 for 珏, 恵 for 惠) are caught
#: as characters outside GB 2312, the national standard's set of common Simplified characters that every Python
#: can encode. A character outside it that the course writes on purpose is listed here with its reason.
T2S = OpenCC("t2s")
OUTSIDE_GB2312 = {
    "喆": "人名用字：时任国家统计局局长宁吉喆（《通用规范汉字表》收录）",
}
CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@lru_cache(maxsize=1)
def glossary() -> list[dict]:
    text = GLOSSARY.read_text(encoding="utf-8")
    entries = []
    for m in ENTRY.finditer(text):
        terms = [t.strip() for t in m.group("term").split("/") if t.strip()]
        avoid = [w.strip() for a in AVOID.finditer(m.group("body")) for w in re.split(r"[、，,]", a.group("words"))
                 if w.strip()]
        english = m.group("english").strip()
        entries.append({"terms": terms, "english": english, "avoid": avoid})
    return entries


def participant_texts() -> dict[str, str]:
    """Prose participants read, with code spans and the glossary's own “不写作” lists removed."""
    texts = {}
    for p in sorted((REPO / "notebooks").glob("*.ipynb")):
        nb = json.loads(p.read_text(encoding="utf-8"))
        texts[p.name] = "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    texts["glossary.md"] = AVOID.sub("", GLOSSARY.read_text(encoding="utf-8"))
    for p in [*sorted((REPO / "docs").glob("*.md")), REPO / "README.md", *sorted((REPO / "quizzes").glob("*.y*ml"))]:
        texts[str(p.relative_to(REPO))] = p.read_text(encoding="utf-8")
    for p in sorted((REPO / "src" / "xinzhi" / "widgets").glob("*.py")):
        texts[str(p.relative_to(REPO))] = python_strings(p)
    # the documents charts name in their source lines: 来源：浙江在线《……》
    titles = []
    for p in sorted((REPO / "data").glob("*.csv")):
        with open(p, encoding="utf-8", newline="") as fh:
            titles += [f"《{row['document']}》" for row in csv.DictReader(fh) if row.get("document")]
    texts["data/*.csv (document titles)"] = "\n".join(titles)
    return {name: CODE.sub(" ", text) for name, text in texts.items()}


def own_words(text: str) -> str:
    """The text without quotations: what others wrote stays as they wrote it."""
    return QUOTED.sub("“”", text)


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------

def discouraged_in(text: str) -> list[str]:
    prose = own_words(text)
    return [f"{word} → {entry['terms'][0]}" for entry in glossary() for word in entry["avoid"] if word in prose]


def _english(gloss: str) -> bool:
    """Does a parenthesis hold an English gloss (not a formula, a key press, a variable name)?"""
    if not re.fullmatch(r"[A-Za-z][A-Za-z \-/,，'’.&]*", gloss.strip()):
        return False
    words = gloss.split()
    return len(words) > 1 or "-" in gloss or (len(gloss) >= 7 and gloss.islower())


def wrong_glosses(text: str) -> list[str]:
    """A glossary term followed by English other than the glossary's. The longest term wins (被乘数, not 乘数)."""
    found = []
    for entry in glossary():
        for term in entry["terms"]:
            for m in re.finditer(re.escape(term) + r"(?:\*\*)?[（(]([^）)]*)[）)]", text):
                found.append((m.start(), m.start() + len(term), term, m.group(1), entry))
    problems = []
    for start, end, term, gloss, entry in found:
        if any(s <= start and end <= e and (e - s) > (end - start) for s, e, *_ in found):
            continue                                                   # part of a longer term
        if not _english(gloss):
            continue
        accepted = {e.strip().lower() for e in re.split(r"[，,]", entry["english"]) if e.strip()}
        given = {g.strip().lower() for g in re.split(r"[，,]", gloss) if g.strip()}
        if not any(g in a or a in g for g in given for a in accepted):
            problems.append(f"{term}（{gloss}） → （{entry['english']}）")
    return problems


DATE_SPACE = re.compile(r"(?<![\d.])(?:19|20)\d{2}\s+年|年\s+\d{1,2}\s*月|年\d{1,2}\s+月|(?<![\d.])\d{1,2}\s+月\s*\d{1,2}\s*日"
                        r"|月\s+\d{1,2}\s*日")
TITLE_ASCII = re.compile(r"《[^》\n]*[\u4e00-\u9fff][^》\n]*[,?!;:][^》\n]*》|《[^》\n]*[,?!;:][^》\n]*[\u4e00-\u9fff][^》\n]*》")


TITLE_NOTE = re.compile(r"（[^（）》\n]*）(?=》)")
ASCII_IN_CHINESE = re.compile(r"[\u4e00-\u9fff“”‘’][,;:?!][\u4e00-\u9fff“”‘’]")


def style_problems(text: str) -> list[str]:
    problems = [f"日期不要空格：{m.group(0)!r}" for m in DATE_SPACE.finditer(text)]
    # quotations too: a reprint that turned the publisher's full-width commas into ASCII ones is not the original
    problems += [f"中文里用全角标点：{m.group(0)!r}" for m in ASCII_IN_CHINESE.finditer(text)]
    # our own note after a title (《Geely sold 1.32m cars in 2020（报道）》) is not part of an English title
    problems += [f"书名号里用全角标点：{m.group(0)}" for m in TITLE_ASCII.finditer(TITLE_NOTE.sub("", text))]
    return problems + not_simplified(own_words(text))


def not_simplified(prose: str) -> list[str]:
    """Traditional characters (by OpenCC) and variant forms (outside GB 2312, unless listed) in the prose."""
    converted = T2S.convert(prose)
    if len(converted) == len(prose):
        pairs = {(a, b) for a, b in zip(prose, converted) if a != b}
    else:                                        # a phrase changed length: compare character by character
        pairs = {(ch, T2S.convert(ch)) for ch in set(prose) if T2S.convert(ch) != ch}
    problems = [f"繁体字：用 {b}，不用 {a}" for a, b in sorted(pairs)]
    for ch in sorted(set(CJK_CHAR.findall(prose)) - {a for a, _ in pairs} - set(OUTSIDE_GB2312)):
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            problems.append(f"异体字或生僻字：{ch}（U+{ord(ch):04X}）——换成规范简化字，或在 OUTSIDE_GB2312 写明理由")
    return problems


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------

def test_the_glossary_lists_terms_and_what_not_to_write():
    entries = glossary()
    assert len(entries) >= 80
    avoid = {w for e in entries for w in e["avoid"]}
    assert {"渗透率", "翻倍时间", "对数百分点", "生成式人工智能内容"} <= avoid
    preferred = {t for e in entries for t in e["terms"]}
    assert not avoid & preferred, "a term cannot be both preferred and discouraged"


TEXTS = participant_texts()


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_one_terminology(name):
    problems = discouraged_in(TEXTS[name]) + wrong_glosses(TEXTS[name])
    assert not problems, f"{name}: use the glossary's term and English (notebooks/glossary.md):\n" + "\n".join(problems)


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_one_style(name):
    problems = style_problems(TEXTS[name])
    assert not problems, f"{name}:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# The checks can fail
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["新能源汽车渗透率逐年上升", "一个**链主企业**（anchor firm）", "约 6.2 个对数百分点",
                                  "翻倍时间约 10 年"])
def test_terminology_check_fails_on_a_variant(text):
    assert discouraged_in(text) or wrong_glosses(text)


@pytest.mark.parametrize("text", ["新能源汽车市场占有率逐年上升", "**链主企业**（chain-leader firm）",
                                  "媒体称之为“渗透率”", "全要素生产率（total factor productivity，TFP）"])
def test_terminology_check_passes_the_preferred_term_and_quotations(text):
    assert not discouraged_in(text) and not wrong_glosses(text)


@pytest.mark.parametrize("text", ["2024 年", "2024年 3 月", "2024年3月 5 日", "《发展新质生产力,浙江如何作为?》",
                                  "“每年,中国投放市场的新能源车产品琳琅满目”",
                                  "《发展新质生产力,浙江如何作为?（报道）》", "浙江玨芯微电子", "伊藤恵子", "浙江麗水", "後來", "國內生產總值"])
def test_style_check_fails(text):
    assert style_problems(text)


@pytest.mark.parametrize("text", ["2024年3月5日", "《发展新质生产力，浙江如何作为？》", "用 5 年翻一番", "浙江珏芯微电子",
                                  "原文（繁体）：“麗水的浙江玨芯微電子”", "乾隆年间", "伊藤惠子", "时任局长宁吉喆",
                                  "《Geely sold 1,328,029 cars in 2021, up 1% from 2020（报道）》"])
def test_style_check_passes(text):
    assert not style_problems(text)


# ---------------------------------------------------------------------------------------------
# Titles that may have changed: 时任, or the title as the report gave it
# ---------------------------------------------------------------------------------------------

#: office titles that end (an official's post, a company chair, a delegate's term); 院士 is for life
ROLE = r"(?:董事长|总裁|总经理|市长|厅长|局长|书记|主任|代表|委员|校长|院长)"
#: what says the title is the one held then: 时任…, “文章所写的身份”, “文章写的是…”, “职务为报道时的职务”
THEN = re.compile(r"时任|文章所?写的(?:身份|是)|报道时的(?:职务|身份)")
HEADING = re.compile(r"(?m)^(?=#)")


def quoted_speakers() -> set[str]:
    """The people the article quotes (data/seed_quotes.csv and data/seed_article.csv, their names only)."""
    names = set()
    for name in ("seed_quotes.csv", "seed_article.csv"):
        with open(REPO / "data" / name, encoding="utf-8-sig", newline="") as fh:
            names |= {re.sub(r"[（(].*", "", row.get("speaker") or "").strip() for row in csv.DictReader(fh)}
    return {n for n in names if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", n) and not n.endswith(("市", "区"))}


def titles_without_then(text: str, speakers=None) -> list[str]:
    """A speaker named with a title that ends (“董事长杨剑宇”, “李书福委员”, “徐冠巨（…董事长）”) in a section that
    does not say the title is the one held then. A note with 下同 covers the rest of the text."""
    speakers = quoted_speakers() if speakers is None else speakers
    prose, problems, covered = re.sub(r"《[^》]*》", "《》", own_words(text)), [], False   # titles of documents too
    for section in HEADING.split(prose):
        note = THEN.search(section)
        qualified = covered or bool(note)
        covered = covered or bool(note and "下同" in section[note.start():note.start() + 40])
        if qualified:
            continue
        for name in speakers:
            for m in re.finditer(name, section):
                before, after = section[:m.start()], section[m.end():]
                if re.search(ROLE + r"$", before) or re.match(r"\**(?:" + ROLE + r"|（[^）]*" + ROLE + r"[^）]*）)", after):
                    problems.append(section[max(0, m.start() - 20):m.end() + 20].replace("\n", " "))
    return problems


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_titles_that_may_have_changed_say_then(name):
    """Officials and company chairs are named with the title they held when they spoke: 时任, or the title “as the
    article gave it” (docs/maintaining.md, 引用别人的话)."""
    problems = titles_without_then(TEXTS[name])
    assert not problems, f"{name}: write 时任…, or say the title is the article's (文章所写的身份):\n" + "\n".join(problems)


@pytest.mark.parametrize("text", ["全国人大代表、中国移动浙江公司董事长杨剑宇说", "李书福委员的提案",
                                  "**徐冠巨**（全国人大代表、传化集团有限公司董事长）："])
def test_a_title_without_then_is_found(text):
    assert titles_without_then(text, {"杨剑宇", "李书福", "徐冠巨"})


@pytest.mark.parametrize("text", ["全国人大代表、时任中国移动浙江公司董事长杨剑宇说", "李书福2024年的提案",
                                  "几位代表的建议（职务为报道时的职务）：\n\n- **徐冠巨**（全国人大代表、传化集团有限公司董事长）：",
                                  "院士杨华勇说", "“全国政协委员、宁波江丰电子材料股份有限公司董事长姚力军是扎根丽水的一员”"])
def test_a_title_held_then_passes(text):
    assert not titles_without_then(text, {"杨剑宇", "李书福", "徐冠巨", "杨华勇", "姚力军"})
