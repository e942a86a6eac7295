import json

import pytest
from django.test import Client

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.requests.models import Request
from gonghui.requests.tests.factories import member_user, submit
from gonghui.workflow import services as workflow
from gonghui.workflow.models import Case

pytestmark = pytest.mark.django_db
URL = "/api/v1/requests/"


def login(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_a_worker_submits_and_reads_their_request(member, tree):
    client = login(member)
    response = post(client, URL, {"category": "wages", "kind": "help", "description": "欠薪两个月",
                                  "migrant_worker": True})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "submitted" and data["state_label"] == "已提交" and data["urgent"] is True
    assert data["node_id"] == tree.g1.pk and data["number"].startswith("SQ")
    assert [e["kind"] for e in data["timeline"]] == ["opened"]
    listed = client.get(URL).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == data["id"]
    detail = client.get(f"{URL}{data['id']}").json()
    assert detail["description"] == "欠薪两个月" and detail["id"] == data["id"]
    # The request shares its id with its case: steps go through /api/v1/cases/{id}/….
    assert Case.objects.unscoped().get(pk=data["id"]).case_type == "request"


def test_submit_errors_are_chinese(member):
    response = post(login(member), URL, {"category": "nope", "kind": "help", "description": ""})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and "category" in body["fields"] and "description" in body["fields"]


def test_a_worker_without_a_union_names_the_district(tree):
    user = WorkerUserFactory()
    client = login(user)
    assert post(client, URL, {"category": "legal", "kind": "consultation", "description": "x"}).status_code == 422
    response = post(client, URL, {"category": "legal", "kind": "consultation", "description": "x",
                                  "district_id": tree.d1.pk})
    assert response.status_code == 201 and response.json()["node_id"] == tree.d1.pk
    assert post(client, URL, {"category": "legal", "kind": "consultation", "description": "x",
                              "district_id": tree.g1.pk}).status_code == 404


def test_staff_may_not_submit_as_a_worker(staff):
    response = post(login(staff.d1_manager), URL, {"category": "legal", "kind": "help", "description": "x"})
    assert response.status_code == 403


def test_staff_list_their_scope_and_filter(member, staff, tree):
    mine = submit(member, code="wages", migrant_worker=True)
    submit(member, code="contract")
    other = submit(member_user(tree.g2))
    client = login(staff.d1_manager)
    data = client.get(URL).json()
    ids = {item["id"] for item in data["items"]}
    assert mine.pk in ids and other.pk not in ids and data["count"] == 2
    assert [i["id"] for i in client.get(URL, {"urgent": "true"}).json()["items"]] == [mine.pk]
    assert client.get(URL, {"category": "contract"}).json()["count"] == 1
    assert client.get(f"{URL}{other.pk}").status_code == 404
    assert client.get(f"{URL}{mine.pk}").json()["state_label"] == "待受理"  # staff read the staff label


def test_a_worker_sees_no_internal_steps(member, staff):
    req = submit(member)
    case = Case.objects.unscoped().get(pk=req.pk)
    workflow.add_comment(case, "内部：先核实", by=staff.g1_handler, internal=True)
    texts = [e["text"] for e in login(member).get(f"{URL}{req.pk}").json()["timeline"]]
    assert "内部：先核实" not in texts
    assert "内部：先核实" in [e["text"] for e in login(staff.g1_handler).get(f"{URL}{req.pk}").json()["timeline"]]


def test_another_worker_cannot_read_it(member, tree):
    req = submit(member)
    assert login(member_user(tree.g1)).get(f"{URL}{req.pk}").status_code == 404
    assert Request.objects.unscoped().count() == 1
