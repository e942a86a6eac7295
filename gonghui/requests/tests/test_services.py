import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.members.tests.factories import WorkerFactory
from gonghui.notifications.models import Notification
from gonghui.requests import casetype, services
from gonghui.requests.models import Request
from gonghui.requests.tests.factories import category, member_user, submit
from gonghui.workflow import calendar
from gonghui.workflow import services as workflow
from gonghui.workflow.models import Case

pytestmark = pytest.mark.django_db


def step(req_or_case, name, by, **data):
    case = Case.objects.unscoped().get(pk=req_or_case.pk)
    return workflow.perform_transition(case, name, by=by, version=case.version, data=data)


def fresh(obj):
    return Request.objects.unscoped().select_related("case").get(pk=obj.pk)


# ----- routing -----

def test_a_member_goes_to_their_grassroots_union(member, tree):
    req = submit(member)
    assert req.case.node == tree.g1 and req.case.state == "submitted"
    assert req.pk == req.case.pk and req.case.number.startswith("SQ")
    assert req.case.applicant == member and req.channel == "online"


def test_a_complaint_about_the_own_union_goes_to_the_district_federation(member, tree):
    req = submit(member, kind="complaint", about_own_union=True)
    assert req.case.node == tree.d1


def test_a_worker_without_a_union_goes_to_the_district_they_chose(tree):
    user = WorkerUserFactory()
    WorkerFactory(user=user)  # a record, no membership
    with pytest.raises(ValidationError) as e:
        submit(user)
    assert "district" in e.value.message_dict
    assert submit(user, chosen_node=tree.d2).case.node == tree.d2


def test_a_worker_with_no_record_at_all_also_chooses_the_district(tree):
    user = WorkerUserFactory()
    req = services.submit_request(by=user, applicant=user, category=category(), kind="consultation",
                                  description="想咨询劳动合同", chosen_node=tree.d1)
    assert req.case.node == tree.d1 and req.worker is None


def test_about_own_union_is_ignored_for_a_non_member(tree):
    user = WorkerUserFactory()
    assert submit(user, about_own_union=True, chosen_node=tree.d2).case.node == tree.d2


def test_a_worker_cannot_claim_another_channel(member):
    with pytest.raises(PermissionDenied):
        submit(member, channel="phone")


# ----- urgency, duplicates, grading -----

def test_migrant_wage_arrears_are_urgent_with_a_shorter_limit(member, staff):
    req = submit(member, code="wages", migrant_worker=True)
    assert req.migrant_wage_arrears and req.case.urgent
    case = step(req, "accept", staff.g1_handler)
    assert case.due_at == calendar.add_working_days(case.state_entered_at, casetype.URGENT_DAYS)
    # A migrant worker with another kind of problem, or wages of a non-migrant, are not urgent.
    assert not submit(member, code="contract", migrant_worker=True).case.urgent
    assert not submit(member_user(req.case.node), code="wages").case.urgent


def test_a_second_open_request_in_the_same_category_is_a_likely_duplicate(member, staff):
    first = submit(member)
    second = submit(member)
    other = submit(member, code="social_insurance")
    assert first.likely_duplicate_of is None
    assert second.likely_duplicate_of == first
    assert other.likely_duplicate_of is None
    # Once the first is closed, a new one is not a duplicate of it.
    step(first, "accept", staff.g1_handler)
    step(first, "close", staff.g1_handler, note="已协调发放")
    step(second, "accept", staff.g1_handler)
    step(second, "close", staff.g1_handler, note="同上")
    assert submit(member).likely_duplicate_of is None


@pytest.mark.parametrize("grade, days", [("general", 5), ("difficult", 15), ("complex", 30)])
def test_the_grade_sets_the_handling_limit(member, staff, grade, days):
    req = submit(member)
    case = step(req, "accept", staff.g1_handler, grade=grade)
    assert fresh(req).grade == grade
    assert case.due_at == calendar.add_working_days(case.state_entered_at, days)


def test_regrading_keeps_the_start_of_the_clock(member, staff):
    req = submit(member)
    accepted = step(req, "accept", staff.g1_handler)
    case = step(req, "set_grade", staff.g1_handler, grade="difficult")
    assert case.due_at == calendar.add_working_days(accepted.state_entered_at, 15)
    # A reply does not restart the clock either.
    assert step(req, "reply", staff.g1_handler, reply="正在核实").due_at == case.due_at


def test_receiving_is_due_within_one_working_day(member):
    req = submit(member)
    assert req.case.due_at == calendar.add_working_days(req.case.state_entered_at, 1)


