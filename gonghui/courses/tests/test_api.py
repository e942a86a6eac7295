"""The courses API: lists and rows scoped, the writes calling the services, the public check."""

import json
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gonghui.courses import services_uplift as up
from gonghui.courses.models import Certificate, Course, ExamResult
from gonghui.courses.tests.helpers import PNG, enrol, make_course, pass_course, today
from gonghui.enrolment.tests.factories import make_worker_user
from gonghui.members.models import Worker
from gonghui.workflow import services as workflow

pytestmark = pytest.mark.django_db
API = "/api/v1/courses"


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def post(c, url, data, method="post"):
    return getattr(c, method)(url, json.dumps(data), content_type="application/json")


def test_create_list_and_read(tree, staff):
    c = client_for(staff.d1_admin)
    data = {"node_id": tree.d1.pk, "title": "API育婴师班", "occupation": "育婴师", "certifying_body": "鉴定中心",
            "starts_on": today().isoformat(), "ends_on": today().isoformat(), "capacity": 10}
    bad = post(c, f"{API}/", data | {"capacity": 0})
    assert bad.status_code == 422 and bad.json()["message"] == "名额应在1到100000之间。"
    created = post(c, f"{API}/", data)
    assert created.status_code == 201 and created.json()["status"] == "draft"
    course_id = created.json()["id"]
    assert [r["id"] for r in c.get(f"{API}/").json()["items"]] == [course_id]
    assert c.get(f"{API}/{course_id}").json()["title"] == "API育婴师班"
    assert client_for(staff.d2_admin).get(f"{API}/{course_id}").status_code == 404
    assert post(client_for(staff.d1_admin), f"{API}/", data | {"node_id": tree.d2.pk}).status_code == 403


def test_worker_sees_joinable_courses_only(tree):
    mine = make_course(tree.d1, title="可报名")
    make_course(tree.d2, title="外区")
    c = client_for(make_worker_user(tree.g1))
    assert [r["title"] for r in c.get(f"{API}/").json()["items"]] == ["可报名"]
    assert c.get(f"{API}/{mine.pk}").status_code == 200
    assert c.get(f"{API}/{mine.pk}/sessions").status_code == 404


def test_sessions_roll_call_results_evaluate_certificates_subsidies(tree, staff):
    course = make_course(tree.d1, sessions=0)
    c = client_for(staff.d1_admin)
    day = today().isoformat()
    session = post(c, f"{API}/{course.pk}/sessions", {"starts_at": f"{day}T00:00:00+08:00",
                                                      "ends_at": f"{day}T00:30:00+08:00", "teacher": "陈老师",
                                                      "place": "职工学校", "topic": "婴儿抚触"})
    assert session.status_code == 201, session.content
    session_id = session.json()["id"]
    assert len(c.get(f"{API}/{course.pk}/sessions").json()) == 1
    a, b = enrol(course, tree.g1, name="甲"), enrol(course, tree.g1, name="乙")
    assert [r["present"] for r in c.get(f"{API}/sessions/{session_id}/attendance").json()] == [None, None]
    rc = post(c, f"{API}/sessions/{session_id}/attendance", {"present": [a.pk, b.pk]}, "put")
    assert rc.json() == {"present": 2, "absent": 0}
    bad = post(c, f"{API}/{course.pk}/results", {"taken_on": day, "scores": [{"enrolment_id": a.pk,
                                                                              "score": "-1"}]}, "put")
    assert bad.status_code == 422 and "甲的成绩" in bad.json()["message"] and not ExamResult.objects.unscoped().exists()
    results = post(c, f"{API}/{course.pk}/results", {"taken_on": day, "scores": [
        {"enrolment_id": a.pk, "score": "90"}, {"enrolment_id": b.pk, "score": "40"}]}, "put").json()
    assert [(r["name"], r["passed"]) for r in results] == [("甲", True), ("乙", False)]
    evaluated = c.post(f"{API}/{course.pk}/evaluate").json()
    assert len(evaluated["issued"]) == 1 and evaluated["failed"] == 1
    certs = c.get(f"{API}/{course.pk}/certificates").json()
    assert certs[0]["number"] == evaluated["issued"][0] and "/certificates/verify/?number=" in certs[0]["verify_url"]
    paid = c.post(f"{API}/{course.pk}/subsidies").json()
    assert paid == {"paid": 1, "total": "500.00"} or paid == {"paid": 1, "total": 500.0}
    again = c.post(f"{API}/{course.pk}/subsidies")
    assert again.status_code == 422 and "没有待发放补贴的学员" in again.json()["message"]
    # The trainee's own certificates.
    mine = client_for(a.user).get(f"{API}/certificates/mine").json()
    assert [m["number"] for m in mine] == evaluated["issued"]


def test_handler_cannot_evaluate_over_the_api(tree, staff):
    course = make_course(tree.g1, sessions=1)
    assert client_for(staff.g1_handler).post(f"{API}/{course.pk}/evaluate").status_code == 403


