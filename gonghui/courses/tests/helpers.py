"""Helpers of the courses tests: a published course with sessions in the past, trainees signed up
through the enrolment service, and a trainee taken all the way to a pass."""

import datetime
from decimal import Decimal

from django.utils import timezone

from gonghui.courses import services as svc
from gonghui.courses.models import Course, CourseSession
from gonghui.enrolment import services as enrolment
from gonghui.enrolment.tests.factories import make_offering, make_worker_user
from gonghui.workflow.services import Upload

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def today():
    return timezone.localdate()


def make_course(node, *, title="育婴师（四级）培训班", capacity=10, sessions=5, occupation="育婴师",
                subsidy="500", audience="workers", status="published", min_pct=80, pass_score="60") -> Course:
    """A course that started 20 days ago and ends in 10, with ``sessions`` sessions in the past."""
    offering = make_offering(node, kind="course", title=title, capacity=capacity, audience=audience, status=status)
    course = Course.objects.create(offering=offering, occupation=occupation, certifying_body="江海市职业技能鉴定中心",
                                   level="四级", starts_on=today() - datetime.timedelta(days=20),
                                   ends_on=today() + datetime.timedelta(days=10), min_attendance_pct=min_pct,
                                   pass_score=Decimal(pass_score), subsidy_per_trainee=Decimal(subsidy))
    start = timezone.now() - datetime.timedelta(days=15)
    for i in range(sessions):
        at = start + datetime.timedelta(days=2 * i)
        CourseSession.objects.create(course=course, starts_at=at, ends_at=at + datetime.timedelta(hours=3),
                                     teacher="陈老师", place="市职工学校201教室", topic=f"第{i + 1}讲")
    return course


def enrol(course, union, name=None, **kwargs):
    """A worker of ``union`` signs up for the course (the enrolment service): their enrolment."""
    user = make_worker_user(union, name=name, **kwargs)
    return enrolment.sign_up(course.offering, user, answers={})


def roll_all(course, present, *, by):
    """Roll call of every session with the same people present."""
    for session in course.sessions.unscoped():
        svc.record_roll_call(session, [e.pk for e in present], by=by)


def pass_course(course, trainees, *, by, score="85"):
    """Everybody present at every session, each scoring ``score``; then the evaluation."""
    roll_all(course, trainees, by=by)
    svc.record_scores(course, {e.pk: score for e in trainees}, taken_on=today(), by=by)
    return svc.evaluate_course(course, by=by)


def proof(name="录取通知书.png", content=PNG) -> Upload:
    return Upload(name, content)
