"""The enrolment API: mine, sign up, cancel, confirm, roster, check-in, figures."""

import json

import pytest
from django.test import Client

from gonghui.enrolment import services
from gonghui.enrolment.models import Enrolment
from gonghui.enrolment.tests.factories import make_offering, make_worker_user
from gonghui.ledger.models import ServiceRecord

API = "/api/v1/enrolments"
S = Enrolment.Status


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_worker_signs_up_cancels_and_confirms(tree):
    offering = make_offering(tree.g1, capacity=1, per_person_limit=2)
    first, second = make_worker_user(tree.g1), make_worker_user(tree.g1)
    a, b = client_for(first), client_for(second)
    response = post(a, f"{API}/offerings/{offering.pk}/sign-up", {"seats": 1})
    assert response.status_code == 201
    mine = response.json()
    assert mine["status"] == "confirmed" and len(mine["code"]) == 6 and mine["check_in_token"]
    response = post(a, f"{API}/offerings/{offering.pk}/sign-up")
    assert response.status_code == 422 and response.json()["code"] == "duplicate"
    assert "不能重复报名" in response.json()["message"]
    response = post(b, f"{API}/offerings/{offering.pk}/sign-up", {"seats": 3})
    assert response.status_code == 422 and response.json()["message"] == "每人最多报2个名额。"
    waiting = post(b, f"{API}/offerings/{offering.pk}/sign-up").json()
    assert waiting["status"] == "waiting" and waiting["position"] == 1 and waiting["code"] == ""
    assert waiting["check_in_token"] is None
    assert post(b, f"{API}/{mine['id']}/cancel").status_code == 404  # not theirs
    assert post(a, f"{API}/{mine['id']}/cancel").json()["status"] == "cancelled"
    listed = b.get(f"{API}/mine").json()
    assert listed[0]["status"] == "offered" and listed[0]["offer_expires_at"]
    assert post(b, f"{API}/{waiting['id']}/confirm").json()["status"] == "confirmed"
    response = post(b, f"{API}/{waiting['id']}/confirm")
    assert response.status_code == 422 and response.json()["code"] == "not_offered"


def test_sign_up_refusals(tree):
    full = make_offering(tree.g1, capacity=1, waitlist=False)
    services.sign_up(full, make_worker_user(tree.g1))
    client = client_for(make_worker_user(tree.g1))
    response = post(client, f"{API}/offerings/{full.pk}/sign-up")
    assert response.status_code == 422 and response.json()["code"] == "full" and "不设候补" in response.json()["message"]
    women = make_offering(tree.g1, audience="women")
    response = post(client, f"{API}/offerings/{women.pk}/sign-up")
    assert response.json()["code"] == "audience" and "女职工" in response.json()["message"]
    draft = make_offering(tree.g1, status="draft")
    assert post(client, f"{API}/offerings/{draft.pk}/sign-up").status_code == 404
    questions = make_offering(tree.g1, questions=services.clean_questions(
        [{"key": "n", "label": "人数", "type": "number", "required": True}]))
    response = post(client, f"{API}/offerings/{questions.pk}/sign-up", {"answers": {"n": "很多"}})
    assert response.status_code == 422 and response.json()["message"] == "“人数”请填写数字。"
    assert Client().post(f"{API}/offerings/{full.pk}/sign-up").status_code == 401


@pytest.fixture
def event_kind():
    from gonghui.enrolment import registry

    previous = registry._KINDS.get("event")  # the activities app's own registration, when installed
    registry.register_kind("event", ledger_kind="activities.attended", label="参加职工文体活动")
    yield
    if previous is None:
        registry._KINDS.pop("event", None)
    else:  # put it back: later tests (activities) rely on it
        registry._KINDS["event"] = previous


def test_roster_and_check_in(tree, staff, event_kind):
    offering = make_offering(tree.g1, capacity=1)
    holder = make_worker_user(tree.g1, name="接口职工")
    enrolment = services.sign_up(offering, holder)
    services.sign_up(offering, make_worker_user(tree.g1))
    client = client_for(staff.g1_handler)
    roster = client.get(f"{API}/offerings/{offering.pk}/roster").json()
    assert roster["confirmed_count"] == 1 and [r["status"] for r in roster["rows"]] == ["confirmed", "waiting"]
    assert client_for(staff.d2_admin).get(f"{API}/offerings/{offering.pk}/roster").status_code == 404

    token = services.make_token(enrolment)
    response = post(client, f"{API}/check-in", {"token": token})
    assert response.status_code == 200 and response.json()["name"] == "接口职工" and response.json()["attended_at"]
    assert ServiceRecord.objects.unscoped().filter(kind="activities.attended", worker=holder.worker).count() == 1
    response = post(client, f"{API}/check-in", {"token": token})
    assert response.status_code == 422 and response.json()["code"] == "already"
    response = post(client, f"{API}/check-in", {"token": token[:-2] + "zz"})
    assert response.status_code == 422 and response.json()["code"] == "forged"
    response = post(client, f"{API}/check-in", {"code": "ABCDEF"})
    assert response.status_code == 422 and response.json()["code"] == "no_offering"
    response = post(client, f"{API}/check-in", {"code": "ABCDEF", "offering_id": offering.pk})
    assert response.status_code == 422 and response.json()["code"] == "unknown"
    assert post(client_for(holder), f"{API}/check-in", {"token": token}).status_code == 404
    response = post(client_for(staff.g1_viewer), f"{API}/check-in", {"token": token})
    assert response.status_code == 403
    assert client_for(holder).get(f"{API}/figures").status_code == 403
