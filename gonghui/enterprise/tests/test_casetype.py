"""The enterprise_problem case type: its steps, who may take them, and what they change."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.accounts.roles import permissions_of
from gonghui.enterprise.casetype import ENTERPRISE_PROBLEM
from gonghui.enterprise.models import Problem
from gonghui.enterprise.tests.factories import make_enterprise, make_visit
from gonghui.orgs.models import UnionNode
from gonghui.orgs.tests.factories import UnionNodeFactory
from gonghui.workflow import declarations, services
from gonghui.workflow.models import Case, CaseEvent


@pytest.fixture
def problem(tree, staff):
    """A problem found by district 1 at an enterprise under union g1."""
    enterprise = make_enterprise(tree.g1, name="东城机械有限公司")
    return make_visit(enterprise, node=tree.d1, by=staff.d1_manager).created_problems[0]


def names(case, user):
    return [t.name for t in services.available_transitions(case, user)]


def take(case, name, by, **data):
    return services.perform_transition(case, name, by=by, version=case.version, data=data)


def fresh(case):
    return Case.objects.unscoped().get(pk=case.pk)


def test_registered_with_permissions_in_the_bundles():
    assert declarations.get("enterprise_problem") is ENTERPRISE_PROBLEM
    assert "enterprise.view" in permissions_of("viewer") and "enterprise.handle" not in permissions_of("viewer")
    for role in ("handler", "manager", "admin"):
        assert {"enterprise.view", "enterprise.handle"} <= permissions_of(role)
    assert [s.name for s in ENTERPRISE_PROBLEM.states if s.terminal] == ["solved", "unsolvable"]


def test_start_report_and_solve(problem, staff):
    case = problem.case
    assert names(case, staff.d1_manager) == ["start", "transfer", "close_unsolvable"]
    assert names(case, staff.g1_viewer) == []
    case = take(case, "start", staff.d1_manager)
    assert case.state == "in_progress" and case.assignee == staff.d1_manager
    assert names(case, staff.d1_manager) == ["transfer", "report_progress", "solve", "close_unsolvable"]
    with pytest.raises(ValidationError) as e:
        take(case, "solve", staff.d1_manager)
    assert e.value.message_dict["note"] == ["请填写解决措施和结果。"]
    case = take(case, "solve", staff.d1_manager, note="企业已补发工资")
    assert case.state == "solved" and not case.is_open and case.closed_at and case.due_at is None
    assert Problem.objects.unscoped().get(pk=case.pk).solution == "企业已补发工资"
    assert names(case, staff.d1_manager) == []  # reopening is for the union above


def test_a_progress_report_does_not_restart_the_clock(problem, staff):
    case = take(problem.case, "start", staff.d1_manager)
    due, entered = case.due_at, case.state_entered_at
    Case.objects.unscoped().filter(pk=case.pk).update(warned_at=timezone.now())  # as if warned
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.WARNING, text="即将到期")
    case = fresh(case)
    case = take(case, "report_progress", staff.d1_manager, note="已与企业座谈")
    assert case.state == "in_progress"
    stored = fresh(case)
    assert abs(stored.due_at - due) < datetime.timedelta(seconds=1) and stored.due_at.date() == due.date()
    assert abs(stored.state_entered_at - entered) < datetime.timedelta(seconds=1)
    assert stored.warned_at is not None  # not warned again
    with pytest.raises(ValidationError):
        take(stored, "report_progress", staff.d1_manager)  # a note is required


def test_unsolvable_needs_a_reason(problem, staff):
    with pytest.raises(ValidationError) as e:
        take(problem.case, "close_unsolvable", staff.d1_manager)
    assert e.value.message_dict["note"] == ["请填写无法解决的原因。"]
    case = take(problem.case, "close_unsolvable", staff.d1_manager, note="企业已破产清算")
    assert case.state == "unsolvable" and not case.is_open


def test_transfer_moves_the_case_to_another_union_or_department(problem, tree, staff):
    centre = UnionNodeFactory(name="东城区职工服务中心", kind=UnionNode.Kind.SERVICE_CENTRE, parent=tree.d1)
    case = take(problem.case, "start", staff.d1_manager)
    case = take(case, "transfer", staff.d1_manager, node=str(centre.pk), note="涉及就业服务")
    assert case.node == centre and case.state == "recorded" and case.assignee is None
    # The problem follows its case: the centre's scope now holds it, district 2 still does not.
    assert Problem.objects.visible_to(staff.d1_manager, "enterprise.view").filter(pk=case.pk).exists()
    assert not Problem.objects.visible_to(staff.d2_manager, "enterprise.view").filter(pk=case.pk).exists()
    with pytest.raises(ValidationError):
        take(case, "transfer", staff.city_admin, node=str(tree.g2.pk), note="x")  # not next to the centre


def test_reopen_and_take_over_are_for_the_supervising_union_only(problem, tree, staff):
    enterprise = problem.enterprise
    own = make_visit(enterprise, node=tree.g1, by=staff.g1_handler).created_problems[0].case  # owned by g1
    assert "take_over" not in names(own, staff.g1_handler)
    assert "take_over" in names(own, staff.d1_manager)
    with pytest.raises(PermissionDenied):
        take(own, "take_over", staff.g1_handler)
    own = take(own, "start", staff.g1_handler)
    assert own.assignee == staff.g1_handler
    own = take(own, "take_over", staff.d1_manager, note="区总工会直接协调")
    assert own.assignee == staff.d1_manager and own.state == "in_progress" and own.node == tree.g1

    own = take(own, "solve", staff.g1_handler, note="已解决")
    with pytest.raises(PermissionDenied):
        take(own, "reopen", staff.g1_handler, note="x")
    assert names(own, staff.d2_manager) == []
    own = take(own, "reopen", staff.d1_manager, note="职工反映问题仍然存在")
    assert own.state == "in_progress" and own.is_open and own.closed_at is None and own.due_at
    assert Problem.objects.unscoped().get(pk=own.pk).solution == ""
