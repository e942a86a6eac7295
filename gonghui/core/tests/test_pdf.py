from gonghui.core import pdf
from gonghui.core.tests.pdftools import pdf_pages_png, pdf_text


def test_chinese_text_renders_and_extracts():
    st = pdf.styles()
    data = pdf.render([pdf.Paragraph("委派函", st["title"]),
                       pdf.field_table([("案件编号", "FY-2026-00001"), ("受援人", "张三")])],
                      title="委派函", footer="FY-2026-00001")
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "委派函" in text and "张三" in text and "FY-2026-00001" in text and "第 1 页" in text
    pages = pdf_pages_png(data)
    assert len(pages) == 1 and pages[0].startswith(b"\x89PNG")
