"""Console pages of the aid part: funds, aid requests and approvals, plans, pairings.

Thin: rows come through the scope rule (out of scope is 404), writes through services_aid, whose
Chinese messages are shown next to the fields or above the page.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from gonghui.core.forms import apply_errors
from gonghui.core.scope import get_visible_or_404, has_permission, require_permission
from gonghui.core.views import ScopedDetailView, ScopedListView, StaffRequiredMixin, error_response
from gonghui.hardship import services_aid as aid
from gonghui.hardship.forms_aid import (
    AidRequestForm,
    ContactForm,
    DecisionNoteForm,
    EndPairingForm,
    FundEditForm,
    FundForm,
    MeasureForm,
    MeasureUpdateForm,
    PairingForm,
    PlanGoalForm,
    RejectForm,
)
from gonghui.hardship.models import (
    AidKind,
    AidPayment,
    Fund,
    HardshipFile,
    Pairing,
    PairingContact,
    PlanMeasure,
)
from gonghui.hardship.services_aid import APPROVE, CHANGE, VIEW

ZERO = Value(0, output_field=DecimalField(max_digits=14, decimal_places=2))


def _file_or_404(request, pk) -> HardshipFile:
    return get_visible_or_404(HardshipFile.objects.select_related("worker", "union"), request.user, VIEW, pk=pk)


def _forbidden(request, error: PermissionDenied):
    return error_response(request, 403, "forbidden", str(error) or _("您没有执行此操作的权限。"))


def _year_param(request) -> int | None:
    value = request.GET.get("year", "")
    if value == "all":
        return None
    try:
        year = int(value)
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


class _StaffPostView(StaffRequiredMixin, View):
    """A POST-only action on one row; workers get the console's 404 from StaffRequiredMixin."""

    http_method_names = ["post"]


# ----- funds -----

