from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from ninja import Router, Schema

from gonghui.accounts import services
from gonghui.api import ApiError
from gonghui.audit.services import client_ip

router = Router(tags=["auth"])


class CodeIn(Schema):
    phone: str


class CodeOut(Schema):
    message: str
    expires_in: int
    trial_code: str | None = None


class TokenIn(Schema):
    username: str | None = None
    password: str | None = None
    phone: str | None = None
    code: str | None = None
    name: str = ""


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    kind: str


class TokenOut(Schema):
    token: str
    expires_at: datetime
    user: UserOut


@router.post("/code", auth=None, response=CodeOut, summary="向职工手机发送登录验证码")
def send_code(request, payload: CodeIn):
    try:
        sent = services.send_login_code(payload.phone, ip=client_ip(request))
    except services.LoginCodeError as e:
        raise ApiError(e.status, "login_code", e.message) from None
    return {"message": _("验证码已发送。"), "expires_in": settings.LOGIN_CODE_TTL_SECONDS,
            "trial_code": services.trial_code_for(sent)}


@router.post("/token", auth=None, response=TokenOut, summary="换取访问令牌（干部：用户名+密码；职工：手机号+验证码）")
def create_token(request, payload: TokenIn):
    if payload.username and payload.password:
        # A locked-out caller never gets here: django-axes answers 429 (accounts.views.locked_out).
        user = authenticate(request, username=payload.username, password=payload.password)
        if user is None or user.kind == user.Kind.WORKER:
            raise ApiError(401, "bad_credentials", _("用户名或密码不正确。"))
        # A sign-in like the web one: django-axes resets the failure count (AXES_RESET_ON_SUCCESS).
        user_logged_in.send(sender=type(user), request=request, user=user)
    elif payload.phone and payload.code:
        try:
            user = services.verify_login_code(payload.phone, payload.code)
        except services.LoginCodeError as e:
            raise ApiError(401 if e.status == 400 else e.status, "login_code", e.message) from None
    else:
        raise ApiError(400, "bad_request", _("请提供用户名和密码，或手机号和验证码。"))
    token, plain = services.issue_token(user, name=payload.name)
    return {"token": plain, "expires_at": token.expires_at, "user": user}


@router.delete("/token", response={204: None}, summary="注销当前令牌")
def revoke_current_token(request):
    header = request.headers.get("Authorization", "")
    plain = header.split(" ", 1)[1] if header.lower().startswith("bearer ") else ""
    token = services.token_for(plain)
    if token is None:
        raise ApiError(400, "no_token", _("当前请求未使用令牌。"))
    services.revoke_token(token, by=request.user)


@router.get("/me", response=UserOut, summary="当前用户")
def me(request):
    return request.user
