"""The courses services: organising, roll call, scores, evaluation and certificates, subsidies,
targets — with the bad input each refuses in Chinese, writing nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.courses import services as svc
from gonghui.courses.models import (
    Certificate,
    Course,
    CourseSession,
    ExamResult,
    SessionAttendance,
    TrainingSubsidy,
)
from gonghui.courses.tests.helpers import enrol, make_course, pass_course, roll_all, today
from gonghui.enrolment.models import Enrolment, Offering
from gonghui.ledger.models import ServiceRecord
from gonghui.notifications.models import Notification

pytestmark = pytest.mark.django_db


def course_data(**over):
    data = {"title": "2026年第二期育婴师培训班", "occupation": "育婴师", "certifying_body": "江海市职业技能鉴定中心",
            "level": "四级", "starts_on": (today() + datetime.timedelta(days=7)).isoformat(),
            "ends_on": (today() + datetime.timedelta(days=40)).isoformat(), "capacity": "30",
            "audience": "workers", "waitlist": True, "min_attendance_pct": "80", "pass_score": "60",
            "subsidy_per_trainee": "800"}
    data.update(over)
    return data


# ----- organising -----

def test_create_course_makes_the_offering_and_the_course(tree, staff):
    course = svc.create_course(tree.d1, course_data(), by=staff.d1_admin)
    offering = course.offering
    assert (offering.kind, offering.status, offering.capacity, offering.node) == ("course", "draft", 30, tree.d1)
    assert course.node_path == tree.d1.path and course.subsidy_per_trainee == Decimal("800.00")
    assert offering.ends_at.date() == course.ends_on
    assert AuditEntry.objects.unscoped().filter(event="courses.course.created").count() == 1


def test_create_course_refuses_bad_input_with_field_messages(tree, staff):
    bad = course_data(title="", capacity="0", ends_on=(today() - datetime.timedelta(days=1)).isoformat(),
                      pass_score="101", min_attendance_pct="abc", starts_on="明天", audience="everyone")
    with pytest.raises(ValidationError) as e:
        svc.create_course(tree.d1, bad, by=staff.d1_admin)
    errors = e.value.message_dict
    assert errors["title"] == ["请填写课程名称。"]
    assert errors["capacity"] == ["名额应在1到100000之间。"]
    assert errors["pass_score"] == ["考试合格分数应在0到100之间。"]
    assert errors["min_attendance_pct"] == ["出勤率要求应为整数。"]
    assert errors["starts_on"] == ["请按2026-01-31的格式填写开课日期。"]
    assert errors["audience"] == ["请选择报名对象。"]
    assert not Offering.objects.unscoped().exists() and not Course.objects.unscoped().exists()


def test_create_course_ends_before_it_starts(tree, staff):
    with pytest.raises(ValidationError) as e:
        svc.create_course(tree.d1, course_data(ends_on=(today() + datetime.timedelta(days=1)).isoformat()),
                          by=staff.d1_admin)
    assert e.value.message_dict["ends_on"] == ["结课日期不能早于开课日期。"]


def test_create_course_outside_the_users_subtree_is_refused(tree, staff):
    with pytest.raises(PermissionDenied):
        svc.create_course(tree.d2, course_data(), by=staff.d1_admin)
    with pytest.raises(PermissionDenied):
        svc.create_course(tree.g1, course_data(), by=staff.g1_viewer)


def test_update_course_keeps_capacity_above_sign_ups(tree, staff):
    course = make_course(tree.d1, capacity=5)
    for _i in range(3):
        enrol(course, tree.g1)
    data = course_data(capacity="2", starts_on=course.starts_on.isoformat(), ends_on=course.ends_on.isoformat())
    with pytest.raises(ValidationError) as e:
        svc.update_course(course, data, by=staff.d1_admin)
    assert e.value.message_dict["capacity"] == ["已有3人报名，名额不能少于已报名人数。"]
    svc.update_course(course, data | {"capacity": "8", "title": "新名称"}, by=staff.d1_admin)
    course.refresh_from_db()
    course.offering.refresh_from_db()
    assert (course.offering.capacity, course.offering.title) == (8, "新名称")


def test_publish_needs_sessions(tree, staff):
    course = make_course(tree.d1, sessions=0, status="draft")
    with pytest.raises(ValidationError) as e:
        svc.publish_course(course, by=staff.d1_admin)
    assert e.value.messages == ["请先添加课次（时间、地点、教师），再发布课程。"]
    svc.add_session(course, {"starts_at": f"{today().isoformat()}T09:00", "ends_at": f"{today().isoformat()}T11:00",
                             "teacher": "王老师", "place": "职工学校", "topic": "婴儿喂养"}, by=staff.d1_admin)
    svc.publish_course(course, by=staff.d1_admin)
    assert Offering.objects.unscoped().get(pk=course.pk).status == "published"


def test_add_session_refuses_times_outside_the_course_and_reversed(tree, staff):
    course = make_course(tree.d1, sessions=0)
    far = (course.ends_on + datetime.timedelta(days=3)).isoformat()
    with pytest.raises(ValidationError) as e:
        svc.add_session(course, {"starts_at": f"{far}T09:00", "ends_at": f"{far}T11:00", "teacher": "王老师",
                                 "place": "职工学校", "topic": "喂养"}, by=staff.d1_admin)
    assert "课次应在开课日期" in e.value.message_dict["starts_at"][0]
    day = today().isoformat()
    with pytest.raises(ValidationError) as e:
        svc.add_session(course, {"starts_at": f"{day}T11:00", "ends_at": f"{day}T09:00", "teacher": "",
                                 "place": "职工学校", "topic": "喂养"}, by=staff.d1_admin)
    assert e.value.message_dict == {"ends_at": ["结束时间应晚于开始时间。"], "teacher": ["请填写授课教师。"]}
    assert not CourseSession.objects.unscoped().exists()


def _session_data(session, **changes):
    local = "%Y-%m-%dT%H:%M"
    data = {"starts_at": timezone.localtime(session.starts_at).strftime(local),
            "ends_at": timezone.localtime(session.ends_at).strftime(local),
            "teacher": session.teacher, "place": session.place, "topic": session.topic}
    return data | changes


def test_change_session_is_audited_and_tells_trainees_of_a_new_time_or_place(tree, staff):
    course = make_course(tree.d1, sessions=1)
    a, b = enrol(course, tree.g1, name="甲"), enrol(course, tree.g1, name="乙")
    session = CourseSession.objects.unscoped().get(course=course)
    svc.change_session(session, _session_data(session, teacher="李老师"), by=staff.d1_admin)
    session.refresh_from_db()
    assert session.teacher == "李老师"
    assert not Notification.objects.filter(template_key="courses.session_changed").exists()  # a teacher only
    day = (today() + datetime.timedelta(days=2)).isoformat()
    svc.change_session(session, _session_data(session, starts_at=f"{day}T14:00", ends_at=f"{day}T17:00",
                                              place="区职工之家三楼"), by=staff.d1_admin)
    session.refresh_from_db()
    assert timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M") == f"{day} 14:00"
    notices = Notification.objects.filter(template_key="courses.session_changed")
    assert {n.recipient_id for n in notices} == {a.user_id, b.user_id}
    assert f"{day} 14:00" in notices[0].body and "区职工之家三楼" in notices[0].body
    entry = AuditEntry.objects.unscoped().filter(event="courses.session.changed").latest("at")
    assert entry.changes["place"] == ["市职工学校201教室", "区职工之家三楼"]
    # the same data again changes nothing and tells nobody
    sent = notices.count()
    svc.change_session(session, _session_data(session), by=staff.d1_admin)
    assert notices.count() == sent
    assert AuditEntry.objects.unscoped().filter(event="courses.session.changed").count() == 2


def test_change_session_refuses_bad_times_a_called_session_in_the_future_and_outsiders(tree, staff):
    course = make_course(tree.d1, sessions=1)
    trainee = enrol(course, tree.g1)
    session = CourseSession.objects.unscoped().get(course=course)
    far = (course.ends_on + datetime.timedelta(days=3)).isoformat()
    with pytest.raises(ValidationError) as e:
        svc.change_session(session, _session_data(session, starts_at=f"{far}T09:00", ends_at=f"{far}T11:00"),
                           by=staff.d1_admin)
    assert "课次应在开课日期" in e.value.message_dict["starts_at"][0]
    with pytest.raises(ValidationError) as e:
        svc.change_session(session, _session_data(session, ends_at=_session_data(session)["starts_at"]),
                           by=staff.d1_admin)
    assert e.value.message_dict == {"ends_at": ["结束时间应晚于开始时间。"]}
    roll_all(course, [trainee], by=staff.d1_admin)
    session.refresh_from_db()
    soon = (today() + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError) as e:
        svc.change_session(session, _session_data(session, starts_at=f"{soon}T09:00", ends_at=f"{soon}T11:00"),
                           by=staff.d1_admin)
    assert e.value.message_dict == {"starts_at": ["这次课已经点名，开始时间不能改到将来。"]}
    with pytest.raises(PermissionDenied):
        svc.change_session(session, _session_data(session, teacher="外区"), by=staff.d2_admin)
    session.refresh_from_db()
    assert session.teacher == "陈老师"


# ----- roll call and scores -----

def test_roll_call_records_everyone_and_can_be_corrected(tree, staff):
    course = make_course(tree.d1, sessions=2)
    a, b, c = (enrol(course, tree.g1) for _i in range(3))
    session = course.sessions.unscoped().first()
    assert svc.record_roll_call(session, [a.pk, b.pk], by=staff.d1_manager) == {"present": 2, "absent": 1}
    rows = dict(SessionAttendance.objects.unscoped().filter(session=session).values_list("enrolment_id", "present"))
    assert rows == {a.pk: True, b.pk: True, c.pk: False}
    svc.record_roll_call(session, [str(a.pk), str(c.pk)], by=staff.d1_manager)
    rows = dict(SessionAttendance.objects.unscoped().filter(session=session).values_list("enrolment_id", "present"))
    assert rows == {a.pk: True, b.pk: False, c.pk: True}
    assert SessionAttendance.objects.unscoped().count() == 3
    session.refresh_from_db()
    assert session.roll_called_at is not None


def test_roll_call_refuses_strangers_future_sessions_and_garbage(tree, staff):
    course = make_course(tree.d1, sessions=1)
    mine = enrol(course, tree.g1)
    other = enrol(make_course(tree.d1, title="另一门课"), tree.g1)
    session = course.sessions.unscoped().first()
    with pytest.raises(ValidationError) as e:
        svc.record_roll_call(session, [mine.pk, other.pk], by=staff.d1_admin)
    assert e.value.message_dict["present"] == ["出勤名单中有1人不是本课程的学员，请刷新页面后重新点名。"]
    with pytest.raises(ValidationError) as e:
        svc.record_roll_call(session, ["x"], by=staff.d1_admin)
    assert e.value.message_dict["present"] == ["出勤名单不正确，请刷新页面后重新点名。"]
    later = timezone.now() + datetime.timedelta(days=2)
    future = CourseSession.objects.create(course=course, starts_at=later, ends_at=later + datetime.timedelta(hours=2),
                                          teacher="王", place="甲", topic="乙")
    with pytest.raises(ValidationError) as e:
        svc.record_roll_call(future, [mine.pk], by=staff.d1_admin)
    assert "这次课还没有开始" in e.value.messages[0]
    with pytest.raises(PermissionDenied):
        svc.record_roll_call(session, [mine.pk], by=staff.d2_admin)
    assert not SessionAttendance.objects.unscoped().exists()


def test_scores_are_validated_each_named_and_nothing_written(tree, staff):
    course = make_course(tree.d1)
    a = enrol(course, tree.g1, name="张三")
    b = enrol(course, tree.g1, name="李四")
    with pytest.raises(ValidationError) as e:
        svc.record_scores(course, {a.pk: "101", b.pk: "八十"}, taken_on=today(), by=staff.d1_admin)
    errors = e.value.message_dict
    assert errors[f"score_{a.pk}"] == ["张三的成绩应在0到100之间。"]
    assert errors[f"score_{b.pk}"] == ["李四的成绩应为数字，例如60或59.5。"]
    with pytest.raises(ValidationError) as e:
        svc.record_scores(course, {a.pk: "85.25"}, taken_on=today() + datetime.timedelta(days=1), by=staff.d1_admin)
    assert e.value.message_dict["taken_on"] == ["考试日期不能晚于今天。"]
    assert e.value.message_dict[f"score_{a.pk}"] == ["张三的成绩最多保留1位小数。"]
    with pytest.raises(ValidationError) as e:
        svc.record_scores(course, {999999: "80"}, taken_on=today(), by=staff.d1_admin)
    assert "不在本课程中" in e.value.message_dict["scores"][0]
    assert not ExamResult.objects.unscoped().exists()
    assert svc.record_scores(course, {a.pk: "85.5", b.pk: ""}, taken_on=today(), by=staff.d1_admin) == 1
    assert svc.record_scores(course, {a.pk: "59", b.pk: "70"}, taken_on=today(), by=staff.d1_admin) == 2
    assert dict(ExamResult.objects.unscoped().values_list("enrolment_id", "score")) == {
        a.pk: Decimal("59.0"), b.pk: Decimal("70.0")}


# ----- evaluation and certificates -----

def test_evaluation_issues_certificates_ledger_rows_and_notices_to_passes_only(tree, staff):
    course = make_course(tree.d1, sessions=5)
    good = enrol(course, tree.g1, name="王秀英")
    absent = enrol(course, tree.g1, name="赵六")
    low = enrol(course, tree.g1, name="孙七")
    for i, session in enumerate(course.sessions.unscoped()):
        present = [good, low] + ([absent] if i < 3 else [])  # absent: 3 of 5 = 60 %
        svc.record_roll_call(session, [e.pk for e in present], by=staff.d1_admin)
    svc.record_scores(course, {good.pk: "88", absent.pk: "95", low.pk: "59.5"}, taken_on=today(), by=staff.d1_admin)
    result = svc.evaluate_course(course, by=staff.d1_manager)
    assert [c.enrolment_id for c in result.issued] == [good.pk]
    assert {r.enrolment.pk for r in result.failed} == {absent.pk, low.pk}
    cert = result.issued[0]
    assert cert.number.startswith(f"PX{today().year}") and len(cert.number) == 14
    assert (cert.worker_name, cert.attendance_pct, cert.score) == ("王秀英", Decimal("100.0"), Decimal("88.0"))
    rows = ServiceRecord.objects.unscoped().filter(kind="courses.passed")
    assert [(r.worker_id, r.delivering_union_id) for r in rows] == [(good.worker_id, tree.d1.pk)]
    assert "取得培训合格证书" in rows[0].title
    assert Notification.objects.filter(recipient=good.user, template_key="courses.certificate_issued").exists()
    # Evaluating again issues nothing new and writes no second ledger row.
    again = svc.evaluate_course(course, by=staff.d1_manager)
    assert (again.issued, again.already) == ([], 1)
    assert Certificate.objects.unscoped().count() == 1 and rows.count() == 1


def test_evaluation_needs_every_roll_call_and_scores_and_the_approve_permission(tree, staff):
    course = make_course(tree.d1, sessions=2)
    e = enrol(course, tree.g1)
    with pytest.raises(PermissionDenied):
        svc.evaluate_course(course, by=staff.g1_handler)
    svc.record_roll_call(course.sessions.unscoped().first(), [e.pk], by=staff.d1_admin)
    with pytest.raises(ValidationError) as err:
        svc.evaluate_course(course, by=staff.d1_admin)
    assert err.value.messages[0].startswith("还有1次课没有点名")
    svc.record_roll_call(course.sessions.unscoped().last(), [e.pk], by=staff.d1_admin)
    with pytest.raises(ValidationError) as err:
        svc.evaluate_course(course, by=staff.d1_admin)
    assert err.value.messages == ["还没有录入考试成绩，请先录入成绩再评定。"]
    assert not Certificate.objects.unscoped().exists()


def test_only_confirmed_trainees_count(tree, staff):
    course = make_course(tree.d1, capacity=1, sessions=1)
    first = enrol(course, tree.g1)
    waiting = enrol(course, tree.g1)
    assert waiting.status == Enrolment.Status.WAITING
    assert [e.pk for e in svc.trainees(course)] == [first.pk]
    with pytest.raises(ValidationError):
        svc.record_roll_call(course.sessions.unscoped().first(), [waiting.pk], by=staff.d1_admin)


def test_revoke_and_verify(tree, staff):
    course = make_course(tree.d1, sessions=1)
    e = enrol(course, tree.g1, name="欧阳小明")
    cert = pass_course(course, [e], by=staff.d1_admin).issued[0]
    found = svc.find_certificate(f"  {cert.number.lower()} ")
    assert found == cert and svc.masked_name(found.worker_name) == "欧阳**"
    assert svc.masked_name("王芳") == "王*"
    assert svc.find_certificate("PX2026NOSUCH00") is None and svc.find_certificate("") is None
    with pytest.raises(ValidationError) as err:
        svc.revoke_certificate(cert, "  ", by=staff.d1_admin)
    assert err.value.message_dict["reason"][0].startswith("请写明撤销原因")
    with pytest.raises(PermissionDenied):
        svc.revoke_certificate(cert, "作弊", by=staff.g1_handler)
    svc.revoke_certificate(cert, "考试作弊，成绩作废", by=staff.d1_admin)
    cert.refresh_from_db()
    assert cert.revoked and cert.revoked_reason == "考试作弊，成绩作废"
    with pytest.raises(ValidationError):
        svc.revoke_certificate(cert, "再次", by=staff.d1_admin)


# ----- subsidies -----

def test_subsidies_go_to_certified_trainees_once_each(tree, staff):
    course = make_course(tree.d1, sessions=1, subsidy="600")
    a = enrol(course, tree.g1)
    b = enrol(course, tree.g1)
    roll_all(course, [a, b], by=staff.d1_admin)
    svc.record_scores(course, {a.pk: "90", b.pk: "30"}, taken_on=today(), by=staff.d1_admin)
    svc.evaluate_course(course, by=staff.d1_admin)
    with pytest.raises(PermissionDenied):
        svc.pay_subsidies(course, by=staff.g1_handler)
    paid = svc.pay_subsidies(course, by=staff.d1_admin)
    assert [(s.worker_id, s.amount) for s in paid] == [(a.worker_id, Decimal("600.00"))]
    row = ServiceRecord.objects.unscoped().get(kind="courses.subsidy")
    assert (row.worker_id, row.amount) == (a.worker_id, Decimal("600.00"))
    with pytest.raises(ValidationError) as err:
        svc.pay_subsidies(course, by=staff.d1_admin)
    assert "没有待发放补贴的学员" in err.value.messages[0]
    assert TrainingSubsidy.objects.unscoped().count() == 1


def test_a_course_without_a_subsidy_pays_none(tree, staff):
    course = make_course(tree.d1, sessions=1, subsidy="0")
    e = enrol(course, tree.g1)
    pass_course(course, [e], by=staff.d1_admin)
    with pytest.raises(ValidationError) as err:
        svc.pay_subsidies(course, by=staff.d1_admin)
    assert err.value.messages == ["这门课程没有设置每人培训补贴，请先在课程信息中填写补贴标准。"]


# ----- targets -----

def test_target_progress_counts_passes_not_sign_ups(tree, staff):
    target = svc.create_target(tree.city, {"year": today().year, "occupation": "育婴师", "target": "300"},
                               by=staff.city_admin)
    c1 = make_course(tree.g1, sessions=1)
    c2 = make_course(tree.d2, sessions=1)
    other = make_course(tree.d1, sessions=1, occupation="电工")
    passed = [enrol(c1, tree.g1) for _i in range(2)]
    enrol(c1, tree.g1)  # signed up, never passes
    pass_course(c1, passed, by=staff.city_admin)
    pass_course(c2, [enrol(c2, tree.g2)], by=staff.city_admin)
    pass_course(other, [enrol(other, tree.g1)], by=staff.city_admin)
    progress = svc.target_progress(target)
    assert progress["passed"] == 3
    assert progress["signed_up"] == 4
    assert progress["pct"] == 1.0
    d1 = svc.create_target(tree.d1, {"year": today().year, "occupation": "育婴师", "target": "2"}, by=staff.d1_admin)
    assert svc.target_progress(d1)["passed"] == 2 and svc.target_progress(d1)["bar"] == 100
    # A revoked certificate no longer counts.
    svc.revoke_certificate(Certificate.objects.unscoped().filter(course=c1).first(), "作废", by=staff.city_admin)
    assert svc.target_progress(d1)["passed"] == 1


def test_target_bad_input_and_duplicates(tree, staff):
    with pytest.raises(ValidationError) as err:
        svc.create_target(tree.d1, {"year": "19", "occupation": "", "target": "0"}, by=staff.d1_admin)
    assert set(err.value.message_dict) == {"year", "occupation", "target"}
    svc.create_target(tree.d1, {"year": "2026", "occupation": "育婴师", "target": "50"}, by=staff.d1_admin)
    with pytest.raises(ValidationError) as err:
        svc.create_target(tree.d1, {"year": "2026", "occupation": "育婴师", "target": "60"}, by=staff.d1_admin)
    assert "请勿重复设定" in err.value.message_dict["occupation"][0]
    with pytest.raises(PermissionDenied):
        svc.create_target(tree.d2, {"year": "2026", "occupation": "育婴师", "target": "5"}, by=staff.d1_admin)
