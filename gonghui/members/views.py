"""Console pages of the member register (/console/members/) and the member's transfer page (/me/transfer/).

Thin: rows come through the scoped managers, rules through members.services and members.transfers.
"""

from functools import cached_property

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from gonghui.audit.models import AuditEntry
from gonghui.core.forms import apply_errors
from gonghui.core.scope import get_visible_or_404, has_permission, paths_with_permission, subtree_q
from gonghui.core.views import ScopedDetailView, ScopedListView, StaffRequiredMixin
from gonghui.ledger.services import services_of
from gonghui.members import exporting, services, transfers
from gonghui.members import records_listing as listing
from gonghui.members.forms import EditForm, RegisterForm, StatusForm, TransferForm
from gonghui.members.models import Education, Gender, HouseholdType, Membership, MembershipChange, Worker
from gonghui.orgs.models import UnionNode
from gonghui.workflow.services import may_view

WORKER_LOGIN = "accounts:worker_login"


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows (a search over a district needs no exact total beyond that),
    from ``count_queryset`` (the same rows, read the way counting is fastest)."""

    def __init__(self, *args, cap=None, count_queryset=None, count_in_order=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap
        self.count_queryset = count_queryset
        self.count_in_order = count_in_order
        self.capped = False

    @cached_property
    def count(self):
        if self.cap is None:
            return super().count
        if self.count_in_order:
            n = len(self.object_list.ids_up_to(self.cap + 1))
        else:
            qs = self.count_queryset if self.count_queryset is not None else self.object_list
            n = qs.order_by()[: self.cap + 1].count()
        self.capped = n > self.cap
        return min(n, self.cap)


# ================= the list =================

class MemberListView(ScopedListView):
    model = Membership
    permission = "members.view"
    template_name = "members/list.html"
    partial_template_name = "members/_table.html"
    filter_names = services.FILTER_NAMES
    paginator_class = CappedPaginator

    @cached_property
    def plan(self) -> listing.Plan:
        return listing.plan(self.request.user, self.permission, self.request.GET)

    def get_queryset(self):
        return listing.IdPage(self.plan.queryset)

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        return CappedPaginator(queryset, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page,
                               cap=self.plan.count_cap, count_queryset=self.plan.count_queryset,
                               count_in_order=self.plan.count_in_order)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update({
            "statuses": Membership.Status.choices,
            "genders": Gender.choices, "educations": Education.choices, "households": HouseholdType.choices,
            "sorts": listing.SORT_LABELS,
            "unions": listing.union_choices(user, self.permission),
            "filtered": any(v for k, v in ctx["filters"].items() if k != "sort"),
            "may_export": has_permission(user, "members.export"),
            "may_register": has_permission(user, "members.change"),
            "may_import": has_permission(user, "members.import"),
            "search_kind": listing.search_kind(self.request.GET.get("q", "")),
        })
        return ctx


class ExportView(StaffRequiredMixin, View):
    """The list exactly as filtered, every row, streamed as .xlsx or .csv (GBK on request), audited."""

    def get(self, request):
        if not has_permission(request.user, "members.export"):
            raise PermissionDenied
        return exporting.export_response(request.user, request.GET)


# ================= one member =================

def _membership_or_404(request, pk, related=("worker", "union")):
    return get_visible_or_404(Membership.objects.select_related(*related), request.user, "members.view", pk=pk)


class MemberDetailView(ScopedDetailView):
    """The member's record: profile, memberships and their changes, services, applications, transfers."""

    model = Membership
    permission = "members.view"
    template_name = "members/detail.html"
    context_object_name = "membership"

    def get_queryset(self):
        return self.base_queryset().select_related("worker", "union")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, membership = self.request.user, self.object
        worker = membership.worker
        path = membership.node_path
        memberships = list(Membership.objects.visible_to(user, self.permission).filter(worker=worker)
                           .select_related("union").order_by("-created_at", "-pk"))
        changes = list(MembershipChange.objects.unscoped().filter(membership__in=memberships)
                       .select_related("from_union", "to_union", "membership__union").order_by("-on", "-pk"))
        ctx.update({
            "worker": worker,
            "memberships": memberships,
            "history": _history(memberships, changes),
            "services": list(_visible_services(user, worker)[:200]),
            "transfers": _transfers_of(user, worker),
            "applications": _applications_of(user, worker),
            "can_reveal_id": has_permission(user, "members.view_full_id", path),
            "may_change": has_permission(user, "members.change", path),
            "may_transfer": (membership.status == Membership.Status.ACTIVE
                             and has_permission(user, transfers.PERMISSION, path)
                             and transfers.open_transfer_of(membership) is None),
            "status_choices": services.status_change_choices(membership),
            "today": timezone.localdate(),
        })
        return ctx