class FundListView(ScopedListView):
    model = Fund
    permission = VIEW
    template_name = "hardship/aid_funds.html"
    partial_template_name = "hardship/aid_funds_table.html"
    filter_names = ("year", "source", "q")

    def filtered(self):
        qs = self.base_queryset()
        self.year = _year_param(self.request)
        if self.year is not None:
            qs = qs.filter(year=self.year)
        source = self.request.GET.get("source")
        if source in Fund.Source.values:
            qs = qs.filter(source=source)
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(union__name__contains=q) | Q(union__short_name__contains=q) | Q(name__contains=q))
        return qs

    def get_queryset(self):
        open_amount = Sum("payments__amount", filter=Q(payments__status__in=AidPayment.OPEN))
        return (self.filtered().select_related("union")
                .annotate(pending=Coalesce(open_amount, ZERO), paid_count=Count(
                    "payments", filter=Q(payments__status=AidPayment.Status.PAID)))
                .order_by("-year", "node_path", "source"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        totals = self.filtered().aggregate(budget=Coalesce(Sum("budget"), ZERO), spent=Coalesce(Sum("spent"), ZERO))
        totals["remaining"] = totals["budget"] - totals["spent"]
        ctx["totals"] = totals
        ctx["year"] = self.year
        this_year = timezone.localdate().year
        ctx["years"] = list(range(this_year + 1, this_year - 5, -1))
        ctx["filters"]["year"] = "all" if self.year is None else str(self.year)
        ctx["sources"] = Fund.Source.choices
        ctx["can_create"] = has_permission(self.request.user, APPROVE)
        ctx["section"], ctx["aid_tab"] = "funds", "funds"
        ctx["awaiting_me"] = awaiting_count(self.request.user)
        return ctx


def awaiting_count(user) -> int:
    """Aid requests waiting for this user's decision (for the tab's badge)."""
    levels = aid.approver_levels(user)
    if not levels and not user.is_superuser:
        return 0
    qs = AidPayment.objects.visible_to(user, APPROVE).filter(status__in=AidPayment.OPEN)
    if not user.is_superuser and not any(level == aid.CITY for _p, level in levels):
        qs = qs.filter(status=AidPayment.Status.PENDING)
    return qs.count()


class FundDetailView(ScopedDetailView):
    model = Fund
    permission = VIEW
    template_name = "hardship/aid_fund.html"
    context_object_name = "fund"

    def get_queryset(self):
        return self.base_queryset().select_related("union", "created_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        fund, user = self.object, self.request.user
        payments = AidPayment.objects.visible_to(user, VIEW).filter(fund=fund)
        ctx["by_kind"] = [
            {"label": AidKind(row["kind"]).label, "count": row["n"], "amount": row["total"]}
            for row in payments.filter(status=AidPayment.Status.PAID).order_by("kind").values("kind")
            .annotate(n=Count("pk"), total=Sum("amount"))]
        ctx["pending"] = payments.filter(status__in=AidPayment.OPEN).aggregate(
            n=Count("pk"), total=Coalesce(Sum("amount"), ZERO))
        ctx["payments"] = payments.select_related("file", "file__worker", "union").order_by("-requested_at", "-pk")[:50]
        ctx["can_edit"] = has_permission(user, APPROVE, fund.node_path)
        ctx["section"], ctx["aid_tab"] = "funds", "funds"
        return ctx


class _FundFormView(StaffRequiredMixin, View):
    fund = None

    def render_form(self, form, status=200):
        return render(self.request, "hardship/aid_fund_form.html",
                      {"form": form, "fund": self.fund, "section": "funds"}, status=status)


class FundCreateView(_FundFormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_worker and not has_permission(request.user, APPROVE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data=None):
        return FundForm(data, unions=aid.fund_unions(self.request.user))

    def get(self, request):
        return self.render_form(self.make_form())

    def post(self, request):
        form = self.make_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                fund = aid.create_fund(data["union"], year=data["year"], source=data["source"],
                                       budget=data["budget"], name=data["name"], note=data["note"], by=request.user)
            except ValidationError as e:
                apply_errors(form, e)
            except PermissionDenied as e:
                return _forbidden(request, e)
            else:
                messages.success(request, _("已设立“%(fund)s”，预算¥%(budget)s。")
                                 % {"fund": fund, "budget": f"{fund.budget:,.2f}"})
                return redirect("hardship:fund", pk=fund.pk)
        return self.render_form(form, status=422)


class FundEditView(_FundFormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_worker:
            self.fund = get_visible_or_404(Fund.objects.select_related("union"), request.user, VIEW, pk=kwargs["pk"])
            require_permission(request.user, APPROVE, self.fund.node_path)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return self.render_form(FundEditForm(initial={"budget": self.fund.budget, "name": self.fund.name,
                                                      "note": self.fund.note}))

    def post(self, request, pk):
        form = FundEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                fund = aid.update_fund(self.fund, budget=data["budget"], name=data["name"], note=data["note"],
                                       by=request.user)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, _("已保存“%(fund)s”。") % {"fund": fund})
                return redirect("hardship:fund", pk=fund.pk)
        return self.render_form(form, status=422)


# ----- aid requests and approvals -----

class AidListView(ScopedListView):
    model = AidPayment
    permission = VIEW
    template_name = "hardship/aid_list.html"
    partial_template_name = "hardship/aid_table.html"
    filter_names = ("status", "kind", "q")

    def filtered_without_status(self):
        qs = self.base_queryset()
        kind = self.request.GET.get("kind")
        if kind in AidKind.values:
            qs = qs.filter(kind=kind)
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(file__number=q.upper()) | Q(file__worker__name__startswith=q))
        return qs

    def get_queryset(self):
        qs = self.filtered_without_status().select_related("file", "file__worker", "union", "fund", "fund__union")
        status = self.request.GET.get("status")
        if status in AidPayment.Status.values:
            qs = qs.filter(status=status)
        elif status == "open":
            qs = qs.filter(status__in=AidPayment.OPEN)
        return qs.order_by("-requested_at", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        counts = dict(self.filtered_without_status().order_by().values("status").annotate(n=Count("pk"))
                      .values_list("status", "n"))
        ctx["status_tabs"] = [("", _("全部"), sum(counts.values()))] + [
            (value, label, counts.get(value, 0)) for value, label in AidPayment.Status.choices]
        levels = aid.approver_levels(user)
        for payment in ctx["object_list"]:
            payment.can_decide = aid.may_decide(user, payment, levels)
        ctx["kinds"] = AidKind.choices
        ctx["section"], ctx["aid_tab"] = "funds", "aid"
        ctx["awaiting_me"] = awaiting_count(user)
        return ctx


class AidDetailView(ScopedDetailView):
    model = AidPayment
    permission = VIEW
    template_name = "hardship/aid_detail.html"
    context_object_name = "payment"

    def get_queryset(self):
        return self.base_queryset().select_related(
            "file", "file__worker", "file__union", "union", "fund", "fund__union", "requested_by", "reviewed_by",
            "approved_by", "rejected_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        payment, user = self.object, self.request.user
        ctx["file"] = payment.file
        ctx["can_decide"] = aid.may_decide(user, payment)
        ctx["note_form"] = kwargs.get("note_form") or DecisionNoteForm()
        ctx["reject_form"] = kwargs.get("reject_form") or RejectForm()
        ctx["summary"] = aid.aid_summary(payment.file)
        ctx["threshold"] = aid.large_aid_threshold(payment.file)
        level = aid.approval_level(user, payment.node_path) if ctx["can_decide"] else None
        ctx["forwards"] = payment.needs_city and payment.status == AidPayment.Status.PENDING and level == aid.DISTRICT
        ctx["section"], ctx["aid_tab"] = "funds", "aid"
        return ctx


class AidRequestView(StaffRequiredMixin, View):
    """A union asks for one aid payment for a registered household."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_worker:
            self.file = _file_or_404(request, kwargs["pk"])
            require_permission(request.user, CHANGE, self.file.node_path)
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data=None):
        return AidRequestForm(data, funds=aid.funds_for_file(self.file))

    def render_page(self, form, status=200):
        return render(self.request, "hardship/aid_request.html", {
            "file": self.file, "form": form, "summary": aid.aid_summary(self.file),
            "threshold": aid.large_aid_threshold(self.file), "registered": self.file.status == "registered",
            "section": "files"}, status=status)

    def get(self, request, pk):
        return self.render_page(self.make_form())

    def post(self, request, pk):
        form = self.make_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment = aid.request_aid(self.file, fund=data["fund"], kind=data["kind"], amount=data["amount"],
                                          reason=data["reason"], by=request.user)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                if payment.needs_city:
                    messages.success(request, _("已提交救助申请。金额超过¥%(limit)s，区总工会审核后还须市总工会审批。")
                                     % {"limit": f"{aid.large_aid_threshold(self.file):,.2f}"})
                else:
                    messages.success(request, _("已提交救助申请，等待区总工会审批。"))
                return redirect("hardship:aid", pk=payment.pk)
        return self.render_page(form, status=422)


class AidApproveView(_StaffPostView):
    def post(self, request, pk):
        payment = get_visible_or_404(AidPayment, request.user, VIEW, pk=pk)
        form = DecisionNoteForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            done = aid.approve_aid(payment, by=request.user, note=note)
        except PermissionDenied as e:
            return _forbidden(request, e)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            if done.status == AidPayment.Status.AWAITING_CITY:
                messages.success(request, _("已审核同意，报市总工会审批。"))
            else:
                messages.success(request, _("已批准发放¥%(amount)s，已记入服务台账。") % {"amount": f"{done.amount:,.2f}"})
        return redirect("hardship:aid", pk=payment.pk)


class AidRejectView(_StaffPostView):
    def post(self, request, pk):
        payment = get_visible_or_404(AidPayment, request.user, VIEW, pk=pk)
        try:
            aid.reject_aid(payment, reason=request.POST.get("reason", ""), by=request.user)
        except PermissionDenied as e:
            return _forbidden(request, e)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("已不予批准，申请的工会会看到理由。"))
        return redirect("hardship:aid", pk=payment.pk)


# ----- the household's plan -----

class PlanView(StaffRequiredMixin, View):
    """The household's plan of the year: its goal and measures; POST saves the goal."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_worker:
            self.file = _file_or_404(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, goal_form=None, measure_form=None, status=200):
        plan = aid.current_plan(self.file)
        measures = list(PlanMeasure.objects.visible_to(self.request.user, VIEW).filter(plan=plan)) if plan else []
        can_change = has_permission(self.request.user, CHANGE, self.file.node_path)
        return render(self.request, "hardship/aid_plan.html", {
            "file": self.file, "plan": plan, "measures": measures, "can_change": can_change,
            "registered": self.file.status == HardshipFile.Status.REGISTERED,
            "goal_form": goal_form or PlanGoalForm(initial={"goal": plan.goal if plan else ""}),
            "measure_form": measure_form or MeasureForm(), "statuses": PlanMeasure.Status.choices,
            "year": timezone.localdate().year, "section": "files"}, status=status)

    def get(self, request, pk):
        return self.render_page()

    def post(self, request, pk):
        require_permission(request.user, CHANGE, self.file.node_path)
        form = PlanGoalForm(request.POST)
        if form.is_valid():
            try:
                aid.save_plan(self.file, goal=form.cleaned_data["goal"], by=request.user)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, _("已保存帮扶目标。"))
                return redirect("hardship:plan", pk=self.file.pk)
        return self.render_page(goal_form=form, status=422)


class MeasureAddView(PlanView):
    http_method_names = ["post"]

    def post(self, request, pk):
        require_permission(request.user, CHANGE, self.file.node_path)
        form = MeasureForm(request.POST)
        if form.is_valid():
            try:
                aid.add_measure(self.file, by=request.user, **form.cleaned_data)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, _("已加入帮扶措施。"))
                return redirect("hardship:plan", pk=self.file.pk)
        return self.render_page(measure_form=form, status=422)


class MeasureUpdateView(_StaffPostView):
    def post(self, request, pk):
        measure = get_visible_or_404(PlanMeasure.objects.select_related("plan__file__union"), request.user, VIEW,
                                     pk=pk)
        file = measure.plan.file
        require_permission(request.user, CHANGE, file.node_path)
        form = MeasureUpdateForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
            return redirect("hardship:plan", pk=file.pk)
        try:
            aid.update_measure(measure, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("已更新“%(measure)s”的进展。") % {"measure": measure.get_kind_display()})
        return redirect("hardship:plan", pk=file.pk)


# ----- pairing -----

class PairingListView(ScopedListView):
    model = Pairing
    permission = VIEW
    template_name = "hardship/pairing_list.html"
    partial_template_name = "hardship/pairing_table.html"
    filter_names = ("state", "helper_kind", "q")

    def filtered_without_state(self):
        qs = self.base_queryset()
        helper_kind = self.request.GET.get("helper_kind")
        if helper_kind in Pairing.HelperKind.values:
            qs = qs.filter(helper_kind=helper_kind)
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(helper_name__contains=q) | Q(file__worker__name__startswith=q)
                           | Q(file__number=q.upper()))
        return qs

    def get_queryset(self):
        qs = self.filtered_without_state().select_related("file", "file__worker", "file__union")
        state = self.request.GET.get("state", "")
        today = timezone.localdate()
        if state == "overdue":
            qs = qs.filter(ended_on__isnull=True, contact_due_on__lt=today)
        elif state == "ended":
            qs = qs.filter(ended_on__isnull=False)
        elif state != "all":
            qs = qs.filter(ended_on__isnull=True)
        return qs.order_by("contact_due_on", "pk") if state != "ended" else qs.order_by("-ended_on", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        counts = self.filtered_without_state().aggregate(
            active=Count("pk", filter=Q(ended_on__isnull=True)),
            overdue=Count("pk", filter=Q(ended_on__isnull=True, contact_due_on__lt=today)),
            ended=Count("pk", filter=Q(ended_on__isnull=False)), all=Count("pk"))
        ctx["state_tabs"] = [("", _("结对中"), counts["active"]), ("overdue", _("超期未联系"), counts["overdue"]),
                             ("ended", _("已结束"), counts["ended"]), ("all", _("全部"), counts["all"])]
        ctx["helper_kinds"] = Pairing.HelperKind.choices
        ctx["section"] = "pairings"
        return ctx


class PairingCreateView(StaffRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_worker:
            self.file = _file_or_404(request, kwargs["pk"])
            require_permission(request.user, CHANGE, self.file.node_path)
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, status=200):
        return render(self.request, "hardship/pairing_form.html", {
            "file": self.file, "form": form, "registered": self.file.status == HardshipFile.Status.REGISTERED,
            "days": aid.contact_days(self.file), "section": "pairings"}, status=status)

    def get(self, request, pk):
        return self.render_page(PairingForm())

    def post(self, request, pk):
        form = PairingForm(request.POST)
        if form.is_valid():
            try:
                pairing = aid.start_pairing(self.file, by=request.user, **form.cleaned_data)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, _("已登记结对：%(helper)s帮扶%(name)s家庭。")
                                 % {"helper": pairing.helper_name, "name": self.file.worker.name})
                return redirect("hardship:pairing", pk=pairing.pk)
        return self.render_page(form, status=422)


class PairingDetailView(ScopedDetailView):
    model = Pairing
    permission = VIEW
    template_name = "hardship/pairing_detail.html"
    context_object_name = "pairing"

    def get_queryset(self):
        return self.base_queryset().select_related("file", "file__worker", "file__union", "created_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        pairing, user = self.object, self.request.user
        ctx["file"] = pairing.file
        ctx["contacts"] = list(PairingContact.objects.visible_to(user, VIEW).filter(pairing=pairing)
                               .select_related("created_by"))
        ctx["contact_form"] = kwargs.get("contact_form") or ContactForm()
        ctx["end_form"] = kwargs.get("end_form") or EndPairingForm()
        ctx["can_change"] = pairing.active and has_permission(user, CHANGE, pairing.file.node_path)
        ctx["days"] = aid.contact_days(pairing.file)
        ctx["total_value"] = sum((c.value or 0) for c in ctx["contacts"])
        ctx["section"] = "pairings"
        return ctx


class _PairingActionView(PairingDetailView):
    """POST on one pairing; on bad input the pairing page is shown again with the errors."""

    http_method_names = ["post"]
    form_class = None
    form_name = ""

    def post(self, request, pk):
        self.object = self.get_object()
        require_permission(request.user, CHANGE, self.object.file.node_path)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                message = self.act(form.cleaned_data)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, message)
                return redirect("hardship:pairing", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(**{self.form_name: form}), status=422)


class PairingContactView(_PairingActionView):
    form_class = ContactForm
    form_name = "contact_form"

    def act(self, data) -> str:
        aid.log_contact(self.object, by=self.request.user, **data)
        return _("已登记联系记录。")


class PairingEndView(_PairingActionView):
    form_class = EndPairingForm
    form_name = "end_form"

    def act(self, data) -> str:
        aid.end_pairing(self.object, ended_on=data["ended_on"], reason=data["end_reason"], by=self.request.user)
        return _("已结束结对。")
