"""The aid part's API under /api/v1/hardship/: funds, aid payments, plans, pairings — scoped.

Reads go through ``visible_to(user, "hardship.view")`` (out of scope: 404); writes call services_aid,
whose Chinese messages come back as ``{"code", "message"}`` (422 for bad input, 403 for a role or
level that may not act, with the reason).
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.api import ApiError
from gonghui.core.scope import get_visible_or_404, require_permission
from gonghui.hardship import services_aid as aid
from gonghui.hardship.models import (
    AidKind,
    AidPayment,
    AssistancePlan,
    Fund,
    HardshipFile,
    Pairing,
    PairingContact,
    PlanMeasure,
)
from gonghui.hardship.services_aid import APPROVE, CHANGE, VIEW
from gonghui.orgs.models import UnionNode

router = Router(tags=["hardship"])


def _refused(error: PermissionDenied):
    return ApiError(403, "forbidden", str(error) or "您没有执行此操作的权限。")


# ----- schemas (list endpoints hand querysets to the paginator; resolvers read related rows) -----

class FundOut(Schema):
    id: int
    union_id: int
    union_name: str
    year: int
    source: str
    source_label: str
    name: str
    budget: Decimal
    spent: Decimal
    remaining: Decimal
    note: str

    @staticmethod
    def resolve_union_name(obj):
        return obj.union.display_name

    @staticmethod
    def resolve_source_label(obj):
        return obj.get_source_display()

    @staticmethod
    def resolve_name(obj):
        return str(obj)


class FundIn(Schema):
    union_id: int
    year: int
    source: str
    budget: str
    name: str = ""
    note: str = ""


class FundPatch(Schema):
    budget: str
    name: str | None = None
    note: str | None = None


class AidOut(Schema):
    id: int
    file_id: int
    file_number: str
    worker_name: str
    union_id: int
    union_name: str
    fund_id: int
    fund_name: str
    kind: str
    kind_label: str
    amount: Decimal
    reason: str
    status: str
    status_label: str
    needs_city: bool
    requested_at: datetime
    reviewed_at: datetime | None
    approved_at: datetime | None
    paid_on: date | None
    rejected_at: datetime | None
    rejection_reason: str

    @staticmethod
    def resolve_file_number(obj):
        return obj.file.number

    @staticmethod
    def resolve_worker_name(obj):
        return obj.file.worker.name

    @staticmethod
    def resolve_union_name(obj):
        return obj.union.display_name

    @staticmethod
    def resolve_fund_name(obj):
        return str(obj.fund)

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class AidIn(Schema):
    file_id: int
    fund_id: int
    kind: str
    amount: str
    reason: str = ""


class ApproveIn(Schema):
    note: str = ""


class RejectIn(Schema):
    reason: str


class MeasureOut(Schema):
    id: int
    kind: str
    kind_label: str
    target: str
    responsible: str
    status: str
    status_label: str
    due_on: date | None
    done_on: date | None
    note: str
    overdue: bool

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class PlanOut(Schema):
    id: int | None
    file_id: int
    year: int
    goal: str
    measures: list[MeasureOut]


class PlanListOut(Schema):
    id: int
    file_id: int
    file_number: str
    worker_name: str
    year: int
    goal: str
    measure_count: int

    @staticmethod
    def resolve_file_number(obj):
        return obj.file.number

    @staticmethod
    def resolve_worker_name(obj):
        return obj.file.worker.name


class MeasureIn(Schema):
    kind: str
    target: str
    responsible: str
    due_on: date | None = None


class MeasurePatch(Schema):
    status: str
    note: str = ""
    done_on: date | None = None


class ContactOut(Schema):
    id: int
    contacted_on: date
    way: str
    way_label: str
    help_given: str
    value: Decimal | None

    @staticmethod
    def resolve_way_label(obj):
        return obj.get_way_display()


class PairingOut(Schema):
    id: int
    file_id: int
    file_number: str
    worker_name: str
    helper_kind: str
    helper_kind_label: str
    helper_name: str
    helper_contact: str
    helper_unit: str
    started_on: date
    ended_on: date | None
    end_reason: str
    last_contact_on: date | None
    contact_due_on: date | None
    overdue: bool

    @staticmethod
    def resolve_file_number(obj):
        return obj.file.number

    @staticmethod
    def resolve_worker_name(obj):
        return obj.file.worker.name

    @staticmethod
    def resolve_helper_kind_label(obj):
        return obj.get_helper_kind_display()


class PairingDetailOut(PairingOut):
    contacts: list[ContactOut]

    @staticmethod
    def resolve_contacts(obj):
        return getattr(obj, "contact_rows", [])


class PairingIn(Schema):
    file_id: int
    helper_kind: str
    helper_name: str
    helper_contact: str = ""
    helper_unit: str = ""
    started_on: date | None = None
    note: str = ""


class ContactIn(Schema):
    contacted_on: date
    way: str
    help_given: str
    value: str | None = None


class EndIn(Schema):
    reason: str
    ended_on: date | None = None


def _file(request, file_id: int) -> HardshipFile:
    return get_visible_or_404(HardshipFile.objects.select_related("worker", "union"), request.user, VIEW,
                              pk=file_id)


def _payment(request, aid_id: int) -> AidPayment:
    return get_visible_or_404(AidPayment.objects.select_related("file", "file__worker", "union", "fund"),
                              request.user, VIEW, pk=aid_id)


def _pairing(request, pairing_id: int) -> Pairing:
    return get_visible_or_404(Pairing.objects.select_related("file", "file__worker", "file__union"),
                              request.user, VIEW, pk=pairing_id)


# ----- funds -----

@router.get("/funds/", response=list[FundOut], summary="帮扶资金（按工会、年度、来源）")
@paginate(LimitOffsetPagination)
def list_funds(request, year: int | None = None, source: str | None = None):
    qs = Fund.objects.visible_to(request.user, VIEW).select_related("union")
    if year is not None:
        qs = qs.filter(year=year)
    if source in Fund.Source.values:
        qs = qs.filter(source=source)
    return qs.order_by("-year", "node_path", "source")


@router.post("/funds/", response={201: FundOut}, summary="设立帮扶资金（须有审批权限）")
def create_fund(request, payload: FundIn):
    # Outside the caller's hardship scope: 404; inside it without the approval right: 403.
    union = get_visible_or_404(UnionNode, request.user, VIEW, pk=payload.union_id)
    require_permission(request.user, APPROVE, union.path)
    try:
        fund = aid.create_fund(union, year=payload.year, source=payload.source, budget=payload.budget,
                               name=payload.name, note=payload.note, by=request.user)
    except PermissionDenied as e:
        raise _refused(e) from None
    return Status(201, fund)


@router.get("/funds/{int:fund_id}", response=FundOut, summary="一笔帮扶资金")
def get_fund(request, fund_id: int):
    return get_visible_or_404(Fund.objects.select_related("union"), request.user, VIEW, pk=fund_id)


@router.patch("/funds/{int:fund_id}", response=FundOut, summary="调整预算（不能少于已支出）")
def update_fund(request, fund_id: int, payload: FundPatch):
    fund = get_visible_or_404(Fund.objects.select_related("union"), request.user, VIEW, pk=fund_id)
    require_permission(request.user, APPROVE, fund.node_path)
    fund = aid.update_fund(fund, budget=payload.budget, name=payload.name, note=payload.note, by=request.user)
    return Fund.objects.unscoped().select_related("union").get(pk=fund.pk)


# ----- aid payments -----

@router.get("/aid/", response=list[AidOut], summary="救助申请与发放")
@paginate(LimitOffsetPagination)
def list_aid(request, status: str | None = None, kind: str | None = None, file_id: int | None = None):
    qs = AidPayment.objects.visible_to(request.user, VIEW).select_related("file", "file__worker", "union", "fund")
    if status in AidPayment.Status.values:
        qs = qs.filter(status=status)
    if kind in AidKind.values:
        qs = qs.filter(kind=kind)
    if file_id is not None:
        qs = qs.filter(file_id=file_id)
    return qs.order_by("-requested_at", "-pk")


@router.post("/aid/", response={201: AidOut}, summary="为在档困难职工家庭申请救助")
def request_aid(request, payload: AidIn):
    file = _file(request, payload.file_id)
    require_permission(request.user, CHANGE, file.node_path)
    fund = Fund.objects.unscoped().select_related("union").filter(pk=payload.fund_id).first()
    payment = aid.request_aid(file, fund=fund, kind=payload.kind, amount=payload.amount, reason=payload.reason,
                              by=request.user)
    return Status(201, _payment(request, payment.pk))


@router.get("/aid/{int:aid_id}", response=AidOut, summary="一笔救助")
def get_aid(request, aid_id: int):
    return _payment(request, aid_id)


@router.post("/aid/{int:aid_id}/approve", response=AidOut,
             summary="审批救助：批准发放（核对年度上限和资金余额），或大额救助由区总工会审核后报市总工会")
def approve_aid(request, aid_id: int, payload: ApproveIn | None = None):
    payment = _payment(request, aid_id)
    try:
        aid.approve_aid(payment, by=request.user, note=payload.note if payload else "")
    except PermissionDenied as e:
        raise _refused(e) from None
    return _payment(request, aid_id)


@router.post("/aid/{int:aid_id}/reject", response=AidOut, summary="不予批准（须写明理由）")
def reject_aid(request, aid_id: int, payload: RejectIn):
    payment = _payment(request, aid_id)
    try:
        aid.reject_aid(payment, reason=payload.reason, by=request.user)
    except PermissionDenied as e:
        raise _refused(e) from None
    return _payment(request, aid_id)


# ----- plans -----

@router.get("/plans/", response=list[PlanListOut], summary="帮扶计划")
@paginate(LimitOffsetPagination)
def list_plans(request, year: int | None = None):
    from django.db.models import Count

    qs = (AssistancePlan.objects.visible_to(request.user, VIEW).select_related("file", "file__worker")
          .annotate(measure_count=Count("measures")))
    qs = qs.filter(year=year or timezone.localdate().year)
    return qs.order_by("file_id")


@router.get("/files/{int:file_id}/plan", response=PlanOut, summary="一户本年度的帮扶计划和措施")
def get_plan(request, file_id: int):
    file = _file(request, file_id)
    plan = aid.current_plan(file)
    measures = PlanMeasure.objects.visible_to(request.user, VIEW).filter(plan=plan) if plan else []
    return {"id": plan.pk if plan else None, "file_id": file.pk, "year": timezone.localdate().year,
            "goal": plan.goal if plan else "", "measures": list(measures)}


@router.post("/files/{int:file_id}/plan/measures", response={201: MeasureOut}, summary="加入一项帮扶措施")
def add_measure(request, file_id: int, payload: MeasureIn):
    file = _file(request, file_id)
    require_permission(request.user, CHANGE, file.node_path)
    return Status(201, aid.add_measure(file, by=request.user, **payload.dict()))


@router.patch("/plan-measures/{int:measure_id}", response=MeasureOut, summary="更新一项措施的进展")
def update_measure(request, measure_id: int, payload: MeasurePatch):
    measure = get_visible_or_404(PlanMeasure.objects.select_related("plan__file__union"), request.user, VIEW,
                                 pk=measure_id)
    require_permission(request.user, CHANGE, measure.plan.file.node_path)
    return aid.update_measure(measure, by=request.user, **payload.dict())


# ----- pairings -----

@router.get("/pairings/", response=list[PairingOut], summary="结对帮扶（overdue：超过规定天数未联系）")
@paginate(LimitOffsetPagination)
def list_pairings(request, state: str = "active", file_id: int | None = None):
    qs = Pairing.objects.visible_to(request.user, VIEW).select_related("file", "file__worker")
    if state == "overdue":
        qs = qs.filter(ended_on__isnull=True, contact_due_on__lt=timezone.localdate())
    elif state == "ended":
        qs = qs.filter(ended_on__isnull=False)
    elif state != "all":
        qs = qs.filter(ended_on__isnull=True)
    if file_id is not None:
        qs = qs.filter(file_id=file_id)
    return qs.order_by("contact_due_on", "pk")


@router.post("/pairings/", response={201: PairingDetailOut}, summary="安排结对帮扶")
def start_pairing(request, payload: PairingIn):
    file = _file(request, payload.file_id)
    require_permission(request.user, CHANGE, file.node_path)
    pairing = aid.start_pairing(file, by=request.user, **payload.dict(exclude={"file_id"}))
    return Status(201, _pairing(request, pairing.pk))


@router.get("/pairings/{int:pairing_id}", response=PairingDetailOut, summary="一个结对及其联系记录")
def get_pairing(request, pairing_id: int):
    pairing = _pairing(request, pairing_id)
    pairing.contact_rows = list(PairingContact.objects.visible_to(request.user, VIEW).filter(pairing=pairing))
    return pairing


@router.post("/pairings/{int:pairing_id}/contacts", response={201: ContactOut}, summary="登记一次联系和帮扶")
def log_contact(request, pairing_id: int, payload: ContactIn):
    pairing = _pairing(request, pairing_id)
    require_permission(request.user, CHANGE, pairing.file.node_path)
    return Status(201, aid.log_contact(pairing, by=request.user, **payload.dict()))


@router.post("/pairings/{int:pairing_id}/end", response=PairingOut, summary="结束结对")
def end_pairing(request, pairing_id: int, payload: EndIn):
    pairing = _pairing(request, pairing_id)
    require_permission(request.user, CHANGE, pairing.file.node_path)
    aid.end_pairing(pairing, ended_on=payload.ended_on, reason=payload.reason, by=request.user)
    return _pairing(request, pairing_id)
