"""The aid API: funds, aid payments (list/create/approve/reject), plans, pairings — scoped, errors as JSON
in Chinese."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.hardship import services_aid as aid
from gonghui.hardship.models import AidPayment, Fund
from gonghui.hardship.tests.aid_factories import make_file, make_fund, make_pairing, make_payment
from gonghui.hardship.tests.factories import PolicyVersionFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/hardship"
TODAY = timezone.localdate


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data=None):
    import json

    return client.post(url, json.dumps(data or {}), content_type="application/json")


def patch(client, url, data):
    import json

    return client.patch(url, json.dumps(data), content_type="application/json")


def test_funds_are_listed_in_scope_and_created_by_approvers(tree, staff):
    make_fund(tree.d1, budget="1000", spent="250", name="东城资金")
    make_fund(tree.d2, name="西城资金")
    body = as_user(staff.d1_manager).get(f"{API}/funds/").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["name"] == "东城资金" and item["remaining"] == "750.00" and item["source_label"] == "工会经费"
    response = post(as_user(staff.d1_manager), f"{API}/funds/",
                    {"union_id": tree.d1.pk, "year": TODAY().year, "source": "fiscal", "budget": "200000"})
    assert response.status_code == 201 and response.json()["budget"] == "200000.00"
    response = post(as_user(staff.d1_manager), f"{API}/funds/",
                    {"union_id": tree.d2.pk, "year": TODAY().year, "source": "fiscal", "budget": "1"})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = post(as_user(staff.g1_handler), f"{API}/funds/",
                    {"union_id": tree.g1.pk, "year": TODAY().year, "source": "fiscal", "budget": "1"})
    assert response.status_code == 403
    response = post(as_user(staff.d1_manager), f"{API}/funds/",
                    {"union_id": tree.d1.pk, "year": TODAY().year, "source": "fiscal", "budget": "-5"})
    assert response.status_code == 422 and "年度预算应大于0元" in response.json()["message"]


def test_a_budget_is_patched_but_not_below_spending(tree, staff):
    fund = make_fund(tree.d1, budget="1000", spent="600")
    response = patch(as_user(staff.d1_manager), f"{API}/funds/{fund.pk}", {"budget": "500"})
    assert response.status_code == 422 and "预算不能少于已支出的600.00元" in response.json()["message"]
    assert patch(as_user(staff.d1_manager), f"{API}/funds/{fund.pk}", {"budget": "900"}).json()["remaining"] == "300.00"
    assert patch(as_user(staff.g1_handler), f"{API}/funds/{fund.pk}", {"budget": "1"}).status_code == 404
    assert patch(as_user(staff.d2_manager), f"{API}/funds/{fund.pk}", {"budget": "1"}).status_code == 404


def test_aid_is_requested_approved_and_listed_over_the_api(tree, staff):
    file = make_file(tree.g1)
    fund = make_fund(tree.d1, budget="5000")
    handler = as_user(staff.g1_handler)
    response = post(handler, f"{API}/aid/", {"file_id": file.pk, "fund_id": fund.pk, "kind": "education",
                                             "amount": "3000", "reason": "孩子上高中学费"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["kind_label"] == "助学救助" and body["worker_name"] == file.worker.name
    aid_id = body["id"]
    refused = post(handler, f"{API}/aid/{aid_id}/approve")
    assert refused.status_code == 403 and "基层工会可以申请但不能审批" in refused.json()["message"]
    approved = post(as_user(staff.d1_manager), f"{API}/aid/{aid_id}/approve", {"note": "同意"})
    assert approved.status_code == 200 and approved.json()["status"] == "paid"
    again = post(as_user(staff.d1_manager), f"{API}/aid/{aid_id}/approve")
    assert again.status_code == 422 and "不能重复审批" in again.json()["message"]
    listing = handler.get(f"{API}/aid/", {"status": "paid"}).json()
    assert listing["count"] == 1 and listing["items"][0]["paid_on"] == TODAY().isoformat()
    assert as_user(staff.d2_manager).get(f"{API}/aid/").json()["count"] == 0
    assert as_user(staff.d2_manager).get(f"{API}/aid/{aid_id}").status_code == 404


def test_bad_aid_requests_answer_in_chinese(tree, staff):
    file = make_file(tree.g1)
    fund = make_fund(tree.d1, budget="500")
    handler = as_user(staff.g1_handler)
    over_budget = post(handler, f"{API}/aid/", {"file_id": file.pk, "fund_id": fund.pk, "kind": "living",
                                                "amount": "800"})
    assert over_budget.status_code == 422 and "资金余额不足" in over_budget.json()["message"]
    over_cap = post(handler, f"{API}/aid/", {"file_id": file.pk, "fund_id": fund.pk, "kind": "other",
                                             "amount": "5000.01"})
    assert over_cap.status_code == 422 and "超过年度上限" in over_cap.json()["message"]
    unregistered = make_file(tree.g1, status="applying")
    response = post(handler, f"{API}/aid/", {"file_id": unregistered.pk, "fund_id": fund.pk, "kind": "living",
                                             "amount": "10"})
    assert response.status_code == 422 and "只有在档的困难职工家庭" in response.json()["message"]
    other_district = make_file(tree.g2)
    response = post(handler, f"{API}/aid/", {"file_id": other_district.pk, "fund_id": fund.pk, "kind": "living",
                                             "amount": "10"})
    assert response.status_code == 404
    assert not AidPayment.objects.unscoped().exists()


def test_large_aid_and_rejection_over_the_api(tree, staff):
    PolicyVersionFactory(node=tree.city, params={"large_aid_threshold": "100"})
    payment = make_payment(union=tree.g1, fund=make_fund(tree.d1), amount="500")
    forwarded = post(as_user(staff.d1_manager), f"{API}/aid/{payment.pk}/approve")
    assert forwarded.json()["status"] == "awaiting_city" and forwarded.json()["needs_city"]
    refused = post(as_user(staff.d1_admin), f"{API}/aid/{payment.pk}/reject", {"reason": "不同意"})
    assert refused.status_code == 403 and "须由市总工会审批" in refused.json()["message"]
    no_reason = post(as_user(staff.city_admin), f"{API}/aid/{payment.pk}/reject", {"reason": " "})
    assert no_reason.status_code == 422 and "请填写不予批准的理由" in no_reason.json()["message"]
    rejected = post(as_user(staff.city_admin), f"{API}/aid/{payment.pk}/reject", {"reason": "重复申请"})
    assert rejected.json()["status"] == "rejected" and rejected.json()["rejection_reason"] == "重复申请"
    assert Fund.objects.unscoped().get(pk=payment.fund_id).spent == Decimal("0")


def test_plans_over_the_api(tree, staff):
    file = make_file(tree.g1)
    handler = as_user(staff.g1_handler)
    assert handler.get(f"{API}/files/{file.pk}/plan").json()["measures"] == []
    response = post(handler, f"{API}/files/{file.pk}/plan/measures",
                    {"kind": "entrepreneurship", "target": "申请创业担保贷款", "responsible": "孙"})
    assert response.status_code == 201 and response.json()["kind_label"] == "创业扶持"
    measure_id = response.json()["id"]
    done = patch(handler, f"{API}/plan-measures/{measure_id}", {"status": "done", "note": "已放款"})
    assert done.json()["status"] == "done" and done.json()["done_on"] == TODAY().isoformat()
    bad = patch(handler, f"{API}/plan-measures/{measure_id}", {"status": "cancelled"})
    assert bad.status_code == 422 and "请说明原因" in bad.json()["message"]
    plans = as_user(staff.d1_manager).get(f"{API}/plans/").json()
    assert plans["count"] == 1 and plans["items"][0]["measure_count"] == 1
    assert as_user(staff.d2_manager).get(f"{API}/files/{file.pk}/plan").status_code == 404


def test_pairings_over_the_api_with_the_overdue_flag(tree, staff):
    stale = make_pairing(union=tree.g1, started_on=TODAY() - datetime.timedelta(days=95), helper_name="老结对")
    file = make_file(tree.g1)
    handler = as_user(staff.g1_handler)
    created = post(handler, f"{API}/pairings/", {"file_id": file.pk, "helper_kind": "model_worker",
                                                 "helper_name": "许劳模"})
    assert created.status_code == 201 and created.json()["contacts"] == [] and not created.json()["overdue"]
    overdue = handler.get(f"{API}/pairings/", {"state": "overdue"}).json()
    assert [p["helper_name"] for p in overdue["items"]] == ["老结对"] and overdue["items"][0]["overdue"]
    contact = post(handler, f"{API}/pairings/{stale.pk}/contacts",
                   {"contacted_on": TODAY().isoformat(), "way": "visit", "help_given": "送慰问品", "value": "200"})
    assert contact.status_code == 201 and contact.json()["way_label"] == "上门走访"
    detail = handler.get(f"{API}/pairings/{stale.pk}").json()
    assert not detail["overdue"] and detail["contacts"][0]["value"] == "200.00"
    ended = post(handler, f"{API}/pairings/{stale.pk}/end", {"reason": "户主退休"})
    assert ended.json()["ended_on"] == TODAY().isoformat()
    assert post(handler, f"{API}/pairings/{stale.pk}/end", {"reason": "again"}).status_code == 422
    assert as_user(staff.d2_manager).get(f"{API}/pairings/{stale.pk}").status_code == 404


def test_the_concurrency_guard_holds_over_the_service_used_by_the_api(tree, staff):
    fund = make_fund(tree.d1, budget="100")
    first = make_payment(union=tree.g1, fund=fund, amount="80")
    second = make_payment(union=tree.g1, fund=fund, amount="80")
    aid.approve_aid(first, by=staff.d1_manager)
    response = post(as_user(staff.d1_manager), f"{API}/aid/{second.pk}/approve")
    assert response.status_code == 422 and "只剩20.00元" in response.json()["message"]
