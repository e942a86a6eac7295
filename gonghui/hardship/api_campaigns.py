"""金秋助学 and 送温暖 over the API (``/api/v1/hardship/golden-autumn/…``, ``/api/v1/hardship/warmth/…``).

An application is a case: its single steps (verify, objection, approve, reject, pay, withdraw) go
through the engine's ``/api/v1/cases/{id}/transitions/…``; the batch endpoint takes one step on many.
"""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.core.scope import get_visible_or_404, has_permission
from gonghui.hardship import services_campaigns as svc
from gonghui.hardship.golden_autumn import CHANGE, VIEW
from gonghui.hardship.models import GoldenAutumnApplication, WarmthTarget
from gonghui.members.models import Worker
from gonghui.orgs.models import UnionNode
from gonghui.workflow.services import Upload

router = Router(tags=["hardship"])


class RoundOut(Schema):
    id: int
    node_id: int
    node_name: str
    year: int
    title: str
    opens_on: date
    closes_on: date
    budget: Decimal
    note: str
    granted: Decimal
    paid: Decimal
    remaining: Decimal
    students: int


class RoundIn(Schema):
    node_id: int
    year: int
    title: str = ""
    opens_on: date
    closes_on: date
    budget: Decimal
    note: str = ""


class ApplicationOut(Schema):
    id: int  # the case's id: /api/v1/cases/{id}
    number: str
    round_id: int
    year: int
    worker_id: int
    worker_name: str
    group: str
    child_name: str
    child_id_masked: str
    school: str
    admission_year: int
    level: str
    level_label: str
    amount: Decimal
    bank_name: str
    bank_account_masked: str
    state: str
    state_label: str
    applicant_state_label: str
    node_id: int
    node_name: str
    notice_ends_at: datetime | None
    approved_on: date | None
    paid_on: date | None

    @staticmethod
    def resolve_id(a):
        return a.pk

    @staticmethod
    def resolve_number(a):
        return a.case.number

    @staticmethod
    def resolve_worker_name(a):
        return a.worker.name

    @staticmethod
    def resolve_state(a):
        return a.case.state

    @staticmethod
    def resolve_state_label(a):
        return a.case.state_label

    @staticmethod
    def resolve_applicant_state_label(a):
        return a.case.applicant_state_label

    @staticmethod
    def resolve_node_id(a):
        return a.case.node_id

    @staticmethod
    def resolve_node_name(a):
        return a.case.node.name


class ApplicationIn(Schema):
    worker_id: int | None = None  # staff applying for a worker of their union; a worker omits it
    child_name: str
    child_id_number: str
    school: str
    admission_year: int
    level: str
    bank_name: str = ""
    bank_account: str = ""
    hardship_note: str = ""
    exclusions: list[str] = []


class BatchIn(Schema):
    ids: list[int]
    action: str
    note: str = ""


class BatchFailure(Schema):
    id: int
    message: str


class BatchOut(Schema):
    done: list[int]
    failed: list[BatchFailure]


class CampaignOut(Schema):
    id: int
    node_id: int
    node_name: str
    name: str
    starts_on: date
    ends_on: date
    budget: Decimal
    categories: list[str]
    include_model_workers: bool
    include_frontline: bool
    standard_amount: Decimal
    listed: int
    visited: int
    coverage: float
    spent: Decimal


class CampaignIn(Schema):
    node_id: int
    name: str
    starts_on: date
    ends_on: date
    budget: Decimal
    standard_amount: Decimal
    categories: list[str]
    include_model_workers: bool = False
    include_frontline: bool = False


class VisitOut(Schema):
    id: int
    visited_on: date
    visitors: str
    kind: str
    value: Decimal
    goods: str
    note: str
    has_photo: bool


class TargetOut(Schema):
    id: int
    campaign_id: int
    worker_id: int
    worker_name: str
    file_id: int | None
    union_id: int
    union_name: str
    group: str
    visit: VisitOut | None


class GeneratedOut(Schema):
    added: int


def _round_out(rnd) -> dict:
    totals = svc.round_totals(rnd)
    return {"id": rnd.pk, "node_id": rnd.node_id, "node_name": rnd.node.name, "year": rnd.year, "title": rnd.title,
            "opens_on": rnd.opens_on, "closes_on": rnd.closes_on, "budget": rnd.budget, "note": rnd.note,
            "granted": totals["granted"], "paid": totals["paid"], "remaining": totals["remaining"],
            "students": totals["students"]}


