"""The shared scope test and its meta-test (see scopecases.py)."""

import json as jsonlib
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.audit.models import AuditEntry
from gonghui.core.tests.scopecases import all_routes, exemptions, registered_cases

CASES = registered_cases()


def test_every_route_is_registered_or_exempted():
    registered = {case.route for case in CASES}
    exempt = exemptions()
    missing = [r for r in all_routes() if r not in registered and r not in exempt]
    assert not missing, f"routes neither registered for the scope test nor exempted: {missing}"
    stale = [r for r in (registered | set(exempt)) if r not in set(all_routes())]
    assert not stale, f"registered or exempted routes that no longer exist: {stale}"
    assert all(reason.strip() for reason in exempt.values()), "every exemption needs a written reason"


def _url(case, obj):
    if " " in case.route:  # an API operation: fill the path parameters
        path = case.route.split(" ", 1)[1]
        for name, value in case.kwargs(obj).items():
            path = path.replace(f"{{int:{name}}}", str(value)).replace(f"{{{name}}}", str(value))
        return path
    return reverse(case.route, kwargs=case.kwargs(obj))


def _request(client, case, obj):
    url = _url(case, obj)
    data = case.data(obj)
    method = getattr(client, case.method.lower())
    if case.json or (" " in case.route and not case.multipart):
        if case.method == "GET":
            return method(url, data)
        return method(url, jsonlib.dumps(data), content_type="application/json")
    return method(url, data)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _state(obj, *, with_audit: bool):
    """The row as stored, and (for routes that may write) how many audit entries exist.

    Lists write nothing, except that an export audits itself; that entry is the stranger's own."""
    model = type(obj)
    row = model._base_manager.filter(pk=obj.pk).values().first()
    return row, AuditEntry.objects.unscoped().count() if with_audit else None


@pytest.mark.parametrize("case", CASES, ids=[c.route for c in CASES])
def test_sibling_district_cannot_touch_rows(case, tree, staff):
    env = SimpleNamespace(tree=tree, staff=staff)
    obj = case.make(env)
    stranger, owner = Client(), Client()
    stranger.force_login(staff.d1_admin)
    owner.force_login(staff.d2_admin)

    with_audit = case.kind != "list"
    before = _state(obj, with_audit=with_audit)
    response = _request(stranger, case, obj)
    if case.kind == "list":
        assert response.status_code == 200, response.content[:300]
        assert case.marker(obj) not in _body(response), f"{case.route} lists another district's row"
    else:
        assert response.status_code == 404, f"{case.route} answered {response.status_code}, not 404"
    assert _state(obj, with_audit=with_audit) == before, f"{case.route} changed something for a stranger"

    # The owner district's admin may: without this the test could pass on a broken route.
    response = _request(owner, case, obj)
    assert response.status_code in case.owner_statuses, (response.status_code, response.content[:300])
    if case.kind == "list":
        assert case.marker(obj) in _body(response), f"{case.route} does not list the owner's row"
