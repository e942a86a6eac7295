"""金秋助学 and 送温暖 over the API: scoped lists, applying with the letter, batches, visits."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gonghui.hardship import services_campaigns as svc
from gonghui.hardship.models import GoldenAutumnApplication, WarmthTarget
from gonghui.hardship.tests.campaigns_helpers import (
    PDF,
    PNG,
    application_data,
    letter,
    make_campaign,
    make_round,
    registered_parent,
    today,
)
from gonghui.ledger.models import ServiceRecord
from gonghui.workflow import services as workflow

API = "/api/v1/hardship"


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def post_json(c, url, data):
    return c.post(url, json.dumps(data), content_type="application/json")


def test_worker_applies_with_the_letter_and_reads_their_own(tree):
    make_round(tree.d1)
    worker, _f = registered_parent(tree.g1)
    c = client_for(worker.user)
    data = application_data() | {"letter": SimpleUploadedFile("通知书.png", PNG, content_type="image/png")}
    response = c.post(f"{API}/golden-autumn/applications", data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "submitted" and body["amount"] == "5000.00" and body["level"] == "college"
    assert body["applicant_state_label"] == "已提交，等待工会核实"
    mine = c.get(f"{API}/golden-autumn/mine").json()
    assert [a["id"] for a in mine] == [body["id"]]
    # The same child again: a clear Chinese message, nothing written.
    again = application_data(child_id_number=data["child_id_number"]) | {
        "letter": SimpleUploadedFile("通知书.png", PNG, content_type="image/png")}
    response = c.post(f"{API}/golden-autumn/applications", again)
    assert response.status_code == 422 and "每年只能申请一次" in response.json()["message"]
    assert GoldenAutumnApplication.objects.unscoped().count() == 1


def test_api_refuses_bad_applications(tree):
    make_round(tree.d1, days_open=(3, 10))
    worker, _f = registered_parent(tree.g1)
    c = client_for(worker.user)
    data = application_data() | {"letter": SimpleUploadedFile("通知书.pdf", PDF, content_type="application/pdf")}
    response = c.post(f"{API}/golden-autumn/applications", data)
    assert response.status_code == 422 and "不在申请时间内" in response.json()["message"]


def test_staff_lists_are_scoped_and_batch_approves(tree, staff):
    rnd = make_round(tree.d1)
    worker, _f = registered_parent(tree.g1)
    app = svc.apply(by=worker.user, worker=worker, data=application_data(), letter=letter())
    workflow.perform_transition(app.case, "verify", by=staff.g1_handler, version=app.case.version)
    GoldenAutumnApplication.objects.unscoped().filter(pk=app.pk).update(
        notice_ends_at=timezone.now() - datetime.timedelta(minutes=1))
    d1, d2 = client_for(staff.d1_manager), client_for(staff.d2_manager)
    assert [r["id"] for r in d1.get(f"{API}/golden-autumn/rounds").json()] == [rnd.pk]
    assert d2.get(f"{API}/golden-autumn/rounds").json() == []
    assert d1.get(f"{API}/golden-autumn/applications").json()["count"] == 1
    assert d2.get(f"{API}/golden-autumn/applications").json()["count"] == 0
    assert d2.get(f"{API}/golden-autumn/applications/{app.pk}").status_code == 404
    response = post_json(d1, f"{API}/golden-autumn/rounds/{rnd.pk}/batch", {"ids": [app.pk, 424242], "action": "approve"})
    assert response.status_code == 200
    body = response.json()
    assert body["done"] == [app.pk] and body["failed"][0]["id"] == 424242
    response = post_json(d1, f"{API}/golden-autumn/rounds/{rnd.pk}/batch", {"ids": [app.pk], "action": "pay"})
    assert response.json()["done"] == [app.pk]
    assert ServiceRecord.objects.unscoped().filter(kind="hardship.golden_autumn", worker=worker).count() == 1
    assert d1.get(f"{API}/golden-autumn/rounds/{rnd.pk}").json()["paid"] == "5000.00"


def test_create_round_and_campaign(tree, staff):
    d1 = client_for(staff.d1_manager)
    data = {"node_id": tree.d1.pk, "year": today().year, "opens_on": "2026-09-01", "closes_on": "2026-10-01",
            "budget": "80000"}
    assert post_json(d1, f"{API}/golden-autumn/rounds", data).status_code == 201
    assert post_json(d1, f"{API}/golden-autumn/rounds", data | {"node_id": tree.d2.pk}).status_code == 403
    response = post_json(d1, f"{API}/golden-autumn/rounds", data)
    assert response.status_code == 422 and "已设立" in response.json()["message"]
    campaign = {"node_id": tree.d1.pk, "name": "2027年春节送温暖", "starts_on": "2027-01-10", "ends_on": "2027-02-10",
                "budget": "30000", "standard_amount": "800", "categories": ["deep"]}
    assert post_json(d1, f"{API}/warmth/campaigns", campaign).status_code == 201
    assert post_json(client_for(staff.d2_manager), f"{API}/warmth/campaigns", campaign).status_code == 403


def test_warmth_visit_over_the_api(tree, staff):
    worker, _f = registered_parent(tree.g1, name="冯大姐")
    campaign = make_campaign(tree.d1)
    d1 = client_for(staff.d1_manager)
    assert d1.post(f"{API}/warmth/campaigns/{campaign.pk}/generate").json() == {"added": 1}
    targets = d1.get(f"{API}/warmth/campaigns/{campaign.pk}/targets").json()
    assert targets["count"] == 1 and targets["items"][0]["visit"] is None
    target = WarmthTarget.objects.unscoped().get()
    handler = client_for(staff.g1_handler)
    data = {"visited_on": today().isoformat(), "visitors": "张主席", "kind": "goods", "value": "300", "goods": "米、油",
            "photo": SimpleUploadedFile("现场.pdf", PDF, content_type="application/pdf")}
    response = handler.post(f"{API}/warmth/targets/{target.pk}/visit", data)
    assert response.status_code == 422 and response.json()["message"] == "现场照片只能是图片（jpg、png、gif、webp、heic）。"
    data["photo"] = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = handler.post(f"{API}/warmth/targets/{target.pk}/visit", data)
    assert response.status_code == 201 and response.json()["visit"]["has_photo"] is True
    figures = d1.get(f"{API}/warmth/campaigns/{campaign.pk}").json()
    assert (figures["listed"], figures["visited"], figures["coverage"], figures["spent"]) == (1, 1, 100.0, "300.00")
    assert client_for(staff.d2_manager).get(f"{API}/warmth/campaigns/{campaign.pk}").status_code == 404


def test_staff_apply_for_a_worker_of_their_union_only(tree, staff):
    make_round(tree.d1)
    worker, _f = registered_parent(tree.g1, name="秦师傅")
    data = application_data(worker_id=str(worker.pk), child_name="秦小川")
    data["letter"] = SimpleUploadedFile("通知书.png", PNG, content_type="image/png")
    response = client_for(staff.g1_handler).post(f"{API}/golden-autumn/applications", data)
    assert response.status_code == 201, response.content
    assert response.json()["worker_id"] == worker.pk
    other, _f = registered_parent(tree.g1, name="秦二")
    data = application_data(worker_id=str(other.pk)) | {
        "letter": SimpleUploadedFile("通知书.png", PNG, content_type="image/png")}
    assert client_for(staff.d2_manager).post(f"{API}/golden-autumn/applications", data).status_code == 404
    data["letter"] = SimpleUploadedFile("通知书.png", PNG, content_type="image/png")
    assert client_for(staff.g1_viewer).post(f"{API}/golden-autumn/applications", data).status_code == 403