# ----- extension -----

def test_an_extension_needs_a_reason_and_is_allowed_once(member, staff):
    req = submit(member)
    accepted = step(req, "accept", staff.g1_handler)
    with pytest.raises(ValidationError) as e:
        step(req, "extend", staff.g1_handler, days=5)
    assert "note" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        step(req, "extend", staff.g1_handler, days=99, note="太多")
    assert "days" in e.value.message_dict
    case = step(req, "extend", staff.g1_handler, days=5, note="需要去企业核实工资表")
    assert case.due_at == calendar.add_working_days(accepted.due_at, 5)
    r = fresh(req)
    assert r.extended and r.extension_reason == "需要去企业核实工资表"
    assert "extend" not in [t.name for t in workflow.available_transitions(case, staff.g1_handler)]
    with pytest.raises(PermissionDenied):
        step(req, "extend", staff.g1_handler, days=3, note="再延")


# ----- asking the worker, the clock pauses -----

def test_waiting_for_the_worker_pauses_the_clock(member, staff):
    req = submit(member)
    accepted = step(req, "accept", staff.g1_handler)
    step(req, "ask_info", staff.g1_handler, note="请上传工资条")
    Request.objects.unscoped().filter(pk=req.pk).update(
        paused_at=timezone.now() - datetime.timedelta(days=2))
    case = step(req, "supply_info", member, note="已上传")
    assert case.state == "handling"
    shift = case.due_at - accepted.due_at
    assert datetime.timedelta(days=2) <= shift < datetime.timedelta(days=2, minutes=5)


# ----- quality check, take-over -----

def test_the_supervising_union_checks_before_closing_when_it_asks(member, staff, tree):
    req = submit(member)
    step(req, "accept", staff.g1_handler)
    with pytest.raises(PermissionDenied):  # the grassroots union cannot ask itself
        step(req, "ask_check", staff.g1_handler)
    step(req, "ask_check", staff.d1_manager)
    with pytest.raises(PermissionDenied):  # a check is required now: no direct close
        step(req, "close", staff.g1_handler, note="已解决")
    case = step(req, "submit_for_check", staff.g1_handler, note="已解决")
    assert case.state == "quality_check"
    with pytest.raises(PermissionDenied):  # the handler cannot pass their own work
        step(req, "approve_check", staff.g1_handler)
    with pytest.raises(PermissionDenied):  # another district cannot either
        step(req, "approve_check", staff.d2_manager)
    assert step(req, "reject_check", staff.d1_manager, note="没有附工资发放凭证").state == "handling"
    step(req, "submit_for_check", staff.g1_handler, note="已补发，附凭证")
    case = step(req, "approve_check", staff.d1_manager)
    assert case.state == "closed" and not case.is_open
    r = fresh(req)
    assert r.outcome == "已补发，附凭证" and r.on_time is True and r.closed_at
    assert r.rating_invited_at is not None


def test_especially_complex_requests_are_checked(member, staff):
    req = submit(member)
    step(req, "accept", staff.g1_handler, grade="complex")
    assert fresh(req).quality_check_required


def test_the_parent_union_can_take_a_case_over(member, staff, tree):
    req = submit(member)
    with pytest.raises(PermissionDenied):
        step(req, "take_over", staff.g1_handler)
    case = step(req, "take_over", staff.d1_manager, note="区总直接办理")
    assert case.state == "handling" and case.node == tree.d1 and case.assignee == staff.d1_manager


# ----- rating -----

def closed_request(member, staff):
    req = submit(member)
    step(req, "accept", staff.g1_handler)
    step(req, "close", staff.g1_handler, note="已协调单位补发工资")
    return fresh(req)


def test_closing_invites_the_worker_to_rate(member, staff):
    req = closed_request(member, staff)
    assert req.rating_invited_at is not None
    assert Notification.objects.filter(recipient=member, template_key="requests.rate_invite").exists()
    case = step(req, "rate", member, rating="5", note="很满意")
    r = fresh(req)
    assert (r.rating, r.rating_comment) == (5, "很满意")
    assert case.state == "closed" and case.closed_at == r.closed_at  # rating does not move the close time


def test_a_second_rating_is_refused(member, staff):
    req = closed_request(member, staff)
    step(req, "rate", member, rating="4")
    with pytest.raises(PermissionDenied):
        step(req, "rate", member, rating="5")
    assert fresh(req).rating == 4


