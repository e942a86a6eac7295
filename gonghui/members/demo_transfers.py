"""Demo transfers (转会) and status changes in every district, for seed_demo.

Called by ``seed_demo`` inside its transaction, after the members exist. Like the other demo data,
rows are written directly (not through the services) so the whole seed stays one audited batch
("demo.seeded"); timelines and history rows are written as the engine and members.transfers would.
In each district: transfers waiting for the old union's release, some waiting for the new union to
accept, some completed (old membership transferred out, a new one with a new member number, both
history rows), one refused; and a few retirements (保留会籍), leavings and a death.
"""

import datetime
import random
import uuid

from django.utils import timezone

from gonghui.accounts.models import Grant, User
from gonghui.members import numbers
from gonghui.members.models import Membership, MembershipChange, Transfer
from gonghui.members.transfers import ACCEPT, COMPLETED, REFUSED, RELEASE, TRANSFER
from gonghui.orgs.models import UnionNode
from gonghui.workflow import calendar
from gonghui.workflow.models import Case, CaseEvent

K = UnionNode.Kind
DEMO_WORKER_PHONE = "13800000001"  # the demo worker keeps their membership for trying a transfer

REASONS = ["调动到新单位工作", "原单位劳动合同到期，已入职新单位", "随配偶迁居，在新单位就业", "企业改制，整体划转",
           "跳槽到同行业其他企业", "原单位停产，已在新单位上岗"]
REFUSE_NOTES = ["经核实，该职工尚未与本单位签订劳动合同，请入职后再申请。"]
RETIRE_NOTES = ["到龄退休，本人申请保留会籍", "办理退休手续，保留会籍"]
LEAVE_NOTES = ["本人申请退会", "离开本市，不再就业"]

# (final state, days since it was started, days from start to release, days from release to acceptance)
# A small demo (seed_demo --members 50) takes only the first few; one person in eight at most.
PLAN = [
    (RELEASE, 2, None, None),
    (ACCEPT, 9, 3, None),
    (COMPLETED, 48, 4, 5),
    (REFUSED, 15, None, 2),
    (RELEASE, 6, None, None),
    (ACCEPT, 5, 2, None),
    (COMPLETED, 25, 2, 3),
    (COMPLETED, 90, 5, 6),
]
STATUS_PLAN = ("retire", "leave", "retire", "death")


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _enter(case: Case, state: str, at) -> None:
    info = TRANSFER.state(state)
    case.state, case.state_entered_at, case.warned_at = state, at, None
    if info.terminal or info.time_limit is None:
        case.due_at = case.warn_at = None
    else:
        case.due_at = calendar.due_at(at, info.time_limit)
        case.warn_at = case.due_at - info.time_limit.warn_before


def _staff_by_district(districts) -> dict[int, list]:
    found: dict[int, list] = {}
    for grant in (Grant.objects.unscoped().filter(node__in=districts, role__in=("admin", "manager", "handler"),
                                                 user__kind=User.Kind.STAFF)
                  .select_related("user").order_by("role", "pk")):
        found.setdefault(grant.node_id, []).append(grant.user)
    return found


def seed_transfers(rng: random.Random) -> dict:
    districts = list(UnionNode.objects.unscoped().filter(kind=K.DISTRICT_FEDERATION, active=True).order_by("path"))
    unions = list(UnionNode.objects.unscoped().filter(kind__in=UnionNode.MEMBER_KINDS, active=True).order_by("path"))
    if not districts or len(unions) < 2:
        return {}
    staff = _staff_by_district(districts)
    today = timezone.localdate()
    used: set[int] = set()
    events: list[CaseEvent] = []
    counts = {"transfers": 0, "transfers_completed": 0, "status_changes": 0}

    def members_of(district):
        return list(Membership.objects.unscoped()
                    .filter(node_path__startswith=district.path, status=Membership.Status.ACTIVE)
                    .exclude(worker__mobile=DEMO_WORKER_PHONE).exclude(worker_id__in=used)
                    .select_related("worker", "union").order_by("pk")[:300])

    for d_index, district in enumerate(districts):
        people = members_of(district)
        actors = staff.get(district.pk) or [None]
        inside = [u for u in unions if u.path.startswith(district.path)]
        other_district = districts[(d_index + 1) % len(districts)]
        elsewhere = [u for u in unions if u.path.startswith(other_district.path)] or inside
        transfer_budget, status_budget = len(people) // 8, len(people) // 25
        for n, (final, days, release_after, accept_after) in enumerate(PLAN[:transfer_budget]):
            if not people:
                break
            membership = people.pop(rng.randrange(len(people)))
            used.add(membership.worker_id)
            # Half move within the district, half to the next district (its staff accept those).
            targets = [u for u in (inside if n % 2 else elsewhere) if u.pk != membership.union_id]
            if not targets:
                continue
            target = rng.choice(targets)
            actor = actors[n % len(actors)]
            target_district = next(d for d in districts if target.path.startswith(d.path))
            accepter = (staff.get(target_district.pk) or [None])[0]
            _write_transfer(membership, target, final, today - datetime.timedelta(days=days), release_after,
                            accept_after, actor, accepter, rng, events, counts)
        # A few status changes: two retirements (保留会籍), a leaving, a death.
        for kind in STATUS_PLAN[:status_budget]:
            if not people:
                break
            membership = people.pop(rng.randrange(len(people)))
            used.add(membership.worker_id)
            _write_status(membership, kind, today - datetime.timedelta(days=rng.randint(3, 200)), actors[0], rng)
            counts["status_changes"] += 1
    moments = [e.at for e in events]
    created = CaseEvent.objects.bulk_create(events)
    for event, moment in zip(created, moments, strict=True):  # auto_now_add overwrote them
        if event.pk is not None:
            CaseEvent.objects.unscoped().filter(pk=event.pk).update(at=moment)
    return counts


