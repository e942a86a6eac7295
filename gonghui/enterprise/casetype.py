"""The case type of an enterprise problem (企业难题): recorded → in progress → solved / unsolvable.

The applicant is the enterprise (``Case.applicant_name``); there is no worker account to notify,
so the steps tell the unions' staff instead.
"""

from django.utils.translation import gettext_lazy as _

from gonghui.workflow import calendar
from gonghui.workflow.declarations import SUPERVISOR, CaseType, Field, State, TimeLimit, Transition

HANDLE = "enterprise.handle"

RECORDED, IN_PROGRESS, SOLVED, UNSOLVABLE = "recorded", "in_progress", "solved", "unsolvable"
OPEN_STATES = (RECORDED, IN_PROGRESS)
# The steps that (re)start the clock of "in progress"; a progress report does not.
CLOCK_STARTERS = ("start", "reopen", "take_over")


def _note(label, required=True):
    return Field("note", label, kind="textarea", required=required)


def on_transition(case, transition, data, by) -> None:
    """Keep the problem's own fields in step with its case (inside the transition's transaction)."""
    from gonghui.enterprise.models import Problem
    from gonghui.workflow.models import Case, CaseEvent

    changes = {}
    if transition.name == "report_progress":
        # A progress report does not restart the 20-working-day clock: the limit runs from the
        # moment the problem entered "in progress", and a warning already sent is not repeated.
        entered = (CaseEvent.objects.unscoped()
                   .filter(case=case, kind=CaseEvent.Kind.TRANSITION, to_state=IN_PROGRESS,
                           transition__in=CLOCK_STARTERS)
                   .order_by("-at", "-id").first())
        limit = case.type.state(IN_PROGRESS).time_limit
        if entered is not None and limit is not None:
            changes["state_entered_at"] = entered.at
            changes["due_at"] = calendar.due_at(entered.at, limit)
            changes["warn_at"] = changes["due_at"] - limit.warn_before
            warning = (CaseEvent.objects.unscoped().filter(case=case, kind=CaseEvent.Kind.WARNING, at__gte=entered.at)
                       .order_by("-at").values_list("at", flat=True).first())
            changes["warned_at"] = warning
    elif transition.name == "take_over" and by is not None and getattr(by, "is_authenticated", False):
        changes["assignee"] = by  # the union above now handles it through this person
    if changes:
        for name, value in changes.items():
            setattr(case, name, value)
        Case.objects.unscoped().filter(pk=case.pk).update(**changes)
    if transition.name == "solve":
        Problem.objects.unscoped().filter(pk=case.pk).update(solution=data.get("note", ""))
    elif transition.name == "reopen":
        Problem.objects.unscoped().filter(pk=case.pk).update(solution="")


ENTERPRISE_PROBLEM = CaseType(
    name="enterprise_problem", label=_("企业难题"), number_prefix="QY", view_permission="enterprise.view",
    states=[
        State(RECORDED, _("待处理"), applicant_label=_("已登记"), time_limit=TimeLimit(3)),
        State(IN_PROGRESS, _("解决中"), applicant_label=_("解决中"), time_limit=TimeLimit(20)),
        State(SOLVED, _("已解决"), applicant_label=_("已解决"), terminal=True),
        State(UNSOLVABLE, _("无法解决"), applicant_label=_("无法解决"), terminal=True),
    ],
    transitions=[
        Transition("start", _("开始解决"), (RECORDED,), IN_PROGRESS, permission=HANDLE, notify=(),
                   fields=(_note(_("工作安排"), required=False),)),
        Transition("transfer", _("转办"), OPEN_STATES, RECORDED, permission=HANDLE, moves_case=True,
                   notify=("owner_staff",),
                   fields=(Field("node", _("转给"), kind="node", required=True,
                                 help_text=_("上级工会、同级工会或部门、下级工会。")),
                           _note(_("转办原因")))),
        Transition("report_progress", _("报告进展"), (IN_PROGRESS,), IN_PROGRESS, permission=HANDLE, notify=(),
                   fields=(_note(_("进展情况")),)),
        Transition("solve", _("解决"), (IN_PROGRESS,), SOLVED, permission=HANDLE, notify=("supervisor_staff",),
                   fields=(_note(_("解决措施和结果")),)),
        Transition("close_unsolvable", _("无法解决"), OPEN_STATES, UNSOLVABLE, permission=HANDLE,
                   notify=("supervisor_staff",), fields=(_note(_("无法解决的原因")),),
                   confirm=_("办结后问题不再计入待解决，上级工会可以重新启动办理。")),
        Transition("reopen", _("重新办理"), (SOLVED, UNSOLVABLE), IN_PROGRESS, permission=HANDLE,
                   level=SUPERVISOR, notify=("owner_staff", "assignee"), fields=(_note(_("重新办理的理由")),)),
        Transition("take_over", _("接管"), OPEN_STATES, IN_PROGRESS, permission=HANDLE, level=SUPERVISOR,
                   notify=("owner_staff", "assignee"), fields=(_note(_("接管说明"), required=False),)),
    ],
    on_transition=on_transition,
)
# The enterprise, visit and problem on the engine's console case page (set as an attribute so the
# declaration also loads where the engine has no such hook).
ENTERPRISE_PROBLEM.summary_template = "enterprise/_case_summary.html"
