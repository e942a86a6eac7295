"""The "join" case type on the engine: approve, place, reject, transfer, withdraw, the time limit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.members.models import JoinApplication, Membership
from gonghui.members.tests.factories import MembershipFactory
from gonghui.members.tests.join_helpers import applicant, apply, area
from gonghui.notifications.models import Notification
from gonghui.workflow import calendar, services
from gonghui.workflow.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


def _reload(application):
    return JoinApplication.objects.unscoped().select_related("case", "membership").get(pk=application.pk)


def _names(case, user):
    return [t.name for t in services.available_transitions(Case.objects.unscoped().get(pk=case.pk), user)]


def test_approve_creates_the_membership_and_tells_the_worker(tree, staff):
    user = applicant()
    application, _ = apply(user, tree.g1)
    assert _names(application.case, staff.g1_handler) == ["approve", "reject", "transfer"]
    services.perform_transition(application.case, "approve", by=staff.g1_handler, version=1,
                                data={"note": "欢迎加入！"})
    application = _reload(application)
    membership = application.membership
    assert application.case.state == "approved" and not application.case.is_open
    assert (membership.worker, membership.union, membership.status) == (application.worker, tree.g1, "active")
    assert membership.member_number.startswith("M") and len(membership.member_number) == 11
    assert membership.joined_on == timezone.localdate()
    message = Notification.objects.filter(recipient=user, template_key="workflow.transition").first()
    assert "已入会" in message.body and "欢迎加入" in message.body  # the worker's plain label and the note
    assert AuditEntry.objects.unscoped().filter(event="join.approved").exists()
    assert AuditEntry.objects.unscoped().filter(event="membership.created").exists()


def test_approval_rechecks_that_the_person_is_not_a_member_elsewhere_meanwhile(tree, staff):
    application, _ = apply(applicant(), tree.g1)
    MembershipFactory(worker=application.worker, union=tree.g2)  # e.g. imported by another union meanwhile
    events = CaseEvent.objects.unscoped().count()
    with pytest.raises(ValidationError) as excinfo:
        services.perform_transition(application.case, "approve", by=staff.g1_handler, version=1)
    assert "已是西城纺织厂工会的在册会员" in excinfo.value.messages[0]
    application = _reload(application)
    assert application.case.state == "submitted" and application.case.version == 1
    assert application.membership is None and Membership.objects.unscoped().count() == 1
    assert CaseEvent.objects.unscoped().count() == events


def test_reject_requires_a_reason_the_worker_reads(tree, staff):
    user = applicant()
    application, _ = apply(user, tree.g1)
    with pytest.raises(ValidationError) as excinfo:
        services.perform_transition(application.case, "reject", by=staff.g1_handler, version=1, data={"note": "  "})
    assert excinfo.value.message_dict["note"] == ["请填写不通过的原因（职工可见）。"]
    services.perform_transition(application.case, "reject", by=staff.g1_handler, version=1,
                                data={"note": "经核实您已离职，请在新单位申请。"})
    application = _reload(application)
    assert application.case.state == "rejected" and application.membership is None
    assert Notification.objects.filter(recipient=user, body__contains="经核实您已离职").exists()
    from gonghui.members.join_services import decision_note

    assert decision_note(application.case) == "经核实您已离职，请在新单位申请。"


def test_a_town_union_places_the_worker_in_a_joint_union_of_its_area(tree, staff):
    town, joint, town_joint, joint2 = area(tree)
    application, _ = apply(applicant(), town, employer="新华街小吃店")
    # The plain "approve" is not offered: the town holds no members; "place" asks for the joint union.
    assert _names(application.case, staff.d1_manager) == ["place", "reject", "transfer"]
    from gonghui.workflow.forms import transition_form

    form = transition_form(application.case.type.transition("place"), application.case)
    assert [c[0] for c in form.fields["union"].choices][1:] == [town_joint.pk]  # only its own area's
    for wrong in (joint.pk, joint2.pk, tree.g1.pk):
        with pytest.raises(ValidationError) as excinfo:
            services.perform_transition(application.case, "place", by=staff.d1_manager, version=1,
                                        data={"union": str(wrong)})
        assert excinfo.value.message_dict["union"] == ["加入的联合基层工会的选项不正确，请从列表中选择。"]
    services.perform_transition(application.case, "place", by=staff.d1_manager, version=1,
                                data={"union": str(town_joint.pk)})
    application = _reload(application)
    assert application.membership.union == town_joint and application.case.state == "approved"


def test_a_district_union_places_in_any_joint_union_of_its_subtree(tree, staff):
    town, joint, town_joint, joint2 = area(tree)
    application, _ = apply(applicant(), tree.d1)
    form_choices = {u.pk for u in application.case.type.transition("place").field("union").targets(application.case)}
    assert form_choices == {joint.pk, town_joint.pk}
    services.perform_transition(application.case, "place", by=staff.d1_manager, version=1,
                                data={"union": str(joint.pk)})
    assert _reload(application).membership.union == joint


def test_transfer_hands_the_application_to_another_union(tree, staff):
    user = applicant()
    application, _ = apply(user, tree.g1)
    services.perform_transition(application.case, "transfer", by=staff.g1_handler, version=1,
                                data={"node": str(tree.d1.pk), "note": "职工已调到区属单位，请区总工会审核。"})
    case = Case.objects.unscoped().get(pk=application.pk)
    assert (case.node, case.state) == (tree.d1, "submitted")
    assert not services.may_view(case, staff.g1_handler)  # left the grassroots union's subtree
    assert Notification.objects.filter(recipient=user, body__contains="区总工会审核").exists()
    assert _names(case, staff.d1_manager) == ["place", "reject", "transfer"]


def test_the_worker_withdraws_and_staff_cannot(tree, staff):
    user = applicant()
    application, _ = apply(user, tree.g1)
    with pytest.raises(PermissionDenied):
        services.perform_transition(application.case, "withdraw", by=staff.g1_handler, version=1)
    services.perform_transition(application.case, "withdraw", by=user, version=1)
    case = Case.objects.unscoped().get(pk=application.pk)
    assert case.state == "withdrawn" and case.applicant_state_label == "已撤回"
    # Withdrawn: they may apply again.
    again, created = apply(user, tree.g2, id_number=application.worker.full_id_number(),
                           name=application.worker.name)
    assert created and again.worker == application.worker


def test_who_may_decide(tree, staff):
    application, _ = apply(applicant(), tree.g1)
    assert _names(application.case, staff.g1_viewer) == []  # a viewer may not approve
    assert _names(application.case, staff.d2_manager) == []  # another district
    assert not services.may_view(application.case, staff.d2_admin)
    with pytest.raises(PermissionDenied):
        services.perform_transition(application.case, "approve", by=staff.d2_manager, version=1)
    assert _names(application.case, staff.d1_manager) == ["approve", "reject", "transfer"]  # the parent union


def test_an_overdue_application_is_escalated_to_the_parent_union(tree, staff):
    application, _ = apply(applicant(), tree.g1)
    case = Case.objects.unscoped().get(pk=application.pk)
    assert services.sweep(now=case.due_at - datetime.timedelta(days=2)).escalated == 0
    result = services.sweep(now=case.due_at + datetime.timedelta(minutes=1))
    assert result.escalated == 1
    case = Case.objects.unscoped().select_related("supervising_node").get(pk=application.pk)
    assert case.supervising_node == tree.d1 and case.escalated_at is not None
    assert case.events.unscoped().filter(kind="escalation").count() == 1
    assert Notification.objects.filter(recipient=staff.d1_manager, template_key="workflow.escalated").exists()
    assert not Notification.objects.filter(recipient=staff.d2_manager).exists()


@override_settings(GONGHUI_JOIN_DAYS=5)
def test_the_time_limit_is_a_setting(tree):
    application, _ = apply(applicant(), tree.g1)
    case = application.case
    assert case.due_at == calendar.add_working_days(case.state_entered_at, 5)
