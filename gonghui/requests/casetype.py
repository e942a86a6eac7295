"""The "request" case type (职工诉求): its states, transitions and time limits.

    submitted 待受理 ──accept 受理──▶ handling 办理中 ──close 办结──▶ closed 已办结 ──rate 评价
        ▲  │                          │  ▲  │ ask_info           (1–2 points) │
        │  └─transfer 转办 (any open)  │  │  ▼                                 ▼
        └──────────────────────────────┘  awaiting_info 待补充材料     reopened 重新受理 (at the
                                      │   (supply_info by the worker)   supervising union) ─accept─▶ …
                                      └─submit_for_check─▶ quality_check 质检中 ─approve_check─▶ closed
                                                           (reject_check ▶ handling)

Time limits (working days, the mainland calendar): accept within 1; handle within 5, 15 or 30 by
grade (一般、难点、特别复杂), 3 for a migrant worker's wage arrears (urgent); the handling clock
pauses while the worker is asked for more or the supervising union checks; one extension.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.workflow.declarations import (
    APPLICANT,
    SUPERVISOR,
    CaseType,
    Field,
    State,
    TimeLimit,
    Transition,
    register,
)

NAME = "request"
HANDLE, SUPERVISE = "requests.handle", "requests.supervise"
GRADE_DAYS = {"general": 5, "difficult": 15, "complex": 30}
URGENT_DAYS = 3  # a migrant worker's unpaid wages cannot wait for the general 5 days
RATING_WINDOW = timedelta(days=7)
MAX_EXTENSION_DAYS = 30

GRADE_CHOICES = (("general", _("一般")), ("difficult", _("难点")), ("complex", _("特别复杂")))
RATING_FIELD_CHOICES = (
    ("5", _("5分 非常满意")), ("4", _("4分 满意")), ("3", _("3分 基本满意")),
    ("2", _("2分 不满意")), ("1", _("1分 非常不满意")),
)
OPEN_STATES = ("submitted", "handling", "awaiting_info", "quality_check", "reopened")


def request_of(case):
    """The request row behind a case (cached on the case object), or None while it is being opened."""
    from gonghui.requests.models import Request

    try:
        return case.worker_request
    except Request.DoesNotExist:
        return None


def handling_days(case, request) -> int:
    if case.urgent:
        return URGENT_DAYS
    return GRADE_DAYS.get(request.grade if request else "general", GRADE_DAYS["general"])


def time_limit_for(case, state):
    if state.name == "handling":
        return TimeLimit(handling_days(case, request_of(case)))
    return state.time_limit


# ----- guards: conditions beyond the state -----

def _not_extended(case) -> bool:
    r = request_of(case)
    return r is not None and not r.extended


def _check_required(case) -> bool:
    r = request_of(case)
    return r is not None and r.quality_check_required


def _check_not_required(case) -> bool:
    r = request_of(case)
    return r is not None and not r.quality_check_required


def rating_open(case, now=None) -> bool:
    """The worker may rate once, within 7 days of the invitation sent on closing."""
    r = request_of(case)
    if r is None or r.rating is not None or r.rating_invited_at is None:
        return False
    return (now or timezone.now()) <= r.rating_invited_at + RATING_WINDOW


def _low_rating_not_reopened(case) -> bool:
    r = request_of(case)
    return r is not None and r.rating is not None and r.rating <= 2 and r.reopened_at is None


NOTE = Field("note", _("说明"), kind="textarea")

REQUEST = CaseType(
    name=NAME, label=_("职工诉求"), number_prefix="SQ", view_permission="requests.view",
    summary_template="requests/_case_summary.html",
    applicant_summary_template="requests/_portal_summary.html",
    time_limit_for=time_limit_for,
    states=[
        State("submitted", _("待受理"), applicant_label=_("已提交"), time_limit=TimeLimit(1)),
        State("handling", _("办理中"), applicant_label=_("受理中"), time_limit=TimeLimit(5)),
        State("awaiting_info", _("待补充材料"), applicant_label=_("请补充材料")),
        State("quality_check", _("质检中"), applicant_label=_("受理中"), time_limit=TimeLimit(3)),
        State("reopened", _("重新受理"), applicant_label=_("重新办理中"), time_limit=TimeLimit(1)),
        State("closed", _("已办结"), applicant_label=_("已办结"), terminal=True),
    ],
    transitions=[
        Transition("accept", _("受理"), ("submitted", "reopened"), "handling", permission=HANDLE,
                   fields=(Field("grade", _("难易程度"), kind="choice", choices=GRADE_CHOICES,
                                 help_text=_("一般5个、难点15个、特别复杂30个工作日内办结；农民工欠薪3个工作日。")),)),
        Transition("transfer", _("转办"), ("submitted", "handling", "reopened"), "submitted", permission=HANDLE,
                   moves_case=True, visible_to_applicant=False, notify=("owner_staff",),
                   fields=(Field("node", _("转给"), kind="node", required=True),
                           Field("note", _("转办原因"), kind="textarea", required=True))),
        Transition("reply", _("答复"), ("handling",), "handling", permission=HANDLE,
                   fields=(Field("reply", _("答复内容（职工可见）"), kind="textarea", required=True),)),
        Transition("ask_info", _("要求补充材料"), ("handling",), "awaiting_info", permission=HANDLE,
                   fields=(Field("note", _("请职工补充什么"), kind="textarea", required=True),)),
        Transition("supply_info", _("提交补充材料"), ("awaiting_info",), "handling", level=APPLICANT,
                   notify=("assignee", "owner_staff"),
                   fields=(Field("note", _("补充说明"), kind="textarea", required=True,
                                 help_text=_("照片和文件请在下方“照片和材料”上传。")),)),
        Transition("resume", _("继续办理"), ("awaiting_info",), "handling", permission=HANDLE,
                   visible_to_applicant=False, notify=(),
                   fields=(Field("note", _("说明（如职工已电话补充）"), kind="textarea"),)),
        Transition("set_grade", _("定级"), ("handling",), "handling", permission=HANDLE,
                   visible_to_applicant=False, notify=(),
                   fields=(Field("grade", _("难易程度"), kind="choice", choices=GRADE_CHOICES, required=True),
                           NOTE)),
        Transition("extend", _("延期"), ("handling",), "handling", permission=HANDLE, guard=_not_extended,
                   confirm=_("每件诉求只能延期一次。"),
                   fields=(Field("days", _("延长工作日数"), kind="integer", required=True,
                                 help_text=_("1至30个工作日")),
                           Field("note", _("延期理由"), kind="textarea", required=True))),
        Transition("ask_check", _("要求质检"), ("handling",), "handling",
                   permission=SUPERVISE, level=SUPERVISOR, guard=_check_not_required,
                   visible_to_applicant=False, notify=("assignee", "owner_staff"), fields=(NOTE,)),
        Transition("submit_for_check", _("提交质检"), ("handling",), "quality_check", permission=HANDLE,
                   guard=_check_required, visible_to_applicant=False, notify=("supervisor_staff",),
                   fields=(Field("note", _("办理结果"), kind="textarea", required=True),)),
        Transition("approve_check", _("质检通过"), ("quality_check",), "closed", permission=SUPERVISE,
                   level=SUPERVISOR, notify=("applicant", "assignee"), fields=(NOTE,)),
        Transition("reject_check", _("质检退回"), ("quality_check",), "handling", permission=SUPERVISE,
                   level=SUPERVISOR, visible_to_applicant=False, notify=("assignee", "owner_staff"),
                   fields=(Field("note", _("退回原因"), kind="textarea", required=True),)),
        Transition("close", _("办结"), ("handling", "awaiting_info"), "closed", permission=HANDLE,
                   guard=_check_not_required, confirm=_("办结后将请职工评价，职工评1–2分会退回上级工会重新办理。"),
                   fields=(Field("note", _("办理结果（职工可见）"), kind="textarea", required=True),)),
        Transition("take_over", _("接管"), OPEN_STATES[:3] + ("reopened",), "handling", permission=SUPERVISE,
                   level=SUPERVISOR, notify=("owner_staff", "applicant"),
                   confirm=_("接管后由您所在的工会直接办理。"), fields=(NOTE,)),
        Transition("rate", _("评价"), ("closed",), "closed", level=APPLICANT, guard=rating_open,
                   notify=("owner_staff",),
                   fields=(Field("rating", _("您对办理结果满意吗？"), kind="choice", choices=RATING_FIELD_CHOICES,
                                 required=True),
                           Field("note", _("评价意见"), kind="textarea"))),
        Transition("reopen", _("重新办理"), ("closed",), "reopened", level=APPLICANT,
                   guard=_low_rating_not_reopened, notify=("owner_staff",)),
    ],
)


def _on_transition(case, transition, data, by):
    from gonghui.requests.services import after_transition

    after_transition(case, transition, data, by)


REQUEST.on_transition = _on_transition
register(REQUEST)
