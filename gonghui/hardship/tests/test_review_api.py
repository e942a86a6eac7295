"""The review part's API and pages: the flows end to end, bad input with its Chinese message, scope."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.hardship import services_review as sr
from gonghui.hardship.models import Exit, FollowUp, HardshipFile, MonthlyIncome, Review
from gonghui.hardship.tests.factories import HardshipFileFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/hardship"


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def file(tree):
    return HardshipFileFactory(union=tree.g1, registered_on=sr.today() - datetime.timedelta(days=800),
                               household_size=2, next_review_due=sr.today() + datetime.timedelta(days=10))


def test_api_income_exit_followup_reopen(file, staff):
    c = _client(staff.g1_handler)
    for back in range(1, 7):
        month = sr.add_months(sr.month_start(sr.today()), -back)
        r = _post(c, f"{API}/files/{file.pk}/incomes", {"month": f"{month:%Y-%m}", "household_income": "2400"})
        assert r.status_code == 201, r.content
    assert r.json()["holds"] is True and r.json()["run"] == 6
    assert r.json()["months"][0]["per_capita"] == "1200.00" and r.json()["months"][0]["standard"] == "800"
    r = _post(c, f"{API}/files/{file.pk}/exit", {"reason": "income", "note": "再就业"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["kind"] == "exit" and body["file_status"] == "exited"
    assert [f["months"] for f in body["followups"]] == [3, 6, 12]
    followup_id = body["followups"][0]["id"]
    r = _post(c, f"{API}/followups/{followup_id}", {"finding": "returned", "notes": "妻子住院，户主失业"})
    assert r.status_code == 200 and r.json()["finding"] == "returned" and r.json()["by"]
    r = _post(c, f"{API}/files/{file.pk}/reopen", {"situation": "户主失业，妻子住院"})
    assert r.status_code == 200, r.content
    assert r.json()["file_status"] == "registered" and r.json()["reopened_on"] == sr.today().isoformat()


def test_api_exit_refused_when_the_rule_does_not_hold(file, staff):
    r = _post(_client(staff.g1_handler), f"{API}/files/{file.pk}/exit", {"reason": "income"})
    assert r.status_code == 422
    assert r.json()["message"].startswith("不符合脱困条件：尚未登记家庭月收入。")
    file.refresh_from_db()
    assert file.status == HardshipFile.Status.REGISTERED


def test_api_close_and_bad_income(file, staff):
    c = _client(staff.g1_handler)
    r = _post(c, f"{API}/files/{file.pk}/incomes", {"month": "2026-13", "household_income": "10"})
    assert r.status_code == 422 and r.json()["message"] == "月份格式不正确，请按 2026-01-31 的格式填写。"
    r = _post(c, f"{API}/files/{file.pk}/incomes", {"month": "2025-01", "household_income": "-1"})
    assert r.status_code == 422 and r.json()["message"] == "家庭月收入不能为负数。"
    assert not MonthlyIncome.objects.unscoped().exists()
    r = _post(c, f"{API}/files/{file.pk}/exit", {"reason": "deceased", "note": "户主病故"})
    assert r.status_code == 201 and r.json()["kind"] == "close" and r.json()["file_status"] == "closed"


def test_api_review_and_due_lists(file, staff, tree):
    c = _client(staff.d1_manager)
    r = c.get(f"{API}/reviews/due")
    assert r.status_code == 200 and [i["number"] for i in r.json()["items"]] == [file.number]
    r = _post(c, f"{API}/files/{file.pk}/review", {"situation": "无变化"})
    assert r.status_code == 201, r.content
    assert r.json()["outcome"] in ("keep", "change") and r.json()["next_review_due"] == \
        sr.add_months(sr.today(), 12).isoformat()
    assert c.get(f"{API}/reviews/due").json()["items"] == []
    r = _post(c, f"{API}/files/{file.pk}/review", {"situation": "x", "decision": "later"})
    assert r.status_code == 422 and r.json()["message"] == "请选择复核结论：保持在档、解困脱困或注销档案。"


def test_api_out_of_scope_is_404_and_nothing_changes(file, staff):
    c = _client(staff.d2_admin)
    assert _post(c, f"{API}/files/{file.pk}/review", {"situation": "x"}).status_code == 404
    assert _post(c, f"{API}/files/{file.pk}/exit", {"reason": "safety_net", "note": "x"}).status_code == 404
    assert c.get(f"{API}/files/{file.pk}/exit-rule").status_code == 404
    assert not Review.objects.unscoped().exists() and not Exit.objects.unscoped().exists()
    # The plain viewer holds no hardship permission: the file is not theirs to see.
    assert _post(_client(staff.g1_viewer), f"{API}/files/{file.pk}/review", {"situation": "x"}).status_code == 404


def test_api_figures(file, staff, tree):
    r = _client(staff.city_admin).get(f"{API}/figures", {"year": sr.today().year})
    assert r.status_code == 200
    body = r.json()
    assert body["node_name"] and "解困脱困率" in body["definition"]
    assert body["total"]["start"] == 1 and body["total"]["rate"] == "0.0"
    assert [u["node_id"] for u in body["units"]] == [tree.d1.pk]
    assert _client(staff.d1_manager).get(f"{API}/figures", {"node_id": tree.d2.pk}).status_code == 404


# ----- pages -----

def test_review_page_flow_and_file_block(file, staff):
    c = _client(staff.g1_handler)
    r = c.get(reverse("hardship:reviews"))
    assert r.status_code == 200 and file.number in r.content.decode()
    r = c.post(reverse("hardship:review_file", args=[file.pk]),
               {"reviewed_on": sr.today().isoformat(), "situation": "", "decision": "keep"})
    assert r.status_code == 422 and "请填写家庭现状。" in r.content.decode()
    r = c.post(reverse("hardship:review_file", args=[file.pk]),
               {"reviewed_on": sr.today().isoformat(), "situation": "家庭情况无变化", "decision": "keep"})
    assert r.status_code == 302 and Review.objects.unscoped().filter(file=file).count() == 1
    r = c.get(reverse("hardship:reviews"))
    assert file.number not in r.content.decode()


def test_exit_page_refuses_without_the_rule_and_shows_why(file, staff):
    c = _client(staff.g1_handler)
    r = c.get(reverse("hardship:exit_file", args=[file.pk]))
    assert r.status_code == 200 and 'data-exit-rule="not"' in r.content.decode()
    r = c.post(reverse("hardship:exit_file", args=[file.pk]),
               {"on": sr.today().isoformat(), "reason": "income", "note": ""})
    assert r.status_code == 422 and "不符合脱困条件" in r.content.decode()
    r = c.post(reverse("hardship:exit_file", args=[file.pk]),
               {"on": sr.today().isoformat(), "reason": "safety_net", "note": "已纳入特困供养"})
    assert r.status_code == 302
    file.refresh_from_db()
    assert file.status == HardshipFile.Status.EXITED


def test_followup_and_income_pages(file, staff):
    c = _client(staff.g1_handler)
    r = c.post(reverse("hardship:monthly_income", args=[file.pk]),
               {"month": f"{sr.add_months(sr.today(), -1):%Y-%m}", "household_income": "1500", "household_size": "3"})
    assert r.status_code == 302 and MonthlyIncome.objects.unscoped().get(file=file).per_capita == 500
    sr.exit_file(file, reason="safety_net", note="纳入兜底", on=sr.today() - datetime.timedelta(days=100),
                 by=staff.g1_handler)
    followup = FollowUp.objects.unscoped().filter(file=file).order_by("due_on").first()
    r = c.get(reverse("hardship:reviews"), {"tab": "followups"})
    assert f'data-followup-id="{followup.pk}"' in r.content.decode()
    r = c.post(reverse("hardship:followup", args=[followup.pk]),
               {"done_on": sr.today().isoformat(), "finding": "", "notes": "x"})
    assert r.status_code == 422 and "请填写回访结论。" in r.content.decode()
    r = c.post(reverse("hardship:followup", args=[followup.pk]),
               {"done_on": sr.today().isoformat(), "finding": "stable", "notes": "电话回访"})
    assert r.status_code == 302
    r = c.post(reverse("hardship:reopen_file", args=[file.pk]), {"on": sr.today().isoformat(), "situation": "返困"})
    assert r.status_code == 302
    file.refresh_from_db()
    assert file.status == HardshipFile.Status.REGISTERED


def test_file_block_renders_on_the_detail_page(file, staff):
    sr.record_monthly_income(file, month=sr.add_months(sr.today(), -1), household_income="900", by=staff.g1_handler)
    r = _client(staff.g1_handler).get(file.get_absolute_url())
    assert r.status_code == 200
    text = r.content.decode()
    assert "data-file-review" in text and reverse("hardship:review_file", args=[file.pk]) in text
    assert 'data-table="incomes"' in text


def test_review_page_of_a_file_out_of_scope_is_404(file, staff):
    c = _client(staff.d2_admin)
    assert c.get(reverse("hardship:review_file", args=[file.pk])).status_code == 404
    r = c.post(reverse("hardship:review_file", args=[file.pk]),
               {"reviewed_on": sr.today().isoformat(), "situation": "x", "decision": "keep"})
    assert r.status_code == 404 and not Review.objects.unscoped().exists()