def _write_transfer(membership, target, final, started_on, release_after, accept_after, actor, accepter, rng,
                    events, counts) -> None:
    worker, source = membership.worker, membership.union
    reason = rng.choice(REASONS)
    opened_at = _at(started_on, 9 + rng.randint(0, 6))
    by_member = worker.user_id is not None and rng.random() < 0.5
    case = Case(case_type=TRANSFER.name, title=f"{worker.name}转会：{source.display_name} → {target.display_name}",
                node=source, node_path=source.path, applicant=worker.user, applicant_name=worker.name,
                number=uuid.uuid4().hex)
    _enter(case, RELEASE, opened_at)
    case.save()
    Case.objects.unscoped().filter(pk=case.pk).update(created_at=opened_at)
    case.created_at = opened_at  # the case is saved again below: keep the date it was opened
    case.number = f"{TRANSFER.number_prefix}{timezone.localtime(opened_at):%Y}{case.pk:06d}"
    opener = worker.user if by_member else actor
    events.append(CaseEvent(case=case, actor=opener, actor_name=str(opener) if opener else "系统",
                            kind=CaseEvent.Kind.OPENED, to_state=RELEASE, text=reason, at=opened_at))
    transfer = Transfer(case=case, membership=membership, from_union=source, to_union=target, reason=reason)
    transfer.save()
    Transfer.objects.unscoped().filter(pk=case.pk).update(created_at=opened_at)
    counts["transfers"] += 1

    def step(name, to_state, at, who, note=""):
        events.append(CaseEvent(case=case, actor=who, actor_name=str(who) if who else "系统",
                                kind=CaseEvent.Kind.TRANSITION, transition=name, from_state=case.state,
                                to_state=to_state, text=note, at=at))
        _enter(case, to_state, at)
        case.version += 1

    if final == REFUSED:
        at = opened_at + datetime.timedelta(days=accept_after, hours=2)
        case.assignee = actor
        step("refuse_release", REFUSED, at, actor, rng.choice(REFUSE_NOTES))
        case.is_open, case.closed_at = False, at
    elif final in (ACCEPT, COMPLETED):
        released_at = opened_at + datetime.timedelta(days=release_after, hours=1)
        step("release", ACCEPT, released_at, actor, "同意转出。")
        case.node, case.node_path, case.assignee = target, target.path, None
        if final == COMPLETED:
            accepted_at = released_at + datetime.timedelta(days=accept_after, hours=3)
            step("accept", COMPLETED, accepted_at, accepter, "同意接收。")
            case.assignee, case.is_open, case.closed_at = accepter, False, accepted_at
            _complete(transfer, accepted_at, accepter)
            counts["transfers_completed"] += 1
    else:
        case.assignee = None
    case.save()


def _complete(transfer, at, by) -> None:
    old = transfer.membership
    on = timezone.localtime(at).date()
    old.status, old.status_changed_on, old.status_reason = Membership.Status.TRANSFERRED_OUT, on, transfer.reason
    old.save(update_fields=["status", "status_changed_on", "status_reason"])
    MembershipChange.objects.create(membership=old, kind=MembershipChange.Kind.TRANSFERRED_OUT, on=on,
                                    reason=transfer.reason, from_union=old.union, to_union=transfer.to_union,
                                    node_path=old.node_path, by=by)
    new = Membership.objects.create(worker=old.worker, union=transfer.to_union, member_number=numbers.next_number(),
                                    joined_on=old.joined_on, node_path=transfer.to_union.path,
                                    sort_name=old.worker.name_pinyin)
    Membership.objects.unscoped().filter(pk=new.pk).update(created_at=at)
    MembershipChange.objects.create(membership=new, kind=MembershipChange.Kind.TRANSFERRED_IN, on=on,
                                    reason=transfer.reason, from_union=old.union, to_union=transfer.to_union,
                                    node_path=new.node_path, by=by)
    Transfer.objects.unscoped().filter(pk=transfer.pk).update(new_membership=new)


def _write_status(membership, kind, on, by, rng) -> None:
    status, change_kind, reason = {
        "retire": (Membership.Status.RETIRED_RETAINED, MembershipChange.Kind.RETAINED, rng.choice(RETIRE_NOTES)),
        "leave": (Membership.Status.LEFT, MembershipChange.Kind.LEFT, rng.choice(LEAVE_NOTES)),
        "death": (Membership.Status.DECEASED, MembershipChange.Kind.DECEASED, "因病去世"),
    }[kind]
    on = max(on, membership.joined_on)
    membership.status, membership.status_changed_on, membership.status_reason = status, on, reason
    membership.save(update_fields=["status", "status_changed_on", "status_reason"])
    MembershipChange.objects.create(membership=membership, kind=change_kind, on=on, reason=reason,
                                    node_path=membership.node_path, by=by)
