"""Pages: the worker's three screens and "my requests"; the staff inbox, logging, reports, categories."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.models import User
from gonghui.audit.models import AuditEntry
from gonghui.audit.services import audited_save, record
from gonghui.core.forms import apply_errors
from gonghui.core.scope import has_permission, paths_with_permission, subtree_q
from gonghui.core.spreadsheet import safe_cell
from gonghui.core.views import ScopedListView
from gonghui.members.models import Worker
from gonghui.members.services import active_membership
from gonghui.orgs.models import STEP_LEN, UnionNode
from gonghui.requests import casetype, reports, services
from gonghui.requests.categories import WAGES
from gonghui.requests.forms import CategoryForm, ChooseForm, DescribeForm, LogForm, uploads_from
from gonghui.requests.models import Category, Request
from gonghui.workflow import tallies
from gonghui.workflow.access import get_case_or_404
from gonghui.workflow.models import Case
from gonghui.workflow.services import is_applicant

WORKER_LOGIN = "accounts:worker_login"


# The engine names an upload problem "file"; forms show it next to their own upload field.
UPLOAD_FIELDS = ("file", "photo", "files")


def _apply_errors(form, error: ValidationError):
    """The services name uploads "file"; the form's upload field depends on the page."""
    apply_errors(form, error, {"file": next((f for f in UPLOAD_FIELDS if f in form.fields), None)})


# ================= the worker portal =================

@login_required(login_url=WORKER_LOGIN)
def portal_list(request):
    """我的诉求: the worker's own requests, newest first, with plain-word status."""
    rows = list(Request.objects.unscoped().filter(case__applicant=request.user)
                .select_related("case", "category").order_by("-case__created_at")[:200])
    now = timezone.now()
    for r in rows:
        r.case.worker_request = r
        r.may_rate = r.case.state == "closed" and casetype.rating_open(r.case, now)
    return render(request, "requests/portal_list.html", {"rows": rows})


@login_required(login_url=WORKER_LOGIN)
def portal_new(request):
    """Step 1: what is it about and what do you want (a GET form: nothing is stored yet)."""
    form = ChooseForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect(f"{request.path}describe/?category={form.cleaned_data['category']}"
                        f"&kind={form.cleaned_data['kind']}")
    return render(request, "requests/portal_new.html", {"form": form, "categories": Category.objects.filter(
        active=True), "kinds": Request.Kind.choices})


def _worker_of(user) -> Worker | None:
    return Worker.objects.unscoped().filter(user=user).first()


@login_required(login_url=WORKER_LOGIN)
def portal_describe(request):
    """Step 2: describe, add a photo, send."""
    source = request.POST if request.method == "POST" else request.GET
    category = Category.objects.filter(code=source.get("category", ""), active=True).first()
    kind = source.get("kind", "")
    if category is None or kind not in Request.Kind.values:
        return redirect("requests:portal_new")
    worker = _worker_of(request.user)
    membership = active_membership(worker) if worker else None
    form = DescribeForm(request.POST or None, request.FILES or None, member=membership is not None,
                        wages=category.code == WAGES, districts=services.district_choices(),
                        initial={"contact_phone": request.user.phone or (worker.mobile if worker else "")})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            uploads = uploads_from(form, "photo", "files")
            if not form.errors:
                data = form.cleaned_data
                try:
                    req = services.submit_request(
                        by=request.user, applicant=request.user, worker=worker, category=category, kind=kind,
                        description=data["description"], contact_phone=data.get("contact_phone", ""),
                        contact_name=request.user.display_name, anonymous_to_employer=data["anonymous_to_employer"],
                        about_own_union=data.get("about_own_union", False),
                        migrant_worker=data.get("migrant_worker", False), chosen_node=data.get("district"),
                        uploads=uploads)
                except ValidationError as error:
                    _apply_errors(form, error)
                else:
                    return redirect("requests:portal_done", pk=req.pk)
    return render(request, "requests/portal_describe.html", {
        "form": form, "category": category, "kind": kind, "kind_label": Request.Kind(kind).label,
        "membership": membership,
    }, status=status)


