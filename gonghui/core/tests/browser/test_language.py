"""The language switch on "我的" turns the portal into English and back."""

import pytest
from playwright.sync_api import expect

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.members.tests.factories import MembershipFactory, WorkerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_switches_the_portal_to_english_and_back(tree, phone_page, sign_in_as, shot):
    user = WorkerUserFactory(phone="13912340001")
    MembershipFactory(worker=WorkerFactory(mobile="13912340001", user=user), union=tree.g2)
    page = phone_page
    sign_in_as(page, user)

    page.goto("/me/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Me")
    tabs = page.get_by_role("navigation", name="Main navigation")
    expect(tabs.get_by_role("link", name="Home")).to_be_visible()
    shot(page, "me-en")

    tabs.get_by_role("link", name="Home").click()
    expect(page.locator(".union-card")).to_contain_text("My union")
    expect(page.locator(".union-card")).to_contain_text("西城纺织厂工会")  # names stay as registered

    page.goto("/me/")
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的")
