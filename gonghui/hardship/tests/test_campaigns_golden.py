"""金秋助学: the rules of applying, verification, notice, batch approval, payment and the payment list."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.accounts.tests.factories import StaffFactory, grant
from gonghui.audit.models import AuditEntry
from gonghui.hardship import services_campaigns as svc
from gonghui.hardship.models import GoldenAutumnApplication, PolicyVersion
from gonghui.hardship.tests.campaigns_helpers import (
    PDF,
    application_data,
    child_id,
    letter,
    make_round,
    member_parent,
    registered_parent,
    today,
)
from gonghui.ledger.models import ServiceRecord
from gonghui.members.tests.factories import WorkerFactory
from gonghui.workflow import services as workflow
from gonghui.workflow.models import CaseAttachment


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def apply(worker, **over):
    return svc.apply(by=worker.user, worker=worker, data=application_data(**over), letter=letter())


def to_notice(app, by):
    workflow.perform_transition(app.case, "verify", by=by, version=app.case.version)
    app.refresh_from_db()
    app.case.refresh_from_db()
    return app


def notice_has_run(app):
    """The notice period ends after 5 working days; the test says it has run by moving its end."""
    GoldenAutumnApplication.objects.unscoped().filter(pk=app.pk).update(
        notice_ends_at=timezone.now() - datetime.timedelta(minutes=1))
    app.refresh_from_db()


def approved(app, staff):
    to_notice(app, staff.g1_handler)
    notice_has_run(app)
    result = svc.batch_transition([app.pk], "approve", by=staff.d1_manager)
    assert not result.failed, result.failed
    app.refresh_from_db()
    return app


# ----- applying -----

def test_registered_parent_applies_for_a_college_student(tree, staff):
    make_round(tree.d1)
    worker, file = registered_parent(tree.g1)
    app = apply(worker)
    assert app.case.case_type == "golden_autumn" and app.case.state == "submitted"
    assert app.case.node == tree.g1 and app.case.applicant == worker.user
    assert (app.group, app.amount, app.file) == ("registered", Decimal("5000.00"), file)
    # The bank account came from the file; stored encrypted, shown masked.
    assert app.bank_name == "工商银行江海分行" and app.bank_account_masked.startswith("6222")
    assert "1234567" not in app.bank_account_encrypted
    assert CaseAttachment.objects.unscoped().filter(case=app.case).count() == 1
    assert AuditEntry.objects.unscoped().filter(event="hardship.golden_autumn.applied", object_id=str(app.pk)).exists()


def test_high_school_and_other_workers_get_the_policy_amounts(tree, staff):
    rnd = make_round(tree.d1)
    worker, _file = registered_parent(tree.g1)
    assert apply(worker, level="high_school").amount == Decimal("2000.00")
    other = member_parent(tree.g1)
    app = apply(other, bank_name="农业银行", bank_account="6228480000001111222", hardship_note="妻子患病，学费负担重")
    assert (app.group, app.amount, app.file) == ("other", Decimal("1000.00"), None)
    # A district's own amounts apply from their effective date.
    PolicyVersion.objects.create(node=tree.d1, effective_from=rnd.opens_on,
                                 params={"golden_autumn": {"college": "6000"}})
    assert apply(worker, child_name="王小红").amount == Decimal("6000.00")


def test_applying_outside_the_window_is_refused(tree):
    make_round(tree.d1, days_open=(5, 30))
    worker, _file = registered_parent(tree.g1)
    with pytest.raises(ValidationError) as e:
        apply(worker)
    assert "现在不在申请时间内" in e.value.messages[0]
    assert not GoldenAutumnApplication.objects.unscoped().exists()


def test_no_round_this_year(tree):
    worker, _file = registered_parent(tree.g1)
    with pytest.raises(ValidationError) as e:
        apply(worker)
    assert "尚未开始" in e.value.messages[0]


def test_one_application_per_child_per_year(tree, staff):
    make_round(tree.d1)
    worker, _file = registered_parent(tree.g1)
    number = child_id()
    first = apply(worker, child_id_number=number)
    other = member_parent(tree.g1)  # the other parent applies for the same child
    with pytest.raises(ValidationError) as e:
        apply(other, child_id_number=number, bank_name="农业银行", bank_account="6228480000001111222",
              hardship_note="困难")
    assert "每年只能申请一次" in e.value.message_dict["child_id_number"][0]
    # Once the first is withdrawn, the child may be applied for again.
    workflow.perform_transition(first.case, "withdraw", by=worker.user, version=first.case.version)
    assert apply(other, child_id_number=number, bank_name="农业银行", bank_account="6228480000001111222",
                 hardship_note="困难").pk != first.pk


def test_bad_child_id_number(tree):
    make_round(tree.d1)
    worker, _file = registered_parent(tree.g1)
    good = child_id()  # one number: the bad one differs from it only in the check digit
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError) as e:
        apply(worker, child_id_number=bad)
    assert e.value.message_dict["child_id_number"] == ["身份证号第18位校验码不正确，请核对。"]
    with pytest.raises(ValidationError) as e:
        apply(worker, child_id_number=worker.full_id_number())
    assert "您本人的身份证号" in e.value.message_dict["child_id_number"][0]


def test_excluded_applicants_are_refused(tree):
    make_round(tree.d1)
    worker, file = registered_parent(tree.g1)
    with pytest.raises(ValidationError) as e:
        apply(worker, exclusions=["military_academy"])
    assert e.value.message_dict["exclusions"] == ["有以下情形的不能申请金秋助学：子女就读军队院校。"]
    # An exclusion recorded on the household's file (and in the policy) refuses the parent.
    file.exclusion_flags = ["motor_vehicle"]
    file.save()
    with pytest.raises(ValidationError) as e:
        apply(worker)
    assert "不予资助的情形" in e.value.messages[0]
    # Not a member and no file: not a union family.
    stranger = WorkerFactory(user=StaffFactory(kind="worker"))
    with pytest.raises(ValidationError) as e:
        svc.apply(by=stranger.user, worker=stranger, data=application_data(), letter=letter())
    assert "没有在册会籍" in e.value.messages[0]
    assert not GoldenAutumnApplication.objects.unscoped().exists()


def test_other_worker_must_describe_the_hardship_and_give_an_account(tree):
    make_round(tree.d1)
    other = member_parent(tree.g1)
    with pytest.raises(ValidationError) as e:
        apply(other)
    assert set(e.value.message_dict) == {"hardship_note", "bank_account", "bank_name"}
    with pytest.raises(ValidationError) as e:
        apply(other, admission_year="2019", bank_name="农行", bank_account="12ab", hardship_note="困难")
    assert "入学年份应为" in e.value.message_dict["admission_year"][0]
    assert e.value.message_dict["bank_account"] == ["银行卡号应为12至30位数字，请核对。"]


def test_the_admission_letter_is_checked_by_content(tree):
    make_round(tree.d1)
    worker, _file = registered_parent(tree.g1)
    with pytest.raises(ValidationError) as e:
        svc.apply(by=worker.user, worker=worker, data=application_data(), letter=letter("通知书.png", b"MZ\x90fake"))
    assert e.value.message_dict["letter"] == ["不能上传可执行文件。"]
    with pytest.raises(ValidationError) as e:
        svc.apply(by=worker.user, worker=worker, data=application_data(), letter=letter("通知书.jpg", PDF))
    assert "文件内容与扩展名" in e.value.message_dict["letter"][0]
    with pytest.raises(ValidationError) as e:
        svc.apply(by=worker.user, worker=worker, data=application_data(), letter=None)
    assert e.value.message_dict["letter"] == ["请上传录取通知书的照片或PDF。"]
    assert apply(worker) is not None  # a real PNG passes
    assert GoldenAutumnApplication.objects.unscoped().count() == 1


def test_staff_apply_for_their_own_workers_only(tree, staff):
    make_round(tree.d1)
    worker, _file = registered_parent(tree.g1)
    app = svc.apply(by=staff.g1_handler, worker=worker, data=application_data(), letter=letter())
    assert app.case.applicant == worker.user
    other, _f = registered_parent(tree.g1, name="赵六")
    with pytest.raises(PermissionDenied):
        svc.apply(by=staff.d2_manager, worker=other, data=application_data(), letter=letter())


def test_nearest_federation_round_is_used(tree):
    make_round(tree.city, title="市总金秋助学")
    district = make_round(tree.d1, title="东城区金秋助学")
    worker, _file = registered_parent(tree.g1)
    assert svc.eligibility(worker).round == district
    worker2, _file = registered_parent(tree.g2, name="孙七")
    assert svc.eligibility(worker2).round.title == "市总金秋助学"


# ----- verification, notice, batch approval, payment -----

def test_notice_must_run_before_approval(tree, staff):
    make_round(tree.d1)
    worker, _file = registered_parent(tree.g1)
    app = to_notice(apply(worker), staff.g1_handler)
    assert app.case.state == "notice" and app.notice_ends_at > timezone.now()
    result = svc.batch_transition([app.pk], "approve", by=staff.d1_manager)
    assert result.done == [] and "公示期满后才能批准" in result.failed[0][1]
    app.case.refresh_from_db()
    assert app.case.state == "notice"


def test_grassroots_cannot_approve(tree, staff):
    make_round(tree.d1)
    g1_manager = StaffFactory(username="g1_manager")
    grant(g1_manager, tree.g1, "manager")
    worker, _file = registered_parent(tree.g1)
    app = to_notice(apply(worker), staff.g1_handler)
    notice_has_run(app)
    result = svc.batch_transition([app.pk], "approve", by=g1_manager)
    assert "东城区总工会批准" in result.failed[0][1]
    app.case.refresh_from_db()
    assert app.case.state == "notice" and app.approved_on is None


def test_batch_approval_reports_failures_and_keeps_the_rest(tree, staff):
    make_round(tree.d1, budget="12000")
    apps = []
    for i, name in enumerate(("甲", "乙", "丙", "丁")):
        worker, _file = registered_parent(tree.g1, name=f"王{name}")
        app = to_notice(apply(worker, child_name=f"王小{name}"), staff.g1_handler)
        if i != 1:
            notice_has_run(app)
        apps.append(app)
    # Somebody else approved apps[2] meanwhile: the batch holds a stale version of it.
    stale = apps[2].case.version
    workflow.perform_transition(apps[2].case, "reject", by=staff.g1_handler, version=stale,
                                data={"note": "子女已获其他资助"})
    before = AuditEntry.objects.unscoped().filter(event="golden_autumn.approve").count()
    result = svc.batch_transition([a.pk for a in apps] + [999999], "approve", by=staff.d1_manager)
    done = {a.pk for a in result.done}
    failed = {getattr(a, "pk", a): msg for a, msg in result.failed}
    assert done == {apps[0].pk, apps[3].pk}
    assert "公示期满后" in failed[apps[1].pk]
    assert "不能对当前状态" in failed[apps[2].pk] or "已有变化" in failed[apps[2].pk]
    assert "不在您的管辖范围" in failed[999999]
    # Each approval is its own engine step and audit entry.
    assert AuditEntry.objects.unscoped().filter(event="golden_autumn.approve").count() == before + 2
    # The budget: 12,000 holds two college grants of 5,000; a third is refused, nothing half-written.
    worker, _file = registered_parent(tree.g1, name="王戊")
    extra = to_notice(apply(worker, child_name="王小戊"), staff.g1_handler)
    notice_has_run(extra)
    result = svc.batch_transition([extra.pk], "approve", by=staff.d1_manager)
    assert "超出批次预算" in result.failed[0][1]
    extra.refresh_from_db()
    assert GoldenAutumnApplication.objects.unscoped().get(pk=extra.pk).case.state == "notice"
    assert svc.round_totals(extra.round)["granted"] == Decimal("10000.00")


def test_objection_sends_back_to_verification(tree, staff):
    make_round(tree.d1)
    worker, _file = registered_parent(tree.g1)
    app = to_notice(apply(worker), staff.g1_handler)
    workflow.perform_transition(app.case, "objection", by=staff.g1_handler, version=app.case.version,
                                data={"note": "群众反映家中新购轿车，需复核"})
    app.refresh_from_db()
    assert app.case.state == "submitted" and app.notice_ends_at is None


def test_payment_writes_one_ledger_row_per_grant(tree, staff):
    make_round(tree.d1)
    worker, _file = registered_parent(tree.g1)
    app = approved(apply(worker), staff)
    assert app.case.state == "approved" and app.approved_on == today()
    result = svc.batch_transition([app.pk], "pay", by=staff.d1_manager)
    assert not result.failed
    row = ServiceRecord.objects.unscoped().get(worker=worker)
    assert (row.kind, row.amount, row.delivering_union) == ("hardship.golden_autumn", Decimal("5000.00"), tree.d1)
    assert "王小明" in row.title
    # Paying twice is refused by the engine; the ledger keeps one row.
    again = svc.batch_transition([app.pk], "pay", by=staff.d1_manager)
    assert again.failed and ServiceRecord.objects.unscoped().filter(worker=worker).count() == 1


def test_payment_list_has_only_approved_and_masks_ids_without_permission(tree, staff):
    from openpyxl import load_workbook

    make_round(tree.d1)
    w1, _f = registered_parent(tree.g1, name="王一")
    w2, _f = registered_parent(tree.g1, name="王二")
    a1 = approved(apply(w1, child_name="王小一"), staff)
    apply(w2, child_name="王小二")  # still submitted: not on the list
    content, n = svc.payment_list_xlsx(a1.round, by=staff.d1_manager)
    assert n == 1
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4)]
    assert rows[0][1] == "王一" and rows[0][2] == w1.id_number_masked
    assert rows[0][4] == "6222020200001234567" and rows[0][5] == 5000
    assert rows[1][1] == "合计"
    assert "王二" not in str(rows)
    # An admin (members.view_full_id) gets the full ID number; the export is audited.
    content, _n = svc.payment_list_xlsx(a1.round, by=staff.d1_admin)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.cell(row=4, column=3).value == w1.full_id_number()
    assert AuditEntry.objects.unscoped().filter(event="hardship.golden_autumn.payment_list").count() == 2


# ----- rounds -----

def test_create_round_rules(tree, staff):
    data = {"year": today().year, "opens_on": "2026-09-01", "closes_on": "2026-10-15", "budget": "200000"}
    rnd = svc.create_round(tree.d1, data, by=staff.d1_manager)
    assert rnd.title == f"{today().year}年金秋助学" and rnd.node_path == tree.d1.path
    with pytest.raises(ValidationError) as e:
        svc.create_round(tree.d1, data, by=staff.d1_manager)
    assert "已设立" in e.value.message_dict["year"][0]
    with pytest.raises(ValidationError) as e:
        svc.create_round(tree.g1, data, by=staff.city_admin)
    assert "总工会" in e.value.message_dict["node"][0]
    with pytest.raises(ValidationError) as e:
        svc.create_round(tree.d2, data | {"closes_on": "2026-08-01", "budget": "-5"}, by=staff.d2_manager)
    assert set(e.value.message_dict) == {"closes_on", "budget"}
    with pytest.raises(PermissionDenied):
        svc.create_round(tree.d2, data, by=staff.d1_manager)
    # Rounds reach down: a district's union staff see their district's and the city's rounds only.
    city = svc.create_round(tree.city, data, by=staff.city_admin)
    visible = set(svc.rounds_visible_to(staff.g1_handler))
    assert visible == {rnd, city}


def test_masked_name():
    assert svc.masked_name("张三") == "张*"
    assert svc.masked_name("王秀英") == "王**"
    assert svc.masked_name("欧阳小明") == "欧阳**"
