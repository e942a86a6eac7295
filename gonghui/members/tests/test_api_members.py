"""/api/v1/members/: the list with the page's filters, register, read, change, reveal, status, transfer, export."""

import datetime
import json
import random

import pytest
from django.test import Client

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.audit.models import AuditEntry
from gonghui.demo.idnumbers import fake_id_number
from gonghui.members import services
from gonghui.members.models import Membership, Transfer, Worker
from gonghui.workflow.models import Case

ID_A = fake_id_number(random.Random(71))
ID_B = fake_id_number(random.Random(72))


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def two(tree):
    a = services.enrol(services.register_worker(name="张三", id_number=ID_A, mobile="13912340001", by=None), tree.g1,
                       joined_on=datetime.date(2019, 1, 1), by=None)
    b = services.enrol(services.register_worker(name="王芳", id_number=ID_B, by=None), tree.g2,
                       joined_on=datetime.date(2020, 1, 1), by=None)
    return a, b


def test_list_is_scoped_and_filtered(two, staff):
    a, b = two
    data = as_user(staff.d1_manager).get("/api/v1/members/").json()
    assert (data["count"], data["count_capped"]) == (1, False)
    assert [m["name"] for m in data["items"]] == ["张三"]
    item = data["items"][0]
    assert item["id_number_masked"] == a.worker.id_number_masked and ID_A not in json.dumps(data)
    city = as_user(staff.city_admin)
    assert [m["name"] for m in city.get("/api/v1/members/", {"sort": "-pinyin"}).json()["items"]] == ["张三", "王芳"]
    assert [m["name"] for m in city.get("/api/v1/members/", {"q": "wf"}).json()["items"]] == ["王芳"]
    assert [m["name"] for m in city.get("/api/v1/members/", {"q": ID_B}).json()["items"]] == ["王芳"]
    assert [m["name"] for m in city.get("/api/v1/members/", {"union": two[1].union_id}).json()["items"]] == ["王芳"]
    page = city.get("/api/v1/members/", {"limit": 1, "offset": 1, "sort": "pinyin"}).json()
    assert page["count"] == 2 and [m["name"] for m in page["items"]] == ["张三"]


def test_list_needs_staff(two):
    response = as_user(WorkerUserFactory()).get("/api/v1/members/")
    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "message": "您没有执行此操作的权限。"}


