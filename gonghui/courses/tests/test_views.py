"""The pages: the worker's courses, certificates and uplift plan on the phone, the public verify
page, and the console's course, roll call, scores, evaluation, subsidies and targets."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gonghui.courses import services as svc
from gonghui.courses import services_uplift as up
from gonghui.courses.models import Certificate, Course, CourseSession, SessionAttendance, TrainingTarget
from gonghui.courses.tests.helpers import PNG, enrol, make_course, pass_course, roll_all, today
from gonghui.enrolment.tests.factories import make_worker_user
from gonghui.members.models import Worker
from gonghui.workflow import services as workflow

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


# ----- public verify page -----

def test_verify_page_needs_no_login_and_masks_the_name(tree, staff):
    course = make_course(tree.d1, sessions=1)
    cert = pass_course(course, [enrol(course, tree.g1, name="王秀英")], by=staff.d1_admin).issued[0]
    response = Client().get(reverse("courses:verify"), {"number": cert.number.lower()})
    body = response.content.decode()
    assert response.status_code == 200
    assert "证书真实有效" in body and "王*" in body and "王秀英" not in body
    assert "江海市职业技能鉴定中心" in body and course.title in body


def test_verify_unknown_number_says_so_clearly(db):
    response = Client().get(reverse("courses:verify"), {"number": "PX2026ZZZZ9999"})
    assert response.status_code == 404
    assert "没有找到编号为“PX2026ZZZZ9999”的证书" in response.content.decode()
    empty = Client().get(reverse("courses:verify"), {"number": "  "})
    assert empty.status_code == 200 and "请输入证书编号再查验" in empty.content.decode()
    assert Client().get(reverse("courses:verify")).status_code == 200


def test_verify_shows_a_revoked_certificate_as_revoked(tree, staff):
    course = make_course(tree.d1, sessions=1)
    cert = pass_course(course, [enrol(course, tree.g1)], by=staff.d1_admin).issued[0]
    svc.revoke_certificate(cert, "成绩作废", by=staff.d1_admin)
    body = Client().get(reverse("courses:verify"), {"number": cert.number}).content.decode()
    assert "该证书已撤销，不再有效" in body


# ----- the worker portal -----

def test_portal_lists_joinable_courses_and_shows_the_sign_up(tree, staff):
    mine = make_course(tree.d1, title="东城育婴师班")
    make_course(tree.d2, title="西城育婴师班")  # another district: not joinable
    make_course(tree.d1, title="女职工专班", audience="women")
    user = make_worker_user(tree.g1)
    c = client_for(user)
    body = c.get(reverse("courses:portal_list")).content.decode()
    assert "东城育婴师班" in body and "西城育婴师班" not in body and "女职工专班" not in body
    detail = c.get(reverse("courses:portal_detail", args=[mine.pk]))
    assert detail.status_code == 200 and "第1讲" in detail.content.decode()
    assert c.get(reverse("courses:portal_detail", args=[mine.pk + 1])).status_code == 404


def test_portal_certificates_and_download(tree, staff):
    course = make_course(tree.d1, sessions=1)
    e = enrol(course, tree.g1, name="刘桂芳")
    cert = pass_course(course, [e], by=staff.d1_admin).issued[0]
    c = client_for(e.user)
    assert cert.number in c.get(reverse("courses:my_certificates")).content.decode()
    pdf = c.get(reverse("courses:my_certificate_pdf", args=[cert.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    other = client_for(make_worker_user(tree.g1))
    assert other.get(reverse("courses:my_certificate_pdf", args=[cert.pk])).status_code == 404
    assert "还没有证书" in other.get(reverse("courses:my_certificates")).content.decode()


def test_uplift_pages_apply_and_upload_proof(tree, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = make_worker_user(tree.g1, migrant=True)
    c = client_for(user)
    assert "申请补贴" in c.get(reverse("courses:uplift")).content.decode()
    bad = c.post(reverse("courses:uplift_apply"), {"level": "diploma", "school": "江海开放大学", "programme": "机电",
                                                   "fee": "abc", "subsidy_asked": "100"})
    assert bad.status_code == 422 and "学费应为数字" in bad.content.decode()
    ok = c.post(reverse("courses:uplift_apply"), {"level": "diploma", "school": "江海开放大学", "programme": "机电",
                                                  "fee": "6000", "subsidy_asked": "3000"})
    app = up.applications_of_worker(Worker.objects.unscoped().get(user=user)).get()
    assert ok.status_code == 302 and ok["Location"] == reverse("workflow:portal_case", args=[app.pk])
    case_page = c.get(ok["Location"]).content.decode()
    assert "江海开放大学" in case_page
    # No proof is asked before approval.
    assert c.get(reverse("courses:uplift_proof", args=[app.pk])).status_code == 302
    workflow.perform_transition(app.case, "approve", by=staff.d1_manager, version=app.case.version)
    assert "上传入学证明" in c.get(reverse("workflow:portal_case", args=[app.pk])).content.decode()
    missing = c.post(reverse("courses:uplift_proof", args=[app.pk]), {})
    assert missing.status_code == 422, missing.status_code
    assert "请上传入学证明" in missing.content.decode(), missing.content.decode()[-3000:]
    done = c.post(reverse("courses:uplift_proof", args=[app.pk]),
                  {"proof": SimpleUploadedFile("通知书.png", PNG, content_type="image/png")})
    assert done.status_code == 302
    app.case.refresh_from_db()
    assert app.case.state == "enrolment_check"
    # Somebody else's application is not found.
    stranger = client_for(make_worker_user(tree.g1, migrant=True))
    assert stranger.get(reverse("courses:uplift_proof", args=[app.pk])).status_code == 404


def test_a_non_migrant_is_told_why(tree):
    c = client_for(make_worker_user(tree.g1))
    response = c.get(reverse("courses:uplift_apply"))
    assert response.status_code == 302
    assert "面向农民工会员" in c.get(response["Location"]).content.decode()


# ----- the console -----

def test_workers_get_404_in_the_console(tree):
    c = client_for(make_worker_user(tree.g1))
    assert c.get(reverse("courses:console_list")).status_code == 404
    assert c.get(reverse("courses:console_targets")).status_code == 404


def test_console_create_session_roll_call_scores_evaluate_subsidies(tree, staff):
    c = client_for(staff.d1_admin)
    start = today() - datetime.timedelta(days=3)
    data = {"node": tree.d1.pk, "title": "东城区育婴师班", "occupation": "育婴师", "certifying_body": "市鉴定中心",
            "starts_on": start.isoformat(), "ends_on": (today() + datetime.timedelta(days=30)).isoformat(),
            "capacity": "20", "audience": "workers", "waitlist": "on", "min_attendance_pct": "80",
            "pass_score": "60", "subsidy_per_trainee": "500"}
    bad = c.post(reverse("courses:console_create"), data | {"title": ""})
    assert bad.status_code == 422 and "请填写课程名称。" in bad.content.decode()
    bad = c.post(reverse("courses:console_create"), data | {"capacity": "0"})
    assert bad.status_code == 422 and "名额应在1到100000之间" in bad.content.decode()
    response = c.post(reverse("courses:console_create"), data)
    course = Course.objects.unscoped().get()
    assert response.status_code == 302 and response["Location"] == reverse("courses:console_course", args=[course.pk])
    # Publishing needs a session first.
    c.post(reverse("courses:console_publish", args=[course.pk]))
    assert "请先添加课次" in c.get(reverse("courses:console_course", args=[course.pk])).content.decode()
    day = start.isoformat()
    added = c.post(reverse("courses:console_session_add", args=[course.pk]), {
        "starts_at": f"{day}T09:00", "ends_at": f"{day}T12:00", "topic": "新生儿护理", "teacher": "陈老师",
        "place": "职工学校"})
    assert added.status_code == 302
    c.post(reverse("courses:console_publish", args=[course.pk]))
    course.offering.refresh_from_db()
    assert course.offering.status == "published"
    a = enrol(course, tree.g1, name="甲学员")
    b = enrol(course, tree.g1, name="乙学员")
    session = CourseSession.objects.unscoped().get(course=course)
    page = c.get(reverse("courses:console_roll_call", args=[session.pk])).content.decode()
    assert "甲学员" in page and page.count(" checked>") == 2
    assert c.post(reverse("courses:console_roll_call", args=[session.pk]), {"present": [a.pk]}).status_code == 302
    assert dict(SessionAttendance.objects.unscoped().values_list("enrolment_id", "present")) == {a.pk: True,
                                                                                                b.pk: False}
    wrong = c.post(reverse("courses:console_results", args=[course.pk]),
                   {"taken_on": today().isoformat(), f"score_{a.pk}": "120", f"score_{b.pk}": "70"})
    assert wrong.status_code == 422 and "甲学员的成绩应在0到100之间" in wrong.content.decode()
    assert 'value="120"' in wrong.content.decode()  # the typed score is kept
    c.post(reverse("courses:console_results", args=[course.pk]),
           {"taken_on": today().isoformat(), f"score_{a.pk}": "88", f"score_{b.pk}": "70"})
    c.post(reverse("courses:console_evaluate", args=[course.pk]))
    cert = Certificate.objects.unscoped().get()
    assert cert.enrolment_id == a.pk
    page = c.get(reverse("courses:console_course", args=[course.pk])).content.decode()
    assert cert.number in page and "出勤0/1次" in page
    c.post(reverse("courses:console_subsidies", args=[course.pk]))
    assert "¥500.00" in c.get(reverse("courses:console_course", args=[course.pk])).content.decode()
    pdf = c.get(reverse("courses:console_certificate_pdf", args=[cert.pk]))
    assert pdf.content.startswith(b"%PDF")
    listed = c.get(reverse("courses:console_list")).content.decode()
    assert "东城区育婴师班" in listed


def test_console_edit_and_revoke(tree, staff):
    course = make_course(tree.d1, sessions=1)
    cert = pass_course(course, [enrol(course, tree.g1)], by=staff.d1_admin).issued[0]
    c = client_for(staff.d1_admin)
    page = c.get(reverse("courses:console_edit", args=[course.pk]))
    assert page.status_code == 200 and course.title in page.content.decode()
    empty = c.post(reverse("courses:console_certificate_revoke", args=[cert.pk]), {"reason": ""})
    assert empty.status_code == 422 and "请写明撤销原因" in empty.content.decode()
    c.post(reverse("courses:console_certificate_revoke", args=[cert.pk]), {"reason": "冒名顶替"})
    cert.refresh_from_db()
    assert cert.revoked
    viewer = client_for(staff.g1_viewer)
    assert viewer.get(reverse("courses:console_edit", args=[course.pk])).status_code == 404


def test_results_export_lists_every_trainee_with_the_verdict_and_is_audited(tree, staff):
    import io

    import openpyxl

    from gonghui.audit.models import AuditEntry

    course = make_course(tree.d1, sessions=2)
    good, absent = enrol(course, tree.g1, name="甲学员"), enrol(course, tree.g1, name="乙学员")
    roll_all(course, [good], by=staff.d1_admin)
    svc.record_scores(course, {good.pk: "88.5", absent.pk: "95"}, taken_on=today(), by=staff.d1_admin)
    cert = svc.evaluate_course(course, by=staff.d1_admin).issued[0]
    c = client_for(staff.d1_admin)
    assert reverse("courses:console_results_xlsx", args=[course.pk]) in c.get(
        reverse("courses:console_course", args=[course.pk])).content.decode()
    response = c.get(reverse("courses:console_results_xlsx", args=[course.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"course-{course.pk}-results-" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:6] == ["姓名", "手机号码", "出勤（次）", "课次", "出勤率（%）", "成绩"]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["甲学员"][2:6] == [2, 2, 100, "88.5"] and by_name["甲学员"][7] == "合格"
    assert by_name["甲学员"][9:] == [cert.number, "有效"]
    assert by_name["乙学员"][2] == 0 and by_name["乙学员"][7] == "未合格" and "出勤" in by_name["乙学员"][8]
    assert by_name["乙学员"][9] is None
    assert AuditEntry.objects.unscoped().filter(event="courses.results", action="export").count() == 1
    # a staff member of another district gets 404, a worker too
    assert client_for(staff.d2_admin).get(reverse("courses:console_results_xlsx", args=[course.pk])).status_code == 404


def test_console_edits_a_session_keeping_what_was_typed_on_an_error(tree, staff):
    course = make_course(tree.d1, sessions=1)
    session = CourseSession.objects.unscoped().get(course=course)
    c = client_for(staff.d1_admin)
    url = reverse("courses:console_session_edit", args=[session.pk])
    assert url in c.get(reverse("courses:console_course", args=[course.pk])).content.decode()
    page = c.get(url).content.decode()
    assert "修改课次" in page and 'value="陈老师"' in page and "学员会收到通知" in page
    day = today().isoformat()
    data = {"starts_at": f"{day}T09:00", "ends_at": f"{day}T08:00", "topic": "新生儿沐浴", "teacher": "周老师",
            "place": "职工学校"}
    bad = c.post(url, data)
    assert bad.status_code == 422 and "结束时间应晚于开始时间。" in bad.content.decode()
    assert 'value="周老师"' in bad.content.decode()
    session.refresh_from_db()
    assert session.teacher == "陈老师"
    done = c.post(url, data | {"ends_at": f"{day}T11:00"})
    assert done.status_code == 302 and done["Location"] == reverse("courses:console_course", args=[course.pk])
    session.refresh_from_db()
    assert (session.teacher, session.topic) == ("周老师", "新生儿沐浴")
    assert client_for(staff.g1_viewer).get(url).status_code == 404  # course in d1: g1 does not see it


def test_handler_cannot_evaluate(tree, staff):
    course = make_course(tree.g1, sessions=1)
    roll_all(course, [enrol(course, tree.g1)], by=staff.g1_handler)
    c = client_for(staff.g1_handler)
    assert c.post(reverse("courses:console_evaluate", args=[course.pk])).status_code == 403
    assert not Certificate.objects.unscoped().exists()


def test_targets_page(tree, staff):
    c = client_for(staff.city_admin)
    bad = c.post(reverse("courses:console_targets"), {"node": tree.city.pk, "year": "2026", "occupation": "育婴师",
                                                      "target": "0"})
    assert bad.status_code == 422 and "目标人数应在1到10000000之间" in bad.content.decode()
    c.post(reverse("courses:console_targets"), {"node": tree.city.pk, "year": str(today().year),
                                                "occupation": "育婴师", "target": "300"})
    target = TrainingTarget.objects.unscoped().get()
    course = make_course(tree.g1, sessions=1)
    pass_course(course, [enrol(course, tree.g1)], by=staff.city_admin)
    page = c.get(reverse("courses:console_targets")).content.decode()
    assert f'data-target-id="{target.pk}"' in page and 'data-passed="1"' in page
    # A handler sees the page but cannot set targets.
    handler_page = client_for(staff.g1_handler).get(reverse("courses:console_targets")).content.decode()
    assert "设定培训目标" not in handler_page


def test_uplift_console_list(tree, staff):
    user = make_worker_user(tree.g1, migrant=True, name="周建华")
    up.apply(by=user, worker=Worker.objects.unscoped().get(user=user), data={
        "school": "江海开放大学", "programme": "会计", "level": "diploma", "fee": "5000", "subsidy_asked": "2000"})
    page = client_for(staff.d1_admin).get(reverse("courses:console_uplift")).content.decode()
    assert "周建华" in page and "江海开放大学" in page
    other = client_for(staff.d2_admin).get(reverse("courses:console_uplift")).content.decode()
    assert "周建华" not in other
