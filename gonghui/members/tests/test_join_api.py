"""/api/v1/join-applications/: find the union, apply (idempotent), list, read; steps via /api/v1/cases/."""

import json

import pytest

from gonghui.members.models import JoinApplication, Membership
from gonghui.members.tests.factories import MembershipFactory, WorkerFactory
from gonghui.members.tests.join_helpers import applicant, apply, area, form_data, new_id
from gonghui.orgs.tests.factories import UnionNodeFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/join-applications/"


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def _payload(union, **overrides):
    return {"union_id": union.pk, **form_data(**overrides)}


def test_find_the_union_by_initials(client, tree):
    jhjx = UnionNodeFactory(name="江海机械制造有限公司工会委员会", parent=tree.d1)
    town, *_rest = area(tree)
    client.force_login(applicant())
    rows = client.get(f"{BASE}unions", {"q": "jhjx"}).json()
    assert [r["id"] for r in rows] == [jhjx.pk]
    assert rows[0]["apply_url"] == f"http://testserver/join/u/{jhjx.pk}/" and rows[0]["parent_name"] == "东城区总工会"
    assert [r["id"] for r in client.get(f"{BASE}unions", {"q": "新华", "area": "true"}).json()] == [town.pk]
    client.logout()
    assert client.get(f"{BASE}unions", {"q": "jhjx"}).status_code == 401


def test_apply_then_again_returns_the_same_application(client, tree):
    user = applicant()
    client.force_login(user)
    first = _post(client, BASE, _payload(tree.g1))
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["state"] == "submitted" and body["state_label"] == "等待工会审核" and body["node_id"] == tree.g1.pk
    assert body["id_number_masked"].count("*") == 12 and body["placement_choices"] == []
    again = _post(client, BASE, _payload(tree.g2, id_number=new_id()))
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert JoinApplication.objects.unscoped().count() == 1


def test_bad_input_answers_422_in_chinese(client, tree):
    client.force_login(applicant())
    good = new_id()
    response = _post(client, BASE, _payload(tree.g1, id_number=good[:17] + ("1" if good[17] == "0" else "0")))
    assert response.status_code == 422
    assert response.json()["message"] == "身份证号第18位校验码不正确，请核对。"
    response = _post(client, BASE, _payload(tree.g1, mobile="+85291234567"))
    assert response.json()["fields"]["mobile"] == ["手机号码不正确，请输入中国大陆11位手机号码。"]
    id_number = new_id()
    MembershipFactory(worker=WorkerFactory(id_number=id_number, name="张三"), union=tree.g2)
    response = _post(client, BASE, _payload(tree.g1, id_number=id_number, name="张三"))
    assert response.status_code == 422 and response.json()["message"] == "该身份证号已是在册会员，如需更换工会请申请转会。"
    assert _post(client, BASE, _payload(tree.city)).status_code == 404  # not a union that takes applications
    assert JoinApplication.objects.unscoped().count() == 0


def test_staff_cannot_apply(client, tree, staff):
    client.force_login(staff.g1_handler)
    response = _post(client, BASE, _payload(tree.g1))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_lists_staff_see_their_subtree_workers_their_own(client, tree, staff):
    user = applicant()
    mine, _ = apply(user, tree.g1)
    other, _ = apply(applicant(), tree.g2)
    client.force_login(user)
    assert [r["id"] for r in client.get(BASE).json()["items"]] == [mine.pk]
    client.force_login(staff.d1_manager)
    rows = client.get(BASE).json()["items"]
    assert [r["id"] for r in rows] == [mine.pk] and rows[0]["state_label"] == "待审核"
    assert client.get(BASE, {"state": "approved"}).json()["count"] == 0
    assert client.get(f"{BASE}{other.pk}").status_code == 404


def test_steps_go_through_the_engine_api(client, tree, staff):
    town, _joint, town_joint, _j2 = area(tree)
    user = applicant()
    application, _ = apply(user, town)
    client.force_login(staff.d1_manager)
    detail = client.get(f"{BASE}{application.pk}").json()
    assert [u["id"] for u in detail["placement_choices"]] == [town_joint.pk]
    allowed = client.get(f"/api/v1/cases/{application.pk}/transitions").json()
    assert [t["name"] for t in allowed] == ["place", "reject", "transfer"]
    response = _post(client, f"/api/v1/cases/{application.pk}/transitions/place",
                     {"version": 1, "data": {"union": town_joint.pk}})
    assert response.status_code == 200 and response.json()["state"] == "approved"
    membership = Membership.objects.unscoped().get(worker=application.worker)
    client.force_login(user)
    body = client.get(f"{BASE}{application.pk}").json()
    assert body["state_label"] == "已入会" and body["member_number"] == membership.member_number
    assert body["placement_choices"] == []


def test_reject_without_a_reason_is_refused_over_the_api(client, tree, staff):
    application, _ = apply(applicant(), tree.g1)
    client.force_login(staff.g1_handler)
    response = _post(client, f"/api/v1/cases/{application.pk}/transitions/reject", {"version": 1, "data": {}})
    assert response.status_code == 422 and response.json()["message"] == "请填写不通过的原因（职工可见）。"
