"""Pages of enrolment: the worker's "我的报名" and the sign-up partial; the console's roster, the
phone check-in pages and the figures. Thin: rules live in services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import qr
from gonghui.core.forms import apply_errors
from gonghui.core.scope import get_visible_or_404, has_permission, require_permission
from gonghui.core.views import error_response
from gonghui.enrolment import figures, registry, services
from gonghui.enrolment.forms import CodeForm, ReasonForm, SignUpForm, StaffAddForm
from gonghui.enrolment.models import Enrolment, Offering
from gonghui.enrolment.services import CHECK_IN, MANAGE, VIEW
from gonghui.enrolment.templatetags.enrolment import state_for

WORKER_LOGIN = "accounts:worker_login"
S = Enrolment.Status


def _own_or_404(request, pk) -> Enrolment:
    found = (Enrolment.objects.unscoped().select_related("offering", "offering__node")
             .filter(pk=pk, user=request.user).first())
    if found is None:
        raise Http404
    return found


def _back(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _staff_only(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:staff_login')}?next={request.path}")
        if request.user.kind == "worker":
            return error_response(request, 404, "not_found", _("页面不存在。"))
        return view(request, *args, **kwargs)
    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# ----- portal -----------------------------------------------------------------------------------

@login_required(login_url=WORKER_LOGIN)
def mine(request):
    """我的报名: live sign-ups first (with the QR code and code of confirmed places), then the past."""
    rows = list(Enrolment.objects.unscoped().select_related("offering", "offering__node")
                .filter(user=request.user).order_by("-created_at")[:100])
    live = [e for e in rows if e.status in Enrolment.LIVE]
    past = [e for e in rows if e.status not in Enrolment.LIVE]
    for enrolment in live:
        enrolment.detail_url = registry.detail_url(enrolment.offering)
        if enrolment.status == S.CONFIRMED and not enrolment.attended_at:
            url = qr.absolute_url(reverse("enrolment:check_in_scan", args=[services.make_token(enrolment)]), request)
            enrolment.qr = qr.qr_svg(url, title=_("签到二维码"), css_class="enrol-qr")
    for enrolment in past:
        enrolment.detail_url = registry.detail_url(enrolment.offering)
    return render(request, "enrolment/mine.html", {"live": live, "past": past})


def sign_up(request, pk):
    """POST from the sign-up partial (HTMX swaps the partial; without HTMX the page reloads)."""
    if request.method != "POST":
        return error_response(request, 405, "method_not_allowed", _("请从报名按钮提交。"))
    if not request.user.is_authenticated:
        login = reverse(WORKER_LOGIN)
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{login}?next={_back(request, reverse('enrolment:mine'))}"
            return response
        return redirect(f"{login}?next={_back(request, reverse('enrolment:mine'))}")
    offering = Offering.objects.unscoped().select_related("node").filter(pk=pk).exclude(status="draft").first()
    if offering is None:
        raise Http404
    form = SignUpForm(offering, request.POST)
    form.is_valid()  # the service is the judge; this only keeps what was typed
    enrolment, status = None, 200
    try:
        enrolment = services.sign_up(offering, request.user, answers=form.answers(), seats=form.seats())
    except ValidationError as error:
        form.errors.clear()  # the service's sentences replace the form's own
        apply_errors(form, error)
        status = 422
    offering.refresh_from_db()
    if not request.htmx:
        if enrolment is not None:
            messages.success(request, _("报名成功。") if enrolment.status == S.CONFIRMED
                             else _("名额已满，您已进入候补名单（第%(n)d位）。") % {"n": enrolment.position})
        else:
            messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return redirect(_back(request, reverse("enrolment:mine")))
    state = state_for(offering, request.user, form=form, enrolment=enrolment)
    state["just_signed"] = enrolment is not None
    return render(request, "enrolment/_signup_inner.html", {"s": state, "offering": offering,
                                                           "next": _back(request, "")}, status=status)


@login_required(login_url=WORKER_LOGIN)
@require_POST
def cancel(request, pk):
    enrolment = _own_or_404(request, pk)
    try:
        services.cancel(enrolment, by=request.user)
        messages.success(request, _("已取消报名“%(title)s”。") % {"title": enrolment.offering.title})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_back(request, reverse("enrolment:mine")))


@login_required(login_url=WORKER_LOGIN)
@require_POST
def confirm(request, pk):
    enrolment = _own_or_404(request, pk)
    try:
        services.confirm_offer(enrolment, by=request.user)
        messages.success(request, _("已确认，您获得了“%(title)s”的名额。") % {"title": enrolment.offering.title})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_back(request, reverse("enrolment:mine")))


# ----- console: roster ---------------------------------------------------------------------------

def _offering_or_404(request, pk, permission=VIEW) -> Offering:
    return get_visible_or_404(Offering.objects.select_related("node", "created_by"), request.user, permission, pk=pk)


def _roster_context(request, offering, **extra) -> dict:
    rows = list(Enrolment.objects.visible_to(request.user, VIEW).filter(offering=offering)
                .select_related("worker", "user", "added_by", "checked_in_by")
            .order_by(F("position").asc(nulls_first=True), "created_at", "id"))
    groups = {
        "confirmed": [e for e in rows if e.status == S.CONFIRMED],
        "offered": [e for e in rows if e.status == S.OFFERED],
        "waiting": [e for e in rows if e.status == S.WAITING],
        "ended": [e for e in rows if e.status not in Enrolment.LIVE],
    }
    tab = request.GET.get("tab") if request.GET.get("tab") in groups else "confirmed"
    attended = sum(1 for e in groups["confirmed"] if e.attended_at)
    return {
        "offering": offering, "groups": groups, "tab": tab, "rows": groups[tab], "attended": attended,
        "detail_url": registry.detail_url(offering),
        "can_manage": has_permission(request.user, MANAGE, offering.node_path),
        "can_check_in": has_permission(request.user, CHECK_IN, offering.node_path),
        "add_form": extra.pop("add_form", None) or StaffAddForm(),
        "questions": offering.questions or [], **extra,
    }


@_staff_only
def roster(request, pk):
    offering = _offering_or_404(request, pk)
    return render(request, "enrolment/roster.html", _roster_context(request, offering))


def _find_worker(value: str):
    """A worker by mobile or ID number (exact), or None."""
    from gonghui.core import crypto
    from gonghui.members.models import Worker

    value = (value or "").strip().upper()
    qs = Worker.objects.unscoped().select_related("user")
    if len(value) == 11 and value.isdigit():
        return qs.filter(mobile=value).order_by("-id").first() or qs.filter(user__phone=value).first()
    if len(value) == 18:
        return qs.filter(id_number_hash=crypto.keyed_hash(value)).first()
    return None


@_staff_only
@require_POST
def add(request, pk):
    offering = _offering_or_404(request, pk)
    require_permission(request.user, MANAGE, offering.node_path)
    form = StaffAddForm(request.POST)
    if form.is_valid():
        worker = _find_worker(form.cleaned_data["person"])
        if worker is None:
            form.add_error("person", _("找不到该手机号或身份证号的职工，请核对；职工须先在会员库或职工端登记。"))
        else:
            try:
                enrolment = services.staff_add(offering, worker, reason=form.cleaned_data["reason"],
                                               seats=form.cleaned_data["seats"], by=request.user)
            except ValidationError as error:
                apply_errors(form, error, aliases={"worker": "person"})
            else:
                messages.success(request, _("已为%(name)s报名（%(status)s）。") % {
                    "name": worker.name, "status": enrolment.get_status_display()})
                return redirect("enrolment:roster", pk=offering.pk)
    return render(request, "enrolment/roster.html", _roster_context(request, offering, add_form=form,
                                                                    show_add=True), status=422)


@_staff_only
def remove(request, pk):
    enrolment = get_visible_or_404(Enrolment.objects.select_related("offering", "offering__node", "worker", "user"),
                                   request.user, VIEW, pk=pk)
    require_permission(request.user, MANAGE, enrolment.node_path)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_remove(enrolment, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已移除%(name)s的报名，空出的名额已递补给候补名单。") % {
                "name": enrolment.person_name})
            return redirect("enrolment:roster", pk=enrolment.offering_id)
    status = 422 if request.method == "POST" else 200
    return render(request, "enrolment/remove.html", {"enrolment": enrolment, "form": form,
                                                     "offering": enrolment.offering}, status=status)


@_staff_only
def roster_xlsx(request, pk):
    offering = _offering_or_404(request, pk)
    return figures.roster_response(request, offering)


# ----- console: check-in (phone pages) -----------------------------------------------------------

def _check_in_page(request, template, ctx, status=200):
    return render(request, template, ctx, status=status)


@_staff_only
def check_in_scan(request, token):
    """The page a staff phone opens from a worker's QR code: who it is, then one tap to check in."""
    try:
        enrolment_id, _offering_id = services.read_token(token)
    except ValidationError as error:
        return _check_in_page(request, "enrolment/check_in_scan.html", {"error": " ".join(error.messages)},
                              status=422)
    enrolment = get_visible_or_404(Enrolment.objects.select_related("offering", "offering__node", "worker", "user"),
                                   request.user, VIEW, pk=enrolment_id)
    require_permission(request.user, CHECK_IN, enrolment.node_path)
    ctx = {"enrolment": enrolment, "offering": enrolment.offering, "token": token}
    if request.method == "POST":
        try:
            enrolment = services.check_in(token, by=request.user)
        except ValidationError as error:
            ctx["error"] = " ".join(error.messages)
            return _check_in_page(request, "enrolment/check_in_scan.html", ctx, status=422)
        ctx.update(enrolment=enrolment, done=True)
    return _check_in_page(request, "enrolment/check_in_scan.html", ctx)


