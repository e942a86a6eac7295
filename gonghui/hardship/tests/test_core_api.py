"""/api/v1/hardship/…: files, applications, policy versions, the worker's own file."""

import json

import pytest
from django.test import Client

from gonghui.hardship.models import HardshipFile, PolicyVersion
from gonghui.hardship.tests.factories import HardshipFileFactory
from gonghui.requests.tests.factories import member_user

pytestmark = pytest.mark.django_db
BASE = "/api/v1/hardship"


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def post(c, url, data):
    return c.post(url, json.dumps(data), content_type="application/json")


def test_list_scoped_filtered_paginated(tree, staff):
    mine = HardshipFileFactory(union=tree.g1, worker__name="东城户")
    HardshipFileFactory(union=tree.g2, worker__name="西城户")
    c = client_for(staff.d1_manager)
    body = c.get(f"{BASE}/files/").json()
    assert [row["number"] for row in body["items"]] == [mine.number] and body["count"] == 1
    city = client_for(staff.city_admin)
    assert city.get(f"{BASE}/files/", {"union_id": tree.d2.pk}).json()["items"][0]["worker_name"] == "西城户"
    assert city.get(f"{BASE}/files/", {"category": "relative"}).json()["count"] == 0
    assert city.get(f"{BASE}/files/", {"limit": 1}).json()["count"] == 2
    assert len(city.get(f"{BASE}/files/", {"limit": 1}).json()["items"]) == 1
    # A union outside the caller's scope is 404.
    assert c.get(f"{BASE}/files/", {"union_id": tree.d2.pk}).status_code == 404


def test_without_permission_403(tree, staff):
    HardshipFileFactory(union=tree.g1)
    assert client_for(staff.g1_viewer).get(f"{BASE}/files/").status_code == 403


def test_detail_scoped_and_masked(tree, staff):
    f = HardshipFileFactory(union=tree.g1)
    body = client_for(staff.g1_handler).get(f"{BASE}/files/{f.pk}").json()
    assert body["number"] == f.number and body["members"][0]["relation"] == "self"
    assert "*" in body["members"][0]["id_number_masked"]
    assert body["assessment"]["category"] == "deep"
    assert client_for(staff.d2_manager).get(f"{BASE}/files/{f.pk}").status_code == 404
    assert client_for(staff.g1_viewer).get(f"{BASE}/files/{f.pk}").status_code == 403


def test_create_and_apply(tree, staff):
    user = member_user(tree.g1, name="接口户")
    c = client_for(staff.g1_handler)
    response = post(c, f"{BASE}/files/", {"worker_id": user.worker.pk, "main_cause": "laid_off"})
    assert response.status_code == 201, response.content
    file_id = response.json()["id"]
    assert HardshipFile.objects.unscoped().get(pk=file_id).main_cause == "laid_off"
    again = post(c, f"{BASE}/files/", {"worker_id": user.worker.pk})
    assert again.status_code == 422 and "不能重复建档" in again.json()["message"]
    short = post(c, f"{BASE}/files/{file_id}/apply", {"statement": "困难"})
    assert short.status_code == 422 and "至少10个字" in short.json()["message"]
    applied = post(c, f"{BASE}/files/{file_id}/apply", {"statement": "下岗后家里只有一份低收入，孩子上大学。"})
    assert applied.status_code == 201 and applied.json()["state"] == "submitted"


def test_create_out_of_scope_404_and_viewer_403(tree, staff):
    user = member_user(tree.g1)
    assert post(client_for(staff.d2_manager), f"{BASE}/files/", {"worker_id": user.worker.pk}).status_code == 404
    assert post(client_for(staff.g1_viewer), f"{BASE}/files/", {"worker_id": user.worker.pk}).status_code == 403


def test_policies(tree, staff):
    c = client_for(staff.d1_admin)
    response = post(c, f"{BASE}/policies/", {"node_id": tree.d1.pk, "effective_from": "2026-01-01",
                                             "params": {"min_living_standard": "1050"}})
    assert response.status_code == 201 and response.json()["params"] == {"min_living_standard": "1050"}
    bad = post(c, f"{BASE}/policies/", {"node_id": tree.d1.pk, "effective_from": "2026-02-01",
                                        "params": {"min_living_standard": "abc"}})
    assert bad.status_code == 422 and "请填写数字" in bad.json()["message"]
    unknown = post(c, f"{BASE}/policies/", {"node_id": tree.d1.pk, "effective_from": "2026-02-01",
                                            "params": {"free_money": "1"}})
    assert unknown.status_code == 422
    assert post(client_for(staff.d1_manager), f"{BASE}/policies/",
                {"node_id": tree.d1.pk, "effective_from": "2026-03-01"}).status_code == 403
    assert post(client_for(staff.d2_admin), f"{BASE}/policies/",
                {"node_id": tree.d1.pk, "effective_from": "2026-03-01"}).status_code == 404
    assert PolicyVersion.objects.unscoped().count() == 1
    listed = client_for(staff.d1_manager).get(f"{BASE}/policies/").json()
    assert listed["count"] == 1
    assert client_for(staff.d2_manager).get(f"{BASE}/policies/").json()["count"] == 0


def test_me_and_own_apply(tree):
    user = member_user(tree.g1, name="职工本人")
    c = client_for(user)
    assert c.get(f"{BASE}/me").json() == {"file": None, "application": None, "received": []}
    response = post(c, f"{BASE}/me/apply", {"statement": "爱人重病住院，家里入不敷出，孩子上高中。",
                                           "main_cause": "serious_illness"})
    assert response.status_code == 201
    body = c.get(f"{BASE}/me").json()
    assert body["file"]["status"] == "applying" and body["application"]["state"] == "submitted"
    # Staff accounts have no own file.
    from gonghui.accounts.tests.factories import StaffFactory

    assert client_for(StaffFactory()).get(f"{BASE}/me").status_code == 404
