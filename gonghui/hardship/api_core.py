"""Household files, applications and policy versions over the API (``/api/v1/hardship/…``).

Scoped like the pages: a file outside the caller's hardship.view subtree is 404; a write without
hardship.change (or hardship.policy) there is 403. The registration steps are the engine's:
``/api/v1/cases/{id}/transitions/…``.
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.core.scope import get_visible_or_404, has_permission, require_permission, subtree_q
from gonghui.hardship import registration
from gonghui.hardship import services_core as svc
from gonghui.hardship.models import (
    Assessment,
    HardshipApplication,
    HardshipFile,
    HomeVisit,
    HouseholdMember,
    IncomeRow,
    PolicyVersion,
    RecordCheck,
    SpendingRow,
)
from gonghui.orgs.models import UnionNode

router = Router(tags=["hardship"])
VIEW, CHANGE, POLICY = svc.VIEW, svc.CHANGE, svc.POLICY


class AssessmentOut(Schema):
    id: int
    category: str
    category_label: str
    per_capita_monthly_income: Decimal
    excluded_by: list[str]
    policy_version_id: int | None
    policy_label: str
    assessed_on: date
    inputs: dict


class FileOut(Schema):
    id: int
    number: str
    worker_id: int
    worker_name: str
    union_id: int
    union_name: str
    status: str
    status_label: str
    category: str
    category_label: str
    category_override_reason: str
    household_size: int
    per_capita_monthly_income: Decimal | None
    registered_on: date | None
    next_review_due: date | None
    updated_at: datetime


class MemberOut(Schema):
    id: int
    name: str
    relation: str
    id_number_masked: str
    health: str
    work_status: str
    school: str


class RowOut(Schema):
    id: int
    kind: str
    annual_amount: Decimal
    note: str


class VisitOut(Schema):
    id: int
    visited_on: date
    visitors: str
    findings: str
    refused: bool


class CheckOut(Schema):
    id: int
    kind: str
    result: str
    checked_on: date
    checked_by_name: str
    note: str


class ApplicationOut(Schema):
    case_id: int
    number: str
    state: str
    state_label: str
    source: str
    notice_starts: date | None
    notice_ends: date | None


class FileDetailOut(FileOut):
    main_cause: str
    secondary_causes: list[str]
    address: str
    housing: str
    housing_area: Decimal | None
    medical_insurance: str
    bank_name: str
    bank_account_masked: str
    exclusion_flags: list[str]
    members: list[MemberOut]
    incomes: list[RowOut]
    spendings: list[RowOut]
    home_visits: list[VisitOut]
    record_checks: list[CheckOut]
    assessment: AssessmentOut | None
    assessments: list[AssessmentOut]
    applications: list[ApplicationOut]


class FileIn(Schema):
    worker_id: int
    union_id: int | None = None  # by default the union of the worker's active membership
    address: str = ""
    phone: str = ""
    main_cause: str = ""


class ApplyIn(Schema):
    statement: str


class OwnApplyIn(Schema):
    statement: str
    main_cause: str
    secondary_causes: list[str] = []
    address: str = ""
    phone: str = ""


class PolicyOut(Schema):
    id: int
    node_id: int
    node_name: str
    effective_from: date
    params: dict
    note: str
    created_at: datetime


class PolicyIn(Schema):
    node_id: int
    effective_from: date
    params: dict = {}
    note: str = ""


class ReceivedOut(Schema):
    kind: str
    title: str
    amount: Decimal | None
    delivered_on: date
    union_name: str


class MyFileOut(Schema):
    file: FileOut | None
    application: ApplicationOut | None
    received: list[ReceivedOut]


def _file_out(f: HardshipFile) -> dict:
    return {
        "id": f.pk, "number": f.number, "worker_id": f.worker_id, "worker_name": f.worker.name,
        "union_id": f.union_id, "union_name": f.union.name, "status": f.status, "status_label": f.status_label,
        "category": f.category, "category_label": f.category_label,
        "category_override_reason": f.category_override_reason, "household_size": f.household_size,
        "per_capita_monthly_income": f.assessment.per_capita_monthly_income if f.assessment_id else None,
        "registered_on": f.registered_on, "next_review_due": f.next_review_due, "updated_at": f.updated_at,
    }


def _assessment_out(a: Assessment) -> dict:
    return {"id": a.pk, "category": a.category, "category_label": a.category_label,
            "per_capita_monthly_income": a.per_capita_monthly_income, "excluded_by": a.excluded_by,
            "policy_version_id": a.policy_version_id, "policy_label": a.policy_label,
            "assessed_on": a.assessed_on, "inputs": a.inputs}


def _application_out(a: HardshipApplication) -> dict:
    return {"case_id": a.case_id, "number": a.case.number, "state": a.case.state, "state_label": a.case.state_label,
            "source": a.source, "notice_starts": a.notice_starts, "notice_ends": a.notice_ends}


def _files(user, permission=VIEW):
    return HardshipFile.objects.visible_to(user, permission).select_related("worker", "union", "assessment")


@router.get("/files/", response=list[FileOut], summary="困难职工档案列表（可按状态、类别、工会、姓名筛选）")
@paginate(LimitOffsetPagination)
def list_files(request, status: str | None = None, category: str | None = None, union_id: int | None = None,
               q: str | None = None):
    if not has_permission(request.user, VIEW):
        raise PermissionDenied
    qs = _files(request.user)
    if status in HardshipFile.Status.values:
        qs = qs.filter(status=status)
    if category in HardshipFile.Category.values:
        qs = qs.filter(category=category)
    if union_id is not None:
        union = UnionNode.objects.visible_to(request.user, VIEW).filter(pk=union_id).first()
        if union is None:
            raise Http404
        qs = qs.filter(subtree_q("node_path", union.path))
    if q:
        qs = qs.filter(Q(worker__name__contains=q.strip()[:60]) | Q(number=q.strip().upper()))
    return [_file_out(f) for f in qs.order_by("-updated_at", "-pk")]


@router.get("/files/{int:file_id}", response=FileDetailOut, summary="一户困难职工档案（成员、收支、调查、核对、认定）")
def get_file(request, file_id: int):
    if not has_permission(request.user, VIEW):
        raise PermissionDenied
    f = get_visible_or_404(_files(request.user), request.user, VIEW, pk=file_id)
    user = request.user

    def rows(model):
        return model.objects.visible_to(user, VIEW).filter(file=f)

    return _file_out(f) | {
        "main_cause": f.main_cause, "secondary_causes": f.secondary_causes, "address": f.address,
        "housing": f.housing, "housing_area": f.housing_area, "medical_insurance": f.medical_insurance,
        "bank_name": f.bank_name, "bank_account_masked": f.bank_account_masked, "exclusion_flags": f.exclusion_flags,
        "members": [{"id": m.pk, "name": m.name, "relation": m.relation, "id_number_masked": m.id_number_masked,
                     "health": m.health, "work_status": m.work_status, "school": m.school}
                    for m in rows(HouseholdMember)],
        "incomes": [{"id": r.pk, "kind": r.source, "annual_amount": r.annual_amount, "note": r.note}
                    for r in rows(IncomeRow)],
        "spendings": [{"id": r.pk, "kind": r.kind, "annual_amount": r.annual_amount, "note": r.note}
                      for r in rows(SpendingRow)],
        "home_visits": [{"id": v.pk, "visited_on": v.visited_on, "visitors": v.visitors, "findings": v.findings,
                         "refused": v.refused} for v in rows(HomeVisit)],
        "record_checks": [{"id": c.pk, "kind": c.kind, "result": c.result, "checked_on": c.checked_on,
                           "checked_by_name": c.checked_by_name, "note": c.note} for c in rows(RecordCheck)],
        "assessment": _assessment_out(f.assessment) if f.assessment_id else None,
        "assessments": [_assessment_out(a) for a in rows(Assessment).select_related("policy_version")[:50]],
        "applications": [_application_out(a) for a in rows(HardshipApplication).select_related("case")
                         .order_by("-created_at")],
    }


@router.post("/files/", response={201: FileOut}, summary="为职工建立困难职工档案（草稿）")
def create_file(request, payload: FileIn):
    from gonghui.members.models import Worker
    from gonghui.members.services import active_membership

    if not has_permission(request.user, CHANGE):
        raise PermissionDenied
    worker = Worker.objects.visible_to(request.user, CHANGE).filter(pk=payload.worker_id).first()
    if worker is None:
        raise Http404
    if payload.union_id is not None:
        union = UnionNode.objects.visible_to(request.user, CHANGE).filter(pk=payload.union_id).first()
        if union is None:
            raise Http404
    else:
        membership = active_membership(worker)
        if membership is None:
            raise ValidationError({"union_id": [_("该职工没有在册的会籍，请指定建档的基层工会。")]})
        union = membership.union
    fields = {k: v for k, v in {"address": payload.address, "phone": payload.phone}.items() if v}
    file = svc.create_file(worker, union, by=request.user, **fields)
    if payload.main_cause:
        svc.set_causes(file, payload.main_cause, [], by=request.user)
    return Status(201, _file_out(_files(request.user).get(pk=file.pk)))


@router.post("/files/{int:file_id}/apply", response={201: ApplicationOut},
             summary="工会代职工提交建档申请（开始建档流程）")
def apply_for_file(request, file_id: int, payload: ApplyIn):
    f = get_visible_or_404(_files(request.user), request.user, VIEW, pk=file_id)
    require_permission(request.user, CHANGE, f.node_path)
    application = registration.apply_for(f, by=request.user, statement=payload.statement)
    return Status(201, _application_out(application))


@router.get("/policies/", response=list[PolicyOut], summary="政策参数版本")
@paginate(LimitOffsetPagination)
def list_policies(request):
    if not has_permission(request.user, VIEW):
        raise PermissionDenied
    qs = PolicyVersion.objects.visible_to(request.user, VIEW).select_related("node")
    return [{"id": v.pk, "node_id": v.node_id, "node_name": v.node.name, "effective_from": v.effective_from,
             "params": v.params, "note": v.note, "created_at": v.created_at}
            for v in qs.order_by("node__path", "-effective_from")]


@router.post("/policies/", response={201: PolicyOut}, summary="新增政策参数版本（生效日期之后的认定使用）")
def add_policy(request, payload: PolicyIn):
    if not has_permission(request.user, POLICY):
        raise PermissionDenied
    node = UnionNode.objects.visible_to(request.user, POLICY).filter(pk=payload.node_id).first()
    if node is None:
        raise Http404
    v = svc.add_policy_version(node, payload.effective_from, payload.params, payload.note, by=request.user)
    return Status(201, {"id": v.pk, "node_id": v.node_id, "node_name": node.name,
                        "effective_from": v.effective_from, "params": v.params, "note": v.note,
                        "created_at": v.created_at})


def _own_worker(request):
    from gonghui.members.models import Worker

    worker = Worker.objects.unscoped().filter(user=request.user).first() if request.user.is_authenticated else None
    if worker is None:
        raise Http404
    return worker


@router.get("/me", response=MyFileOut, summary="我的困难帮扶：档案状态和已获得的帮扶")
def my_file(request):
    from gonghui.ledger.services import services_of

    worker = _own_worker(request)
    f = svc.latest_file_of(worker)
    application = registration.application_for_file(f) if f else None
    received = [{"kind": r.kind, "title": r.title, "amount": r.amount, "delivered_on": r.delivered_on,
                 "union_name": r.delivering_union.name}
                for r in services_of(worker)[:200] if r.kind.startswith("hardship.")]
    return {"file": _file_out(f) if f else None,
            "application": _application_out(application) if application else None, "received": received}


@router.post("/me/apply", response={201: ApplicationOut}, summary="职工本人申请困难职工建档")
def apply_own(request, payload: OwnApplyIn):
    worker = _own_worker(request)
    application = registration.apply_online(
        worker, by=request.user, statement=payload.statement, main_cause=payload.main_cause,
        secondary_causes=payload.secondary_causes, address=payload.address, phone=payload.phone)
    return Status(201, _application_out(application))
