"""The kb API: search and articles."""

import json

import pytest
from django.test import Client

from gonghui.kb.models import Article, ArticleVersion
from gonghui.kb.tests.articles_factories import article, fresh_synonyms  # noqa: F401
from gonghui.requests.tests.factories import member_user

pytestmark = pytest.mark.django_db
BASE = "/api/v1/kb"


def login(user):
    client = Client()
    client.force_login(user)
    return client


def send(client, method, url, data=None):
    return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json")


def test_search_returns_highlighted_hits_for_the_worker(tree):
    article(tree.city, "欠薪怎么办", "<p>可以申请劳动仲裁。</p>", kind=Article.Kind.FAQ)
    article(tree.d2, "西城区欠薪求助", kind=Article.Kind.NEWS)
    data = login(member_user(tree.g1)).get(f"{BASE}/search", {"q": "欠薪怎么办"}).json()
    assert data["total"] == 1
    hit = data["results"][0]
    assert hit["title"] == "欠薪怎么办" and hit["title_html"] == "<mark>欠薪</mark>怎么办"
    assert hit["article_kind"] == "faq" and hit["url"].startswith("/kb/articles/")


@pytest.mark.parametrize("q", ['"', "(", "欠薪 AND (", "x" * 10_000, ""])
def test_search_api_never_fails(tree, q):
    article(tree.city, "欠薪怎么办")
    response = login(member_user(tree.g1)).get(f"{BASE}/search", {"q": q})
    assert response.status_code == 200


def test_search_needs_sign_in(db):
    assert Client().get(f"{BASE}/search", {"q": "欠薪"}).status_code == 401


def test_articles_list_and_detail_for_a_worker(tree):
    a = article(tree.d1, "东城区入会指南", kind=Article.Kind.GUIDE)
    b = article(tree.d2, "西城区入会指南", kind=Article.Kind.GUIDE)
    client = login(member_user(tree.g1))
    listed = client.get(f"{BASE}/articles/").json()
    assert [i["id"] for i in listed["items"]] == [a.pk]
    detail = client.get(f"{BASE}/articles/{a.pk}").json()
    assert detail["body_html"].startswith("<p>") and detail["node_name"] == "东城区总工会"
    assert Article.objects.unscoped().get(pk=a.pk).views == 1
    assert client.get(f"{BASE}/articles/{b.pk}").status_code == 404
    # A worker cannot ask for the staff view.
    assert client.get(f"{BASE}/articles/", {"manage": "true"}).status_code == 403


def test_staff_write_submit_publish_and_edit(tree, staff):
    client = login(staff.d1_manager)
    body = {"kind": "policy", "node_id": tree.d1.pk, "title": "东城区工资集体协商实施办法",
            "body_html": "<p onclick=x>第一条</p>", "issuing_body": "东城区总工会", "doc_number": "东工发〔2025〕8号",
            "policy_status": "in_force", "tags": ["工资集体协商"]}
    r = send(client, "post", f"{BASE}/articles/", body)
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["status"] == "draft" and data["body_html"] == "<p>第一条</p>" and data["tags"] == ["工资集体协商"]
    pk = data["id"]
    assert send(client, "post", f"{BASE}/articles/{pk}/submit").json()["status"] == "review"
    assert send(client, "post", f"{BASE}/articles/{pk}/publish", {}).json()["status"] == "published"
    r = send(client, "put", f"{BASE}/articles/{pk}", {**body, "title": "东城区工资集体协商实施办法（修订）"})
    assert r.status_code == 200 and r.json()["title"].endswith("（修订）")
    assert ArticleVersion.objects.filter(article_id=pk).count() == 1
    found = client.get(f"{BASE}/search", {"q": "工资集体协商"}).json()
    assert found["results"][0]["id"] == pk
    assert send(client, "post", f"{BASE}/articles/{pk}/unpublish").json()["status"] == "archived"


def test_bad_input_is_answered_in_chinese(tree, staff):
    client = login(staff.d1_manager)
    r = send(client, "post", f"{BASE}/articles/", {"kind": "policy", "node_id": tree.d1.pk, "title": "x",
                                                   "body_html": "<p>y</p>"})
    assert r.status_code == 422 and r.json()["message"] == "政策文件请填写发文机关。"
    r = send(client, "post", f"{BASE}/articles/", {"kind": "news", "node_id": tree.d2.pk, "title": "x",
                                                   "body_html": "<p>y</p>"})
    assert r.status_code == 404  # another district's union is not the writer's to publish at
    r = send(client, "post", f"{BASE}/articles/", {"kind": "news", "node_id": tree.d1.pk, "title": "x",
                                                   "body_html": "<p>y</p>", "category": "nope"})
    assert r.status_code == 422 and "栏目不存在" in r.json()["message"]


def test_workers_and_viewers_cannot_write(tree, staff):
    body = {"kind": "news", "node_id": tree.g1.pk, "title": "x", "body_html": "<p>y</p>"}
    assert send(login(member_user(tree.g1)), "post", f"{BASE}/articles/", body).status_code == 403
    assert send(login(staff.g1_viewer), "post", f"{BASE}/articles/", body).status_code == 403
    a = article(tree.g1, publish=False)
    assert send(login(staff.g1_handler), "post", f"{BASE}/articles/{a.pk}/publish", {}).status_code == 403


def test_search_filters_by_union_and_kind(tree, staff):
    article(tree.d1, "东城区欠薪求助", kind=Article.Kind.NEWS)
    article(tree.g1, "机械厂欠薪处理", kind=Article.Kind.FAQ)
    client = login(staff.d1_admin)
    titles = [h["title"] for h in client.get(f"{BASE}/search", {"q": "欠薪", "union": tree.g1.pk}).json()["results"]]
    assert titles == ["机械厂欠薪处理"]
    titles = [h["title"] for h in client.get(f"{BASE}/search", {"q": "欠薪", "kind": "news"}).json()["results"]]
    assert titles == ["东城区欠薪求助"]
    assert client.get(f"{BASE}/search", {"q": "欠薪", "union": 999999}).json()["total"] == 0
