"""Fixtures shared by every app's tests: a small tree with two sibling districts."""

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import translation

from gonghui.accounts.tests.factories import StaffFactory, grant
from gonghui.orgs.models import UnionNode
from gonghui.orgs.tests.factories import UnionNodeFactory


@pytest.fixture(autouse=True)
def chinese_by_default():
    """LocaleMiddleware leaves the last request's language active on the thread; start each test
    in the default language so messages asserted in Chinese do not depend on test order."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def tree(db):
    city = UnionNodeFactory(name="江海市总工会", kind=UnionNode.Kind.CITY_FEDERATION)
    d1 = UnionNodeFactory(name="东城区总工会", kind=UnionNode.Kind.DISTRICT_FEDERATION, parent=city)
    d2 = UnionNodeFactory(name="西城区总工会", kind=UnionNode.Kind.DISTRICT_FEDERATION, parent=city)
    g1 = UnionNodeFactory(name="东城机械厂工会", parent=d1)
    g2 = UnionNodeFactory(name="西城纺织厂工会", parent=d2)
    return SimpleNamespace(city=city, d1=d1, d2=d2, g1=g1, g2=g2)


@pytest.fixture
def staff(tree):
    """Staff at each level: an admin at the city, managers and admins in both districts, a handler."""
    def make(node, role, username):
        user = StaffFactory(username=username)
        grant(user, node, role)
        return user

    return SimpleNamespace(
        city_admin=make(tree.city, "admin", "t_city_admin"),
        d1_manager=make(tree.d1, "manager", "t_d1_manager"),
        d2_manager=make(tree.d2, "manager", "t_d2_manager"),
        d1_admin=make(tree.d1, "admin", "t_d1_admin"),
        d2_admin=make(tree.d2, "admin", "t_d2_admin"),
        g1_handler=make(tree.g1, "handler", "t_g1_handler"),
        g1_viewer=make(tree.g1, "viewer", "t_g1_viewer"),
    )
