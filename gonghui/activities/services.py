"""Activities: setting one up, publishing, cancelling, the report and photos afterwards — and who
sees which on the portal.

Every write takes the acting user as ``by`` (None: the system, e.g. the demo), checks the right at
the organiser's node, runs in one transaction and writes its audit entry. An activity is an
``enrolment.Offering`` (kind "event": places, audience, window, waiting list) plus an ``Activity``
(time, place, cover, description); both are written here together, and the sign-ups themselves go
through ``enrolment.services`` only.
"""

import datetime
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.activities.images import check_picture
from gonghui.activities.models import Activity, ActivityPhoto
from gonghui.audit.models import AuditEntry
from gonghui.audit.services import diff, record, snapshot
from gonghui.core.scope import has_permission, paths_with_permission, subtree_q
from gonghui.enrolment.models import Enrolment, Offering
from gonghui.kb.sanitize import clean_html, html_to_text

VIEW = "activities.view"
MANAGE = "activities.manage"
MAX_PHOTOS = 30
OFFERING_FIELDS = ("title", "capacity", "audience", "hardship_first", "opens_at", "closes_at", "per_person_limit",
                   "questions", "waitlist", "confirm_hours")
ACTIVITY_FIELDS = ("kind", "starts_at", "ends_at", "place_name", "address", "latitude", "longitude", "description")
AUDITED_OFFERING = ["title", "capacity", "audience", "hardship_first", "opens_at", "closes_at", "per_person_limit",
                    "questions", "waitlist", "confirm_hours", "status", "node_id"]
AUDITED_ACTIVITY = ["kind", "starts_at", "ends_at", "place_name", "address", "latitude", "longitude"]
QUESTION_TYPES = {"text", "choice", "number"}


def _check(by, node_path: str, permission: str = MANAGE) -> None:
    if by is not None and not has_permission(by, permission, node_path):
        raise PermissionDenied(_("您没有在该工会组织活动的权限。"))


def _coordinate(value, low: int, high: int, field: str, errors: dict, label: str):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors[field] = [_("%(label)s须是数字，例如 32.012345。") % {"label": label}]
        return None
    if not (low <= number <= high):
        errors[field] = [_("%(label)s须在%(low)s到%(high)s之间，请检查是否把经度和纬度填反了。")
                         % {"label": label, "low": low, "high": high}]
        return None
    return number


def clean_questions(questions) -> list[dict]:
    """The sign-up form's questions as stored: [{key, label, type, required, choices}]."""
    if not questions:
        return []
    if not isinstance(questions, list):
        raise ValidationError({"questions": [_("报名问题格式不正确。")]})
    cleaned, labels = [], set()
    for n, q in enumerate(questions, start=1):
        if not isinstance(q, dict) or not str(q.get("label", "")).strip():
            raise ValidationError({"questions": [_("第%(n)s个报名问题没有写问题内容。") % {"n": n}]})
        label = str(q["label"]).strip()[:60]
        kind = q.get("type", "text")
        if kind not in QUESTION_TYPES:
            raise ValidationError({"questions": [_("报名问题“%(label)s”的类型不正确。") % {"label": label}]})
        choices = [str(c).strip()[:40] for c in (q.get("choices") or []) if str(c).strip()]
        if kind == "choice" and len(choices) < 2:
            raise ValidationError({"questions": [_("选择题“%(label)s”至少要有两个选项，用“/”分隔。")
                                                 % {"label": label}]})
        if label in labels:
            raise ValidationError({"questions": [_("报名问题“%(label)s”重复了。") % {"label": label}]})
        labels.add(label)
        cleaned.append({"key": str(q.get("key") or f"q{n}")[:20], "label": label, "type": kind,
                        "required": bool(q.get("required", True)), "choices": choices if kind == "choice" else []})
    if len(cleaned) > 10:
        raise ValidationError({"questions": [_("报名问题最多10个，请只问活动真正需要的信息。")]})
    return cleaned


