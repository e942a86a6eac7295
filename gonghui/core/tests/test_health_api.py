"""The platform routes of the API: health check, OpenAPI schema and the docs page."""

import pytest
from django.db import DatabaseError

import gonghui.core.api as core_api


def test_health_is_ok_without_authentication(client, db):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"status": "ok"}


def test_health_reports_a_database_failure_as_json_500(client, db, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise DatabaseError("database is down")

    monkeypatch.setattr(core_api, "connection", BrokenConnection())
    response = client.get("/api/v1/health")
    assert response.status_code == 500
    assert response.json() == {"code": "server_error", "message": "服务器出错了，请稍后再试。"}


@pytest.fixture
def schema(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_openapi_schema_lists_the_routes(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Gonghui API"
    assert schema["info"]["version"] == "1"
    paths = schema["paths"]
    assert set(paths) >= {
        "/api/v1/health",
        "/api/v1/auth/code",
        "/api/v1/auth/token",
        "/api/v1/auth/me",
        "/api/v1/orgs/",
        "/api/v1/orgs/{org_id}",
    }
    assert "get" in paths["/api/v1/health"]
    assert set(paths["/api/v1/auth/token"]) >= {"post", "delete"}
    assert "get" in paths["/api/v1/orgs/"]


def test_openapi_schema_declares_both_auth_schemes(schema):
    schemes = schema["components"]["securitySchemes"]
    kinds = {(s["type"], s.get("scheme"), s.get("in")) for s in schemes.values()}
    assert ("http", "bearer", None) in kinds
    assert ("apiKey", None, "cookie") in kinds
    # The health check and sign-in routes need no authentication; the rest do.
    assert not schema["paths"]["/api/v1/health"]["get"].get("security")
    assert not schema["paths"]["/api/v1/auth/code"]["post"].get("security")
    assert schema["paths"]["/api/v1/auth/me"]["get"]["security"]
    assert schema["paths"]["/api/v1/orgs/"]["get"]["security"]


def test_docs_page_is_served(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "/api/v1/openapi.json" in response.content.decode()
