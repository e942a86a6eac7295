"""The training journey (教育培训): a worker signs up for a childcare-worker course on the phone; the
district's staff take the roll call of each session, enter the exam score and evaluate; the trainee
finds the certificate; anybody — not signed in — checks it on the public verify page that the
certificate's QR code opens, and an unknown number is answered clearly."""

import io
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from gonghui.core.tests.pdftools import pdf_text
from gonghui.courses.models import Certificate
from gonghui.courses.tests.helpers import make_course
from gonghui.enrolment.tests.factories import make_worker_user
from gonghui.ledger.models import ServiceRecord

pytestmark = pytest.mark.django_db(transaction=True)


def assert_fits_phone(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways at 375px (scrollWidth={width})"


def test_a_trainee_passes_and_the_public_page_verifies_the_certificate(tree, staff, browser, live_server,
                                                                       phone_page, desktop_page, sign_in_as, shot):
    course = make_course(tree.d1, title="2026年东城区育婴师（四级）培训班", sessions=2, subsidy="800")
    trainee = make_worker_user(tree.g1, name="王秀英")
    phone, desk = phone_page, desktop_page
    sign_in_as(phone, trainee)
    sign_in_as(desk, staff.d1_admin)

    # ----- the worker finds the course and signs up -----
    phone.goto("/courses/")
    phone.get_by_role("link", name=course.title).click()
    expect(phone.locator("h1")).to_have_text(course.title)
    assert_fits_phone(phone)
    shot(phone, "1-course")
    phone.get_by_role("button", name="立即报名").click()
    expect(phone.locator("[data-status=confirmed]")).to_contain_text("报名成功")
    assert_fits_phone(phone)
    shot(phone, "2-signed-up")

    # ----- the district takes the roll call of each session, enters the score, evaluates -----
    desk.goto(f"/console/courses/{course.pk}/")
    expect(desk.locator("h1")).to_have_text(course.title)
    for _i in range(2):
        desk.get_by_role("link", name="点名", exact=True).first.click()
        expect(desk.get_by_label("王秀英")).to_be_checked()
        desk.get_by_role("button", name="保存点名").click()
        expect(desk.locator("body")).to_contain_text("点名已保存：出勤1人，缺勤0人")
    desk.get_by_role("link", name="录入成绩").click()
    desk.get_by_label("王秀英").fill("105")
    desk.get_by_role("button", name="保存成绩").click()
    expect(desk.locator(".invalid-feedback")).to_contain_text("王秀英的成绩应在0到100之间")
    shot(desk, "3-score-refused")
    desk.get_by_label("王秀英").fill("88.5")
    desk.get_by_role("button", name="保存成绩").click()
    expect(desk.locator("body")).to_contain_text("成绩已保存（1人）")
    desk.get_by_role("button", name="评定合格并发证").click()
    expect(desk.locator("body")).to_contain_text("评定完成：新发证书1张")
    desk.get_by_role("button", name="发放培训补贴").click()
    expect(desk.locator("body")).to_contain_text("已发放培训补贴1人")
    shot(desk, "4-evaluated")
    cert = Certificate.objects.unscoped().get()
    assert cert.worker_name == "王秀英" and not cert.revoked
    kinds = set(ServiceRecord.objects.unscoped().filter(worker__user=trainee).values_list("kind", flat=True))
    assert kinds == {"courses.passed", "courses.subsidy"}
    # the results go to the certifying body as .xlsx
    with desk.expect_download() as download:
        desk.get_by_role("link", name="导出成绩（Excel）").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[1][0] == "王秀英" and rows[1][5] == "88.5" and rows[1][7:10] == ["合格", None, cert.number]

    # ----- the trainee sees and downloads the certificate -----
    phone.goto("/courses/certificates/")
    expect(phone.locator(f"[data-certificate='{cert.number}']")).to_contain_text(course.title)
    assert_fits_phone(phone)
    shot(phone, "5-my-certificate")
    response = phone.request.get(f"/courses/certificates/{cert.pk}.pdf")
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(pdf_text(response.body()).split())
    assert cert.number in text and "王秀英" in text
    # The QR code holds the public page's address with the number.
    assert f"/certificates/verify/?number={cert.number}" in text

    # ----- anybody checks it on the public page, without signing in -----
    public = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True,
                                 base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = public.new_page()
        page.goto(f"/certificates/verify/?number={cert.number}")
        expect(page.locator("#verify-result")).to_have_attribute("data-result", "valid")
        expect(page.locator("#verify-result")).to_contain_text("证书真实有效")
        expect(page.locator("#verify-result")).to_contain_text("王*")
        expect(page.locator("#verify-result")).not_to_contain_text("王秀英")
        expect(page.locator("#verify-result")).to_contain_text("江海市职业技能鉴定中心")
        assert_fits_phone(page)
        shot(page, "6-verified")
        page.get_by_label("证书编号").fill("PX2026ABCD2345")
        page.get_by_role("button", name="查验").click()
        expect(page.locator("#verify-result")).to_have_attribute("data-result", "unknown")
        expect(page.locator("#verify-result")).to_contain_text("没有找到编号为“PX2026ABCD2345”的证书")
        assert_fits_phone(page)
        shot(page, "7-unknown")
    finally:
        public.close()