def _campaign_out(campaign, user) -> dict:
    figures = svc.campaign_figures(campaign, user)
    fields = ("id", "node_id", "name", "starts_on", "ends_on", "budget", "categories", "include_model_workers",
              "include_frontline", "standard_amount")
    return {f: getattr(campaign, f) for f in fields} | {
        "node_name": campaign.node.name, "listed": figures["listed"], "visited": figures["visited"],
        "coverage": figures["coverage"], "spent": figures["spent"]}


def _target_out(t: WarmthTarget) -> dict:
    visit = getattr(t, "visit", None) if hasattr(t, "visit") else None
    return {"id": t.pk, "campaign_id": t.campaign_id, "worker_id": t.worker_id, "worker_name": t.worker.name,
            "file_id": t.file_id, "union_id": t.union_id, "union_name": t.union.name, "group": t.group,
            "visit": None if visit is None else {
                "id": visit.pk, "visited_on": visit.visited_on, "visitors": visit.visitors, "kind": visit.kind,
                "value": visit.value, "goods": visit.goods, "note": visit.note, "has_photo": bool(visit.photo)}}


def _node(node_id: int) -> UnionNode:
    node = UnionNode.objects.unscoped().filter(pk=node_id, active=True).first()
    if node is None:
        raise ValidationError({"node_id": [_("组织工会不存在，请重新选择。")]})
    return node


def _upload(file: UploadedFile | None, name: str) -> Upload | None:
    if file is None:
        return None
    if file.size > settings.GONGHUI_ATTACHMENT_MAX_BYTES:
        raise ValidationError({name: [_("文件不能超过%(size)s。") % {
            "size": filesizeformat(settings.GONGHUI_ATTACHMENT_MAX_BYTES)}]})
    return Upload(file.name, file.read())


# ----- 金秋助学 -----

@router.get("/golden-autumn/rounds", response=list[RoundOut], summary="金秋助学批次（本会及上级总工会设立的）")
def list_rounds(request, year: int | None = None):
    qs = svc.rounds_visible_to(request.user)
    if year:
        qs = qs.filter(year=year)
    return [_round_out(r) for r in qs.order_by("-year", "node_path")[:200]]


@router.post("/golden-autumn/rounds", response={201: RoundOut}, summary="设立金秋助学批次")
def create_round(request, payload: RoundIn):
    data = payload.dict(exclude={"node_id"})
    return _round_out(svc.create_round(_node(payload.node_id), data, by=request.user))


@router.get("/golden-autumn/rounds/{int:round_id}", response=RoundOut, summary="一个金秋助学批次及其金额")
def get_round(request, round_id: int):
    return _round_out(get_object_or_404(svc.rounds_visible_to(request.user), pk=round_id))


@router.post("/golden-autumn/rounds/{int:round_id}/batch", response=BatchOut,
             summary="批量办理（核实、批准、确认发放）：每份申请单独办理，失败的逐一说明")
def batch(request, round_id: int, payload: BatchIn):
    rnd = get_object_or_404(svc.rounds_visible_to(request.user), pk=round_id)
    ids = list(GoldenAutumnApplication.objects.visible_to(request.user, VIEW)
               .filter(round=rnd, pk__in=payload.ids).values_list("pk", flat=True))
    missing = [i for i in payload.ids if i not in set(ids)]
    result = svc.batch_transition(ids or payload.ids, payload.action, by=request.user,
                                  data={"note": payload.note} if payload.note else {})
    failed = [{"id": getattr(a, "pk", a), "message": m} for a, m in result.failed]
    failed += [{"id": i, "message": _("申请不存在或不在您的管辖范围内。")} for i in missing
               if i not in {f["id"] for f in failed}]
    return {"done": [a.pk for a in result.done], "failed": failed}


@router.get("/golden-autumn/applications", response=list[ApplicationOut], summary="我可见的金秋助学申请")
@paginate(LimitOffsetPagination)
def list_applications(request, round_id: int | None = None, state: str | None = None, q: str | None = None):
    qs = (GoldenAutumnApplication.objects.visible_to(request.user, VIEW)
          .select_related("case", "case__node", "worker"))
    if round_id:
        qs = qs.filter(round_id=round_id)
    if state:
        qs = qs.filter(case__state=state)
    if q:
        qs = qs.filter(Q(child_name__contains=q) | Q(worker__name__contains=q))
    return qs.order_by("-year", "case__node__path", "case_id")


@router.get("/golden-autumn/applications/{int:application_id}", response=ApplicationOut, summary="一份金秋助学申请")
def get_application(request, application_id: int):
    app = get_visible_or_404(GoldenAutumnApplication.objects.select_related("case", "case__node", "worker"),
                             request.user, VIEW, pk=application_id)
    return app


