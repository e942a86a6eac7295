"""The console's navigation: entries gathered under their groups, the current page's group open."""

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.core import nav


def _console(user, url):
    client = Client()
    client.force_login(user)
    return client.get(url).content.decode()


def test_unknown_group_is_refused():
    with pytest.raises(ValueError):
        nav.register("console", "x_test", "x", "console:home", group="nonexistent")
    with pytest.raises(ValueError):
        nav.register("portal", "x_test", "x", "portal:home", group="members")


def test_grouped_keeps_the_declared_order_and_marks_the_current_group():
    items = [
        {"key": "a", "group": "admin", "current": False},
        {"key": "h", "group": "", "current": False},
        {"key": "m", "group": "members", "current": True},
    ]
    groups = nav.grouped(items)
    assert [g["code"] for g in groups] == ["", "members", "admin"]
    assert [g["current"] for g in groups] == [False, True, False]


def test_the_sidebar_opens_the_group_of_the_current_page(staff):
    html = _console(staff.city_admin, reverse("members:list"))
    members_group = html.split("会员服务", 1)[0].rsplit("<details", 1)[1]
    assert " open" in members_group
    admin_group = html.split("系统管理", 1)[0].rsplit("<details", 1)[1]
    assert " open" not in admin_group
    assert reverse("audit:list") in html  # a closed group still lists its pages
