"""Error answers: HTML pages in Chinese for people, JSON {"code", "message"} under /api/."""

import pytest
from django.test import RequestFactory

from gonghui.core import views


def test_unknown_page_is_a_chinese_html_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "页面不存在或您无权查看。" in response.content.decode()


def test_unknown_console_page_is_a_chinese_html_404(client, staff):
    client.force_login(staff.city_admin)
    response = client.get("/console/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在或您无权查看。" in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/no-such-route", "/api/v1/orgs/not-a-number", "/api/v2/orgs/", "/api/"])
def test_unknown_api_url_is_json_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "not_found", "message": "页面不存在或您无权查看。"}


def test_api_root_is_json_404(client, db):
    # django-ninja's root view raises Http404; it still answers JSON.
    response = client.get("/api/v1/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "handler, status, code, message",
    [
        (views.page_not_found, 404, "not_found", "页面不存在或您无权查看。"),
        (views.permission_denied, 403, "forbidden", "您没有执行此操作的权限。"),
        (views.bad_request, 400, "bad_request", "请求无效。"),
        (views.csrf_failure, 403, "csrf_failed", "页面已过期或缺少安全校验，请刷新页面后重试。"),
    ],
)
def test_error_handlers_answer_json_under_api_and_html_elsewhere(db, handler, status, code, message):
    factory = RequestFactory()
    api = handler(factory.get("/api/v1/anything"))
    assert api.status_code == status
    assert api["Content-Type"].startswith("application/json")
    import json

    assert json.loads(api.content) == {"code": code, "message": message}

    page = handler(factory.get("/console/anything/"))
    assert page.status_code == status
    assert page["Content-Type"].startswith("text/html")
    assert message in page.content.decode()


def test_server_error_handler(db):
    factory = RequestFactory()
    import json

    api = views.server_error(factory.get("/api/v1/anything"))
    assert api.status_code == 500
    assert json.loads(api.content) == {"code": "server_error", "message": "服务器出错了，请稍后再试。"}
    page = views.server_error(factory.get("/"))
    assert page.status_code == 500
    assert "服务器出错了，请稍后再试。" in page.content.decode()


def test_a_disallowed_host_gets_a_chinese_400_page(client, db):
    # Rendered before AuthenticationMiddleware ran: the page must not need request.user.
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "请求无效。" in response.content.decode()


def test_a_disallowed_host_under_api_gets_json_400(client, db):
    response = client.get("/api/v1/health", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "message": "请求无效。"}


def test_wrong_method_on_an_api_route_is_json_405(client):
    response = client.put("/api/v1/health")
    assert response.status_code == 405
    assert response.json() == {"code": "method_not_allowed", "message": "该接口不支持 PUT 请求。"}
    assert "GET" in response["Allow"]
