"""The intake API: applying (multipart with documents), deciding, the eligibility check and rules,
consultations (list, log, answer) and centres — with the bad input the issue lists."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gonghui.accounts.tests.factories import StaffFactory, grant
from gonghui.legal.models import LegalCase
from gonghui.legal.tests.factories import BAD_USCC, GOOD_USCC, PNG, make_centre, make_legal_case
from gonghui.requests.tests.factories import member_user, submit

pytestmark = pytest.mark.django_db
API = "/api/v1/legal"


def png(name="证据.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def centre(tree):
    return make_centre(tree.city)


@pytest.fixture
def officer(centre):
    user = StaffFactory(username="t_api_legal")
    grant(user, centre.node, "manager")
    return user


@pytest.fixture
def migrant(tree):
    return member_user(tree.g2, name="李建国", migrant_worker=True)


def login(user):
    client = Client()
    client.force_login(user)
    return client


def payload(**overrides):
    values = {"matter": "wages", "opponent_name": "江海宏达建筑劳务有限公司", "opponent_uscc": GOOD_USCC,
              "facts": "在宏达工地干了三个月，工资一直没发。", "amount_claimed": "18000", "workers_involved": "12",
              "is_migrant": "true", "doc_pay_records": png(), "doc_id_card": png()}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def test_worker_applies_through_the_api(centre, migrant):
    client = login(migrant)
    response = client.post(f"{API}/applications", payload())
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["state"] == "submitted" and body["eligibility_rule"] == "migrant_arrears"
    assert body["documents"] == ["id_card", "pay_records"] and body["workers_involved"] == 12
    assert body["number"].startswith("FY") and body["centre_id"] == centre.node_id
    got = client.get(f"{API}/applications/{body['id']}").json()
    assert got["number"] == body["number"]


@pytest.mark.parametrize("overrides, field, message", [
    ({"doc_id_card": None}, "documents", "身份证"),
    ({"opponent_uscc": BAD_USCC}, "opponent_uscc", "校验码不正确"),
    ({"amount_claimed": "-1"}, "amount_claimed", "不能是负数"),
    ({"workers_involved": "0"}, "workers_involved", "至少为1"),
])
def test_bad_applications(centre, migrant, overrides, field, message):
    response = login(migrant).post(f"{API}/applications", payload(**overrides))
    assert response.status_code == 422
    body = response.json()
    assert message in " ".join(body["fields"][field]) and body["message"]
    assert not LegalCase.objects.unscoped().exists()


def test_decision_through_the_api(tree, centre, officer, migrant, staff):
    legal_case = make_legal_case(tree.g2, centre=centre)
    client = login(officer)
    stale = client.post(f"{API}/applications/{legal_case.pk}/decision",
                        {"action": "approve", "version": legal_case.case.version + 5}, content_type="application/json")
    assert stale.status_code == 409 and "刷新" in stale.json()["message"]
    missing = client.post(f"{API}/applications/{legal_case.pk}/decision",
                          {"action": "reject", "version": legal_case.case.version}, content_type="application/json")
    assert missing.status_code == 422 and "不予援助的原因" in missing.json()["message"]
    ok = client.post(f"{API}/applications/{legal_case.pk}/decision",
                     {"action": "approve", "version": legal_case.case.version, "note": "予以受理"},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["state"] == "approved" and ok.json()["decided_on"]
    # a stranger: 404
    assert login(staff.d1_admin).get(f"{API}/applications/{legal_case.pk}").status_code == 404


def test_eligibility_check_and_rules(tree, centre, migrant):
    client = login(migrant)
    yes = client.post(f"{API}/eligibility/check", {"matter": "wages", "is_migrant": True},
                      content_type="application/json").json()
    assert yes["eligible"] and yes["rule_code"] == "migrant_arrears" and "身份证" in yes["required_documents"]
    no = client.post(f"{API}/eligibility/check", {"matter": "dismissal"}, content_type="application/json").json()
    assert not no["eligible"] and "暂不符合" in no["explanation"]
    rules = client.get(f"{API}/eligibility/rules", {"federation_id": tree.d2.pk}).json()
    assert rules["source"] == "default" and len(rules["rules"]) == 4
    assert client.get(f"{API}/eligibility/rules", {"federation_id": tree.g2.pk}).status_code == 404


def test_consultations_api(tree, centre, officer, migrant, staff):
    req = submit(migrant, code="legal", kind="consultation", description="欠薪怎么办？", migrant_worker=True)
    client = login(officer)
    items = client.get(f"{API}/consultations", {"answered": False}).json()["items"]
    assert [i["id"] for i in items] == [req.pk] and not items[0]["answered"]
    bad = client.post(f"{API}/consultations/{req.pk}/answer", {"answer": "好", "minutes_spent": 700},
                      content_type="application/json")
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {"answer", "minutes_spent"}
    ok = client.post(f"{API}/consultations/{req.pk}/answer", {"answer": "可以申请法律援助。", "law_cited": "《劳动法》第五十条",
                                                              "minutes_spent": 15}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["answered"] and ok.json()["law_cited"] == "《劳动法》第五十条"
    logged = client.post(f"{API}/consultations", {"centre_id": centre.pk, "name": "刘大姐", "phone": "13812345678",
                                                  "question": "辞退补偿怎么算？", "channel": "visit"},
                         content_type="application/json")
    assert logged.status_code == 201 and logged.json()["channel"] == "visit"
    assert login(staff.d1_admin).get(f"{API}/consultations/{req.pk}").status_code == 404
    assert login(migrant).get(f"{API}/consultations").status_code == 404
    # the consultation turned into an application by the centre
    response = client.post(f"{API}/applications", payload(consultation_id=req.pk))
    assert response.status_code == 201
    assert LegalCase.objects.unscoped().get().consultation_id == req.pk


def test_centres_api(centre, officer, staff):
    names = [c["name"] for c in login(officer).get(f"{API}/centres").json()]
    assert names == [centre.node.name]
    assert login(staff.d1_admin).get(f"{API}/centres").json() == []
