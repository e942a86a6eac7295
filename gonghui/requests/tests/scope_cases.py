from gonghui.core.tests.scopecases import ScopeCase
from gonghui.requests.tests.factories import member_user, submit


def _request_in_d2(env):
    return submit(member_user(env.tree.g2), description="西城专属诉求：加班费没有发")


def _assignee_in_d2(obj):
    from gonghui.accounts.models import User

    return {"ids": [obj.pk], "assignee": User.objects.get(username="t_d2_manager").pk}


CASES = [
    ScopeCase("requests:inbox", _request_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.case.number),
    ScopeCase("requests:export_inbox", _request_in_d2, kind="list", kwargs=lambda obj: {},
              data=lambda obj: {"state": "all"}, marker=lambda obj: obj.case.number),
    ScopeCase("requests:bulk_assign", _request_in_d2, kind="change", kwargs=lambda obj: {}, data=_assignee_in_d2),
    ScopeCase("requests:portal_done", _request_in_d2),  # staff are sent on to the console page
    # The report groups by the children of the reader's union: district 2's grassroots union shows
    # for district 2 and never for district 1.
    ScopeCase("requests:reports", _request_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.case.node.name),
    ScopeCase("GET /api/v1/requests/", _request_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.case.number),
    ScopeCase("GET /api/v1/requests/{int:request_id}", _request_in_d2,
              kwargs=lambda obj: {"request_id": obj.pk}),
]

EXEMPT = {
    "requests:portal_list": "the worker's own requests, filtered by applicant = the signed-in user; staff "
                            "see an empty list (test_views)",
    "requests:portal_new": "step 1 of submitting: a form with the categories, reads no union's rows",
    "requests:portal_describe": "step 2 of submitting: creates the caller's own request, routed by rule "
                                "(test_views)",
    "requests:log": "creates a request only inside the caller's own scope; workers are looked up through "
                    "members visible_to (test_views, test_services)",
    "requests:export": "the same scoped figures as requests:reports, as a binary .xlsx the shared test cannot "
                       "read; district 1 never sees district 2's rows (test_reports)",
    "requests:categories": "the category list is one for the whole tree; admins at the top node only "
                           "(test_views)",
    "requests:category_edit": "the category list is one for the whole tree; admins at the top node only "
                              "(test_views)",
    "POST /api/v1/requests/": "a worker submits their own request, routed by rule; staff get 403 (test_api)",
}
