"""Enrolment pages in a browser: a worker's 我的报名 with the check-in QR code and code on a phone,
the staff phone pages that check people in (scanned QR link, typed code), the roster and the
figures on a desktop. (The sign-up partial inside an activity page is in test_activities_journey.)"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from gonghui.enrolment import services
from gonghui.enrolment.models import Enrolment
from gonghui.enrolment.tests.factories import make_offering, make_worker_user

pytestmark = pytest.mark.django_db(transaction=True)


def assert_fits_phone(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways at 375px (scrollWidth={width})"


def test_check_in_by_qr_and_by_code(tree, staff, phone_page, desktop_page, browser, live_server, sign_in_as, shot):
    offering = make_offering(tree.g1, capacity=2, title="东城区职工篮球友谊赛", questions=services.clean_questions(
        [{"key": "size", "label": "球衣尺码", "type": "choice", "required": True, "choices": ["M", "L", "XL"]}]))
    first = make_worker_user(tree.g1, name="李明")
    second = make_worker_user(tree.g1, name="王芳", gender="F")
    third = make_worker_user(tree.g1, name="赵强")
    held = services.sign_up(offering, first, answers={"size": "L"})
    by_code = services.sign_up(offering, second, answers={"size": "M"})
    services.sign_up(offering, third, answers={"size": "XL"})

    # The machine is shared with other test runs: allow slow pages.
    for page in (phone_page, desktop_page):
        page.context.set_default_timeout(30_000)

    # The worker's ticket: QR code and short code, on a 375-px phone.
    sign_in_as(phone_page, first)
    phone_page.goto("/enrolments/")
    expect(phone_page.locator(".enrol-code")).to_have_text(held.code)
    expect(phone_page.locator("svg.enrol-qr")).to_be_visible()
    assert_fits_phone(phone_page)
    shot(phone_page, "1-my-ticket")

    # The third person is on the waiting list.
    waiting_context = browser.new_context(viewport={"width": 375, "height": 667}, base_url=live_server.url,
                                          locale="zh-CN", is_mobile=True, has_touch=True)
    waiting_context.set_default_timeout(30_000)
    waiting = waiting_context.new_page()
    sign_in_as(waiting, third)
    waiting.goto("/enrolments/")
    expect(waiting.get_by_text("候补号 1")).to_be_visible()
    assert_fits_phone(waiting)
    shot(waiting, "2-waiting")
    waiting_context.close()

    # Staff open the QR's link on their phone, see who it is, and check them in once.
    staff_context = browser.new_context(viewport={"width": 375, "height": 667}, base_url=live_server.url,
                                        locale="zh-CN", is_mobile=True, has_touch=True)
    staff_context.set_default_timeout(30_000)
    staff_phone = staff_context.new_page()
    sign_in_as(staff_phone, staff.g1_handler)
    scan_url = reverse("enrolment:check_in_scan", args=[services.make_token(held)])
    staff_phone.goto(scan_url)
    expect(staff_phone.get_by_text("李明")).to_be_visible()
    assert_fits_phone(staff_phone)
    shot(staff_phone, "3-scan")
    staff_phone.get_by_role("button", name="确认签到").click()
    expect(staff_phone.locator("[data-result=ok]")).to_contain_text("李明 签到成功")
    shot(staff_phone, "4-scan-done")
    assert Enrolment.objects.unscoped().get(pk=held.pk).attended_at is not None

    # A forged QR link says so.
    staff_phone.goto(reverse("enrolment:check_in_scan", args=["forged:token"]))
    expect(staff_phone.locator("[data-result=error]")).to_contain_text("签到二维码无效")
    shot(staff_phone, "5-forged")

    # The code typed on the phone page: a wrong one, then the right one, then again.
    staff_phone.goto(reverse("enrolment:check_in", args=[offering.pk]))
    staff_phone.get_by_label("输入职工报出的签到码").fill("WRONG1")
    staff_phone.get_by_role("button", name="签到").click()
    expect(staff_phone.get_by_text("不是本项目的签到码")).to_be_visible()
    shot(staff_phone, "6-code-wrong")
    staff_phone.get_by_label("输入职工报出的签到码").fill(by_code.code.lower())
    staff_phone.get_by_role("button", name="签到").click()
    expect(staff_phone.locator("[data-result=ok]")).to_contain_text("王芳 签到成功")
    expect(staff_phone.get_by_text("已签到 2 / 2 人")).to_be_visible()
    assert_fits_phone(staff_phone)
    shot(staff_phone, "7-code-done")
    staff_phone.get_by_label("输入职工报出的签到码").fill(by_code.code)
    staff_phone.get_by_role("button", name="签到").click()
    expect(staff_phone.get_by_text("不能重复签到")).to_be_visible()
    staff_context.close()

    # The roster and the figures on a desktop.
    sign_in_as(desktop_page, staff.d1_manager)
    desktop_page.goto(reverse("enrolment:roster", args=[offering.pk]))
    expect(desktop_page.locator("[data-figure=attended]")).to_have_text("2")
    shot(desktop_page, "8-roster")
    desktop_page.get_by_role("link", name="候补（按顺序）").click()
    expect(desktop_page.get_by_text("赵强")).to_be_visible()
    shot(desktop_page, "9-roster-waiting")
    desktop_page.goto(reverse("enrolment:figures"))
    expect(desktop_page.get_by_role("link", name="东城区职工篮球友谊赛")).to_be_visible()
    shot(desktop_page, "10-figures")