@login_required(login_url=WORKER_LOGIN)
def portal_done(request, pk):
    """Step 3: the receipt — who handles it and by when."""
    case = get_case_or_404(request.user, pk)
    if not is_applicant(case, request.user):
        return redirect("workflow:case", pk=case.pk)
    req = get_object_or_404(Request.objects.unscoped().select_related("category"), pk=case.pk)
    days = casetype.handling_days(case, req)
    return render(request, "requests/portal_done.html", {"case": case, "req": req, "handling_days": days})


# ================= the staff console =================

def _filtered(view_request, qs, *, with_state: bool, on: str = "case__"):
    """Apply the inbox filters (all but the state tab when ``with_state`` is False).

    ``qs`` is over requests (``on="case__"``) or, for counting, over their cases (``on=""``):
    every filter but the kind reads the case, so counts need no join."""
    get = view_request.GET
    state = get.get("state", "")
    type_only = {f"{on}case_type": casetype.NAME}
    if with_state and state == "":
        # The default tab: what the union has to do now — open, with its clock running (a request
        # waiting for the worker has no due time and its own tab).
        qs = qs.filter(**type_only, **{f"{on}is_open": True, f"{on}due_at__isnull": False})
    elif with_state and state != ALL_TAB:
        qs = qs.filter(**type_only, **{f"{on}state": state})
    if get.get("category", "").isdigit():
        # The case carries the category's code (its topic): the filter stays on one table.
        code = Category.objects.filter(pk=int(get["category"])).values_list("code", flat=True).first()
        qs = qs.filter(**type_only, **{f"{on}topic": code}) if code else qs.none()
    if get.get("kind") in Request.Kind.values:
        qs = qs.filter(kind=get["kind"]) if on else qs.filter(worker_request__kind=get["kind"])
    if get.get("urgent") == "1":
        qs = qs.filter(**type_only, **{f"{on}urgent": True})
    if get.get("overdue") == "1":
        qs = qs.filter(**type_only, **{f"{on}is_open": True, f"{on}due_at__lt": timezone.now()})
    if get.get("union", "").isdigit():
        node = UnionNode.objects.unscoped().filter(pk=int(get["union"])).only("path").first()
        qs = qs.filter(subtree_q(f"{on}node_path", node.path)) if node else qs.none()
    for name, lookup in (("start", "created_at__date__gte"), ("end", "created_at__date__lte")):
        day = reports.parse_day(get.get(name))
        if day:
            qs = qs.filter(**{f"{on}{lookup}": day})
    q = get.get("q", "").strip()
    if q:
        qs = qs.filter(Q(**{f"{on}number": q}) | Q(**{f"{on}applicant_name__contains": q})
                       | Q(**{f"{on}title__contains": q}))
    return qs


ALL_TAB = "all"
# A tab with more rows than this is read through the index of its order (due time, id) with the
# subtree checked per row, instead of reading the whole subtree and sorting it.
LARGE_TAB = 2000
OPEN_STATES = {s.name for s in casetype.REQUEST.states if not s.terminal}
# The states whose clock runs: the default tab ("待办") counts and lists these.
CLOCK_STATES = {s.name for s in casetype.REQUEST.states if not s.terminal and s.time_limit}
CASE_FILTERS = ("category", "kind", "urgent", "overdue", "union", "start", "end", "q")


