"""The cases part's routes for the shared scope test: every row is made inside district 2 (its
legal-aid centre sits under 西城区总工会)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.core.tests.scopecases import ScopeCase

API = "/api/v1/legal"


def _today() -> str:
    return timezone.localdate().isoformat()


def _assigned(env):
    from gonghui.legal.tests.cases_factories import assigned_case

    return assigned_case(env.tree.g2, opponent_name="西城专属劳务公司")


def _approved(env):
    from gonghui.legal.tests.cases_factories import make_lawyer
    from gonghui.legal.tests.factories import make_legal_case

    legal_case = make_legal_case(env.tree.g2, state="approved", opponent_name="西城专属劳务公司")
    legal_case.roster_lawyer = make_lawyer(legal_case.case.node, name="西城名册律师")
    return legal_case


def _assigned_with_spare(env):
    from gonghui.legal.tests.cases_factories import make_lawyer

    legal_case = _assigned(env)
    legal_case.spare = make_lawyer(legal_case.case.node, name="西城备选律师")
    return legal_case


def _stage(env):
    from gonghui.legal import services_cases

    legal_case = _assigned(env)
    return services_cases.add_stage(legal_case, by=legal_case.lawyer.user, kind="mediation",
                                    started_on=legal_case.submitted_on)


def _document(env):
    from gonghui.legal.tests.cases_factories import add_final_document

    legal_case = _assigned(env)
    return add_final_document(legal_case, legal_case.lawyer.user)


def _with_final(env):
    from gonghui.legal.tests.cases_factories import add_final_document

    legal_case = _assigned(env)
    add_final_document(legal_case, legal_case.lawyer.user)
    return legal_case


def _reported(env):
    from gonghui.legal import services_cases
    from gonghui.legal.tests.cases_factories import add_final_document

    legal_case = _assigned(env)
    add_final_document(legal_case, legal_case.lawyer.user)
    services_cases.submit_closing_report(legal_case, by=legal_case.lawyer.user, outcome="settled",
                                         text="双方达成调解协议。", amount_awarded="8000")
    legal_case.refresh_from_db()
    return legal_case


def _lawyer(env):
    from gonghui.legal.tests.cases_factories import make_lawyer
    from gonghui.legal.tests.factories import make_centre

    return make_lawyer(make_centre(env.tree.d2).node, name="西城专属律师")


def _firm(env):
    from gonghui.legal.tests.cases_factories import make_firm
    from gonghui.legal.tests.factories import make_centre

    return make_firm(make_centre(env.tree.d2).node, name="西城专属律师事务所")


def _centre(env):
    from gonghui.legal.tests.factories import make_centre

    return make_centre(env.tree.d2)


def _upload():
    from gonghui.legal.tests.factories import PNG

    return SimpleUploadedFile("证据.png", PNG, content_type="image/png")


def _case_kwargs(obj):
    return {"case_id": obj.pk}


def _version(obj):
    obj.case.refresh_from_db()
    return obj.case.version


CASES = [
    ScopeCase("legal:case", _assigned),
    ScopeCase("legal:assign", _approved),
    ScopeCase("legal:reassign", _assigned_with_spare, kind="change",
              data=lambda obj: {"lawyer": obj.spare.pk, "reason": "原律师出差"}),
    ScopeCase("legal:stage_add", _assigned, kind="create",
              data=lambda obj: {"kind": "mediation", "started_on": _today(), "body": "西城调解委员会"}),
    ScopeCase("legal:stage_end", _stage, kind="change", data=lambda obj: {"ended_on": _today(), "result": "调解成功"}),
    ScopeCase("legal:hearing_add", _stage, kind="create",
              data=lambda obj: {"held_on": _today(), "record": "双方到场调解"}),
    ScopeCase("legal:limitation", _assigned, kind="change", data=lambda obj: {"infringed_on": _today()}),
    ScopeCase("legal:progress", _assigned, kind="create", data=lambda obj: {"text": "已与用人单位电话沟通"}),
    ScopeCase("legal:document_add", _assigned, kind="create",
              data=lambda obj: {"kind": "other", "file": _upload()}),
    ScopeCase("legal:document", _document),
    ScopeCase("legal:recovery_add", _assigned, kind="create",
              data=lambda obj: {"amount": "1000", "recovered_on": _today()}),
    ScopeCase("legal:closing_report", _assigned),
    ScopeCase("legal:close", _reported),
    ScopeCase("legal:lawyers", _lawyer, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.name),
    ScopeCase("legal:lawyer", _lawyer),
    ScopeCase("legal:lawyer_create", _centre, kind="create", kwargs=lambda obj: {},
              data=lambda obj: {"node": obj.node_id, "name": "新律师", "capacity": "5"}),
    ScopeCase("legal:firms", _firm, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.name),
    ScopeCase("legal:firm", _firm),
    ScopeCase("legal:firm_create", _centre, kind="create", kwargs=lambda obj: {},
              data=lambda obj: {"node": obj.node_id, "name": "新律师事务所"}),
    # API
    ScopeCase(f"GET {API}/cases/", _assigned, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.case.number),
    ScopeCase(f"GET {API}/cases/{{int:case_id}}", _assigned, kwargs=_case_kwargs),
    ScopeCase(f"GET {API}/cases/{{int:case_id}}/roster", _approved, kwargs=_case_kwargs),
    ScopeCase(f"POST {API}/cases/{{int:case_id}}/assign", _approved, kind="change", kwargs=_case_kwargs,
              data=lambda obj: {"version": _version(obj), "lawyer_id": obj.roster_lawyer.pk}),
    ScopeCase(f"GET {API}/cases/{{int:case_id}}/stages", _assigned, kwargs=_case_kwargs),
    ScopeCase(f"POST {API}/cases/{{int:case_id}}/stages", _assigned, kind="create", kwargs=_case_kwargs,
              data=lambda obj: {"kind": "arbitration", "started_on": _today()}),
    ScopeCase(f"POST {API}/stages/{{int:stage_id}}/end", _stage, kind="change",
              kwargs=lambda obj: {"stage_id": obj.pk}, data=lambda obj: {"ended_on": _today(), "result": "调解成功"}),
    ScopeCase(f"POST {API}/stages/{{int:stage_id}}/hearings", _stage, kind="create",
              kwargs=lambda obj: {"stage_id": obj.pk}, data=lambda obj: {"held_on": _today(), "record": "调解"}),
    ScopeCase(f"PUT {API}/cases/{{int:case_id}}/limitation", _assigned, kind="change", kwargs=_case_kwargs,
              data=lambda obj: {"infringed_on": _today()}),
    ScopeCase(f"GET {API}/cases/{{int:case_id}}/recoveries", _assigned, kwargs=_case_kwargs),
    ScopeCase(f"POST {API}/cases/{{int:case_id}}/recoveries", _assigned, kind="create", kwargs=_case_kwargs,
              data=lambda obj: {"amount": "1000", "recovered_on": _today()}),
    ScopeCase(f"POST {API}/cases/{{int:case_id}}/progress", _assigned, kind="create", kwargs=_case_kwargs,
              data=lambda obj: {"text": "已发律师函"}),
    ScopeCase(f"POST {API}/cases/{{int:case_id}}/closing-report", _with_final, kind="change", kwargs=_case_kwargs,
              data=lambda obj: {"outcome": "withdrawn", "text": "申请人撤回"}),
    ScopeCase(f"POST {API}/cases/{{int:case_id}}/close", _reported, kind="change", kwargs=_case_kwargs,
              data=lambda obj: {"version": _version(obj)}),
    ScopeCase(f"GET {API}/lawyers/", _lawyer, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.name),
]

EXEMPT = {
    "legal:my_cases": "a partner lawyer's own assignments only (access.cases_for), never a node's rows; staff see "
                      "an explanation — tested in test_cases_views (a lawyer never sees another lawyer's case)",
    "legal:rate": "the applicant's own action on their own case: staff of any district get 404 "
                  "(tested in test_cases_views)",
    f"POST {API}/cases/{{int:case_id}}/rate": "the applicant's own action on their own case: staff of any district "
                                              "get 404 (tested in test_cases_api)",
}
