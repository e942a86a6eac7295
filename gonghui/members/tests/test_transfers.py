"""Transfers (转会): the case type end to end, who may take each step, history, and who sees it."""

import datetime
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.accounts.tests.factories import StaffFactory, WorkerUserFactory, grant
from gonghui.audit.models import AuditEntry
from gonghui.demo.idnumbers import fake_id_number
from gonghui.members import services, transfers
from gonghui.members.models import Membership, MembershipChange, Transfer
from gonghui.notifications.models import Notification
from gonghui.orgs.models import UnionNode
from gonghui.orgs.tests.factories import UnionNodeFactory
from gonghui.workflow import calendar
from gonghui.workflow.services import perform_transition


@pytest.fixture
def member(tree):
    user = WorkerUserFactory()
    worker = services.register_worker(name="张三", id_number=fake_id_number(random.Random(7)), mobile=user.phone,
                                      by=None)
    worker.user = user
    worker.save(update_fields=["user"])
    return services.enrol(worker, tree.g1, joined_on=datetime.date(2019, 5, 1), by=None)


def step(transfer_or_case, name, by, **data):
    case = transfer_or_case.case if isinstance(transfer_or_case, Transfer) else transfer_or_case
    case.refresh_from_db()
    return perform_transition(case, name, by=by, version=case.version, data=data)


def inbox_of(user):
    return list(Notification.objects.filter(recipient=user, channel="inbox").order_by("pk")
                .values_list("template_key", flat=True))


def test_a_transfer_end_to_end(tree, staff, member):
    worker_user = member.worker.user
    transfer = transfers.start_transfer(member, tree.g2, reason="调动到西城纺织厂工作", by=staff.g1_handler)
    case = transfer.case
    assert (case.case_type, case.state, case.node, case.applicant) == ("transfer", "release", tree.g1, worker_user)
    assert case.number.startswith("ZH")
    assert (transfer.from_path, transfer.to_path) == (tree.g1.path, tree.g2.path)
    assert case.due_at == calendar.due_at(case.state_entered_at, transfers.TRANSFER.state("release").time_limit)
    assert inbox_of(worker_user) == ["members.transfer_started"]

    # The new union cannot take the old union's step.
    with pytest.raises(PermissionDenied):
        step(transfer, "release", staff.d2_manager)

    case = step(transfer, "release", staff.g1_handler, note="同意")
    assert (case.state, case.node, case.node_path, case.assignee) == ("accept", tree.g2, tree.g2.path, None)
    assert AuditEntry.objects.unscoped().filter(event="transfer.handed_over", node=tree.g2).exists()
    # Now it is the new union's: the old one can no longer act on it.
    with pytest.raises(PermissionDenied):
        step(transfer, "accept", staff.g1_handler)

    case = step(transfer, "accept", staff.d2_manager)
    assert (case.state, case.is_open) == ("completed", False)
    old = Membership.objects.unscoped().get(pk=member.pk)
    transfer = Transfer.objects.unscoped().get(pk=transfer.pk)
    new = transfer.new_membership
    today = timezone.localdate()
    assert (old.status, old.status_changed_on, old.status_reason) == ("transferred_out", today, "调动到西城纺织厂工作")
    assert (new.status, new.union, new.worker_id, new.node_path) == ("active", tree.g2, old.worker_id, tree.g2.path)
    assert new.member_number != old.member_number and new.member_number.startswith("M")
    assert new.joined_on == old.joined_on  # 会龄 runs on
    out_change = MembershipChange.objects.unscoped().get(membership=old)
    in_change = MembershipChange.objects.unscoped().get(membership=new)
    assert (out_change.kind, out_change.from_union, out_change.to_union, out_change.on) == \
        ("transferred_out", tree.g1, tree.g2, today)
    assert (in_change.kind, in_change.from_union, in_change.to_union) == ("transferred_in", tree.g1, tree.g2)
    assert services.active_membership(old.worker) == new
    events = set(AuditEntry.objects.unscoped().values_list("event", flat=True))
    assert {"transfer.started", "transfer.opened", "transfer.release", "transfer.accept",
            "membership.transferred_out", "membership.transferred_in"} <= events
    # The member heard of every step.
    assert inbox_of(worker_user) == ["members.transfer_started", "workflow.transition", "workflow.transition"]


def test_both_unions_see_the_transfer_and_a_third_does_not(tree, staff, member):
    d3 = UnionNodeFactory(name="南城区总工会", kind=UnionNode.Kind.DISTRICT_FEDERATION, parent=tree.city)
    d3_admin = StaffFactory()
    grant(d3_admin, d3, "admin")
    transfer = transfers.start_transfer(member, tree.g2, reason="调动", by=staff.g1_handler)
    for user in (staff.d1_manager, staff.g1_viewer, staff.d2_manager, staff.city_admin):
        assert list(transfers.transfers_visible_to(user)) == [transfer]
    assert list(transfers.transfers_visible_to(d3_admin)) == []
    step(transfer, "release", staff.g1_handler)
    step(transfer, "accept", staff.d2_manager)
    for user in (staff.d1_manager, staff.d2_manager):
        assert list(transfers.transfers_visible_to(user)) == [transfer]


def test_the_member_starts_and_withdraws_on_their_own(tree, staff, member):
    user = member.worker.user
    transfer = transfers.start_transfer(member, tree.g2, reason="换工作了", by=user)
    assert transfer.case.applicant == user
    assert inbox_of(user) == []  # they did it themselves
    case = step(transfer, "withdraw", user, note="不转了")
    assert case.state == "withdrawn"
    assert Membership.objects.unscoped().get(pk=member.pk).status == "active"


