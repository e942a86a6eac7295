"""The aid part's routes for the shared scope test: every row is made inside district 2."""

from django.utils import timezone

from gonghui.core.tests.scopecases import ScopeCase
from gonghui.hardship.models import Fund

API = "/api/v1/hardship"


def _file(env):
    from gonghui.hardship.tests.aid_factories import make_file

    return make_file(env.tree.g2)


def _fund(env):
    from gonghui.hardship.tests.aid_factories import make_fund

    return make_fund(env.tree.d2, budget="80000", name="西城区专属帮扶资金")


def _file_with_fund(env):
    _fund(env)
    return _file(env)


def _payment(env):
    from gonghui.hardship.tests.aid_factories import make_payment

    return make_payment(_file(env), fund=_fund(env), amount="600")


def _measure(env):
    from gonghui.hardship import services_aid as aid

    return aid.add_measure(_file(env), kind="job_referral", target="西城专属就业岗位", responsible="赵西城", by=None)


def _pairing(env):
    from gonghui.hardship.tests.aid_factories import make_pairing

    return make_pairing(_file(env), helper_name="西城结对人王专属")


def _d2_fund_id(file) -> int:
    return Fund.objects.unscoped().get(node_path=file.union.parent.path).pk


def _today() -> str:
    return timezone.localdate().isoformat()


def _file_kwargs(obj):
    return {"pk": obj.pk}


CASES = [
    ScopeCase("hardship:funds", _fund, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.name),
    ScopeCase("hardship:fund", _fund),
    ScopeCase("hardship:fund_edit", _fund, kind="change",
              data=lambda obj: {"budget": "90000", "name": obj.name, "note": "追加"}),
    ScopeCase("hardship:aid_list", _payment, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.file.number),
    ScopeCase("hardship:aid", _payment),
    ScopeCase("hardship:aid_approve", _payment, kind="change"),
    ScopeCase("hardship:aid_reject", _payment, kind="change", data=lambda obj: {"reason": "材料不全"}),
    ScopeCase("hardship:aid_request", _file_with_fund, kind="create", kwargs=_file_kwargs,
              data=lambda obj: {"kind": "living", "amount": "300", "fund": _d2_fund_id(obj), "reason": "生活困难"}),
    ScopeCase("hardship:plan", _file, kwargs=_file_kwargs),
    ScopeCase("hardship:measure_add", _file, kind="create", kwargs=_file_kwargs,
              data=lambda obj: {"kind": "skills_training", "target": "参加育婴师培训", "responsible": "李"}),
    ScopeCase("hardship:measure_update", _measure, kind="change",
              data=lambda obj: {"status": "in_progress", "note": "已联系"}),
    ScopeCase("hardship:pairings", _pairing, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.helper_name),
    ScopeCase("hardship:pairing", _pairing),
    ScopeCase("hardship:pairing_create", _file, kind="create", kwargs=_file_kwargs,
              data=lambda obj: {"helper_kind": "cadre", "helper_name": "钱干部", "started_on": _today()}),
    ScopeCase("hardship:pairing_contact", _pairing, kind="create",
              data=lambda obj: {"contacted_on": _today(), "way": "phone", "help_given": "电话问候"}),
    ScopeCase("hardship:pairing_end", _pairing, kind="change",
              data=lambda obj: {"ended_on": _today(), "end_reason": "已脱困"}),
    # API
    ScopeCase(f"GET {API}/funds/", _fund, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.name),
    ScopeCase(f"POST {API}/funds/", lambda env: env.tree.d2, kind="create", kwargs=lambda obj: {},
              data=lambda obj: {"union_id": obj.pk, "year": timezone.localdate().year, "source": "donation",
                                "budget": "5000"}),
    ScopeCase(f"GET {API}/funds/{{int:fund_id}}", _fund, kwargs=lambda obj: {"fund_id": obj.pk}),
    ScopeCase(f"PATCH {API}/funds/{{int:fund_id}}", _fund, kind="change", kwargs=lambda obj: {"fund_id": obj.pk},
              data=lambda obj: {"budget": "90000"}),
    ScopeCase(f"GET {API}/aid/", _payment, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.file.number),
    ScopeCase(f"POST {API}/aid/", _file_with_fund, kind="create", kwargs=lambda obj: {},
              data=lambda obj: {"file_id": obj.pk, "fund_id": _d2_fund_id(obj), "kind": "living", "amount": "300"}),
    ScopeCase(f"GET {API}/aid/{{int:aid_id}}", _payment, kwargs=lambda obj: {"aid_id": obj.pk}),
    ScopeCase(f"POST {API}/aid/{{int:aid_id}}/approve", _payment, kind="change", kwargs=lambda obj: {"aid_id": obj.pk}),
    ScopeCase(f"POST {API}/aid/{{int:aid_id}}/reject", _payment, kind="change", kwargs=lambda obj: {"aid_id": obj.pk},
              data=lambda obj: {"reason": "材料不全"}),
    ScopeCase(f"GET {API}/plans/", _measure, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.plan.file.number),
    ScopeCase(f"GET {API}/files/{{int:file_id}}/plan", _file, kwargs=lambda obj: {"file_id": obj.pk}),
    ScopeCase(f"POST {API}/files/{{int:file_id}}/plan/measures", _file, kind="create",
              kwargs=lambda obj: {"file_id": obj.pk},
              data=lambda obj: {"kind": "pairing", "target": "安排结对", "responsible": "李"}),
    ScopeCase(f"PATCH {API}/plan-measures/{{int:measure_id}}", _measure, kind="change",
              kwargs=lambda obj: {"measure_id": obj.pk}, data=lambda obj: {"status": "in_progress"}),
    ScopeCase(f"GET {API}/pairings/", _pairing, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.helper_name),
    ScopeCase(f"POST {API}/pairings/", _file, kind="create", kwargs=lambda obj: {},
              data=lambda obj: {"file_id": obj.pk, "helper_kind": "cadre", "helper_name": "钱干部"}),
    ScopeCase(f"GET {API}/pairings/{{int:pairing_id}}", _pairing, kwargs=lambda obj: {"pairing_id": obj.pk}),
    ScopeCase(f"POST {API}/pairings/{{int:pairing_id}}/contacts", _pairing, kind="create",
              kwargs=lambda obj: {"pairing_id": obj.pk},
              data=lambda obj: {"contacted_on": _today(), "way": "phone", "help_given": "电话问候"}),
    ScopeCase(f"POST {API}/pairings/{{int:pairing_id}}/end", _pairing, kind="change",
              kwargs=lambda obj: {"pairing_id": obj.pk}, data=lambda obj: {"reason": "已脱困"}),
]

EXEMPT = {
    "hardship:fund_create": "creates a fund only for a union chosen from the caller's own hardship.approve scope "
                            "(the form lists no other and the service refuses one); reads no rows "
                            "(tested in test_aid_views)",
}
