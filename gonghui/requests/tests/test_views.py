import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.tests.factories import StaffFactory, WorkerUserFactory, grant
from gonghui.members.models import Worker
from gonghui.requests.models import Category, Request
from gonghui.requests.tests.factories import category, member_user, submit
from gonghui.workflow import services as workflow
from gonghui.workflow.models import Case
from gonghui.workflow.tests.test_attachments import PNG

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


# ----- the worker's three screens -----

def test_the_worker_submits_in_three_screens(member, tree):
    client = login(member)
    step1 = client.get(reverse("requests:portal_new"))
    assert "工资与欠薪" in step1.content.decode()
    step2 = client.get(reverse("requests:portal_new"), {"category": "wages", "kind": "help"})
    assert step2.status_code == 302 and "describe" in step2["Location"]
    html = client.get(step2["Location"]).content.decode()
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    assert "我是农民工" in html and "district" not in html  # a member is not asked where they work
    response = client.post(reverse("requests:portal_describe"), {
        "category": "wages", "kind": "help", "description": "老板拖欠三个月工资", "migrant_worker": "on",
        "anonymous_to_employer": "on", "photo": SimpleUploadedFile("工资条.png", PNG, content_type="image/png")})
    assert response.status_code == 302
    req = Request.objects.unscoped().select_related("case").get()
    assert response["Location"] == reverse("requests:portal_done", args=[req.pk])
    assert req.case.urgent and req.anonymous_to_employer and req.case.node == tree.g1
    assert req.case.attachments.unscoped().count() == 1
    done = client.get(response["Location"]).content.decode()
    assert "东城机械厂工会将在1个工作日内受理" in done and "受理后3个工作日内办结" in done
    mine = client.get(reverse("requests:portal_list")).content.decode()
    assert req.case.number in mine and "已提交" in mine


def test_a_wrong_type_attachment_shows_the_engines_message(member):
    response = login(member).post(reverse("requests:portal_describe"), {
        "category": "contract", "kind": "help", "description": "没签合同",
        "photo": SimpleUploadedFile("合同.png", b"MZ\x90\x00 not an image", content_type="image/png")})
    assert response.status_code == 422
    assert "不能上传可执行文件。" in response.content.decode()
    assert not Request.objects.unscoped().exists()
    response = login(member).post(reverse("requests:portal_describe"), {
        "category": "contract", "kind": "help", "description": "没签合同",
        "photo": SimpleUploadedFile("合同.txt", b"hello", content_type="text/plain")})
    assert "只能上传图片" in response.content.decode()


def test_an_oversize_attachment_is_refused_in_chinese(member, settings):
    settings.GONGHUI_ATTACHMENT_MAX_BYTES = 50
    response = login(member).post(reverse("requests:portal_describe"), {
        "category": "contract", "kind": "help", "description": "没签合同",
        "files": [SimpleUploadedFile("大.png", PNG + b"0" * 100, content_type="image/png")]})
    assert response.status_code == 422
    assert "文件不能超过50 字节。" in response.content.decode() or "文件不能超过" in response.content.decode()
    assert not Request.objects.unscoped().exists()


def test_a_worker_without_a_union_chooses_the_district(tree):
    user = WorkerUserFactory()
    client = login(user)
    html = client.get(reverse("requests:portal_describe"), {"category": "legal", "kind": "consultation"}) \
        .content.decode()
    assert "您在哪个区（县）工作" in html and tree.d2.name in html
    response = client.post(reverse("requests:portal_describe"), {
        "category": "legal", "kind": "consultation", "description": "被辞退能要补偿吗"})
    assert response.status_code == 422 and "请选择您工作所在的区" in response.content.decode()
    client.post(reverse("requests:portal_describe"), {
        "category": "legal", "kind": "consultation", "description": "被辞退能要补偿吗", "district": tree.d2.pk})
    assert Request.objects.unscoped().get().case.node == tree.d2


def test_my_requests_lists_only_mine(member, tree):
    mine = submit(member)
    other = submit(member_user(tree.g1))
    html = login(member).get(reverse("requests:portal_list")).content.decode()
    assert mine.case.number in html and other.case.number not in html
    assert login(StaffFactory()).get(reverse("requests:portal_list")).status_code == 200


# ----- the engine's pages with the request's facts -----

def test_the_case_pages_show_the_request(member, staff):
    req = submit(member, description="车间防护设备坏了", anonymous_to_employer=True)
    html = login(staff.g1_handler).get(reverse("workflow:case", args=[req.pk])).content.decode()
    assert "车间防护设备坏了" in html and "职工要求对用人单位保密姓名" in html and "劳动合同" in html
    html = login(member).get(reverse("workflow:portal_case", args=[req.pk])).content.decode()
    assert "我反映的问题" in html and "车间防护设备坏了" in html


def test_a_stale_page_is_refused_and_shows_the_new_state(member, staff):
    req = submit(member)
    workflow.perform_transition(Case.objects.unscoped().get(pk=req.pk), "accept", by=staff.g1_handler, version=1)
    response = login(staff.d1_manager).post(reverse("workflow:transition", args=[req.pk, "transfer"]), {
        "transfer-version": 1, "transfer-node": staff.d1_manager.grants.unscoped().get().node_id,
        "transfer-note": "转区里"})
    assert response.status_code == 409
    assert "当前状态为“办理中”" in response.content.decode()


