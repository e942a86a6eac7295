"""Requests over the API: ``/api/v1/requests/`` (list, submit) and ``/api/v1/requests/{id}``.

A request shares its id with its case: steps, comments and files go through ``/api/v1/cases/{id}/…``.
Staff list the requests in their scope; a worker lists their own.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.members.models import Worker
from gonghui.requests import services
from gonghui.requests.models import Category, Request
from gonghui.workflow.access import get_case_or_404
from gonghui.workflow.api import EventOut, case_out
from gonghui.workflow.services import is_applicant

router = Router(tags=["requests"])


class RequestOut(Schema):
    id: int
    number: str
    title: str
    category: str
    category_label: str
    kind: str
    channel: str
    state: str
    state_label: str
    node_id: int
    node_name: str
    urgent: bool
    likely_duplicate_of: int | None
    grade: str
    anonymous_to_employer: bool
    version: int
    due_at: datetime | None
    created_at: datetime
    closed_at: datetime | None
    rating: int | None


class RequestDetailOut(RequestOut):
    description: str
    outcome: str
    rating_comment: str
    timeline: list[EventOut]


class RequestIn(Schema):
    category: str
    kind: str
    description: str
    anonymous_to_employer: bool = False
    about_own_union: bool = False
    migrant_worker: bool = False
    contact_phone: str = ""
    district_id: int | None = None


def _out(req: Request, user) -> dict:
    case = req.case
    applicant = is_applicant(case, user)
    return {
        "id": req.pk, "number": case.number, "title": case.title, "category": req.category.code,
        "category_label": req.category.label, "kind": req.kind, "channel": req.channel, "state": case.state,
        "state_label": case.applicant_state_label if applicant else case.state_label,
        "node_id": case.node_id, "node_name": case.node.name, "urgent": case.urgent,
        "likely_duplicate_of": None if applicant else req.likely_duplicate_of_id, "grade": req.grade,
        "anonymous_to_employer": req.anonymous_to_employer, "version": case.version, "due_at": case.due_at,
        "created_at": case.created_at, "closed_at": case.closed_at, "rating": req.rating,
    }


@router.get("/", response=list[RequestOut], summary="诉求列表（干部：管辖范围内；职工：本人的）")
@paginate(LimitOffsetPagination)
def list_requests(request, state: str | None = None, category: str | None = None, urgent: bool | None = None):
    user = request.user
    if getattr(user, "is_worker", False):
        qs = Request.objects.unscoped().filter(case__applicant=user)
    else:
        qs = Request.objects.visible_to(user, "requests.view")
    if state:
        qs = qs.filter(case__state=state)
    if category:
        qs = qs.filter(category__code=category)
    if urgent is not None:
        qs = qs.filter(case__urgent=urgent)
    rows = qs.select_related("case", "case__node", "category").order_by("-case__created_at")
    return _Mapped(rows, user)


class _Mapped:
    """A lazily sliced queryset whose rows come out as API dicts (the paginator slices it)."""

    def __init__(self, qs, user):
        self.qs, self.user = qs, user

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [_out(r, self.user) for r in self.qs[item]]


@router.post("/", response={201: RequestDetailOut}, summary="提交诉求（职工本人；照片请再调用 /cases/{id}/attachments 上传）")
def submit(request, payload: RequestIn):
    user = request.user
    if not getattr(user, "is_worker", False):
        raise PermissionDenied
    worker = Worker.objects.unscoped().filter(user=user).first()
    district = None
    if payload.district_id is not None:
        district = services.district_choices().filter(pk=payload.district_id).first()
        if district is None:
            raise Http404
    req = services.submit_request(
        by=user, applicant=user, worker=worker,
        category=Category.objects.filter(code=payload.category, active=True).first(), kind=payload.kind,
        description=payload.description, contact_phone=payload.contact_phone or (user.phone or ""),
        contact_name=user.display_name, anonymous_to_employer=payload.anonymous_to_employer,
        about_own_union=payload.about_own_union, migrant_worker=payload.migrant_worker, chosen_node=district)
    return _detail(req, user)


def _detail(req: Request, user) -> dict:
    data = _out(req, user)
    data.update(description=req.description, outcome=req.outcome, rating_comment=req.rating_comment,
                timeline=case_out(req.case, user)["timeline"])
    return data


@router.get("/{int:request_id}", response=RequestDetailOut, summary="一件诉求及其办理过程")
def get_request(request, request_id: int):
    case = get_case_or_404(request.user, request_id)
    req = Request.objects.unscoped().select_related("category").filter(pk=case.pk).first()
    if req is None:
        raise Http404
    req.case = case
    return _detail(req, request.user)
