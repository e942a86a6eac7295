"""Signing in through the browser: a worker by phone code on a phone, staff by password on a desktop."""

import re

import pytest
from playwright.sync_api import expect

from gonghui.accounts.sms import MemoryBackend
from gonghui.accounts.tests.factories import PASSWORD
from gonghui.members.tests.factories import MembershipFactory, WorkerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_signs_in_with_a_phone_code_and_sees_their_union(tree, phone_page, shot):
    worker = WorkerFactory(name="李娜", mobile="13912345678")
    MembershipFactory(worker=worker, union=tree.g1, member_number="M-DC-0001")
    page = phone_page

    page.goto("/accounts/worker-login/")
    shot(page, "1-phone")
    page.get_by_label("手机号码").fill("13912345678")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_label("验证码")).to_be_visible()
    texts = [text for phone, text in MemoryBackend.outbox if phone == "13912345678"]
    assert texts, "no SMS was sent to the worker"
    code = re.search(r"\d{6}", texts[-1]).group(0)
    shot(page, "2-code")

    page.get_by_label("验证码").fill(code)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("李娜")
    union_card = page.locator(".union-card")
    expect(union_card).to_contain_text("东城机械厂工会")
    expect(union_card).to_contain_text("M-DC-0001")
    expect(page.get_by_role("navigation", name="主导航").get_by_role("link", name="首页")).to_have_attribute(
        "aria-current", "page")
    shot(page, "3-home")


def test_worker_sees_a_chinese_error_next_to_a_wrong_phone_number(db, phone_page):
    page = phone_page
    page.goto("/accounts/worker-login/")
    page.get_by_label("手机号码").fill("12345")
    page.get_by_role("button", name="获取验证码").click()
    field = page.get_by_label("手机号码")
    expect(field).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator(".invalid-feedback")).to_contain_text("手机号码")


def test_staff_signs_in_with_a_password_and_opens_the_org_list(staff, desktop_page, shot):
    page = desktop_page
    page.goto("/console/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    shot(page, "1-login")
    page.get_by_label("用户名").fill(staff.city_admin.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()

    page.wait_for_url(re.compile(r"/console/$"))
    expect(page.locator(".console-top")).to_contain_text(str(staff.city_admin))
    expect(page.get_by_role("main")).to_contain_text("江海市总工会")  # where the user holds a role
    shot(page, "2-console-home")

    page.get_by_role("navigation", name="功能导航").get_by_role("link", name="组织架构").click()
    page.wait_for_url(re.compile(r"/console/orgs/$"))
    table = page.locator("#org-table")
    expect(table).to_contain_text("江海市总工会")
    expect(table).to_contain_text("西城纺织厂工会")
    shot(page, "3-org-list")

    # The filter updates the table in place (HTMX) and puts the filter in the address.
    page.get_by_label("名称或信用代码").fill("纺织")
    page.wait_for_url(re.compile(r"q=%E7%BA%BA%E7%BB%87"))
    expect(table).not_to_contain_text("东城机械厂工会")
    expect(table).to_contain_text("西城纺织厂工会")
    expect(page.get_by_role("heading", level=1)).to_have_text("组织架构")  # the page itself stayed
    shot(page, "4-org-list-filtered")
