"""Sign-in pages (staff and worker), logout, password, profile and the grants page."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.forms import PasswordChangeForm
from django.forms import ModelChoiceField
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gonghui.accounts.models import Grant, User
from gonghui.accounts.sms import MemoryBackend
from gonghui.accounts.tests.factories import PASSWORD, StaffFactory, WorkerUserFactory
from gonghui.audit.models import AuditEntry

PHONE = "13912345678"
NEW_PASSWORD = "a-much-longer-pass-2026"


@pytest.fixture(autouse=True)
def outbox():
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def django_message(lazy_message) -> str:
    """A message of Django's own, as it reads in the site language."""
    with translation.override("zh-hans"):
        return str(lazy_message)


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


def audit():
    return AuditEntry.objects.unscoped()


def field_error_html(response, field: str) -> str:
    html = response.content.decode()
    match = re.search(rf'id="id_{field}-errors">(.*?)</div>', html, re.S)
    assert match, f"no error shown next to {field}"
    return match.group(1)


# ----- staff login -----

def test_staff_login_page_is_chinese(db):
    response = Client().get(reverse("accounts:staff_login"))
    assert response.status_code == 200
    assert "工会干部登录" in response.content.decode()


def test_staff_login_success(staff):
    client = Client()
    response = client.post(reverse("accounts:staff_login"), {"username": "t_d1_admin", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("console:home")
    assert str(logged_in_user_id(client)) == str(staff.d1_admin.pk)
    entry = audit().get(event="staff.login")
    assert entry.actor == staff.d1_admin and entry.action == AuditEntry.Action.LOGIN


def test_staff_login_follows_a_safe_next(staff):
    response = Client().post(reverse("accounts:staff_login") + "?next=/console/orgs/",
                             {"username": "t_d1_admin", "password": PASSWORD, "next": "/console/orgs/"})
    assert response["Location"] == "/console/orgs/"
    response = Client().post(reverse("accounts:staff_login"),
                             {"username": "t_d1_admin", "password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == reverse("console:home")


def test_staff_login_failure_in_chinese(staff):
    client = Client()
    response = client.post(reverse("accounts:staff_login"), {"username": "t_d1_admin", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["用户名或密码不正确。"]
    assert "用户名或密码不正确。" in response.content.decode()
    assert logged_in_user_id(client) is None
    assert not audit().filter(event="staff.login").exists()


def test_a_worker_cannot_use_the_staff_login(db):
    worker = WorkerUserFactory()
    worker.set_password("worker-pass-2026")
    worker.save()
    client = Client()
    response = client.post(reverse("accounts:staff_login"),
                           {"username": worker.username, "password": "worker-pass-2026"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["职工请使用手机号和验证码登录。"]
    assert "职工请使用手机号和验证码登录。" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_a_disabled_staff_account_cannot_sign_in(db):
    StaffFactory(username="gone", is_active=False)
    response = Client().post(reverse("accounts:staff_login"), {"username": "gone", "password": PASSWORD})
    assert response.status_code == 200
    assert "用户名或密码不正确。" in response.content.decode()


def test_staff_login_lockout_after_five_failures(staff):
    client = Client()
    for _i in range(4):
        response = client.post(reverse("accounts:staff_login"), {"username": "t_d1_admin", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("accounts:staff_login"), {"username": "t_d1_admin", "password": "wrong"})
    assert response.status_code == 429
    assert "登录失败次数太多，为保护账号安全，已暂停登录。请15分钟后再试。" in response.content.decode()
    # The right password does not get through while locked.
    response = client.post(reverse("accounts:staff_login"), {"username": "t_d1_admin", "password": PASSWORD})
    assert response.status_code == 429
    assert logged_in_user_id(client) is None


def test_missing_csrf_token_on_a_form_post_is_403_in_chinese(staff):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:staff_login"), {"username": "t_d1_admin", "password": PASSWORD})
    assert response.status_code == 403
    assert "页面已过期或缺少安全校验，请刷新页面后重试。" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_form_post_with_the_csrf_token_passes(staff):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("accounts:staff_login"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = client.post(reverse("accounts:staff_login"),
                           {"username": "t_d1_admin", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_a_signed_in_staff_member_is_sent_on_from_the_login_page(staff):
    response = as_user(staff.d1_admin).get(reverse("accounts:staff_login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("console:home")


# ----- worker login -----

def test_worker_login_in_two_steps(db, outbox):
    client = Client()
    response = client.get(reverse("accounts:worker_login"))
    assert response.status_code == 200
    assert response.context["step"] == "phone"

    response = client.post(reverse("accounts:worker_login"), {"phone": "139 1234 5678"})
    assert response.status_code == 200
    assert response.context["step"] == "code"
    assert response.context["phone"] == PHONE
    assert "验证码已发送到 13912345678" in response.content.decode()
    assert len(outbox) == 1
    code = re.search(r"验证码是(\d{6})", outbox[0][1]).group(1)
    assert code not in response.content.decode()  # not shown outside trial mode

    response = client.post(reverse("accounts:worker_login"), {"phone": PHONE, "code": code})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    user = User.objects.get(phone=PHONE)
    assert user.kind == User.Kind.WORKER
    assert str(logged_in_user_id(client)) == str(user.pk)
    assert audit().filter(event="worker.login", actor=user).exists()


def test_worker_login_with_an_invalid_phone(db, outbox):
    response = Client().post(reverse("accounts:worker_login"), {"phone": "12345"})
    assert response.status_code == 422
    assert field_error_html(response, "phone") == "手机号码不正确，请输入中国大陆11位手机号码。"
    assert outbox == []


def test_worker_login_asking_again_too_soon(db, outbox):
    client = Client()
    client.post(reverse("accounts:worker_login"), {"phone": PHONE})
    response = client.post(reverse("accounts:worker_login"), {"phone": PHONE})
    assert response.status_code == 422
    assert field_error_html(response, "phone") == "验证码已发送，请60秒后再试。"
    assert len(outbox) == 1


def test_worker_login_with_a_wrong_code(db, outbox):
    client = Client()
    client.post(reverse("accounts:worker_login"), {"phone": PHONE})
    code = re.search(r"验证码是(\d{6})", outbox[0][1]).group(1)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:worker_login"), {"phone": PHONE, "code": wrong})
    assert response.status_code == 422
    assert response.context["step"] == "code"
    assert field_error_html(response, "code") == "验证码不正确，请核对后重新输入。"
    assert logged_in_user_id(client) is None


def test_worker_login_follows_a_local_next_only(db, outbox):
    from datetime import timedelta

    from django.utils import timezone

    from gonghui.accounts.models import LoginCode

    def sign_in(next_url):
        LoginCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))  # past the resend wait
        client = Client()
        url = reverse("accounts:worker_login") + f"?next={next_url}"
        client.post(url, {"phone": PHONE})
        code = re.search(r"验证码是(\d{6})", outbox[-1][1]).group(1)
        return client.post(url, {"phone": PHONE, "code": code})

    assert sign_in("/me/")["Location"] == "/me/"
    # An address on another site is not followed (no open redirect).
    assert sign_in("https://evil.example/")["Location"] == reverse("portal:home")
    assert sign_in("//evil.example/")["Location"] == reverse("portal:home")


# ----- logout -----

def test_logout_is_post_only(staff):
    client = as_user(staff.d1_admin)
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert logged_in_user_id(client) is not None


def test_staff_logout(staff):
    client = as_user(staff.d1_admin)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:staff_login")
    assert logged_in_user_id(client) is None
    assert audit().filter(event="logout", actor=staff.d1_admin).exists()


def test_worker_logout_goes_to_the_worker_login(db):
    client = as_user(WorkerUserFactory())
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:worker_login")
    assert logged_in_user_id(client) is None


# ----- password -----

def test_password_change(staff):
    client = as_user(staff.d1_admin)
    assert client.get(reverse("accounts:password_change")).status_code == 200
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    assert User.objects.get(pk=staff.d1_admin.pk).check_password(NEW_PASSWORD)
    assert audit().filter(event="password.changed", actor=staff.d1_admin).exists()
    # Still signed in after the change.
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_password_change_with_a_wrong_old_password(staff):
    client = as_user(staff.d1_admin)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 200
    message = django_message(PasswordChangeForm.error_messages["password_incorrect"])
    assert response.context["form"].errors["old_password"] == [message]
    assert message in response.content.decode()
    assert User.objects.get(pk=staff.d1_admin.pk).check_password(PASSWORD)


def test_password_change_refuses_a_short_password(staff):
    client = as_user(staff.d1_admin)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "short-1", "new_password2": "short-1"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert User.objects.get(pk=staff.d1_admin.pk).check_password(PASSWORD)


def test_workers_have_no_password_page(db):
    response = as_user(WorkerUserFactory()).get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:me")


# ----- profile -----

def test_profile_lists_the_users_grants(tree, staff):
    response = as_user(staff.d1_admin).get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert [(g.node, role.name) for g, role in response.context["grants"]] == [(tree.d1, "admin")]
    assert "东城区总工会" in response.content.decode()


def test_profile_needs_login(db):
    response = Client().get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:staff_login"))


def test_profile_of_a_worker_is_the_portal(db):
    response = as_user(WorkerUserFactory()).get(reverse("accounts:profile"))
    assert response["Location"] == reverse("portal:me")


def test_revoke_own_api_token_from_the_profile(staff):
    from gonghui.accounts.services import issue_token

    token, _plain = issue_token(staff.d1_admin)
    client = as_user(staff.d1_admin)
    response = client.post(reverse("accounts:revoke_token", args=[token.pk]))
    assert response["Location"] == reverse("accounts:profile")
    token.refresh_from_db()
    assert token.revoked_at is not None
    # Someone else's token is left alone.
    other, _plain = issue_token(staff.d2_admin)
    client.post(reverse("accounts:revoke_token", args=[other.pk]))
    other.refresh_from_db()
    assert other.revoked_at is None


# ----- grants -----

def test_grants_page_lists_the_admins_subtree(tree, staff):
    response = as_user(staff.d1_admin).get(reverse("accounts:grants"))
    assert response.status_code == 200
    usernames = sorted(g.user.username for g in response.context["object_list"])
    assert usernames == ["t_d1_admin", "t_d1_manager", "t_g1_handler", "t_g1_viewer"]
    text = response.content.decode()
    assert "t_d2_admin" not in text
    # The node choices are only the admin's subtree.
    assert list(response.context["form"].fields["node"].queryset) == [tree.d1, tree.g1]


def test_grants_page_without_accounts_manage_is_403(staff):
    for user in (staff.d1_manager, staff.g1_handler):
        assert as_user(user).get(reverse("accounts:grants")).status_code == 403


def test_admin_grants_a_role_inside_the_subtree(tree, staff):
    newcomer = StaffFactory(username="newcomer")
    response = as_user(staff.d1_admin).post(reverse("accounts:grants"),
                                            {"username": "newcomer", "node": tree.g1.pk, "role": "handler"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:grants")
    grant = Grant.objects.unscoped().get(user=newcomer)
    assert (grant.node, grant.role, grant.created_by) == (tree.g1, "handler", staff.d1_admin)
    entry = audit().get(event="grant.created")
    assert entry.actor == staff.d1_admin
    assert entry.node == tree.g1
    assert entry.changes == {"user": [None, newcomer.pk], "node": [None, tree.g1.pk], "role": [None, "handler"]}


def test_admin_cannot_choose_a_node_outside_the_subtree(tree, staff):
    StaffFactory(username="newcomer")
    response = as_user(staff.d1_admin).post(reverse("accounts:grants"),
                                            {"username": "newcomer", "node": tree.g2.pk, "role": "admin"})
    assert response.status_code == 422
    message = django_message(ModelChoiceField.default_error_messages["invalid_choice"])
    assert response.context["form"].errors["node"] == [message]
    assert field_error_html(response, "node") == message
    assert not Grant.objects.unscoped().filter(user__username="newcomer").exists()


def test_grant_to_an_unknown_user(tree, staff):
    response = as_user(staff.d1_admin).post(reverse("accounts:grants"),
                                            {"username": "nobody", "node": tree.g1.pk, "role": "viewer"})
    assert response.status_code == 422
    assert field_error_html(response, "username") == "找不到该用户名。"


def test_grant_to_a_worker_is_refused(tree, staff):
    worker = WorkerUserFactory()
    response = as_user(staff.d1_admin).post(reverse("accounts:grants"),
                                            {"username": worker.username, "node": tree.g1.pk, "role": "viewer"})
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == ["只有工会干部账号可以按组织授权。"]
    assert not Grant.objects.unscoped().filter(user=worker).exists()


def test_partner_role_is_not_offered_on_nodes(tree, staff):
    StaffFactory(username="lawyer")
    response = as_user(staff.d1_admin).post(reverse("accounts:grants"),
                                            {"username": "lawyer", "node": tree.g1.pk, "role": "partner"})
    assert response.status_code == 422
    assert "role" in response.context["form"].errors
    assert not Grant.objects.unscoped().filter(user__username="lawyer").exists()


def test_revoke_writes_an_audit_entry(tree, staff):
    grant = Grant.objects.unscoped().get(user=staff.g1_viewer)
    response = as_user(staff.d1_admin).post(reverse("accounts:revoke_grant", args=[grant.pk]))
    assert response.status_code == 302
    assert not Grant.objects.unscoped().filter(pk=grant.pk).exists()
    entry = audit().get(event="grant.revoked")
    assert entry.action == AuditEntry.Action.DELETE
    assert entry.actor == staff.d1_admin
    assert entry.node == tree.g1
    assert entry.object_id == str(grant.pk)
    assert entry.changes == {"user": [staff.g1_viewer.pk, None], "node": [tree.g1.pk, None], "role": ["viewer", None]}


def test_revoke_outside_the_subtree_is_404(tree, staff):
    grant = Grant.objects.unscoped().get(user=staff.d2_manager)
    response = as_user(staff.d1_admin).post(reverse("accounts:revoke_grant", args=[grant.pk]))
    assert response.status_code == 404
    assert Grant.objects.unscoped().filter(pk=grant.pk).exists()
    assert not audit().filter(event="grant.revoked").exists()


def test_revoke_is_post_only(tree, staff):
    grant = Grant.objects.unscoped().get(user=staff.g1_viewer)
    assert as_user(staff.d1_admin).get(reverse("accounts:revoke_grant", args=[grant.pk])).status_code == 405
    assert Grant.objects.unscoped().filter(pk=grant.pk).exists()


def test_revoke_without_accounts_manage_is_404(tree, staff):
    grant = Grant.objects.unscoped().get(user=staff.g1_viewer)
    response = as_user(staff.d1_manager).post(reverse("accounts:revoke_grant", args=[grant.pk]))
    assert response.status_code == 404
    assert Grant.objects.unscoped().filter(pk=grant.pk).exists()
