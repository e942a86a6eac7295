"""The API at /api/v1/enrolments/…: a worker's sign-ups (mine, sign up, cancel, confirm) and the
staff's roster, check-in and figures — scoped (out of scope: 404). Service refusals come back as
``{"code", "message"}`` with the Chinese sentence (422), the service's code as ``code`` where it
names one (duplicate, full, closed, audience, forged, expired, already, …)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from gonghui.api import ApiError
from gonghui.core.scope import get_visible_or_404, has_permission, require_permission
from gonghui.enrolment import figures, services
from gonghui.enrolment.models import Enrolment, Offering
from gonghui.enrolment.services import CHECK_IN, VIEW

router = Router(tags=["enrolments"])


def _refused(error: ValidationError) -> ApiError:
    code = getattr(error, "code", None) or "invalid"
    if hasattr(error, "error_dict"):
        first = next(iter(error.error_dict.values()))[0]
        code = first.code or code
    return ApiError(422, code or "invalid", error.messages[0])


def _forbidden(error: PermissionDenied) -> ApiError:
    return ApiError(403, "forbidden", str(error) or "您没有执行此操作的权限。")


def _status_label(obj) -> str:
    """The status's label (the enum's own; get_status_display builds and hashes the lazy choices on
    every call, a fifth of a sign-up's answer)."""
    return str(Enrolment.Status(obj.status).label)


class EnrolmentOut(Schema):
    id: int
    offering_id: int
    offering_title: str
    offering_kind: str
    status: str
    status_label: str
    seats: int
    position: int | None
    offer_expires_at: datetime | None
    code: str
    check_in_token: str | None
    attended_at: datetime | None
    answers: dict
    created_at: datetime

    @staticmethod
    def resolve_offering_title(obj):
        return obj.offering.title

    @staticmethod
    def resolve_offering_kind(obj):
        return obj.offering.kind

    @staticmethod
    def resolve_status_label(obj):
        return _status_label(obj)

    @staticmethod
    def resolve_code(obj):
        return obj.code if obj.status == Enrolment.Status.CONFIRMED else ""

    @staticmethod
    def resolve_check_in_token(obj):
        if obj.status != Enrolment.Status.CONFIRMED or obj.attended_at:
            return None
        return services.make_token(obj)


class RosterRow(Schema):
    id: int
    name: str
    status: str
    status_label: str
    seats: int
    position: int | None
    offer_expires_at: datetime | None
    attended_at: datetime | None
    reason: str
    answers: dict
    created_at: datetime

    @staticmethod
    def resolve_name(obj):
        return obj.person_name

    @staticmethod
    def resolve_status_label(obj):
        return _status_label(obj)


class RosterOut(Schema):
    offering_id: int
    title: str
    capacity: int
    confirmed_count: int
    waiting_count: int
    rows: list[RosterRow]


class SignUpIn(Schema):
    answers: dict = {}
    seats: int = 1


class CheckInIn(Schema):
    token: str = ""
    code: str = ""
    offering_id: int | None = None


class OfferingFigures(Schema):
    id: int
    title: str
    kind: str
    union: str
    audience: str
    capacity: int
    taken: int
    waiting: int
    attended: int
    no_shows: int | None


class UnionMonth(Schema):
    union: str
    month: int
    people: int
    by_audience: dict


class FiguresOut(Schema):
    year: int
    totals: dict
    offerings: list[OfferingFigures]
    by_union_month: list[UnionMonth]


def _mine(request, enrolment_id: int) -> Enrolment:
    return get_object_or_404(Enrolment.objects.unscoped().select_related("offering", "offering__node"),
                             pk=enrolment_id, user=request.user)


@router.get("/mine", response=list[EnrolmentOut], summary="我的报名（含签到码和签到二维码令牌）")
def mine(request):
    return list(Enrolment.objects.unscoped().select_related("offering", "offering__node")
                .filter(user=request.user).order_by("-created_at")[:200])


@router.post("/offerings/{int:offering_id}/sign-up", response={201: EnrolmentOut}, summary="报名（额满时进入候补）")
def sign_up(request, offering_id: int, payload: SignUpIn):
    offering, who = services.offering_for_sign_up(offering_id, request.user)
    if offering is None or offering.status == Offering.Status.DRAFT:
        raise Http404
    try:
        enrolment = services.sign_up(offering, request.user, answers=payload.answers, seats=payload.seats, who=who)
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, enrolment)


@router.post("/{int:enrolment_id}/cancel", response=EnrolmentOut, summary="取消自己的报名或退出候补")
def cancel(request, enrolment_id: int):
    enrolment = _mine(request, enrolment_id)
    try:
        return services.cancel(enrolment, by=request.user)
    except ValidationError as error:
        raise _refused(error) from None


@router.post("/{int:enrolment_id}/confirm", response=EnrolmentOut, summary="确认候补递补的名额")
def confirm(request, enrolment_id: int):
    enrolment = _mine(request, enrolment_id)
    try:
        return services.confirm_offer(enrolment, by=request.user)
    except ValidationError as error:
        raise _refused(error) from None


@router.get("/offerings/{int:offering_id}/roster", response=RosterOut, summary="报名名单（工作人员）")
def roster(request, offering_id: int):
    offering = get_visible_or_404(Offering, request.user, VIEW, pk=offering_id)
    rows = (Enrolment.objects.visible_to(request.user, VIEW).filter(offering=offering)
            .select_related("worker", "user").order_by(F("position").asc(nulls_first=True), "created_at", "id"))
    return {"offering_id": offering.pk, "title": offering.title, "capacity": offering.capacity,
            "confirmed_count": offering.confirmed_count, "waiting_count": offering.waiting_count,
            "rows": list(rows)}


@router.post("/check-in", response=RosterRow, summary="签到（扫码令牌，或项目+签到码）")
def check_in(request, payload: CheckInIn):
    offering = None
    if payload.offering_id is not None:
        offering = get_visible_or_404(Offering, request.user, VIEW, pk=payload.offering_id)
    value = payload.token or payload.code
    try:
        found = services.find_for_check_in(value, offering=offering)
    except ValidationError as error:
        raise _refused(error) from None
    # A token of another district's offering: 404, like any row out of scope.
    if not has_permission(request.user, VIEW, found.node_path):
        raise Http404
    require_permission(request.user, CHECK_IN, found.node_path)
    try:
        return services.check_in(value, by=request.user, offering=offering)
    except ValidationError as error:
        raise _refused(error) from None
    except PermissionDenied as error:
        raise _forbidden(error) from None


@router.get("/figures", response=FiguresOut, summary="报名统计（按项目；按工会和月份的覆盖人数）")
def get_figures(request, year: int | None = None, kind: str = ""):
    if not has_permission(request.user, VIEW):
        raise PermissionDenied
    params = figures.params_from({"year": str(year or ""), "kind": kind})
    data = figures.compute(request.user, **params)
    audiences = [value for value, _label in data["audiences"]]
    return {
        "year": data["year"], "totals": data["totals"],
        "offerings": [{"id": o.pk, "title": o.title, "kind": o.kind, "union": o.node.display_name,
                       "audience": o.audience, "capacity": o.capacity, "taken": o.confirmed_count,
                       "waiting": o.waiting_count, "attended": o.attended,
                       "no_shows": o.no_shows if o.over else None} for o in data["per_offering"]],
        "by_union_month": [{"union": r["union"], "month": r["month"], "people": r["people"],
                            "by_audience": dict(zip(audiences, r["groups"], strict=True))}
                           for r in data["by_union_month"]],
    }