def test_register_over_the_api(tree, staff):
    response = post(as_user(staff.g1_handler), "/api/v1/members/", {
        "union_id": tree.g1.pk, "name": "李四", "id_number": ID_A, "mobile": "13912345678", "ethnicity": "汉族",
        "joined_on": "2024-01-02"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "李四" and body["member_number"].startswith("M") and body["joined_on"] == "2024-01-02"
    assert body["id_number_masked"] == ID_A[:3] + "*" * 12 + ID_A[-3:]


@pytest.mark.parametrize("payload, message", [
    ({"id_number": ID_A[:17] + ("0" if ID_A[17] != "0" else "1")}, "身份证号第18位校验码不正确，请核对。"),
    ({"mobile": "+12125550100"}, "手机号码不正确，请输入中国大陆11位手机号码。"),
])
def test_register_bad_input_is_422_in_chinese(tree, staff, payload, message):
    data = {"union_id": tree.g1.pk, "name": "李四", "id_number": ID_A, **payload}
    response = post(as_user(staff.g1_handler), "/api/v1/members/", data)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and response.json()["message"] == message
    assert not Worker.objects.unscoped().exists()


def test_register_an_active_member_elsewhere_is_refused(two, tree, staff):
    response = post(as_user(staff.d1_manager), "/api/v1/members/",
                    {"union_id": tree.g1.pk, "name": "王芳", "id_number": ID_B})
    assert response.status_code == 422
    assert response.json()["message"].startswith("该职工已是其他基层工会的在册会员")


def test_register_into_a_union_out_of_scope_is_404(tree, staff):
    response = post(as_user(staff.d1_manager), "/api/v1/members/",
                    {"union_id": tree.g2.pk, "name": "李四", "id_number": ID_A})
    assert response.status_code == 404 and response.json()["message"] == "找不到该记录。"


def test_read_and_change(two, staff):
    a, _b = two
    client = as_user(staff.g1_handler)
    assert client.get(f"/api/v1/members/{a.pk}").json()["name"] == "张三"
    response = patch(client, f"/api/v1/members/{a.pk}", {"name": "张叁", "education": "college",
                                                          "migrant_worker": True, "joined_on": "2019-02-01"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["education"], body["migrant_worker"], body["joined_on"], body["mobile"]) == \
        ("张叁", "college", True, "2019-02-01", "13912340001")
    assert Membership.objects.unscoped().get(pk=a.pk).sort_name == "zhangsan"
    response = patch(client, f"/api/v1/members/{a.pk}", {"mobile": "123"})
    assert response.status_code == 422 and response.json()["fields"] == {
        "mobile": ["手机号码不正确，请输入中国大陆11位手机号码。"]}
    assert patch(as_user(staff.g1_viewer), f"/api/v1/members/{a.pk}", {"name": "x"}).status_code == 403


def test_reveal_id(two, staff, tree):
    a, _b = two
    assert post(as_user(staff.g1_handler), f"/api/v1/members/{a.pk}/reveal-id", {}).status_code == 403
    assert not AuditEntry.objects.unscoped().filter(action=AuditEntry.Action.VIEW_PERSONAL).exists()
    response = post(as_user(staff.d1_admin), f"/api/v1/members/{a.pk}/reveal-id", {})
    assert response.json() == {"id_number": ID_A}
    entry = AuditEntry.objects.unscoped().get(action=AuditEntry.Action.VIEW_PERSONAL)
    assert (entry.actor, entry.node) == (staff.d1_admin, tree.g1)


def test_status_over_the_api(two, staff):
    a, _b = two
    client = as_user(staff.g1_handler)
    response = post(client, f"/api/v1/members/{a.pk}/status", {"kind": "leave"})
    assert response.status_code == 422 and response.json()["message"] == "请填写变更原因。"
    response = post(client, f"/api/v1/members/{a.pk}/status", {"kind": "leave", "reason": "辞职", "on": "2024-06-01"})
    body = response.json()
    assert (body["status"], body["status_changed_on"], body["status_reason"]) == ("left", "2024-06-01", "辞职")
    assert [h["kind"] for h in body["history"]] == ["left"]


def test_transfer_over_the_api_then_the_case_steps(two, tree, staff):
    a, _b = two
    response = post(as_user(staff.g1_handler), f"/api/v1/members/{a.pk}/transfer",
                    {"to_union_id": tree.g2.pk, "reason": "调动"})
    assert response.status_code == 201, response.content
    t = response.json()
    assert (t["state"], t["from_union_id"], t["to_union_id"]) == ("release", tree.g1.pk, tree.g2.pk)
    # The steps are the engine's: /api/v1/cases/{id}/transitions/{name}
    step = post(as_user(staff.g1_handler), f"/api/v1/cases/{t['id']}/transitions/release", {"version": t["version"]})
    assert step.status_code == 200, step.content
    step = post(as_user(staff.d2_manager), f"/api/v1/cases/{t['id']}/transitions/accept",
                {"version": Case.objects.unscoped().get(pk=t["id"]).version})
    assert step.status_code == 200, step.content
    listed = as_user(staff.d1_manager).get("/api/v1/members/transfers").json()
    assert [x["state"] for x in listed] == ["completed"] and listed[0]["new_membership_id"]
    assert as_user(staff.d2_manager).get("/api/v1/members/transfers", {"state": "completed"}).json()[0]["id"] == t["id"]
    assert Transfer.objects.unscoped().get().new_membership.union == tree.g2


def test_transfer_bad_input(two, tree, staff):
    a, _b = two
    response = post(as_user(staff.g1_handler), f"/api/v1/members/{a.pk}/transfer",
                    {"to_union_id": tree.g1.pk, "reason": "调动"})
    assert response.status_code == 422 and response.json()["message"] == "这是您现在所在的工会，请选择另一个基层工会。"
    assert post(as_user(staff.g1_viewer), f"/api/v1/members/{a.pk}/transfer",
                {"to_union_id": tree.g2.pk, "reason": "调动"}).status_code == 403


def test_export_over_the_api(two, staff):
    response = as_user(staff.d1_manager).get("/api/v1/members/export", {"format": "csv", "encoding": "gbk"})
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode("gbk")
    assert "张三" in text and "王芳" not in text and ID_A not in text
    entry = AuditEntry.objects.unscoped().get(event="members.exported")
    assert entry.extra["encoding"] == "gbk" and entry.extra["rows"] == 1
    assert as_user(staff.g1_handler).get("/api/v1/members/export").status_code == 403