def _history(memberships, changes) -> list[dict]:
    """Joining and every change after it, newest first (a transfer shows as its two changes)."""
    transferred_in = {c.membership_id for c in changes if c.kind == MembershipChange.Kind.TRANSFERRED_IN}
    rows = [{"on": m.joined_on, "what": _("入会"), "kind": "joined", "membership": m, "union": m.union.name,
             "reason": "", "order": 0} for m in memberships if m.pk not in transferred_in]
    for c in changes:
        moved = c.kind in (MembershipChange.Kind.TRANSFERRED_IN, MembershipChange.Kind.TRANSFERRED_OUT)
        rows.append({"on": c.on, "what": c.kind_label, "kind": c.kind, "membership": c.membership,
                     "union": f"{c.from_union.name} → {c.to_union.name}" if moved and c.from_union_id
                     else c.membership.union.name, "reason": c.reason, "order": 1 if moved else 2})
    rows.sort(key=lambda r: (r["on"], r["order"], r["membership"].pk), reverse=True)
    return rows


def _visible_services(user, worker):
    """The person's ledger (ledger.services_of) within the reader's subtrees: services counted at a
    union there, or delivered by one."""
    qs = services_of(worker)
    paths = paths_with_permission(user, "members.view")
    if paths is None:
        return qs
    q = Q(pk__in=[])
    for p in paths:
        q |= subtree_q("node_path", p) | subtree_q("delivering_union__path", p)
    return qs.filter(q)


def _member_url(user, transfer) -> str:
    """The record page this user may open for a transfer's member: the new membership on the new
    union's side, the old one on the old union's side, none while the person is not yet theirs."""
    if transfer.new_membership_id and has_permission(user, "members.view", transfer.to_path):
        return transfer.new_membership.get_absolute_url()
    if has_permission(user, "members.view", transfer.from_path):
        return transfer.membership.get_absolute_url()
    return ""


def _transfers_of(user, worker) -> list:
    rows = list(transfers.transfers_visible_to(user).filter(membership__worker=worker)
                .select_related("case", "from_union", "to_union", "new_membership").order_by("-pk"))
    for t in rows:
        t.may_open_case = may_view(t.case, user)
    return rows


def _applications_of(user, worker) -> list:
    from gonghui.members.models import JoinApplication

    rows = list(JoinApplication.objects.unscoped().filter(worker=worker).select_related("case", "applied_to")
                .order_by("-created_at"))
    return [a for a in rows if may_view(a.case, user)]


class RevealIdNumberView(StaffRequiredMixin, View):
    """POST only: shows the full ID number once, to a role allowed to see it, and audits it."""

    def post(self, request, pk):
        membership = _membership_or_404(request, pk)
        full = services.reveal_id_number(membership.worker, by=request.user, node=membership.union)
        return render(request, "members/_id_number.html", {"id_number": full})