def test_a_step_the_role_may_not_take_is_403(member, staff):
    req = submit(member)
    response = login(staff.g1_viewer).post(reverse("workflow:transition", args=[req.pk, "accept"]),
                                           {"accept-version": 1})
    assert response.status_code == 403
    assert Case.objects.unscoped().get(pk=req.pk).state == "submitted"


def closed(member, staff):
    req = submit(member)
    case = workflow.perform_transition(Case.objects.unscoped().get(pk=req.pk), "accept", by=staff.g1_handler,
                                       version=1)
    workflow.perform_transition(case, "close", by=staff.g1_handler, version=case.version, data={"note": "已解决"})
    return Case.objects.unscoped().get(pk=req.pk)


def test_the_worker_rates_on_their_page_once(member, staff):
    case = closed(member, staff)
    client = login(member)
    html = client.get(reverse("workflow:portal_case", args=[case.pk])).content.decode()
    assert "您对办理结果满意吗？" in html and "前为办理结果打分" in html
    url = reverse("workflow:transition", args=[case.pk, "rate"])
    assert client.post(url, {"rate-version": case.version, "rate-rating": "5"}).status_code == 302
    second = client.post(url, {"rate-version": case.version + 1, "rate-rating": "1"})
    assert second.status_code == 403
    assert Request.objects.unscoped().get(pk=case.pk).rating == 5
    html = client.get(reverse("workflow:portal_case", args=[case.pk])).content.decode()
    assert "5分 非常满意" in html and "您对办理结果满意吗？" not in html


def test_a_rating_after_seven_days_is_refused_on_the_page(member, staff):
    case = closed(member, staff)
    Request.objects.unscoped().filter(pk=case.pk).update(
        rating_invited_at=timezone.now() - datetime.timedelta(days=8))
    client = login(member)
    html = client.get(reverse("workflow:portal_case", args=[case.pk])).content.decode()
    assert "评价时间已过" in html and "您对办理结果满意吗？" not in html
    response = client.post(reverse("workflow:transition", args=[case.pk, "rate"]),
                           {"rate-version": case.version, "rate-rating": "5"})
    assert response.status_code == 403


# ----- the inbox -----

