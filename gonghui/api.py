"""The REST API at /api/v1/ (django-ninja). Every error is JSON {"code", "message"} in Chinese."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth

from gonghui.accounts.services import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class StaffOrWorkerSession(SessionAuth):
    """Session auth for the browser (CSRF checked on unsafe methods).

    Without a signed-in session it steps aside before the CSRF check, so a bearer client (which
    sends no cookies) is not refused; a CSRF failure is answered in Chinese like every API error.
    """

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        try:
            return super().__call__(request)
        except HttpError as e:
            if e.status_code != 403:
                raise
            raise ApiError(403, "csrf_failed", _("页面已过期或缺少安全校验，请刷新页面后重试。")) from None


api_auth = [StaffOrWorkerSession(), BearerToken()]

class UTF8JSONRenderer(JSONRenderer):
    """Chinese as characters, not \\u escapes: half the bytes for a mobile client on a weak network."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=UTF8JSONRenderer(),
    title="Gonghui API",
    version="1",
    description="网上工会 REST API：会话认证（浏览器）或 Bearer 令牌（移动端）。",
    urls_namespace="api",
    auth=api_auth,
)


def error(request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    return error(request, 422, "validation_error", _("提交的数据不正确，请检查后重试。"), errors=exc.errors)


@api.exception_handler(DjangoValidationError)
def on_domain_validation_error(request, exc):
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    first = next(iter(fields.values()))[0]
    return error(request, 422, "invalid", first, fields=fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error(request, 401, "unauthorized", _("未登录或令牌无效，请重新登录。"))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", _("找不到该记录。"))


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return error(request, 403, "forbidden", _("您没有执行此操作的权限。"))


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    if getattr(exc, "code", None):  # an ApiError: its message is already written for the person
        return error(request, exc.status_code, exc.code, str(exc.message))
    # Raised inside django-ninja (e.g. an unparseable body): its own text is English.
    code, message = {
        400: ("bad_request", _("请求无效。")),
        403: ("forbidden", _("您没有执行此操作的权限。")),
        429: ("too_many_requests", _("请求过于频繁，请稍后再试。")),
    }.get(exc.status_code, ("error", _("请求未能完成，请稍后再试。")))
    return error(request, exc.status_code, code, message)


@api.exception_handler(Exception)
def on_server_error(request, exc):
    import logging

    logging.getLogger("gonghui.api").exception("API error")
    return error(request, 500, "server_error", _("服务器出错了，请稍后再试。"))


class ApiError(HttpError):
    """An HttpError with a machine-readable code."""

    def __init__(self, status_code: int, code: str, message: str):
        super().__init__(status_code, message)
        self.code = code


def register_routers():
    from gonghui.accounts.api import router as accounts_router
    from gonghui.activities.api import router as activities_router
    from gonghui.core.api import router as core_router
    from gonghui.courses.api import router as courses_router
    from gonghui.enrolment.api import router as enrolment_router
    from gonghui.enterprise.api import router as enterprise_router
    from gonghui.hardship.api import router as hardship_router
    from gonghui.kb.api import router as kb_router
    from gonghui.ledger.api import router as ledger_router
    from gonghui.legal.api import router as legal_router
    from gonghui.members.api import router as members_router
    from gonghui.members.api_card import cards_router, me_router
    from gonghui.members.api_import import router as member_import_router
    from gonghui.members.api_join import router as join_router
    from gonghui.notifications.api import router as notifications_router
    from gonghui.orgs.api import router as orgs_router
    from gonghui.requests.api import router as requests_router
    from gonghui.workflow.api import router as cases_router

    api.add_router("", core_router)
    api.add_router("/auth", accounts_router)
    api.add_router("/orgs", orgs_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/cases", cases_router)
    api.add_router("/requests", requests_router)
    api.add_router("/enterprises", enterprise_router)
    # Fixed prefixes before "/members" so /members/{id} never shadows them.
    api.add_router("/members/me", me_router)
    api.add_router("/members/cards", cards_router)
    api.add_router("/members/imports", member_import_router)
    api.add_router("/members", members_router)
    api.add_router("/join-applications", join_router)
    api.add_router("/services", ledger_router)
    api.add_router("/hardship", hardship_router)
    api.add_router("/kb", kb_router)
    api.add_router("/legal", legal_router)
    api.add_router("/enrolments", enrolment_router)
    api.add_router("/activities", activities_router)
    api.add_router("/courses", courses_router)


register_routers()


def urls():
    """``api.urls`` with the operations grouped under their first path segment ("enrolments/",
    "kb/", …): Django tries URL patterns one by one, so a flat list of ~180 operations cost a regex
    test for each one before the operation's own (half a millisecond for the last routers, on
    every call); grouped, it is one test per router and then the router's own few. The order
    within a group is kept, so a fixed path still comes before a parameter (/members/me before
    /members/{id}), and the names stay in the "api" namespace."""
    from django.urls import include, path

    patterns, app_name, namespace = api.urls
    top, groups = [], {}
    for pattern in patterns:
        head, slash, rest = str(pattern.pattern).partition("/")
        if slash and "<" not in head:
            groups.setdefault(head, []).append(
                path(rest, pattern.callback, kwargs=pattern.default_args, name=pattern.name))
        else:
            top.append(pattern)
    return [*top, *(path(f"{head}/", include(group)) for head, group in groups.items())], app_name, namespace
