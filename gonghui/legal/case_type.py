"""The "legal_aid" case type (法律援助) on the workflow engine.

    submitted 待审查 ──approve 受理 (legal.decide)──▶ approved 已受理，待指派 ──assign 指派律师──▶ in_progress 办理中
        │                                              │                                        │ close 结案
        ├──reject 不予援助 (a reason the applicant reads) ──▶ rejected                          ▼
        └──withdraw 撤回申请 (the applicant; also from approved) ──▶ withdrawn                 closed 已结案

The case is owned by the legal-aid centre (a service-centre node under its federation). The time to
decide is the centre's ``decision_days`` working days, ``urgent_days`` for a migrant worker's wage
arrears before Spring Festival (``time_limit_for``). ``on_transition`` runs inside the engine's
transaction: approve/reject/withdraw are intake's (services_intake), assign/close the cases part's
(services_cases.on_assign / on_close, which refuse with a ValidationError).
"""

from django.utils.translation import gettext_lazy as _

from gonghui.workflow.declarations import APPLICANT, CaseType, Field, State, TimeLimit, Transition, register

NAME = "legal_aid"
VIEW, CHANGE, DECIDE = "legal.view", "legal.change", "legal.decide"
ASSIGN_DAYS = 3


def _cases_fields(name: str) -> tuple:
    """The fields of assign / close, declared by the cases part (services_cases.ASSIGN_FIELDS /
    CLOSE_FIELDS): its pages and the engine's form ask the same questions."""
    from gonghui.legal import services_cases

    return tuple(getattr(services_cases, name))


def time_limit_for(case, state):
    if state.name == "submitted":
        from gonghui.legal.services_intake import decision_days

        return TimeLimit(decision_days(case))
    return state.time_limit


APPROVE_NOTE = Field("note", _("审查意见（申请人可见）"), kind="textarea",
                     help_text=_("不符合援助条件而仍予援助时，请写明理由。"))
REJECT_REASON = Field("note", _("不予援助的原因（申请人可见）"), kind="textarea", required=True,
                      help_text=_("请写明原因和申请人可以怎么做，例如“争议已超过仲裁时效，建议向劳动保障监察投诉”。"))

LEGAL_AID = CaseType(
    name=NAME, label=_("法律援助"), number_prefix="FY", view_permission=VIEW,
    summary_template="legal/_case_summary.html",
    applicant_summary_template="legal/_case_portal_summary.html",
    time_limit_for=time_limit_for,
    states=[
        State("submitted", _("待审查"), applicant_label=_("已提交，法律援助中心审查中"), time_limit=TimeLimit(5)),
        State("approved", _("已受理，待指派"), applicant_label=_("已受理，正在指派律师"),
              time_limit=TimeLimit(ASSIGN_DAYS)),
        State("in_progress", _("办理中"), applicant_label=_("律师办理中")),
        State("closed", _("已结案"), applicant_label=_("已结案"), terminal=True),
        State("rejected", _("不予援助"), applicant_label=_("不予援助"), terminal=True),
        State("withdrawn", _("已撤回"), applicant_label=_("已撤回"), terminal=True),
    ],
    transitions=[
        Transition("approve", _("受理，给予援助"), ("submitted",), "approved", permission=DECIDE,
                   fields=(APPROVE_NOTE,), confirm=_("受理后请在3个工作日内指派律师。")),
        Transition("reject", _("不予援助"), ("submitted",), "rejected", permission=DECIDE, fields=(REJECT_REASON,)),
        Transition("withdraw", _("撤回申请"), ("submitted", "approved"), "withdrawn", level=APPLICANT,
                   notify=("owner_staff",), confirm=_("撤回后如有需要，可以重新申请。")),
        Transition("assign", _("指派律师"), ("approved",), "in_progress", permission=DECIDE,
                   fields=_cases_fields("ASSIGN_FIELDS")),
        Transition("close", _("结案"), ("in_progress",), "closed", permission=CHANGE,
                   fields=_cases_fields("CLOSE_FIELDS")),
    ],
)


def on_transition(case, transition, data, by):
    from gonghui.legal import services_intake

    name = transition.name
    if name in ("approve", "reject", "withdraw"):
        services_intake.after_decision(case, name, data, by)
    elif name == "assign":
        from gonghui.legal import services_cases

        services_cases.on_assign(case, data, by)
    elif name == "close":
        from gonghui.legal import services_cases

        services_cases.on_close(case, data, by)


LEGAL_AID.on_transition = on_transition


def register_type():
    register(LEGAL_AID)
