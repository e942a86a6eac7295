"""Transfers of membership (转会): the "transfer" case type on the workflow engine, and its rules.

    release 待原工会同意 ──release 同意转出──▶ accept 待新工会接收 ──accept 接收──▶ completed 已转入
        │ refuse_release 不同意转出                │ refuse_accept 拒绝接收
        ▼                                           ▼
      refused 未通过                             refused 未通过        (withdraw 撤回: the member, while open)

A member (on the portal) or the old union's staff start it, choosing the new union. The case starts
at the old union; releasing it hands it to the new union (the only way it leaves the old subtree),
which accepts or refuses. On acceptance, in one transaction, the old membership becomes
"transferred out", a new active membership with a new member number starts at the new union, and
each side gets a history row (MembershipChange). Both unions keep seeing the transfer through
Transfer.from_path / to_path (``transfers_visible_to``). The member is told at every step.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core.scope import has_permission, paths_with_permission, subtree_q
from gonghui.core.urlcache import object_url
from gonghui.members import numbers
from gonghui.members.models import Membership, MembershipChange, Transfer
from gonghui.notifications import services as notifications
from gonghui.notifications import templates
from gonghui.orgs.models import UnionNode
from gonghui.workflow import services as workflow
from gonghui.workflow.declarations import APPLICANT, CaseType, Field, State, TimeLimit, Transition, register

NAME = "transfer"
PERMISSION = "members.transfer"
VIEW_PERMISSION = "members.view"
# Time limits in working days (the mainland calendar): the old union answers within RELEASE_DAYS,
# the new one within ACCEPT_DAYS; an overdue step is escalated to the union above (督办).
RELEASE_DAYS = 10
ACCEPT_DAYS = 10

RELEASE, ACCEPT, COMPLETED, REFUSED, WITHDRAWN = "release", "accept", "completed", "refused", "withdrawn"
OPEN_STATES = (RELEASE, ACCEPT)

# Labels are lazy: the case pages read them in the reader's language.
TRANSFER = CaseType(
    name=NAME, label=gettext_lazy("会员转会"), number_prefix="ZH", view_permission=VIEW_PERMISSION,
    summary_template="members/_transfer_summary.html",
    applicant_summary_template="members/_transfer_portal_summary.html",
    states=[
        State(RELEASE, gettext_lazy("待原工会同意"), applicant_label=gettext_lazy("原工会审核中"), time_limit=TimeLimit(RELEASE_DAYS)),
        State(ACCEPT, gettext_lazy("待新工会接收"), applicant_label=gettext_lazy("新工会审核中"), time_limit=TimeLimit(ACCEPT_DAYS)),
        State(COMPLETED, gettext_lazy("已转入"), applicant_label=gettext_lazy("转会成功"), terminal=True),
        State(REFUSED, gettext_lazy("未通过"), applicant_label=gettext_lazy("未通过"), terminal=True),
        State(WITHDRAWN, gettext_lazy("已撤回"), applicant_label=gettext_lazy("已撤回"), terminal=True),
    ],
    transitions=[
        Transition("release", gettext_lazy("同意转出"), (RELEASE,), ACCEPT, permission=PERMISSION,
                   notify=("applicant", "owner_staff"),
                   confirm=gettext_lazy("同意后转会申请交给新工会办理，本工会不能再撤回。"),
                   fields=(Field("note", gettext_lazy("说明"), kind="textarea"),)),
        Transition("refuse_release", gettext_lazy("不同意转出"), (RELEASE,), REFUSED, permission=PERMISSION,
                   fields=(Field("note", gettext_lazy("不同意的理由（会员可见）"), kind="textarea", required=True),)),
        Transition("accept", gettext_lazy("接收"), (ACCEPT,), COMPLETED, permission=PERMISSION,
                   confirm=gettext_lazy("接收后原会籍转为“已转出”，会员在本工会取得新的会员号。"),
                   fields=(Field("note", gettext_lazy("说明"), kind="textarea"),)),
        Transition("refuse_accept", gettext_lazy("拒绝接收"), (ACCEPT,), REFUSED, permission=PERMISSION,
                   fields=(Field("note", gettext_lazy("拒绝的理由（会员可见）"), kind="textarea", required=True),)),
        Transition("withdraw", gettext_lazy("撤回申请"), OPEN_STATES, WITHDRAWN, level=APPLICANT, notify=("owner_staff",),
                   fields=(Field("note", gettext_lazy("撤回原因"), kind="textarea"),)),
    ],
)

templates.register("members.transfer_started", subject=gettext_lazy("转会申请已提交：{title}"),
                   body=gettext_lazy("{union}已为您提交转会申请“{title}”（{number}），"
                                     "原工会将在{days}个工作日内答复。"))


def transfer_of(case) -> Transfer | None:
    try:
        return case.transfer
    except Transfer.DoesNotExist:
        return None


def open_transfer_of(membership) -> Transfer | None:
    return (Transfer.objects.unscoped().select_related("case")
            .filter(membership=membership, case__is_open=True).first())


def _person(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# ----- starting -----

def clean_target(membership, to_union) -> dict:
    errors = {}
    if to_union is None:
        errors["to_union"] = [_("请选择要转入的基层工会。")]
    elif not to_union.holds_members:
        errors["to_union"] = [_("只能转入基层工会或联合基层工会。")]
    elif not to_union.active:
        errors["to_union"] = [_("该工会已停用，请选择其他工会。")]
    elif to_union.pk == membership.union_id:
        errors["to_union"] = [_("这是您现在所在的工会，请选择另一个基层工会。")]
    return errors


@transaction.atomic
def start_transfer(membership: Membership, to_union, *, reason: str, by) -> Transfer:
    """Open a transfer of ``membership`` to ``to_union``: by the member themself, or by staff of the old
    union (members.transfer there)."""
    membership = (Membership.objects.unscoped().select_for_update().select_related("worker", "union")
                  .get(pk=membership.pk))
    worker = membership.worker
    by_member = _person(by) is not None and worker.user_id == by.pk
    if not by_member and not has_permission(by, PERMISSION, membership.node_path):
        raise PermissionDenied
    reason = (reason or "").strip()
    errors = clean_target(membership, to_union)
    if membership.status != Membership.Status.ACTIVE:
        errors["__all__"] = [_("只有在册会员可以转会（当前会籍状态：%(status)s）。") % {"status": membership.status_label}]
    pending = open_transfer_of(membership)
    if pending is not None:
        errors["__all__"] = [_("已有一件正在办理的转会（%(number)s），请等它办结后再申请。") % {"number": pending.case.number}]
    if not reason:
        errors["reason"] = [_("请填写转会原因，例如“调动到新单位工作”。")]
    elif len(reason) > 200:
        errors["reason"] = [_("转会原因最多200字。")]
    if errors:
        raise ValidationError(errors)
    title = _("%(name)s转会：%(from)s → %(to)s") % {
        "name": worker.name, "from": membership.union.display_name, "to": to_union.display_name}
    case = workflow.open_case(NAME, node=membership.union, title=title, by=by, applicant=worker.user,
                              applicant_name=worker.name, text=reason)
    transfer = Transfer(case=case, membership=membership, from_union=membership.union, to_union=to_union,
                        reason=reason)
    transfer.save()
    record(by, AuditEntry.Action.CREATE, transfer, event="transfer.started",
           changes={"from_union": [None, membership.union_id], "to_union": [None, to_union.pk]})
    if not by_member and worker.user_id:
        notifications.notify(worker.user, "members.transfer_started", {
            "union": membership.union.name, "title": case.title, "number": case.number, "days": RELEASE_DAYS,
        }, link=object_url("workflow:portal_case", case.pk))
    return transfer


# ----- the steps (the engine calls this inside the transition's transaction) -----

def on_transition(case, transition, data, by) -> None:
    transfer = (Transfer.objects.unscoped().select_related("membership", "from_union", "to_union")
                .get(pk=case.pk))
    if transition.name == "release":
        _hand_to_new_union(case, transfer, by)
    elif transition.name == "accept":
        complete(transfer, by=by, on=timezone.localdate())


TRANSFER.on_transition = on_transition


def _hand_to_new_union(case, transfer, by) -> None:
    membership = Membership.objects.unscoped().get(pk=transfer.membership_id)
    if membership.status != Membership.Status.ACTIVE:
        raise ValidationError(_("该会员的会籍状态已变为“%(status)s”，不能转出。") % {"status": membership.status_label})
    old = case.node
    target = transfer.to_union
    if not target.active or not target.holds_members:
        raise ValidationError(_("转入的工会已停用，请不同意转出并请会员重新选择。"))
    case.node, case.node_path = target, target.path
    case.assignee = None
    case.supervising_node, case.escalated_at = None, None
    case.save(update_fields=["node", "node_path", "assignee", "supervising_node", "escalated_at"])
    record(by, AuditEntry.Action.WORKFLOW, case, node=target, event="transfer.handed_over",
           changes={"node": [old.pk, target.pk]})


def complete(transfer: Transfer, *, by, on) -> Membership:
    """The old membership ends as "transferred out"; a new active one starts at the new union."""
    old = (Membership.objects.unscoped().select_for_update().select_related("worker", "union")
           .get(pk=transfer.membership_id))
    target = transfer.to_union
    if old.status != Membership.Status.ACTIVE:
        raise ValidationError(_("该会员的会籍状态已变为“%(status)s”，不能完成转会。") % {"status": old.status_label})
    if not target.active or not target.holds_members:
        raise ValidationError(_("本工会已停用，不能接收会员。"))
    old.status = Membership.Status.TRANSFERRED_OUT
    old.status_changed_on, old.status_reason = on, transfer.reason[:200]
    old.save(update_fields=["status", "status_changed_on", "status_reason"])
    MembershipChange.objects.create(membership=old, kind=MembershipChange.Kind.TRANSFERRED_OUT, on=on,
                                    reason=transfer.reason[:200], from_union=old.union, to_union=target,
                                    node_path=old.node_path, by=_person(by))
    # 会龄 runs on: the new membership keeps the date the person first joined.
    new = Membership(worker=old.worker, union=target, member_number=numbers.next_number(), joined_on=old.joined_on,
                     node_path=target.path, sort_name=old.worker.name_pinyin)
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError:
        raise ValidationError(_("该职工在其他工会已有在册会籍，不能完成转会。")) from None
    MembershipChange.objects.create(membership=new, kind=MembershipChange.Kind.TRANSFERRED_IN, on=on,
                                    reason=transfer.reason[:200], from_union=old.union, to_union=target,
                                    node_path=new.node_path, by=_person(by))
    Transfer.objects.unscoped().filter(pk=transfer.pk).update(new_membership=new)
    transfer.new_membership = new
    record(by, AuditEntry.Action.CHANGE, old, event="membership.transferred_out",
           changes={"status": [Membership.Status.ACTIVE, old.status]},
           extra={"case": transfer.pk, "to_union": target.pk})
    record(by, AuditEntry.Action.CREATE, new, event="membership.transferred_in",
           changes={"union": [None, target.pk], "member_number": [None, new.member_number]},
           extra={"case": transfer.pk, "from_union": old.union_id})
    return new


# ----- reading -----

def visible_q(user, permission: str = VIEW_PERMISSION) -> Q | None:
    """Transfers out of OR into the subtrees where ``user`` holds ``permission``: both unions see it.
    None means everywhere (a superuser); an empty Q-less result is returned as ``Q(pk__in=[])``."""
    paths = paths_with_permission(user, permission)
    if paths is None:
        return None
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= subtree_q("from_path", path) | subtree_q("to_path", path)
    return q


def transfers_visible_to(user, permission: str = VIEW_PERMISSION):
    q = visible_q(user, permission)
    qs = Transfer.objects.unscoped()
    return qs if q is None else qs.filter(q)


def union_search(text: str, *, limit: int = 20, exclude=None) -> list[UnionNode]:
    """Member-holding unions found by name (Chinese), pinyin or pinyin initials: the joining search
    (members.join_services.search_unions), without the member's own union."""
    from gonghui.members.join_services import search_unions

    found = search_unions(text, area=False, limit=limit + 1)
    return [n for n in found if exclude is None or n.pk != exclude.pk][:limit]


register(TRANSFER)
