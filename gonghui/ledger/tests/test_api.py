"""/api/v1/services/: the scoped ledger over the API."""

import datetime

import pytest
from django.test import Client

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.ledger.tests.factories import service
from gonghui.members.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/services/"


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rows(tree):
    east = MembershipFactory(union=tree.g1, worker__name="东城张三").worker
    west = MembershipFactory(union=tree.g2, worker__name="西城李四").worker
    return (service(east, tree.d1, kind="test.aid", title="东城救助金", amount="1200.5",
                    delivered_on=datetime.date(2026, 1, 10)),
            service(west, tree.city, kind="test.course", title="西城培训", delivered_on=datetime.date(2026, 3, 5)))


def test_staff_list_their_subtree_with_filters(rows, staff, tree):
    east, west = rows
    data = login(staff.d1_admin).get(URL).json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["id"] == east.pk and item["title"] == "东城救助金" and item["amount"] == "1200.50"
    assert item["member_union_id"] == tree.g1.pk and item["delivering_union_name"] == tree.d1.name
    assert item["kind_label"] == "test.aid"  # not registered: the code
    city = login(staff.city_admin)
    assert city.get(URL).json()["count"] == 2
    assert [i["id"] for i in city.get(URL, {"kind": "test.course"}).json()["items"]] == [west.pk]
    assert [i["id"] for i in city.get(URL, {"union": tree.d1.pk}).json()["items"]] == [east.pk]
    assert [i["id"] for i in city.get(URL, {"start": "2026-02-01"}).json()["items"]] == [west.pk]
    assert [i["id"] for i in city.get(URL, {"q": "张三"}).json()["items"]] == [east.pk]


def test_one_row_and_404_outside_the_scope(rows, staff):
    east, west = rows
    client = login(staff.d1_admin)
    assert client.get(f"{URL}{east.pk}").json()["title"] == "东城救助金"
    response = client.get(f"{URL}{west.pk}")
    assert response.status_code == 404 and response.json()["message"] == "找不到该记录。"


def test_a_bad_date_is_a_chinese_422(rows, staff):
    response = login(staff.city_admin).get(URL, {"start": "2026-13-45"})
    assert response.status_code == 422 and response.json()["message"] == "提交的数据不正确，请检查后重试。"


def test_workers_read_nothing_here_and_anonymous_is_401(rows):
    east, _west = rows
    worker = login(WorkerUserFactory())
    assert worker.get(URL).json()["count"] == 0
    assert worker.get(f"{URL}{east.pk}").status_code == 404
    response = Client().get(URL)
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"
