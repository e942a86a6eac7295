"""Sign-in by one-time code, API tokens and grants: the account rules in one place."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts import roles
from gonghui.accounts.models import ApiToken, Grant, LoginCode, User
from gonghui.accounts.sms import get_backend
from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core.validators import clean_mobile


class LoginCodeError(Exception):
    """A code could not be sent or accepted; ``message`` is for the person, in Chinese."""

    def __init__(self, message: str, status: int = 400):
        self.message = message
        self.status = status
        super().__init__(message)


def _hash(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


@dataclass
class SentCode:
    phone: str
    code: str  # returned so that trial mode can show it; never logged outside the SMS backend


def trial_code_for(sent: SentCode) -> str | None:
    """In trial mode with the log backend the code is shown, so a new user can sign in."""
    if settings.TRIAL_MODE and getattr(get_backend(), "shows_code_in_trial", False):
        return sent.code
    return None


def send_login_code(raw_phone: str, *, ip: str | None = None) -> SentCode:
    """Send a 6-digit code to a mainland mobile, at most once a minute and 10 times a day."""
    try:
        phone = clean_mobile(raw_phone)
    except ValidationError as e:
        raise LoginCodeError(e.messages[0]) from None
    now = timezone.now()
    with transaction.atomic():
        recent = LoginCode.objects.filter(phone=phone, created_at__gte=now - timedelta(days=1))
        if recent.filter(created_at__gte=now - timedelta(seconds=settings.LOGIN_CODE_RESEND_SECONDS)).exists():
            raise LoginCodeError(_("验证码已发送，请%(s)d秒后再试。") % {"s": settings.LOGIN_CODE_RESEND_SECONDS},
                                 status=429)
        if recent.count() >= settings.LOGIN_CODE_DAILY_LIMIT:
            raise LoginCodeError(_("今天获取验证码的次数已达上限，请明天再试。"), status=429)
        # A new code replaces any earlier one.
        LoginCode.objects.filter(phone=phone, used_at__isnull=True).update(used_at=now)
        code = f"{secrets.randbelow(1_000_000):06d}"
        LoginCode.objects.create(
            phone=phone, code_hash=_hash(f"{phone}:{code}"), created_at=now,
            expires_at=now + timedelta(seconds=settings.LOGIN_CODE_TTL_SECONDS), ip=ip,
        )
    minutes = settings.LOGIN_CODE_TTL_SECONDS // 60
    get_backend().send(phone, _("【网上工会】您的登录验证码是%(code)s，%(m)d分钟内有效。请勿告诉他人。") % {
        "code": code, "m": minutes})
    return SentCode(phone, code)


def verify_login_code(raw_phone: str, code: str) -> User:
    """The worker's user for a valid code (created on first sign-in); the code is then spent.

    A wrong code counts an attempt (kept, though the call raises); after too many the code dies.
    """
    try:
        phone = clean_mobile(raw_phone)
    except ValidationError as e:
        raise LoginCodeError(e.messages[0]) from None
    now = timezone.now()
    error: LoginCodeError | None = None
    with transaction.atomic():
        login_code = (
            LoginCode.objects.select_for_update()
            .filter(phone=phone, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if login_code is None:
            error = LoginCodeError(_("请先获取验证码。"))
        elif login_code.expires_at <= now:
            error = LoginCodeError(_("验证码已过期，请重新获取。"))
        elif login_code.attempts >= settings.LOGIN_CODE_MAX_ATTEMPTS:
            error = LoginCodeError(_("验证码错误次数过多，请重新获取。"), status=429)
        elif not hmac.compare_digest(login_code.code_hash, _hash(f"{phone}:{(code or '').strip()}")):
            login_code.attempts += 1
            login_code.save(update_fields=["attempts"])
            error = LoginCodeError(_("验证码不正确，请核对后重新输入。"))
        else:
            login_code.used_at = now
            login_code.save(update_fields=["used_at"])
            return _worker_user_for(phone)
    raise error


def _worker_user_for(phone: str) -> User:
    user = User.objects.filter(phone=phone).first()
    if user is None:
        user = User.objects.create(username=f"w{phone}", phone=phone, kind=User.Kind.WORKER)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        from gonghui.members.models import Worker

        Worker.objects.unscoped().filter(mobile=phone, user__isnull=True).update(user=user)
    if not user.is_active:
        raise LoginCodeError(_("该账号已停用，请联系所在工会。"), status=403)
    return user


# ----- API tokens -----

TOKEN_PREFIX = "gh_"


def issue_token(user: User, *, name: str = "") -> tuple[ApiToken, str]:
    """A new bearer token; the plain token is returned once and only its hash is stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, key_hash=hashlib.sha256(plain.encode()).hexdigest(), prefix=plain[:10], name=name,
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
    )
    record(user, AuditEntry.Action.SECURITY, token, event="api_token.issued", node=None)
    return token, plain


def token_for(plain: str) -> ApiToken | None:
    """The valid token for a plain bearer string, or None."""
    if not plain or not plain.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hashlib.sha256(plain.encode()).hexdigest())
        .first()
    )
    if token is None or not token.is_valid or not token.user.is_active:
        return None
    return token


def user_for_token(plain: str) -> User | None:
    token = token_for(plain)
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute, so reads do not turn into writes on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_token(token: ApiToken, *, by) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(by, AuditEntry.Action.SECURITY, token, event="api_token.revoked")


# ----- grants -----

@transaction.atomic
def grant_role(user: User, node, role: str, *, by) -> Grant:
    if role not in roles.ROLES or not roles.ROLES[role].grantable_on_node:
        raise ValidationError({"role": [_("该角色不能按组织授予。")]})
    if user.kind != User.Kind.STAFF:
        raise ValidationError({"user": [_("只有工会干部账号可以按组织授权。")]})
    grant, created = Grant.objects.unscoped().get_or_create(
        user=user, node=node, role=role, defaults={"created_by": by}
    )
    if created:
        record(by, AuditEntry.Action.CREATE, grant, event="grant.created",
               changes={"user": [None, user.pk], "node": [None, node.pk], "role": [None, role]})
    return grant


@transaction.atomic
def revoke_grant(grant: Grant, *, by) -> None:
    record(by, AuditEntry.Action.DELETE, grant, event="grant.revoked",
           changes={"user": [grant.user_id, None], "node": [grant.node_id, None], "role": [grant.role, None]})
    grant.delete()
