"""The API at /api/v1/activities/…: workers list what they may join, staff what their subtree
organises; staff create, change, publish and cancel. Sign-ups are under /api/v1/enrolments/."""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.activities import services as svc
from gonghui.activities.models import Activity, ActivityPhoto
from gonghui.api import ApiError
from gonghui.core.scope import get_visible_or_404, require_permission
from gonghui.core.urlcache import object_url
from gonghui.enrolment.models import Offering
from gonghui.orgs.models import UnionNode

router = Router(tags=["activities"])


def _refused(error: PermissionDenied):
    return ApiError(403, "forbidden", str(error) or "您没有执行此操作的权限。")


class ActivityOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place_name: str
    address: str
    latitude: float | None
    longitude: float | None
    organiser_id: int
    organiser_name: str
    audience: str
    audience_label: str
    capacity: int
    confirmed_count: int
    waiting_count: int
    free_places: int
    waitlist: bool
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    status: str
    phase: str
    phase_label: str
    cover_url: str | None
    url: str

    @staticmethod
    def resolve_id(obj):
        return obj.pk

    @staticmethod
    def resolve_title(obj):
        return obj.offering.title

    @staticmethod
    def resolve_latitude(obj):
        return float(obj.latitude) if obj.latitude is not None else None

    @staticmethod
    def resolve_longitude(obj):
        return float(obj.longitude) if obj.longitude is not None else None

    @staticmethod
    def resolve_organiser_id(obj):
        return obj.offering.node_id

    @staticmethod
    def resolve_organiser_name(obj):
        return obj.offering.node.name

    @staticmethod
    def resolve_audience(obj):
        return obj.offering.audience

    @staticmethod
    def resolve_audience_label(obj):
        return obj.offering.get_audience_display()

    @staticmethod
    def resolve_capacity(obj):
        return obj.offering.capacity

    @staticmethod
    def resolve_confirmed_count(obj):
        return obj.offering.confirmed_count

    @staticmethod
    def resolve_waiting_count(obj):
        return obj.offering.waiting_count

    @staticmethod
    def resolve_free_places(obj):
        return obj.offering.free_places

    @staticmethod
    def resolve_waitlist(obj):
        return obj.offering.waitlist

    @staticmethod
    def resolve_opens_at(obj):
        return obj.offering.opens_at

    @staticmethod
    def resolve_closes_at(obj):
        return obj.offering.closes_at

    @staticmethod
    def resolve_status(obj):
        return obj.offering.status

    @staticmethod
    def resolve_cover_url(obj):
        return object_url("activities:cover", obj.pk) if obj.cover else None

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


class PhotoOut(Schema):
    id: int
    url: str
    caption: str

    @staticmethod
    def resolve_url(obj):
        return object_url("activities:photo", obj.pk)


class ActivityDetailOut(ActivityOut):
    description: str
    report: str
    reported_at: datetime.datetime | None
    per_person_limit: int
    confirm_hours: int
    hardship_first: bool
    questions: list[dict]
    photos: list[PhotoOut]

    @staticmethod
    def resolve_per_person_limit(obj):
        return obj.offering.per_person_limit

    @staticmethod
    def resolve_confirm_hours(obj):
        return obj.offering.confirm_hours

    @staticmethod
    def resolve_hardship_first(obj):
        return obj.offering.hardship_first

    @staticmethod
    def resolve_questions(obj):
        return obj.offering.questions

    @staticmethod
    def resolve_photos(obj):
        return list(ActivityPhoto.objects.unscoped().filter(activity=obj)) if obj.has_started else []


class ActivityIn(Schema):
    node_id: int
    title: str
    kind: str = "sports"
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place_name: str
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    description: str = ""
    capacity: int = 30
    audience: str = "members"
    waitlist: bool = True
    hardship_first: bool = False
    per_person_limit: int = 1
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None
    confirm_hours: int = 24
    questions: list[dict] = []


class ActivityPatch(Schema):
    title: str | None = None
    kind: str | None = None
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    place_name: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    description: str | None = None
    capacity: int | None = None
    audience: str | None = None
    waitlist: bool | None = None
    hardship_first: bool | None = None
    per_person_limit: int | None = None
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None
    confirm_hours: int | None = None
    questions: list[dict] | None = None


class CancelIn(Schema):
    reason: str = ""


def _is_staff(user) -> bool:
    return getattr(user, "kind", "") != "worker"


