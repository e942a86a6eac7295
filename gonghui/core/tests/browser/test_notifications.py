"""A worker sees a notification in the 消息 tab; opening it marks it read.

Lives here (not in gonghui/notifications/tests/) to share this directory's one Chromium session:
Playwright's sync API cannot start twice in one test process.
"""

import re

import pytest
from playwright.sync_api import expect

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.notifications import services
from gonghui.notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("large_text", [False, True], ids=["normal", "large-text"])
def test_worker_opens_a_notification_from_the_messages_tab(phone_page, sign_in_as, shot, large_text):
    user = WorkerUserFactory(phone="13912345678")
    services.notify(user, "generic", {"subject": "入会申请已通过", "body": "欢迎加入东城机械厂工会。"},
                    channels=("inbox",))
    services.notify(user, "reminder", {"item": "会员信息核对", "due": "11月30日"}, link="/me/", channels=("inbox",))
    page = phone_page
    sign_in_as(page, user)
    if large_text:
        page.goto("/me/")
        page.get_by_role("switch").click()
        expect(page.locator("html")).to_have_class("large-text")

    page.goto("/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="消息").click()
    expect(page).to_have_url(re.compile(r"/messages/$"))
    expect(page.get_by_role("heading", name="消息")).to_be_visible()
    expect(page.locator("#unread-count")).to_have_text("2 条未读")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    shot(page, "inbox")

    first = page.locator(".msg-item", has_text="入会申请已通过")
    expect(first).to_have_class(re.compile("msg-unread"))
    expect(first.locator(".visually-hidden")).to_have_text("未读：")
    first.click()
    expect(page.get_by_role("heading", name="入会申请已通过")).to_be_visible()
    expect(page.get_by_text("欢迎加入东城机械厂工会。")).to_be_visible()
    assert Notification.objects.get(recipient=user, subject="入会申请已通过").read_at is not None

    page.get_by_role("link", name="返回消息列表").click()
    expect(page.locator("#unread-count")).to_have_text("1 条未读")
    expect(page.locator(".msg-item", has_text="入会申请已通过")).not_to_have_class(re.compile("msg-unread"))
    page.locator(".msg-item", has_text="待办提醒").click()  # a notification with a link follows it
    expect(page).to_have_url(re.compile(r"/me/$"))
    assert services.unread_count(user) == 0


def test_staff_sees_the_console_inbox(desktop_page, sign_in_as, shot, staff):
    services.notify(staff.d1_admin, "generic", {"subject": "新事项：职工诉求", "body": "东城区总工会收到新的职工诉求。"})
    page = desktop_page
    sign_in_as(page, staff.d1_admin)
    page.goto("/console/")
    page.get_by_role("navigation", name="功能导航").get_by_role("link", name="消息通知").click()
    expect(page.locator("#unread-count")).to_have_text("1 条未读")
    expect(page.get_by_text("新事项：职工诉求")).to_be_visible()
    shot(page, "console-inbox")
