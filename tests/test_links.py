"""Links participants see go only to domains on tests/link_domains.csv, each there with its reason.

Participant-facing text: every notebook cell, the glossary, docs/, the READMEs, the self-check banks
(quizzes/), the strings in the course package (widget text, messages, chart source lines and the
one-page report; docstrings are for maintainers and are skipped), and the chart source lines in
data/datapackage.json. Both full addresses (https://…) and bare ones (www.ggdc.net/pwt) count. A
domain not on the list fails the test, naming the file; so does an entry of the list without a reason.
The URLs of data rows (publisher_url) are checked against the same list in tests/test_data.py; the
page where a text was actually read (read_at) is never shown to participants.
"""
from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path

import pytest

from .conftest import allowed_host as allowed
from .conftest import link_allowlist as allowlist
from .conftest import python_strings

REPO = Path(__file__).resolve().parents[1]
KINDS = {"official", "news-agency", "official-media", "academic", "company-original", "industry-association",
         "media-original", "software", "standard", "local"}

URL = re.compile(r"https?://([A-Za-z0-9.-]*[A-Za-z0-9])(?![A-Za-z0-9-])(?!\.[A-Za-z0-9\u4e00-\u9fff-])")
TLDS = r"(?:com|cn|net|org|gov|edu|hk|nl|io|jp|uk|de|eu|info)"
BARE = re.compile(rf"(?<![\w@./:-])((?:www\.)?(?:[a-z0-9-]+\.)+{TLDS}(?:\.[a-z]{{2}})?)(?![\w.-]*\.(?:py|csv|md|json|html|ipynb|png|yaml|txt))(?=[/\s)）\]，。、；:'\"]|$)",
                  re.IGNORECASE)


def domains_in(text: str) -> set[str]:
    """Every host named in the text, from full URLs and from bare addresses such as www.ggdc.net/pwt."""
    hosts = {m.group(1).lower() for m in URL.finditer(text) if "." in m.group(1)}   # https://hub.你的域名: a placeholder
    stripped = URL.sub(" ", text)
    hosts |= {m.group(1).lower() for m in BARE.finditer(stripped)}
    return {h for h in hosts if not _private_address(h)}


def _private_address(host: str) -> bool:
    """A classroom-network address such as 10.0.5.20 in the server instructions is a placeholder, not a link."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private and not address.is_loopback   # 127.0.0.1 stays listed, with its reason


# ---------------------------------------------------------------------------------------------
# What participants read
# ---------------------------------------------------------------------------------------------

def _notebook(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"])


def _source_lines() -> str:
    pkg = json.loads((REPO / "data" / "datapackage.json").read_text(encoding="utf-8"))
    parts = []
    for r in pkg["resources"]:
        parts.append(r.get("source_line", ""))
        parts.extend((r.get("country_sources") or {}).values())
    return "\n".join(parts)


def participant_texts() -> dict[str, str]:
    texts = {}
    for p in sorted((REPO / "notebooks").glob("*.ipynb")):
        texts[str(p.relative_to(REPO))] = _notebook(p)
    files = [*sorted((REPO / "notebooks").glob("*.md")), *sorted((REPO / "docs").glob("*.md")),
             *sorted(REPO.glob("*.md")), *[REPO / d / "README.md" for d in ("data", "deploy", "quizzes", "benchmarks")],
             *sorted((REPO / "quizzes").glob("*.y*ml"))]
    files = [p for p in files if p.exists()]
    for p in files:
        texts[str(p.relative_to(REPO))] = p.read_text(encoding="utf-8")
    for p in sorted((REPO / "src" / "xinzhi").rglob("*.py")):
        texts[str(p.relative_to(REPO))] = python_strings(p)
    texts["data/datapackage.json (chart source lines)"] = _source_lines()
    return texts


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------

def test_every_allowlist_entry_says_why():
    rows = allowlist()
    assert len(rows) >= 10
    for domain, r in rows.items():
        assert re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}|127\.0\.0\.1|localhost", domain), domain
        assert r["publisher"].strip() and len(r["reason"].strip()) >= 4, domain
        assert r["kind"] in KINDS, (domain, r["kind"])


def test_participant_texts_are_found():
    texts = participant_texts()
    for expected in ("notebooks/01_concept.ipynb", "notebooks/glossary.md", "README.md", "docs/instructor_guide.md",
                     "src/xinzhi/widgets/tfp.py", "data/datapackage.json (chart source lines)"):
        assert expected in texts, expected
    assert sum(len(domains_in(t)) for t in texts.values()) >= 5, "no links found at all: the scanner is broken"


def test_links_participants_see_are_on_the_allowlist():
    domains = list(allowlist())
    problems = [f"{where}: {host}" for where, text in participant_texts().items()
                for host in sorted(domains_in(text)) if not allowed(host, domains)]
    assert not problems, ("these links go to domains that are not on tests/link_domains.csv — link the original "
                          "publisher or an official, news-agency or academic site instead, cite publisher, "
                          "document and date without a link, or add the domain with its reason:\n"
                          + "\n".join(problems))


# ---------------------------------------------------------------------------------------------
# The checker itself can fail
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("转载文本：https://www.57120.net/?c=index&a=show&id=575", {"www.57120.net"}),
    ("数据：www.ggdc.net/pwt，CC BY 4.0", {"www.ggdc.net"}),
    ("（http://zxfzw.org.cn/show-67869.html）", {"zxfzw.org.cn"}),
    ("打开 `src/xinzhi/models/targets.py` 或 data/README.md", set()),
    ("from xinzhi.widgets.tfp import explain；np.log(2)", set()),
    ("浏览器打开 http://127.0.0.1:8866/ 即可", {"127.0.0.1"}),
    ("把 https://hub.你的域名 换成学校的地址", set()),
    ("XINZHI_BIND_URL=https://10.0.5.20:443（换成教室网络里的地址）", set()),
    ("http://8.8.8.8/ 不是教室网络", {"8.8.8.8"}),
    ("见 https://www.rug.nl/ggdc/。下一句", {"www.rug.nl"}),
    ("转载：http://zxfzw.org.cn转载页", {"zxfzw.org.cn"}),
])
def test_domains_are_found(text, expected):
    assert domains_in(text) == expected


def test_a_reprint_site_fails():
    domains = list(allowlist())
    assert not allowed("www.57120.net", domains)
    assert not allowed("zxfzw.org.cn", domains)
    assert not allowed("wuhu.gov.cn.example.com", domains)
    assert allowed("english.www.gov.cn", domains)
