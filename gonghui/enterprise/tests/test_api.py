"""The enterprises API: scope, recording a visit with problems, errors as JSON in Chinese."""

import datetime

import pytest
from django.test import Client

from gonghui.enterprise.models import Problem, Visit
from gonghui.enterprise.tests.factories import make_enterprise, make_uscc, make_visit
from gonghui.workflow.models import Case

YESTERDAY = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def enterprises(tree):
    return {
        "d1": make_enterprise(tree.d1, name="东城机械有限公司", union=tree.g1, uscc=make_uscc(31), industry="C"),
        "d2": make_enterprise(tree.d2, name="西城纺织有限公司"),
    }


def test_list_is_scoped_and_filtered(enterprises, staff):
    client = as_user(staff.d1_manager)
    body = client.get("/api/v1/enterprises/").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["name"] == "东城机械有限公司" and item["union_name"] == "东城机械厂工会"
    assert item["node_name"] == "东城区总工会" and item["industry_label"] == "制造业"
    assert client.get("/api/v1/enterprises/", {"has_union": "false"}).json()["count"] == 0
    assert as_user(staff.city_admin).get("/api/v1/enterprises/", {"q": "纺织"}).json()["count"] == 1


def test_detail_with_visits_and_problems(enterprises, staff):
    make_visit(enterprises["d1"], problems=(("wages", "工资推迟发放"),), by=staff.d1_manager, staff=[staff.d1_manager])
    body = as_user(staff.d1_manager).get(f"/api/v1/enterprises/{enterprises['d1'].pk}").json()
    assert body["uscc"] == make_uscc(31)
    [visit] = body["visits"]
    assert visit["visited_on"] == YESTERDAY and visit["staff"] == [str(staff.d1_manager)]
    [problem] = visit["problems"]
    assert problem["state"] == "recorded" and problem["state_label"] == "待处理" and problem["number"].startswith("QY")
    response = as_user(staff.d1_manager).get(f"/api/v1/enterprises/{enterprises['d2'].pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_record_a_visit(enterprises, tree, staff):
    client = as_user(staff.d1_manager)
    response = client.post(f"/api/v1/enterprises/{enterprises['d1'].pk}/visits", {
        "visited_on": YESTERDAY, "staff_ids": [staff.d1_manager.pk], "met_with": "人事经理张伟",
        "problems": [{"kind": "wages", "description": "工资推迟发放"}, {"kind": "safety", "description": "通风不足"}],
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["node_id"] == tree.d1.pk and len(body["problems"]) == 2
    case_id = body["problems"][0]["id"]
    assert Problem.objects.unscoped().get(pk=case_id).visit_id == body["id"]
    # Its steps go through the cases API.
    transitions = client.get(f"/api/v1/cases/{case_id}/transitions").json()
    assert [t["name"] for t in transitions] == ["start", "transfer", "close_unsolvable"]
    response = client.post(f"/api/v1/cases/{case_id}/transitions/start", {"version": 1},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "in_progress"


def test_errors_are_json_in_chinese(enterprises, tree, staff):
    client = as_user(staff.d1_manager)
    url = f"/api/v1/enterprises/{enterprises['d1'].pk}/visits"
    response = client.post(url, {"visited_on": YESTERDAY, "other_participants": "走访组",
                                 "problems": [{"kind": "wages", "description": ""}]}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["message"] == "第1个问题：请填写问题描述。"
    response = client.post(url, {"visited_on": YESTERDAY, "node_id": tree.d2.pk, "other_participants": "走访组"},
                           content_type="application/json")
    assert response.status_code == 422 and response.json()["fields"]["node"]
    assert not Visit.objects.unscoped().exists() and not Case.objects.unscoped().exists()


def test_a_viewer_may_read_but_not_record(tree, staff):
    own = make_enterprise(tree.g1, name="机械厂本厂")
    client = as_user(staff.g1_viewer)
    assert client.get(f"/api/v1/enterprises/{own.pk}").status_code == 200
    response = client.post(f"/api/v1/enterprises/{own.pk}/visits", {"visited_on": YESTERDAY,
                           "other_participants": "走访组"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not Visit.objects.unscoped().exists()
