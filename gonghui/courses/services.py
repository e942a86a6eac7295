"""The rules of training courses; every write goes through here.

Plain functions taking the acting user as ``by``; each write is atomic and audited. A course is an
``enrolment.Offering`` (kind "course") plus a ``Course``; sign-up, waiting list and roster belong to
the enrolment app. The trainees of a course are its confirmed enrolments.
"""

import datetime
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core.scope import has_permission, paths_with_permission, subtree_q
from gonghui.courses import rules
from gonghui.courses.models import (
    Certificate,
    Course,
    CourseSession,
    ExamResult,
    SessionAttendance,
    TrainingSubsidy,
    TrainingTarget,
)
from gonghui.enrolment.models import Audience, Enrolment, Offering
from gonghui.ledger.services import record_service
from gonghui.orgs.models import UnionNode

VIEW, CHANGE, APPROVE = "courses.view", "courses.change", "courses.approve"
KIND_PASSED, KIND_SUBSIDY = "courses.passed", "courses.subsidy"
MAX_SUBSIDY = Decimal("100000")
MAX_CAPACITY = 100000
# Certificate numbers: PX + year + 8 characters nobody confuses (no 0/O, 1/I/L).
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _today() -> datetime.date:
    return timezone.localdate()


def _money(value) -> str:
    return f"¥{Decimal(value):,.2f}"


