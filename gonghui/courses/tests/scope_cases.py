"""The courses app's routes for the shared scope test: rows made inside district 2."""

from gonghui.core.tests.scopecases import ScopeCase


def _course(env, **kw):
    from gonghui.courses.tests.helpers import make_course

    return make_course(env.tree.d2, title=kw.pop("title", "西城专属育婴师班"), **kw)


def _draft_course(env):
    return _course(env, status="draft")


def _course_with_trainee(env):
    from gonghui.courses.tests.helpers import enrol

    course = _course(env, sessions=1)
    course.trainee = enrol(course, env.tree.g2, name="西城学员")
    return course


def _ready_course(env):
    """Roll call taken and scores in: ready to evaluate."""
    from gonghui.courses import services as svc
    from gonghui.courses.tests.helpers import roll_all, today

    course = _course_with_trainee(env)
    roll_all(course, [course.trainee], by=env.staff.d2_admin)
    svc.record_scores(course, {course.trainee.pk: "90"}, taken_on=today(), by=env.staff.d2_admin)
    return course


def _passed_course(env):
    from gonghui.courses import services as svc

    course = _ready_course(env)
    svc.evaluate_course(course, by=env.staff.d2_admin)
    return course


def _certificate(env):
    from gonghui.courses.models import Certificate

    return Certificate.objects.unscoped().get(course=_passed_course(env))


def _session(env):
    from gonghui.courses.models import CourseSession

    course = _course_with_trainee(env)
    session = CourseSession.objects.unscoped().get(course=course)
    session.trainee = course.trainee
    return session


def _target(env):
    from gonghui.courses.models import TrainingTarget

    return TrainingTarget.objects.create(node=env.tree.d2, year=2026, occupation="西城专属工种", target=50)


def _uplift(env):
    from gonghui.courses import services_uplift as up
    from gonghui.enrolment.tests.factories import make_worker_user
    from gonghui.members.models import Worker

    user = make_worker_user(env.tree.g2, migrant=True, name="西城农民工")
    return up.apply(by=user, worker=Worker.objects.unscoped().get(user=user), data={
        "school": "西城开放大学", "programme": "会计", "level": "diploma", "fee": "5000", "subsidy_asked": "2000"})


def _session_form(obj):
    from gonghui.courses.tests.helpers import today

    day = today().isoformat()
    return {"starts_at": f"{day}T00:00", "ends_at": f"{day}T00:30", "topic": "西城课次", "teacher": "王老师",
            "place": "西城职工学校"}


def _session_json(obj):
    from gonghui.courses.tests.helpers import today

    day = today().isoformat()
    return {"starts_at": f"{day}T00:00:00+08:00", "ends_at": f"{day}T00:30:00+08:00", "topic": "西城课次",
            "teacher": "王老师", "place": "西城职工学校"}


def _scores(obj):
    from gonghui.courses.tests.helpers import today

    return {"taken_on": today().isoformat(), f"score_{obj.trainee.pk}": "77"}


def _scores_json(obj):
    from gonghui.courses.tests.helpers import today

    return {"taken_on": today().isoformat(), "scores": [{"enrolment_id": obj.trainee.pk, "score": "77"}]}


COURSE_ID = {"kwargs": lambda obj: {"course_id": obj.pk}}

