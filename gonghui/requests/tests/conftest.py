import pytest

from gonghui.requests.categories import ensure_seeded
from gonghui.requests.tests.factories import member_user


@pytest.fixture(autouse=True)
def categories(db):
    """The seeded categories (a transactional test elsewhere may have flushed them)."""
    ensure_seeded()


@pytest.fixture
def member(tree):
    """A worker who is a member of 东城机械厂工会 (g1, under district 1)."""
    return member_user(tree.g1, name="王芳")
