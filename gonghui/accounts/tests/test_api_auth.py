"""API sign-in: codes and tokens, bearer and session auth, and the JSON shape of every refusal."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import ApiToken, User
from gonghui.accounts.sms import MemoryBackend
from gonghui.accounts.tests.factories import PASSWORD, StaffFactory, WorkerUserFactory
from gonghui.audit.models import AuditEntry

PHONE = "13912345678"
UNAUTHORIZED = {"code": "unauthorized", "message": "未登录或令牌无效，请重新登录。"}
CSRF_TOKEN = "a" * 32  # a valid unmasked CSRF secret, set as cookie and header by the tests


@pytest.fixture(autouse=True)
def outbox():
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def post(client, path, data, **extra):
    return client.post(path, json.dumps(data), content_type="application/json", **extra)


def bearer(plain):
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def code_in(outbox):
    return re.search(r"验证码是(\d{6})", outbox[-1][1]).group(1)


@pytest.fixture
def boss(db):
    return StaffFactory(username="boss", display_name="王主席")


def staff_token(client, username="boss", password=PASSWORD):
    response = post(client, "/api/v1/auth/token", {"username": username, "password": password, "name": "测试"})
    assert response.status_code == 200, response.content
    return response.json()["token"]


# ----- codes -----

def test_send_code(client, db, outbox):
    response = post(client, "/api/v1/auth/code", {"phone": PHONE})
    assert response.status_code == 200
    assert response.json() == {"message": "验证码已发送。", "expires_in": 300, "trial_code": None}
    assert len(outbox) == 1 and outbox[0][0] == PHONE


def test_send_code_invalid_phone(client, db, outbox):
    response = post(client, "/api/v1/auth/code", {"phone": "12345"})
    assert response.status_code == 400
    assert response.json() == {"code": "login_code", "message": "手机号码不正确，请输入中国大陆11位手机号码。"}
    assert outbox == []


def test_send_code_again_too_soon(client, db, outbox):
    post(client, "/api/v1/auth/code", {"phone": PHONE})
    response = post(client, "/api/v1/auth/code", {"phone": PHONE})
    assert response.status_code == 429
    assert response.json() == {"code": "login_code", "message": "验证码已发送，请60秒后再试。"}
    assert len(outbox) == 1


def test_missing_body_field_is_a_422_in_chinese(client, db):
    response = post(client, "/api/v1/auth/code", {})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"] == "提交的数据不正确，请检查后重试。"
    assert any("phone" in error["loc"] for error in body["errors"])


def test_malformed_json_is_refused_as_json(client, db):
    response = client.post("/api/v1/auth/code", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "message": "请求无效。"}


# ----- tokens -----

def test_worker_token_with_phone_and_code(client, db, outbox):
    post(client, "/api/v1/auth/code", {"phone": PHONE})
    response = post(client, "/api/v1/auth/token", {"phone": PHONE, "code": code_in(outbox), "name": "我的手机"})
    assert response.status_code == 200
    body = response.json()
    assert body["token"].startswith("gh_")
    assert body["user"]["kind"] == "worker"
    assert body["user"]["username"] == f"w{PHONE}"
    token = ApiToken.objects.get()
    assert token.user == User.objects.get(phone=PHONE)
    assert token.name == "我的手机"
    # Only the hash of the token is stored.
    assert token.key_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in (token.key_hash, token.prefix)
    assert token.prefix == body["token"][:10]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)

    me = client.get("/api/v1/auth/me", **bearer(body["token"]))
    assert me.status_code == 200
    assert me.json()["kind"] == "worker"


def test_worker_token_with_a_wrong_code(client, db, outbox):
    post(client, "/api/v1/auth/code", {"phone": PHONE})
    wrong = f"{(int(code_in(outbox)) + 1) % 1_000_000:06d}"
    response = post(client, "/api/v1/auth/token", {"phone": PHONE, "code": wrong})
    assert response.status_code == 401
    assert response.json() == {"code": "login_code", "message": "验证码不正确，请核对后重新输入。"}
    assert not ApiToken.objects.exists()


def test_staff_token_with_username_and_password(client, boss):
    before = AuditEntry.objects.unscoped().filter(event="api_token.issued").count()
    plain = staff_token(client)
    response = client.get("/api/v1/auth/me", **bearer(plain))
    assert response.status_code == 200
    assert response.json() == {"id": boss.pk, "username": "boss", "display_name": "王主席", "kind": "staff"}
    assert AuditEntry.objects.unscoped().filter(event="api_token.issued", actor=boss).count() == before + 1


def test_staff_token_with_a_wrong_password(client, boss):
    response = post(client, "/api/v1/auth/token", {"username": "boss", "password": "wrong-password"})
    assert response.status_code == 401
    assert response.json() == {"code": "bad_credentials", "message": "用户名或密码不正确。"}


def test_a_worker_cannot_get_a_token_with_a_password(client, db):
    worker = WorkerUserFactory()
    worker.set_password("worker-pass-2026")
    worker.save()
    response = post(client, "/api/v1/auth/token", {"username": worker.username, "password": "worker-pass-2026"})
    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials"


def test_token_request_without_credentials(client, db):
    response = post(client, "/api/v1/auth/token", {"username": "boss"})
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "message": "请提供用户名和密码，或手机号和验证码。"}


# ----- bearer and session authentication -----

def test_me_without_authentication(client, db):
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.parametrize("header", ["Bearer gh_unknown-token", "Bearer not-even-ours", "Token abc", "Bearer "])
def test_unknown_token(client, boss, header):
    response = client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_expired_token(client, boss):
    plain = staff_token(client)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/auth/me", **bearer(plain))
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_token_of_a_disabled_user(client, boss):
    plain = staff_token(client)
    User.objects.filter(pk=boss.pk).update(is_active=False)
    response = client.get("/api/v1/auth/me", **bearer(plain))
    assert response.status_code == 401


def test_revoke_the_current_token(client, boss):
    plain = staff_token(client)
    other = staff_token(client)
    response = client.delete("/api/v1/auth/token", **bearer(plain))
    assert response.status_code == 204
    token = ApiToken.objects.get(key_hash=hashlib.sha256(plain.encode()).hexdigest())
    assert token.revoked_at is not None
    assert AuditEntry.objects.unscoped().filter(event="api_token.revoked", object_id=str(token.pk)).exists()

    response = client.get("/api/v1/auth/me", **bearer(plain))
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    # Only that token: the user's other token still works.
    assert client.get("/api/v1/auth/me", **bearer(other)).status_code == 200


def test_revoke_without_a_token(client, boss):
    client.force_login(boss)
    response = client.delete("/api/v1/auth/token")
    assert response.status_code == 400
    assert response.json() == {"code": "no_token", "message": "当前请求未使用令牌。"}


def test_bearer_use_is_recorded_at_most_once_a_minute(client, boss):
    plain = staff_token(client)
    client.get("/api/v1/auth/me", **bearer(plain))
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get("/api/v1/auth/me", **bearer(plain))
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/v1/auth/me", **bearer(plain))
    assert ApiToken.objects.get().last_used_at > first


def test_session_authentication(client, boss):
    client.force_login(boss)
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.json()["username"] == "boss"


# ----- CSRF -----

def test_session_unsafe_call_without_csrf_token_is_refused(boss):
    client = Client(enforce_csrf_checks=True)
    client.force_login(boss)
    plain = staff_token(Client())
    # A browser session sending a bearer header too: the session still needs the CSRF token.
    response = client.delete("/api/v1/auth/token", **bearer(plain))
    assert response.status_code == 403
    assert response.json() == {"code": "csrf_failed", "message": "页面已过期或缺少安全校验，请刷新页面后重试。"}
    assert ApiToken.objects.get().revoked_at is None


def test_session_unsafe_call_with_csrf_token_passes(boss):
    client = Client(enforce_csrf_checks=True)
    client.force_login(boss)
    client.cookies["csrftoken"] = CSRF_TOKEN
    response = client.delete("/api/v1/auth/token", HTTP_X_CSRFTOKEN=CSRF_TOKEN)
    # Past the CSRF check: the endpoint itself answers (this session used no token).
    assert response.status_code == 400
    assert response.json()["code"] == "no_token"


def test_bearer_client_needs_no_csrf_token(boss):
    # A mobile client sends no cookies, hence no CSRF token; its bearer token is enough.
    client = Client(enforce_csrf_checks=True)
    plain = staff_token(client)
    assert client.get("/api/v1/auth/me", **bearer(plain)).status_code == 200
    response = client.delete("/api/v1/auth/token", **bearer(plain))
    assert response.status_code == 204
    assert ApiToken.objects.get().revoked_at is not None


def test_sign_in_endpoints_need_no_csrf_token(db, outbox):
    client = Client(enforce_csrf_checks=True)
    assert post(client, "/api/v1/auth/code", {"phone": PHONE}).status_code == 200


# ----- lockout (django-axes) -----

def test_too_many_failed_staff_logins_lock_the_account(boss):
    client = Client()
    for _i in range(4):
        response = post(client, "/api/v1/auth/token", {"username": "boss", "password": "wrong-password"})
        assert response.status_code == 401
    locked = {"code": "locked_out", "message": "登录失败次数过多，账号已暂时锁定，请15分钟后再试。"}
    response = post(client, "/api/v1/auth/token", {"username": "boss", "password": "wrong-password"})
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == locked
    # Locked: even the right password is refused now, and no token is issued.
    response = post(client, "/api/v1/auth/token", {"username": "boss", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json() == locked
    assert not ApiToken.objects.exists()


def test_lockout_is_per_username(boss):
    StaffFactory(username="other")
    client = Client()
    for _i in range(5):
        post(client, "/api/v1/auth/token", {"username": "boss", "password": "wrong-password"})
    assert staff_token(client, "other")


def test_success_resets_the_failure_count(boss):
    client = Client()
    for _i in range(4):
        post(client, "/api/v1/auth/token", {"username": "boss", "password": "wrong-password"})
    staff_token(client)
    for _i in range(4):
        response = post(client, "/api/v1/auth/token", {"username": "boss", "password": "wrong-password"})
        assert response.status_code == 401