def _validate(offering: Offering, activity: Activity) -> None:
    errors: dict[str, list[str]] = {}
    if not (offering.title or "").strip():
        errors["title"] = [_("请填写活动名称。")]
    elif len(offering.title) > 200:
        errors["title"] = [_("活动名称不能超过200个字。")]
    if activity.kind not in Activity.Kind.values:
        errors["kind"] = [_("请选择活动类型。")]
    if offering.audience not in Offering.Audience.values:
        errors["audience"] = [_("请选择报名对象。")]
    if not activity.starts_at:
        errors["starts_at"] = [_("请填写活动开始时间。")]
    if not activity.ends_at:
        errors["ends_at"] = [_("请填写活动结束时间。")]
    elif activity.starts_at and activity.ends_at <= activity.starts_at:
        errors["ends_at"] = [_("结束时间须晚于开始时间。")]
    if not (activity.place_name or "").strip():
        errors["place_name"] = [_("请填写活动地点。")]
    if (activity.latitude is None) != (activity.longitude is None) and "latitude" not in errors \
            and "longitude" not in errors:
        errors["longitude"] = [_("经度和纬度须同时填写，或都不填。")]
    if not offering.capacity or offering.capacity < 1:
        errors["capacity"] = [_("名额至少为1人。")]
    elif offering.capacity > 100_000:
        errors["capacity"] = [_("名额不能超过100000人。")]
    elif offering.capacity < offering.confirmed_count:
        errors["capacity"] = [_("已有%(n)s人报名，名额不能少于已报名人数。") % {"n": offering.confirmed_count}]
    if not offering.per_person_limit or offering.per_person_limit < 1:
        errors["per_person_limit"] = [_("每人限报名额至少为1。")]
    elif offering.capacity and offering.per_person_limit > offering.capacity:
        errors["per_person_limit"] = [_("每人限报名额不能超过活动名额。")]
    if not offering.confirm_hours or not (1 <= offering.confirm_hours <= 168):
        errors["confirm_hours"] = [_("递补确认时限须在1到168小时之间。")]
    if offering.opens_at and offering.closes_at and offering.closes_at <= offering.opens_at:
        errors["closes_at"] = [_("报名截止时间须晚于报名开始时间。")]
    elif offering.closes_at and activity.ends_at and offering.closes_at > activity.ends_at:
        errors["closes_at"] = [_("报名截止时间不能晚于活动结束时间。")]
    if len(activity.description or "") > 50_000:
        errors["description"] = [_("活动介绍太长了，请精简到5万字以内。")]
    if errors:
        raise ValidationError(errors)


def _apply(offering: Offering, activity: Activity, fields: dict) -> None:
    errors: dict[str, list[str]] = {}
    for name, value in fields.items():
        if name in OFFERING_FIELDS:
            if name == "title":
                value = (value or "").strip()
            if name == "questions":
                value = clean_questions(value)
            setattr(offering, name, value)
        elif name in ACTIVITY_FIELDS:
            if name == "description":
                value = clean_html(value or "")
            elif name == "latitude":
                value = _coordinate(value, -90, 90, "latitude", errors, _("纬度"))
            elif name == "longitude":
                value = _coordinate(value, -180, 180, "longitude", errors, _("经度"))
            elif name in ("place_name", "address"):
                value = (value or "").strip()
            setattr(activity, name, value)
        else:
            raise TypeError(f"unknown activity field: {name}")
    if errors:
        raise ValidationError(errors)
    offering.ends_at = activity.ends_at


def _store_cover(activity: Activity, cover: bytes) -> None:
    picture = check_picture(cover, field="cover")
    old = activity.cover.name
    activity.cover.save(f"{uuid.uuid4().hex}{picture.extension}", ContentFile(picture.content), save=False)
    if old:
        storage = activity.cover.storage
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def create_activity(*, node, by, cover: bytes | None = None, **fields) -> Activity:
    """A new activity (a draft) organised by ``node``; ``cover`` is the picture's bytes."""
    _check(by, node.path)
    offering = Offering(kind=Offering.Kind.EVENT, node=node, node_path=node.path, status=Offering.Status.DRAFT,
                        created_by=by if getattr(by, "is_authenticated", False) else None)
    activity = Activity(node_path=node.path)
    _apply(offering, activity, fields)
    _validate(offering, activity)
    if cover:
        check_picture(cover, field="cover")  # refuse a bad file before anything is written
    offering.save()
    activity.offering = offering
    if cover:
        _store_cover(activity, cover)
    activity.save()
    record(by, AuditEntry.Action.CREATE, activity, node=node, event="activities.created",
           changes=diff({}, snapshot(offering, AUDITED_OFFERING) | snapshot(activity, AUDITED_ACTIVITY)))
    return activity


def _locked(activity: Activity) -> tuple[Offering, Activity]:
    offering = Offering.objects.unscoped().select_for_update().select_related("node").get(pk=activity.pk)
    fresh = Activity.objects.unscoped().select_related("offering").get(pk=activity.pk)
    fresh.offering = offering
    return offering, fresh


def _promote(offering: Offering) -> None:
    """Freed or added places go to the waiting list (enrolment's rule: order, hardship first)."""
    from gonghui.enrolment import services as enrolment

    promote = getattr(enrolment, "promote", None)
    if promote is not None and offering.status == Offering.Status.PUBLISHED:
        promote(offering)