def test_a_worker_cannot_start_someone_elses_transfer(tree, member):
    stranger = WorkerUserFactory()
    with pytest.raises(PermissionDenied):
        transfers.start_transfer(member, tree.g2, reason="x", by=stranger)
    assert not Transfer.objects.unscoped().exists()


@pytest.mark.parametrize("who", ["g1_viewer", "d2_admin"])
def test_starting_needs_members_transfer_at_the_old_union(tree, staff, member, who):
    with pytest.raises(PermissionDenied):
        transfers.start_transfer(member, tree.g2, reason="调动", by=getattr(staff, who))


def test_refused_by_the_old_union(tree, staff, member):
    transfer = transfers.start_transfer(member, tree.g2, reason="调动", by=staff.g1_handler)
    with pytest.raises(ValidationError) as info:
        step(transfer, "refuse_release", staff.g1_handler)
    assert info.value.message_dict == {"note": ["请填写不同意的理由（会员可见）。"]}
    case = step(transfer, "refuse_release", staff.g1_handler, note="会费未结清")
    assert (case.state, case.node) == ("refused", tree.g1)
    assert Membership.objects.unscoped().get(pk=member.pk).status == "active"
    assert not MembershipChange.objects.unscoped().exists()


def test_refused_by_the_new_union(tree, staff, member):
    transfer = transfers.start_transfer(member, tree.g2, reason="调动", by=staff.g1_handler)
    step(transfer, "release", staff.g1_handler)
    case = step(transfer, "refuse_accept", staff.d2_manager, note="查无此人在本单位工作")
    assert case.state == "refused"
    assert Membership.objects.unscoped().get(pk=member.pk).status == "active"
    assert Membership.objects.unscoped().count() == 1


@pytest.mark.parametrize("target, message", [
    ("g1", "这是您现在所在的工会，请选择另一个基层工会。"),
    ("d2", "只能转入基层工会或联合基层工会。"),
])
def test_the_new_union_must_be_another_grassroots_union(tree, staff, member, target, message):
    with pytest.raises(ValidationError) as info:
        transfers.start_transfer(member, getattr(tree, target), reason="调动", by=staff.g1_handler)
    assert info.value.message_dict == {"to_union": [message]}
    assert not Transfer.objects.unscoped().exists()


def test_a_transfer_needs_a_reason(tree, staff, member):
    with pytest.raises(ValidationError) as info:
        transfers.start_transfer(member, tree.g2, reason=" ", by=staff.g1_handler)
    assert info.value.message_dict == {"reason": ["请填写转会原因，例如“调动到新单位工作”。"]}


def test_one_open_transfer_at_a_time(tree, staff, member):
    first = transfers.start_transfer(member, tree.g2, reason="调动", by=staff.g1_handler)
    with pytest.raises(ValidationError) as info:
        transfers.start_transfer(member, tree.g2, reason="调动", by=staff.g1_handler)
    assert info.value.message_dict == {
        "__all__": [f"已有一件正在办理的转会（{first.case.number}），请等它办结后再申请。"]}


def test_only_active_members_transfer(tree, staff, member):
    services.change_status(member, "retire", by=staff.g1_handler)
    with pytest.raises(ValidationError) as info:
        transfers.start_transfer(member, tree.g2, reason="调动", by=staff.g1_handler)
    assert info.value.message_dict == {"__all__": ["只有在册会员可以转会（当前会籍状态：退休保留会籍）。"]}


def test_no_status_change_while_a_transfer_is_open(tree, staff, member):
    transfer = transfers.start_transfer(member, tree.g2, reason="调动", by=staff.g1_handler)
    with pytest.raises(ValidationError) as info:
        services.change_status(member, "retire", by=staff.g1_handler)
    assert info.value.message_dict == {"kind": [f"该会员有正在办理的转会（{transfer.case.number}），请先办结或撤回转会。"]}


def test_acceptance_is_refused_if_the_membership_changed_meanwhile(tree, staff, member):
    transfer = transfers.start_transfer(member, tree.g2, reason="调动", by=staff.g1_handler)
    step(transfer, "release", staff.g1_handler)
    Membership.objects.unscoped().filter(pk=member.pk).update(status="deceased")
    with pytest.raises(ValidationError) as info:
        step(transfer, "accept", staff.d2_manager)
    assert info.value.messages == ["该会员的会籍状态已变为“已故”，不能完成转会。"]
    transfer.case.refresh_from_db()
    assert transfer.case.state == "accept"  # the whole step was rolled back
    assert Membership.objects.unscoped().count() == 1
    assert not MembershipChange.objects.unscoped().exists()


def test_a_transfer_inside_one_district(tree, staff, member):
    other = UnionNodeFactory(name="东城化工厂工会", parent=tree.d1)
    transfer = transfers.start_transfer(member, other, reason="调动", by=staff.d1_manager)
    step(transfer, "release", staff.d1_manager)
    step(transfer, "accept", staff.d1_manager)
    assert services.active_membership(member.worker).union == other


def test_union_search_for_picking_the_new_union(tree, member):
    other = UnionNodeFactory(name="江海润丰食品有限公司工会委员会", parent=tree.d1)
    assert transfers.union_search("润丰") == [other]
    assert transfers.union_search("jhrf") == [other]
    assert transfers.union_search("jianghairunfeng") == [other]
    assert transfers.union_search("东城机械", exclude=tree.g1) == []
    assert transfers.union_search("") == []
