"""Joining online over the API: ``/api/v1/join-applications/``.

- ``GET /unions?q=`` finds the union to apply to (name, pinyin or initials; ``area=true``: the town
  and district unions, for a worker whose employer has no union);
- ``POST /`` — a signed-in worker applies (the same rules and messages as the portal form; sending
  it again while the application is open returns the open one with status 200);
- ``GET /`` lists (staff: their subtree; a worker: their own), ``GET /{id}`` reads one.

An application shares its id with its case: the decisions (approve 批准入会, place 批准并安排到联合工会,
reject 不予通过, transfer 转交其他工会) and the worker's withdraw 撤回申请 go through the engine's
``/api/v1/cases/{id}/transitions`` (GET: the steps allowed now and their fields; POST
``/api/v1/cases/{id}/transitions/{name}`` with ``{"version", "data"}``), comments and files through
``/api/v1/cases/{id}/comments`` and ``/attachments``.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.members import join_services, joining
from gonghui.members.models import JoinApplication
from gonghui.workflow.access import get_case_or_404
from gonghui.workflow.api import EventOut, case_out
from gonghui.workflow.services import is_applicant

router = Router(tags=["join-applications"])


class UnionOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    parent_name: str
    holds_members: bool
    apply_url: str


class JoinApplicationOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    version: int
    applied_to_id: int
    applied_to_name: str
    node_id: int
    node_name: str
    employer: str
    employer_has_union: bool
    name: str
    id_number_masked: str
    gender: str
    birth_date: datetime.date | None
    ethnicity: str
    mobile: str
    education: str
    household_type: str
    migrant_worker: bool
    due_at: datetime.datetime | None
    created_at: datetime.datetime
    closed_at: datetime.datetime | None
    membership_id: int | None
    member_number: str


class JoinApplicationDetailOut(JoinApplicationOut):
    decision_note: str
    # For staff, when the owning union places the worker: the joint unions to choose from ("place").
    placement_choices: list[UnionOut]
    timeline: list[EventOut]


class JoinIn(Schema):
    union_id: int
    name: str
    id_number: str
    mobile: str
    ethnicity: str = "汉族"
    education: str
    household_type: str
    migrant_worker: bool = False
    employer: str = ""
    gender: str = ""  # optional: "M" or "F"; must agree with the ID number
    birth_date: str = ""  # optional, YYYY-MM-DD; must agree with the ID number


def _union_out(node, request) -> dict:
    from gonghui.members.templatetags.join_tags import join_url

    return {"id": node.pk, "name": node.name, "short_name": node.short_name, "kind": node.kind,
            "kind_label": node.kind_label, "parent_name": node.parent.name if node.parent_id else "",
            "holds_members": node.holds_members, "apply_url": join_url(request, node)}


def _out(application: JoinApplication, user) -> dict:
    case, worker, membership = application.case, application.worker, application.membership
    applicant = is_applicant(case, user)
    return {
        "id": application.pk, "number": case.number, "state": case.state,
        "state_label": case.applicant_state_label if applicant else case.state_label, "version": case.version,
        "applied_to_id": application.applied_to_id, "applied_to_name": application.applied_to.name,
        "node_id": case.node_id, "node_name": case.node.name, "employer": application.employer,
        "employer_has_union": application.employer_has_union, "name": worker.name,
        "id_number_masked": worker.id_number_masked, "gender": worker.gender, "birth_date": worker.birth_date,
        "ethnicity": worker.ethnicity, "mobile": worker.mobile, "education": worker.education,
        "household_type": worker.household_type, "migrant_worker": worker.migrant_worker,
        "due_at": case.due_at, "created_at": case.created_at, "closed_at": case.closed_at,
        "membership_id": membership.pk if membership else None,
        "member_number": membership.member_number if membership else "",
    }


def _detail(application: JoinApplication, request) -> dict:
    user, case = request.user, application.case
    data = _out(application, user)
    choices = []
    if not is_applicant(case, user) and case.is_open and not case.node.holds_members:
        choices = [_union_out(n, request) for n in joining.placement_targets(case).select_related("parent")[:300]]
    data.update(decision_note=join_services.decision_note(case) if not case.is_open else "",
                placement_choices=choices, timeline=case_out(case, user)["timeline"])
    return data


RELATED = ("case", "case__node", "worker", "applied_to", "membership")


class _Mapped:
    """A lazily sliced queryset whose rows come out as API dicts (the paginator slices it)."""

    def __init__(self, qs, user):
        self.qs, self.user = qs, user

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [_out(a, self.user) for a in self.qs[item]]


@router.get("/unions", response=list[UnionOut], summary="查找要申请加入的工会（名称、拼音或拼音首字母）")
def search_unions(request, q: str = "", area: bool = False):
    """At most 20 active unions: grassroots and joint unions, or with ``area=true`` the town and
    district unions that place workers whose employer has no union."""
    return [_union_out(n, request) for n in join_services.search_unions(q, area=area)]


@router.get("/", response=list[JoinApplicationOut], summary="入会申请列表（干部：管辖范围内；职工：本人的）")
@paginate(LimitOffsetPagination)
def list_applications(request, state: str | None = None):
    user = request.user
    if getattr(user, "is_worker", False):
        qs = JoinApplication.objects.unscoped().filter(case__applicant=user)
    else:
        qs = JoinApplication.objects.visible_to(user, joining.APPROVE)
    qs = qs.filter(case__case_type=joining.NAME)
    if state:
        qs = qs.filter(case__state=state)
    return _Mapped(qs.select_related(*RELATED).order_by("-case_id"), user)


@router.post("/", response={200: JoinApplicationDetailOut, 201: JoinApplicationDetailOut},
             summary="提交入会申请（职工本人；已有待审核的申请时返回该申请，状态码200）")
def submit(request, payload: JoinIn):
    """The same rules and Chinese messages as the portal's form (422 with ``fields``). While the
    worker has an open application, posting again returns it (200) instead of opening another. The
    worker may withdraw it with ``POST /api/v1/cases/{id}/transitions/withdraw``."""
    user = request.user
    if not getattr(user, "is_worker", False):
        raise PermissionDenied
    union = join_services.joinable_unions().filter(pk=payload.union_id).first()
    if union is None:
        raise Http404
    application, created = join_services.submit(by=user, union=union, data=payload.model_dump())
    application = JoinApplication.objects.unscoped().select_related(*RELATED).get(pk=application.pk)
    return Status(201 if created else 200, _detail(application, request))


@router.get("/{int:application_id}", response=JoinApplicationDetailOut, summary="一份入会申请及其审核过程")
def get_application(request, application_id: int):
    """The application shares its id with its case. Staff decide through the engine:
    ``GET /api/v1/cases/{id}/transitions`` lists the steps allowed now (approve 批准入会; place
    批准并安排到联合工会 with ``data.union`` = one of ``placement_choices``; reject 不予通过 with
    ``data.note``; transfer 转交其他工会 with ``data.node`` and ``data.note``), and
    ``POST /api/v1/cases/{id}/transitions/{name}`` with ``{"version", "data"}`` takes one (409 when the
    version is stale)."""
    case = get_case_or_404(request.user, application_id)
    application = (JoinApplication.objects.unscoped().select_related(*RELATED[2:])
                   .filter(pk=case.pk, case__case_type=joining.NAME).first())
    if application is None:
        raise Http404
    application.case = case
    return _detail(application, request)
