import datetime

from gonghui.core.tests.scopecases import ScopeCase
from gonghui.enterprise.tests.factories import make_enterprise, make_visit


def _enterprise_in_d2(env):
    return make_enterprise(env.tree.d2, name="西城专属纺织有限公司", union=env.tree.g2)


def _visit_in_d2(env):
    return make_visit(_enterprise_in_d2(env), problems=(("safety", "西城车间通风不足"),))


def _problem_in_d2(env):
    return _visit_in_d2(env).created_problems[0]


def _enterprise_form(obj):
    return {"name": "改名后的纺织有限公司", "node": obj.node_id, "union": obj.union_id or ""}


def _visit_form(obj):
    return {"visited_on": (datetime.date.today() - datetime.timedelta(days=1)).isoformat(), "node": obj.node_id,
            "other_participants": "走访组", "problems-TOTAL_FORMS": "1", "problems-INITIAL_FORMS": "0",
            "problems-0-kind": "wages", "problems-0-description": "工资推迟发放"}


def _visit_json(obj):
    return {"visited_on": (datetime.date.today() - datetime.timedelta(days=1)).isoformat(),
            "other_participants": "走访组", "problems": [{"kind": "wages", "description": "工资推迟发放"}]}


CASES = [
    ScopeCase("enterprise:list", _enterprise_in_d2, kind="list", kwargs=lambda obj: {}),
    ScopeCase("enterprise:detail", _enterprise_in_d2),
    ScopeCase("enterprise:edit", _enterprise_in_d2, kind="change", data=_enterprise_form),
    ScopeCase("enterprise:visit_create", _enterprise_in_d2, kind="create", data=_visit_form),
    ScopeCase("enterprise:visit", _visit_in_d2),
    ScopeCase("enterprise:problems", _problem_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.description),
    ScopeCase("GET /api/v1/enterprises/", _enterprise_in_d2, kind="list", kwargs=lambda obj: {}),
    ScopeCase("GET /api/v1/enterprises/{int:enterprise_id}", _enterprise_in_d2,
              kwargs=lambda obj: {"enterprise_id": obj.pk}),
    ScopeCase("POST /api/v1/enterprises/{int:enterprise_id}/visits", _enterprise_in_d2, kind="create",
              kwargs=lambda obj: {"enterprise_id": obj.pk}, data=_visit_json),
]

EXEMPT = {
    "enterprise:create": "creates an enterprise only under a union chosen from the caller's own scope (the form "
                         "lists no other and the service refuses one); reads no rows (tested in test_views)",
}