@router.get("/golden-autumn/mine", response=list[ApplicationOut], summary="我的金秋助学申请（职工）")
def my_applications(request):
    worker = Worker.objects.unscoped().filter(user=request.user).first() if request.user.is_authenticated else None
    if worker is None:
        return []
    return list(svc.applications_of_worker(worker).select_related("case__node", "worker"))


@router.post("/golden-autumn/applications", response={201: ApplicationOut},
             summary="申请金秋助学（职工为子女申请；或基层工会为本会职工代为申请），附录取通知书")
def create_application(request, payload: Form[ApplicationIn], letter: UploadedFile = File(None)):  # noqa: B008
    if payload.worker_id is not None:
        # Staff apply for a worker they can see (out of scope: 404); the service checks hardship.change.
        worker = get_visible_or_404(Worker, request.user, "members.view", pk=payload.worker_id)
        if not has_permission(request.user, CHANGE):
            raise PermissionDenied
    else:
        worker = Worker.objects.unscoped().filter(user=request.user).first() if request.user.is_authenticated \
            else None
        if worker is None:
            raise ValidationError({"__all__": [_("请先在“我的”中完成实名登记，再申请金秋助学。")]})
    app = svc.apply(by=request.user, worker=worker, data=payload.dict(exclude={"worker_id"}),
                    letter=_upload(letter, "letter"))
    app = GoldenAutumnApplication.objects.unscoped().select_related("case", "case__node", "worker").get(pk=app.pk)
    return app


# ----- 送温暖 -----

@router.get("/warmth/campaigns", response=list[CampaignOut], summary="送温暖活动（本会及上级工会组织的）")
def list_campaigns(request):
    return [_campaign_out(c, request.user)
            for c in svc.campaigns_visible_to(request.user).order_by("-starts_on", "-pk")[:100]]


@router.post("/warmth/campaigns", response={201: CampaignOut}, summary="设立送温暖活动")
def create_campaign(request, payload: CampaignIn):
    campaign = svc.create_campaign(_node(payload.node_id), payload.dict(exclude={"node_id"}), by=request.user)
    return _campaign_out(campaign, request.user)


@router.get("/warmth/campaigns/{int:campaign_id}", response=CampaignOut, summary="一个送温暖活动：覆盖率和支出")
def get_campaign(request, campaign_id: int):
    return _campaign_out(get_object_or_404(svc.campaigns_visible_to(request.user), pk=campaign_id), request.user)


@router.post("/warmth/campaigns/{int:campaign_id}/generate", response=GeneratedOut,
             summary="按活动规则从困难职工档案生成走访名单（可重复执行，只新增）")
def generate(request, campaign_id: int):
    campaign = get_object_or_404(svc.campaigns_visible_to(request.user), pk=campaign_id)
    return {"added": svc.generate_targets(campaign, by=request.user)}


@router.get("/warmth/campaigns/{int:campaign_id}/targets", response=list[TargetOut], summary="走访名单（本辖区）")
@paginate(LimitOffsetPagination)
def list_targets(request, campaign_id: int, visited: bool | None = None):
    campaign = get_object_or_404(svc.campaigns_visible_to(request.user), pk=campaign_id)
    qs = (WarmthTarget.objects.visible_to(request.user, VIEW).filter(campaign=campaign)
          .select_related("worker", "union", "visit").order_by("node_path", "pk"))
    if visited is not None:
        qs = qs.filter(visit__isnull=not visited)
    return [_target_out(t) for t in qs[:5000]]


@router.post("/warmth/targets/{int:target_id}/visit", response={201: TargetOut},
             summary="登记一户的走访（日期、人员、慰问金或慰问品、价值、现场照片）")
def record_visit(request, target_id: int, visited_on: str = Form(...), visitors: str = Form(...),  # noqa: B008
                 kind: str = Form(...), value: str = Form(...), goods: str = Form(""),  # noqa: B008
                 note: str = Form(""), photo: UploadedFile = File(None)):  # noqa: B008
    target = get_visible_or_404(WarmthTarget.objects.select_related("campaign", "worker", "union"),
                                request.user, VIEW, pk=target_id)
    data = {"visited_on": visited_on, "visitors": visitors, "kind": kind, "value": value, "goods": goods,
            "note": note}
    svc.record_visit(target, data, by=request.user, photo=_upload(photo, "photo"))
    target = WarmthTarget.objects.unscoped().select_related("worker", "union", "visit").get(pk=target.pk)
    return _target_out(target)
