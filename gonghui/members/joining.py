"""The "join" case type (入会申请): a worker applies online, the union decides.

    submitted 待审核 ──approve 批准入会 (the owner holds members)──────────────▶ approved 已入会
        │  ▲        ──place 批准并安排到联合工会 (a town or district union)───▶ approved 已入会
        │  └─transfer 转交 (to another union; the clock restarts)
        ├──reject 不予通过 (a reason the worker reads)───────────────────────▶ rejected 未通过
        └──withdraw 撤回申请 (the worker)────────────────────────────────────▶ withdrawn 已撤回

The union has GONGHUI_JOIN_DAYS working days (15 by default) to decide; after that the engine's
sweep alerts the parent union (督办). Approval creates the membership (members.services.enrol)
inside the step's transaction; see join_services.after_transition.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gonghui.workflow.declarations import APPLICANT, CaseType, Field, State, TimeLimit, Transition, register

NAME = "join"
APPROVE = "members.approve_join"


def join_days() -> int:
    return int(getattr(settings, "GONGHUI_JOIN_DAYS", 15))


def time_limit_for(case, state):
    if state.name == "submitted":
        return TimeLimit(join_days())
    return state.time_limit


def _owner_holds_members(case) -> bool:
    return case.node.holds_members


def _owner_places(case) -> bool:
    """A town or district union (or any union that holds no members) places the worker in a
    joint grassroots union of its area."""
    return not case.node.holds_members


def placement_targets(case):
    """The joint grassroots unions in the owning union's subtree, where it may place a worker."""
    from gonghui.core.scope import subtree_q
    from gonghui.orgs.models import UnionNode

    return (UnionNode.objects.unscoped()
            .filter(subtree_q("path", case.node.path), kind=UnionNode.Kind.JOINT_GRASSROOTS_UNION, active=True)
            .order_by("path"))


OPTIONAL_NOTE = Field("note", _("说明（职工可见）"), kind="textarea")

JOIN = CaseType(
    name=NAME, label=_("入会申请"), number_prefix="RH", view_permission=APPROVE,
    summary_template="members/_join_summary.html",
    applicant_summary_template="members/_join_portal_summary.html",
    time_limit_for=time_limit_for,
    states=[
        State("submitted", _("待审核"), applicant_label=_("等待工会审核"), time_limit=TimeLimit(15)),
        State("approved", _("已入会"), applicant_label=_("已入会"), terminal=True),
        State("rejected", _("未通过"), applicant_label=_("未通过"), terminal=True),
        State("withdrawn", _("已撤回"), applicant_label=_("已撤回"), terminal=True),
    ],
    transitions=[
        Transition("approve", _("批准入会"), ("submitted",), "approved", permission=APPROVE,
                   guard=_owner_holds_members, fields=(OPTIONAL_NOTE,),
                   confirm=_("批准后即为职工登记会籍、编发会员号，职工可在网上工会查看电子会员卡。")),
        Transition("place", _("批准并安排到联合工会"), ("submitted",), "approved", permission=APPROVE,
                   guard=_owner_places,
                   fields=(Field("union", _("加入的联合基层工会"), kind="node", required=True,
                                 targets=placement_targets,
                                 help_text=_("职工所在单位尚未建立工会：请选择本区域的联合基层工会。"
                                             "列表为空时，请转交设有联合工会的上级工会。")),
                           OPTIONAL_NOTE),
                   confirm=_("批准后即在所选联合工会为职工登记会籍、编发会员号。")),
        Transition("reject", _("不予通过"), ("submitted",), "rejected", permission=APPROVE,
                   fields=(Field("note", _("不通过的原因（职工可见）"), kind="textarea", required=True,
                                 help_text=_("请写明原因和职工可以怎么做，例如“请先与单位确认劳动关系后再申请”。")),)),
        Transition("transfer", _("转交其他工会"), ("submitted",), "submitted", permission=APPROVE,
                   moves_case=True, notify=("owner_staff", "applicant"),
                   fields=(Field("node", _("转交给"), kind="node", required=True),
                           Field("note", _("转交说明（职工可见）"), kind="textarea", required=True))),
        Transition("withdraw", _("撤回申请"), ("submitted",), "withdrawn", level=APPLICANT,
                   notify=("owner_staff",), confirm=_("撤回后如需入会，可以重新申请。")),
    ],
)


def _on_transition(case, transition, data, by):
    from gonghui.members.join_services import after_transition

    after_transition(case, transition, data, by)


JOIN.on_transition = _on_transition
register(JOIN)