def test_inbox_filters_and_counts(member, staff, tree):
    urgent = submit(member, code="wages", migrant_worker=True)
    plain = submit(member, code="contract", kind="consultation")
    accepted = submit(member, code="social_insurance")
    workflow.perform_transition(Case.objects.unscoped().get(pk=accepted.pk), "accept", by=staff.g1_handler,
                                version=1)
    overdue = submit(member_user(tree.g1), code="legal")
    Case.objects.unscoped().filter(pk=overdue.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    elsewhere = submit(member_user(tree.g2))
    client = login(staff.d1_manager)
    url = reverse("requests:inbox")

    def numbers(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        html = response.content.decode()
        return {r.case.number for r in (urgent, plain, accepted, overdue, elsewhere) if r.case.number in html}, \
            response.context

    found, ctx = numbers()
    assert found == {urgent.case.number, plain.case.number, accepted.case.number, overdue.case.number}
    tabs = {value: n for value, _label, n in ctx["state_tabs"]}
    assert tabs[""] == 4 and tabs["submitted"] == 3 and tabs["handling"] == 1
    assert numbers(state="handling")[0] == {accepted.case.number}
    assert numbers(urgent="1")[0] == {urgent.case.number}
    assert numbers(overdue="1")[0] == {overdue.case.number}
    assert numbers(kind="consultation")[0] == {plain.case.number}
    assert numbers(category=str(category("wages").pk))[0] == {urgent.case.number}
    assert numbers(union=str(tree.g1.pk))[0] == found - set()
    assert numbers(union=str(tree.g2.pk))[0] == set()  # not theirs: nothing
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert numbers(start=tomorrow)[0] == set()
    # Counts follow the other filters.
    _found, ctx = numbers(urgent="1")
    assert {value: n for value, _l, n in ctx["state_tabs"]}[""] == 1


def test_inbox_first_page_query_count_does_not_grow_with_rows(member, staff, tree):
    client = login(staff.d1_manager)
    url = reverse("requests:inbox")
    for _ in range(3):
        submit(member_user(tree.g1))
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(15):
        r = submit(member_user(tree.g1), code="wages")
        if n % 3 == 0:
            workflow.assign(Case.objects.unscoped().get(pk=r.pk), staff.g1_handler, by=staff.d1_manager, version=1)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["object_list"]) == 18
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    request_queries = [q["sql"] for q in many.captured_queries if '"requests_request"' in q["sql"]]
    tally_queries = [q["sql"] for q in many.captured_queries if '"workflow_casetally"' in q["sql"]]
    # One query for the page of rows; the counts per state (and so the total) from the kept tallies.
    assert len(request_queries) == 1, request_queries
    assert len(tally_queries) == 1 and "GROUP BY" in tally_queries[0]
    # With a filter the counts are one GROUP BY over the filtered cases (no join).
    with CaptureQueriesContext(connection) as filtered:
        client.get(url, {"category": Category.objects.get(code="wages").pk})
    groups = [q["sql"] for q in filtered.captured_queries if "GROUP BY" in q["sql"]]
    assert len(groups) == 1 and '"requests_request"' not in groups[0]
    assert len([q for q in filtered.captured_queries if '"requests_request"' in q["sql"]]) == 1


def test_bulk_assign_from_the_inbox(member, staff):
    a, b = submit(member), submit(member, code="wages")
    response = login(staff.d1_manager).post(reverse("requests:bulk_assign"), {
        "ids": [a.pk, b.pk], "assignee": staff.g1_handler.pk, "next": "/console/requests/?state=submitted"})
    assert response.status_code == 302 and response["Location"] == "/console/requests/?state=submitted"
    assert set(Case.objects.unscoped().values_list("assignee", flat=True)) == {staff.g1_handler.pk}


def test_a_viewer_cannot_bulk_assign(member, staff):
    a = submit(member)
    response = login(staff.g1_viewer).post(reverse("requests:bulk_assign"), {
        "ids": [a.pk], "assignee": staff.g1_handler.pk})
    assert response.status_code == 403


def test_workers_do_not_get_the_inbox(member):
    assert login(member).get(reverse("requests:inbox")).status_code == 404


# ----- staff log a call, letter or visit -----

def test_staff_log_a_call_for_a_member_found_by_mobile(member, staff, tree):
    worker = Worker.objects.unscoped().get(user=member)
    response = login(staff.d1_manager).post(reverse("requests:log"), {
        "channel": "phone", "lookup": worker.mobile, "category": category("wages").pk, "kind": "help",
        "description": "电话反映：三个月没发工资"})
    assert response.status_code == 302
    req = Request.objects.unscoped().select_related("case").get()
    assert (req.channel, req.logged_by, req.worker, req.case.node, req.case.applicant) == (
        "phone", staff.d1_manager, worker, tree.g1, member)
    html = login(staff.d1_manager).get(response["Location"]).content.decode()
    assert "来电" in html and "代为登记" in html


def test_staff_log_a_visit_from_an_unknown_worker(staff, tree):
    response = login(staff.d1_manager).post(reverse("requests:log"), {
        "channel": "visit", "contact_name": "张三", "contact_phone": "13912345678",
        "category": category("legal").pk, "kind": "consultation", "description": "来访咨询"})
    assert response.status_code == 302
    req = Request.objects.unscoped().select_related("case").get()
    assert req.case.node == tree.d1 and req.case.applicant_name == "张三" and req.worker is None


def test_staff_cannot_find_a_worker_of_another_district(staff, tree):
    other = member_user(tree.g2)
    worker = Worker.objects.unscoped().get(user=other)
    response = login(staff.d1_manager).post(reverse("requests:log"), {
        "channel": "phone", "lookup": worker.mobile, "category": category().pk, "kind": "help",
        "description": "x"})
    assert response.status_code == 422 and "没有找到这位职工" in response.content.decode()
    assert not Request.objects.unscoped().exists()


# ----- categories -----

def test_only_top_admins_edit_categories(staff):
    assert login(staff.d1_admin).get(reverse("requests:categories")).status_code == 403
    client = login(staff.city_admin)
    assert client.get(reverse("requests:categories")).status_code == 200
    response = client.post(reverse("requests:categories"), {"name": "女职工权益", "code": "women", "order": 95,
                                                            "active": "on"})
    assert response.status_code == 302
    assert Category.objects.get(code="women").name == "女职工权益"
    wages = category("wages")
    client.post(reverse("requests:category_edit", args=[wages.pk]), {"name": "工资", "code": "wages", "order": 1})
    wages.refresh_from_db()
    assert wages.name == "工资" and not wages.active


def test_a_grant_below_the_top_cannot_manage_categories(tree):
    user = StaffFactory()
    grant(user, tree.g1, "admin")
    assert login(user).get(reverse("requests:categories")).status_code == 403


def test_export_streams_exactly_the_filtered_inbox_and_is_audited(member, staff, tree):
    from gonghui.audit.models import AuditEntry

    wages = submit(member, code="wages")
    other = submit(member, code="contract")
    # A title a spreadsheet would run as a formula is written as text.
    Case.objects.unscoped().filter(pk=other.pk).update(title="=HYPERLINK(\"http://x\")")
    client = login(staff.d1_manager)
    response = client.get(reverse("requests:export_inbox"), {"state": "all", "category": wages.category_id})
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv") and body.startswith("\ufeff编号,类别")
    assert wages.case.number in body and other.case.number not in body
    everything = b"".join(client.get(reverse("requests:export_inbox"), {"state": "all"}).streaming_content).decode()
    assert "'=HYPERLINK" in everything
    assert AuditEntry.objects.unscoped().filter(event="requests.exported", actor=staff.d1_manager).count() == 2