@transaction.atomic
def update_activity(activity: Activity, *, by, cover: bytes | None = None, remove_cover: bool = False,
                    node=None, **fields) -> Activity:
    """Change an activity. More places on a published one go to the waiting list at once."""
    _check(by, activity.node_path)
    offering, activity = _locked(activity)
    if offering.status == Offering.Status.CANCELLED:
        raise ValidationError(_("已取消的活动不能再修改。"))
    before = snapshot(offering, AUDITED_OFFERING) | snapshot(activity, AUDITED_ACTIVITY)
    old_capacity = offering.capacity
    if node is not None and node.pk != offering.node_id:
        if offering.status != Offering.Status.DRAFT:
            raise ValidationError({"node": [_("活动发布后不能更换主办工会。")]})
        _check(by, node.path)
        offering.node, offering.node_path, activity.node_path = node, node.path, node.path
    _apply(offering, activity, fields)
    _validate(offering, activity)
    if cover:
        _store_cover(activity, cover)
    elif remove_cover and activity.cover:
        old, storage = activity.cover.name, activity.cover.storage
        activity.cover = ""
        transaction.on_commit(lambda: storage.delete(old))
    offering.save()
    activity.save()
    changes = diff(before, snapshot(offering, AUDITED_OFFERING) | snapshot(activity, AUDITED_ACTIVITY))
    if cover or remove_cover:
        changes["cover"] = [None, bool(cover)]
    record(by, AuditEntry.Action.CHANGE, activity, node=offering.node, event="activities.changed", changes=changes)
    if offering.capacity > old_capacity:
        _promote(offering)
    return activity


@transaction.atomic
def publish(activity: Activity, *, by) -> Activity:
    """Put a draft on the portal; the registration window defaults to now until the start."""
    _check(by, activity.node_path)
    offering, activity = _locked(activity)
    if offering.status == Offering.Status.PUBLISHED:
        raise ValidationError(_("这个活动已经发布。"))
    if offering.status == Offering.Status.CANCELLED:
        raise ValidationError(_("已取消的活动不能再发布，请新建一个活动。"))
    now = timezone.now()
    if activity.ends_at <= now:
        raise ValidationError(_("活动已经结束，不能发布。请修改活动时间后再发布。"))
    offering.opens_at = offering.opens_at or now
    offering.closes_at = offering.closes_at or activity.starts_at
    if offering.closes_at <= offering.opens_at:
        offering.closes_at = activity.ends_at
    _validate(offering, activity)
    before = snapshot(offering, AUDITED_OFFERING)
    offering.status = Offering.Status.PUBLISHED
    offering.save()
    record(by, AuditEntry.Action.WORKFLOW, activity, node=offering.node, event="activities.published",
           changes=diff(before, snapshot(offering, AUDITED_OFFERING)))
    return activity


@transaction.atomic
def cancel(activity: Activity, *, by, reason: str) -> Activity:
    """Call an activity off: nobody may sign up any more, and everyone signed up or waiting is told."""
    _check(by, activity.node_path)
    offering, activity = _locked(activity)
    reason = (reason or "").strip()
    if offering.status == Offering.Status.CANCELLED:
        raise ValidationError(_("这个活动已经取消。"))
    if activity.has_ended:
        raise ValidationError(_("活动已经结束，不能取消。"))
    if offering.status == Offering.Status.PUBLISHED and not reason:
        raise ValidationError({"reason": [_("请写明取消原因，报名的职工会收到这条说明。")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("取消原因不能超过300个字。")]})
    before = snapshot(offering, AUDITED_OFFERING)
    offering.status = Offering.Status.CANCELLED
    offering.save()
    people = list(Enrolment.objects.unscoped().filter(offering=offering, status__in=Enrolment.LIVE)
                  .select_related("user"))
    if people:
        from gonghui.notifications.services import notify_many

        when = timezone.localtime(activity.starts_at)
        notify_many([e.user for e in people], "activities.cancelled",
                    {"title": offering.title, "when": f"{when:%Y-%m-%d %H:%M}", "reason": reason},
                    link=activity.get_absolute_url())
    record(by, AuditEntry.Action.WORKFLOW, activity, node=offering.node, event="activities.cancelled",
           changes=diff(before, snapshot(offering, AUDITED_OFFERING)),
           extra={"reason": reason, "notified": len(people)})
    return activity


@transaction.atomic
def save_report(activity: Activity, *, by, report: str) -> Activity:
    """The short report after the event (plain text), shown on the portal with the photos."""
    _check(by, activity.node_path)
    offering, activity = _locked(activity)
    report = (report or "").strip()
    if offering.status != Offering.Status.PUBLISHED:
        raise ValidationError(_("只有已发布并举办的活动可以填写活动总结。"))
    if not activity.has_ended:
        raise ValidationError(_("活动结束后才能填写活动总结。"))
    if not report:
        raise ValidationError({"report": [_("请填写活动总结：举办情况、参加人数、取得的效果。")]})
    if len(report) > 5000:
        raise ValidationError({"report": [_("活动总结不能超过5000个字。")]})
    before = {"report": activity.report}
    activity.report = report
    activity.reported_at = activity.reported_at or timezone.now()
    activity.reported_by = by if getattr(by, "is_authenticated", False) else None
    activity.save(update_fields=["report", "reported_at", "reported_by", "updated_at"])
    record(by, AuditEntry.Action.CHANGE, activity, node=offering.node, event="activities.reported",
           changes={"report": [len(before["report"]), len(report)]})
    return activity


