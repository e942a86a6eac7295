"""The cases part's API: partners see only their assignments (404 otherwise), stages, recoveries
(bad amounts: 422 with a Chinese message), the closing report and the close, assignment, rating."""

import datetime

import pytest
from django.test import Client

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.ledger.models import ServiceRecord
from gonghui.legal.models import Recovery, Stage
from gonghui.legal.tests.cases_factories import (
    add_final_document,
    assigned_case,
    centre_handler,
    centre_manager,
    make_lawyer,
)
from gonghui.legal.tests.factories import GOOD_USCC, make_legal_case

pytestmark = pytest.mark.django_db
API = "/api/v1/legal"
TODAY = datetime.date.today().isoformat()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_partner_lists_and_reads_only_their_assignments(tree, staff):
    mine = assigned_case(tree.g2)
    other = assigned_case(tree.g2)
    unassigned = make_legal_case(tree.g2)
    client = _client(mine.lawyer.user)
    rows = client.get(f"{API}/cases/").json()
    assert rows["count"] == 1 and rows["items"][0]["id"] == mine.pk
    assert rows["items"][0]["number"] == mine.case.number and rows["items"][0]["lawyer_name"] == mine.lawyer.name
    one = client.get(f"{API}/cases/{mine.pk}").json()
    assert one["assignments"][0]["number"].endswith("第0001号") and one["limitation"]["level"] == "info"
    for pk in (other.pk, unassigned.pk, 999999):
        response = client.get(f"{API}/cases/{pk}")
        assert response.status_code == 404 and response.json()["message"] == "找不到该记录。"
    assert client.get(f"{API}/cases/{other.pk}/stages").status_code == 404
    assert client.post(f"{API}/cases/{other.pk}/progress", {"text": "x"}, content_type="application/json") \
        .status_code == 404
    staff_rows = _client(staff.d2_admin).get(f"{API}/cases/?limit=50").json()
    assert {r["id"] for r in staff_rows["items"]} == {mine.pk, other.pk, unassigned.pk}
    assert _client(staff.d1_admin).get(f"{API}/cases/").json()["count"] == 0


