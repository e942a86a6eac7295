"""The enrolment app's routes for the shared scope test: every row is made inside district 2."""

from gonghui.core.tests.scopecases import ScopeCase

API = "/api/v1/enrolments"


def _offering(env):
    from gonghui.enrolment.tests.factories import make_offering

    return make_offering(env.tree.g2, capacity=5, title="西城专属篮球赛")


def _enrolment(env):
    from gonghui.enrolment import services
    from gonghui.enrolment.tests.factories import make_worker_user

    return services.sign_up(_offering(env), make_worker_user(env.tree.g2, name="西城专属报名人"))


def _offering_with_worker(env):
    from gonghui.enrolment.tests.factories import make_worker_user

    offering = _offering(env)
    offering._scope_worker = make_worker_user(env.tree.g2, name="西城代报职工")
    return offering


def _token(obj):
    from gonghui.enrolment import services

    return services.make_token(obj)


CASES = [
    ScopeCase("enrolment:roster", _offering),
    ScopeCase("enrolment:roster_xlsx", _offering),
    ScopeCase("enrolment:add", _offering_with_worker, kind="change",
              data=lambda obj: {"person": obj._scope_worker.phone, "seats": 1, "reason": "电话报名"}),
    ScopeCase("enrolment:remove", _enrolment, kind="change", data=lambda obj: {"reason": "本人要求退出"}),
    ScopeCase("enrolment:check_in", _enrolment, kind="change", kwargs=lambda obj: {"pk": obj.offering_id},
              data=lambda obj: {"code": obj.code}),
    ScopeCase("enrolment:check_in_scan", _enrolment, kind="change", kwargs=lambda obj: {"token": _token(obj)}),
    ScopeCase("enrolment:figures", _offering, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.title),
    ScopeCase(f"GET {API}/offerings/{{int:offering_id}}/roster", _offering,
              kwargs=lambda obj: {"offering_id": obj.pk}),
    ScopeCase(f"POST {API}/check-in", _enrolment, kind="change", kwargs=lambda obj: {},
              data=lambda obj: {"token": _token(obj)}),
    ScopeCase(f"GET {API}/figures", _offering, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.title),
]

_OWN = ("a worker's own sign-ups: rows are filtered by the signed-in user, another person's enrolment is 404 "
        "(enrolment/tests/test_views.py, test_api.py); offerings are open to workers by the audience rule, "
        "not by staff scope")
EXEMPT = {
    "enrolment:figures_xlsx": "the .xlsx of enrolment:figures, from the same scoped figures.compute(); a zipped "
                              "file cannot be searched for a marker, so test_views.py reads it back and checks "
                              "a sibling district's offering is absent",
    "enrolment:mine": _OWN,
    "enrolment:sign_up": _OWN,
    "enrolment:cancel": _OWN,
    "enrolment:confirm": _OWN,
    f"GET {API}/mine": _OWN,
    f"POST {API}/offerings/{{int:offering_id}}/sign-up": _OWN,
    f"POST {API}/{{int:enrolment_id}}/cancel": _OWN,
    f"POST {API}/{{int:enrolment_id}}/confirm": _OWN,
}
