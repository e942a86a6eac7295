"""The console's ledger list (/console/members/services/): scope, filters, pagination, labels."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts.tests.factories import StaffFactory, WorkerUserFactory
from gonghui.ledger import kinds
from gonghui.ledger.tests.factories import service
from gonghui.members.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
URL = reverse("members:services")


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rows(tree):
    east = MembershipFactory(union=tree.g1, worker__name="东城张三").worker
    west = MembershipFactory(union=tree.g2, worker__name="西城李四").worker
    return {
        "east_aid": service(east, tree.d1, kind="test.aid", title="东城救助金", amount="1200",
                            delivered_on=datetime.date(2026, 1, 10)),
        "east_course": service(east, tree.d1, kind="test.course", title="东城育婴师培训",
                               delivered_on=datetime.date(2026, 6, 1)),
        "west_aid": service(west, tree.city, kind="test.aid", title="西城救助金",
                            delivered_on=datetime.date(2026, 3, 5)),
    }


@pytest.fixture
def labelled(monkeypatch):
    monkeypatch.setattr(kinds, "_LABELS", {"test.aid": "困难帮扶救助金"})


def test_staff_see_their_subtree_newest_first_with_kind_labels(rows, staff, labelled):
    html = login(staff.d1_admin).get(URL).content.decode()
    assert "东城育婴师培训" in html and "东城救助金" in html and "西城救助金" not in html
    assert html.index("东城育婴师培训") < html.index("东城救助金")
    assert "困难帮扶救助金" in html  # registered label
    assert "test.course" in html  # an unknown kind shows its code
    assert "¥1,200.00" in html
    city = login(staff.city_admin).get(URL).content.decode()
    assert "西城救助金" in city and "东城救助金" in city


def test_filters_by_kind_dates_union_and_name(rows, staff, tree, labelled):
    client = login(staff.city_admin)

    def titles(**params):
        response = client.get(URL, params)
        assert response.status_code == 200
        return {t for t in ("东城救助金", "东城育婴师培训", "西城救助金") if t in response.content.decode()}

    assert titles(kind="test.aid") == {"东城救助金", "西城救助金"}
    assert titles(start="2026-02-01", end="2026-04-01") == {"西城救助金"}
    assert titles(union=tree.d2.pk) == {"西城救助金"}
    assert titles(union=tree.g1.pk, kind="test.course") == {"东城育婴师培训"}
    assert titles(q="李四") == {"西城救助金"}
    assert titles(start="not-a-date") == {"东城救助金", "东城育婴师培训", "西城救助金"}


def test_a_union_outside_the_scope_matches_nothing(rows, staff, tree):
    html = login(staff.d1_admin).get(URL, {"union": tree.g2.pk}).content.decode()
    assert "西城救助金" not in html and "东城救助金" not in html and "没有符合条件的服务记录" in html


def test_pages_of_twenty_keep_the_filters(tree, staff):
    worker = MembershipFactory(union=tree.g1).worker
    for i in range(25):
        service(worker, tree.d1, title=f"服务{i:02d}", delivered_on=datetime.date(2026, 1, 1) + datetime.timedelta(i))
    client = login(staff.d1_admin)
    first = client.get(URL, {"kind": "test.aid"})
    assert len(first.context["object_list"]) == 20 and "服务24" in first.content.decode()
    second = client.get(URL, {"kind": "test.aid", "page": 2})
    assert [s.title for s in second.context["object_list"]] == [f"服务{i:02d}" for i in range(4, -1, -1)]
    assert "kind=test.aid" in first.content.decode()  # the pagination links keep the filter


def test_htmx_gets_the_table_alone(rows, staff):
    response = login(staff.d1_admin).get(URL, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "东城救助金" in html and "<form" not in html and "<html" not in html


def test_empty_ledger_explains_itself(tree, staff):
    html = login(staff.d1_admin).get(URL).content.decode()
    assert "还没有服务记录" in html


def test_workers_get_404_and_staff_without_a_grant_403(rows):
    assert login(WorkerUserFactory()).get(URL).status_code == 404
    assert login(StaffFactory()).get(URL).status_code == 403
    assert Client().get(URL).status_code == 302  # to the sign-in page


def test_the_list_does_not_grow_queries_with_rows(tree, staff, django_assert_max_num_queries):
    worker = MembershipFactory(union=tree.g1).worker
    for _ in range(20):
        service(worker, tree.d1)
    client = login(staff.d1_admin)
    client.get(URL)  # warm the per-process caches (nav, content types)
    with django_assert_max_num_queries(12):
        client.get(URL)
