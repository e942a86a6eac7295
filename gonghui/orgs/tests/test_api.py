"""GET /api/v1/orgs/: the caller's subtree only, paginated; 404 outside it; JSON 401 without auth."""

import pytest
from django.test import Client

from gonghui.accounts.services import issue_token
from gonghui.orgs.tests.factories import UnionNodeFactory

UNAUTHORIZED = {"code": "unauthorized", "message": "未登录或令牌无效，请重新登录。"}
NOT_FOUND = {"code": "not_found", "message": "找不到该记录。"}


def as_session(user):
    client = Client()
    client.force_login(user)
    return client


def get_as_bearer(user, path, **params):
    _token, plain = issue_token(user)
    return Client().get(path, params, HTTP_AUTHORIZATION=f"Bearer {plain}")


def test_list_is_the_callers_subtree(tree, staff):
    response = as_session(staff.d1_manager).get("/api/v1/orgs/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [o["name"] for o in body["items"]] == ["东城区总工会", "东城机械厂工会"]
    d1 = body["items"][0]
    assert d1 == {
        "id": tree.d1.pk, "name": "东城区总工会", "short_name": "", "kind": "district_federation",
        "kind_label": "区/县总工会", "uscc": "", "address": "", "contact_person": "", "contact_phone": "",
        "parent_id": tree.city.pk, "depth": 2, "active": True,
    }


def test_list_for_other_levels(tree, staff):
    assert [o["id"] for o in as_session(staff.d2_admin).get("/api/v1/orgs/").json()["items"]] == [
        tree.d2.pk, tree.g2.pk]
    assert [o["id"] for o in as_session(staff.g1_viewer).get("/api/v1/orgs/").json()["items"]] == [tree.g1.pk]
    assert as_session(staff.city_admin).get("/api/v1/orgs/").json()["count"] == 5


def test_list_for_a_user_without_grants_is_empty(tree):
    from gonghui.accounts.tests.factories import StaffFactory

    response = as_session(StaffFactory()).get("/api/v1/orgs/")
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


def test_list_is_paginated(tree, staff):
    for i in range(12):
        UnionNodeFactory(name=f"东城分会{i:02d}", parent=tree.d1)
    client = as_session(staff.d1_manager)
    first = client.get("/api/v1/orgs/", {"limit": 5}).json()
    second = client.get("/api/v1/orgs/", {"limit": 5, "offset": 5}).json()
    last = client.get("/api/v1/orgs/", {"limit": 5, "offset": 10}).json()
    assert first["count"] == second["count"] == last["count"] == 14
    assert len(first["items"]) == 5 and len(second["items"]) == 5 and len(last["items"]) == 4
    ids = [o["id"] for page in (first, second, last) for o in page["items"]]
    assert len(set(ids)) == 14  # no row twice, none missing
    assert first["items"][0]["name"] == "东城区总工会"  # ordered by tree path


def test_list_filters_by_kind_and_name(tree, staff):
    client = as_session(staff.city_admin)
    body = client.get("/api/v1/orgs/", {"kind": "grassroots_union"}).json()
    assert sorted(o["name"] for o in body["items"]) == ["东城机械厂工会", "西城纺织厂工会"]
    body = client.get("/api/v1/orgs/", {"q": "纺织"}).json()
    assert [o["name"] for o in body["items"]] == ["西城纺织厂工会"]
    # A filter never widens the scope.
    body = as_session(staff.d1_manager).get("/api/v1/orgs/", {"q": "纺织"}).json()
    assert body == {"items": [], "count": 0}


def test_detail_inside_the_scope(tree, staff):
    response = as_session(staff.d1_manager).get(f"/api/v1/orgs/{tree.g1.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "东城机械厂工会"
    assert response.json()["parent_id"] == tree.d1.pk


@pytest.mark.parametrize("target", ["g2", "d2", "city"])
def test_detail_outside_the_scope_is_404(tree, staff, target):
    response = as_session(staff.d1_manager).get(f"/api/v1/orgs/{getattr(tree, target).pk}")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_detail_of_a_missing_id_is_404(tree, staff):
    response = as_session(staff.city_admin).get("/api/v1/orgs/987654")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize("path", ["/api/v1/orgs/", "/api/v1/orgs/1"])
def test_unauthenticated_is_401_json(client, tree, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_bearer_auth_gives_the_same_scope(tree, staff):
    response = get_as_bearer(staff.d2_manager, "/api/v1/orgs/")
    assert response.status_code == 200
    assert [o["id"] for o in response.json()["items"]] == [tree.d2.pk, tree.g2.pk]
    assert get_as_bearer(staff.d2_manager, f"/api/v1/orgs/{tree.g2.pk}").status_code == 200
    assert get_as_bearer(staff.d2_manager, f"/api/v1/orgs/{tree.g1.pk}").status_code == 404


def test_a_bad_bearer_token_is_401_even_with_a_path_inside_scope(tree):
    response = Client().get(f"/api/v1/orgs/{tree.g1.pk}", HTTP_AUTHORIZATION="Bearer gh_forged")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_a_worker_sees_no_orgs(tree):
    from gonghui.accounts.tests.factories import WorkerUserFactory

    response = as_session(WorkerUserFactory()).get("/api/v1/orgs/")
    assert response.status_code == 200
    assert response.json()["count"] == 0
