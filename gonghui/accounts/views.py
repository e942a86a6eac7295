from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from gonghui.accounts import roles, services
from gonghui.accounts.forms import CodeLoginForm, GrantForm, PhoneForm, StaffLoginForm
from gonghui.accounts.models import Grant, User
from gonghui.audit.models import AuditEntry
from gonghui.audit.services import client_ip, record
from gonghui.core.scope import get_visible_or_404
from gonghui.core.views import ScopedListView
from gonghui.orgs.models import UnionNode


def locked_out(request, credentials, *args, **kwargs):
    """django-axes lockout answer, in Chinese, with status 429 (JSON under /api/, like every API error)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "message": _("登录失败次数过多，账号已暂时锁定，请15分钟后再试。")},
                            status=429)
    return render(request, "accounts/locked_out.html", status=429)


class StaffLoginView(LoginView):
    template_name = "accounts/staff_login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        record(self.request.user, AuditEntry.Action.LOGIN, event="staff.login")
        return response


class WorkerLoginView(View):
    """Two steps on one page: ask for a code, then sign in with it."""

    template_name = "accounts/worker_login.html"

    def get(self, request):
        if request.user.is_authenticated and request.user.is_worker:
            return redirect("portal:home")
        return render(request, self.template_name, {"phone_form": PhoneForm(), "step": "phone"})

    def post(self, request):
        if "code" not in request.POST:
            form = PhoneForm(request.POST)
            if form.is_valid():
                try:
                    sent = services.send_login_code(form.cleaned_data["phone"], ip=client_ip(request))
                except services.LoginCodeError as e:
                    form.add_error("phone", e.message)
                else:
                    code_form = CodeLoginForm(initial={"phone": sent.phone})
                    return render(request, self.template_name, {
                        "code_form": code_form, "step": "code", "phone": sent.phone,
                        "trial_code": services.trial_code_for(sent),
                    })
            return render(request, self.template_name, {"phone_form": form, "step": "phone"}, status=422)
        form = CodeLoginForm(request.POST)
        if form.is_valid():
            try:
                user = services.verify_login_code(form.cleaned_data["phone"], form.cleaned_data["code"])
            except services.LoginCodeError as e:
                form.add_error("code", e.message)
            else:
                login(request, user, backend="gonghui.accounts.backends.ModelBackend")
                record(user, AuditEntry.Action.LOGIN, event="worker.login")
                next_url = request.GET.get("next", "")
                if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                                       require_https=request.is_secure()):
                    next_url = "portal:home"  # never send a worker on to another site
                return redirect(next_url)
        return render(request, self.template_name,
                      {"code_form": form, "step": "code", "phone": request.POST.get("phone", "")}, status=422)


@require_POST
def logout_view(request):
    was_worker = request.user.is_authenticated and request.user.is_worker
    if request.user.is_authenticated:
        record(request.user, AuditEntry.Action.LOGOUT, event="logout")
    logout(request)
    return redirect("accounts:worker_login" if was_worker else "accounts:staff_login")


class StaffPasswordChangeView(PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_worker:
            return redirect("portal:me")  # workers have no password
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        record(self.request.user, AuditEntry.Action.SECURITY, event="password.changed")
        messages.success(self.request, _("密码已修改。"))
        return response


class ProfileView(LoginRequiredMixin, View):
    """The user's own page: who they are, where they may act, their API tokens."""

    def get(self, request):
        if request.user.is_worker:
            return redirect("portal:me")
        grants = (Grant.objects.unscoped().filter(user=request.user)  # a user's own grants
                  .select_related("node").order_by("node__path"))
        return render(request, "accounts/profile.html", {
            "grants": [(g, roles.ROLES.get(g.role)) for g in grants],
            "tokens": request.user.api_tokens.order_by("-created_at")[:20],
        })


class GrantListView(ScopedListView):
    """Grants at nodes inside the admin's subtree; add and revoke."""

    model = Grant
    permission = "accounts.manage"
    template_name = "accounts/grants.html"
    partial_template_name = "accounts/_grants_table.html"

    def get_queryset(self):
        qs = self.base_queryset().select_related("user", "node")
        if q := self.request.GET.get("q", "").strip():
            qs = qs.filter(user__username__contains=q)
        return qs.order_by("node__path", "user__username")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = kwargs.get("form") or self.grant_form()
        ctx["role_labels"] = {r.name: r.label for r in roles.ROLES.values()}
        ctx["q"] = self.request.GET.get("q", "")
        return ctx

    def grant_form(self, data=None):
        nodes = UnionNode.objects.visible_to(self.request.user, "accounts.manage").order_by("path")
        return GrantForm(data, nodes=nodes)

    def post(self, request):
        form = self.grant_form(request.POST)
        if form.is_valid():
            user = User.objects.filter(username=form.cleaned_data["username"]).first()
            if user is None:
                form.add_error("username", _("找不到该用户名。"))
            else:
                try:
                    services.grant_role(user, form.cleaned_data["node"], form.cleaned_data["role"], by=request.user)
                except ValidationError as e:
                    for field, errs in e.message_dict.items():
                        form.add_error(field if field in form.fields else None, errs)
                else:
                    messages.success(request, _("已授权。"))
                    return redirect("accounts:grants")
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=422)


@require_POST
def revoke_grant_view(request, pk):
    if not request.user.is_authenticated:
        return redirect("accounts:staff_login")
    grant = get_visible_or_404(Grant, request.user, "accounts.manage", pk=pk)
    services.revoke_grant(grant, by=request.user)
    messages.success(request, _("已撤销授权。"))
    return redirect("accounts:grants")


@require_POST
def revoke_token_view(request, pk):
    if not request.user.is_authenticated:
        return redirect("accounts:staff_login")
    token = request.user.api_tokens.filter(pk=pk, revoked_at__isnull=True).first()
    if token:
        services.revoke_token(token, by=request.user)
        messages.success(request, _("令牌已注销。"))
    return redirect("accounts:profile")
