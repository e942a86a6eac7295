"""金秋助学 and 送温暖 pages: the worker's phone page and application, the console's rounds, batches,
payment list, campaigns, visits and the file page's block."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.hardship import services_campaigns as svc
from gonghui.hardship.models import (
    GoldenAutumnApplication,
    GoldenAutumnRound,
    SendWarmthCampaign,
    WarmthTarget,
)
from gonghui.hardship.tests.campaigns_helpers import (
    PDF,
    PNG,
    application_data,
    child_id,
    letter,
    make_round,
    registered_parent,
    today,
)
from gonghui.ledger.models import ServiceRecord
from gonghui.workflow import services as workflow


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_worker_sees_the_open_round_and_applies(tree):
    make_round(tree.d1)
    worker, _file = registered_parent(tree.g1)
    c = client_for(worker.user)
    page = c.get(reverse("hardship:golden_portal"))
    body = page.content.decode()
    assert page.status_code == 200 and "为子女申请" in body and "5,000.00" in body
    form = c.get(reverse("hardship:golden_apply"))
    assert form.status_code == 200 and "录取通知书" in form.content.decode()
    data = application_data() | {"letter": SimpleUploadedFile("通知书.png", PNG, content_type="image/png")}
    response = c.post(reverse("hardship:golden_apply"), data)
    app = GoldenAutumnApplication.objects.unscoped().get()
    assert response.status_code == 302 and response["Location"] == reverse("workflow:portal_case", args=[app.pk])
    case_page = c.get(response["Location"]).content.decode()
    assert "金秋助学申请" in case_page and "已提交，等待工会核实" in case_page
    assert "已提交，等待工会核实" in c.get(reverse("hardship:golden_portal")).content.decode()


def test_apply_form_shows_errors_in_chinese(tree):
    make_round(tree.d1)
    worker, _file = registered_parent(tree.g1)
    c = client_for(worker.user)
    bad = application_data(child_id_number="32010220080101001X") | {
        "letter": SimpleUploadedFile("通知书.png", b"not an image", content_type="image/png")}
    response = c.post(reverse("hardship:golden_apply"), bad)
    body = response.content.decode()
    assert response.status_code == 422
    assert "身份证号" in body and "请核对" in body
    assert not GoldenAutumnApplication.objects.unscoped().exists()
    # The letter is checked once the rest is right.
    good = application_data() | {"letter": SimpleUploadedFile("通知书.jpg", PDF, content_type="image/jpeg")}
    body = c.post(reverse("hardship:golden_apply"), good).content.decode()
    assert "文件内容与扩展名" in body


def test_outside_the_window_the_page_says_when(tree):
    make_round(tree.d1, days_open=(-40, -10))
    worker, _file = registered_parent(tree.g1)
    c = client_for(worker.user)
    body = c.get(reverse("hardship:golden_portal")).content.decode()
    assert "不在申请时间内" in body and "为子女申请" not in body
    response = c.get(reverse("hardship:golden_apply"))
    assert response.status_code == 302


def test_the_public_notice_masks_names(tree, staff):
    make_round(tree.d1)
    worker, _file = registered_parent(tree.g1, name="王秀英")
    app = svc.apply(by=worker.user, worker=worker, data=application_data(), letter=letter())
    workflow.perform_transition(app.case, "verify", by=staff.g1_handler, version=app.case.version)
    other, _f = registered_parent(tree.g1, name="周建华")
    body = client_for(other.user).get(reverse("hardship:golden_portal")).content.decode()
    assert "王**" in body and "王秀英" not in body and "东城机械厂工会" in body


def test_console_round_page_batch_approves_and_exports(tree, staff):
    from openpyxl import load_workbook

    rnd = make_round(tree.d1)
    apps = []
    for name in ("甲", "乙"):
        worker, _f = registered_parent(tree.g1, name=f"张{name}")
        app = svc.apply(by=worker.user, worker=worker, data=application_data(child_name=f"张小{name}"),
                        letter=letter())
        apps.append(app)
    handler = client_for(staff.g1_handler)
    page = handler.get(reverse("hardship:golden_round", args=[rnd.pk]) + "?state=submitted").content.decode()
    assert "批量核实通过，进入公示" in page and "张小甲" in page
    response = handler.post(reverse("hardship:golden_batch", args=[rnd.pk]),
                            {"ids": [a.pk for a in apps], "action": "verify", "state": "submitted"})
    assert response.status_code == 302
    GoldenAutumnApplication.objects.unscoped().filter(pk=apps[0].pk).update(
        notice_ends_at=timezone.now() - datetime.timedelta(minutes=1))
    manager = client_for(staff.d1_manager)
    page = manager.get(reverse("hardship:golden_round", args=[rnd.pk]) + "?state=notice").content.decode()
    assert "批量批准" in page
    response = manager.post(reverse("hardship:golden_batch", args=[rnd.pk]),
                            {"ids": [a.pk for a in apps], "action": "approve", "state": "notice"}, follow=True)
    body = response.content.decode()
    assert "已完成1份申请" in body and "以下1份未处理" in body and "公示期满后才能批准" in body
    export = manager.get(reverse("hardship:golden_payment_list", args=[rnd.pk]))
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.cell(row=4, column=2).value == "张甲" and sheet.cell(row=5, column=2).value == "合计"
    response = manager.post(reverse("hardship:golden_batch", args=[rnd.pk]),
                            {"ids": [apps[0].pk], "action": "pay", "state": "approved"})
    assert ServiceRecord.objects.unscoped().filter(kind="hardship.golden_autumn").count() == 1
    # The handler (no approval right) is not offered the batch approval, nor the bank's list.
    page = handler.get(reverse("hardship:golden_round", args=[rnd.pk]) + "?state=notice").content.decode()
    assert "批量批准" not in page and "导出银行发放名单" not in page
    assert handler.get(reverse("hardship:golden_payment_list", args=[rnd.pk])).status_code == 403


def test_console_creates_a_round(tree, staff):
    c = client_for(staff.d1_manager)
    assert c.get(reverse("hardship:golden_round_create")).status_code == 200
    data = {"node": tree.d1.pk, "year": today().year, "opens_on": "2026-09-01", "closes_on": "2026-08-01",
            "budget": "100000"}
    response = c.post(reverse("hardship:golden_round_create"), data)
    assert response.status_code == 422 and "截止日期不能早于开始日期" in response.content.decode()
    response = c.post(reverse("hardship:golden_round_create"), data | {"closes_on": "2026-10-01", "node": tree.d2.pk})
    assert response.status_code == 422  # district 2 is not offered
    response = c.post(reverse("hardship:golden_round_create"), data | {"closes_on": "2026-10-01"})
    rnd = GoldenAutumnRound.objects.unscoped().get()
    assert response.status_code == 302 and rnd.node == tree.d1
    assert client_for(staff.g1_handler).get(reverse("hardship:golden_round_create")).status_code == 403
    assert client_for(staff.g1_viewer).get(reverse("hardship:golden_autumn")).status_code == 403


def test_console_warmth_flow(tree, staff):
    worker, file = registered_parent(tree.g1, name="陈大爷")
    c = client_for(staff.d1_manager)
    data = {"node": tree.d1.pk, "name": "2027年春节送温暖", "starts_on": (today() - datetime.timedelta(days=3)).isoformat(),
            "ends_on": "2027-02-28", "budget": "20000", "standard_amount": "800", "categories": ["deep"]}
    response = c.post(reverse("hardship:warmth_create"), data)
    campaign = SendWarmthCampaign.objects.unscoped().get()
    assert response.status_code == 302
    c.post(reverse("hardship:warmth_generate", args=[campaign.pk]))
    target = WarmthTarget.objects.unscoped().get(campaign=campaign)
    page = c.get(reverse("hardship:warmth_campaign", args=[campaign.pk])).content.decode()
    assert "陈大爷" in page and "0.0%" in page
    handler = client_for(staff.g1_handler)
    form = handler.get(reverse("hardship:warmth_visit", args=[target.pk]))
    assert form.status_code == 200
    bad = {"visited_on": today().isoformat(), "visitors": "张主席", "kind": "cash", "value": "800",
           "photo": SimpleUploadedFile("现场.pdf", PDF, content_type="application/pdf")}
    response = handler.post(reverse("hardship:warmth_visit", args=[target.pk]), bad)
    assert response.status_code == 422 and "现场照片只能是图片" in response.content.decode()
    good = bad | {"photo": SimpleUploadedFile("现场.png", PNG, content_type="image/png")}
    response = handler.post(reverse("hardship:warmth_visit", args=[target.pk]), good)
    assert response.status_code == 302
    page = c.get(reverse("hardship:warmth_campaign", args=[campaign.pk])).content.decode()
    assert "100.0%" in page and "800.00" in page
    visit = target.__class__.objects.unscoped().get(pk=target.pk).visit
    photo = handler.get(reverse("hardship:warmth_photo", args=[visit.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    # The file page's block lists the visit.
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = staff.d1_manager
    block = render_to_string("hardship/_file_campaigns.html", {"file": file}, request=request)
    assert "2027年春节送温暖" in block and "800.00" in block


def test_portal_is_for_workers_and_console_for_staff(tree, staff):
    worker, _f = registered_parent(tree.g1)
    assert client_for(worker.user).get(reverse("hardship:golden_autumn")).status_code == 404
    assert Client().get(reverse("hardship:golden_portal")).status_code == 302
    assert child_id()  # helper sanity


def test_grassroots_staff_apply_for_a_registered_household(tree, staff):
    make_round(tree.d1)
    worker, file = registered_parent(tree.g1, name="郑阿姨")
    handler = client_for(staff.g1_handler)
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = staff.g1_handler
    assert "代为申请金秋助学" in render_to_string("hardship/_file_campaigns.html", {"file": file}, request=request)
    url = reverse("hardship:golden_apply_for", args=[file.pk])
    assert handler.get(url).status_code == 200
    data = application_data(child_name="郑小强", level="high_school") | {
        "letter": SimpleUploadedFile("通知书.png", PNG, content_type="image/png")}
    response = handler.post(url, data)
    app = GoldenAutumnApplication.objects.unscoped().get()
    assert response.status_code == 302 and response["Location"] == reverse("workflow:case", args=[app.pk])
    assert app.case.applicant == worker.user and app.amount == 2000
    # A viewer of the union (no hardship permission) may not; another district does not see the file.
    assert client_for(staff.g1_viewer).get(url).status_code == 403
    assert client_for(staff.d2_manager).get(url).status_code == 404
