"""Joining online's routes for the shared scope test."""

from gonghui.core.tests.scopecases import ScopeCase


def _application_in_d2(env):
    from gonghui.members.tests.join_helpers import applicant, apply

    application, _created = apply(applicant(), env.tree.g2, name="西城入会申请人")
    return application


def _union_in_d2(env):
    return env.tree.g2


CASES = [
    ScopeCase("members:join_list", _application_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.case.number),
    ScopeCase("members:join_reveal_id", _application_in_d2, owner_statuses=(200,), http_method="POST"),
    ScopeCase("members:join_qr", _union_in_d2, owner_statuses=(200,)),
    # Staff are sent on to the console's case page (the engine's access rule: 404 outside the subtree).
    ScopeCase("my_union:join_done", _application_in_d2),
    ScopeCase("GET /api/v1/join-applications/", _application_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.case.number),
    ScopeCase("GET /api/v1/join-applications/{int:application_id}", _application_in_d2,
              kwargs=lambda obj: {"application_id": obj.pk}),
]

_PUBLIC_UNIONS = ("lists the names of active unions that take join applications (at most 20 a query): public "
                  "information a worker needs to find their union, no personal data and no union's rows "
                  "beyond its name and place in the tree (test_join_views, test_join_api)")

EXEMPT = {
    "my_union:join_start": _PUBLIC_UNIONS,
    "GET /api/v1/join-applications/unions": _PUBLIC_UNIONS,
    "my_union:join_apply": "a signed-in worker applies to any union that takes applications (that is the "
                           "point: any worker may join); it shows only the union's name and creates the "
                           "caller's own application; staff see a notice and no form (test_join_views)",
    "my_union:join_id_check": "checks the structure of the ID number typed on the form (checksum, birth date); "
                              "reads no row and never says whether anyone is registered (test_join_views)",
    "my_union:join_mine": "the signed-in worker's own applications (case applicant = the caller); no id in "
                          "the URL; staff see an empty list (test_join_views)",
    "POST /api/v1/join-applications/": "a signed-in worker submits their own application; staff get 403 "
                                       "(test_join_api)",
}
