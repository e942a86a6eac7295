"""The worker portal at phone width: no horizontal scrolling, large tap targets, in both text sizes."""

import pytest
from playwright.sync_api import expect

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.members.tests.factories import MembershipFactory, WorkerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def assert_fits_phone(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways at 375px (scrollWidth={width})"


def assert_tap_targets(page):
    for link in page.get_by_role("navigation", name="主导航").get_by_role("link").all():
        box = link.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44, f"tab {link.inner_text()!r} is {box}"


@pytest.mark.parametrize("large_text", [False, True], ids=["normal", "large-text"])
def test_portal_home_has_no_horizontal_scrollbar_at_375px(tree, phone_page, sign_in_as, shot, large_text):
    user = WorkerUserFactory(phone="13912340000")
    worker = WorkerFactory(name="欧阳明", mobile="13912340000", user=user)
    MembershipFactory(worker=worker, union=tree.g1)
    page = phone_page
    sign_in_as(page, user)

    if large_text:
        page.goto("/me/")
        page.get_by_role("switch").click()  # the large-text switch posts and comes back
        expect(page.locator("html")).to_have_class("large-text")
    page.goto("/")
    expect(page.locator(".union-card")).to_contain_text("东城机械厂工会")

    body_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_px == (20 if large_text else 16)
    assert_fits_phone(page)
    assert_tap_targets(page)
    shot(page, "home")


def test_signed_out_portal_home_fits_phone_width(db, phone_page, shot):
    phone_page.goto("/")
    expect(phone_page.get_by_role("link", name="手机号登录")).to_be_visible()
    assert_fits_phone(phone_page)
    assert_tap_targets(phone_page)
    shot(phone_page, "home")
