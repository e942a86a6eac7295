"""Shared view plumbing: the scoped base views every console page uses, and error pages."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from gonghui.core.scope import ScopedQuerySet, has_permission


class StaffRequiredMixin(LoginRequiredMixin):
    """Console pages are for union staff and partners; workers get 404 (the console is not theirs)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.kind == "worker":
            return render(request, "core/error.html", {"status": 404, "message": _("页面不存在。")},
                          status=404)
        return super().dispatch(request, *args, **kwargs)


class ScopedViewMixin(StaffRequiredMixin):
    """Rows come only through ``Model.objects.visible_to(user, permission)``.

    ``get_queryset`` must return a scoped queryset; an unscoped one raises ScopeError when it runs.
    """

    model = None
    permission: str = ""  # e.g. "orgs.view": what the page needs to see a row at all

    def base_queryset(self) -> ScopedQuerySet:
        if not self.permission:
            raise PermissionDenied
        return self.model.objects.visible_to(self.request.user, self.permission)

    def get_queryset(self):
        return self.base_queryset()

    def dispatch(self, request, *args, **kwargs):
        # Workers fall through to StaffRequiredMixin's 404: the console is not theirs.
        if (request.user.is_authenticated and request.user.kind != "worker" and self.permission
                and not has_permission(request.user, self.permission)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedListView(ScopedViewMixin, ListView):
    # 20 rows by default, as Chinese admin consoles do; staff may ask for 50 or 100 (?per_page=).
    # Every row costs template time, so the default is what most visits need.
    paginate_by = 20
    page_sizes = (20, 50, 100)

    def get_paginate_by(self, queryset):
        try:
            size = int(self.request.GET.get("per_page", ""))
        except ValueError:
            return self.paginate_by
        return size if size in self.page_sizes else self.paginate_by

    # Query parameters the list filters on; the page gets them back as ``filters`` so the form,
    # the empty state and the pagination links keep them.
    filter_names: tuple[str, ...] = ()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_sizes"] = self.page_sizes
        ctx["filters"] = {name: self.request.GET.get(name, "") for name in self.filter_names}
        return ctx

    def get_template_names(self):
        # HTMX asks for the table alone when filters change.
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [self.partial_template_name]
        return super().get_template_names()

    partial_template_name = ""


class ScopedDetailView(ScopedViewMixin, DetailView):
    pass


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def error_response(request, status: int, code: str, message: str):
    if _wants_json(request):
        return JsonResponse({"code": code, "message": message}, status=status)
    return render(request, "core/error.html", {"status": status, "message": message}, status=status)


def page_not_found(request, exception=None):
    return error_response(request, 404, "not_found", _("页面不存在或您无权查看。"))


def permission_denied(request, exception=None):
    return error_response(request, 403, "forbidden", _("您没有执行此操作的权限。"))


def bad_request(request, exception=None):
    return error_response(request, 400, "bad_request", _("请求无效。"))


def server_error(request):
    return error_response(request, 500, "server_error", _("服务器出错了，请稍后再试。"))


def csrf_failure(request, reason=""):
    return error_response(request, 403, "csrf_failed", _("页面已过期或缺少安全校验，请刷新页面后重试。"))