class InboxView(ScopedListView):
    """诉求 inbox. The counts per state come from the kept per-subtree tallies when only the state
    tab is chosen (one small query whatever the size of the subtree), or from one GROUP BY over the
    filtered rows otherwise; they also give the paginator its total. The default tab lists the
    open requests, nearest due time first."""

    model = Request
    permission = "requests.view"
    template_name = "requests/inbox.html"
    partial_template_name = "requests/_inbox_table.html"
    filter_names = ("state", *CASE_FILTERS)

    def _tab(self) -> str:
        return self.request.GET.get("state", "")

    def _tab_total(self) -> int:
        counts, tab = self.state_counts(), self._tab()
        if tab == ALL_TAB:
            return sum(counts.values())
        if tab == "":
            return sum(n for state, n in counts.items() if state in CLOCK_STATES)
        return counts.get(tab, 0)

    def _subtree_counts(self) -> dict[str, int]:
        """The kept counts of the whole subtree, unfiltered (one small query)."""
        if not hasattr(self, "_subtree"):
            self._subtree = tallies.counts(paths_with_permission(self.request.user, self.permission), casetype.NAME)
        return self._subtree

    def get_queryset(self):
        large = self._tab_total() > LARGE_TAB
        base = Request.objects.visible_to(self.request.user, self.permission, large=large)
        qs = _filtered(self.request, base, with_state=True)
        tab = self._tab()
        open_tab = tab == "" or tab in OPEN_STATES
        if open_tab:
            order = ("case__due_at", "case_id")  # the nearest due time first
        elif tab == ALL_TAB:
            order = ("-case_id",)
        else:
            order = ("-case__closed_at", "-case_id")  # the most recently closed first
        return qs.select_related("case", "case__node", "case__assignee", "category").order_by(*order)

    def state_counts(self):
        if not hasattr(self, "_counts"):
            if any(self.request.GET.get(name) for name in CASE_FILTERS):
                cases = Case.objects.visible_to(self.request.user, self.permission).filter(case_type=casetype.NAME)
                rows = _filtered(self.request, cases, with_state=False, on="").values("state") \
                    .annotate(n=Count("pk")).order_by()
                self._counts = {row["state"]: row["n"] for row in rows}
            else:
                self._counts = self._subtree_counts()
        return self._counts

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        paginator = Paginator(queryset, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page)
        paginator.count = self._tab_total()  # a cached_property: the counts already know it
        return paginator

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        counts = self.state_counts()
        open_total = sum(n for state, n in counts.items() if state in CLOCK_STATES)
        ctx["state_tabs"] = ([("", _("待办"), open_total)]
                             + [(s.name, s.label, counts.get(s.name, 0)) for s in casetype.REQUEST.states]
                             + [(ALL_TAB, _("全部"), sum(counts.values()))])
        now = timezone.now()
        for r in ctx["object_list"]:
            c = r.case
            r.overdue = c.is_open and c.due_at is not None and c.due_at < now
        user = self.request.user
        ctx.update({
            "categories": Category.objects.all(), "kinds": Request.Kind.choices,
            "unions": UnionNode.objects.visible_to(user, "requests.view").filter(active=True)
            .exclude(kind__in=(UnionNode.Kind.DEPARTMENT,)).only("pk", "name", "depth")[:300],
            "may_assign": has_permission(user, "requests.handle"),
            "may_log": has_permission(user, "requests.handle"),
            "assignees": services.assignee_choices(user) if has_permission(user, "requests.handle") else [],
            "now": now,
        })
        return ctx


def _staff_only(request):
    if not request.user.is_authenticated:
        raise PermissionDenied
    if request.user.is_worker:
        raise Http404


