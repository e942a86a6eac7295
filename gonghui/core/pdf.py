"""PDF documents with Chinese text (reportlab): assignment letters, closing reports, certificates.

The font is reportlab's built-in CID font STSong-Light (Adobe-GB1): nothing is embedded, every PDF
reader in China carries it, and no font file has to be installed on the server. Text is drawn with
``wordWrap="CJK"`` so Chinese lines break between characters.
"""

import io
from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"

__all__ = ["FONT", "styles", "render", "field_table", "Paragraph", "Spacer", "mm"]


@cache
def _register() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@cache
def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles for official documents: title, heading, body, small, right (signature)."""
    _register()
    body = ParagraphStyle("body", fontName=FONT, fontSize=11.5, leading=19, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=20, leading=28, alignment=TA_CENTER,
                                spaceAfter=6 * mm),
        "heading": ParagraphStyle("heading", parent=body, fontSize=13, leading=20, spaceBefore=3 * mm,
                                  spaceAfter=2 * mm),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=9, leading=13, textColor=colors.grey),
        "right": ParagraphStyle("right", parent=body, alignment=2),
    }


def field_table(rows: list[tuple[str, str]], widths=(35 * mm, 130 * mm)) -> Table:
    """A two-column table of label / value pairs with grid lines, as on a printed form."""
    st = styles()
    data = [[Paragraph(label, st["body"]), Paragraph(value or "—", st["body"])] for label, value in rows]
    table = Table(data, colWidths=widths)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
    ]))
    return table


def render(story: list, *, title: str, author: str = "", footer: str = "") -> bytes:
    """Lay ``story`` (platypus flowables) out on A4 pages; ``footer`` (e.g. the case number) is
    printed at the foot of every page with the page number."""
    _register()

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 8.5)
        text = f"{footer}    第 {doc.page} 页" if footer else f"第 {doc.page} 页"
        canvas.drawCentredString(A4[0] / 2, 12 * mm, text)
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=title, author=author, leftMargin=22 * mm,
                            rightMargin=22 * mm, topMargin=22 * mm, bottomMargin=22 * mm)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()
