"""The intake part's API under /api/v1/legal/: applications, decisions, consultations, eligibility.

Applications are multipart (the documents travel with them: one file field per document kind,
``doc_<kind>``, e.g. ``doc_pay_records``); everything else is JSON. Errors come back as
``{"code", "message"}`` in Chinese (422 with ``fields`` for bad input, 404 out of scope).
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Form, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.api import ApiError
from gonghui.core.scope import has_permission
from gonghui.legal import access, eligibility
from gonghui.legal import services_intake as svc
from gonghui.legal.case_type import CHANGE, VIEW
from gonghui.legal.models import LegalCentre
from gonghui.orgs.models import UnionNode
from gonghui.workflow.services import StaleCase, Upload

router = Router()


# ----- schemas -----

class ApplicationOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    centre_id: int
    centre_name: str
    applicant_name: str
    matter: str
    matter_label: str
    opponent_name: str
    opponent_uscc: str
    amount_claimed: Decimal
    workers_involved: int
    is_member: bool
    is_migrant: bool
    in_hardship: bool
    eligibility_rule: str
    eligibility_note: str
    urgent_arrears: bool
    submitted_on: date
    decided_on: date | None
    due_at: datetime | None
    documents: list[str]
    version: int

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
    def resolve_centre_id(obj):
        return obj.case.node_id

    @staticmethod
    def resolve_centre_name(obj):
        return obj.case.node.name

    @staticmethod
    def resolve_id(obj):
        return obj.pk

    @staticmethod
    def resolve_due_at(obj):
        return obj.case.due_at

    @staticmethod
    def resolve_version(obj):
        return obj.case.version

    @staticmethod
    def resolve_documents(obj):
        return sorted(obj.documents.unscoped().values_list("kind", flat=True))


class ApplicationIn(Schema):
    applicant_name: str = ""
    applicant_phone: str = ""
    matter: str
    opponent_name: str
    opponent_uscc: str = ""
    opponent_address: str = ""
    facts: str
    amount_claimed: str = "0"
    workers_involved: str = "1"
    is_member: bool = False
    is_migrant: bool = False
    is_woman: bool = False
    is_disabled: bool = False
    is_elderly: bool = False
    is_model_worker: bool = False
    is_union_officer: bool = False
    in_hardship: bool = False
    # staff only: the worker (by id), where a worker without a union works, the consultation it comes from
    worker_id: int | None = None
    district_id: int | None = None
    consultation_id: int | None = None


class DecisionIn(Schema):
    action: str  # approve, reject, withdraw
    version: int
    note: str = ""


class CheckIn(Schema):
    matter: str = ""
    workers_involved: int = 1
    is_member: bool = False
    is_migrant: bool = False
    is_woman: bool = False
    is_disabled: bool = False
    is_elderly: bool = False
    is_model_worker: bool = False
    is_union_officer: bool = False
    in_hardship: bool = False
    district_id: int | None = None


class CheckOut(Schema):
    eligible: bool
    rule_code: str
    rule_label: str
    explanation: str
    required_documents: str


class RuleOut(Schema):
    code: str
    label: str
    conditions: dict
    described: str


class RulesOut(Schema):
    federation_id: int
    federation_name: str
    source: str  # own, inherited, default
    source_name: str
    rules: list[RuleOut]


def _answer_of(obj):
    """The Consultation of a request, or None (the reverse one-to-one raises when missing)."""
    return obj.legal_consultation if hasattr(obj, "legal_consultation") else None


class ConsultationOut(Schema):
    id: int
    number: str
    name: str
    phone: str
    question: str
    channel: str
    migrant_worker: bool
    created_at: datetime
    answered: bool
    answer: str
    law_cited: str
    minutes_spent: int
    answered_at: datetime | None

    @staticmethod
    def resolve_id(obj):
        return obj.pk

    @staticmethod
    def resolve_number(obj):
        return obj.case.number

    @staticmethod
    def resolve_name(obj):
        return obj.case.applicant_name or obj.contact_name

    @staticmethod
    def resolve_phone(obj):
        return obj.contact_phone

    @staticmethod
    def resolve_question(obj):
        return obj.description

    @staticmethod
    def resolve_created_at(obj):
        return obj.case.created_at

    @staticmethod
    def resolve_answered(obj):
        c = _answer_of(obj)
        return bool(c and c.answered_at)

    @staticmethod
    def resolve_answer(obj):
        c = _answer_of(obj)
        return c.answer if c else ""

    @staticmethod
    def resolve_law_cited(obj):
        c = _answer_of(obj)
        return c.law_cited if c else ""

    @staticmethod
    def resolve_minutes_spent(obj):
        c = _answer_of(obj)
        return c.minutes_spent if c else 0

    @staticmethod
    def resolve_answered_at(obj):
        c = _answer_of(obj)
        return c.answered_at if c else None


class ConsultationIn(Schema):
    centre_id: int
    name: str
    phone: str
    question: str
    channel: str = "visit"
    migrant_worker: bool = False


class AnswerIn(Schema):
    answer: str
    law_cited: str = ""
    minutes_spent: int = 0


class CentreOut(Schema):
    id: int
    node_id: int
    name: str
    federation_id: int
    federation_name: str
    decision_days: int
    urgent_days: int
    active: bool

    @staticmethod
    def resolve_name(obj):
        return obj.node.name

    @staticmethod
    def resolve_federation_name(obj):
        return obj.federation.name


def _application(user, pk):
    from gonghui.legal.models import LegalCase

    legal_case = access.get_legal_case_or_404(user, pk)
    return LegalCase.objects.unscoped().select_related("case", "case__node").get(pk=legal_case.pk)


def _uploads(request) -> list:
    uploads = []
    for kind in svc.APPLICATION_KINDS:
        for file in request.FILES.getlist(f"doc_{kind}"):
            uploads.append((kind, Upload(file.name, file.read())))
    return uploads


# ----- applications -----

@router.post("/applications", response={201: ApplicationOut},
             summary="申请法律援助（multipart：证据材料用 doc_<类别> 字段上传，如 doc_pay_records、doc_id_card）")
def create_application(request, payload: Form[ApplicationIn]):
    user = request.user
    data = payload.dict()
    consultation = None
    if user.kind == "worker":
        from gonghui.members.models import Worker

        worker = Worker.objects.unscoped().filter(user=user).first()
        if worker is None:
            raise ApiError(422, "no_worker", "还没有找到您的职工登记信息，请带身份证到当地总工会法律援助中心申请。")
    else:
        worker = None
        if payload.consultation_id is not None:
            req = svc.get_consultation_request_or_404(user, payload.consultation_id, change=True)
            consultation = svc.consultation_of(req)
            if consultation is None:
                raise ApiError(422, "not_answered", "请先填写该咨询的解答意见，再转为法律援助申请。")
            worker = req.worker
        if payload.worker_id is not None:
            from gonghui.members.models import Worker

            worker = Worker.objects.visible_to(user, "members.view").filter(pk=payload.worker_id).first()
            if worker is None:
                raise Http404
        if not has_permission(user, CHANGE):
            raise Http404
    district = None
    if payload.district_id is not None:
        district = svc.district_choices().filter(pk=payload.district_id).first()
        if district is None:
            raise ApiError(422, "bad_district", "请选择工作所在的区（县）。")
    try:
        legal_case = svc.submit_application(by=user, worker=worker, data=data, uploads=_uploads(request),
                                            district=district, consultation=consultation)
    except PermissionDenied:
        raise Http404 from None
    return Status(201, _application(user, legal_case.pk))


@router.get("/applications/{int:case_id}", response=ApplicationOut, summary="一件法律援助申请（申请人、中心、承办律师）")
def get_application(request, case_id: int):
    return _application(request.user, case_id)


@router.post("/applications/{int:case_id}/decision", response=ApplicationOut,
             summary="审查：approve 受理 / reject 不予援助（须写明原因）/ withdraw 申请人撤回；version 为读取时的版本")
def decide(request, case_id: int, payload: DecisionIn):
    legal_case = _application(request.user, case_id)
    if payload.action not in ("approve", "reject", "withdraw"):
        raise ApiError(422, "bad_action", "操作只能是 approve、reject 或 withdraw。")
    try:
        svc.decide(legal_case, payload.action, by=request.user, version=payload.version, note=payload.note)
    except StaleCase as e:
        raise ApiError(409, "stale", str(e)) from None
    except PermissionDenied:
        raise ApiError(403, "forbidden", "您不能对当前状态的申请执行该操作。") from None
    return _application(request.user, case_id)


# ----- eligibility -----

def _federation_for_check(user, district_id):
    from gonghui.members.models import Worker

    worker = Worker.objects.unscoped().filter(user=user).first() if user.kind == "worker" else None
    membership = svc._membership(worker)
    node = membership.union if membership else None
    if node is None and district_id is not None:
        node = UnionNode.objects.unscoped().filter(pk=district_id, active=True).first()
    return worker, node


@router.post("/eligibility/check", response=CheckOut, summary="是否符合法律援助条件（符合哪一项或为什么不符合）和需要的材料")
def check(request, payload: CheckIn):
    worker, node = _federation_for_check(request.user, payload.district_id)
    rule, sentence = svc.check_eligibility(worker, payload.dict(), union=node)
    return {"eligible": rule is not None, "rule_code": rule.code if rule else "",
            "rule_label": str(rule.label) if rule else "", "explanation": sentence,
            "required_documents": svc.required_documents_text(payload.matter) if payload.matter else ""}


@router.get("/eligibility/rules", response=RulesOut, summary="某总工会适用的法律援助条件（本会、上级或默认）")
def rules_in_force(request, federation_id: int):
    federation = UnionNode.objects.unscoped().filter(pk=federation_id, kind__in=svc.FEDERATION_KINDS,
                                                     active=True).first()
    if federation is None:
        raise Http404
    rules, owner = eligibility.rules_for(federation)
    source = "default" if owner is None else ("own" if owner.pk == federation.pk else "inherited")
    return {"federation_id": federation.pk, "federation_name": federation.name, "source": source,
            "source_name": owner.name if owner else "默认条件",
            "rules": [{"code": r.code, "label": str(r.label), "conditions": r.conditions,
                       "described": eligibility.describe(r.conditions)} for r in rules]}


@router.get("/centres", response=list[CentreOut], summary="法律援助中心（审查时限）")
def centres(request):
    return list(LegalCentre.objects.visible_to(request.user, VIEW).select_related("node", "federation")
                .order_by("node__path"))


# ----- consultations -----

def _consultations(user, permission=VIEW):
    return svc.consultations_for(user, permission).select_related("case", "legal_consultation")


@router.get("/consultations", response=list[ConsultationOut], summary="法律咨询（本中心服务范围内的“法律咨询”类诉求）")
@paginate(LimitOffsetPagination)
def list_consultations(request, answered: bool | None = None):
    if request.user.kind == "worker":
        raise Http404
    qs = _consultations(request.user)
    if answered is True:
        qs = qs.filter(legal_consultation__answered_at__isnull=False)
    elif answered is False:
        qs = qs.filter(legal_consultation__isnull=True)
    return qs.order_by("-case__created_at", "-pk")


@router.post("/consultations", response={201: ConsultationOut}, summary="登记来访、来电、来信法律咨询")
def log_consultation(request, payload: ConsultationIn):
    centre = LegalCentre.objects.visible_to(request.user, CHANGE).select_related("node") \
        .filter(pk=payload.centre_id).first()
    if centre is None:
        raise Http404
    req = svc.log_consultation(by=request.user, centre=centre, name=payload.name, phone=payload.phone,
                               question=payload.question, channel=payload.channel,
                               migrant_worker=payload.migrant_worker)
    return Status(201, _consultations(request.user).get(pk=req.pk))


@router.get("/consultations/{int:consultation_id}", response=ConsultationOut, summary="一条法律咨询")
def get_consultation(request, consultation_id: int):
    return svc.get_consultation_request_or_404(request.user, consultation_id)


@router.post("/consultations/{int:consultation_id}/answer", response=ConsultationOut,
             summary="解答法律咨询（解答意见、法律依据、用时）")
def answer(request, consultation_id: int, payload: AnswerIn):
    req = svc.get_consultation_request_or_404(request.user, consultation_id, change=True)
    svc.answer_consultation(req, by=request.user, answer=payload.answer, law_cited=payload.law_cited,
                            minutes_spent=payload.minutes_spent)
    return _consultations(request.user).get(pk=req.pk)
