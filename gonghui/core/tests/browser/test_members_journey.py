"""Joining on the phone to the e-card checked by staff, and a roster import with bad rows (会员)."""

import pytest
from playwright.sync_api import expect

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.demo.idnumbers import fake_id_number
from gonghui.members.models import JoinApplication, Membership

pytestmark = pytest.mark.django_db(transaction=True)


def assert_fits_phone(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways at 375px (scrollWidth={width})"


def test_a_worker_joins_by_pinyin_initials_and_staff_scan_the_e_card(tree, staff, phone_page, desktop_page,
                                                                      sign_in_as, shot):
    import random

    worker = WorkerUserFactory(phone="13812345678")
    id_number = fake_id_number(random.Random(7))
    phone, desk = phone_page, desktop_page
    sign_in_as(phone, worker)
    sign_in_as(desk, staff.g1_handler)

    # The worker finds the enterprise's union (东城机械厂工会) by its pinyin initials.
    phone.goto("/services/")
    phone.get_by_role("link", name="我要入会").first.click()
    phone.locator("#join-q").fill("dcjx")
    result = phone.locator(".join-result", has_text=tree.g1.name)
    expect(result).to_be_visible()
    assert_fits_phone(phone)
    shot(phone, "1-search")
    result.click()

    phone.get_by_label("姓名").fill("王秀英")
    phone.get_by_label("身份证号").fill(id_number)
    expect(phone.locator("#id-hint")).to_contain_text("出生")
    phone.get_by_label("学历").select_option(label="高中/中专/技校")
    phone.get_by_label("户籍类型").select_option(label="农村")
    phone.get_by_label("我是农民工").check()
    phone.get_by_label("工作单位").fill("东城机械厂")
    assert_fits_phone(phone)
    shot(phone, "2-form")
    phone.get_by_role("button", name="提交申请").click()
    application = JoinApplication.objects.unscoped().select_related("case").get(worker__name="王秀英")
    expect(phone.locator("body")).to_contain_text(application.case.number)
    shot(phone, "3-submitted")

    # The grassroots union's handler approves it on the desktop.
    desk.goto("/console/members/join-applications/")
    desk.get_by_role("link", name=application.case.number).click()
    expect(desk.locator("body")).to_contain_text("王秀英")
    assert id_number not in desk.content()  # masked on the case page
    desk.locator("summary", has_text="批准入会").first.click()
    desk.get_by_role("button", name="确认批准入会").click()
    expect(desk.locator("[data-state]").first).to_have_text("已入会")
    shot(desk, "4-approved")
    membership = Membership.objects.unscoped().get(worker__name="王秀英", status="active")
    assert membership.union == tree.g1

    # The worker opens the e-card; staff scan it (a hand-held scanner types the QR's link).
    phone.goto("/me/card/")
    expect(phone.locator(".ecard-name")).to_contain_text("王秀英")
    expect(phone.locator(".ecard-number")).to_contain_text(membership.member_number)
    expect(phone.locator(".qr-box svg")).to_be_visible()
    assert_fits_phone(phone)
    shot(phone, "5-card")
    verify_url = phone.request.get("/api/v1/members/me/card").json()["verify_url"]

    desk.goto("/console/members/card/verify/")
    desk.locator("#f-code").fill(verify_url)
    desk.get_by_role("button", name="核验").click()
    expect(desk.locator("[data-outcome]")).to_have_attribute("data-outcome", "valid")
    expect(desk.locator(".verify-name")).to_have_text("王秀英")
    expect(desk.locator(".verify-result")).to_contain_text(id_number[:3] + "*")
    assert id_number not in desk.content()
    shot(desk, "6-verified")
