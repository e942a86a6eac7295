"""The certificate PDF: rendered by poppler to PNG, its Chinese text extracted, its QR link right."""

import pytest

from gonghui.core.tests.pdftools import pdf_pages_png, pdf_text
from gonghui.courses.certificate_pdf import render_certificate, verify_url
from gonghui.courses.tests.helpers import enrol, make_course, pass_course

pytestmark = pytest.mark.django_db


def test_certificate_pdf_renders_and_reads_back_in_chinese(tree, staff, settings):
    settings.GONGHUI_PUBLIC_URL = "https://gh.example.cn"
    course = make_course(tree.d1, title="2026年第一期育婴师培训班", sessions=2)
    trainee = enrol(course, tree.g1, name="王秀英")
    cert = pass_course(course, [trainee], by=staff.d1_admin, score="92.5").issued[0]
    data = render_certificate(cert)
    assert data.startswith(b"%PDF")
    pages = pdf_pages_png(data)
    assert len(pages) == 1 and pages[0].startswith(b"\x89PNG")
    text = "".join(pdf_text(data).split())
    for expected in ("培训合格证书", "王秀英", cert.number, "2026年第一期育婴师培训班", "江海市职业技能鉴定中心",
                     "东城区总工会", "育婴师（四级）", "92.5", "经考核合格，特发此证"):
        assert expected in text, expected
    assert verify_url(cert.number) == f"https://gh.example.cn/certificates/verify/?number={cert.number}"
    assert "gh.example.cn/certificates/verify/" in text