CASES = [
    ScopeCase("courses:console_list", _course, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.title),
    ScopeCase("courses:console_course", _course),
    ScopeCase("courses:console_edit", _course),
    ScopeCase("courses:console_publish", _draft_course, kind="change"),
    ScopeCase("courses:console_session_add", _course, kind="create", data=_session_form),
    ScopeCase("courses:console_roll_call", _session, kind="change", data=lambda obj: {"present": [obj.trainee.pk]}),
    ScopeCase("courses:console_session_edit", _session, kind="change", data=_session_form),
    ScopeCase("courses:console_results", _course_with_trainee, kind="change", data=_scores),
    ScopeCase("courses:console_evaluate", _ready_course, kind="change"),
    ScopeCase("courses:console_subsidies", _passed_course, kind="change"),
    ScopeCase("courses:console_results_xlsx", _passed_course),
    ScopeCase("courses:console_certificate_pdf", _certificate),
    ScopeCase("courses:console_certificate_revoke", _certificate, kind="change", data=lambda obj: {"reason": "作废"}),
    ScopeCase("courses:console_targets", _target, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.occupation),
    ScopeCase("courses:console_uplift", _uplift, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.worker.name),
    ScopeCase("GET /api/v1/courses/", _course, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.title),
    ScopeCase("GET /api/v1/courses/{int:course_id}", _course, **COURSE_ID),
    ScopeCase("POST /api/v1/courses/{int:course_id}/publish", _draft_course, kind="change", **COURSE_ID),
    ScopeCase("GET /api/v1/courses/{int:course_id}/sessions", _course, **COURSE_ID),
    ScopeCase("POST /api/v1/courses/{int:course_id}/sessions", _course, kind="create", data=_session_json,
              **COURSE_ID),
    ScopeCase("PUT /api/v1/courses/sessions/{int:session_id}", _session, kind="change", data=_session_json,
              kwargs=lambda obj: {"session_id": obj.pk}),
    ScopeCase("GET /api/v1/courses/sessions/{int:session_id}/attendance", _session,
              kwargs=lambda obj: {"session_id": obj.pk}),
    ScopeCase("PUT /api/v1/courses/sessions/{int:session_id}/attendance", _session, kind="change",
              kwargs=lambda obj: {"session_id": obj.pk}, data=lambda obj: {"present": [obj.trainee.pk]}),
    ScopeCase("GET /api/v1/courses/{int:course_id}/results", _course_with_trainee, **COURSE_ID),
    ScopeCase("PUT /api/v1/courses/{int:course_id}/results", _course_with_trainee, kind="change", data=_scores_json,
              **COURSE_ID),
    ScopeCase("POST /api/v1/courses/{int:course_id}/evaluate", _ready_course, kind="change", **COURSE_ID),
    ScopeCase("GET /api/v1/courses/{int:course_id}/certificates", _passed_course, **COURSE_ID),
    ScopeCase("POST /api/v1/courses/{int:course_id}/subsidies", _passed_course, kind="change", **COURSE_ID),
    ScopeCase("GET /api/v1/courses/targets", _target, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.occupation),
    ScopeCase("GET /api/v1/courses/uplift/applications", _uplift, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.worker.name),
    ScopeCase("GET /api/v1/courses/uplift/applications/{int:application_id}", _uplift,
              kwargs=lambda obj: {"application_id": obj.pk}),
]

EXEMPT = {
    "courses:portal_list": "the worker's own list: courses their union or its ancestors publish for them (the "
                           "enrolment audience rule), their own certificates; no staff rows (test_views)",
    "courses:portal_detail": "a course the worker may join or has joined, else 404 (test_views)",
    "courses:my_certificates": "the worker's own certificates, by account (test_views)",
    "courses:my_certificate_pdf": "the worker's own certificate, by account; another's is 404 (test_views)",
    "courses:uplift": "the worker's own uplift applications, by account (test_views)",
    "courses:uplift_apply": "the worker applies for themselves; the case opens at their own union (test_views)",
    "courses:uplift_proof": "the applicant's own application only; anybody else gets 404 (test_views)",
    "courses:verify": "the public certificate check: no sign-in, by exact number, the name masked (test_views)",
    "courses:console_create": "creates a course only at a union in the caller's own courses.change scope (the "
                              "form lists no other, the service refuses one); reads no rows (test_views)",
    "POST /api/v1/courses/": "creates a course only at a union in the caller's own courses.change scope; the "
                             "service refuses others with 403 (test_api)",
    "GET /api/v1/courses/certificates/mine": "the worker's own certificates, by account",
    "GET /api/v1/courses/certificates/verify": "the public certificate check, no sign-in, name masked (test_api)",
    "POST /api/v1/courses/targets": "sets a target only at a union in the caller's own courses.approve scope; the "
                                    "service refuses others with 403 (test_services)",
    "GET /api/v1/courses/uplift/mine": "the worker's own applications, by account",
    "POST /api/v1/courses/uplift/applications": "the worker applies for themselves at their own union (test_api)",
    "POST /api/v1/courses/uplift/applications/{int:application_id}/proof": "the applicant only (staff and other "
                                                                          "workers get 404; test_api)",
}
