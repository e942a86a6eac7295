from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.core.tests.scopecases import ScopeCase
from gonghui.workflow import services
from gonghui.workflow.tests.casetypes import TEST_CASE
from gonghui.workflow.tests.test_attachments import PNG


def _case_in_d2(env):
    worker = WorkerUserFactory()
    return services.open_case(TEST_CASE.name, node=env.tree.g2, title="西城专属诉求", by=worker, applicant=worker)


def _attachment_in_d2(env):
    case = _case_in_d2(env)
    return services.add_attachment(case, services.Upload("工资条.png", PNG), by=case.applicant)


def _png(obj):
    return {"file": SimpleUploadedFile("照片.png", PNG, content_type="image/png")}


def _case_id(obj):
    return {"case_id": obj.pk}


CASES = [
    ScopeCase("workflow:case", _case_in_d2),
    ScopeCase("workflow:portal_case", _case_in_d2),  # staff are sent on to the console page
    ScopeCase("workflow:transition", _case_in_d2, kind="change",
              kwargs=lambda obj: {"pk": obj.pk, "name": "accept"}, data=lambda obj: {"accept-version": obj.version}),
    ScopeCase("workflow:comment", _case_in_d2, kind="create", data=lambda obj: {"text": "我来看看"}),
    ScopeCase("workflow:attach", _case_in_d2, kind="create", data=_png),
    ScopeCase("workflow:download", _attachment_in_d2),
    ScopeCase("GET /api/v1/cases/{int:case_id}", _case_in_d2, kwargs=_case_id),
    ScopeCase("GET /api/v1/cases/{int:case_id}/transitions", _case_in_d2, kwargs=_case_id),
    ScopeCase("POST /api/v1/cases/{int:case_id}/transitions/{name}", _case_in_d2, kind="change",
              kwargs=lambda obj: {"case_id": obj.pk, "name": "accept"}, data=lambda obj: {"version": obj.version}),
    ScopeCase("GET /api/v1/cases/{int:case_id}/comments", _case_in_d2, kwargs=_case_id),
    ScopeCase("POST /api/v1/cases/{int:case_id}/comments", _case_in_d2, kind="create", kwargs=_case_id,
              data=lambda obj: {"text": "我来看看"}),
    ScopeCase("GET /api/v1/cases/{int:case_id}/attachments", _case_in_d2, kwargs=_case_id),
    ScopeCase("POST /api/v1/cases/{int:case_id}/attachments", _case_in_d2, kind="create", kwargs=_case_id,
              data=_png, multipart=True),
]

EXEMPT = {
    "workflow:diagram": "draws a case type's declaration (states and transitions); reads no rows",
    "workflow:calendar": "the holiday calendar is one for the whole tree, not a union's rows; only admins "
                         "at the top node may open it (tested in test_views)",
    "workflow:delete_override": "the holiday calendar is one for the whole tree; top-node admins only (test_views)",
}
