"""The intake part's routes for the shared scope test: every row is made inside district 2 (its
legal-aid centre sits under 西城区总工会)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.tests.scopecases import ScopeCase

API = "/api/v1/legal"


def _png(name="证据.png"):
    from gonghui.legal.tests.factories import PNG

    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _case(env):
    from gonghui.legal.tests.factories import make_legal_case

    return make_legal_case(env.tree.g2, opponent_name="西城专属劳务公司")


def _centre(env):
    from gonghui.legal.tests.factories import make_centre

    return make_centre(env.tree.d2, name="西城专属法律援助中心")


def _consultation(env):
    from gonghui.requests.tests.factories import member_user, submit

    _centre(env)
    user = member_user(env.tree.g2, name="西城咨询人")
    return submit(user, code="legal", kind="consultation", description="西城专属问题：老板欠薪三个月怎么办？",
                  migrant_worker=True)


def _answered(env):
    from gonghui.legal import services_intake

    req = _consultation(env)
    services_intake.answer_consultation(req, by=env.staff.d2_admin, answer="可以申请法律援助，由律师代为仲裁。")
    return req


def _rule(env):
    from gonghui.legal.models import EligibilityRule

    return EligibilityRule.objects.create(federation=env.tree.d2, code="west_only", label="西城专属条件",
                                          conditions={"is_woman": True})


def _d2(env):
    return env.tree.d2


def _application_form(obj):
    return {"consultation": obj.pk, "matter": "wages", "opponent_name": "西城宏达劳务公司", "facts": "老板拖欠三个月工资不给。",
            "amount_claimed": "9000", "workers_involved": "3", "applicant_phone": "13912345678", "is_migrant": "on",
            "applicant_name": "西城咨询人",
            "consent": "on", "doc_pay_records": _png(), "doc_id_card": _png()}


def _api_application(obj):
    return {"consultation_id": obj.pk, "matter": "wages", "opponent_name": "西城宏达劳务公司",
            "facts": "老板拖欠三个月工资不给。", "amount_claimed": "9000", "workers_involved": "3",
            "applicant_phone": "13912345678", "is_migrant": "true", "doc_pay_records": _png(), "doc_id_card": _png()}


CASES = [
    ScopeCase("legal:cases", _case, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.opponent_name),
    ScopeCase("legal:apply_for", _answered, kind="create", kwargs=lambda obj: {}, data=_application_form),
    ScopeCase("legal:consultations", _consultation, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.case.number),
    ScopeCase("legal:consultation", _consultation),
    ScopeCase("legal:consultation", _consultation, kind="change",
              data=lambda obj: {"answer": "可以申请劳动仲裁。", "law_cited": "", "minutes_spent": "10"}),
    ScopeCase("legal:consultation_log", _centre, kind="create", kwargs=lambda obj: {},
              data=lambda obj: {"centre": obj.pk, "channel": "visit", "name": "来访人", "phone": "13812345678",
                                "question": "被辞退没有补偿怎么办？"}),
    ScopeCase("legal:rules", _rule, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.label),
    ScopeCase("legal:rule_add", _d2, kind="create", kwargs=lambda obj: {"federation_id": obj.pk},
              data=lambda obj: {"code": "women", "label": "女职工", "facts": ["is_woman"], "order": "10",
                                "active": "on"}),
    ScopeCase("legal:rules_copy", _d2, kind="create", kwargs=lambda obj: {"federation_id": obj.pk}),
    ScopeCase("legal:rule_edit", _rule, kind="change",
              data=lambda obj: {"code": "west_only", "label": "改名", "facts": ["is_woman"], "order": "5"}),
    ScopeCase("legal:centres", _centre, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.node.name),
    ScopeCase("legal:centre", _centre, kind="change",
              data=lambda obj: {"decision_days": "6", "urgent_days": "2", "active": "on"}),
    ScopeCase(f"POST {API}/applications", _answered, kind="create", kwargs=lambda obj: {}, multipart=True,
              data=_api_application),
    ScopeCase(f"GET {API}/applications/{{int:case_id}}", _case, kwargs=lambda obj: {"case_id": obj.pk}),
    ScopeCase(f"POST {API}/applications/{{int:case_id}}/decision", _case, kind="change",
              kwargs=lambda obj: {"case_id": obj.pk},
              data=lambda obj: {"action": "approve", "version": obj.case.version, "note": "予以受理"}),
    ScopeCase(f"GET {API}/centres", _centre, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.node.name),
    ScopeCase(f"GET {API}/consultations", _consultation, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.case.number),
    ScopeCase(f"POST {API}/consultations", _centre, kind="create", kwargs=lambda obj: {},
              data=lambda obj: {"centre_id": obj.pk, "name": "来电人", "phone": "13812345678",
                                "question": "加班费怎么算？", "channel": "phone"}),
    ScopeCase(f"GET {API}/consultations/{{int:consultation_id}}", _consultation,
              kwargs=lambda obj: {"consultation_id": obj.pk}),
    ScopeCase(f"POST {API}/consultations/{{int:consultation_id}}/answer", _consultation, kind="change",
              kwargs=lambda obj: {"consultation_id": obj.pk},
              data=lambda obj: {"answer": "可以申请劳动仲裁。", "law_cited": "《劳动争议调解仲裁法》", "minutes_spent": 15}),
]

EXEMPT = {
    "legal:portal_home": "portal: lists only the signed-in worker's own applications (access.cases_for); staff "
                         "see an empty page",
    "legal:apply": "portal: the worker applies for themselves only (services refuse anyone else); reads no union's rows",
    "legal:apply_check": "portal: evaluates the posted facts against the rules in force; stores and lists nothing",
    f"POST {API}/eligibility/check": "evaluates the posted facts against the rules in force; stores and lists nothing",
    f"GET {API}/eligibility/rules": "a federation's eligibility rules are public policy (the portal shows them to "
                                    "every worker); no personal data",
}
