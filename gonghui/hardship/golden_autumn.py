"""The "golden_autumn" case type (金秋助学申请): a parent applies for a child admitted to college or
high school; the grassroots union verifies, the list is publicly noticed, the federation that runs
the round approves in batches and pays.

    submitted 待核实 ──verify 核实通过，公示 (grassroots)──▶ notice 公示中
        │   ▲                                                 │  │
        │   └──────── objection 公示有异议，退回核实 ◀─────────┘  │ approve 批准 (the round's federation,
        │                                                        ▼  once the notice period has run)
        ├──reject 不予通过 (also from notice) ──▶ rejected      approved 已批准 ──pay 确认发放──▶ paid 已发放
        └──withdraw 撤回申请 (the worker) ──────▶ withdrawn

The notice period is the policy's notice_days working days (5 by default), kept on the application
(``notice_ends_at``); the notice state's time limit adds the federation's time to approve, so the
engine's sweep escalates only an application nobody approved in time. Hooks (services_campaigns.
golden_after_transition) run inside the engine's transaction: they check the approver's level and
the round's budget, and write the ledger row on payment.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.workflow.declarations import APPLICANT, CaseType, Field, State, TimeLimit, Transition, register

NAME = "golden_autumn"
VIEW, CHANGE, APPROVE = "hardship.view", "hardship.change", "hardship.approve"
VERIFY_DAYS = 10
APPROVAL_DAYS = 10  # after the notice period, for the federation's batch approval
PAYMENT_DAYS = 15


def application_of(case):
    from gonghui.hardship.models import GoldenAutumnApplication

    try:
        return case.golden_autumn
    except GoldenAutumnApplication.DoesNotExist:
        return None


def notice_days(case) -> int:
    from gonghui.hardship.policy import param

    try:
        return int(param(case.node, "notice_days"))
    except (KeyError, TypeError, ValueError):
        return 5


def time_limit_for(case, state):
    if state.name == "notice":
        return TimeLimit(notice_days(case) + APPROVAL_DAYS)
    return state.time_limit


def notice_over(case) -> bool:
    app = application_of(case)
    return bool(app and app.notice_ends_at and app.notice_ends_at <= timezone.now())


NOTE = Field("note", _("说明（申请人可见）"), kind="textarea")
REASON = Field("note", _("不通过的原因（申请人可见）"), kind="textarea", required=True,
               help_text=_("请写明原因，例如“子女已获其他部门全额资助”。"))

GOLDEN_AUTUMN = CaseType(
    name=NAME, label=_("金秋助学申请"), number_prefix="JQ", view_permission=VIEW,
    summary_template="hardship/golden_case_summary.html",
    applicant_summary_template="hardship/golden_portal_summary.html",
    time_limit_for=time_limit_for,
    states=[
        State("submitted", _("待核实"), applicant_label=_("已提交，等待工会核实"), time_limit=TimeLimit(VERIFY_DAYS)),
        State("notice", _("公示中"), applicant_label=_("核实通过，正在公示")),
        State("approved", _("已批准"), applicant_label=_("已批准，等待发放"), time_limit=TimeLimit(PAYMENT_DAYS)),
        State("paid", _("已发放"), applicant_label=_("助学金已发放"), terminal=True),
        State("rejected", _("未通过"), applicant_label=_("未通过"), terminal=True),
        State("withdrawn", _("已撤回"), applicant_label=_("已撤回"), terminal=True),
    ],
    transitions=[
        Transition("verify", _("核实通过，进入公示"), ("submitted",), "notice", permission=CHANGE, fields=(NOTE,),
                   confirm=_("核实通过后，申请人姓名（隐去名字）、工会和助学金额将公示。")),
        Transition("objection", _("公示有异议，退回核实"), ("notice",), "submitted", permission=CHANGE,
                   visible_to_applicant=False, notify=("owner_staff",),
                   fields=(Field("note", _("异议内容和核实情况"), kind="textarea", required=True),)),
        Transition("approve", _("批准"), ("notice",), "approved", permission=APPROVE, guard=notice_over,
                   fields=(NOTE,)),
        Transition("reject", _("不予通过"), ("submitted", "notice"), "rejected", permission=CHANGE, fields=(REASON,)),
        Transition("pay", _("确认已发放"), ("approved",), "paid", permission=APPROVE,
                   confirm=_("确认助学金已打入申请人银行账户；发放记录将写入职工的服务台账。")),
        Transition("withdraw", _("撤回申请"), ("submitted",), "withdrawn", level=APPLICANT,
                   notify=("owner_staff",), confirm=_("撤回后，本年度仍可以重新申请。")),
    ],
)


def _on_transition(case, transition, data, by):
    from gonghui.hardship.services_campaigns import golden_after_transition

    golden_after_transition(case, transition, data, by)


GOLDEN_AUTUMN.on_transition = _on_transition


def register_type():
    register(GOLDEN_AUTUMN)