def _readable(request):
    """Staff: what their subtree organises (any status); workers: what they may open on the portal."""
    if _is_staff(request.user):
        return Activity.objects.visible_to(request.user, svc.VIEW)
    return svc.portal_activities(request.user).filter(offering__status=Offering.Status.PUBLISHED)


def _one(request, activity_id: int) -> Activity:
    qs = _readable(request).select_related("offering", "offering__node")
    activity = qs.filter(pk=activity_id).first()
    if activity is None and not _is_staff(request.user):
        # A worker still opens a cancelled activity they had signed up for.
        activity = svc.portal_activities(request.user).filter(pk=activity_id).first()
    if activity is None:
        from django.http import Http404

        raise Http404
    return activity


def _staff_activity(request, activity_id: int) -> Activity:
    activity = get_visible_or_404(Activity.objects.select_related("offering", "offering__node"), request.user,
                                  svc.VIEW, pk=activity_id)
    require_permission(request.user, svc.MANAGE, activity.node_path)
    return activity


def _fresh(activity_id: int) -> Activity:
    return Activity.objects.unscoped().select_related("offering", "offering__node").get(pk=activity_id)


@router.get("/", response=list[ActivityOut], summary="文体活动（职工：可报名的；工作人员：本级及下级组织的）")
@paginate(LimitOffsetPagination)
def list_activities(request, kind: str | None = None, phase: str | None = None,
                    starts_from: datetime.date | None = None, starts_to: datetime.date | None = None):
    qs = _readable(request).select_related("offering", "offering__node")
    if kind in Activity.Kind.values:
        qs = qs.filter(kind=kind)
    if phase in ("draft", "upcoming", "ongoing", "ended", "cancelled"):
        qs = qs.filter(svc.phase_q(phase, timezone.now()))
    if starts_from is not None:
        qs = qs.filter(starts_at__gte=timezone.make_aware(datetime.datetime.combine(starts_from, datetime.time.min)))
    if starts_to is not None:
        end = datetime.datetime.combine(starts_to + datetime.timedelta(days=1), datetime.time.min)
        qs = qs.filter(starts_at__lt=timezone.make_aware(end))
    return qs.order_by("starts_at", "pk")


@router.get("/{int:activity_id}", response=ActivityDetailOut, summary="一个文体活动")
def get_activity(request, activity_id: int):
    return _one(request, activity_id)


@router.post("/", response={201: ActivityDetailOut}, summary="新建文体活动（草稿）")
def create_activity(request, payload: ActivityIn):
    node = get_visible_or_404(UnionNode, request.user, svc.VIEW, pk=payload.node_id)
    require_permission(request.user, svc.MANAGE, node.path)
    data = payload.dict()
    data.pop("node_id")
    try:
        activity = svc.create_activity(node=node, by=request.user, **data)
    except PermissionDenied as e:
        raise _refused(e) from None
    return Status(201, _fresh(activity.pk))


@router.patch("/{int:activity_id}", response=ActivityDetailOut, summary="修改文体活动")
def update_activity(request, activity_id: int, payload: ActivityPatch):
    activity = _staff_activity(request, activity_id)
    fields = payload.dict(exclude_unset=True)
    try:
        svc.update_activity(activity, by=request.user, **fields)
    except PermissionDenied as e:
        raise _refused(e) from None
    return _fresh(activity_id)


@router.post("/{int:activity_id}/publish", response=ActivityDetailOut, summary="发布文体活动（职工即可报名）")
def publish_activity(request, activity_id: int):
    activity = _staff_activity(request, activity_id)
    svc.publish(activity, by=request.user)
    return _fresh(activity_id)


@router.post("/{int:activity_id}/cancel", response=ActivityDetailOut,
             summary="取消文体活动（已发布的须写明原因，报名和候补的职工会收到通知）")
def cancel_activity(request, activity_id: int, payload: CancelIn):
    activity = _staff_activity(request, activity_id)
    svc.cancel(activity, by=request.user, reason=payload.reason)
    return _fresh(activity_id)


class ReportIn(Schema):
    report: str


@router.post("/{int:activity_id}/report", response=ActivityDetailOut, summary="填写活动总结（活动结束后）")
def report_activity(request, activity_id: int, payload: ReportIn):
    activity = _staff_activity(request, activity_id)
    svc.save_report(activity, by=request.user, report=payload.report)
    return _fresh(activity_id)
