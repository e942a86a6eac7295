"""The cases part's API under /api/v1/legal/: legal cases (a partner lawyer sees only the cases
assigned to them), stages and hearings, recoveries, progress notes, the closing report, the close,
the assignment and the applicant's rating.

Access goes through ``access.get_legal_case_or_404`` / ``access.cases_for`` (missing and not yours:
404); writes call services_cases, whose Chinese messages come back as ``{"code", "message"}``.
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.api import ApiError
from gonghui.core.scope import require_permission
from gonghui.legal import access
from gonghui.legal import services_cases as services
from gonghui.legal.models import Assignment, ClaimLimitation, Hearing, Lawyer, LegalCase, Recovery, Stage
from gonghui.legal.services_cases import DECIDE
from gonghui.workflow import services as workflow

router = Router(tags=["legal"])


def _refused(error: PermissionDenied):
    return ApiError(403, "forbidden", str(error) or "您没有执行此操作的权限。")


# ----- schemas -----

class CaseListOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    applicant_name: str
    opponent_name: str
    matter: str
    matter_label: str
    amount_claimed: Decimal
    amount_awarded: Decimal
    amount_recovered: Decimal
    workers_involved: int
    workers_covered: int
    stage: str
    outcome: str
    lawyer_id: int | None
    lawyer_name: str
    urgent_arrears: bool
    submitted_on: date
    closed_on: date | None
    version: int

    @staticmethod
    def resolve_id(obj):
        return obj.pk

    @staticmethod
    def resolve_number(obj):
        return obj.case.number

    @staticmethod
    def resolve_state(obj):
        return obj.case.state

    @staticmethod
    def resolve_state_label(obj):
        return obj.case.state_label

    @staticmethod
    def resolve_matter_label(obj):
        return obj.matter_label

    @staticmethod
    def resolve_lawyer_name(obj):
        return obj.lawyer.name if obj.lawyer_id else ""

    @staticmethod
    def resolve_version(obj):
        return obj.case.version


class HearingOut(Schema):
    id: int
    held_on: date
    place: str
    record: str


class StageOut(Schema):
    id: int
    kind: str
    kind_label: str
    started_on: date
    deadline: date | None
    ended_on: date | None
    body: str
    docket_no: str
    result: str
    note: str
    hearings: list[HearingOut]

    @staticmethod
    def resolve_hearings(obj):
        return list(Hearing.objects.unscoped().filter(stage=obj).order_by("held_on", "id"))


class RecoveryOut(Schema):
    id: int
    name: str
    worker_id: int | None
    amount: Decimal
    recovered_on: date
    note: str


class AssignmentOut(Schema):
    id: int
    number: str
    lawyer_id: int
    lawyer_name: str
    issued_on: date
    active: bool
    ended_on: date | None
    end_reason: str

    @staticmethod
    def resolve_lawyer_name(obj):
        return obj.lawyer.name


class LimitationOut(Schema):
    infringed_on: date | None
    employment_ended_on: date | None
    ends_on: date | None
    level: str
    text: str


class CaseOut(CaseListOut):
    node_id: int
    node_name: str
    applicant_phone: str
    opponent_uscc: str
    opponent_address: str
    facts: str
    is_member: bool
    is_migrant: bool
    eligibility_note: str
    rating: int | None
    rating_comment: str
    stages: list[StageOut]
    recoveries: list[RecoveryOut]
    assignments: list[AssignmentOut]
    limitation: LimitationOut
    closing_report: str

    @staticmethod
    def resolve_node_id(obj):
        return obj.case.node_id

    @staticmethod
    def resolve_node_name(obj):
        return obj.case.node.name

    @staticmethod
    def resolve_stages(obj):
        return list(Stage.objects.unscoped().filter(legal_case=obj).order_by("started_on", "id"))

    @staticmethod
    def resolve_recoveries(obj):
        return list(Recovery.objects.unscoped().filter(legal_case=obj))

    @staticmethod
    def resolve_assignments(obj):
        return list(Assignment.objects.unscoped().filter(legal_case=obj).select_related("lawyer")
                    .order_by("-issued_on", "-id"))

    @staticmethod
    def resolve_limitation(obj):
        limitation = ClaimLimitation.objects.unscoped().filter(legal_case=obj).first()
        stages = list(Stage.objects.unscoped().filter(legal_case=obj))
        status = services.limitation_status(obj, limitation, stages)
        return {"infringed_on": limitation.infringed_on if limitation else None,
                "employment_ended_on": limitation.employment_ended_on if limitation else None,
                "ends_on": status.ends_on, "level": status.level, "text": str(status.text)}

    @staticmethod
    def resolve_closing_report(obj):
        report = getattr(obj, "closing_report", None)
        return report.text if report else ""


class StageIn(Schema):
    kind: str
    started_on: date
    deadline: date | None = None
    body: str = ""
    docket_no: str = ""
    note: str = ""


class StageEndIn(Schema):
    ended_on: date
    result: str


class HearingIn(Schema):
    held_on: date
    place: str = ""
    record: str


class RecoveryIn(Schema):
    amount: str
    recovered_on: date
    name: str = ""
    applicant: bool = True
    note: str = ""


class ProgressIn(Schema):
    text: str
    internal: bool = False


class ProgressOut(Schema):
    id: int
    at: datetime
    text: str
    visible_to_applicant: bool


class LimitationIn(Schema):
    infringed_on: date
    employment_ended_on: date | None = None
    note: str = ""


class ClosingReportIn(Schema):
    outcome: str
    text: str
    amount_awarded: str = ""
    workers_covered: int | None = None


class CloseIn(Schema):
    version: int
    outcome: str = ""
    amount_awarded: str = ""
    workers_covered: int | None = None
    report: str = ""


class AssignIn(Schema):
    version: int
    lawyer_id: int
    note: str = ""


class RateIn(Schema):
    rating: int
    comment: str = ""


class RosterOut(Schema):
    id: int
    name: str
    firm_name: str
    open_count: int
    capacity: int
    full: bool
    conflict: bool
    matter_fits: bool


# ----- helpers -----

def _legal_case(request, case_id: int, *, change: bool = False) -> LegalCase:
    return access.get_legal_case_or_404(request.user, case_id, change=change)


def _stage(request, stage_id: int) -> tuple[Stage, LegalCase]:
    stage = Stage.objects.unscoped().filter(pk=stage_id).first()
    if stage is None:
        raise Http404
    return stage, _legal_case(request, stage.legal_case_id, change=True)


def _fresh(legal_case: LegalCase) -> LegalCase:
    return (LegalCase.objects.unscoped().select_related("case", "case__node", "lawyer")
            .get(pk=legal_case.pk))


# ----- cases -----

@router.get("/cases/", response=list[CaseListOut], summary="法律援助案件（合作律师只看到指派给自己的）")
@paginate(LimitOffsetPagination)
def list_cases(request, state: str | None = None, matter: str | None = None, open: bool | None = None):
    qs = access.cases_for(request.user).select_related("case", "lawyer")
    if state:
        qs = qs.filter(case__state=state)
    if matter:
        qs = qs.filter(matter=matter)
    if open is not None:
        qs = qs.filter(case__is_open=open)
    return qs.order_by("-submitted_on", "-case_id")


@router.get("/cases/{int:case_id}", response=CaseOut,
            summary="一件法律援助案件：阶段、庭审、追回、委派、时效（员工、承办律师、申请人本人）")
def get_case(request, case_id: int):
    return _legal_case(request, case_id)


@router.get("/cases/{int:case_id}/roster", response=list[RosterOut], summary="可指派的律师（在办数、上限、利益冲突）")
def roster(request, case_id: int):
    legal_case = _legal_case(request, case_id)
    require_permission(request.user, DECIDE, legal_case.node_path)
    return [{"id": r.lawyer.pk, "name": r.lawyer.name, "firm_name": r.lawyer.firm.name if r.lawyer.firm else "",
             "open_count": r.open_count, "capacity": r.lawyer.capacity, "full": r.full, "conflict": r.conflict,
             "matter_fits": r.matter_fits} for r in services.roster_rows(legal_case)]


@router.post("/cases/{int:case_id}/assign", response=CaseOut, summary="指派律师（生成委派函编号；须带上看到的版本号）")
def assign(request, case_id: int, payload: AssignIn):
    legal_case = _legal_case(request, case_id)
    try:
        workflow.perform_transition(legal_case.case, "assign", by=request.user, version=payload.version,
                                    data={"lawyer": payload.lawyer_id, "note": payload.note})
    except workflow.StaleCase as stale:
        raise ApiError(409, "stale", str(stale)) from None
    except PermissionDenied as e:
        raise _refused(e) from None
    return _fresh(legal_case)


@router.get("/cases/{int:case_id}/stages", response=list[StageOut], summary="办理阶段")
def list_stages(request, case_id: int):
    legal_case = _legal_case(request, case_id)
    return list(Stage.objects.unscoped().filter(legal_case=legal_case).order_by("started_on", "id"))


@router.post("/cases/{int:case_id}/stages", response={201: StageOut}, summary="登记新的办理阶段")
def add_stage(request, case_id: int, payload: StageIn):
    legal_case = _legal_case(request, case_id, change=True)
    try:
        stage = services.add_stage(legal_case, by=request.user, kind=payload.kind, started_on=payload.started_on,
                                   deadline=payload.deadline, body=payload.body, docket_no=payload.docket_no,
                                   note=payload.note)
    except PermissionDenied as e:
        raise _refused(e) from None
    return Status(201, stage)


@router.post("/stages/{int:stage_id}/end", response=StageOut, summary="本阶段结束（日期和结果）")
def end_stage(request, stage_id: int, payload: StageEndIn):
    stage, _legal = _stage(request, stage_id)
    try:
        return services.end_stage(stage, by=request.user, ended_on=payload.ended_on, result=payload.result)
    except PermissionDenied as e:
        raise _refused(e) from None


@router.post("/stages/{int:stage_id}/hearings", response={201: HearingOut}, summary="添加庭审/调解记录")
def add_hearing(request, stage_id: int, payload: HearingIn):
    stage, _legal = _stage(request, stage_id)
    try:
        hearing = services.add_hearing(stage, by=request.user, held_on=payload.held_on, place=payload.place,
                                       record_text=payload.record)
    except PermissionDenied as e:
        raise _refused(e) from None
    return Status(201, hearing)


@router.put("/cases/{int:case_id}/limitation", response=LimitationOut, summary="登记仲裁时效的起算事实")
def set_limitation(request, case_id: int, payload: LimitationIn):
    legal_case = _legal_case(request, case_id, change=True)
    try:
        services.set_limitation(legal_case, by=request.user, infringed_on=payload.infringed_on,
                                employment_ended_on=payload.employment_ended_on, note=payload.note)
    except PermissionDenied as e:
        raise _refused(e) from None
    return CaseOut.resolve_limitation(legal_case)


@router.get("/cases/{int:case_id}/recoveries", response=list[RecoveryOut], summary="追回款项")
def list_recoveries(request, case_id: int):
    legal_case = _legal_case(request, case_id)
    return list(Recovery.objects.unscoped().filter(legal_case=legal_case))


@router.post("/cases/{int:case_id}/recoveries", response={201: RecoveryOut},
             summary="登记追回款项（合计不能超过请求金额；会员职工记入服务台账）")
def add_recovery(request, case_id: int, payload: RecoveryIn):
    legal_case = _legal_case(request, case_id, change=True)
    worker = legal_case.worker if payload.applicant and not payload.name.strip() else None
    try:
        recovery = services.add_recovery(legal_case, by=request.user, name=payload.name, amount=payload.amount,
                                         recovered_on=payload.recovered_on, worker=worker, note=payload.note)
    except PermissionDenied as e:
        raise _refused(e) from None
    return Status(201, recovery)


@router.post("/cases/{int:case_id}/progress", response={201: ProgressOut}, summary="记录办理进展")
def add_progress(request, case_id: int, payload: ProgressIn):
    legal_case = _legal_case(request, case_id, change=True)
    try:
        event = services.add_progress(legal_case, by=request.user, text=payload.text, internal=payload.internal)
    except PermissionDenied as e:
        raise _refused(e) from None
    return Status(201, event)


@router.post("/cases/{int:case_id}/closing-report", response=CaseOut, summary="提交结案报告（须已上传结案文书）")
def closing_report(request, case_id: int, payload: ClosingReportIn):
    legal_case = _legal_case(request, case_id, change=True)
    try:
        services.submit_closing_report(legal_case, by=request.user, outcome=payload.outcome, text=payload.text,
                                       amount_awarded=payload.amount_awarded,
                                       workers_covered=payload.workers_covered)
    except PermissionDenied as e:
        raise _refused(e) from None
    return _fresh(legal_case)


@router.post("/cases/{int:case_id}/close", response=CaseOut, summary="结案（法律援助中心；须有结案报告和结案文书）")
def close(request, case_id: int, payload: CloseIn):
    legal_case = _legal_case(request, case_id)
    data = {k: v for k, v in payload.dict().items() if k != "version" and v not in (None, "")}
    try:
        workflow.perform_transition(legal_case.case, "close", by=request.user, version=payload.version, data=data)
    except workflow.StaleCase as stale:
        raise ApiError(409, "stale", str(stale)) from None
    except PermissionDenied as e:
        raise _refused(e) from None
    return _fresh(legal_case)


@router.post("/cases/{int:case_id}/rate", response=CaseOut, summary="申请人评价（1–5星，一次）")
def rate(request, case_id: int, payload: RateIn):
    legal_case = _legal_case(request, case_id)
    try:
        services.rate(legal_case, by=request.user, rating=payload.rating, comment=payload.comment)
    except PermissionDenied as e:
        raise _refused(e) from None
    return _fresh(legal_case)


@router.get("/lawyers/", response=list[RosterOut], summary="律师名册")
@paginate(LimitOffsetPagination)
def list_lawyers(request):
    qs = Lawyer.objects.visible_to(request.user, "legal.view").select_related("firm").order_by("node_path", "name")
    lawyers = list(qs)
    counts = services.open_counts(lawyer.pk for lawyer in lawyers)
    return [{"id": lw.pk, "name": lw.name, "firm_name": lw.firm.name if lw.firm else "",
             "open_count": counts.get(lw.pk, 0), "capacity": lw.capacity, "full": counts.get(lw.pk, 0) >= lw.capacity,
             "conflict": False, "matter_fits": True} for lw in lawyers]
