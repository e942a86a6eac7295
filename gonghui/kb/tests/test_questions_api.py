"""/api/v1/kb/questions/…: the consultation requests, scoped; answering and FAQ over the API."""

import json

import pytest
from django.test import Client

from gonghui.kb.models import Article, SearchLog
from gonghui.kb.tests.questions_factories import answered, ask, asker, policy
from gonghui.requests.models import Request

pytestmark = pytest.mark.django_db
BASE = "/api/v1/kb/questions"


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def post(c, url, data):
    return c.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def worker(tree):
    return asker(tree.g1, name="刘建国")


def test_staff_list_the_questions_of_their_subtree(tree, staff, worker):
    mine = ask(worker, "加班费怎么算？")
    other = ask(asker(tree.g2), "西城：社保怎么交？")
    from gonghui.requests.tests.factories import submit

    not_a_question = submit(worker, kind="help")
    rows = client_for(staff.d1_manager).get(f"{BASE}/").json()["items"]
    assert [r["id"] for r in rows] == [mine.pk]
    assert rows[0]["question"] == "加班费怎么算？" and rows[0]["answered"] is False
    assert other.pk not in [r["id"] for r in rows] and not_a_question.pk not in [r["id"] for r in rows]
    assert [r["id"] for r in client_for(staff.city_admin).get(f"{BASE}/").json()["items"]] == [other.pk, mine.pk]


def test_a_worker_lists_only_their_own(tree, worker):
    mine = ask(worker, "加班费怎么算？")
    ask(asker(tree.g1), "年假怎么休？")
    rows = client_for(worker).get(f"{BASE}/").json()["items"]
    assert [r["id"] for r in rows] == [mine.pk]
    assert rows[0]["state_label"] == "已提交"  # the worker's plain words


def test_filter_answered(tree, staff, worker):
    done = answered(worker, staff.g1_handler, text="工资怎么算？")
    waiting = ask(worker, "工伤怎么认定？")
    c = client_for(staff.g1_handler)
    assert [r["id"] for r in c.get(f"{BASE}/", {"answered": "true"}).json()["items"]] == [done.pk]
    assert [r["id"] for r in c.get(f"{BASE}/", {"answered": "false"}).json()["items"]] == [waiting.pk]


def test_one_question_with_its_answer_and_linked_articles(tree, staff, worker):
    law = policy(tree.city)
    req = answered(worker, staff.g1_handler, answer="可以投诉。", articles=[law])
    data = client_for(worker).get(f"{BASE}/{req.pk}").json()
    assert data["answer"] == "可以投诉。" and data["articles"] == [
        {"id": law.pk, "title": law.title, "url": law.get_absolute_url()}]
    assert data["answered"] is True and data["answer_seconds"] >= 0 and data["on_time"] is True
    assert client_for(asker(tree.g1)).get(f"{BASE}/{req.pk}").status_code == 404
    assert client_for(staff.d2_admin).get(f"{BASE}/{req.pk}").status_code == 404


def test_answer_over_the_api(tree, staff, worker):
    law = policy(tree.city)
    req = ask(worker)
    c = client_for(staff.g1_handler)
    response = post(c, f"{BASE}/{req.pk}/answer", {"answer": "可以投诉。", "article_ids": [law.pk],
                                                   "version": req.case.version})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "closed" and response.json()["articles"][0]["id"] == law.pk
    again = post(c, f"{BASE}/{req.pk}/answer", {"answer": "再答", "version": req.case.version + 2})
    assert again.status_code == 422 and "已经答复" in again.json()["message"]
    other = ask(worker, "年假怎么休？")
    stale = post(c, f"{BASE}/{other.pk}/answer", {"answer": "再答", "version": other.case.version + 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale"


def test_answer_errors_are_chinese(tree, staff, worker):
    req = ask(worker)
    c = client_for(staff.g1_handler)
    response = post(c, f"{BASE}/{req.pk}/answer", {"answer": "  ", "version": req.case.version})
    assert response.status_code == 422 and response.json()["message"] == "请填写答复内容。"
    response = post(client_for(staff.g1_viewer), f"{BASE}/{req.pk}/answer", {"answer": "答", "version": req.case.version})
    assert response.status_code == 403
    assert post(client_for(worker), f"{BASE}/{req.pk}/answer", {"answer": "答", "version": 1}).status_code == 404


def test_publish_as_faq_over_the_api_depersonalises_by_default(tree, staff, worker):
    req = answered(worker, staff.g1_handler, text="我是刘建国，电话13912345678，欠薪怎么办？")
    response = post(client_for(staff.d1_manager), f"{BASE}/{req.pk}/faq", {})
    assert response.status_code == 201, response.content
    article = Article.objects.unscoped().get(pk=response.json()["id"])
    assert article.source_request_id == req.pk and article.status == "published"
    assert "刘建国" not in article.body_html and "13912345678" not in article.body_html
    again = post(client_for(staff.d1_manager), f"{BASE}/{req.pk}/faq", {})
    assert again.status_code == 422 and "已发布为常见问答" in again.json()["message"]
    assert post(client_for(staff.g1_handler), f"{BASE}/{req.pk}/faq", {}).status_code == 403


def test_figures_json(tree, staff, worker):
    SearchLog.objects.create(query="宠物补贴", results=0, node_path=tree.g1.path)
    answered(worker, staff.g1_handler)
    data = client_for(staff.d1_manager).get(f"{BASE}/figures").json()
    assert data["zero_result_queries"][0]["query"] == "宠物补贴"
    assert data["questions"]["asked"] == 1 and data["questions"]["answered"] == 1
    assert data["answer_time"]["median_hours"] is not None
    assert client_for(worker).get(f"{BASE}/figures").status_code == 403


def test_a_worker_asks_a_consultation_through_the_requests_api(tree, worker):
    response = post(client_for(worker), "/api/v1/requests/", {"category": "wages", "kind": "consultation",
                                                              "description": "欠薪怎么办？"})
    assert response.status_code == 201
    req = Request.objects.unscoped().get(pk=response.json()["id"])
    assert client_for(worker).get(f"{BASE}/{req.pk}").json()["question"] == "欠薪怎么办？"
