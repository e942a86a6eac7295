"""The core part's routes for the shared scope test (rows made inside district 2)."""

import datetime

from gonghui.core.tests.scopecases import ScopeCase


def _file_in_d2(env, **kw):
    from gonghui.hardship.tests.factories import HardshipFileFactory

    return HardshipFileFactory(union=env.tree.g2, worker__name="西城专属困难户", **kw)


def _draft_in_d2(env):
    return _file_in_d2(env, status="draft", category="", assessed=False, registered_on=None)


def _member_in_d2(env):
    from gonghui.hardship.models import HouseholdMember

    return HouseholdMember.objects.unscoped().get(file=_file_in_d2(env))


def _income_in_d2(env):
    from gonghui.hardship import services_core as svc

    return svc.add_income(_file_in_d2(env), by=None, source="wages", annual_amount="1200")


def _document_in_d2(env):
    from gonghui.hardship import services_core as svc
    from gonghui.workflow.services import Upload

    return svc.add_document(_file_in_d2(env), Upload("西城材料.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64), "income",
                            by=None)


def _application_in_d2(env):
    from gonghui.hardship import registration
    from gonghui.requests.tests.factories import member_user

    user = member_user(env.tree.g2, name="西城专属申请人")
    return registration.apply_online(user.worker, by=user, statement="家里老人住院，孩子上学，入不敷出。",
                                     main_cause="serious_illness")


def _hardship_request_in_d2(env):
    from gonghui.requests.tests.factories import member_user, submit

    user = member_user(env.tree.g2, name="西城求助人")
    return submit(user, code="hardship", description="西城专属：家里老人住院，孩子上学，生活困难。")


def _policy_in_d2(env):
    from gonghui.hardship.models import PolicyVersion

    return PolicyVersion.objects.create(node=env.tree.d2, effective_from=datetime.date(2026, 1, 1),
                                        params={"min_living_standard": "900"}, note="西城专属政策")


def _worker_in_d2(env):
    from gonghui.requests.tests.factories import member_user

    return member_user(env.tree.g2, name="西城专属职工").worker


def _file_form(obj):
    return {"main_cause": "laid_off", "address": "改过的地址", "phone": "13900000000"}


def _file_kwargs(obj):
    return {"pk": obj.pk}


CASES = [
    ScopeCase("hardship:files", _file_in_d2, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.number),
    ScopeCase("hardship:file_detail", _file_in_d2),
    ScopeCase("hardship:file_edit", _file_in_d2, kind="change", data=_file_form),
    ScopeCase("hardship:file_add", _file_in_d2, kind="create",
              kwargs=lambda obj: {"pk": obj.pk, "what": "income"},
              data=lambda obj: {"source": "wages", "annual_amount": "100"}),
    ScopeCase("hardship:member_edit", _member_in_d2, kind="change",
              kwargs=lambda m: {"pk": m.file_id, "member_id": m.pk},
              data=lambda m: {"health": "serious", "work_status": "unable", "school": ""}),
    ScopeCase("hardship:row_remove", _income_in_d2, kind="delete",
              kwargs=lambda r: {"pk": r.file_id, "what": "income", "row": r.pk}),
    ScopeCase("hardship:file_assess", _file_in_d2, kind="change"),
    ScopeCase("hardship:document", _document_in_d2),
    ScopeCase("hardship:applications", _application_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda a: a.file.worker.name),
    ScopeCase("hardship:apply_from_request", _hardship_request_in_d2, kwargs=lambda r: {"pk": r.pk}),
    ScopeCase("hardship:policies", _policy_in_d2, kind="list", kwargs=lambda obj: {}, marker=lambda v: v.note),
    ScopeCase("GET /api/v1/hardship/files/", _file_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.number),
    ScopeCase("GET /api/v1/hardship/files/{int:file_id}", _file_in_d2, kwargs=lambda obj: {"file_id": obj.pk}),
    ScopeCase("POST /api/v1/hardship/files/", _worker_in_d2, kind="create", kwargs=lambda obj: {},
              data=lambda w: {"worker_id": w.pk}),
    ScopeCase("POST /api/v1/hardship/files/{int:file_id}/apply", _draft_in_d2, kind="change",
              kwargs=lambda obj: {"file_id": obj.pk},
              data=lambda obj: {"statement": "下岗后家里只有一份低收入，孩子上大学。"}),
    ScopeCase("GET /api/v1/hardship/policies/", _policy_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda v: v.note),
    ScopeCase("POST /api/v1/hardship/policies/", lambda env: env.tree.d2, kind="create", kwargs=lambda obj: {},
              data=lambda node: {"node_id": node.pk, "effective_from": "2026-01-01",
                                 "params": {"min_living_standard": "999"}}),
]

EXEMPT = {
    "hardship:file_create": "the worker is looked up only among members of the caller's hardship.change subtree and "
                            "the file is made at their own union (tested in test_core_views: a worker of another "
                            "district is 'not found')",
    "hardship:policy_create": "offers only federations in the caller's hardship.policy subtree and the service refuses "
                              "others (tested in test_core_views.test_policy_pages)",
    "hardship:apply": "portal: the signed-in worker applies for their own household only",
    "hardship:self_check": "portal: a questionnaire computed in memory, nothing is read or stored (tested)",
    "hardship:me": "portal: the signed-in worker's own file and ledger rows only",
    "hardship:notice": "portal: masked names of the signed-in worker's own union only (tested in "
                       "test_core_views.test_portal_notice_masks_names)",
    "GET /api/v1/hardship/me": "the caller's own worker record only (404 for accounts without one)",
    "POST /api/v1/hardship/me/apply": "the caller applies for their own household only",
}