def test_stages_hearings_and_limitation_through_the_api(tree):
    legal_case = assigned_case(tree.g2)
    client = _client(legal_case.lawyer.user)
    response = client.post(f"{API}/cases/{legal_case.pk}/stages", {"kind": "mediation", "started_on": TODAY},
                           content_type="application/json")
    assert response.status_code == 201
    stage_id = response.json()["id"]
    response = client.post(f"{API}/cases/{legal_case.pk}/stages", {"kind": "arbitration", "started_on": TODAY},
                           content_type="application/json")
    assert response.status_code == 422 and "尚未结束" in response.json()["message"]
    assert client.post(f"{API}/stages/{stage_id}/hearings", {"held_on": TODAY, "record": "调解一次"},
                       content_type="application/json").status_code == 201
    response = client.post(f"{API}/stages/{stage_id}/end", {"ended_on": TODAY, "result": "调解成功"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["result"] == "调解成功"
    stages = client.get(f"{API}/cases/{legal_case.pk}/stages").json()
    assert stages[0]["hearings"][0]["record"] == "调解一次"
    past = (datetime.date.today() - datetime.timedelta(days=350)).isoformat()
    response = client.put(f"{API}/cases/{legal_case.pk}/limitation", {"infringed_on": past},
                          content_type="application/json")
    # A wage-arrears case while still employed: the year does not run.
    assert response.status_code == 200 and response.json()["ends_on"] is None
    response = client.put(f"{API}/cases/{legal_case.pk}/limitation",
                          {"infringed_on": past, "employment_ended_on": past}, content_type="application/json")
    assert response.json()["level"] == "warn" and "请尽快申请劳动仲裁" in response.json()["text"]
    assert Stage.objects.unscoped().count() == 1


@pytest.mark.parametrize("amount, message", [("-1", "不能为负数"), ("12000.01", "超过申请时请求的金额"),
                                             ("一千", "应为金额数字")])
def test_bad_recovery_amounts_are_refused(tree, amount, message):
    legal_case = assigned_case(tree.g2)
    response = _client(legal_case.lawyer.user).post(
        f"{API}/cases/{legal_case.pk}/recoveries", {"amount": amount, "recovered_on": TODAY},
        content_type="application/json")
    assert response.status_code == 422 and message in response.json()["message"]
    assert response.json()["fields"]["amount"]
    assert not Recovery.objects.unscoped().exists()


def test_a_recovery_writes_the_ledger_row(tree):
    legal_case = assigned_case(tree.g2)
    client = _client(legal_case.lawyer.user)
    response = client.post(f"{API}/cases/{legal_case.pk}/recoveries", {"amount": "6000", "recovered_on": TODAY},
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["worker_id"] == legal_case.worker_id
    row = ServiceRecord.objects.unscoped().get()
    assert row.worker == legal_case.worker and str(row.amount) == "6000.00"
    assert client.get(f"{API}/cases/{legal_case.pk}/recoveries").json()[0]["amount"] == "6000.00"


def test_close_without_the_final_document_then_with_it(tree):
    user = WorkerUserFactory()
    legal_case = assigned_case(tree.g2, user=user)
    lawyer = _client(legal_case.lawyer.user)
    response = lawyer.post(f"{API}/cases/{legal_case.pk}/closing-report",
                           {"outcome": "settled", "text": "调解结案", "amount_awarded": "5000"},
                           content_type="application/json")
    assert response.status_code == 422 and "结案文书" in response.json()["message"]
    add_final_document(legal_case, legal_case.lawyer.user)
    response = lawyer.post(f"{API}/cases/{legal_case.pk}/closing-report",
                           {"outcome": "settled", "text": "调解结案", "amount_awarded": "5000"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["closing_report"] == "调解结案"
    version = response.json()["version"]
    assert lawyer.post(f"{API}/cases/{legal_case.pk}/close", {"version": version},
                       content_type="application/json").status_code == 403
    centre = _client(centre_handler(legal_case.case.node))
    assert centre.post(f"{API}/cases/{legal_case.pk}/close", {"version": version - 1},
                       content_type="application/json").status_code == 409
    response = centre.post(f"{API}/cases/{legal_case.pk}/close", {"version": version},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "closed"
    assert response.json()["outcome"] == "settled" and response.json()["closed_on"] == TODAY
    # The applicant reads their case and rates it, once.
    applicant = _client(user)
    assert applicant.get(f"{API}/cases/").json()["count"] == 1
    response = applicant.post(f"{API}/cases/{legal_case.pk}/rate", {"rating": 0}, content_type="application/json")
    assert response.status_code == 422 and "1到5颗星" in response.json()["message"]
    response = applicant.post(f"{API}/cases/{legal_case.pk}/rate", {"rating": 5, "comment": "满意"},
                              content_type="application/json")
    assert response.status_code == 200 and response.json()["rating"] == 5
    assert lawyer.post(f"{API}/cases/{legal_case.pk}/rate", {"rating": 1},
                       content_type="application/json").status_code == 403


def test_assign_through_the_api_refuses_a_conflict(tree, staff):
    legal_case = make_legal_case(tree.g2, state="approved", opponent_uscc=GOOD_USCC)
    conflicted = make_lawyer(legal_case.case.node, name="有冲突的律师", conflicts=[GOOD_USCC])
    fine = make_lawyer(legal_case.case.node, name="无冲突的律师")
    client = _client(centre_manager(legal_case.case.node))
    roster = client.get(f"{API}/cases/{legal_case.pk}/roster").json()
    assert {r["name"]: r["conflict"] for r in roster} == {"有冲突的律师": True, "无冲突的律师": False}
    version = legal_case.case.version
    response = client.post(f"{API}/cases/{legal_case.pk}/assign", {"version": version, "lawyer_id": conflicted.pk},
                           content_type="application/json")
    assert response.status_code == 422 and "利益冲突" in response.json()["message"]
    response = client.post(f"{API}/cases/{legal_case.pk}/assign", {"version": version, "lawyer_id": fine.pk},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["lawyer_name"] == "无冲突的律师"
    handler = _client(centre_handler(legal_case.case.node))
    assert handler.get(f"{API}/cases/{legal_case.pk}/roster").status_code == 403
    lawyers = client.get(f"{API}/lawyers/").json()
    assert {r["name"] for r in lawyers["items"]} == {"有冲突的律师", "无冲突的律师"}
