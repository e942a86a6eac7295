"""The certificate as a PDF (core.pdf): who, which course, the body that certifies, the number, and a
QR code holding the public verify page's link with the number, so anyone can check it."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm

from gonghui.core import pdf
from gonghui.core.qr import absolute_url


def verify_url(number: str, request=None) -> str:
    return absolute_url(reverse("courses:verify") + "?" + urlencode({"number": number}), request)


def _qr(data: str, size: float = 38 * mm) -> Drawing:
    widget = QrCodeWidget(data, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def _date(day) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def render_certificate(cert, request=None) -> bytes:
    course = cert.course
    node = course.offering.node
    st = pdf.styles()
    url = verify_url(cert.number, request)
    level = f"（{course.level}）" if course.level else ""
    story = [
        pdf.Spacer(1, 10 * mm),
        pdf.Paragraph(_("培训合格证书"), st["title"]),
        pdf.Paragraph(_("证书编号：%(number)s") % {"number": cert.number}, st["right"]),
        pdf.Spacer(1, 6 * mm),
        pdf.Paragraph(_("%(name)s同志于%(start)s至%(end)s参加%(node)s举办的“%(course)s”，"
                        "出勤率%(pct)s%%，考核成绩%(score)s分，经考核合格，特发此证。") % {
            "name": cert.worker_name, "start": _date(course.starts_on), "end": _date(course.ends_on),
            "node": node.name, "course": course.title, "pct": cert.attendance_pct, "score": cert.score},
            st["body"]),
        pdf.Spacer(1, 6 * mm),
        pdf.field_table([
            (_("姓名"), cert.worker_name),
            (_("培训职业"), f"{course.occupation}{level}"),
            (_("培训课程"), course.title),
            (_("主办工会"), node.name),
            (_("发证机构"), course.certifying_body),
            (_("发证日期"), _date(cert.issued_on)),
        ]),
        pdf.Spacer(1, 8 * mm),
        _qr(url),
        pdf.Paragraph(_("扫描二维码或访问以下网址，输入证书编号查验真伪："), st["small"]),
        pdf.Paragraph(url, st["small"]),
        pdf.Spacer(1, 8 * mm),
        pdf.Paragraph(node.name, st["right"]),
        pdf.Paragraph(_date(cert.issued_on), st["right"]),
    ]
    return pdf.render(story, title=_("培训合格证书 %(number)s") % {"number": cert.number},
                      author=node.name, footer=_("证书编号 %(number)s") % {"number": cert.number})