def test_public_verify(tree, staff):
    course = make_course(tree.d1, sessions=1)
    cert = pass_course(course, [enrol(course, tree.g1, name="李建国")], by=staff.d1_admin).issued[0]
    anonymous = Client()
    ok = anonymous.get(f"{API}/certificates/verify", {"number": cert.number})
    assert ok.status_code == 200 and ok.json()["status"] == "valid" and ok.json()["name"] == "李**"
    missing = anonymous.get(f"{API}/certificates/verify", {"number": "PX2026AAAA2222"})
    assert missing.status_code == 404 and missing.json()["message"].startswith("没有找到编号为“PX2026AAAA2222”的证书")
    empty = anonymous.get(f"{API}/certificates/verify", {"number": ""})
    assert empty.status_code == 422 and empty.json()["message"] == "请输入证书编号再查验。"
    assert Certificate.objects.unscoped().count() == 1


def test_targets(tree, staff):
    c = client_for(staff.city_admin)
    made = post(c, f"{API}/targets", {"node_id": tree.city.pk, "year": today().year, "occupation": "育婴师",
                                      "target": 300})
    assert made.status_code == 201 and made.json()["passed"] == 0
    course = make_course(tree.g1, sessions=1)
    pass_course(course, [enrol(course, tree.g1)], by=staff.city_admin)
    assert c.get(f"{API}/targets").json()[0]["passed"] == 1
    dup = post(c, f"{API}/targets", {"node_id": tree.city.pk, "year": today().year, "occupation": "育婴师",
                                     "target": 5})
    assert dup.status_code == 422


def test_uplift_over_the_api(tree, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = make_worker_user(tree.g1, migrant=True)
    c = client_for(user)
    bad = post(c, f"{API}/uplift/applications", {"school": "江海开放大学", "programme": "会计", "level": "diploma",
                                                 "fee": "1000", "subsidy_asked": "2000"})
    assert bad.status_code == 422 and bad.json()["message"] == "申请补贴不能超过学费（¥1,000.00）。"
    made = post(c, f"{API}/uplift/applications", {"school": "江海开放大学", "programme": "会计", "level": "diploma",
                                                  "fee": "5000", "subsidy_asked": "2000"})
    assert made.status_code == 201 and made.json()["number"].startswith("XL")
    app_id = made.json()["id"]
    assert [a["id"] for a in c.get(f"{API}/uplift/mine").json()] == [app_id]
    staff_client = client_for(staff.d1_admin)
    assert [a["id"] for a in staff_client.get(f"{API}/uplift/applications").json()["items"]] == [app_id]
    assert client_for(staff.d2_admin).get(f"{API}/uplift/applications/{app_id}").status_code == 404
    early = c.post(f"{API}/uplift/applications/{app_id}/proof",
                   {"proof": SimpleUploadedFile("a.png", PNG, content_type="image/png")})
    assert early.status_code == 422 and "不需要上传证明" in early.json()["message"]
    app = up.applications_of_worker(Worker.objects.unscoped().get(user=user)).get()
    workflow.perform_transition(app.case, "approve", by=staff.d1_manager, version=app.case.version)
    done = c.post(f"{API}/uplift/applications/{app_id}/proof",
                  {"proof": SimpleUploadedFile("a.png", PNG, content_type="image/png")})
    assert done.status_code == 200 and done.json()["state"] == "enrolment_check" and done.json()["has_enrolment_proof"]
    other = client_for(make_worker_user(tree.g1, migrant=True))
    assert other.get(f"{API}/uplift/applications/{app_id}").status_code == 404
    assert Course.objects.unscoped().count() == 0


def test_change_a_session_over_the_api(tree, staff):
    course = make_course(tree.d1, sessions=1)
    session = course.sessions.unscoped().get()
    c = client_for(staff.d1_admin)
    day = today().isoformat()
    data = {"starts_at": f"{day}T08:00:00+08:00", "ends_at": f"{day}T10:00:00+08:00", "teacher": "赵老师",
            "place": "职工学校", "topic": "辅食添加"}
    changed = post(c, f"{API}/sessions/{session.pk}", data, method="put")
    assert changed.status_code == 200 and changed.json()["teacher"] == "赵老师"
    session.refresh_from_db()
    assert session.teacher == "赵老师" and session.starts_at.astimezone(ZoneInfo("Asia/Shanghai")).hour == 8
    bad = post(c, f"{API}/sessions/{session.pk}", data | {"ends_at": f"{day}T07:00:00+08:00"}, method="put")
    assert bad.status_code == 422 and bad.json()["message"] == "结束时间应晚于开始时间。"
    assert post(client_for(make_worker_user(tree.g1)), f"{API}/sessions/{session.pk}", data,
                method="put").status_code == 404
    assert post(client_for(staff.d2_admin), f"{API}/sessions/{session.pk}", data, method="put").status_code == 404