@_staff_only
def check_in(request, pk):
    """The phone page where staff type the short code a worker reads out."""
    offering = _offering_or_404(request, pk)
    require_permission(request.user, CHECK_IN, offering.node_path)
    form = CodeForm(request.POST or None)
    ctx = {"offering": offering, "form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ctx["done"] = services.check_in(form.cleaned_data["code"], by=request.user, offering=offering)
            form = CodeForm()
            ctx["form"] = form
        except ValidationError as error:
            apply_errors(form, error)
            status = 422
    elif request.method == "POST":
        status = 422
    rows = Enrolment.objects.visible_to(request.user, VIEW).filter(offering=offering, status=S.CONFIRMED)
    ctx["attended"] = rows.filter(attended_at__isnull=False).count()
    ctx["expected"] = rows.count()
    return _check_in_page(request, "enrolment/check_in.html", ctx, status=status)


# ----- console: figures --------------------------------------------------------------------------

@_staff_only
def figures_page(request):
    if not has_permission(request.user, VIEW):
        raise PermissionDenied
    params = figures.params_from(request.GET)
    data = figures.compute(request.user, **params)
    return render(request, "enrolment/figures.html", {**data, "params": params,
                                                      "kinds": Offering.Kind.choices,
                                                      "years": figures.year_choices()})


@_staff_only
def figures_xlsx(request):
    if not has_permission(request.user, VIEW):
        raise PermissionDenied
    params = figures.params_from(request.GET)
    return figures.figures_response(request, figures.compute(request.user, **params), params)