def test_a_rating_after_seven_days_is_refused(member, staff):
    req = closed_request(member, staff)
    Request.objects.unscoped().filter(pk=req.pk).update(
        rating_invited_at=timezone.now() - datetime.timedelta(days=7, minutes=1))
    with pytest.raises(PermissionDenied):
        step(req, "rate", member, rating="5")
    assert fresh(req).rating is None


def test_only_the_worker_rates(member, staff):
    req = closed_request(member, staff)
    with pytest.raises(PermissionDenied):
        step(req, "rate", staff.g1_handler, rating="5")


def test_a_low_rating_reopens_the_case_at_the_supervising_union(member, staff, tree):
    req = closed_request(member, staff)
    case = step(req, "rate", member, rating="2", note="工资还是没发")
    assert case.state == "reopened" and case.is_open and case.node == tree.d1
    r = fresh(req)
    assert r.rating == 2 and r.reopened_at
    transitions = list(case.events.unscoped().filter(kind="transition").values_list("transition", flat=True))
    assert transitions[-2:] == ["rate", "reopen"]
    # The district accepts and handles it; the grassroots union no longer owns it.
    with pytest.raises(PermissionDenied):
        step(req, "accept", staff.g1_handler)
    assert step(req, "accept", staff.d1_manager).state == "handling"
    # No second rating after a reopened case closes again.
    step(req, "close", staff.d1_manager, note="区总协调解决")
    with pytest.raises(PermissionDenied):
        step(req, "rate", member, rating="5")


def test_a_middling_rating_does_not_reopen(member, staff):
    req = closed_request(member, staff)
    assert step(req, "rate", member, rating="3").state == "closed"


# ----- transfer -----

def test_transfer_needs_a_reason_and_moves_the_case(member, staff, tree):
    req = submit(member)
    with pytest.raises(ValidationError):
        step(req, "transfer", staff.g1_handler, node=tree.d1.pk)
    case = step(req, "transfer", staff.g1_handler, node=tree.d1.pk, note="涉及多家企业，请区总协调")
    assert case.node == tree.d1 and case.state == "submitted"


def test_a_viewer_may_not_accept(member, staff):
    req = submit(member)
    with pytest.raises(PermissionDenied):
        step(req, "accept", staff.g1_viewer)


# ----- staff logging -----

def test_staff_log_a_call_on_behalf_of_a_member(member, staff, tree):
    from gonghui.members.models import Worker

    worker = Worker.objects.unscoped().get(user=member)
    req = services.submit_request(by=staff.d1_manager, worker=worker, applicant=member, category=category("wages"),
                                  kind="help", description="电话反映：欠薪", channel="phone")
    assert req.channel == "phone" and req.logged_by == staff.d1_manager
    assert req.case.node == tree.g1 and req.case.applicant == member


def test_staff_may_not_log_into_another_district(staff, tree):
    with pytest.raises(ValidationError):
        services.submit_request(by=staff.d1_manager, category=category(), kind="help", description="来访",
                                channel="visit", contact_name="李四", chosen_node=tree.d2)


def test_staff_must_name_an_offline_channel(staff, tree):
    with pytest.raises(ValidationError) as e:
        services.submit_request(by=staff.d1_manager, category=category(), kind="help", description="x",
                                channel="online", contact_name="李四", chosen_node=tree.d1)
    assert "channel" in e.value.message_dict


# ----- bulk assign -----

def test_bulk_assign_gives_every_request_to_the_handler(member, staff, tree):
    a, b = submit(member), submit(member, code="wages")
    assert services.bulk_assign([a.pk, b.pk], staff.g1_handler, by=staff.d1_manager) == 2
    assert set(Case.objects.unscoped().filter(pk__in=[a.pk, b.pk]).values_list("assignee", flat=True)) == {
        staff.g1_handler.pk}


def test_bulk_assign_refuses_a_request_out_of_scope(member, staff, tree):
    from django.http import Http404

    a = submit(member)
    other = submit(member_user(tree.g2))
    with pytest.raises(Http404):
        services.bulk_assign([a.pk, other.pk], staff.g1_handler, by=staff.d1_manager)
    assert Case.objects.unscoped().get(pk=a.pk).assignee is None


def test_sweep_escalates_an_overdue_request_to_the_parent_union(member, staff, tree):
    req = submit(member)
    case = Case.objects.unscoped().get(pk=req.pk)
    result = workflow.sweep(now=case.due_at + datetime.timedelta(hours=1))
    assert result.escalated == 1
    case.refresh_from_db()
    assert case.supervising_node == tree.d1