class RegisterView(StaffRequiredMixin, View):
    """登记会员: a worker registered and enrolled in one step (a returning former member is recognised
    by the ID number). Submitting twice creates one member: the second answer shows the first."""

    template_name = "members/register.html"

    def _form(self, request, data=None):
        initial_union = None
        union_id = request.GET.get("union", "")
        if union_id.isdigit():
            initial_union = (UnionNode.objects.visible_to(request.user, "members.change")
                             .filter(pk=int(union_id), kind__in=UnionNode.MEMBER_KINDS, active=True).first())
        return RegisterForm(data, user=request.user, initial_union=initial_union)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_worker \
                and not has_permission(request.user, "members.change"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"form": self._form(request)})

    def post(self, request):
        form = self._form(request, request.POST)
        if form.is_valid():
            union = form.cleaned_data["union"]
            try:
                membership = services.register_and_enrol(union=union, joined_on=form.cleaned_data["joined_on"],
                                                         by=request.user, **form.person())
            except ValidationError as error:
                twin = _just_registered(request.user, form.cleaned_data["id_number"], union)
                if twin is not None:  # a double click: the first request already did it
                    messages.info(request, _("该会员刚刚已登记成功，未重复登记。"))
                    return redirect(twin)
                apply_errors(form, error, {"worker": "id_number"})
            else:
                messages.success(request, _("已登记会员%(name)s，会员号%(number)s。") % {
                    "name": membership.worker.name, "number": membership.member_number})
                return redirect(membership)
        return render(request, self.template_name, {"form": form}, status=422)


DOUBLE_SUBMIT_WINDOW = timezone.timedelta(minutes=2)


def _just_registered(user, id_number, union) -> Membership | None:
    """The membership this user created for this ID number in this union a moment ago, if any."""
    try:
        worker = services.find_worker_by_id_number(id_number)
    except ValidationError:
        return None
    if worker is None:
        return None
    m = (Membership.objects.unscoped().filter(worker=worker, union=union, status=Membership.Status.ACTIVE,
                                               created_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW).first())
    if m is None:
        return None
    made_by_user = AuditEntry.objects.unscoped().filter(
        event="membership.created", object_id=str(m.pk), actor=user).exists()
    return m if made_by_user else None


