"""Rules of the cases part: who sees a case, assignment (roster, capacity, conflicts, letter
numbers), stages and their time limits, the one-year arbitration limitation, recoveries (amounts,
ledger rows), the closing report and the close, the applicant's rating."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.ledger.models import ServiceRecord
from gonghui.legal import access
from gonghui.legal import services_cases as svc
from gonghui.legal.models import Assignment, LegalCase, LegalDocument, Recovery
from gonghui.legal.tests.cases_factories import (
    add_final_document,
    assigned_case,
    centre_handler,
    centre_manager,
    make_lawyer,
    make_partner,
)
from gonghui.legal.tests.factories import GOOD_USCC, make_centre, make_legal_case, make_member, upload
from gonghui.notifications.models import Notification
from gonghui.workflow.models import CaseEvent
from gonghui.workflow.services import perform_transition

pytestmark = pytest.mark.django_db


def _assign(legal_case, lawyer, by):
    case = legal_case.case
    case.refresh_from_db()
    return perform_transition(case, "assign", by=by, version=case.version, data={"lawyer": lawyer.pk})


def _close(legal_case, by, **data):
    case = legal_case.case
    case.refresh_from_db()
    return perform_transition(case, "close", by=by, version=case.version, data=data)


def _messages(error: ValidationError) -> str:
    return " ".join(m for ms in (error.message_dict.values() if hasattr(error, "error_dict") else [error.messages])
                    for m in ms)


# ---------------------------------------------------------------- access

def test_a_lawyer_sees_only_the_cases_assigned_to_them(tree, staff):
    mine = assigned_case(tree.g2)
    other = assigned_case(tree.g2)
    lawyer_user = mine.lawyer.user
    assert list(access.cases_for(lawyer_user)) == [mine]
    assert access.get_legal_case_or_404(lawyer_user, mine.pk).pk == mine.pk
    assert access.get_legal_case_or_404(lawyer_user, mine.pk, change=True).pk == mine.pk
    with pytest.raises(Http404):
        access.get_legal_case_or_404(lawyer_user, other.pk)
    with pytest.raises(Http404):
        access.get_legal_case_or_404(lawyer_user, 999999)


def test_staff_see_by_scope_and_the_applicant_reads_only_their_own(tree, staff):
    user = WorkerUserFactory()
    legal_case = make_legal_case(tree.g2, user=user)
    other = make_legal_case(tree.g2)
    assert access.get_legal_case_or_404(staff.d2_admin, legal_case.pk).pk == legal_case.pk
    with pytest.raises(Http404):
        access.get_legal_case_or_404(staff.d1_admin, legal_case.pk)
    assert access.get_legal_case_or_404(user, legal_case.pk).pk == legal_case.pk
    with pytest.raises(Http404):
        access.get_legal_case_or_404(user, legal_case.pk, change=True)
    with pytest.raises(Http404):
        access.get_legal_case_or_404(user, other.pk)
    assert list(access.cases_for(user)) == [legal_case]
    assert legal_case in access.cases_for(staff.d2_admin)
    assert legal_case not in access.cases_for(staff.d1_admin)


def test_a_reassigned_lawyer_loses_the_case(tree):
    legal_case = assigned_case(tree.g2)
    old = legal_case.lawyer
    new = make_lawyer(legal_case.case.node, account=True)
    manager = centre_manager(legal_case.case.node)
    assignment = svc.reassign(legal_case, new, by=manager, reason="原律师出差三个月")
    with pytest.raises(Http404):
        access.get_legal_case_or_404(old.user, legal_case.pk)
    assert access.get_legal_case_or_404(new.user, legal_case.pk)
    assert Assignment.objects.unscoped().filter(legal_case=legal_case, active=True).get() == assignment
    ended = Assignment.objects.unscoped().get(legal_case=legal_case, lawyer=old)
    assert not ended.active and ended.end_reason == "改派"


# ---------------------------------------------------------------- assignment

def test_assign_issues_numbered_letters_and_tells_the_lawyer(tree):
    first = assigned_case(tree.g2)
    second = assigned_case(tree.g2)
    year = datetime.date.today().year
    numbers = [a.number for a in Assignment.objects.unscoped().order_by("seq")]
    assert numbers == [f"西工法援委〔{year}〕第0001号", f"西工法援委〔{year}〕第0002号"]
    assert first.case.state == "in_progress" and first.lawyer is not None
    assert second.lawyer != first.lawyer
    assert Notification.objects.filter(recipient=first.lawyer.user).exists()


def test_assign_refuses_a_lawyer_at_capacity(tree):
    legal_case = assigned_case(tree.g2)
    full = make_lawyer(legal_case.case.node, name="满额律师", capacity=1)
    manager = centre_manager(legal_case.case.node)
    _assign(make_legal_case(tree.g2, state="approved"), full, manager)
    third = make_legal_case(tree.g2, state="approved")
    with pytest.raises(ValidationError) as error:
        _assign(third, full, manager)
    assert "达到同时承办上限1件" in _messages(error.value)
    third.case.refresh_from_db()
    assert third.case.state == "approved"
    assert not Assignment.objects.unscoped().filter(legal_case=third).exists()


def test_a_closed_case_frees_the_lawyers_capacity(tree):
    legal_case = assigned_case(tree.g2)
    lawyer = legal_case.lawyer
    lawyer.capacity = 1
    lawyer.save()
    add_final_document(legal_case, lawyer.user)
    _close(legal_case, centre_handler(legal_case.case.node), outcome="withdrawn", report="申请人撤回申请。")
    another = make_legal_case(tree.g2, state="approved")
    _assign(another, lawyer, centre_manager(another.case.node))
    another.refresh_from_db()
    assert another.lawyer == lawyer


def test_assign_refuses_a_declared_conflict(tree):
    legal_case = make_legal_case(tree.g2, state="approved", opponent_uscc=GOOD_USCC, opponent_name="江海某建筑公司")
    lawyer = make_lawyer(legal_case.case.node, name="冲突律师", conflicts=[GOOD_USCC])
    with pytest.raises(ValidationError) as error:
        _assign(legal_case, lawyer, centre_manager(legal_case.case.node))
    assert "利益冲突" in _messages(error.value) and "江海某建筑公司" in _messages(error.value)
    rows = svc.roster_rows(legal_case)
    assert [r.conflict for r in rows if r.lawyer == lawyer] == [True]


def test_assign_refuses_a_lawyer_of_another_centre_or_inactive(tree):
    legal_case = make_legal_case(tree.g2, state="approved")
    elsewhere = make_lawyer(make_centre(tree.d1).node, name="东城律师")
    inactive = make_lawyer(legal_case.case.node, name="停用律师", active=False)
    manager = centre_manager(legal_case.case.node)
    for lawyer in (elsewhere, inactive):
        with pytest.raises(ValidationError) as error:
            _assign(legal_case, lawyer, manager)
        assert "律师名册" in _messages(error.value)
    assert svc.roster_rows(legal_case) == []


def test_a_city_centre_roster_serves_its_cases(tree):
    centre = make_centre(tree.city)
    legal_case = make_legal_case(tree.g2, centre=centre, state="approved")
    lawyer = make_lawyer(centre.node)
    _assign(legal_case, lawyer, centre_manager(centre.node))
    legal_case.refresh_from_db()
    assert legal_case.lawyer == lawyer
    assert Assignment.objects.unscoped().get().number.startswith("江工法援委")


def test_reassign_needs_a_reason_and_the_decide_permission(tree):
    legal_case = assigned_case(tree.g2)
    other = make_lawyer(legal_case.case.node)
    with pytest.raises(ValidationError):
        svc.reassign(legal_case, other, by=centre_manager(legal_case.case.node), reason=" ")
    with pytest.raises(PermissionDenied):
        svc.reassign(legal_case, other, by=centre_handler(legal_case.case.node), reason="出差")


# ---------------------------------------------------------------- stages

def test_stages_default_deadlines_one_open_at_a_time(tree):
    legal_case = assigned_case(tree.g2, submitted_on=datetime.date.today() - datetime.timedelta(days=20))
    by = legal_case.lawyer.user
    start = legal_case.submitted_on
    mediation = svc.add_stage(legal_case, by=by, kind="mediation", started_on=start, body="劳动争议调解委员会")
    assert mediation.deadline == start + datetime.timedelta(days=15)
    legal_case.refresh_from_db()
    assert legal_case.stage == "mediation"
    with pytest.raises(ValidationError) as error:
        svc.add_stage(legal_case, by=by, kind="arbitration", started_on=start)
    assert "尚未结束" in _messages(error.value)
    with pytest.raises(ValidationError) as error:
        svc.end_stage(mediation, by=by, ended_on=start - datetime.timedelta(days=1), result="调解不成")
    assert "不能早于开始日期" in _messages(error.value)
    svc.end_stage(mediation, by=by, ended_on=start + datetime.timedelta(days=5), result="调解不成")
    arbitration = svc.add_stage(legal_case, by=by, kind="arbitration", started_on=start + datetime.timedelta(days=6))
    assert arbitration.deadline == arbitration.started_on + datetime.timedelta(days=45)
    hearing = svc.add_hearing(arbitration, by=by, held_on=arbitration.started_on, place="仲裁庭", record_text="开庭")
    assert hearing.stage == arbitration


def test_second_instance_needs_a_first_and_dates_are_checked(tree):
    legal_case = assigned_case(tree.g2)
    by = legal_case.lawyer.user
    with pytest.raises(ValidationError) as error:
        svc.add_stage(legal_case, by=by, kind="second_instance", started_on=legal_case.submitted_on)
    assert "一审" in _messages(error.value)
    with pytest.raises(ValidationError) as error:
        svc.add_stage(legal_case, by=by, kind="mediation", started_on=datetime.date.today() + datetime.timedelta(days=1))
    assert "不能晚于今天" in _messages(error.value)
    with pytest.raises(ValidationError):
        svc.add_stage(legal_case, by=by, kind="appeal", started_on=legal_case.submitted_on)


def test_stage_warnings_before_and_after_the_deadline(tree):
    legal_case = assigned_case(tree.g2, submitted_on=datetime.date.today() - datetime.timedelta(days=60))
    stage = svc.add_stage(legal_case, by=legal_case.lawyer.user, kind="mediation",
                          started_on=legal_case.submitted_on)
    warnings = svc.stage_warnings(legal_case, [stage])
    assert warnings and warnings[0].level == "danger" and "超过办理期限" in warnings[0].text
    soon = svc.stage_warnings(legal_case, [stage], today=stage.deadline - datetime.timedelta(days=3))
    assert soon[0].level == "warn"
    assert svc.stage_warnings(legal_case, [stage], today=stage.started_on) == []


def test_strangers_cannot_add_stages(tree, staff):
    legal_case = assigned_case(tree.g2)
    with pytest.raises(PermissionDenied):
        svc.add_stage(legal_case, by=make_partner(), kind="mediation", started_on=legal_case.submitted_on)
    with pytest.raises(PermissionDenied):
        svc.add_stage(legal_case, by=staff.d1_admin, kind="mediation", started_on=legal_case.submitted_on)


# ---------------------------------------------------------------- the arbitration limitation

def test_limitation_is_one_year_from_the_infringement():
    day = datetime.date(2025, 3, 10)
    assert svc.limitation_ends("dismissal", day, None) == datetime.date(2026, 3, 10)
    assert svc.limitation_ends("work_injury", datetime.date(2024, 2, 29), None) == datetime.date(2025, 2, 28)
    # Unpaid wages while employed: no limitation until the employment ends, then a year from its end.
    assert svc.limitation_ends("wages", day, None) is None
    assert svc.limitation_ends("wages", day, datetime.date(2025, 6, 30)) == datetime.date(2026, 6, 30)


def test_limitation_warns_when_close_and_when_passed(tree):
    legal_case = assigned_case(tree.g2, matter="dismissal")
    today = datetime.date.today()
    assert svc.limitation_status(legal_case, None, []).level == "info"
    limitation = svc.set_limitation(legal_case, by=legal_case.lawyer.user,
                                    infringed_on=today - datetime.timedelta(days=340))
    status = svc.limitation_status(legal_case, limitation, [])
    assert status.level == "warn" and status.days_left == (status.ends_on - today).days
    assert "仅剩" in status.text and "请尽快申请劳动仲裁" in status.text
    limitation.infringed_on = today - datetime.timedelta(days=400)
    assert svc.limitation_status(legal_case, limitation, []).level == "danger"
    limitation.infringed_on = today - datetime.timedelta(days=30)
    assert svc.limitation_status(legal_case, limitation, []).level == "ok"
    arbitration = svc.add_stage(legal_case, by=legal_case.lawyer.user, kind="arbitration", started_on=today)
    assert svc.limitation_status(legal_case, limitation, [arbitration]).level == "done"


def test_limitation_refuses_future_dates(tree):
    legal_case = assigned_case(tree.g2)
    with pytest.raises(ValidationError) as error:
        svc.set_limitation(legal_case, by=legal_case.lawyer.user,
                           infringed_on=datetime.date.today() + datetime.timedelta(days=2))
    assert "不能晚于今天" in _messages(error.value)


# ---------------------------------------------------------------- amounts and recoveries

@pytest.mark.parametrize("amount, message", [
    ("-100", "不能为负数"), ("0", "应大于0"), ("abc", "应为金额数字"), ("12.345", "两位小数"),
    ("12000.01", "超过申请时请求的金额"),
])
def test_recovery_amounts_are_checked(tree, amount, message):
    legal_case = assigned_case(tree.g2)
    with pytest.raises(ValidationError) as error:
        svc.add_recovery(legal_case, by=legal_case.lawyer.user, amount=amount, recovered_on=datetime.date.today(),
                         worker=legal_case.worker)
    assert message in _messages(error.value)
    assert not Recovery.objects.unscoped().exists()
    assert not ServiceRecord.objects.unscoped().exists()


def test_the_recovered_total_may_not_exceed_the_claim(tree):
    legal_case = assigned_case(tree.g2)  # 12,000 claimed
    by = legal_case.lawyer.user
    svc.add_recovery(legal_case, by=by, amount="8000", recovered_on=datetime.date.today(), worker=legal_case.worker)
    with pytest.raises(ValidationError) as error:
        svc.add_recovery(legal_case, by=by, amount="4000.50", recovered_on=datetime.date.today(), name="李四")
    assert "¥12,000.50" in _messages(error.value) and "¥12,000.00" in _messages(error.value)
    legal_case.refresh_from_db()
    assert legal_case.amount_recovered == Decimal("8000.00")


def test_recoveries_write_one_ledger_row_per_worker(tree):
    legal_case = assigned_case(tree.g2, workers_involved=3, amount_claimed=Decimal("30000"))
    colleague = make_member(tree.g2)
    by = legal_case.lawyer.user
    today = datetime.date.today()
    first = svc.add_recovery(legal_case, by=by, amount="9000", recovered_on=today, worker=legal_case.worker)
    svc.add_recovery(legal_case, by=by, amount="7000", recovered_on=today, worker=colleague)
    svc.add_recovery(legal_case, by=by, amount="5000", recovered_on=today, name="王五（未入会）")
    rows = ServiceRecord.objects.unscoped().filter(kind=svc.KIND_RECOVERED).order_by("amount")
    assert [(r.worker, r.amount) for r in rows] == [(colleague, Decimal("7000")), (legal_case.worker, Decimal("9000"))]
    assert all(r.member_union == tree.g2 for r in rows)
    # Recording the same recovery again writes nothing new (the ledger is idempotent by source).
    from gonghui.ledger.services import record_service

    record_service(worker=legal_case.worker, kind=svc.KIND_RECOVERED, app="legal", source=first, title="x",
                   delivering_union=legal_case.case.node, amount=Decimal("9000"))
    assert ServiceRecord.objects.unscoped().filter(kind=svc.KIND_RECOVERED).count() == 2
    legal_case.refresh_from_db()
    assert legal_case.amount_recovered == Decimal("21000.00") and legal_case.workers_covered == 3


def test_recovery_date_is_checked_and_only_while_in_progress(tree):
    legal_case = assigned_case(tree.g2)
    by = legal_case.lawyer.user
    with pytest.raises(ValidationError) as error:
        svc.add_recovery(legal_case, by=by, amount="100", recovered_on=legal_case.submitted_on
                         - datetime.timedelta(days=1), worker=legal_case.worker)
    assert "不能早于申请日期" in _messages(error.value)
    approved = make_legal_case(tree.g2, state="approved")
    with pytest.raises(PermissionDenied):  # nobody is assigned; the centre's handler may act but it is not open
        svc.add_recovery(approved, by=make_partner(), amount="100", recovered_on=datetime.date.today())
    with pytest.raises(ValidationError) as error:
        svc.add_recovery(approved, by=centre_handler(approved.case.node), amount="100",
                         recovered_on=datetime.date.today(), name="张三")
    assert "不在办理中" in _messages(error.value)


# ---------------------------------------------------------------- notes, documents

def test_the_lawyer_adds_progress_and_documents(tree):
    user = WorkerUserFactory()
    legal_case = assigned_case(tree.g2, user=user)
    by = legal_case.lawyer.user
    event = svc.add_progress(legal_case, by=by, text="已向用人单位发出律师函。")
    assert event.visible_to_applicant and event.kind == CaseEvent.Kind.COMMENT
    assert Notification.objects.filter(recipient=user).exists()
    internal = svc.add_progress(legal_case, by=by, text="对方可能转移财产", internal=True)
    assert not internal.visible_to_applicant
    document = svc.add_document(legal_case, by=by, kind="stage_document", upload=upload("仲裁申请书.png"))
    assert document.attachment.case == legal_case.case and document.uploaded_by == by
    with pytest.raises(ValidationError) as error:
        svc.add_document(legal_case, by=by, kind="other", upload=upload("病毒.exe"))
    assert "只能上传" in _messages(error.value) or "可执行" in _messages(error.value)
    with pytest.raises(ValidationError):
        svc.add_progress(legal_case, by=by, text="  ")


# ---------------------------------------------------------------- closing

def test_closing_needs_the_final_document(tree):
    legal_case = assigned_case(tree.g2)
    by = legal_case.lawyer.user
    with pytest.raises(ValidationError) as error:
        svc.submit_closing_report(legal_case, by=by, outcome="settled", text="达成调解协议。", amount_awarded="8000")
    assert "结案文书" in _messages(error.value)
    handler = centre_handler(legal_case.case.node)
    with pytest.raises(ValidationError) as error:
        _close(legal_case, handler, outcome="settled", report="达成调解协议。")
    assert "结案文书" in _messages(error.value)
    legal_case.refresh_from_db()
    assert legal_case.case.state == "in_progress" and legal_case.closed_on is None and not legal_case.outcome


def test_closing_needs_a_report_and_an_outcome(tree):
    legal_case = assigned_case(tree.g2)
    add_final_document(legal_case, legal_case.lawyer.user)
    with pytest.raises(ValidationError) as error:
        _close(legal_case, centre_handler(legal_case.case.node))
    assert "结案报告" in _messages(error.value) and "结案方式" in _messages(error.value)


@pytest.mark.parametrize("awarded, message", [("-1", "不能为负数"), ("12000.01", "超过申请时请求的金额")])
def test_awarded_amount_is_checked(tree, awarded, message):
    legal_case = assigned_case(tree.g2)
    add_final_document(legal_case, legal_case.lawyer.user)
    with pytest.raises(ValidationError) as error:
        svc.submit_closing_report(legal_case, by=legal_case.lawyer.user, outcome="award", text="裁决支持",
                                  amount_awarded=awarded)
    assert message in _messages(error.value)
    legal_case.refresh_from_db()
    assert legal_case.amount_awarded == 0 and not legal_case.outcome


def test_the_lawyers_report_then_the_centre_closes(tree):
    user = WorkerUserFactory()
    legal_case = assigned_case(tree.g2, user=user)
    by = legal_case.lawyer.user
    stage = svc.add_stage(legal_case, by=by, kind="mediation", started_on=legal_case.submitted_on)
    svc.add_recovery(legal_case, by=by, amount="8000", recovered_on=datetime.date.today(), worker=legal_case.worker)
    final = add_final_document(legal_case, by)
    report = svc.submit_closing_report(legal_case, by=by, outcome="settled", text="经调解，对方同意支付8000元。",
                                       amount_awarded="8000")
    assert report.final_document == final
    legal_case.refresh_from_db()
    assert legal_case.outcome == "settled" and legal_case.case.state == "in_progress"
    # The applicant may rate once the outcome is known.
    assert svc.may_rate(user, legal_case)
    _close(legal_case, centre_handler(legal_case.case.node))
    legal_case.refresh_from_db()
    assert legal_case.case.state == "closed" and legal_case.closed_on == datetime.date.today()
    assert legal_case.amount_awarded == Decimal("8000") and legal_case.amount_recovered == Decimal("8000")
    assert legal_case.workers_covered == 1
    stage.refresh_from_db()
    assert stage.ended_on == datetime.date.today()
    # Nothing more is registered on a closed case.
    with pytest.raises(ValidationError):
        svc.add_stage(legal_case, by=by, kind="enforcement", started_on=datetime.date.today())


def test_a_lawyer_may_not_close_the_case(tree):
    legal_case = assigned_case(tree.g2)
    add_final_document(legal_case, legal_case.lawyer.user)
    with pytest.raises(PermissionDenied):
        _close(legal_case, legal_case.lawyer.user, outcome="withdrawn", report="撤回")


def test_workers_covered_cannot_exceed_those_involved(tree):
    legal_case = assigned_case(tree.g2, workers_involved=2)
    add_final_document(legal_case, legal_case.lawyer.user)
    with pytest.raises(ValidationError) as error:
        _close(legal_case, centre_handler(legal_case.case.node), outcome="award", report="裁决", workers_covered=3)
    assert "不能超过申请时的涉及职工人数（2人）" in _messages(error.value)


# ---------------------------------------------------------------- rating

def test_rating_rules(tree):
    user = WorkerUserFactory()
    legal_case = assigned_case(tree.g2, user=user)
    with pytest.raises(ValidationError) as error:
        svc.rate(legal_case, by=user, rating=5)
    assert "有了结果后才能评价" in _messages(error.value)
    add_final_document(legal_case, legal_case.lawyer.user)
    _close(legal_case, centre_handler(legal_case.case.node), outcome="settled", report="调解结案")
    with pytest.raises(PermissionDenied):
        svc.rate(legal_case, by=legal_case.lawyer.user, rating=5)
    for bad in (0, 6, "x"):
        with pytest.raises(ValidationError) as error:
            svc.rate(legal_case, by=user, rating=bad)
        assert "1到5颗星" in _messages(error.value)
    svc.rate(legal_case, by=user, rating=4, comment="律师很负责")
    legal_case.refresh_from_db()
    assert (legal_case.rating, legal_case.rating_comment) == (4, "律师很负责") and legal_case.rated_at
    with pytest.raises(ValidationError) as error:
        svc.rate(legal_case, by=user, rating=5)
    assert "已评价过" in _messages(error.value)


def test_a_letter_number_taken_meanwhile_moves_on_to_the_next(tree):
    """Two centres computing the same next number at once: the unique constraint refuses the
    second inside a savepoint and it takes the next number; the step still succeeds."""
    first = assigned_case(tree.g2)
    legal_case = make_legal_case(tree.g2, state="approved")
    lawyer = make_lawyer(legal_case.case.node)
    with mock.patch.object(svc, "_next_seq", side_effect=[1, 2]):
        _assign(legal_case, lawyer, centre_manager(legal_case.case.node))
    assert sorted(Assignment.objects.unscoped().values_list("seq", flat=True)) == [1, 2]
    assert first.assignments.unscoped().get().seq == 1
    assert LegalCase.objects.unscoped().get(pk=legal_case.pk).lawyer == lawyer
    assert LegalDocument.objects.unscoped().filter(legal_case=legal_case).count() == 0