@transaction.atomic
def add_photo(activity: Activity, *, by, content: bytes, caption: str = "") -> ActivityPhoto:
    _check(by, activity.node_path)
    offering, activity = _locked(activity)
    if offering.status == Offering.Status.CANCELLED:
        raise ValidationError(_("已取消的活动不能上传照片。"))
    if not activity.has_started:
        raise ValidationError(_("活动开始后才能上传活动照片。"))
    if ActivityPhoto.objects.unscoped().filter(activity=activity).count() >= MAX_PHOTOS:
        raise ValidationError({"file": [_("每个活动最多%(n)s张照片，请先删除一些再上传。") % {"n": MAX_PHOTOS}]})
    caption = (caption or "").strip()
    if len(caption) > 120:
        raise ValidationError({"caption": [_("照片说明不能超过120个字。")]})
    picture = check_picture(content, field="file")
    photo = ActivityPhoto(activity=activity, caption=caption, content_type=picture.content_type,
                          uploaded_by=by if getattr(by, "is_authenticated", False) else None)
    photo.file.save(f"{uuid.uuid4().hex}{picture.extension}", ContentFile(picture.content), save=False)
    photo.save()
    record(by, AuditEntry.Action.CREATE, photo, node=offering.node, event="activities.photo_added",
           extra={"activity": activity.pk, "size": len(picture.content)})
    return photo


@transaction.atomic
def delete_photo(photo: ActivityPhoto, *, by) -> None:
    activity = photo.activity
    _check(by, activity.node_path)
    name, storage = photo.file.name, photo.file.storage
    record(by, AuditEntry.Action.DELETE, photo, node=activity.offering.node, event="activities.photo_deleted",
           extra={"activity": activity.pk, "caption": photo.caption})
    ActivityPhoto.objects.unscoped().filter(pk=photo.pk).delete()
    transaction.on_commit(lambda: storage.delete(name))


def phase_q(phase: str, now) -> Q:
    if phase == "draft":
        return Q(offering__status=Offering.Status.DRAFT)
    if phase == "cancelled":
        return Q(offering__status=Offering.Status.CANCELLED)
    published = Q(offering__status=Offering.Status.PUBLISHED)
    if phase == "upcoming":
        return published & Q(starts_at__gt=now)
    if phase == "ongoing":
        return published & Q(starts_at__lte=now, ends_at__gt=now)
    if phase == "ended":
        return published & Q(ends_at__lte=now)
    return Q()


# ----- who sees what on the portal -----

def _joinable_offerings(user):
    from gonghui.enrolment import audience

    events = Offering.objects.unscoped().filter(kind=Offering.Kind.EVENT, status=Offering.Status.PUBLISHED)
    return audience.offerings_for(user, events)


def portal_q(user) -> Q:
    """Activities a person may open on the portal: what they may join (enrolment's audience rule),
    what they signed up for, and — for staff — what their subtree organises."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.is_superuser and user.is_active:
        return Q()
    q = Q(pk__in=_joinable_offerings(user).values("pk"))
    q |= Q(pk__in=Enrolment.objects.unscoped().filter(user=user).values("offering_id"))
    for path in paths_with_permission(user, VIEW) or []:
        q |= subtree_q("node_path", path)
    return q


def portal_activities(user):
    """Published (and cancelled) activities the person may open, with their offering."""
    return (Activity.objects.unscoped().select_related("offering", "offering__node")
            .filter(offering__status__in=[Offering.Status.PUBLISHED, Offering.Status.CANCELLED])
            .filter(portal_q(user)))


def month_bounds(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of the month and of the next one, in the local time zone."""
    start = timezone.make_aware(datetime.datetime(year, month, 1))
    nxt = timezone.make_aware(datetime.datetime(year + (month == 12), month % 12 + 1, 1))
    return start, nxt


def my_enrolments(user, activity_ids) -> dict[int, Enrolment]:
    """The person's live (or attended) enrolment on each listed activity."""
    if not getattr(user, "is_authenticated", False) or not activity_ids:
        return {}
    rows = (Enrolment.objects.unscoped().filter(user=user, offering_id__in=list(activity_ids))
            .filter(Q(status__in=Enrolment.LIVE) | Q(attended_at__isnull=False)).order_by("created_at"))
    return {e.offering_id: e for e in rows}


def summary_text(activity: Activity, length: int = 60) -> str:
    text = html_to_text(activity.description).replace("\n", " ")
    return text[:length] + ("…" if len(text) > length else "")