def _date_text(day: datetime.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def _need(by, permission: str, path: str, message: str) -> None:
    if not has_permission(by, permission, path):
        raise PermissionDenied(message)


# ----- cleaning form input (shared by the pages and the API) -----

def _text(data, name, label, max_length, errors, *, required=True) -> str:
    value = " ".join(str(data.get(name) or "").split())
    if not value and required:
        errors[name] = [_("请填写%(label)s。") % {"label": label}]
    elif len(value) > max_length:
        errors[name] = [_("%(label)s最多%(n)d个字。") % {"label": label, "n": max_length}]
    return value


def _date(value, label, errors, name):
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors[name] = [_("请按2026-01-31的格式填写%(label)s。") % {"label": label}]
        return None


def _datetime(value, label, errors, name):
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    try:
        parsed = datetime.datetime.fromisoformat(str(value or "").strip())
    except ValueError:
        errors[name] = [_("请按2026-01-31 09:00的格式填写%(label)s。") % {"label": label}]
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _int(value, label, errors, name, *, low, high):
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors[name] = [_("%(label)s应为整数。") % {"label": label}]
        return None
    if not low <= number <= high:
        errors[name] = [_("%(label)s应在%(low)d到%(high)d之间。") % {"label": label, "low": low, "high": high}]
        return None
    return number


def _decimal(value, label, errors, name, *, places=2, low=Decimal("0"), high=MAX_SUBSIDY):
    try:
        number = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except InvalidOperation:
        number = None
        errors[name] = [_("%(label)s应为数字，例如60或59.5。") % {"label": label}]
        return None
    if number is None:
        errors[name] = [_("请填写%(label)s。") % {"label": label}]
    elif not number.is_finite() or number < low or number > high:
        errors[name] = [_("%(label)s应在%(low)s到%(high)s之间。") % {"label": label, "low": low, "high": high}]
    elif number != number.quantize(Decimal(1).scaleb(-places)):
        errors[name] = [_("%(label)s最多保留%(n)d位小数。") % {"label": label, "n": places}]
    else:
        return number.quantize(Decimal(1).scaleb(-places))
    return None


def clean_course(data: dict) -> dict:
    """The course form's fields checked; ValidationError keyed by field, in Chinese."""
    errors: dict[str, list[str]] = {}
    c = {
        "title": _text(data, "title", _("课程名称"), 200, errors),
        "occupation": _text(data, "occupation", _("培训职业（工种）"), 60, errors),
        "certifying_body": _text(data, "certifying_body", _("发证机构"), 120, errors),
        "level": _text(data, "level", _("等级"), 40, errors, required=False),
        "description": str(data.get("description") or "").strip()[:5000],
        "starts_on": _date(data.get("starts_on"), _("开课日期"), errors, "starts_on"),
        "ends_on": _date(data.get("ends_on"), _("结课日期"), errors, "ends_on"),
        "capacity": _int(data.get("capacity"), _("名额"), errors, "capacity", low=1, high=MAX_CAPACITY),
        "min_attendance_pct": _int(data.get("min_attendance_pct", 80), _("出勤率要求"), errors, "min_attendance_pct",
                                   low=0, high=100),
        "pass_score": _decimal(data.get("pass_score", 60), _("考试合格分数"), errors, "pass_score", places=1,
                               high=Decimal("100")),
        "subsidy_per_trainee": _decimal(data.get("subsidy_per_trainee") or 0, _("每人培训补贴"), errors,
                                        "subsidy_per_trainee"),
        "audience": str(data.get("audience") or Audience.MEMBERS),
        "waitlist": bool(data.get("waitlist")),
        "hardship_first": bool(data.get("hardship_first")),
    }
    if c["audience"] not in Audience.values:
        errors["audience"] = [_("请选择报名对象。")]
    if c["starts_on"] and c["ends_on"] and c["ends_on"] < c["starts_on"]:
        errors["ends_on"] = [_("结课日期不能早于开课日期。")]
    for name in ("opens_at", "closes_at"):
        c[name] = None
        if data.get(name):
            c[name] = _datetime(data.get(name), _("报名开始时间") if name == "opens_at" else _("报名截止时间"),
                                errors, name)
    if c["opens_at"] and c["closes_at"] and c["closes_at"] <= c["opens_at"]:
        errors["closes_at"] = [_("报名截止时间应晚于开始时间。")]
    if errors:
        raise ValidationError(errors)
    return c


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


OFFERING_FIELDS = ("title", "capacity", "audience", "waitlist", "hardship_first", "opens_at", "closes_at")
COURSE_FIELDS = ("occupation", "certifying_body", "level", "description", "starts_on", "ends_on",
                 "min_attendance_pct", "pass_score", "subsidy_per_trainee")


def course_nodes(user, permission: str = CHANGE):
    """Unions where ``user`` may organise a course (holds courses.change), in tree order."""
    paths = paths_with_permission(user, permission)
    qs = UnionNode.objects.unscoped().filter(active=True).order_by("path")
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    q = Q()
    for p in paths:
        q |= subtree_q("path", p)
    return qs.filter(q)


def create_course(node: UnionNode, data: dict, *, by, publish: bool = False) -> Course:
    """A union organises a course: its offering (places, audience, window) and the course itself."""
    _need(by, CHANGE, node.path, _("只能在本工会及下级工会组织培训课程。"))
    c = clean_course(data)
    with transaction.atomic():
        offering = Offering.objects.create(
            kind=Offering.Kind.COURSE, node=node, ends_at=_end_of(c["ends_on"]),
            status=Offering.Status.PUBLISHED if publish else Offering.Status.DRAFT,
            created_by=by if getattr(by, "is_authenticated", False) else None,
            **{f: c[f] for f in OFFERING_FIELDS})
        course = Course.objects.create(offering=offering, node_path=offering.node_path,
                                       created_by=offering.created_by, **{f: c[f] for f in COURSE_FIELDS})
        record(by, AuditEntry.Action.CREATE, course, node=node, event="courses.course.created",
               changes={"title": [None, c["title"]], "capacity": [None, c["capacity"]],
                        "occupation": [None, c["occupation"]]})
    return course


def update_course(course: Course, data: dict, *, by) -> Course:
    _need(by, CHANGE, course.node_path, _("您不能修改这门课程。"))
    c = clean_course(data)
    with transaction.atomic():
        offering = Offering.objects.unscoped().select_for_update().get(pk=course.pk)
        if c["capacity"] < offering.confirmed_count:
            raise ValidationError({"capacity": [_("已有%(n)d人报名，名额不能少于已报名人数。") % {
                "n": offering.confirmed_count}]})
        changes = {}
        for f in OFFERING_FIELDS:
            if getattr(offering, f) != c[f]:
                changes[f] = [str(getattr(offering, f)), str(c[f])]
                setattr(offering, f, c[f])
        offering.ends_at = _end_of(c["ends_on"])
        offering.save()
        course = Course.objects.unscoped().select_related("offering").get(pk=course.pk)
        for f in COURSE_FIELDS:
            if getattr(course, f) != c[f]:
                changes[f] = [str(getattr(course, f)), str(c[f])]
                setattr(course, f, c[f])
        course.save()
        record(by, AuditEntry.Action.CHANGE, course, node=offering.node, event="courses.course.updated",
               changes=changes)
    return course


def publish_course(course: Course, *, by) -> Course:
    _need(by, CHANGE, course.node_path, _("您不能发布这门课程。"))
    offering = course.offering
    if offering.status == Offering.Status.CANCELLED:
        raise ValidationError(_("课程已取消，不能发布。"))
    if not course.sessions.unscoped().exists():
        raise ValidationError(_("请先添加课次（时间、地点、教师），再发布课程。"))
    with transaction.atomic():
        Offering.objects.unscoped().filter(pk=offering.pk).update(status=Offering.Status.PUBLISHED)
        offering.status = Offering.Status.PUBLISHED
        record(by, AuditEntry.Action.CHANGE, course, node=offering.node, event="courses.course.published",
               changes={"status": ["draft", "published"]})
    return course


# ----- sessions and roll call -----

def clean_session(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    c = {
        "starts_at": _datetime(data.get("starts_at"), _("开始时间"), errors, "starts_at"),
        "ends_at": _datetime(data.get("ends_at"), _("结束时间"), errors, "ends_at"),
        "teacher": _text(data, "teacher", _("授课教师"), 60, errors),
        "place": _text(data, "place", _("上课地点"), 200, errors),
        "topic": _text(data, "topic", _("内容"), 200, errors),
    }
    if c["starts_at"] and c["ends_at"] and c["ends_at"] <= c["starts_at"]:
        errors["ends_at"] = [_("结束时间应晚于开始时间。")]
    if errors:
        raise ValidationError(errors)
    return c


def _clean_session_of(course: Course, data: dict) -> dict:
    c = clean_session(data)
    day = timezone.localtime(c["starts_at"]).date()
    if not course.starts_on <= day <= course.ends_on:
        raise ValidationError({"starts_at": [_("课次应在开课日期%(start)s至结课日期%(end)s之间。") % {
            "start": _date_text(course.starts_on), "end": _date_text(course.ends_on)}]})
    return c


def add_session(course: Course, data: dict, *, by) -> CourseSession:
    _need(by, CHANGE, course.node_path, _("您不能为这门课程排课。"))
    c = _clean_session_of(course, data)
    with transaction.atomic():
        session = CourseSession.objects.create(course=course, node_path=course.node_path, **c)
        record(by, AuditEntry.Action.CREATE, session, node=course.offering.node, event="courses.session.added",
               changes={"starts_at": [None, c["starts_at"].isoformat()], "topic": [None, c["topic"]]})
    return session


def change_session(session: CourseSession, data: dict, *, by) -> CourseSession:
    """Correct a session's time, topic, teacher or place. A session whose roll call is taken stays in
    the past (its attendance cannot precede it). When the time or the place changes, every trainee
    gets a notice."""
    course = session.course
    _need(by, CHANGE, course.node_path, _("您不能修改这门课程的课次。"))
    c = _clean_session_of(course, data)
    if session.roll_called_at and c["starts_at"] > timezone.now():
        raise ValidationError({"starts_at": [_("这次课已经点名，开始时间不能改到将来。")]})
    # The form shows times to the minute: the same minute keeps the stored time (and tells nobody).
    c = {k: getattr(session, k) if _same_value(getattr(session, k), v) else v for k, v in c.items()}
    changes = {k: [_audit_value(getattr(session, k)), _audit_value(v)] for k, v in c.items()
               if getattr(session, k) != v}
    if not changes:
        return session
    with transaction.atomic():
        CourseSession.objects.unscoped().filter(pk=session.pk).update(**c)
        for k, v in c.items():
            setattr(session, k, v)
        record(by, AuditEntry.Action.CHANGE, session, node=course.offering.node, event="courses.session.changed",
               changes=changes)
    if changes.keys() & {"starts_at", "ends_at", "place"}:
        from gonghui.notifications.services import notify

        when = timezone.localtime(session.starts_at)
        for e in trainees(course).exclude(user=None):
            notify(e.user, "courses.session_changed",
                   {"course": course.title, "topic": session.topic, "time": when.strftime("%Y-%m-%d %H:%M"),
                    "place": session.place}, link=f"/courses/{course.pk}/")
    return session


def _same_value(old, new) -> bool:
    if isinstance(old, datetime.datetime) and isinstance(new, datetime.datetime):
        return old.replace(second=0, microsecond=0) == new.replace(second=0, microsecond=0)
    return old == new


def _audit_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def trainees(course: Course):
    """The trainees: the course's confirmed enrolments, in sign-up order."""
    return (Enrolment.objects.unscoped().filter(offering_id=course.pk, status=Enrolment.Status.CONFIRMED)
            .select_related("worker", "user").order_by("created_at", "id"))


def record_roll_call(session: CourseSession, present_ids, *, by) -> dict:
    """Roll call of one session: every trainee present (listed) or absent (not listed).

    Taking it again corrects it. Returns {"present": n, "absent": m}."""
    course = session.course
    _need(by, CHANGE, course.node_path, _("您不能为这门课程点名。"))
    if session.starts_at > timezone.now():
        raise ValidationError(_("这次课还没有开始（%(time)s），上课后再点名。") % {
            "time": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")})
    try:
        wanted = {int(i) for i in present_ids}
    except (TypeError, ValueError):
        raise ValidationError({"present": [_("出勤名单不正确，请刷新页面后重新点名。")]}) from None
    people = list(trainees(course))
    known = {e.pk for e in people}
    strangers = wanted - known
    if strangers:
        raise ValidationError({"present": [_("出勤名单中有%(n)d人不是本课程的学员，请刷新页面后重新点名。") % {
            "n": len(strangers)}]})
    now = timezone.now()
    recorder = by if getattr(by, "is_authenticated", False) else None
    with transaction.atomic():
        existing = {a.enrolment_id: a for a in SessionAttendance.objects.unscoped().filter(session=session)}
        new, changed = [], []
        for e in people:
            present = e.pk in wanted
            row = existing.get(e.pk)
            if row is None:
                new.append(SessionAttendance(session=session, enrolment=e, present=present, recorded_by=recorder))
            elif row.present != present:
                row.present, row.recorded_by, row.recorded_at = present, recorder, now
                changed.append(row)
        SessionAttendance.objects.bulk_create(new)
        if changed:
            SessionAttendance.objects.unscoped().bulk_update(changed, ["present", "recorded_by", "recorded_at"])
        CourseSession.objects.unscoped().filter(pk=session.pk).update(roll_called_at=now)
        session.roll_called_at = now
        record(by, AuditEntry.Action.CHANGE, session, node=course.offering.node, event="courses.roll_call",
               extra={"present": len(wanted), "absent": len(known) - len(wanted), "corrected": len(changed)})
    return {"present": len(wanted), "absent": len(known) - len(wanted)}


# ----- exam scores -----

def record_scores(course: Course, scores: dict, *, taken_on, by) -> int:
    """Exam scores by enrolment id ({id: "85.5"}); an empty score leaves the trainee as they were.
    Returns how many scores were written. Every bad score is named; nothing is written then."""
    _need(by, CHANGE, course.node_path, _("您不能录入这门课程的成绩。"))
    errors: dict[str, list[str]] = {}
    taken_on = _date(taken_on, _("考试日期"), errors, "taken_on")
    if taken_on and taken_on > _today():
        errors["taken_on"] = [_("考试日期不能晚于今天。")]
    people = {e.pk: e for e in trainees(course)}
    cleaned = {}
    for raw_id, raw_score in scores.items():
        try:
            enrolment = people.get(int(raw_id))
        except (TypeError, ValueError):
            enrolment = None
        if enrolment is None:
            errors.setdefault("scores", []).append(_("有成绩对应的学员不在本课程中，请刷新页面后重新录入。"))
            continue
        if raw_score in (None, ""):
            continue
        one: dict = {}
        value = _decimal(raw_score, _("%(name)s的成绩") % {"name": enrolment.person_name}, one, "s", places=1,
                         high=Decimal("100"))
        if one:
            errors.setdefault(f"score_{enrolment.pk}", []).extend(one["s"])
        else:
            cleaned[enrolment.pk] = value
    if errors:
        raise ValidationError(errors)
    recorder = by if getattr(by, "is_authenticated", False) else None
    with transaction.atomic():
        existing = {r.enrolment_id: r for r in ExamResult.objects.unscoped().filter(course=course)}
        changes = {}
        for pk, score in cleaned.items():
            row = existing.get(pk)
            if row is None:
                ExamResult.objects.create(course=course, enrolment=people[pk], score=score, taken_on=taken_on,
                                          recorded_by=recorder)
                changes[str(pk)] = [None, str(score)]
            elif row.score != score or row.taken_on != taken_on:
                changes[str(pk)] = [str(row.score), str(score)]
                row.score, row.taken_on, row.recorded_by = score, taken_on, recorder
                row.save()
        if changes:
            record(by, AuditEntry.Action.CHANGE, course, node=course.offering.node, event="courses.scores",
                   changes=changes)
    return len(changes)


# ----- standings, evaluation and certificates -----

@dataclass
class Standing:
    enrolment: Enrolment
    present: int
    sessions: int
    outcome: rules.Outcome
    certificate: Certificate | None = None
    result: ExamResult | None = None


def standings(course: Course) -> list[Standing]:
    """Every trainee's attendance, score and whether they pass now (four queries)."""
    sessions = CourseSession.objects.unscoped().filter(course=course).count()
    present = dict(SessionAttendance.objects.unscoped().filter(session__course=course, present=True)
                   .values("enrolment").annotate(n=Count("pk")).values_list("enrolment", "n").order_by())
    results = {r.enrolment_id: r for r in ExamResult.objects.unscoped().filter(course=course)}
    certificates = {c.enrolment_id: c for c in Certificate.objects.unscoped().filter(course=course)}
    rows = []
    for e in trainees(course):
        result = results.get(e.pk)
        n = present.get(e.pk, 0)
        outcome = rules.evaluate(sessions=sessions, present=min(n, sessions), score=result.score if result else None,
                                 min_attendance_pct=course.min_attendance_pct, pass_score=course.pass_score)
        rows.append(Standing(e, n, sessions, outcome, certificates.get(e.pk), result))
    return rows


@dataclass
class Evaluation:
    issued: list = field(default_factory=list)  # certificates issued now
    already: int = 0  # passed earlier, certificate kept
    failed: list = field(default_factory=list)  # (standing) not passed


def _new_number(year: int) -> str:
    return f"PX{year}" + "".join(secrets.choice(NUMBER_ALPHABET) for _i in range(8))


def evaluate_course(course: Course, *, by, on: datetime.date | None = None) -> Evaluation:
    """Apply the pass rule to every trainee; issue a certificate (and a ledger row) to each new pass.

    Every session must have had its roll call: a session nobody took would count as absent."""
    _need(by, APPROVE, course.node_path, _("培训合格评定需要审批权限，请联系本工会负责人。"))
    on = on or _today()
    sessions = list(CourseSession.objects.unscoped().filter(course=course))
    if not sessions:
        raise ValidationError(_("课程还没有课次，不能评定。"))
    missing = [s for s in sessions if s.roll_called_at is None]
    if missing:
        first = missing[0]
        raise ValidationError(_("还有%(n)d次课没有点名（最早：%(time)s %(topic)s），请先点名再评定。") % {
            "n": len(missing), "time": timezone.localtime(first.starts_at).strftime("%Y-%m-%d %H:%M"),
            "topic": first.topic})
    if not ExamResult.objects.unscoped().filter(course=course).exists():
        raise ValidationError(_("还没有录入考试成绩，请先录入成绩再评定。"))
    result = Evaluation()
    node = course.offering.node
    issuer = by if getattr(by, "is_authenticated", False) else None
    from gonghui.notifications.services import notify

    with transaction.atomic():
        Course.objects.unscoped().select_for_update().filter(pk=course.pk).first()
        for row in standings(course):
            if not row.outcome.passed:
                result.failed.append(row)
                continue
            if row.certificate is not None:
                result.already += 1
                continue
            e = row.enrolment
            for _attempt in range(5):
                try:
                    with transaction.atomic():
                        cert = Certificate.objects.create(
                            number=_new_number(on.year), course=course, enrolment=e, node_path=course.node_path,
                            user=e.user, worker=e.worker, worker_name=e.person_name,
                            attendance_pct=row.outcome.attendance_pct, score=row.outcome.score, issued_on=on,
                            issued_by=issuer)
                    break
                except IntegrityError:
                    if Certificate.objects.unscoped().filter(enrolment=e).exists():
                        raise
            else:  # pragma: no cover - 31^8 numbers a year
                raise RuntimeError("no free certificate number")
            if e.worker_id:
                record_service(worker=e.worker, kind=KIND_PASSED, app="courses", source=cert,
                               title=_("%(course)s：取得培训合格证书") % {"course": course.title},
                               delivering_union=node, delivered_on=on, by=by)
            if e.user_id:
                notify(e.user, "courses.certificate_issued",
                       {"course": course.title, "number": cert.number}, link="/courses/certificates/")
            result.issued.append(cert)
        Course.objects.unscoped().filter(pk=course.pk).update(evaluated_at=timezone.now())
        record(by, AuditEntry.Action.CHANGE, course, node=node, event="courses.evaluated",
               extra={"issued": [c.number for c in result.issued], "failed": len(result.failed),
                      "already": result.already})
    return result


def revoke_certificate(cert: Certificate, reason: str, *, by) -> Certificate:
    _need(by, APPROVE, cert.node_path, _("撤销证书需要审批权限。"))
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("请写明撤销原因，例如“考试作弊，成绩作废”。")]})
    if cert.revoked:
        raise ValidationError(_("该证书已经撤销。"))
    with transaction.atomic():
        cert.revoked, cert.revoked_reason, cert.revoked_at = True, reason[:300], timezone.now()
        cert.save(update_fields=["revoked", "revoked_reason", "revoked_at"])
        record(by, AuditEntry.Action.CHANGE, cert, node=cert.course.offering.node, event="courses.certificate.revoked",
               changes={"revoked": [False, True]}, extra={"reason": reason[:300]})
    return cert


def normalise_number(number: str) -> str:
    return "".join(str(number or "").split()).upper()[:32]


def find_certificate(number: str) -> Certificate | None:
    """The public check: a certificate by its exact number (no partial matches), or None."""
    number = normalise_number(number)
    if not number:
        return None
    return (Certificate.objects.unscoped().select_related("course__offering__node")
            .filter(number=number).first())


def masked_name(name: str) -> str:
    """张* / 欧阳** : the public page shows the family name only."""
    if not name:
        return ""
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "*" * (len(name) - keep)


def certificates_of(user):
    return (Certificate.objects.unscoped().filter(user=user).select_related("course__offering__node")
            .order_by("-issued_on", "-id"))


# ----- subsidies -----

def pay_subsidies(course: Course, *, by, paid_on: datetime.date | None = None) -> list[TrainingSubsidy]:
    """Pay the course's subsidy to every certified trainee not yet paid (a ledger row each)."""
    _need(by, APPROVE, course.node_path, _("发放培训补贴需要审批权限。"))
    paid_on = paid_on or _today()
    if course.subsidy_per_trainee <= 0:
        raise ValidationError(_("这门课程没有设置每人培训补贴，请先在课程信息中填写补贴标准。"))
    paid = []
    node = course.offering.node
    with transaction.atomic():
        Course.objects.unscoped().select_for_update().filter(pk=course.pk).first()
        done = set(TrainingSubsidy.objects.unscoped().filter(course=course).values_list("enrolment_id", flat=True))
        certs = (Certificate.objects.unscoped().filter(course=course, revoked=False, worker__isnull=False)
                 .exclude(enrolment_id__in=done).select_related("worker", "enrolment"))
        for cert in certs:
            subsidy = TrainingSubsidy.objects.create(
                course=course, enrolment=cert.enrolment, worker=cert.worker, node_path=course.node_path,
                amount=course.subsidy_per_trainee, paid_on=paid_on,
                recorded_by=by if getattr(by, "is_authenticated", False) else None)
            record_service(worker=cert.worker, kind=KIND_SUBSIDY, app="courses", source=subsidy,
                           title=_("%(course)s：培训补贴") % {"course": course.title}, delivering_union=node,
                           amount=subsidy.amount, delivered_on=paid_on, by=by)
            paid.append(subsidy)
        if not paid:
            raise ValidationError(_("没有待发放补贴的学员：补贴只发给取得合格证书的学员，且每人只发一次。"))
        record(by, AuditEntry.Action.CREATE, course, node=node, event="courses.subsidies.paid",
               extra={"count": len(paid), "each": str(course.subsidy_per_trainee), "paid_on": paid_on.isoformat()})
    return paid


# ----- targets -----

def create_target(node: UnionNode, data: dict, *, by) -> TrainingTarget:
    _need(by, APPROVE, node.path, _("只有本工会的负责人可以设定培训目标。"))
    errors: dict[str, list[str]] = {}
    year = _int(data.get("year"), _("年度"), errors, "year", low=2000, high=2100)
    occupation = _text(data, "occupation", _("培训职业（工种）"), 60, errors)
    target = _int(data.get("target"), _("目标人数"), errors, "target", low=1, high=10_000_000)
    if not errors and TrainingTarget.objects.unscoped().filter(node=node, year=year, occupation=occupation).exists():
        errors["occupation"] = [_("%(node)s已设定%(y)d年%(occ)s的培训目标，请勿重复设定。") % {
            "node": node.name, "y": year, "occ": occupation}]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            row = TrainingTarget.objects.create(node=node, year=year, occupation=occupation, target=target,
                                                created_by=by if getattr(by, "is_authenticated", False) else None)
            record(by, AuditEntry.Action.CREATE, row, node=node, event="courses.target.created",
                   changes={"year": [None, year], "occupation": [None, occupation], "target": [None, target]})
    except IntegrityError:
        raise ValidationError({"occupation": [_("该培训目标已经设定。")]}) from None
    return row


def target_progress(target: TrainingTarget) -> dict:
    """Passes (valid certificates issued in the target's year, courses organised in the node's
    subtree, same occupation) against the target; sign-ups are shown beside, never counted."""
    start, end = datetime.date(target.year, 1, 1), datetime.date(target.year, 12, 31)
    passed = (Certificate.objects.unscoped().filter(subtree_q("node_path", target.node_path), revoked=False,
                                                    course__occupation=target.occupation,
                                                    issued_on__range=(start, end))
              .values("enrolment__user").distinct().count())
    signed_up = (Enrolment.objects.unscoped().filter(subtree_q("node_path", target.node_path),
                                                     offering__course__occupation=target.occupation,
                                                     offering__course__starts_on__range=(start, end),
                                                     status=Enrolment.Status.CONFIRMED).count())
    pct = round(passed * 100 / target.target, 1) if target.target else 0
    return {"passed": passed, "signed_up": signed_up, "pct": pct, "bar": min(pct, 100)}
