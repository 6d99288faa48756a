"""The printable handout: one A4 PDF of the whole course, its fonts embedded, page numbers, and the source line
on every page where a chart stands. Two pages are rendered to test-artifacts/handout/ to be looked at."""
from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from ..conftest import NOTEBOOKS
from .conftest import ARTIFACTS, pdf_name

pytestmark = pytest.mark.slow

A4 = (595, 842)  # points


def fonts(page) -> dict[str, bool]:
    """Each font a page uses, and whether the font program is embedded in the file."""
    found = {}
    for font in (page.get("/Resources", {}).get("/Font") or {}).values():
        font = font.get_object()
        descendant = font.get("/DescendantFonts")
        described = (descendant[0].get_object() if descendant else font).get("/FontDescriptor")
        if font.get("/Subtype") == "/Type3":
            found[str(font.get("/Name", "Type3"))] = True     # drawn by the page itself
            continue
        described = described.get_object() if described else {}
        found[str(font.get("/BaseFont"))] = any(k in described for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def chart_images(page) -> int:
    """Images on the page wide enough to be a chart (charts are drawn 1000 px wide or more)."""
    xobjects = page.get("/Resources", {}).get("/XObject") or {}
    return sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"
               and x.get_object().get("/Width", 0) >= 1000)


def test_the_pdf_is_the_whole_course_on_a4(handout):
    pdf = handout / pdf_name()
    reader = PdfReader(pdf)
    n = len(reader.pages)
    assert len(NOTEBOOKS) * 3 <= n <= 400, n        # each notebook starts a page; a handout, not a phone book
    assert pdf.stat().st_size < 40 * 2**20
    used: dict[str, bool] = {}
    chart_pages = 0
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == A4, (number, box)
        used.update(fonts(page))
        text = page.extract_text()
        assert re.search(rf"\b{number} / {n}\b", text), f"page {number}: no page number"
        if chart_images(page):
            chart_pages += 1
            # every source line ends with the course version and data month (xinzhi.edition.with_stamp)
            assert "课程版本" in re.sub(r"\s", "", text), f"page {number}: a chart without its source line"
    assert any("NotoSansSC" in name for name in used), used
    assert all(used.values()), [name for name, embedded in used.items() if not embedded]
    assert chart_pages >= len(NOTEBOOKS) - 1
    everything = "".join(p.extract_text() for p in reader.pages)
    for word in ("全要素生产率", "正确答案", "术语表"):
        assert word in everything, word

    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    first_chart = next(i for i, p in enumerate(reader.pages) if chart_images(p))
    for index, name in ((0, "pdf_page_1.png"), (first_chart, f"pdf_page_{first_chart + 1}_chart.png")):
        document[index].render(scale=1.5).to_pil().save(ARTIFACTS / name)
    document.close()
