import datetime

from gonghui.notifications.models import Notification
from gonghui.workflow import services
from gonghui.workflow.models import Case, CaseEvent


def _reload(case):
    return Case.objects.unscoped().select_related("supervising_node").get(pk=case.pk)


def test_sweep_warns_before_due_then_escalates_once_to_the_parent(make_case, tree, staff):
    case = services.perform_transition(make_case(), "accept", by=staff.g1_handler, version=1)
    before_warn = case.warn_at - datetime.timedelta(minutes=1)
    assert services.sweep(now=before_warn).warned == 0

    result = services.sweep(now=case.warn_at + datetime.timedelta(minutes=1))
    assert (result.warned, result.escalated) == (1, 0)
    assert _reload(case).warned_at is not None
    assert Notification.objects.filter(recipient=staff.g1_handler, template_key="workflow.due_soon").count() == 1
    assert services.sweep(now=case.warn_at + datetime.timedelta(minutes=2)).warned == 0  # once

    overdue = case.due_at + datetime.timedelta(minutes=1)
    assert services.sweep(now=overdue).escalated == 1
    case = _reload(case)
    assert case.supervising_node == tree.d1 and case.escalated_at == overdue
    assert case.events.unscoped().filter(kind=CaseEvent.Kind.ESCALATION).count() == 1
    # The parent union's staff are told; nobody in the sibling district is.
    assert Notification.objects.filter(recipient=staff.d1_manager, template_key="workflow.escalated").exists()
    assert not Notification.objects.filter(recipient=staff.d2_manager).exists()
    assert services.sweep(now=overdue + datetime.timedelta(hours=1)).escalated == 0  # once


def test_closed_cases_are_left_alone(make_case, applicant):
    case = services.perform_transition(make_case(), "withdraw", by=applicant, version=1)
    far_future = case.created_at + datetime.timedelta(days=60)
    assert services.sweep(now=far_future) == services.SweepResult(0, 0)


def test_a_new_state_restarts_the_clock(make_case, staff):
    case = make_case()
    services.sweep(now=case.due_at + datetime.timedelta(minutes=1))
    case = services.perform_transition(_reload(case), "accept", by=staff.g1_handler, version=1)
    assert case.warned_at is None and case.due_at > case.state_entered_at


def test_a_case_type_may_declare_where_it_escalates(make_case, tree, staff, monkeypatch):
    from gonghui.workflow.tests.casetypes import TEST_CASE

    monkeypatch.setattr(TEST_CASE, "escalate_to", lambda case: tree.city)  # e.g. straight to the city
    case = make_case()
    services.sweep(now=case.due_at + datetime.timedelta(minutes=1))
    assert _reload(case).supervising_node == tree.city