class EditView(StaffRequiredMixin, View):
    template_name = "members/edit.html"

    def _get(self, request, pk):
        membership = _membership_or_404(request, pk)
        if not has_permission(request.user, "members.change", membership.node_path):
            raise PermissionDenied
        return membership

    def get(self, request, pk):
        membership = self._get(request, pk)
        return render(request, self.template_name, {"membership": membership,
                                                    "form": EditForm.for_membership(membership)})

    def post(self, request, pk):
        membership = self._get(request, pk)
        form = EditForm.for_membership(membership, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            fields = {k: data[k] for k in ("name", "mobile", *services.PROFILE_FIELDS)}
            try:
                services.update_worker(membership.worker, by=request.user, node=membership.union,
                                       id_number=data.get("id_number") or None, **fields)
                services.update_membership(membership, joined_on=data["joined_on"], by=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect(membership)
        return render(request, self.template_name, {"membership": membership, "form": form}, status=422)


class StatusChangeView(StaffRequiredMixin, View):
    """退休保留会籍、退会、去世、恢复在册."""

    template_name = "members/status.html"

    def _get(self, request, pk):
        membership = _membership_or_404(request, pk)
        if not has_permission(request.user, "members.change", membership.node_path):
            raise PermissionDenied
        return membership

    def get(self, request, pk):
        membership = self._get(request, pk)
        form = StatusForm(membership=membership, initial={"kind": request.GET.get("kind", "")})
        return render(request, self.template_name, {"membership": membership, "form": form})

    def post(self, request, pk):
        membership = self._get(request, pk)
        form = StatusForm(request.POST, membership=membership)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.change_status(membership, data["kind"], on=data["on"], reason=data["reason"],
                                       by=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("会籍状态已变更。"))
                return redirect(membership)
        return render(request, self.template_name, {"membership": membership, "form": form}, status=422)


# ================= transfers =================

def _transfer_page(request, membership, template: str, *, extra=None):
    """The start-a-transfer page (console and portal): search a union, pick it, give a reason."""
    query = request.GET.get("q", "") if request.method == "GET" else request.POST.get("q", "")
    form = TransferForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                transfer = transfers.start_transfer(membership, form.target(), reason=form.cleaned_data["reason"],
                                                    by=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return transfer
    results = transfers.union_search(query, exclude=membership.union) if query else []
    chosen = form.target() if form.is_bound and "to_union" in form.cleaned_data else None
    if chosen is not None and chosen not in results:
        results.insert(0, chosen)
    ctx = {"membership": membership, "form": form, "q": query, "results": results,
           "chosen": chosen.pk if chosen else None, "days": transfers.RELEASE_DAYS}
    ctx.update(extra or {})
    return render(request, template, ctx, status=status)


class StartTransferView(StaffRequiredMixin, View):
    """Staff of the old union start a member's transfer (members.transfer)."""

    def _get(self, request, pk):
        membership = _membership_or_404(request, pk)
        if not has_permission(request.user, transfers.PERMISSION, membership.node_path):
            raise PermissionDenied
        return membership

    def get(self, request, pk):
        return _transfer_page(request, self._get(request, pk), "members/transfer_start.html")

    def post(self, request, pk):
        result = _transfer_page(request, self._get(request, pk), "members/transfer_start.html")
        if hasattr(result, "case"):
            messages.success(request, _("已发起转会，等待原工会同意转出。"))
            return redirect("workflow:case", pk=result.pk)
        return result


class TransferListView(ScopedListView):
    """转会记录: transfers out of OR into the user's subtree (both unions see them)."""

    model = Membership  # only for the permission check: the rows come from transfers_visible_to
    permission = "members.view"
    template_name = "members/transfers.html"
    partial_template_name = "members/_transfers_table.html"
    filter_names = ("state", "direction", "q")

    def get_queryset(self):
        user = self.request.user
        qs = transfers.transfers_visible_to(user, self.permission).select_related(
            "case", "membership__worker", "from_union", "to_union", "new_membership")
        get = self.request.GET
        state = get.get("state", "")
        if state == "open":
            qs = qs.filter(case__is_open=True)
        elif state in (transfers.COMPLETED, transfers.REFUSED, transfers.WITHDRAWN):
            qs = qs.filter(case__state=state)
        paths = paths_with_permission(user, self.permission)
        if paths is not None and get.get("direction") in ("in", "out"):
            column = "to_path" if get["direction"] == "in" else "from_path"
            q = Q(pk__in=[])
            for p in paths:
                q |= subtree_q(column, p)
            qs = qs.filter(q)
        text = get.get("q", "").strip()
        if text:
            qs = qs.filter(Q(case__number=text.upper()) | Q(membership__worker__name__startswith=text))
        return qs.order_by("-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for t in ctx["object_list"]:
            t.may_open_case = may_view(t.case, self.request.user)
            t.member_url = _member_url(self.request.user, t)
        ctx["states"] = [("open", _("办理中")), (transfers.COMPLETED, _("已转入")),
                         (transfers.REFUSED, _("未通过")), (transfers.WITHDRAWN, _("已撤回"))]
        ctx["filtered"] = any(ctx["filters"].values())
        return ctx


@login_required(login_url=WORKER_LOGIN)
def portal_transfer(request):
    """我要转会 (phone): the member picks the new union by a search and gives a reason."""
    if not request.user.is_worker:
        raise Http404
    worker = Worker.objects.unscoped().filter(user=request.user).first()
    membership = services.active_membership(worker) if worker else None
    if membership is None:
        return render(request, "members/portal_transfer.html", {"membership": None})
    pending = transfers.open_transfer_of(membership)
    if pending is not None:
        return render(request, "members/portal_transfer.html", {"membership": membership, "pending": pending})
    result = _transfer_page(request, membership, "members/portal_transfer.html")
    if hasattr(result, "case"):
        messages.success(request, _("转会申请已提交，原工会将在%(days)s个工作日内答复。") % {
            "days": transfers.RELEASE_DAYS})
        return redirect("workflow:portal_case", pk=result.pk)
    return result
