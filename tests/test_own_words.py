"""The notebooks explain the seed article in their own words.

No run of 20 or more consecutive characters of the seed article (潮新闻, 2024-03-05; ignoring spaces and
punctuation) may appear in a notebook's markdown, except inside a marked quotation: text in “…” or 「…」
whose paragraph names who said it (潮新闻, “文章” — the notebooks' name for the article — or a speaker),
and the title of a cited work in 《…》.

The article itself is not in the repository: it lives in ../shared/seed/ next to the repository (CI puts it
there). Without it the test fails with a message saying where to put it; it does not skip.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import pytest

from .conftest import NOTEBOOKS, markdown_cells

REPO = Path(__file__).resolve().parents[1]
SEED_DIR = REPO.parent / "shared" / "seed"
STEMS = [p.stem for p in NOTEBOOKS]
RUN = 20

#: words that attribute a quotation in the same paragraph, besides the speakers in data/seed_article.csv
ATTRIBUTIONS = ["潮新闻", "文章", "报道", "原文", "习近平", "总书记", "李书福", "姚力军", "屠红燕", "杨华勇", "姚高员",
                "新华社", "政府工作报告", "负责人"]
QUOTE = re.compile(r"“[^”]*”|「[^」]*」")
TITLE = re.compile(r"《[^》]*》")          # the title of a cited work is its own attribution


def normalise(text: str) -> str:
    """Only letters and digits: Chinese characters, Latin letters, digits (spaces and punctuation dropped)."""
    return "".join(ch for ch in text if ch.isalnum())


@lru_cache(maxsize=1)
def seed_runs() -> frozenset[str]:
    files = sorted(SEED_DIR.glob("*.txt")) if SEED_DIR.is_dir() else []
    if not files:
        pytest.fail(f"the seed article is missing: put it in {SEED_DIR} (../shared/seed/*.txt next to the "
                    "repository) — this test compares the notebooks with it and cannot run without it")
    text = normalise("".join(p.read_text(encoding="utf-8") for p in files))
    return frozenset(text[i:i + RUN] for i in range(len(text) - RUN + 1))


@lru_cache(maxsize=1)
def speakers() -> tuple[str, ...]:
    names = set()
    for stem in ("seed_article", "seed_quotes"):
        with open(REPO / "data" / f"{stem}.csv", encoding="utf-8", newline="") as fh:
            names |= {re.sub(r"[（(].*", "", row.get("speaker") or "").strip() for row in csv.DictReader(fh)}
    return tuple(sorted(n for n in names if len(n) >= 2)) + tuple(ATTRIBUTIONS)


def seed_text() -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(SEED_DIR.glob("*.txt")))


def test_seed_quotes_are_verbatim():
    """Every line of data/seed_quotes.csv is the article's own words (spaces aside), and names its notebook."""
    seed_runs()                                                    # fails with a clear message if absent
    text = re.sub(r"\s+", "", seed_text())
    with open(REPO / "data" / "seed_quotes.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 10
    for row in rows:
        assert re.sub(r"\s+", "", row["quote"]) in text, row["id"]
        assert f"{row['notebook']}_" in " ".join(STEMS), row["id"]


def unquoted(paragraph: str) -> str:
    """The paragraph without its attributed quotations (all quotations go if the paragraph names a source)."""
    paragraph = TITLE.sub("｜", paragraph)
    if any(name in paragraph for name in speakers()):
        return QUOTE.sub("｜", paragraph)
    return paragraph


def copied_runs(markdown: str) -> list[str]:
    runs = seed_runs()
    found = []
    for paragraph in re.split(r"\n\s*\n", markdown):
        for piece in unquoted(paragraph).split("｜"):
            text = normalise(piece)
            i = 0
            while i <= len(text) - RUN:
                if text[i:i + RUN] in runs:
                    j = i + RUN
                    while j < len(text) and text[i:j + 1][-RUN:] in runs:
                        j += 1
                    found.append(text[i:j])
                    i = j
                else:
                    i += 1
    return found


def test_the_seed_article_is_there():
    assert len(seed_runs()) > 1000


@pytest.mark.parametrize("stem", STEMS)
def test_no_unmarked_copying(stem):
    problems = [f"{stem}.ipynb cell {i}: {run}" for i, source in markdown_cells(stem) for run in copied_runs(source)]
    assert not problems, ("these runs of 20+ characters are the seed article's own words outside an attributed "
                          "quotation — rewrite them, or quote briefly in “…” and say who said it:\n"
                          + "\n".join(problems))


def test_the_check_can_fail():
    sentence = "在碰撞与交流中，理解并践行新的发展理念，浙江上下正形成一个共识"
    if normalise(sentence)[:RUN] not in seed_runs():
        pytest.fail("the sample sentence is not in the seed article any more: pick another")
    assert copied_runs(sentence)                                   # pasted: caught
    assert copied_runs(f"“{sentence}”")                            # quoted but not attributed: caught
    assert not copied_runs(f"文章写道：“{sentence}”。")             # quoted and attributed: allowed
    assert not copied_runs("浙江正在形成共识：产业与技术之间要画上乘号。")  # own words: allowed


# ---------------------------------------------------------------------------------------------
# What is quoted from the article is the article's own words
# ---------------------------------------------------------------------------------------------

#: a quotation most of whose letters lie in runs of this length shared with the article quotes the article
#: (another source that repeats one of the article's sentences, such as 新华社 on 走在前列, is not caught)
QUOTED_RUN = 12


def misquotations(markdown: str) -> list[str]:
    """Quotations that take words from the article but are not its words (punctuation and spaces aside):
    a speaker's sentence trimmed in the middle, reworded, or joined with our own words."""
    seed = normalise(seed_text())
    found = []
    for quote in QUOTE.findall(markdown):
        text = normalise(quote)
        if len(text) < QUOTED_RUN or text in seed:
            continue
        covered = set()
        for i in range(len(text) - QUOTED_RUN + 1):
            if text[i:i + QUOTED_RUN] in seed:
                covered.update(range(i, i + QUOTED_RUN))
        if len(covered) >= 0.5 * len(text):      # mostly the article's words: it quotes the article
            found.append(quote)
    return found


@pytest.mark.parametrize("stem", STEMS)
def test_quotations_of_the_article_are_verbatim(stem):
    seed_runs()                                                    # fails with a clear message if absent
    texts = [source for _, source in markdown_cells(stem)]
    bank = REPO / "quizzes" / f"{stem}.yaml"
    if bank.exists():
        texts.append(bank.read_text(encoding="utf-8"))
    problems = [q for text in texts for q in misquotations(text)]
    assert not problems, ("these quotations take words from the seed article but change them — quote the "
                          "article's words exactly (a shorter quotation is fine), or say it in your own words "
                          "without quotation marks:\n" + "\n".join(problems))


def test_the_quotation_check_can_fail():
    seed_runs()
    assert not misquotations("文章说：“激发两者的乘数效应，或许是发展新质生产力的关键所在。”")
    assert misquotations("文章说：“激发两者的乘数效应，才是发展新质生产力的关键所在。”")      # reworded
    assert not misquotations("本课程的说法：“乘号是两者的深度融合”。")                         # not the article's
    assert misquotations("“培育新质生产力，呼唤‘有组织的科研’，是举国体制优势的充分体现。”")   # trimmed inside