@require_POST
@login_required
def bulk_assign(request):
    _staff_only(request)
    ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
    if not has_permission(request.user, "requests.handle"):
        raise PermissionDenied
    assignee = User.objects.filter(pk=request.POST.get("assignee") or 0, is_active=True).first()
    back = request.POST.get("next") or ""
    if not back.startswith("/console/"):
        back = "/console/requests/"
    if not ids or assignee is None:
        messages.error(request, _("请勾选诉求并选择经办人。"))
        return redirect(back)
    try:
        count = services.bulk_assign(ids, assignee, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except services.workflow.StaleCase as stale:
        messages.error(request, str(stale))
    else:
        messages.success(request, _("已将%(n)s件诉求指派给%(name)s。") % {"n": count, "name": assignee})
    return redirect(back)


@login_required
def log_request(request):
    """Staff log a request that came by phone, letter or visit, on the worker's behalf."""
    _staff_only(request)
    if not has_permission(request.user, "requests.handle"):
        raise PermissionDenied
    nodes = UnionNode.objects.visible_to(request.user, "requests.handle").filter(active=True).exclude(
        kind__in=(UnionNode.Kind.DEPARTMENT,))
    form = LogForm(request.POST or None, request.FILES or None, nodes=nodes)
    found = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            if data["lookup"]:
                found = services.find_worker(data["lookup"], by=request.user)
                if found is None:
                    form.add_error("lookup", _("在您的管辖范围内没有找到这位职工，请核对号码，或清空此项并填写姓名和电话。"))
            elif not data["contact_name"]:
                form.add_error("contact_name", _("请填写职工姓名，或输入手机号、身份证号查找登记的职工。"))
            uploads = uploads_from(form, "files") if not form.errors else []
            if not form.errors:
                applicant = found.user if found and found.user_id else None
                try:
                    req = services.submit_request(
                        by=request.user, applicant=applicant, worker=found, category=data["category"],
                        kind=data["kind"], description=data["description"], channel=data["channel"],
                        contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                        anonymous_to_employer=data["anonymous_to_employer"],
                        about_own_union=data["about_own_union"], migrant_worker=data["migrant_worker"],
                        chosen_node=data["node"] or _default_node(request.user), uploads=uploads)
                except ValidationError as error:
                    _apply_errors(form, error)
                else:
                    messages.success(request, _("已登记诉求%(number)s，由%(node)s受理。") % {
                        "number": req.case.number, "node": req.case.node.name})
                    return redirect("workflow:case", pk=req.pk)
    return render(request, "requests/log.html", {"form": form}, status=status)


def _default_node(user):
    """Where a request from a worker the union does not know goes when staff pick nothing: their own
    (highest) union."""
    paths = paths_with_permission(user, "requests.handle")
    if not paths:
        return None
    return UnionNode.objects.unscoped().filter(path=paths[0]).first()


EXPORT_LIMIT = 200_000


@login_required
def export_inbox(request):
    """The inbox exactly as filtered, every page, as CSV (UTF-8 with a BOM, so Excel opens it),
    streamed; the export itself is audited."""
    _staff_only(request)
    if not has_permission(request.user, InboxView.permission):
        raise PermissionDenied
    qs = _filtered(request, Request.objects.visible_to(request.user, InboxView.permission), with_state=True)
    qs = qs.select_related("case", "case__node", "case__assignee", "category").order_by("-case_id")
    record(request.user, AuditEntry.Action.EXPORT, None, event="requests.exported",
           extra={"filters": {k: v for k, v in request.GET.items() if k in InboxView.filter_names}})

    header = [_("编号"), _("类别"), _("类型"), _("标题"), _("职工"), _("承办工会"), _("状态"), _("办理时限"),
              _("经办人"), _("提交时间"), _("加急")]
    urgent = _("是")

    def rows():
        yield "\ufeff" + _csv_line(header)
        for r in qs[:EXPORT_LIMIT].iterator(chunk_size=2000):
            c = r.case
            yield _csv_line([
                c.number, r.category.label, r.kind_label, c.title, c.applicant_name, c.node.name, c.state_label,
                timezone.localtime(c.due_at).strftime("%Y-%m-%d %H:%M") if c.due_at else "",
                str(c.assignee) if c.assignee_id else "", timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"),
                urgent if c.urgent else "",
            ])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="requests-{stamp}.csv"'
    return response


def _csv_line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([safe_cell(str(v)) for v in values])
    return buffer.getvalue()


@login_required
def report_page(request):
    _staff_only(request)
    if not has_permission(request.user, "requests.view"):
        raise PermissionDenied
    report = reports.build(request.user, request.GET)
    return render(request, "requests/reports.html", {
        "report": report, "charts": reports.chart_data(report), "may_manage": may_manage_categories(request.user),
        "chart_titles": [("category", _("按类别")), ("union", _("按工会")), ("month", _("按月份"))],
    })


@login_required
def report_export(request):
    _staff_only(request)
    if not has_permission(request.user, "requests.view"):
        raise PermissionDenied
    report = reports.build(request.user, request.GET)
    content = reports.to_xlsx(report)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="requests-report-{stamp}.xlsx"'
    return response


def may_manage_categories(user) -> bool:
    """Categories are one list for the whole tree: admins at the top node keep them."""
    paths = paths_with_permission(user, "requests.manage_categories")
    return paths is None or any(len(p) == STEP_LEN for p in paths)


@login_required
def categories(request, pk=None):
    _staff_only(request)
    if not may_manage_categories(request.user):
        raise PermissionDenied
    instance = get_object_or_404(Category, pk=pk) if pk else None
    form = CategoryForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        audited_save(form.save(commit=False), request.user, event="requests.category_saved")
        messages.success(request, _("已保存。"))
        return redirect("requests:categories")
    return render(request, "requests/categories.html", {
        "form": form, "instance": instance,
        "categories": Category.objects.annotate(n=Count("requests")),
    }, status=422 if request.method == "POST" else 200)

