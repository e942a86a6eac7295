"""Enterprises, their visits and problems over the API (``/api/v1/enterprises/…``).

Each problem is a case: take its steps through ``/api/v1/cases/{id}/transitions/…``.
"""

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.core.scope import get_visible_or_404, require_permission
from gonghui.enterprise import services
from gonghui.enterprise.models import Enterprise, Industry, Problem, Visit
from gonghui.enterprise.services import HANDLE, VIEW
from gonghui.orgs.models import UnionNode

router = Router(tags=["enterprises"])


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str
    address: str
    industry: str
    industry_label: str
    employees: int | None
    contact_person: str
    contact_phone: str
    union_id: int | None
    union_name: str
    node_id: int
    node_name: str


class ProblemOut(Schema):
    id: int  # the case's id: /api/v1/cases/{id}
    number: str
    visit_id: int
    kind: str
    kind_label: str
    description: str
    solution: str
    state: str
    state_label: str
    node_id: int
    due_at: datetime | None
    closed_at: datetime | None


class VisitOut(Schema):
    id: int
    enterprise_id: int
    node_id: int
    node_name: str
    visited_on: date
    staff: list[str]
    other_participants: str
    met_with: str
    notes: str
    problems: list[ProblemOut]


class EnterpriseDetailOut(EnterpriseOut):
    visits: list[VisitOut]


class ProblemIn(Schema):
    kind: str
    description: str


class VisitIn(Schema):
    visited_on: date
    node_id: int | None = None  # the visiting union; by default the nearest one the caller may act for
    staff_ids: list[int] = []
    other_participants: str = ""
    met_with: str = ""
    notes: str = ""
    problems: list[ProblemIn] = []


def _enterprise_out(e: Enterprise) -> dict:
    fields = ("id", "name", "uscc", "address", "industry", "industry_label", "employees", "contact_person",
              "contact_phone", "union_id", "node_id")
    return {f: getattr(e, f) for f in fields} | {"union_name": e.union.name if e.union_id else "",
                                                 "node_name": e.node.name}


def _problem_out(p: Problem) -> dict:
    case = p.case
    return {"id": p.pk, "number": case.number, "visit_id": p.visit_id, "kind": p.kind, "kind_label": p.kind_label,
            "description": p.description, "solution": p.solution, "state": case.state,
            "state_label": case.state_label, "node_id": case.node_id, "due_at": case.due_at,
            "closed_at": case.closed_at}


def _visit_out(visit: Visit, problems: list[Problem]) -> dict:
    return {"id": visit.pk, "enterprise_id": visit.enterprise_id, "node_id": visit.node_id,
            "node_name": visit.node.name, "visited_on": visit.visited_on,
            "staff": [str(u) for u in visit.staff.all()], "other_participants": visit.other_participants,
            "met_with": visit.met_with, "notes": visit.notes,
            "problems": [_problem_out(p) for p in problems if p.visit_id == visit.pk]}


@router.get("/", response=list[EnterpriseOut], summary="我可见的企业")
@paginate(LimitOffsetPagination)
def list_enterprises(request, q: str | None = None, industry: str | None = None, has_union: bool | None = None):
    qs = Enterprise.objects.visible_to(request.user, VIEW).annotate(
        union_name=Coalesce(F("union__name"), Value("")), node_name=F("node__name"))
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(uscc=q.upper()))
    if industry in Industry.values:
        qs = qs.filter(industry=industry)
    if has_union is not None:
        qs = qs.filter(union__isnull=not has_union)
    return qs.order_by("node__path", "name", "pk")


@router.get("/{int:enterprise_id}", response=EnterpriseDetailOut, summary="一家企业及其走访和企业难题")
def get_enterprise(request, enterprise_id: int):
    enterprise = get_visible_or_404(Enterprise.objects.select_related("node", "union"), request.user, VIEW,
                                    pk=enterprise_id)
    visits = list(Visit.objects.visible_to(request.user, VIEW).filter(enterprise=enterprise)
                  .select_related("node").prefetch_related("staff")[:200])
    problems = list(Problem.objects.visible_to(request.user, VIEW).filter(enterprise=enterprise)
                    .select_related("case").order_by("pk"))
    return _enterprise_out(enterprise) | {"visits": [_visit_out(v, problems) for v in visits]}


@router.post("/{int:enterprise_id}/visits", response={201: VisitOut},
             summary="登记一次走访及发现的问题（每个问题建立一个企业难题事项）")
def record_visit(request, enterprise_id: int, payload: VisitIn):
    enterprise = get_visible_or_404(Enterprise.objects.select_related("node"), request.user, VIEW, pk=enterprise_id)
    require_permission(request.user, HANDLE, enterprise.node.path)
    data = payload.dict(exclude={"problems", "node_id", "staff_ids"})
    if payload.node_id is not None:
        data["node"] = UnionNode.objects.unscoped().filter(pk=payload.node_id).first()
        if data["node"] is None:
            raise ValidationError({"node": [_("走访工会应是企业的联系工会或它的上级工会。")]})
    User = get_user_model()
    staff = list(User.objects.filter(pk__in=payload.staff_ids))
    if len(staff) != len(set(payload.staff_ids)):
        raise ValidationError({"staff": [_("走访人员应是走访工会或其上下级工会的干部。")]})
    data["staff"] = staff
    visit = services.record_visit(enterprise, data, [p.dict() for p in payload.problems], by=request.user)
    return _visit_out(visit, visit.created_problems)
