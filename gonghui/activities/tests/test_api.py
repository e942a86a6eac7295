"""The API at /api/v1/activities/."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.activities.models import Activity
from gonghui.activities.tests.factories import fresh, make_activity
from gonghui.enrolment.tests.factories import make_worker_user

pytestmark = pytest.mark.django_db
API = "/api/v1/activities"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(c, url, data, method="post"):
    return getattr(c, method)(url, json.dumps(data), content_type="application/json")


def test_workers_list_what_they_may_join_staff_what_they_organise(tree, staff):
    own = make_activity(tree.g1, title="机械厂篮球赛")
    other = make_activity(tree.g2, title="纺织厂歌咏比赛")
    draft = make_activity(tree.g1, title="草稿活动", publish=False)
    worker = make_worker_user(tree.g1)
    items = client_for(worker).get(f"{API}/").json()["items"]
    assert [i["id"] for i in items] == [own.pk]
    assert items[0]["free_places"] == 10 and items[0]["phase"] == "upcoming" and items[0]["kind_label"] == "体育"
    ids = {i["id"] for i in client_for(staff.d1_admin).get(f"{API}/").json()["items"]}
    assert ids == {own.pk, draft.pk}
    ids = {i["id"] for i in client_for(staff.d1_admin).get(f"{API}/", {"phase": "draft"}).json()["items"]}
    assert ids == {draft.pk}
    assert client_for(worker).get(f"{API}/{other.pk}").status_code == 404
    assert client_for(worker).get(f"{API}/{draft.pk}").status_code == 404
    one = client_for(worker).get(f"{API}/{own.pk}").json()
    assert one["title"] == "机械厂篮球赛" and one["questions"] == [] and one["photos"] == []


def test_staff_create_change_publish_and_cancel(tree, staff):
    c = client_for(staff.g1_handler)
    start = timezone.now() + datetime.timedelta(days=3)
    response = post(c, f"{API}/", {"node_id": tree.g1.pk, "title": "读书分享会", "kind": "lecture",
                                  "starts_at": start.isoformat(),
                                  "ends_at": (start + datetime.timedelta(hours=2)).isoformat(),
                                  "place_name": "职工书屋", "capacity": 25, "latitude": 32.1, "longitude": 120.2})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["latitude"] == 32.1
    pk = body["id"]
    response = post(c, f"{API}/{pk}", {"capacity": 40, "place_name": "新职工书屋"}, method="patch")
    assert response.status_code == 200 and response.json()["capacity"] == 40
    assert post(c, f"{API}/{pk}/publish", {}).json()["status"] == "published"
    response = post(c, f"{API}/{pk}/publish", {})
    assert response.status_code == 422 and response.json()["message"] == "这个活动已经发布。"
    response = post(c, f"{API}/{pk}/cancel", {"reason": ""})
    assert response.status_code == 422 and "请写明取消原因" in response.json()["message"]
    assert post(c, f"{API}/{pk}/cancel", {"reason": "讲师临时有事"}).json()["status"] == "cancelled"


def test_bad_input_and_rights(tree, staff):
    start = timezone.now() + datetime.timedelta(days=3)
    data = {"node_id": tree.g1.pk, "title": "夜跑", "starts_at": start.isoformat(),
            "ends_at": (start - datetime.timedelta(hours=1)).isoformat(), "place_name": "江边"}
    response = post(client_for(staff.g1_handler), f"{API}/", data)
    assert response.status_code == 422 and response.json()["message"] == "结束时间须晚于开始时间。"
    assert post(client_for(staff.g1_viewer), f"{API}/", data).status_code == 403
    assert post(client_for(staff.d2_admin), f"{API}/", data).status_code == 404
    assert post(client_for(make_worker_user(tree.g1)), f"{API}/", data).status_code == 404
    assert not Activity.objects.unscoped().exists()
    activity = make_activity(tree.g1)
    response = post(client_for(staff.g1_handler), f"{API}/{activity.pk}", {"capacity": 0}, method="patch")
    assert response.status_code == 422 and "名额至少为1人" in response.json()["message"]
    assert fresh(activity.pk).offering.capacity == 10
    response = post(client_for(staff.g1_handler), f"{API}/{activity.pk}", {"kind": "dance"}, method="patch")
    assert response.status_code == 422 and response.json()["message"] == "请选择活动类型。"


def test_report_after_the_event(tree, staff):
    upcoming = make_activity(tree.g1)
    c = client_for(staff.g1_handler)
    response = post(c, f"{API}/{upcoming.pk}/report", {"report": "很好"})
    assert response.status_code == 422 and response.json()["message"] == "活动结束后才能填写活动总结。"
    past = make_activity(tree.g1, starts_in=-datetime.timedelta(days=2))
    response = post(c, f"{API}/{past.pk}/report", {"report": "共有28名职工参加。"})
    assert response.status_code == 200 and response.json()["report"] == "共有28名职工参加。"
    assert post(client_for(staff.g1_viewer), f"{API}/{past.pk}/report", {"report": "x"}).status_code == 403
