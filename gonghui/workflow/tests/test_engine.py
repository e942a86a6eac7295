import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.notifications.models import Notification
from gonghui.workflow import services
from gonghui.workflow.access import get_case_or_404
from gonghui.workflow.models import Case, CaseEvent


def test_open_case_starts_in_the_initial_state_with_a_due_time(make_case, staff):
    case = make_case()
    assert case.state == "submitted" and case.is_open and case.version == 1
    assert case.number.startswith("TC") and str(case.pk) in case.number
    assert case.due_at > timezone.now()
    assert case.warn_at == case.due_at - datetime.timedelta(hours=24)
    assert case.node_path == case.node.path
    assert list(case.events.unscoped().values_list("kind", flat=True)) == ["opened"]
    assert AuditEntry.objects.unscoped().filter(event="test_case.opened", object_id=str(case.pk)).exists()
    # The owning union's staff hear about it in their inbox.
    assert Notification.objects.filter(recipient=staff.g1_handler, template_key="workflow.opened").exists()


def test_a_transition_moves_the_state_and_leaves_a_trace(make_case, staff, applicant):
    case = make_case()
    case = services.perform_transition(case, "accept", by=staff.g1_handler, version=1)
    assert case.state == "handling" and case.version == 2
    assert case.assignee == staff.g1_handler  # whoever first works on a case holds it
    assert case.due_at == case.state_entered_at + datetime.timedelta(hours=48)
    event = case.events.unscoped().get(kind=CaseEvent.Kind.TRANSITION)
    assert (event.transition, event.from_state, event.to_state, event.actor) == (
        "accept", "submitted", "handling", staff.g1_handler)
    entry = AuditEntry.objects.unscoped().get(event="test_case.accept")
    assert entry.changes == {"state": ["submitted", "handling"]}
    note = Notification.objects.get(recipient=applicant, template_key="workflow.transition", channel="inbox")
    assert "受理中" in note.body  # the worker reads the plain label
    assert note.link.endswith(f"/my/cases/{case.pk}/")


def test_a_stale_version_is_refused_and_nothing_is_lost(make_case, tree, staff):
    case = make_case()
    services.perform_transition(case, "accept", by=staff.g1_handler, version=1)
    with pytest.raises(services.StaleCase) as stale:
        services.perform_transition(case, "transfer", by=staff.d1_manager, version=1,
                                    data={"node": tree.d1.pk, "note": "x"})
    assert stale.value.case.state == "handling"
    assert "办理中" in str(stale.value)
    assert Case.objects.unscoped().get(pk=case.pk).version == 2


def test_permission_and_state_decide_who_may_take_a_step(make_case, staff, applicant):
    case = make_case()
    with pytest.raises(PermissionDenied):
        services.perform_transition(case, "accept", by=staff.g1_viewer, version=1)  # viewer: no change right
    with pytest.raises(PermissionDenied):
        services.perform_transition(case, "accept", by=staff.d2_manager, version=1)  # other district
    with pytest.raises(PermissionDenied):
        services.perform_transition(case, "close", by=staff.g1_handler, version=1, data={"note": "x"})  # wrong state
    assert [t.name for t in services.available_transitions(case, staff.g1_handler)] == ["accept", "transfer"]
    assert [t.name for t in services.available_transitions(case, applicant)] == ["withdraw"]
    assert services.available_transitions(case, staff.d2_manager) == []


def test_supervision_is_for_the_union_above_only(make_case, staff):
    case = make_case()
    assert "take_over" not in [t.name for t in services.available_transitions(case, staff.g1_handler)]
    assert "take_over" in [t.name for t in services.available_transitions(case, staff.d1_manager)]
    case = services.perform_transition(case, "take_over", by=staff.d1_manager, version=1)
    assert case.state == "handling"


def test_only_the_applicant_may_take_an_applicant_step(make_case, staff, applicant):
    case = make_case()
    with pytest.raises(PermissionDenied):
        services.perform_transition(case, "withdraw", by=staff.city_admin, version=1)
    case = services.perform_transition(case, "withdraw", by=applicant, version=1)
    assert case.state == "closed" and not case.is_open and case.closed_at and case.due_at is None


def test_required_fields_of_a_transition_are_checked(make_case, staff):
    case = make_case()
    services.perform_transition(case, "accept", by=staff.g1_handler, version=1)
    with pytest.raises(ValidationError) as error:
        services.perform_transition(case, "close", by=staff.g1_handler, version=2, data={"note": "  "})
    assert error.value.message_dict == {"note": ["请填写办理结果。"]}
    assert Case.objects.unscoped().get(pk=case.pk).state == "handling"


def test_transfer_is_the_only_way_out_of_a_subtree(make_case, tree, staff):
    case = make_case()
    with pytest.raises(ValidationError) as error:
        services.perform_transition(case, "transfer", by=staff.g1_handler, version=1,
                                    data={"node": tree.g2.pk, "note": "不归我们管"})  # a cousin, not around g1
    assert "node" in error.value.message_dict
    case = services.perform_transition(case, "transfer", by=staff.g1_handler, version=1,
                                       data={"node": tree.d1.pk, "note": "请区总工会协调"})
    assert (case.node, case.node_path, case.state, case.assignee) == (tree.d1, tree.d1.path, "submitted", None)
    assert AuditEntry.objects.unscoped().get(event="test_case.transfer").changes["node"] == [tree.g1.pk, tree.d1.pk]
    # The grassroots union no longer sees it; the district does.
    with pytest.raises(Http404):
        get_case_or_404(staff.g1_handler, case.pk)
    assert get_case_or_404(staff.d1_manager, case.pk) == case


def test_who_may_see_a_case(make_case, staff, applicant):
    from gonghui.accounts.tests.factories import WorkerUserFactory

    case = make_case()
    assert get_case_or_404(applicant, case.pk) == case
    assert get_case_or_404(staff.city_admin, case.pk) == case
    for outsider in (staff.d2_manager, WorkerUserFactory()):
        with pytest.raises(Http404):
            get_case_or_404(outsider, case.pk)
    with pytest.raises(Http404):
        get_case_or_404(staff.city_admin, 999999)


def test_comments_internal_and_visible(make_case, staff, applicant):
    case = make_case()
    internal = services.add_comment(case, "先核实工资表", by=staff.g1_handler, internal=True)
    public = services.add_comment(case, "请补充工资条照片", by=staff.g1_handler, internal=False)
    own = services.add_comment(case, "好的，已上传", by=applicant, internal=True)  # a worker's note is never internal
    assert (internal.visible_to_applicant, public.visible_to_applicant, own.visible_to_applicant) == (False, True, True)
    with pytest.raises(ValidationError):
        services.add_comment(case, "   ", by=staff.g1_handler, internal=False)
    with pytest.raises(PermissionDenied):
        services.add_comment(case, "看看", by=staff.d2_manager, internal=False)
