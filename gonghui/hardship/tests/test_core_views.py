"""Console and portal pages of the core part."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.hardship import registration
from gonghui.hardship import services_core as svc
from gonghui.hardship.models import (
    Assessment,
    HardshipApplication,
    HardshipFile,
    HouseholdMember,
    IncomeRow,
    PolicyVersion,
)
from gonghui.hardship.tests.factories import HardshipFileFactory
from gonghui.requests.tests.factories import member_user, submit
from gonghui.workflow.models import Case

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def file(tree):
    return HardshipFileFactory(union=tree.g1, worker__name="王建国")


def test_list_filters_and_scope(tree, staff, file):
    other = HardshipFileFactory(union=tree.g2, worker__name="李西城", category="relative")
    c = client_for(staff.g1_handler)
    body = c.get(reverse("hardship:files")).content.decode()
    assert "王建国" in body and "李西城" not in body
    city = client_for(staff.city_admin)
    assert "李西城" in city.get(reverse("hardship:files")).content.decode()
    assert "李西城" not in city.get(reverse("hardship:files"), {"category": "deep"}).content.decode()
    assert "李西城" not in city.get(reverse("hardship:files"), {"union": tree.d1.pk}).content.decode()
    assert "李西城" in city.get(reverse("hardship:files"), {"q": "李西"}).content.decode()
    assert "李西城" not in city.get(reverse("hardship:files"), {"status": "draft"}).content.decode()
    assert other.number in city.get(reverse("hardship:files"), {"q": other.number}).content.decode()


def test_list_paginates_by_20(tree, staff):
    for _ in range(21):
        HardshipFileFactory(union=tree.g1)
    body = client_for(staff.g1_handler).get(reverse("hardship:files")).content.decode()
    assert body.count("data-file-id=") == 20 and "共 21 条" in body


def test_viewer_role_gets_403(staff, file):
    assert client_for(staff.g1_viewer).get(reverse("hardship:files")).status_code == 403
    assert client_for(staff.g1_viewer).get(reverse("hardship:file_detail", args=[file.pk])).status_code == 403


def test_out_of_scope_detail_is_404(staff, file):
    assert client_for(staff.d2_manager).get(reverse("hardship:file_detail", args=[file.pk])).status_code == 404


def test_detail_shows_blocks(staff, file):
    body = client_for(staff.g1_handler).get(reverse("hardship:file_detail", args=[file.pk])).content.decode()
    for text in ("家庭成员", "近12个月收入", "刚性支出", "入户调查", "信息核对", "证明材料", "认定结果", "默认（全国通行做法）"):
        assert text in body


def test_create_for_a_member_of_the_subtree(tree, staff):
    user = member_user(tree.g1, name="赵小花")
    c = client_for(staff.g1_handler)
    response = c.post(reverse("hardship:file_create"), {"id_number": user.worker.full_id_number()})
    file = HardshipFile.objects.unscoped().get(worker=user.worker)
    assert response.status_code == 302 and response.url == reverse("hardship:file_detail", args=[file.pk])
    # A worker of another district is not found from here.
    other = member_user(tree.g2)
    response = c.post(reverse("hardship:file_create"), {"id_number": other.worker.full_id_number()})
    assert response.status_code == 422 and "没有找到" in response.content.decode()


def test_add_member_in_another_file_refused_in_chinese(tree, staff, file):
    other = HardshipFileFactory(union=tree.g1)
    their_id = HouseholdMember.objects.unscoped().get(file=other).id_number_hash
    head = other.worker.full_id_number()
    response = client_for(staff.g1_handler).post(
        reverse("hardship:file_add", args=[file.pk, "member"]),
        {"name": other.worker.name, "relation": "spouse", "id_number": head, "health": "healthy",
         "work_status": "employed"})
    assert response.status_code == 422
    assert "已列入另一户有效的困难职工档案" in response.content.decode()
    assert not HouseholdMember.objects.unscoped().filter(file=file, id_number_hash=their_id).exists()


@pytest.mark.parametrize(("amount", "message"), [("-300", "不能为负数"), ("99999999", "超过一千万元")])
def test_bad_income_on_the_page(staff, file, amount, message):
    response = client_for(staff.g1_handler).post(reverse("hardship:file_add", args=[file.pk, "income"]),
                                                 {"source": "wages", "annual_amount": amount})
    assert response.status_code == 422 and message in response.content.decode()
    assert not IncomeRow.objects.unscoped().filter(file=file).exists()


def test_income_assess_and_override(staff, file):
    c = client_for(staff.g1_handler)
    c.post(reverse("hardship:file_add", args=[file.pk, "income"]), {"source": "wages", "annual_amount": "12000"})
    c.post(reverse("hardship:file_assess", args=[file.pk]))
    file.refresh_from_db()
    assert file.category == "relative"
    assert c.get(reverse("hardship:file_add", args=[file.pk, "override"])).status_code == 403
    m = client_for(staff.d1_manager)
    response = m.post(reverse("hardship:file_add", args=[file.pk, "override"]), {"category": "deep", "reason": ""})
    assert response.status_code == 422
    m.post(reverse("hardship:file_add", args=[file.pk, "override"]),
           {"category": "deep", "reason": "户主癌症晚期，医疗支出票据待补"})
    file.refresh_from_db()
    assert file.category == "deep" and "癌症" in file.category_override_reason


def test_visit_check_and_document_pages(staff, file):
    c = client_for(staff.g1_handler)
    today = datetime.date.today().isoformat()
    assert c.post(reverse("hardship:file_add", args=[file.pk, "visit"]),
                  {"visited_on": today, "visitors": "张三、李四", "findings": "住房简陋"}).status_code == 302
    assert c.post(reverse("hardship:file_add", args=[file.pk, "check"]),
                  {"kind": "vehicle", "result": "not_found", "checked_on": today, "checked_by_name": "张三"}
                  ).status_code == 302
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")
    assert c.post(reverse("hardship:file_add", args=[file.pk, "document"]),
                  {"kind": "income", "upload": png}).status_code == 302
    body = c.get(reverse("hardship:file_detail", args=[file.pk])).content.decode()
    assert "住房简陋" in body and "查无" in body and "x.png" in body


def test_policy_pages(tree, staff):
    c = client_for(staff.d1_admin)
    assert c.get(reverse("hardship:policy_create")).status_code == 200
    response = c.post(reverse("hardship:policy_create"), {"node": tree.d1.pk, "effective_from": "2026-01-01",
                                                          "min_living_standard": "950", "note": "东城区新标准"})
    assert response.status_code == 302
    assert PolicyVersion.objects.unscoped().get().params == {"min_living_standard": "950"}
    assert "东城区新标准" in c.get(reverse("hardship:policies")).content.decode()
    bad = c.post(reverse("hardship:policy_create"), {"node": tree.d1.pk, "effective_from": "2026-02-01",
                                                     "min_living_standard": "-5"})
    assert bad.status_code == 422 and "应在1到100000之间" in bad.content.decode()
    # A manager may look but not add.
    assert client_for(staff.d1_manager).get(reverse("hardship:policy_create")).status_code == 403
    # Another district's admin cannot set rules for district 1.
    other = client_for(staff.d2_admin).post(reverse("hardship:policy_create"),
                                            {"node": tree.d1.pk, "effective_from": "2026-03-01"})
    assert other.status_code == 422 and PolicyVersion.objects.unscoped().count() == 1


def test_applications_list(tree, staff):
    user = member_user(tree.g1, name="申请人甲")
    registration.apply_online(user.worker, by=user, statement="家里老人住院，孩子上学，入不敷出。",
                              main_cause="serious_illness")
    body = client_for(staff.g1_handler).get(reverse("hardship:applications")).content.decode()
    assert "申请人甲" in body and "待基层审核" in body
    assert "申请人甲" not in client_for(staff.d2_manager).get(reverse("hardship:applications")).content.decode()


def test_case_page_renders_summary(tree, staff):
    user = member_user(tree.g1, name="申请人乙")
    application = registration.apply_online(user.worker, by=user, statement="家里老人住院，孩子上学，入不敷出。",
                                            main_cause="serious_illness")
    body = client_for(staff.g1_handler).get(reverse("workflow:case", args=[application.case_id])).content.decode()
    assert "困难职工建档申请" in body and application.file.number in body
    portal = client_for(user).get(reverse("workflow:portal_case", args=[application.case_id]))
    assert portal.status_code == 200 and "查看我的困难帮扶" in portal.content.decode()


def test_stale_approval_on_the_page_gives_chinese_message(tree, staff):
    user = member_user(tree.g1, name="申请人丙")
    application = registration.apply_online(user.worker, by=user, statement="家里老人住院，孩子上学，入不敷出。",
                                            main_cause="serious_illness")
    case = application.case
    c = client_for(staff.g1_handler)
    version = case.version
    url = reverse("workflow:transition", args=[case.pk, "reject"])
    data = {"reject-version": version, "reject-note": "家庭收入高于标准"}
    assert c.post(url, data).status_code == 302
    response = client_for(staff.d1_manager).post(url, data)
    assert response.status_code == 409 and "请刷新后再操作" in response.content.decode()


def test_apply_from_request_page(tree, staff):
    user = member_user(tree.g1, name="求助人")
    request = submit(user, code="hardship", description="爱人重病，想了解困难职工帮扶政策，申请帮扶。")
    c = client_for(staff.g1_handler)
    page = c.get(reverse("hardship:apply_from_request", args=[request.pk]))
    assert page.status_code == 200 and "爱人重病" in page.content.decode()
    case_page = c.get(reverse("workflow:case", args=[request.pk])).content.decode()
    assert reverse("hardship:apply_from_request", args=[request.pk]) in case_page
    response = c.post(reverse("hardship:apply_from_request", args=[request.pk]),
                      {"statement": "爱人重病，想了解困难职工帮扶政策，申请帮扶。"})
    assert response.status_code == 302
    assert HardshipApplication.objects.unscoped().get().request == request


# ----- portal -----

def test_portal_apply(tree):
    user = member_user(tree.g1, name="夜间申请")
    c = client_for(user)
    assert c.get(reverse("hardship:apply")).status_code == 200
    response = c.post(reverse("hardship:apply"), {
        "main_cause": "laid_off", "secondary_causes": ["children_school"], "statement": "下岗后一直没有稳定工作，孩子上高中。",
        "phone": "13900001111", "address": "东城区某小区", "consent": "on"})
    assert response.status_code == 200 and "建档申请已提交" in response.content.decode()
    file = HardshipFile.objects.unscoped().get(worker=user.worker)
    assert file.status == "applying" and file.phone == "13900001111"
    assert Case.objects.unscoped().get().applicant == user
    # The page now sends them to their file.
    assert c.get(reverse("hardship:apply")).status_code == 302


def test_portal_apply_needs_consent(tree):
    user = member_user(tree.g1)
    response = client_for(user).post(reverse("hardship:apply"), {
        "main_cause": "laid_off", "statement": "下岗后一直没有稳定工作，孩子上高中。", "phone": "1", "address": "x"})
    assert response.status_code == 422 and "请勾选同意" in response.content.decode()
    assert not HardshipFile.objects.unscoped().exists()


def test_portal_apply_requires_login():
    response = Client().get(reverse("hardship:apply"))
    assert response.status_code == 302 and "login" in response.url


def test_self_check_stores_nothing(tree, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = member_user(tree.g1)
    c = client_for(user)
    data = {"household_size": "3", "monthly_income": "2000", "able_not_working": "0", "medical": "6000",
            "motor_vehicle": ""}
    counts_before = (HardshipFile.objects.unscoped().count(), Assessment.objects.unscoped().count())
    with CaptureQueriesContext(connection) as queries:
        response = c.post(reverse("hardship:self_check"), data)
    body = response.content.decode()
    assert response.status_code == 200 and "可能符合：深度困难" in body and "病历" in body
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
              and "accounts_session" not in q["sql"]]
    assert writes == []
    assert (HardshipFile.objects.unscoped().count(), Assessment.objects.unscoped().count()) == counts_before


def test_self_check_uses_the_unions_policy(tree):
    from gonghui.hardship.tests.factories import PolicyVersionFactory

    PolicyVersionFactory(node=tree.d1, params={"min_living_standard": "1200"})
    c = client_for(member_user(tree.g1))
    body = c.post(reverse("hardship:self_check"), {"household_size": "1", "monthly_income": "1100"}).content.decode()
    assert "可能符合：深度困难" in body and "¥1200" in body


def test_self_check_exclusion_and_bad_input(tree):
    c = Client()
    body = c.post(reverse("hardship:self_check"), {"household_size": "1", "monthly_income": "100",
                                                   "motor_vehicle": "on"}).content.decode()
    assert "可能暂不符合" in body and "机动车" in body
    bad = c.post(reverse("hardship:self_check"), {"household_size": "1", "monthly_income": "-1"})
    assert bad.status_code == 422 and "不能为负数" in bad.content.decode()


def test_portal_me_shows_file_and_ledger(tree):
    from gonghui.ledger.services import record_service

    user = member_user(tree.g1, name="在档户")
    file = HardshipFileFactory(union=tree.g1, worker=user.worker, membership=False)
    record_service(worker=user.worker, kind="hardship.aid_paid", app="hardship", source=file, title="生活救助金",
                   delivering_union=tree.g1, amount=Decimal("3000.00"), delivered_on=datetime.date.today())
    record_service(worker=user.worker, kind="requests.answered", app="requests", source=file, title="别的服务",
                   delivering_union=tree.g1)
    body = client_for(user).get(reverse("hardship:me")).content.decode()
    assert "已建档" in body and "深度困难" in body
    assert "生活救助金" in body and "¥3000.00" in body and "别的服务" not in body
    assert reverse("hardship:golden_portal") in body  # the way to Golden Autumn


def test_portal_notice_masks_names(tree, staff):
    applicant = member_user(tree.g1, name="张大山")
    application = registration.apply_online(applicant.worker, by=applicant,
                                            statement="家里老人住院，孩子上学，入不敷出。", main_cause="serious_illness")
    svc.add_income(application.file, by=staff.g1_handler, source="wages", annual_amount="100")
    svc.record_home_visit(application.file, by=staff.g1_handler, visited_on=datetime.date.today(),
                          visitors="甲、乙", findings="属实")
    svc.assess(application.file, by=staff.g1_handler)
    from gonghui.workflow.services import perform_transition

    case = Case.objects.unscoped().get(pk=application.case_id)
    perform_transition(case, "start_notice", by=staff.g1_handler, version=case.version)
    colleague = member_user(tree.g1, name="同事")
    body = client_for(colleague).get(reverse("hardship:notice")).content.decode()
    assert "张**" in body and "张大山" not in body and tree.g1.display_name in body
    assert "¥" not in body and "serious" not in body  # nothing else
    stranger = member_user(tree.g2)
    assert "张**" not in client_for(stranger).get(reverse("hardship:notice")).content.decode()


def test_policy_list_shows_the_federations_above(tree, staff):
    PolicyVersion.objects.create(node=tree.city, effective_from=datetime.date(2025, 1, 1), note="全市标准")
    PolicyVersion.objects.create(node=tree.d2, effective_from=datetime.date(2025, 1, 1), note="西城标准")
    body = client_for(staff.d1_manager).get(reverse("hardship:policies")).content.decode()
    assert "全市标准" in body and "西城标准" not in body
